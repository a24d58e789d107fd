"""Every page a workspace admin can open, as concrete URLs over the example data.

The list comes from the permission table (`tests/test_permissions.py` EXPECTED): every URL name
whose GET serves an admin 200 there is a page here, so a page added to the table is swept by the
accessibility and phone tests without anyone remembering to add it. Its URL is built the way the
table builds it, over the example workspace (`load_example`) with the few objects the table's
world has and the example lacks: an accepted decision with a version, a review thread, an
export job, a notification.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.urls import reverse

from apps.accounts.models import Invitation
from apps.activity.events import notify
from apps.decisions.completeness import STEP_SLUGS
from apps.decisions.models import AuthOption, Decision, Status
from apps.reviews.models import Thread
from apps.workspaces.models import Membership, Workspace

from ..factories import make_team
from ..reviews.helpers import accepted, open_round
from ..test_permissions import ALL_URLS, EXPECTED, ROLES, build_url
from ..versions.helpers import erase_versions

ADMIN = ROLES.index("admin")


def example_world() -> SimpleNamespace:
    """The example workspace (already loaded), named the way the permission table names its
    world, so the table's `args` lambdas and `build_url` fill the same URLs."""
    users = get_user_model().objects
    workspace = Workspace.objects.get(slug="platform")
    admin, author, reviewer = (users.get(username=n) for n in ("demo", "tom", "priya"))
    viewer = make_team(workspace, vera="viewer")["vera"]
    w = SimpleNamespace(
        workspace=workspace,
        users={"admin": admin, "author": author, "reviewer": reviewer, "viewer": viewer},
    )
    decisions = Decision.objects.filter(workspace=workspace)
    # The kit-shaped draft: scenarios, considerations and a support matrix on its steps.
    w.draft = decisions.filter(status=Status.DRAFT).order_by("-number").first()
    w.scenario = w.draft.scenarios.first()
    w.option = AuthOption.objects.filter(consideration__decision=w.draft).first()
    w.in_review = decisions.get(status=Status.IN_REVIEW)
    w.thread = Thread.start(w.in_review, "context", reviewer, "Why now?")
    w.change = open_round(w.in_review).request_changes(reviewer, "Say why.")
    w.accepted, _ = accepted(workspace, author, reviewer, title="Choose a queue for events")
    w.viewer_membership = Membership.objects.get(workspace=workspace, user=viewer)
    w.notification = notify(admin, "Priya commented.", url=w.in_review.get_absolute_url())
    return w


def admin_pages(w: SimpleNamespace) -> list[tuple[str, str]]:
    """(label, path) for every page of the table an admin GETs with 200, then every step of
    the guided editor."""
    patterns = dict(ALL_URLS)
    pages = []
    for name, expect in sorted(EXPECTED.items()):
        if name == "admin:index" or expect.get is None or expect.get[ADMIN] != 200:
            continue
        pages.append((name, build_url(name, patterns[name], expect, w)))
    # The decision page in each state shows different parts (the review panel, versions).
    for on in ("in_review", "accepted"):
        pages.append((f"decisions:detail {on}", getattr(w, on).get_absolute_url()))
    step = patterns["authoring:step"]
    for slug in STEP_SLUGS:
        expect = EXPECTED["authoring:step"]
        at = SimpleNamespace(**{**vars(expect), "args": lambda w, slug=slug: {"step": slug}})
        pages.append((f"authoring:step {slug}", build_url("authoring:step", step, at, w)))
    return pages


@contextmanager
def every_admin_page() -> Iterator[list[tuple[str, str]]]:
    """The pages, over a world that is erased after (committed versions need it on SQLite)."""
    try:
        yield admin_pages(example_world())
    finally:
        erase_versions()


def signed_out_pages() -> list[tuple[str, str]]:
    """The pages of people not signed in: sign-in, password reset, and the sign-up form an
    invitation opens (the permission table reaches it only with a dead token)."""
    workspace = Workspace.objects.create(slug="team", name="Team")
    admin = make_team(workspace, adam="admin")["adam"]
    _, token = Invitation.send(workspace, "nora@example.com", "author", by=admin, name="Nora N")
    return [
        ("login", reverse("login")),
        ("accounts:password_reset", reverse("accounts:password_reset")),
        ("accounts:invitation", reverse("accounts:invitation", args=[token])),
    ]
