"""The load: locust users that sign in, then repeat one scenario as fast as the server answers.

bench/run.py writes a plan (JSON, named by BENCH_PLAN) and runs `locust --headless` on this file:
    {"name": "decision page", "expect": 200, "username": ..., "password": ...,
     "requests": [{"method": "GET", "path": "/w/platform/3/"}, ...],        # cycled by every user
     "per_user": [{"page": "/w/.../edit/problem/", "path": ".../save_part/problem/",
                   "data": {...}, "vary": "context", "revision": 4}, ...],   # one per user (POSTs)
     "floor": "/bench/floor/?bytes=16000",                                   # optional
     "out": "/tmp/times.json"}
Each user times its own requests (time.perf_counter around the whole exchange, body included) and
the times, errors and statuses go to "out" when the run stops. Anything but `expect` is an error.

With "floor", each user alternates a floor request and a scenario request, so the floor is
measured over the same seconds, through the same busy server, as the scenario: a machine that
gets busier or quieter during a run moves both, and their ratio stays about what the app costs.
Its times go to "floor_times_ms", apart.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import time
from collections import Counter

from locust import FastHttpUser, constant, events, task

PLAN = json.loads(open(os.environ["BENCH_PLAN"]).read())  # noqa: SIM115, PTH123
USERS = itertools.count()
TIMES: list[float] = []
FLOOR_TIMES: list[float] = []
STATUSES: Counter = Counter()
FLOOR_STATUSES: Counter = Counter()
SPAN = {"first": None, "last": None}
SIZE = {"bytes": 0}
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REVISION = re.compile(r'name="revision" value="(\d+)"')


@events.quitting.add_listener
def _write(environment, **kwargs):
    seconds = (SPAN["last"] - SPAN["first"]) if SPAN["first"] is not None else 0.0
    errors = sum(count for status, count in STATUSES.items() if status != str(PLAN["expect"]))
    floor_errors = sum(count for status, count in FLOOR_STATUSES.items() if status != "200")
    with open(PLAN["out"], "w") as out:  # noqa: PTH123
        json.dump(
            {
                "times_ms": TIMES,
                "errors": errors,
                "statuses": STATUSES,
                "seconds": seconds,
                "mean_bytes": SIZE["bytes"] // max(len(TIMES), 1),
                "floor_times_ms": FLOOR_TIMES,
                "floor_errors": floor_errors,
            },
            out,
        )


class Bench(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.index = next(USERS)
        page = self.client.get("/login/", name="setup").text
        token = CSRF_FIELD.search(page).group(1)
        self.client.post(
            "/login/",
            data={
                "username": PLAN["username"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": token,
            },
            name="setup",
        )
        self.edits = 0
        self.cursor = self.index * 7
        # Half the users start with the floor, so at any moment both are in flight.
        self.turn = self.index % 2
        self.target = None
        if PLAN.get("per_user"):
            self.target = dict(PLAN["per_user"][self.index % len(PLAN["per_user"])])
            self._read_form()

    def _read_form(self) -> None:
        """The token and the current revision, as the author's browser has them on the page."""
        page = self.client.get(self.target["page"], name="setup").text
        self.token = CSRF_FIELD.search(page).group(1)
        found = REVISION.search(page)
        if found:
            self.target["revision"] = int(found.group(1))

    @task
    def step(self) -> None:
        self.turn += 1
        if PLAN.get("floor") and self.turn % 2:
            self._timed("GET", PLAN["floor"], floor=True)
        elif self.target:
            self._post()
        else:
            step = PLAN["requests"][self.cursor % len(PLAN["requests"])]
            self.cursor += 1
            self._timed("GET", step["path"])

    def _post(self) -> None:
        self.edits += 1
        data = dict(self.target["data"])
        data[self.target["vary"]] = f"{data[self.target['vary']]} Edit {self.index}-{self.edits}."
        data["revision"] = str(self.target["revision"])
        data["csrfmiddlewaretoken"] = self.token
        response = self._timed(
            "POST",
            self.target["path"],
            data=data,
            headers={"HX-Request": "true", "X-CSRFToken": self.token},
        )
        if response is None:
            return
        trigger = response.headers.get("HX-Trigger")
        if response.status_code == 200 and trigger:
            self.target["revision"] = json.loads(trigger)["adroit:revision"]["value"]
        elif response.status_code != PLAN["expect"]:
            self._read_form()

    def _timed(self, method: str, path: str, floor: bool = False, **kwargs):
        name, expect = ("floor", 200) if floor else (PLAN["name"], PLAN["expect"])
        start = time.perf_counter()
        with self.client.request(
            method, path, name=name, catch_response=True, allow_redirects=False, **kwargs
        ) as response:
            body = response.content  # read it all: the time includes the whole page
            end = time.perf_counter()
            status = response.status_code
            if status == expect and body is not None:
                response.success()
            else:
                response.failure(f"status {status}")
        if SPAN["first"] is None:
            SPAN["first"] = start
        if start - SPAN["first"] > PLAN.get("seconds", float("inf")):
            return response  # past the measured window (locust runs on to allow for sign-in)
        if floor:
            FLOOR_TIMES.append((end - start) * 1000)
            FLOOR_STATUSES[str(status)] += 1
            return response
        SPAN["last"] = end
        TIMES.append((end - start) * 1000)
        SIZE["bytes"] += len(body or b"")
        STATUSES[str(status)] += 1
        return response
