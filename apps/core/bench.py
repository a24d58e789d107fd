"""The benchmark floor: the least a page can cost through the same server, middleware and templates.

Served only when ADROIT_BENCH is on (`make bench` sets it); see bench/run.py and docs/benchmarks.md.
It renders a template of the size asked for (the size of a decision page) and touches no database.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

LINE = "A trivial page of the same size as the decision page, rendered by the same stack.\n"
MAX_BYTES = 4 * 1024 * 1024


@require_GET
def floor(request: HttpRequest) -> HttpResponse:
    try:
        size = min(max(int(request.GET.get("bytes", "20000")), 0), MAX_BYTES)
    except ValueError:
        size = 20000
    filler = (LINE * (size // len(LINE) + 1))[:size]
    return render(request, "core/bench_floor.html", {"filler": filler})
