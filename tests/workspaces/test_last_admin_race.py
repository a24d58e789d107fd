"""Two admins demoting each other at the same moment still leave the workspace one admin.

Not wrapped in a test transaction: each thread commits through its own connection, as requests do.
"""

import pytest
from django.core.exceptions import ValidationError

from apps.workspaces.members import change_role, remove_member
from apps.workspaces.models import Membership

from ..factories import add_member, make_user, make_workspace
from ..threads import at_once


@pytest.mark.django_db(transaction=True)
def test_two_admins_stepping_down_at_once_leave_one():
    for n in range(5):
        workspace = make_workspace(f"race{n}")
        a = add_member(workspace, make_user(f"a{n}"), "admin")
        b = add_member(workspace, make_user(f"b{n}"), "admin")

        errors = at_once(
            [
                lambda a=a: change_role(a, "viewer", by=a.user),
                lambda b=b: remove_member(b, by=b.user),
            ]
        )

        assert len(errors) == 1 and isinstance(errors[0], ValidationError), errors
        assert Membership.objects.filter(workspace=workspace, role="admin").count() == 1
