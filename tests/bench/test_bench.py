"""The benchmark harness on tiny N: seeding and the report. Not timed; `make bench` times."""

import json
from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from apps.core.bench import floor
from apps.core.markdown import _render, render_markdown
from apps.decisions.models import Decision
from apps.formats.writers import write_madr
from bench import report
from bench.seed import WORKSPACES, generate_record, seed


def test_it_seeds_decisions_of_about_two_pages_with_a_full_matrix(db):
    assert seed(4) == 4
    assert seed(6) == 2  # tops up to the total, never duplicates
    decisions = list(Decision.objects.with_record().order_by("id"))
    assert len(decisions) == 6
    assert {d.workspace.slug for d in decisions} == {slug for slug, _ in WORKSPACES}
    for decision in decisions:
        record = decision.to_record()
        assert 3 <= len(record.scenarios) <= 6
        options = record.considerations[0].options
        assert 3 <= len(options) <= 5
        for option in options:
            assert [cell.scenario for cell in option.support] == [s.title for s in record.scenarios]
            assert all(cell.level != "unknown" for cell in option.support)
        assert record.consequences and record.references
        assert len(write_madr(record).split()) > 900  # about two printed pages


def test_it_generates_the_same_record_for_the_same_index():
    assert generate_record(41) == generate_record(41)
    assert generate_record(41).title != generate_record(42).title


def test_it_takes_percentiles_between_ranks():
    assert report.percentile([], 95) is None
    assert report.percentile([10.0], 95) == 10.0
    assert report.percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50) == 3.0
    assert report.percentile([0.0, 100.0], 95) == 95.0


def _report(floor_p95: float, page_p95: float, errors: int = 0) -> dict:
    rows = [
        report.with_floor(report.summarize("floor", 100, [floor_p95], 0, 1.0, kind="floor"), 5.0),
        report.with_floor(report.summarize("log", 100, [page_p95], errors, 1.0), floor_p95),
        report.missing("search", 100, "no search URL yet"),
    ]
    return {"machine": {"cpu_count": 2}, "database": "sqlite", "results": rows}


def test_it_writes_the_results_shaped_as_the_issue_asks(tmp_path):
    latest, dated = report.write_results(_report(5.0, 9.0), tmp_path, date(2026, 11, 24))
    assert dated.name == "2026-11-24-sqlite.json"
    data = json.loads(latest.read_text())
    assert data == json.loads(dated.read_text())
    assert set(data) >= {"machine", "database", "results"}
    log = data["results"][1]
    assert {k: log[k] for k in ("name", "n", "p95_ms", "errors", "floor_p95_ms", "ratio")} == {
        "name": "log",
        "n": 100,
        "p95_ms": 9.0,
        "errors": 0,
        "floor_p95_ms": 5.0,
        "ratio": 1.8,
    }


def test_it_marks_each_budget_met_missed_or_missing():
    met, slow, failing = _report(5.0, 9.0), _report(5.0, 11.0), _report(5.0, 9.0, errors=1)
    assert report.budget(met["results"][1], "sqlite")[0] == "met"
    assert report.budget(slow["results"][1], "sqlite")[0] == "missed"
    assert report.budget(failing["results"][1], "sqlite")[0] == "missed"
    assert report.budget(met["results"][2], "sqlite") == ("missing", "no search URL yet")


def test_it_gives_the_cause_beside_a_missed_budget_only():
    met, slow = report.table(_report(5.0, 9.0)), report.table(_report(5.0, 11.0))
    log_met = next(line for line in met.splitlines() if line.startswith("| log |"))
    log_slow = next(line for line in slow.splitlines() if line.startswith("| log |"))
    assert log_met.endswith("| **met** |  |")
    assert log_slow.endswith(f"| **missed** | {report.CAUSES['log']} |")
    assert report.cause({"name": "search"}, "sqlite") == report.CAUSES[("search", "sqlite")]
    assert report.cause({"name": "save"}, "postgresql") == report.CAUSES["save"]


def test_it_replaces_only_its_own_section_of_the_doc(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nWritten by hand.\n")
    report.update_doc(doc, _report(5.0, 9.0))
    report.update_doc(doc, _report(5.0, 11.0))
    text = doc.read_text()
    assert text.count("<!-- bench:sqlite:start -->") == 1
    assert "Written by hand." in text
    assert "| log | 100 | — | 11.0 |" in text and "**missed**" in text


def test_it_serves_the_floor_at_the_size_asked_and_only_when_benchmarking(db):
    request = RequestFactory().get("/bench/floor/", {"bytes": "5000"})
    request.user = AnonymousUser()
    response = floor(request)
    assert response.status_code == 200
    assert 4900 < len(response.content) < 5100
    assert b"<header" in response.content
    try:
        reverse("bench-floor")
    except NoReverseMatch:
        pass
    else:
        raise AssertionError("the floor page must not be served without ADROIT_BENCH=1")


def test_it_converts_a_markdown_text_once_and_serves_it_again():
    text = "# A heading only this test uses\n\n<script>alert(1)</script> *kept*"
    first = render_markdown(text)
    hits = _render.cache_info().hits
    assert render_markdown(text) == first
    assert _render.cache_info().hits == hits + 1
    assert "<script>" not in first and "<em>kept</em>" in first


def test_it_compares_a_page_with_the_floor_measured_in_the_same_seconds():
    plan = {"name": "log", "floor": "/bench/floor/?bytes=100"}
    data = {
        "times_ms": [30.0, 40.0],
        "errors": 0,
        "seconds": 1.0,
        "statuses": {"200": 2},
        "floor_times_ms": [10.0, 20.0],
        "floor_errors": 0,
    }
    row = report.scenario_row(plan, 100, data)
    assert (row["floor_measured"], row["floor_requests"]) == ("interleaved", 2)
    assert row["floor_p95_ms"] == 19.5
    assert row["ratio"] == round(39.5 / 19.5, 2)
