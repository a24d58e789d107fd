"""Downloads come from the app's own buttons: a GET, which any `<img>` or link in someone's text
can make a reader's browser send, records nothing and renders nothing."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from apps.activity.models import AuditEvent
from apps.exports.models import ExportJob
from apps.exports.tasks import build

from ..factories import make_decision
from ..reviews.helpers import accepted

TAILS = ["{n}.md", "{n}.pdf", "{n}/versions/1.md", "{n}/versions/1.pdf"]


@pytest.fixture
def decision(people):
    decision, _ = accepted(people["workspace"], people["ada"], people["rita"])
    return decision


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize("tail", TAILS)
def test_it_answers_a_get_with_a_button_and_records_no_export(people, decision, tail):
    address = f"/w/team/{tail.format(n=decision.number)}"

    response = signed_in(people["vic"]).get(address)

    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response and b"%PDF" not in response.content
    assert f'<form method="post" action="{address}">' in response.content.decode()
    assert not AuditEvent.objects.filter(verb="exported").exists()


@pytest.mark.parametrize("tail", TAILS)
def test_it_refuses_a_post_without_the_csrf_token(people, decision, tail):
    response = signed_in(people["vic"]).post(f"/w/team/{tail.format(n=decision.number)}")

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(verb="exported").exists()


@pytest.mark.parametrize("tail", TAILS)
def test_its_button_downloads_the_file_and_records_the_export(people, decision, tail):
    client = signed_in(people["vic"])
    address = f"/w/team/{tail.format(n=decision.number)}"
    page = client.get(address).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]

    response = client.post(address, {"csrfmiddlewaretoken": token})

    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    suffix = tail.rsplit(".", 1)[1]
    assert response.content.startswith(b"%PDF") == (suffix == "pdf")
    [event] = AuditEvent.objects.filter(verb="exported")
    assert event.actor == people["vic"] and event.data["format"] == suffix


def test_it_answers_a_get_of_a_finished_export_with_a_button(people):
    make_decision(people["workspace"], "Use PostgreSQL")
    job = ExportJob.objects.create(
        workspace=people["workspace"], requested_by=people["ada"], kind="zip", format="madr"
    )
    build(job)
    client = signed_in(people["ada"])
    address = f"/w/team/exports/{job.pk}/download/"

    page = client.get(address)
    assert "Content-Disposition" not in page
    assert not AuditEvent.objects.filter(verb="exported").exists()

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    response = client.post(address, {"csrfmiddlewaretoken": token})
    assert response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(verb="exported").count() == 1


def test_the_decision_and_version_pages_offer_buttons_not_links(people, decision):
    client = signed_in(people["vic"])
    n = decision.number

    for page, tails in [
        (f"/w/team/{n}/", [f"{n}.md", f"{n}.pdf"]),
        (f"/w/team/{n}/versions/", [f"{n}/versions/1.md", f"{n}/versions/1.pdf"]),
        (f"/w/team/{n}/versions/1/", [f"{n}/versions/1.md", f"{n}/versions/1.pdf"]),
    ]:
        html = client.get(page).content.decode()
        for tail in tails:
            assert f'<form method="post" action="/w/team/{tail}"' in html, (page, tail)
            assert f'href="/w/team/{tail}"' not in html, (page, tail)
