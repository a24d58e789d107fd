"""Where a page's time goes: its queries, their time, and the rest (Python and templates).

Run after `make bench` (its database holds the largest N), in-process with Django's test client
signed in as the bench user, DEBUG off:

    .venv/bin/python bench/profile.py                       # the log, a decision, a search
    .venv/bin/python bench/profile.py /search/?q=kafka --queries 5 --explain
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/adroit_bench .venv/bin/python bench/profile.py

For each URL: the median of --repeat requests, the SQL part of it, the number of queries and, with
--queries N, the N slowest; --explain prints PostgreSQL's EXPLAIN ANALYZE of the slowest.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", nargs="*")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--queries", type=int, default=0, help="show the N slowest queries")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest")
    args = parser.parse_args(argv)

    from bench.run import database_url

    os.environ["DATABASE_URL"] = database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "0"
    os.environ["ALLOWED_HOSTS"] = "*"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.decisions.models import Decision
    from bench.seed import bench_user

    user, workspaces = bench_user()
    client = Client()
    client.force_login(user)
    first = Decision.objects.filter(workspace__in=workspaces).order_by("id").first()
    if first is None:
        sys.exit("The bench database is empty: run `make bench` first.")
    urls = args.urls or ["/", "/?workspace=payments", first.get_absolute_url(), "/search/?q=kafka"]
    print(f"{connection.vendor}, {Decision.objects.count():,} decisions")
    for url in urls:
        client.get(url)  # warm: templates, caches, search documents
        totals, sql, captured = [], [], []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                status = client.get(url).status_code
                totals.append((time.perf_counter() - start) * 1000)
            sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
            captured = queries.captured_queries
        print(
            f"{url} ({status}): median {statistics.median(totals):.1f} ms, of which SQL "
            f"{statistics.median(sql):.1f} ms in {len(captured)} queries"
        )
        slowest = sorted(captured, key=lambda q: -float(q["time"]))
        for q in slowest[: args.queries]:
            print(f"    {float(q['time']) * 1000:7.1f} ms  {q['sql'][:160]}")
        if args.explain and slowest and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest[0]["sql"])
                print("\n".join("    " + row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
