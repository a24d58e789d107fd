"""Small, explicit test data: plain functions, no fixtures files."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from apps.decisions.models import (
    AuthOption,
    Consideration,
    Decision,
    Scenario,
    ScenarioPoint,
    Support,
)
from apps.workspaces.models import Membership, Workspace

PASSWORD = "correct horse battery staple"


def make_user(username: str = "ada", **extra):
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


def make_workspace(slug: str = "team", name: str | None = None) -> Workspace:
    return Workspace.objects.create(slug=slug, name=name or slug.title())


def add_member(workspace: Workspace, user, role: str = "author") -> Membership:
    return Membership.objects.create(workspace=workspace, user=user, role=role)


def make_team(workspace: Workspace, *, first_names: bool = False, **roles: str) -> dict:
    """One person per keyword, named by it, member of `workspace` in the role it gives:
    `make_team(workspace, ada="author", rita="reviewer")` -> {"ada": <User ada>, "rita": ...}.

    Each has an address, so emails to them can be checked. Pages and messages name a person by
    first name when there is one: `first_names` gives each their username, capitalised.
    """
    people = {}
    for name, role in roles.items():
        first_name = name.title() if first_names else ""
        people[name] = make_user(name, email=f"{name}@example.com", first_name=first_name)
        add_member(workspace, people[name], role)
    return people


def make_decision(workspace: Workspace, title: str = "Use PostgreSQL", **fields) -> Decision:
    fields.setdefault("number", Decision.next_number(workspace))
    return Decision.objects.create(workspace=workspace, title=title, **fields)


def make_matrix(decision: Decision, scenarios: int, options: int) -> None:
    """A decision with `scenarios` x `options` assessed cells and a pro per scenario."""
    rows = [
        Scenario.objects.create(decision=decision, title=f"Scenario {i}", position=i)
        for i in range(scenarios)
    ]
    for row in rows:
        ScenarioPoint.objects.create(scenario=row, kind="good", text=f"{row.title} is simple")
    consideration = Consideration.objects.create(
        decision=decision, title="Authentication", is_open=False
    )
    for j in range(options):
        option = AuthOption.objects.create(
            consideration=consideration, title=f"Option {j}", position=j
        )
        Support.objects.bulk_create(
            Support(option=option, scenario=row, level="supported") for row in rows
        )
