"""People have names: the invitation and the sign-up ask for one, and pages show it."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from apps.accounts.forms import split_name
from apps.accounts.models import Invitation

from ..factories import PASSWORD

INVITE = reverse("accounts:invite", args=["team"])


def invited_link(client, team, name="") -> str:
    client.force_login(team["adam"])
    client.post(INVITE, {"email": "nora@example.com", "role": "author", "name": name})
    client.logout()
    return re.search(r"https?://[^/\s]+(/invitations/\S+/)", mail.outbox[-1].body).group(1)


def sign_up(client, link, full_name, username="nora"):
    data = {"username": username, "password1": PASSWORD, "password2": PASSWORD}
    return client.post(link, {"full_name": full_name, **data})


def test_it_keeps_the_name_the_inviter_gives(client, team):
    client.force_login(team["adam"])

    response = client.post(
        INVITE, {"email": "nora@example.com", "role": "author", "name": "  Nora   Nkemelu "}
    )

    assert response.status_code == 302
    assert Invitation.objects.get().name == "Nora Nkemelu"
    members = client.get(reverse("workspaces:members", args=["team"])).content.decode()
    assert "Nora Nkemelu" in members


def test_it_fills_the_sign_up_form_with_the_invited_name(client, team):
    link = invited_link(client, team, name="Nora Nkemelu")

    page = client.get(link).content.decode()

    assert 'name="full_name"' in page and 'value="Nora Nkemelu"' in page
    assert "Your full name" in page


def test_it_stores_the_full_name_in_first_and_last_name(client, team):
    link = invited_link(client, team)

    response = sign_up(client, link, "Ana María de la Cruz")

    assert response.status_code == 302
    user = get_user_model().objects.get(username="nora")
    assert (user.first_name, user.last_name) == ("Ana", "María de la Cruz")
    assert user.get_full_name() == "Ana María de la Cruz"
    assert "Welcome, Ana: you joined Team" in client.get(response["Location"]).content.decode()


def test_it_shows_the_name_instead_of_the_username(client, team):
    sign_up(client, invited_link(client, team), "Nora Nkemelu")

    page = client.get(reverse("decisions:log")).content.decode()

    assert 'title="Your account">Nora Nkemelu</a>' in page


@pytest.mark.parametrize("name", ["", "   ", "Nora\x00Nkemelu", "Nora\nNkemelu"])
def test_it_refuses_a_sign_up_without_a_real_name(client, team, name):
    link = invited_link(client, team)

    response = sign_up(client, link, name)

    assert response.status_code == 400
    assert not get_user_model().objects.filter(username="nora").exists()
    # What was typed is kept, so nothing has to be typed again.
    assert 'value="nora"' in response.content.decode()


def test_it_refuses_a_name_too_long_to_store(client, team):
    link = invited_link(client, team)

    response = sign_up(client, link, "N" * 151)

    assert response.status_code == 400
    assert not get_user_model().objects.filter(username="nora").exists()


def test_it_refuses_an_invited_name_too_long_to_store(client, team):
    client.force_login(team["adam"])

    response = client.post(
        INVITE, {"email": "nora@example.com", "role": "author", "name": "N" * 151}
    )

    assert response.status_code == 400 and not Invitation.objects.exists()


def test_it_splits_a_name_so_that_it_reads_as_typed():
    assert split_name("Dana") == ("Dana", "")
    assert split_name("Dana Demo") == ("Dana", "Demo")
    for name in ["Dana Demo", "Ludwig van Beethoven", "Ng"]:
        first, last = split_name(name)
        assert " ".join(part for part in (first, last) if part) == name


def test_it_greets_the_invited_person_by_name(client, team):
    invited_link(client, team, name="Nora Nkemelu")
    invited_link(client, team)

    named, unnamed = mail.outbox[-2].body, mail.outbox[-1].body

    assert named.startswith("Hello Nora Nkemelu,\n\n") and "invites you" in named
    first_line = unnamed.split("\n")[0]
    assert "invites you" in first_line and "Hello" not in first_line
