"""Each in-place action makes as many queries for 30 rows as for 3."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.decisions.models import AuthOption, Consequence, Consideration, Reference, Relation

from ..factories import make_decision, make_matrix
from .helpers import post, url


@pytest.fixture(autouse=True)
def sessions_in_a_shared_cache(settings):
    """The budgets hold for a deployment of several servers, which shares its cache (REDIS_URL) and
    reads sessions through it. In this one process the local-memory cache stands in for it;
    without a shared cache, sessions are read from the database, one query more per request."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


@pytest.fixture
def small_and_large(workspace):
    small, large = make_decision(workspace, "Small"), make_decision(workspace, "Large")
    make_matrix(small, scenarios=3, options=3)
    make_matrix(large, scenarios=30, options=30)
    targets = [make_decision(workspace, f"Target {i}") for i in range(30)]
    for decision, count in [(small, 3), (large, 30)]:
        for i in range(count):
            Consequence.objects.create(decision=decision, kind="good", text=f"c{i}", position=i)
            Reference.objects.create(
                decision=decision, title=f"r{i}", url="https://example.com/", position=i
            )
            Relation.objects.create(source=decision, target=targets[i], kind="see_also")
        Consideration.objects.bulk_create(
            Consideration(decision=decision, title=f"Concern {i}", position=i + 1)
            for i in range(count - 1)
        )
    make_decision(workspace, "Related")
    return small, large


def actions(decision):
    """(path, data) of every in-place action on this decision."""
    scenario = decision.scenarios.order_by("position")[1]
    point = scenario.points.first()
    consideration = decision.considerations.get(title="Authentication")
    concern = decision.considerations.order_by("position")[1]
    option = consideration.options.order_by("position")[1]
    consequence = decision.consequences.order_by("position")[1]
    reference, second_reference = decision.references.order_by("position")[:2]
    relation, second_relation = decision.relations.order_by("target__number")[:2]
    related = decision.workspace.decisions.get(title="Related")
    s, p, o = f"scenario-{scenario.pk}-", f"point-{point.pk}-", f"option-{option.pk}-"
    r, rel = f"reference-{reference.pk}-", f"relation-{relation.pk}-"
    new = f"-new-{decision.pk}-"
    cell = f"cell-{option.pk}-{scenario.pk}-"
    return [
        ("part/problem/", {"title": decision.title, "context": "Why now"}),
        ("part/intro/", {"options_intro": "Intro"}),
        ("part/outcome/", {"chosen": scenario.pk, "rationale": "Because"}),
        (f"scenario/{scenario.pk}/", {s + "title": "Renamed", s + "description": "D"}),
        ("scenario/add/", {f"scenario-new-{decision.pk}-title": "New one"}),
        (f"scenario/{scenario.pk}/move/", {"direction": "up"}),
        (f"point/{point.pk}/", {p + "kind": "bad", p + "text": "slow"}),
        (
            "point/add/",
            {
                "parent": scenario.pk,
                f"point-new-{scenario.pk}-kind": "good",
                f"point-new-{scenario.pk}-text": "fast",
            },
        ),
        (f"point/{point.pk}/move/", {"direction": "down"}),
        (f"point/{point.pk}/remove/", {}),
        (f"consideration/{consideration.pk}/", {f"consideration-{consideration.pk}-title": "Auth"}),
        ("consideration/add/", {f"consideration-new-{decision.pk}-title": "Cost"}),
        (f"consideration/{concern.pk}/move/", {"direction": "up"}),
        (f"option/{option.pk}/", {o + "title": "Renamed option"}),
        (
            "option/add/",
            {"parent": consideration.pk, f"option-new-{consideration.pk}-title": "mTLS"},
        ),
        (f"option/{option.pk}/move/", {"direction": "up"}),
        (f"cell/{option.pk}/{scenario.pk}/", {cell + "level": "partial", cell + "note": "n"}),
        (
            f"consequence/{consequence.pk}/",
            {
                f"consequence-{consequence.pk}-kind": "bad",
                f"consequence-{consequence.pk}-text": "t",
            },
        ),
        (
            "consequence/add/",
            {
                f"consequence-new-{decision.pk}-kind": "good",
                f"consequence-new-{decision.pk}-text": "more",
            },
        ),
        (f"consequence/{consequence.pk}/move/", {"direction": "up"}),
        (f"consequence/{consequence.pk}/remove/", {}),
        ("reference/add/", {f"reference{new}title": "AWS", f"reference{new}url": "aws.com"}),
        (f"reference/{reference.pk}/", {r + "title": "Docs", r + "url": "https://docs.aws/"}),
        (f"reference/{reference.pk}/move/", {"direction": "down"}),
        (f"reference/{second_reference.pk}/remove/", {}),
        ("relation/add/", {f"relation{new}kind": "see_also", f"relation{new}target": related.pk}),
        (f"relation/{relation.pk}/", {rel + "kind": "amends", rel + "target": relation.target_id}),
        (f"relation/{second_relation.pk}/remove/", {}),
        (f"option/{option.pk}/remove/", {}),
        (f"consideration/{consideration.pk}/remove/", {}),
        (f"scenario/{scenario.pk}/remove/", {}),
    ]


def queries(client, decision, path, data) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = post(client, decision, path, data, htmx=True)
    assert response.status_code == 200, (path, response.content.decode()[:500])
    return len(captured)


def test_its_in_place_actions_make_as_many_queries_for_30_rows_as_for_3(
    author_client, small_and_large
):
    small, large = small_and_large
    for (path, data), (large_path, large_data) in zip(actions(small), actions(large), strict=True):
        few = queries(author_client, small, path, data)
        many = queries(author_client, large, large_path, large_data)
        assert few == many, f"{path}: {few} queries for 3 rows, {many} for 30"


def test_its_steps_make_as_many_queries_for_30_rows_as_for_3(author_client, small_and_large):
    small, large = small_and_large
    for step in ["problem", "scenarios", "considerations", "outcome", "check"]:
        counts = []
        for decision in (small, large):
            with CaptureQueriesContext(connection) as captured:
                assert author_client.get(url(decision, f"{step}/")).status_code == 200
            counts.append(len(captured))
        assert counts[0] == counts[1], f"{step}: {counts}"


# --- An autosave does only its own work ------------------------------------------------------

# The user, the membership, the decision, the write (with the revision) and the writer's
# contribution: an autosave of a field of the decision makes five queries (six with a session
# not in the cache); of a row or a cell six, as the row is read and then written beside the
# revision. Whatever the size of the decision or the workspace.
AUTOSAVE_MOST = {"part": 5, "row": 6, "cell": 6}


def autosaves(decision, text: str):
    scenario = decision.scenarios.order_by("position")[1]
    option = AuthOption.objects.filter(consideration__decision=decision).order_by("pk")[1]
    s, cell = f"scenario-{scenario.pk}-", f"cell-{option.pk}-{scenario.pk}-"
    level = "not" if text == "first" else "partial"
    return [
        ("part", "part/problem/", {"title": decision.title, "context": text}),
        ("row", f"scenario/{scenario.pk}/", {s + "title": scenario.title, s + "description": text}),
        ("cell", f"cell/{option.pk}/{scenario.pk}/", {cell + "level": level, cell + "note": text}),
    ]


@pytest.fixture
def ten_and_many(workspace):
    ten, many = make_decision(workspace, "Ten"), make_decision(workspace, "Many")
    make_matrix(ten, scenarios=10, options=10)
    make_matrix(many, scenarios=60, options=40)
    for i in range(200):
        make_decision(workspace, f"Other {i}")
    return ten, many


def test_its_autosaves_make_at_most_six_queries_whatever_the_size(
    author_client, ten_and_many, django_assert_max_num_queries
):
    for decision in ten_and_many:
        # The first save puts the writer on record; the next ones, as typing goes on, are timed.
        for first, (kind, path, data) in zip(
            autosaves(decision, "first"), autosaves(decision, "second"), strict=True
        ):
            assert post(author_client, decision, *first[1:], htmx=True).status_code == 200
            decision.refresh_from_db()
            data["revision"] = decision.revision
            address = url(decision, path)
            with django_assert_max_num_queries(AUTOSAVE_MOST[kind]):
                response = author_client.post(address, data, headers=HTMX)
            assert response.status_code == 200, (path, response.content[:300])
            assert "adroit:revision" in response["HX-Trigger"]


HTMX = {"HX-Request": "true"}
