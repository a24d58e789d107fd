"""An admin invites someone by email; they open the emailed link, make an account and join."""

import re

import pytest
from django.core import mail

from apps.workspaces.models import Membership

from ..factories import PASSWORD, add_member, make_user, make_workspace
from .conftest import signed_in

pytestmark = pytest.mark.browser


def test_an_invited_person_signs_up_through_the_link_and_joins(
    browser, page, live_server, transactional_db
):
    workspace = make_workspace("team")
    add_member(workspace, make_user("adam", email="adam@example.com"), "admin")
    signed_in(page, live_server, "adam")

    page.goto(f"{live_server.url}/w/team/members/")
    page.fill("#id_email", "nora@example.com")
    page.fill("#id_name", "Nora Nkemelu")
    page.select_option("#id_role", "author")
    page.click("#invitations button[type=submit]:has-text('Invite')")
    # htmx swaps the invitation region: the notice and the pending invitation, on the same page.
    page.wait_for_selector("#invitations .notice")
    assert "nora@example.com" in page.inner_text("#invitations table")
    assert not Membership.objects.filter(user__email="nora@example.com").exists()

    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[0].body).group(0)
    other = browser.new_context().new_page()
    other.goto(link)
    # The name the admin typed is filled in; the person may correct it.
    assert other.input_value("#id_full_name") == "Nora Nkemelu"
    other.fill("#id_username", "nora")
    other.fill("#id_password1", PASSWORD)
    other.fill("#id_password2", PASSWORD)
    other.click("button:has-text('Create the account and join')")
    other.wait_for_url(f"{live_server.url}/w/team/members/")

    assert "Welcome, Nora: you joined Team" in other.content()
    assert other.inner_text("header.site .who") == "Nora Nkemelu"
    assert Membership.objects.get(user__username="nora", workspace=workspace).role == "author"
    other.context.close()
