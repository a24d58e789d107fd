import pytest
from django.db import transaction
from django.forms.models import model_to_dict

from apps.authoring.management.commands.load_kits import load_kits
from apps.authoring.models import Kit

from ..factories import add_member, make_user


@pytest.fixture(scope="session")
def kit_fields(django_db_setup, django_db_blocker) -> list[dict]:
    """The kits as load_kits makes them of fixtures/kits, read once for the run: parsing their
    YAML takes about 0.2 s, and some sixty tests start from a kit."""
    with django_db_blocker.unblock(), transaction.atomic():
        fields = [model_to_dict(kit, exclude=["id"]) for kit in load_kits()]
        transaction.set_rollback(True)
    return fields


@pytest.fixture
def kits(db, kit_fields):
    return {row["slug"]: Kit.objects.create(**row) for row in kit_fields}


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
