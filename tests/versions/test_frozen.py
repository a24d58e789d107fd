"""A version never changes and is never deleted: not by the ORM, the admin, or SQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from apps.versions.models import Version, VersionIsFrozen

from ..reviews.helpers import accepted


@pytest.fixture
def version(people):
    return accepted(people["workspace"], people["ada"], people["rita"])[1]


def test_it_refuses_save(version):
    version.markdown = "# Something else\n"
    with pytest.raises(VersionIsFrozen):
        version.save()
    assert Version.objects.get().markdown != "# Something else\n"


def test_it_refuses_delete(version):
    with pytest.raises(VersionIsFrozen):
        version.delete()
    assert Version.objects.count() == 1


def test_it_refuses_queryset_update_and_delete(version):
    with pytest.raises(VersionIsFrozen):
        Version.objects.filter(pk=version.pk).update(sha256="0" * 64)
    with pytest.raises(VersionIsFrozen):
        Version.objects.all().delete()
    with pytest.raises(VersionIsFrozen), transaction.atomic():
        Version.objects.bulk_update([version], ["sha256"])
    assert Version.objects.get().sha256 == version.sha256


def test_it_refuses_raw_sql_update(version):
    with pytest.raises(DatabaseError, match="frozen"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE versions_version SET markdown = %s WHERE id = %s", ["forged", version.pk]
            )
    assert Version.objects.get().markdown == version.markdown


def test_it_refuses_raw_sql_delete(version):
    with pytest.raises(DatabaseError, match="frozen"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM versions_version WHERE id = %s", [version.pk])
    assert Version.objects.filter(pk=version.pk).exists()


def test_it_protects_the_decision_that_has_versions(version):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        version.decision.delete()


def test_it_shows_versions_read_only_in_the_admin(version, client, people):
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk=people["adam"].pk).update(is_staff=True, is_superuser=True)
    client.force_login(people["adam"])
    url = f"/admin/versions/version/{version.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="markdown"' not in page.content.decode()
    assert client.post(url, {"markdown": "forged"}).status_code == 403
    delete = f"/admin/versions/version/{version.pk}/delete/"
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get("/admin/versions/version/add/").status_code == 403
    assert Version.objects.get().markdown == version.markdown


def test_it_shows_the_status_read_only_in_the_decision_admin(version, client, people):
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk=people["adam"].pk).update(is_staff=True, is_superuser=True)
    client.force_login(people["adam"])
    page = client.get(f"/admin/decisions/decision/{version.decision.pk}/change/")
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
