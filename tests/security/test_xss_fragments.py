"""The XSS corpus through the fragments htmx swaps in: editor steps, saves, conflicts, reviews.

Fragments hold our own forms, so the check differs from the page's: user Markdown must sit in
`hx-disable` regions and pass the full check there; elsewhere user text may only appear escaped
(as field values and text), and no element may carry an event handler, `hx-on`, or a script URL.
"""

import pytest

from apps.decisions.completeness import STEP_SLUGS
from apps.reviews.models import Thread

from ..authoring.helpers import post, url
from .xss import ALL_PAYLOADS, SHORT_PAYLOAD, assert_fragment_harmless, hostile_decision

HX = {"HX-Request": "true"}


@pytest.fixture
def hostile(workspace, author):
    decision = hostile_decision(workspace)
    decision.owner = author
    decision.save()
    return decision


@pytest.mark.parametrize("step", STEP_SLUGS)
def test_it_keeps_each_editor_step_fragment_harmless(author_client, hostile, step):
    response = author_client.get(url(hostile, f"{step}/"), headers=HX)

    assert response.status_code == 200
    assert_fragment_harmless(response.content.decode())


def test_it_keeps_the_fragment_of_a_saved_part_harmless(author_client, hostile):
    data = {"title": SHORT_PAYLOAD, "context": ALL_PAYLOADS, "overview": "", "drivers": ""}
    response = post(author_client, hostile, "part/problem/", data, htmx=True)

    assert response.status_code == 200
    assert_fragment_harmless(response.content.decode())


@pytest.mark.parametrize(
    "title,status",
    [
        (SHORT_PAYLOAD + " 2", 200),
        # The same title as the hostile scenario: refused, the text shown again with the error.
        (SHORT_PAYLOAD, 422),
    ],
)
def test_it_keeps_the_fragment_of_an_added_row_harmless(author_client, hostile, title, status):
    prefix = f"scenario-new-{hostile.pk}"
    data = {
        f"{prefix}-title": title,
        f"{prefix}-description": ALL_PAYLOADS,
        f"{prefix}-choose_when": ALL_PAYLOADS,
    }
    response = post(author_client, hostile, "scenario/add/", data, htmx=True)

    assert response.status_code == status
    assert_fragment_harmless(response.content.decode())


def test_it_keeps_a_conflict_fragment_harmless(author_client, hostile):
    data = {"title": "Mine", "context": ALL_PAYLOADS, "overview": "", "drivers": "", "revision": 0}
    response = post(author_client, hostile, "part/problem/", data, htmx=True)

    assert response.status_code == 409
    html = response.content.decode()
    assert_fragment_harmless(html)
    # Both texts are there for the person to compare, escaped.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_it_keeps_the_review_panel_fragment_harmless(client, hostile, workspace, author):
    from ..factories import add_member, make_user

    rita = make_user("rita")
    add_member(workspace, rita, "reviewer")
    thread = Thread.start(hostile, "scenarios", rita, ALL_PAYLOADS)
    client.force_login(rita)

    panel = client.get(f"/w/team/{hostile.number}/review/", headers=HX)
    reply = client.post(
        f"/w/team/{hostile.number}/review/threads/{thread.pk}/reply/",
        {"body": ALL_PAYLOADS},
        headers=HX,
    )

    assert panel.status_code == 200 and reply.status_code == 200
    for response in (panel, reply):
        html = response.content.decode()
        assert 'class="comment-body" hx-disable' in html
        assert_fragment_harmless(html)
