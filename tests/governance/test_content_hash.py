"""A decision's content hash covers its own content only (issue 13, item 4, first half)."""

from apps.decisions.models import Decision, Relation
from apps.versions.models import Version, content_sha256, sha256_of

from ..reviews.helpers import accepted, draft, in_review, open_round


def sha256(decision) -> str:
    return content_sha256(Decision.objects.with_record().get(pk=decision.pk))


def standing(decision) -> list[str]:
    round = open_round(decision)
    return [a.reviewer.username for a in round.standing_approvals(sha256(decision))]


def test_it_keeps_approvals_when_an_unrelated_draft_links_here(people):
    a = in_review(people["workspace"], people["ada"], [people["rita"], people["rob"]], 2)
    open_round(a).approve(people["rita"])
    before = sha256(a)
    b = draft(people["workspace"], people["ada"], title="Choose a gateway")
    for kind in ["supersedes", "amends", "relates_to", "see_also"]:
        Relation.objects.create(source=b, target=a, kind=kind)
    assert sha256(a) == before
    assert standing(a) == ["rita"]
    open_round(a).approve(people["rob"])
    a.refresh_from_db()
    assert a.status == "accepted"


def test_it_keeps_approvals_when_a_linked_decision_is_renamed(people):
    b = draft(people["workspace"], people["ada"], title="Choose a gateway")
    a = in_review(people["workspace"], people["ada"], [people["rita"], people["rob"]], 2)
    Relation.objects.create(source=a, target=b, kind="amends")
    open_round(a).approve(people["rita"])
    Decision.objects.filter(pk=b.pk).update(title="Choose an API gateway, renamed")
    assert standing(a) == ["rita"]


def test_it_makes_approvals_stale_when_the_decision_adds_a_link_itself(people):
    a = in_review(people["workspace"], people["ada"], [people["rita"], people["rob"]], 2)
    b = draft(people["workspace"], people["ada"], title="Choose a gateway")
    open_round(a).approve(people["rita"])
    Relation.objects.create(source=a, target=b, kind="relates_to")
    assert standing(a) == []


def test_it_keeps_frozen_versions_verifiable(people):
    """A version's hash is over the Markdown it stores, never recomputed from the record."""
    a, version = accepted(people["workspace"], people["ada"], people["rita"])
    b = draft(people["workspace"], people["ada"], title="Choose a gateway")
    Relation.objects.create(source=b, target=a, kind="supersedes")
    stored = Version.objects.get(pk=version.pk)
    assert sha256_of(stored.markdown) == stored.sha256 == version.sha256
    assert stored.approvals[0]["content_sha256"] != stored.sha256  # pinned to the content
