"""The provider's groups mapped to workspace roles (apps.accounts.models.apply_group_roles), on a
real database."""

from __future__ import annotations

import pytest

from apps.accounts.models import GrantedMembership, GroupRole, apply_group_roles
from apps.workspaces.models import Membership

from ..factories import add_member, make_user, make_workspace

pytestmark = pytest.mark.django_db


def roles_of(user) -> dict[str, str]:
    return dict(Membership.objects.filter(user=user).values_list("workspace__slug", "role"))


def test_it_creates_the_memberships_the_groups_map_to():
    platform, payments = make_workspace("platform"), make_workspace("payments")
    GroupRole.objects.create(group="architects", workspace=platform, role="author")
    GroupRole.objects.create(group="payments-leads", workspace=payments, role="reviewer")
    GroupRole.objects.create(group="nobody-here", workspace=payments, role="admin")
    ada = make_user("ada")

    apply_group_roles(ada, ["architects", "payments-leads", "staff"])

    assert roles_of(ada) == {"platform": "author", "payments": "reviewer"}
    assert GrantedMembership.objects.filter(membership__user=ada).count() == 2


def test_it_gives_the_highest_role_of_several_groups():
    platform = make_workspace("platform")
    GroupRole.objects.create(group="staff", workspace=platform, role="viewer")
    GroupRole.objects.create(group="architects", workspace=platform, role="reviewer")
    ada = make_user("ada")

    apply_group_roles(ada, ["staff", "architects"])

    assert roles_of(ada) == {"platform": "reviewer"}


def test_it_updates_a_role_the_mapping_gave_when_the_mapping_changes():
    platform = make_workspace("platform")
    mapping = GroupRole.objects.create(group="architects", workspace=platform, role="author")
    ada = make_user("ada")
    apply_group_roles(ada, ["architects"])
    mapping.role = "reviewer"
    mapping.save()

    apply_group_roles(ada, ["architects"])

    assert roles_of(ada) == {"platform": "reviewer"}
    assert GrantedMembership.objects.get().role == "reviewer"


def test_it_removes_a_membership_the_mapping_gave_and_gives_no_more():
    platform = make_workspace("platform")
    GroupRole.objects.create(group="architects", workspace=platform, role="author")
    ada = make_user("ada")
    apply_group_roles(ada, ["architects"])
    assert roles_of(ada) == {"platform": "author"}

    apply_group_roles(ada, ["staff"])  # left the group at the provider

    assert roles_of(ada) == {}
    assert not GrantedMembership.objects.exists()


def test_it_never_changes_or_removes_a_membership_added_by_hand():
    platform, payments = make_workspace("platform"), make_workspace("payments")
    docs = make_workspace("docs")
    GroupRole.objects.create(group="architects", workspace=platform, role="admin")
    GroupRole.objects.create(group="architects", workspace=docs, role="author")
    ada = make_user("ada")
    add_member(platform, ada, "viewer")
    add_member(payments, ada, "author")

    apply_group_roles(ada, ["architects"])
    assert roles_of(ada) == {"platform": "viewer", "payments": "author", "docs": "author"}
    apply_group_roles(ada, [])

    assert roles_of(ada) == {"platform": "viewer", "payments": "author"}


def test_a_role_changed_by_hand_becomes_the_admins():
    platform = make_workspace("platform")
    GroupRole.objects.create(group="architects", workspace=platform, role="author")
    ada = make_user("ada")
    apply_group_roles(ada, ["architects"])
    Membership.objects.filter(user=ada).update(role="reviewer")  # an admin, on the members page

    apply_group_roles(ada, ["architects"])
    apply_group_roles(ada, [])

    assert roles_of(ada) == {"platform": "reviewer"}
    assert not GrantedMembership.objects.exists()


def test_it_keeps_the_last_admin_of_a_workspace():
    platform = make_workspace("platform")
    GroupRole.objects.create(group="architects", workspace=platform, role="admin")
    ada = make_user("ada")
    apply_group_roles(ada, ["architects"])

    apply_group_roles(ada, [])

    assert roles_of(ada) == {"platform": "admin"}


def test_it_asks_the_same_number_of_queries_whatever_the_other_groups_and_workspaces(
    django_assert_max_num_queries,
):
    ada = make_user("ada")
    for n in range(30):
        workspace = make_workspace(f"w{n}")
        GroupRole.objects.create(group=f"team-{n}", workspace=workspace, role="viewer")
    platform = make_workspace("platform")
    GroupRole.objects.create(group="architects", workspace=platform, role="author")
    apply_group_roles(ada, ["architects"])

    # Read the mapping, read the memberships, and the savepoint's two statements: nothing
    # changes, nothing more is asked, however many other groups there are.
    with django_assert_max_num_queries(4):
        apply_group_roles(ada, ["architects", "staff"])
