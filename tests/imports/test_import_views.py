"""Importing on the web: upload, see what will be created, confirm; nothing before that."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.activity.models import AuditEvent
from apps.decisions.models import Decision, Relation
from apps.imports.models import PendingImport

from ..factories import make_decision
from .test_import import nygard


def zip_file(name: str, files: dict[str, bytes]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, body in files.items():
            archive.writestr(member, body)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/zip")


def folder_zip() -> SimpleUploadedFile:
    return zip_file(
        "adr.zip",
        {
            "adr/0001-use-mysql.md": nygard(1, "Use MySQL", "Superseded"),
            "adr/0002-use-postgresql.md": nygard(
                2, "Use PostgreSQL", "Accepted", "Supersedes [1. Use MySQL](0001-use-mysql.md)\n\n"
            ),
        },
    )


def test_it_previews_then_imports_on_confirmation(author_client, workspace, author):
    response = author_client.post("/w/team/import/", {"format": "auto", "files": [folder_zip()]})
    assert response.status_code == 302
    assert Decision.objects.count() == 0  # nothing before the confirmation

    preview = author_client.get(response["Location"]).content.decode()
    assert "ADR-0002" in preview and "Use PostgreSQL" in preview
    assert "Relation: <code>adr/0002-use-postgresql.md</code> supersedes" in preview

    pending = PendingImport.objects.get()
    done = author_client.post(f"/w/team/import/{pending.pk}/confirm/")
    assert done.status_code == 302 and done["Location"] == "/?workspace=team"
    assert sorted(Decision.objects.values_list("number", "status")) == [
        (1, "superseded"),
        (2, "elsewhere"),
    ]
    assert Relation.objects.get().kind == "supersedes"
    assert not PendingImport.objects.exists()
    assert AuditEvent.objects.filter(verb="imported", actor=author).exists()


def test_it_shows_the_problems_and_keeps_nothing(author_client, workspace):
    upload = zip_file("evil.zip", {"../0001-a.md": nygard(1, "A")})
    response = author_client.post("/w/team/import/", {"format": "auto", "files": [upload]})

    assert response.status_code == 422
    page = response.content.decode()
    assert "Nothing was imported." in page and "evil.zip: unsafe paths in the zip" in page
    assert not PendingImport.objects.exists() and Decision.objects.count() == 0


def test_it_refuses_a_file_over_the_limit_before_reading_it(author_client, workspace, settings):
    settings.ADROIT_IMPORT_MAX_FILE_MB = 0.001
    big = SimpleUploadedFile("0001-big.md", nygard(1, "Big") + b"x" * 5000)

    response = author_client.post("/w/team/import/", {"format": "auto", "files": [big]})

    assert response.status_code == 422
    assert "0001-big.md: 5,1" in response.content.decode()


def test_it_plans_again_on_confirmation(author_client, workspace):
    response = author_client.post("/w/team/import/", {"format": "auto", "files": [folder_zip()]})
    pending = PendingImport.objects.get()
    make_decision(workspace, "Meanwhile", number=2)  # someone took number 2 since the preview

    author_client.post(f"/w/team/import/{pending.pk}/confirm/")

    assert response.status_code == 302
    assert Decision.objects.get(title="Use PostgreSQL").number == 3
    relation = Relation.objects.get()
    assert (relation.source.title, relation.target.title) == ("Use PostgreSQL", "Use MySQL")
