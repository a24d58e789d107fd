"""The benchmark floor: the least a page can cost through the same server, middleware and templates.

Served only when ADROIT_BENCH is on (`make bench` sets it); see bench/run.py and docs/benchmarks.md.
It renders a page of the size asked for (the size of a decision page) in the frame every page
wears (base.html: header, signed-in user, unread count) and touches nothing else.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

LINE = "A trivial page of the same size as the decision page, rendered by the same stack.\n"
MAX_BYTES = 4 * 1024 * 1024
TEMPLATE = "core/bench_floor.html"
_frame: dict[str, int] = {}


@require_GET
def floor(request: HttpRequest) -> HttpResponse:
    try:
        size = min(max(int(request.GET.get("bytes", "20000")), 0), MAX_BYTES)
    except ValueError:
        size = 20000
    # The frame's own bytes count towards the size asked for; measured once per process so that
    # the floor renders once per request, like the pages it is compared with.
    frame = _frame.get("bytes")
    if frame is None:
        frame = _frame["bytes"] = len(render(request, TEMPLATE, {"filler": ""}).content)
    filler = (LINE * (size // len(LINE) + 1))[: max(size - frame, 0)]
    return render(request, TEMPLATE, {"filler": filler})
