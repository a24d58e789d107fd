"""The decision page has a place for every region the review panel sends out of band, also for
sections left empty (they have no heading on the page): htmx finds each one's target."""

from __future__ import annotations

import re

from apps.decisions.models import Decision

from .helpers import in_review

HTMX = {"HX-Request": "true"}


def sent_out_of_band(html: str) -> list[str]:
    return re.findall(r'<\w+ [^>]*id="([^"]+)"[^>]*hx-swap-oob="true"', html)


def test_it_has_a_target_for_each_sections_comments_the_poll_sends(client, people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"]])
    # No drivers: no "Decision Drivers" heading on the page.
    Decision.objects.filter(pk=decision.pk).update(drivers="")
    client.force_login(people["rita"])
    page = client.get(decision.get_absolute_url()).content.decode()
    poll = client.get(f"{decision.get_absolute_url()}review/", headers=HTMX).content.decode()

    sent = sent_out_of_band(poll)
    assert "threads-section-drivers" in sent
    assert [i for i in sent if f'id="{i}"' not in page] == []
    # Out of sight: a section the page does not show gets no comment box.
    hidden = page[page.index('<div class="off-page-sections" hidden>') :]
    assert hidden.index('id="threads-section-drivers"') < hidden.index("</div></div>")


def test_it_has_a_target_on_the_review_page_for_each_region_a_step_or_the_poll_sends(
    client, people
):
    decision = in_review(people["workspace"], people["ada"], [people["rita"]])
    client.force_login(people["rita"])
    review = f"{decision.get_absolute_url()}review/"
    page = client.get(review).content.decode()
    poll = client.get(review, headers=HTMX).content.decode()
    step = client.post(f"{review}approve/", headers=HTMX).content.decode()

    for answer in (poll, step):
        sent = sent_out_of_band(answer)
        assert "threads-section-context" in sent
        assert [i for i in sent if f'id="{i}"' not in page] == []
