"""The parts of `make hostile` (bench/hostile.py) that decide what is measured and what fails.

Not timed: `make hostile` runs the server and the attacks.
"""

import yaml

from bench import hostile


def test_it_runs_gunicorn_with_the_dockerfiles_workers_and_timeout():
    args, timeout = hostile.dockerfile_gunicorn(8123)

    assert args[:2] == ["--bind", "127.0.0.1:8123"]
    assert "config.wsgi" in args and args[args.index("--workers") + 1] == "3"
    assert timeout == 30 and args[args.index("--timeout") + 1] == "30"
    assert "--access-logfile" not in args and "0.0.0.0:${PORT}" not in " ".join(args)


def test_it_follows_the_timeout_the_environment_gives_the_dockerfile(monkeypatch):
    monkeypatch.setenv("GUNICORN_TIMEOUT", "45")

    args, timeout = hostile.dockerfile_gunicorn(8123)

    assert timeout == 45 and args[args.index("--timeout") + 1] == "45"


def test_it_fails_on_a_5xx_or_a_dropped_connection_but_not_on_a_refusal():
    tally = hostile.Tally()
    for name, status in [("upload", 422), ("upload", 500), ("pdf", 503), ("page", 599)]:
        tally.add(name, status, 0.1)

    assert tally.failures() == ["upload 500 × 1", "pdf 503 × 1", "page 599 × 1"]
    assert tally.failures(hostile.ALLOWED["pdf"]) == ["upload 500 × 1", "page 599 × 1"]


def test_it_takes_the_95th_percentile_and_copes_with_few_answers():
    assert 95 <= hostile.p95_ms([i / 1000 for i in range(1, 101)]) <= 95.1
    assert hostile.p95_ms([30.0]) == 30_000.0
    assert hostile.p95_ms([]) is None


def leaves(value) -> int:
    return sum(leaves(v) for v in value) if isinstance(value, list) else 1


def test_its_hostile_files_are_the_ones_the_issue_names():
    heading = hostile.REDOS_LINE.split(b"\n")[0]
    assert heading.startswith(b"#") and len(heading) > 150_000
    front = hostile.LAUGHS_FILE.split(b"---\n")[1]
    # A plain YAML loader (not ours) expands the aliases: a few hundred bytes, half a million items.
    assert len(front) < 324 and leaves(yaml.safe_load(front)["tags"]) == 9**6
    assert hostile.DEEP_FILE.count(b"[") == 3000 and b"\x00" in hostile.NUL_FILE


def test_every_kind_has_its_attack_and_the_guesses_come_late():
    kinds = list(hostile.KINDS)

    assert len(kinds) == 11 and all(title for title, _, _ in hostile.KINDS.values())
    assert hostile.KINDS["redos"][1] == 3
    assert kinds.index("guesses") > kinds.index("upload")
