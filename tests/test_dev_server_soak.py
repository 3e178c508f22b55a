"""The development server survives a soak (issue 15 item 6): ``make run`` (``flask run``)
segfaulted twice in about 7,000 single-client requests on CPython 3.11 because the
garbage-collection guard (tracker/gc_guard.py) was only installed by gunicorn.conf.py.

A real ``flask run`` process on a file SQLite database with the demo data, one client, a
bounded number of requests (``TRACKER_SOAK_REQUESTS``, default 1,000 in the suite; the issue
note gives a 10,000-request run) over pages that load many ORM objects, within a bounded time
(``TRACKER_SOAK_SECONDS``, default 120: on a busy CI machine the run stops there and reports
how many were sent). Every request must be
answered with a 200 and the server must still be running at the end; the server log must
say the guard is on. The figures are printed (``-s`` shows them) and written to
``soak.txt`` in the test's temporary directory.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from itertools import cycle
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parents[1]
FLASK = [sys.executable, "-m", "flask", "--app", "tracker"]
PATHS = [
    "/",
    "/measures/",
    "/measures/1",
    "/measures/2",
    "/jurisdictions/",
    "/jurisdictions/DE",
    "/norms/",
    "/attributions/",
    "/api/v1/measures",
    "/api/v1/attributions",
    "/changes",
    "/search/?q=cyber",
    "/working-groups/",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise AssertionError(f"flask run exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("flask run did not start listening")


@pytest.mark.slow
def test_flask_run_answers_a_soak_without_crashing(tmp_path: Path) -> None:
    total = int(os.environ.get("TRACKER_SOAK_REQUESTS", "1000"))
    budget = float(os.environ.get("TRACKER_SOAK_SECONDS", "120"))
    env = {
        **os.environ,
        "TRACKER_ENV": "development",
        "TRACKER_SECRET_KEY": TEST_SECRET,
        "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'soak.db'}",
        "TRACKER_REDIS_URL": "",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("TRACKER_GC_BETWEEN_REQUESTS", None)
    setup = subprocess.run(
        [*FLASK, "setup"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert setup.returncode == 0, setup.stdout + setup.stderr
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [*FLASK, "run", "--port", str(port), "--no-reload", "--no-debugger"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    statuses: dict[int, int] = {}
    started = time.monotonic()
    answered = 0
    try:
        wait_for(port, server)
        paths = cycle(PATHS)
        for _ in range(total):
            if time.monotonic() - started > budget:
                break
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", next(paths), headers={"Accept": "text/html"})
            response = connection.getresponse()
            response.read()
            connection.close()
            statuses[response.status] = statuses.get(response.status, 0) + 1
            answered += 1
        alive = server.poll() is None
    finally:
        seconds = time.monotonic() - started
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        output = (tmp_path / "server.log").read_text(errors="replace")
        figures = (
            f"soak: {answered} of {total} requests answered in {seconds:.1f} s "
            f"({answered / max(seconds, 0.001):.1f}/s), statuses {statuses}, "
            f"server exit code {server.returncode}"
        )
        print("\n" + figures)
        (tmp_path / "soak.txt").write_text(figures + "\n")
    assert alive, output[-3000:]
    assert answered > 0
    assert set(statuses) == {200}, statuses
    assert "Segmentation fault" not in output and "Traceback" not in output, output[-3000:]
    assert "cyclic garbage collected between requests" in output
