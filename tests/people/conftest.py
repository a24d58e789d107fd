import pytest

from apps.workspaces.models import Membership

from ..factories import make_team, make_workspace


@pytest.fixture
def team(workspace) -> dict:
    """A workspace with one person per role, and an outsider who is admin elsewhere."""
    team = {
        "workspace": workspace,
        **make_team(workspace, vic="viewer", ada="author", rita="reviewer", adam="admin"),
        **make_team(make_workspace("other"), olga="admin"),
    }
    # The member pages change and remove memberships: these two are the ones they act on.
    for name in ["vic", "adam"]:
        team[f"{name}_membership"] = Membership.objects.get(workspace=workspace, user=team[name])
    return team
