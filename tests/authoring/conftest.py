import pytest

from apps.authoring.management.commands.load_kits import load_kits
from apps.authoring.models import Kit

from ..factories import add_member, make_user


@pytest.fixture
def kits(db):
    return {kit.slug: kit for kit in load_kits()}


@pytest.fixture
def gateway(kits, workspace, author):
    """The API gateway decision, started from its kit by the author."""
    return Kit.objects.get(slug="api-gateway").start(workspace, owner=author)


@pytest.fixture
def viewer_client(client, workspace):
    user = make_user("vic")
    add_member(workspace, user, "viewer")
    client.force_login(user)
    return client
