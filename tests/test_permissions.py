"""Every URL in the URLconf, visited by every kind of person: who gets in, and who is turned away.

The table EXPECTED below lists every URL name with the status each visitor gets. A URL that is
not in the table fails `test_every_url_is_in_the_table` with "add <name> to the table": when you
add a URL, add its row (the statuses your view gives, read off its access check).

Each request runs in a savepoint that is rolled back, so one visitor's POST (an approval, a removed
member) never changes what the next visitor finds. POSTs carry no data: the point is whether the
person gets past the access check, not whether the form is valid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.accounts.models import GroupRole
from apps.activity.events import notify
from apps.api.models import ApiToken
from apps.authoring.models import Kit, KitChoice
from apps.authoring.removal import remove
from apps.decisions.models import AuthOption, ConfirmationItem, Consideration
from apps.exports.models import ExportJob
from apps.imports.models import PendingImport
from apps.reviews.models import Thread
from apps.workspaces.models import Membership

from .conftest import built_once
from .factories import make_team, make_user, make_workspace
from .reviews.helpers import accepted, draft, in_review, open_round


def job_of(w, done: bool = False) -> int:
    job = ExportJob.objects.create(workspace=w.workspace, kind="zip", total=1)
    if done:
        job.result.save("a.zip", ContentFile(b"PK"), save=False)
        ExportJob.objects.filter(pk=job.pk).update(
            state="done", done=1, result=job.result.name, filename="a.zip"
        )
    return job.pk


def pending_of(w) -> int:
    files = [("0001-a.md", b"# 1. A\n\n## Status\n\nAccepted\n")]
    return PendingImport.keep(w.workspace, w.users["author"], files, "auto", "elsewhere").pk


def asked(w) -> dict:
    """The draft decided with a kit that asks "push", so an answer reaches the view."""
    body = "questions:\n- {key: push, ask: Push, answers: [{label: 'Yes'}, {label: 'No'}]}\n"
    kit, _ = Kit.objects.get_or_create(slug="asks", defaults={"name": "Asks", "body": body})
    KitChoice.objects.get_or_create(decision=w.draft, defaults={"kit": kit})
    return {"key": "push"}


def removal_of(w) -> int:
    """A scenario of the draft, removed with undo offered."""
    scenario = w.draft.scenarios.create(title="Removed one", position=9)
    return remove(w.draft, scenario, "scenario", w.users["author"]).pk


def item_of(decision) -> int:
    return ConfirmationItem.objects.create(decision=decision, text="Logs reach the SIEM").pk


def group_role_of(w) -> int:
    return GroupRole.objects.get_or_create(group="architects", workspace=w.workspace)[0].pk


def token_of(user) -> int:
    return ApiToken.issue(user, "a script")[0].pk


ROLES = ("anonymous", "viewer", "author", "reviewer", "admin", "outsider")

LOGIN = "login"  # redirected to the sign-in page
ADMIN_LOGIN = "admin login"  # redirected to the Django admin's own sign-in page
OK = "ok"  # let in and served: not 401/403/404/405, the sign-in page or 5xx (e.g. 302, 422)


@dataclass
class Expect:
    get: tuple | None = None  # one status per role in ROLES; None: not tested with this method
    post: tuple | None = None
    on: str = "draft"  # which decision `number` names: "draft", "in_review" or "accepted"
    args: Callable[[SimpleNamespace], dict] = field(default=lambda w: {})
    query: str = ""


# fmt: off
EXPECTED: dict[str, Expect] = {
    # Sign in and out. Logout is POST only (Django 5).
    #                                    anonymous  viewer  author  reviewer admin  outsider
    "login":                   Expect(get=(200,     200,    200,    200,     200,   200),
                                      post=(200,    200,    200,    200,     200,   200)),
    "logout":                  Expect(get=(405,     405,    405,    405,     405,   405),
                                      post=(LOGIN,  LOGIN,  LOGIN,  LOGIN,   LOGIN, LOGIN)),
    # The Django admin: staff only, whatever the workspace role (test_the_admin_site_is_for_staff).
    "admin:index":             Expect(get=(ADMIN_LOGIN,) * 6),

    # Reading a decision: every member; outsiders do not learn it exists.
    "decisions:log":           Expect(get=(LOGIN,   200,    200,    200,     200,   200)),
    "decisions:detail":        Expect(get=(LOGIN,   200,    200,    200,     200,   404)),
    # Downloading: a GET gets the button, the button's POST the file (never an image's GET).
    "exports:markdown":        Expect(get=(LOGIN,   200,    200,    200,     200,   404),
                                      post=(LOGIN,  200,    200,    200,     200,   404)),
    "exports:pdf":             Expect(get=(LOGIN,   200,    200,    200,     200,   404),
                                      post=(LOGIN,  200,    200,    200,     200,   404)),
    # Finding: every signed-in person, over their own workspaces only (tests/search).
    "search:search":           Expect(get=(LOGIN,   200,    200,    200,     200,   200)),
    "search:timeline":         Expect(get=(LOGIN,   200,    200,    200,     200,   200)),
    "search:graph":            Expect(get=(LOGIN,   200,    200,    200,     200,   404)),
    # Exports: every member reads, so every member may export; jobs stay in their workspace.
    "exports:page":            Expect(get=(LOGIN,   200,    200,    200,     200,   404)),
    "exports:start":           Expect(get=(LOGIN,   405,    405,    405,     405,   405),
                                      post=(LOGIN,  400,    400,    400,     400,   404)),
    "exports:job":             Expect(get=(LOGIN,   200,    200,    200,     200,   404),
                                      args=lambda w: {"pk": job_of(w)}),
    "exports:download":        Expect(get=(LOGIN,   200,    200,    200,     200,   404),
                                      post=(LOGIN,  200,    200,    200,     200,   404),
                                      args=lambda w: {"pk": job_of(w, done=True)}),
    # Importing: people who may edit; each upload is its uploader's alone (the author's here).
    "imports:upload":          Expect(get=(LOGIN,   403,    200,    200,     200,   404),
                                      post=(LOGIN,  403,    422,    422,     422,   404)),
    "imports:preview":         Expect(get=(LOGIN,   403,    200,    404,     404,   404),
                                      args=lambda w: {"pk": pending_of(w)}),
    "imports:confirm":         Expect(get=(LOGIN,   405,    405,    405,     405,   405),
                                      post=(LOGIN,  403,    302,    404,     404,   404),
                                      args=lambda w: {"pk": pending_of(w)}),
    "imports:discard":         Expect(get=(LOGIN,   405,    405,    405,     405,   405),
                                      post=(LOGIN,  403,    302,    404,     404,   404),
                                      args=lambda w: {"pk": pending_of(w)}),
    # The read API takes a token, never a session: everyone here is 401 (tests/api). Its
    # description is public; tokens are each person's own.
    "api:decisions":           Expect(get=(401,) * 6, post=(405,) * 6),
    "api:decision":            Expect(get=(401,) * 6),
    "api:versions":            Expect(get=(401,) * 6),
    "api:version-markdown":    Expect(get=(401,) * 6),
    "api:openapi":             Expect(get=(200,) * 6),
    "api:health":              Expect(get=(401,) * 6),
    # /api/ itself: links to the endpoints and the description, public like the description.
    "api:index":               Expect(get=(200,) * 6, post=(405,) * 6),
    "api:tokens":              Expect(get=(LOGIN,   200,    200,    200,     200,   200),
                                      post=(LOGIN,  400,    400,    400,     400,   400)),
    "api:revoke-token":        Expect(get=(LOGIN,   405,    405,    405,     405,   405),
                                      post=(LOGIN,  404,    302,    404,     404,   404),
                                      args=lambda w: {"pk": token_of(w.users["author"])}),

    # Writing: authors, reviewers and admins. `start` lets anyone signed in see the form; it
    # checks the chosen workspace on POST (an empty POST shows the empty form again).
    "authoring:start":         Expect(get=(LOGIN,   200,    200,    200,     200,   200),
                                      post=(LOGIN,  200,    200,    200,     200,   200)),
    "authoring:edit":          Expect(get=(LOGIN,   403,    302,    302,     302,   404)),
    "authoring:step":          Expect(get=(LOGIN,   403,    200,    200,     200,   404),
                                      args=lambda w: {"step": "problem"}),
    "authoring:save_part":     Expect(get=(LOGIN,   405,    405,    405,     405,   405),
                                      post=(LOGIN,  403,    OK,     OK,      OK,    404),
                                      args=lambda w: {"part": "problem"}),
    "authoring:save_cell":     Expect(post=(LOGIN,  403,    OK,     OK,      OK,    404),
                                      args=lambda w: {"option": w.option.pk,
                                                      "scenario": w.scenario.pk}),
    "authoring:submit":        Expect(post=(LOGIN,  403,    OK,     OK,      OK,    404)),
    "authoring:add_row":       Expect(post=(LOGIN,  403,    OK,     OK,      OK,    404),
                                      args=lambda w: {"kind": "scenario"}),
    "authoring:save_row":      Expect(post=(LOGIN,  403,    OK,     OK,      OK,    404),
                                      args=lambda w: {"kind": "scenario", "pk": w.scenario.pk}),
    "authoring:remove_row":    Expect(post=(LOGIN,  403,    OK,     OK,      OK,    404),
                                      args=lambda w: {"kind": "scenario", "pk": w.scenario.pk}),
    "authoring:move_row":      Expect(post=(LOGIN,  403,    OK,     OK,      OK,    404),
                                      args=lambda w: {"kind": "scenario", "pk": w.scenario.pk}),
    # Removed rows come back (removal.py); the step bar and preview follow an autosave (GET).
    "authoring:undo_remove":   Expect(get=(LOGIN,   405,    405,    405,     405,   405),
                                      post=(LOGIN,  403,    OK,     OK,      OK,    404),
                                      args=lambda w: {"pk": removal_of(w)}),
    "authoring:live":          Expect(get=(LOGIN,   403,    302,    302,     302,   404),
                                      args=lambda w: {"step": "problem"}),
    # The Decide step (apps/authoring/deciding.py): the same people as every other step.
    "authoring:decide":        Expect(get=(LOGIN,   403,    200,    200,     200,   404)),
    "authoring:decide_live":   Expect(get=(LOGIN,   403,    302,    302,     302,   404)),
    "authoring:decide_kit":    Expect(get=(LOGIN,   405,    405,    405,     405,   405),
                                      post=(LOGIN,  403,    OK,     OK,      OK,    404)),
    "authoring:decide_answer": Expect(post=(LOGIN,  403,    OK,     OK,      OK,    404),
                                      args=asked),
    "authoring:decide_driver": Expect(post=(LOGIN,  403,    OK,     OK,      OK,    404),
                                      args=asked),
    "authoring:decide_criterion": Expect(post=(LOGIN, 403,  OK,     OK,      OK,    404),
                                         args=lambda w: {"index": 0}),
    "authoring:decide_choose": Expect(get=(LOGIN,   405,    405,    405,     405,   405),
                                      post=(LOGIN,  403,    OK,     OK,      OK,    404)),

    # Review: anyone who may edit submits, comments, replies, resolves and reopens; reviewers
    # and admins approve, request changes and withdraw them. The panel is for every member.
    "reviews:review":          Expect(get=(LOGIN,   200,    200,    200,     200,   404),
                                      on="in_review"),
    "reviews:submit":          Expect(get=(LOGIN,   405,    405,    405,     405,   405),
                                      post=(LOGIN,  403,    OK,     OK,      OK,    404)),
    "reviews:start-thread":    Expect(post=(LOGIN,  403,    OK,     OK,      OK,    404),
                                      on="in_review"),
    "reviews:reply":           Expect(post=(LOGIN,  403,    OK,     OK,      OK,    404),
                                      on="in_review", args=lambda w: {"pk": w.thread.pk}),
    "reviews:resolve":         Expect(post=(LOGIN,  403,    OK,     OK,      OK,    404),
                                      on="in_review", args=lambda w: {"pk": w.thread.pk}),
    "reviews:reopen":          Expect(post=(LOGIN,  403,    OK,     OK,      OK,    404),
                                      on="in_review", args=lambda w: {"pk": w.thread.pk}),
    "reviews:approve":         Expect(get=(LOGIN,   405,    405,    405,     405,   405),
                                      post=(LOGIN,  403,    403,    OK,      OK,    404),
                                      on="in_review"),
    "reviews:request-changes": Expect(post=(LOGIN,  403,    403,    OK,      OK,    404),
                                      on="in_review"),
    "reviews:withdraw":        Expect(post=(LOGIN,  403,    403,    OK,      OK,    404),
                                      on="in_review", args=lambda w: {"pk": w.change.pk}),
    # Which right a move needs depends on the target status; with none named it needs "edit".
    "reviews:move":            Expect(post=(LOGIN,  403,    OK,     OK,      OK,    404),
                                      on="in_review"),

    # Upkeep: every member reads the health view and what is due for them; reviewers confirm a
    # decision still valid; anyone who may edit sets a check's state and writes a draft's
    # checklist (empty forms: 422); only admins set the review period.
    "upkeep:mine":             Expect(get=(LOGIN,   200,    200,    200,     200,   200)),
    "upkeep:health":           Expect(get=(LOGIN,   200,    200,    200,     200,   404)),
    "upkeep:period":           Expect(get=(LOGIN,   405,    405,    405,     405,   405),
                                      post=(LOGIN,  403,    403,    403,     422,   404)),
    "upkeep:still-valid":      Expect(get=(LOGIN,   405,    405,    405,     405,   405),
                                      post=(LOGIN,  403,    403,    302,     302,   404),
                                      on="accepted"),
    "upkeep:set-state":        Expect(post=(LOGIN,  403,    422,    422,     422,   404),
                                      on="accepted", args=lambda w: {"pk": item_of(w.accepted)}),
    "upkeep:checklist":        Expect(get=(LOGIN,   403,    200,    200,     200,   404)),
    "upkeep:add-item":         Expect(get=(LOGIN,   405,    405,    405,     405,   405),
                                      post=(LOGIN,  403,    422,    422,     422,   404)),
    "upkeep:save-item":        Expect(post=(LOGIN,  403,    422,    422,     422,   404),
                                      args=lambda w: {"pk": item_of(w.draft)}),
    "upkeep:remove-item":      Expect(post=(LOGIN,  403,    422,    422,     422,   404),
                                      args=lambda w: {"pk": item_of(w.draft)}),

    # Versions: every member reads and downloads them.
    "versions:list":           Expect(get=(LOGIN,   200,    200,    200,     200,   404),
                                      on="accepted"),
    "versions:detail":         Expect(get=(LOGIN,   200,    200,    200,     200,   404),
                                      on="accepted"),
    "versions:diff":           Expect(get=(LOGIN,   200,    200,    200,     200,   404),
                                      on="accepted", query="?a=1&b=1"),
    "versions:markdown":       Expect(get=(LOGIN,   200,    200,    200,     200,   404),
                                      post=(LOGIN,  200,    200,    200,     200,   404),
                                      on="accepted"),
    "versions:pdf":            Expect(get=(LOGIN,   200,    200,    200,     200,   404),
                                      post=(LOGIN,  200,    200,    200,     200,   404),
                                      on="accepted"),

    # People: anyone signed in lists their workspaces and may create one; every member sees
    # the members page, only admins change it or read the audit log. A notification is opened
    # only by its owner (the author here).
    "workspaces:workspaces":       Expect(get=(LOGIN,   200,    200,    200,     200,   200),
                                      post=(LOGIN,  400,    400,    400,     400,   400)),
    "workspaces:members":          Expect(get=(LOGIN,   200,    200,    200,     200,   404),
                                      post=(LOGIN,  405,    405,    405,     405,   405)),
    # Only admins invite (an empty form is a 400) and revoke (no such invitation: 404). The
    # emailed link is open to all, and an unknown token is a 404 for everyone.
    "accounts:invite":           Expect(get=(LOGIN,   405,    405,    405,     405,   405),
                                      post=(LOGIN,  403,    403,    403,     400,   404)),
    "accounts:revoke":           Expect(post=(LOGIN,  403,    403,    403,     404,   404),
                                      args=lambda w: {"pk": 1}),
    "accounts:invitation":       Expect(get=(404,     404,    404,    404,     404,   404),
                                      post=(404,    404,    404,    404,     404,   404),
                                      args=lambda w: {"token": "not-a-token"}),
    "workspaces:change-role":      Expect(get=(LOGIN,   405,    405,    405,     405,   405),
                                      post=(LOGIN,  403,    403,    403,     302,   404),
                                      args=lambda w: {"pk": w.viewer_membership.pk}),
    "workspaces:remove":           Expect(post=(LOGIN,  403,    403,    403,     302,   404),
                                      args=lambda w: {"pk": w.viewer_membership.pk}),
    "workspaces:audit":            Expect(get=(LOGIN,   403,    403,    403,     200,   404)),
    # Only admins change the settings (an empty form is a 400).
    "workspaces:settings":         Expect(get=(LOGIN,   403,    403,    403,     200,   404),
                                      post=(LOGIN,  403,    403,    403,     400,   404)),
    # Docs as code: only admins link the repository or pull (an empty form is a 400).
    "publishing:repository":       Expect(get=(LOGIN,   403,    403,    403,     200,   404),
                                      post=(LOGIN,  403,    403,    403,     400,   404)),
    "publishing:pull":             Expect(get=(LOGIN,   405,    405,    405,     405,   405),
                                      post=(LOGIN,  403,    403,    403,     302,   404)),
    "activity:notifications":    Expect(get=(LOGIN,   200,    200,    200,     200,   200)),
    "activity:read-all":         Expect(get=(LOGIN,   405,    405,    405,     405,   405),
                                      post=(LOGIN,  302,    302,    302,     302,   302)),
    "activity:open":             Expect(post=(LOGIN,  404,    302,    404,     404,   404),
                                      args=lambda w: {"pk": w.notification.pk}),
    # Your own account: everyone signed in (an empty form is a 400).
    "accounts:account":          Expect(get=(LOGIN,   200,    200,    200,     200,   200),
                                      post=(LOGIN,  400,    400,    400,     400,   400)),
    # Password reset is for people who cannot sign in: open to all.
    "accounts:password_reset":   Expect(get=(200,     200,    200,    200,     200,   200),
                                      post=(200,    200,    200,    200,     200,   200)),
    "accounts:password_reset_done": Expect(get=(200,  200,    200,    200,     200,   200)),
    "accounts:password_reset_confirm": Expect(get=(200, 200,  200,    200,     200,   200),
                                      args=lambda w: {"uidb64": "MQ", "token": "not-a-token"}),
    "accounts:password_reset_complete": Expect(get=(200, 200, 200,    200,     200,   200)),
    # Single sign-on: no provider is set up here, so its two pages are not there for anyone
    # (tests/accounts/test_sso.py drives them against a real provider).
    "accounts:oidc-start":       Expect(get=(404,) * 6, post=(405,) * 6),
    "accounts:oidc-callback":    Expect(get=(404,) * 6, post=(405,) * 6),
    # The provider groups that give roles here: admins only (an empty form is a 400).
    "accounts:group-roles":      Expect(get=(LOGIN,   403,    403,    403,     200,   404),
                                      post=(LOGIN,  403,    403,    403,     400,   404)),
    "accounts:remove-group-role": Expect(get=(LOGIN,  405,    405,    405,     405,   405),
                                      post=(LOGIN,  403,    403,    403,     302,   404),
                                      args=lambda w: {"pk": group_role_of(w)}),
}
# fmt: on

# The Django admin's own URLs are not listed one by one: Django guards them all with the same
# staff check, which `admin:index` and test_the_admin_site_is_for_staff stand for.
SKIPPED_NAMESPACES = {"admin"}


def url_patterns(resolver=None, namespace: str = "") -> list[tuple[str, URLPattern]]:
    """(full name, pattern) for every URL pattern, walking included URLconfs."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            found += url_patterns(entry, inner)
        else:
            found.append((f"{namespace}{entry.name or ''}", entry))
    return found


ALL_URLS = url_patterns()


def test_every_url_is_in_the_table():
    missing = [name for name, _ in ALL_URLS if name not in EXPECTED]
    unnamed = [str(pattern.pattern) for name, pattern in ALL_URLS if name.endswith(":") or not name]
    assert not unnamed, f"name these URL patterns: {unnamed}"
    assert not missing, "\n".join(f"add {name} to the table" for name in missing)


def test_the_table_lists_only_urls_that_exist():
    names = {name for name, _ in ALL_URLS} | {"admin:index"}
    stale = sorted(set(EXPECTED) - names)
    assert not stale, f"remove {stale} from the table: no such URL"


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module (about 180 queries) in a transaction rolled back at
    its end. Each test's own transaction nests inside it, as in Django's setUpTestData, so what
    one test changes is gone for the next; the objects themselves are only read."""
    with built_once(django_db_blocker, tmp_path_factory.mktemp("world")):
        yield build_world()


@pytest.fixture
def world(db, shared_world) -> SimpleNamespace:
    return shared_world


def build_world() -> SimpleNamespace:
    """One workspace with a person per role, decisions in each state, and an outsider."""
    team = make_workspace("team")
    roles = {"vic": "viewer", "ada": "author", "rita": "reviewer", "adam": "admin"}
    people = make_team(team, **roles)
    w = SimpleNamespace(workspace=team, users={role: people[name] for name, role in roles.items()})
    w.users["outsider"] = make_team(make_workspace("other"), olga="admin")["olga"]
    author, reviewer, admin = w.users["author"], w.users["reviewer"], w.users["admin"]

    w.draft = draft(team, author, title="A draft")
    w.scenario = w.draft.scenarios.first()
    consideration = Consideration.objects.create(decision=w.draft, title="Authentication")
    w.option = AuthOption.objects.create(consideration=consideration, title="IAM", position=0)

    w.in_review = in_review(team, author, [reviewer, admin], title="In review")
    w.thread = Thread.start(w.in_review, "context", reviewer, "Why now?")
    w.change = open_round(w.in_review).request_changes(reviewer, "Say why.")

    w.accepted, _ = accepted(team, author, reviewer, title="Accepted")
    w.viewer_membership = Membership.objects.get(workspace=team, user=w.users["viewer"])
    w.notification = notify(author, "Rita commented.", url=w.in_review.get_absolute_url())
    w.sessions = {role: session_of(user) for role, user in w.users.items()}
    return w


def session_of(user) -> str:
    """A session cookie of `user`, made once for the module: signing in per request cost a
    tenth of the module's time. Every request below runs in a savepoint rolled back after it,
    so what a request does to its session (a logout, a new key) is undone for the next."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def client_as(w: SimpleNamespace, role: str, **options) -> Client:
    client = Client(**options)
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = w.sessions[role]
    return client


def build_url(name: str, pattern: URLPattern, expect: Expect, w: SimpleNamespace) -> str:
    kwargs = expect.args(w)
    for param in pattern.pattern.regex.groupindex:
        if param in kwargs:
            continue
        if param == "workspace_slug":
            kwargs["workspace_slug"] = w.workspace.slug
        elif param == "number":
            kwargs["number"] = getattr(w, expect.on).number
        elif param == "version":
            kwargs["version"] = 1
        else:
            pytest.fail(f"add {name} to the table: say how to fill <{param}> in its args")
    return reverse(name, kwargs=kwargs) + expect.query


def outcome(response) -> int | str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        if location.split("?")[0] == reverse("login"):
            return LOGIN
    return response.status_code


def matches(expected, got) -> bool:
    if expected == OK:
        # Past the access check means served: a server error is no "OK", whoever gets it.
        return got not in {401, 403, 404, 405, LOGIN, ADMIN_LOGIN} and not (
            isinstance(got, int) and got >= 500
        )
    return expected == got


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_visitor_gets_the_expected_status(world, name):
    patterns = {n: p for n, p in ALL_URLS}
    if name == "admin:index":
        url = reverse(name)
    else:
        url = build_url(name, patterns[name], EXPECTED[name], world)
    wrong = []
    for method in ("get", "post"):
        statuses = getattr(EXPECTED[name], method)
        if statuses is None:
            continue
        for role, expected in zip(ROLES, statuses, strict=True):
            client = client_as(world, role)
            with transaction.atomic():
                got = outcome(getattr(client, method)(url))
                transaction.set_rollback(True)
            if not matches(expected, got):
                wrong.append(f"{method.upper()} {url} as {role}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_the_admin_site_is_for_staff(client, world):
    staff = make_user("stella", is_staff=True, is_superuser=True)
    client.force_login(staff)

    assert client.get(reverse("admin:index")).status_code == 200


def test_every_post_without_a_csrf_token_is_refused(world):
    """A signed-in admin, whose POSTs would otherwise pass, is refused without the token."""
    refused = []
    for name, expect in sorted(EXPECTED.items()):
        # A URL that answers every POST with 405 (the read API) changes nothing to forge.
        if expect.post is None or set(expect.post) == {405}:
            continue
        url = build_url(name, dict(ALL_URLS)[name], expect, world)
        client = client_as(world, "admin", enforce_csrf_checks=True)
        with transaction.atomic():
            response = client.post(url)
            transaction.set_rollback(True)
        if response.status_code != 403 or b"CSRF" not in response.content:
            refused.append(f"POST {url}: {response.status_code}")
    assert not refused, "accepted without a CSRF token:\n" + "\n".join(refused)
