import zipfile

import pytest

from apps.decisions.models import Decision

from .conftest import signed_in

pytestmark = pytest.mark.browser


def test_it_uploads_a_zip_previews_it_and_imports_it(page, live_server, live_example, tmp_path):
    path = tmp_path / "legacy.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number, title in [(7, "Use Kafka for events"), (8, "Keep one Kafka cluster")]:
            archive.writestr(
                f"doc/adr/{number:04d}-{title.lower().replace(' ', '-')}.md",
                f"# {number}. {title}\n\nDate: 2024-05-01\n\n## Status\n\nAccepted\n\n"
                "## Context\n\nWhy.\n\n## Decision\n\nWhat.\n\n## Consequences\n\nSo.\n",
            )
    signed_in(page, live_server)
    page.click("text=Import into Platform Architecture")
    page.set_input_files("#files", str(path))
    page.click("text=Preview the import")

    page.wait_for_url("**/w/platform/import/*/")
    rows = page.locator("table.log tbody tr")
    assert rows.count() == 2
    assert (
        "ADR-0007" in rows.first.inner_text() and "Use Kafka for events" in rows.first.inner_text()
    )
    assert Decision.objects.filter(title__icontains="kafka").count() == 0

    page.click("text=Import 2 decisions")
    page.wait_for_url("**/?workspace=platform")
    assert "Imported 2 decision(s)" in page.locator(".messages").inner_text()
    assert page.locator("td.ref", has_text="ADR-0008").count() == 1
