"""Load scenario for the Cyber Norms Tracker: readers, PDF downloads and editors saving.

Run it through the driver (``python -m bench.load.run``), which sets up a database, the
accounts and gunicorn, and passes these environment variables:

LOAD_TARGETS   JSON file:
               {"measures": [ids], "jurisdictions": [...], "norms": [...], "queries": [...]}
LOAD_ACCOUNTS  JSON file: [{"email", "password", "record_id"}, ...], one per Editor user
LOAD_SAVES     JSON-lines file the Editor users append each confirmed save to
LOAD_RESULTS   JSON file written when the test stops: every sample, summarised per group
LOAD_WAIT      "min,max" seconds between a reader's requests (default "0.2,1.0")

Requests are named "<group>: <endpoint>" so the driver can report per group.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import sys
import threading
import time
import uuid
from pathlib import Path

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.load import loadkit  # noqa: E402

TARGETS = {
    "measures": [],
    "jurisdictions": ["DE", "FR", "US"],
    "norms": ["i", "j"],
    "queries": ["software", "supply chain", "vulnerability", "SBOM"],
}
if os.environ.get("LOAD_TARGETS"):
    TARGETS.update(json.loads(Path(os.environ["LOAD_TARGETS"]).read_text()))
ACCOUNTS = (
    json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text())
    if os.environ.get("LOAD_ACCOUNTS")
    else []
)
WAIT = tuple(float(x) for x in os.environ.get("LOAD_WAIT", "0.2,1.0").split(","))

#: (name, response ms, status, failed) of every request, for the driver's table
SAMPLES: list[tuple[str, float, int, bool]] = []
COUNTS = {
    "saves_confirmed": 0,
    "conflicts": 0,
    "save_503": 0,
    "save_other": 0,
    "progress_followed": 0,
}
_started = [time.time()]
_lock = threading.Lock()


@events.test_start.add_listener
def _on_start(**_kw: object) -> None:
    _started[0] = time.time()


@events.request.add_listener
def _on_request(
    name: str,
    response_time: float,
    response: object = None,
    exception: object = None,
    **_kw: object,
) -> None:
    status = getattr(response, "status_code", 0) or 0
    SAMPLES.append((name, float(response_time), int(status), exception is not None))


@events.test_stop.add_listener
def _on_stop(**_kw: object) -> None:
    path = os.environ.get("LOAD_RESULTS")
    if not path:
        return
    seconds = time.time() - _started[0]
    result = loadkit.summarise(SAMPLES, seconds)
    result["counts"] = COUNTS
    Path(path).write_text(json.dumps(result, indent=1))


class PublicVisitor(HttpUser):
    """A reader: home, norms, a country, the measures list and pages, compare, search, API."""

    weight = 6
    wait_time = between(*WAIT)

    def _get(self, url: str, name: str) -> None:
        self.client.get(url, name=name)

    @task(2)
    def home(self) -> None:
        self._get("/", "public: /")

    @task(2)
    def norm(self) -> None:
        self._get(f"/norms/{_pick(TARGETS['norms'])}", "public: /norms/[letter]")

    @task(2)
    def jurisdiction(self) -> None:
        self._get(
            f"/jurisdictions/{_pick(TARGETS['jurisdictions'])}", "public: /jurisdictions/[code]"
        )

    @task(2)
    def measures(self) -> None:
        self._get("/measures/", "public: /measures/")

    @task(3)
    def measure(self) -> None:
        if TARGETS["measures"]:
            self._get(f"/measures/{_pick(TARGETS['measures'])}", "public: /measures/[id]")

    @task(1)
    def compare(self) -> None:
        self._get("/compare?j=DE&j=FR&j=US", "public: /compare?j=DE&j=FR&j=US")

    @task(2)
    def search(self) -> None:
        self.client.get(
            "/search", params={"q": _pick(TARGETS["queries"])}, name="search: /search?q="
        )

    @task(2)
    def api(self) -> None:
        self._get("/api/v1/measures", "api: /api/v1/measures")


BRIEFS = ("/jurisdictions/DE/brief.pdf", "/compare.pdf?j=DE&j=FR&j=US", "/norms/i/brief.pdf")


class BriefDownloader(HttpUser):
    """A diplomat downloading the standard briefs (cached after the driver's warm-up).

    A 202 is the progress page of a background render: counted as "pdf-progress" and
    followed after its Refresh delay, as a browser would, up to two minutes."""

    weight = 3
    wait_time = between(*WAIT)

    @task
    def download(self) -> None:
        url = _pick(BRIEFS)
        name = "pdf: " + url.split("?")[0]
        deadline = time.monotonic() + 120
        while True:
            with self.client.get(url, name=name, catch_response=True) as r:
                if r.status_code == 202:
                    r.request_meta["name"] = "pdf-progress: " + url.split("?")[0]
                    r.success()
                    wait = loadkit.refresh_seconds(r.headers)
                elif (
                    r.status_code == 200
                    and r.headers.get("Content-Type", "").startswith("application/pdf")
                    and r.content[:5] == b"%PDF-"
                ):
                    r.success()
                    return
                else:
                    r.failure(f"{r.status_code} {r.headers.get('Content-Type', '')}")
                    return
            with _lock:
                COUNTS["progress_followed"] += 1
            if time.monotonic() + wait > deadline:
                return
            time.sleep(wait)


_accounts = itertools.count()


class Editor(HttpUser):
    """Policy staff: sign in through the form, then open and save their own measure.

    Each save changes the description to a unique marker; a 302 to the history page is a
    confirmed save, appended to LOAD_SAVES so the driver can find every one in the database.
    A 409 (someone else saved first) is a conflict, counted, not an error."""

    weight = 1
    fixed_count = len(ACCOUNTS)
    wait_time = between(1.0, 3.0)

    def on_start(self) -> None:
        self.account = ACCOUNTS[next(_accounts) % len(ACCOUNTS)]
        self.record_id = int(self.account["record_id"])
        self.seq = 0
        page = self.client.get("/login", name="login: /login (form)")
        token = loadkit.csrf_token(page.text, "/login")
        with self.client.post(
            "/login",
            name="login: /login",
            allow_redirects=False,
            catch_response=True,
            data={
                "csrf_token": token,
                "email": self.account["email"],
                "password": self.account["password"],
                "next": "",
            },
        ) as r:
            if r.status_code != 302:
                r.failure(f"sign-in answered {r.status_code}")

    @task
    def save(self) -> None:
        path = f"/measures/{self.record_id}/edit"
        page = self.client.get(path, name="edit-open: /measures/[id]/edit")
        if page.status_code != 200:
            return
        self.seq += 1
        marker = f"[load:{self.account['email'].split('@')[0]}:{self.seq}:{uuid.uuid4().hex[:8]}]"
        fields = loadkit.replace(
            loadkit.form_fields(page.text, path),
            description=f"Text saved by the load test. {marker}",
        )
        with self.client.post(
            path,
            data=fields,
            name="edit-save: /measures/[id]/edit",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            location = r.headers.get("Location", "")
            if r.status_code == 302 and re.search(
                rf"/measures/{self.record_id}/history$", location
            ):
                r.success()
                self._confirmed(marker)
            elif r.status_code == 409:
                r.success()
                with _lock:
                    COUNTS["conflicts"] += 1
            elif r.status_code == 503:
                r.failure("503: database busy (nothing saved)")
                with _lock:
                    COUNTS["save_503"] += 1
            else:
                r.failure(f"save answered {r.status_code} {location}")
                with _lock:
                    COUNTS["save_other"] += 1

    def _confirmed(self, marker: str) -> None:
        line = json.dumps(
            {
                "record_id": self.record_id,
                "marker": marker,
                "editor": self.account["email"],
                "seq": self.seq,
            }
        )
        with _lock:
            COUNTS["saves_confirmed"] += 1
            if os.environ.get("LOAD_SAVES"):
                with open(os.environ["LOAD_SAVES"], "a") as f:
                    f.write(line + "\n")


if not ACCOUNTS:
    Editor.abstract = True  # no accounts given: readers and downloads only


def _pick(values: list[str] | tuple[str, ...]) -> str:
    import random

    return str(random.choice(values))  # noqa: S311 - choosing pages, not secrets
