"""Reproduce the worker crashes seen under load without gunicorn or Locust: a few
processes each send public page requests through Flask's test client for a bounded time.

    python -m bench.load.crash_repro --processes 3 --seconds 120

``--block markupsafe._speedups,yaml._yaml`` keeps native modules out (to bisect).
``--gc-threshold 10`` makes CPython's automatic collections 70x more frequent than its default
(700), so that one lands inside an allocation far more often: the crash comes within seconds
on CPython 3.11. ``--gc-between-requests`` applies the fix the web workers use
(tracker/gc_guard.py: automatic collection off, a collection after each request when due).
A process that ends with -11 (SIGSEGV) crashed; faulthandler's stack of it is printed.
See bench/load/README.md ("Worker crashes").
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.load import run

URLS = [
    "/",
    "/norms/i",
    "/norms/j",
    "/jurisdictions/DE",
    "/measures/",
    "/measures/1",
    "/measures/5",
    "/compare?j=DE&j=FR&j=US",
    "/search/?q=software",
    "/api/v1/measures",
]


def loop(
    seconds: float, block: list[str], gc_threshold: int = 0, between_requests: bool = False
) -> None:
    import faulthandler
    import gc
    import logging

    faulthandler.enable()
    if gc_threshold:
        gc.set_threshold(gc_threshold)
    for name in block:
        sys.modules[name] = None  # type: ignore[assignment]  # its pure-Python fallback is used
    app = run.app_for(dict(os.environ))
    logging.disable(logging.WARNING)
    if between_requests:
        from tracker import gc_guard

        gc.disable()
    client = app.test_client()
    end, n = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        response = client.get(random.choice(URLS))  # noqa: S311 - choosing pages
        n += 1
        if between_requests:
            gc_guard.collect_if_due()
        if response.status_code != 200:
            print(f"{response.status_code} on {response.request.path}", flush=True)
    print(f"{n} requests, no crash", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--processes", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument(
        "--block",
        default="",
        help="native modules to keep out, comma-separated "
        "(e.g. markupsafe._speedups,yaml._yaml): their pure-Python fallback is used",
    )
    ap.add_argument(
        "--gc-threshold",
        type=int,
        default=0,
        help="CPython's generation-0 collection threshold "
        "(default: leave it at 700); a low value makes the crash far more frequent",
    )
    ap.add_argument(
        "--gc-between-requests",
        action="store_true",
        help="no automatic collection; collect after "
        "each request when due, as the web workers do (tracker/gc_guard.py)",
    )
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        loop(
            args.seconds,
            [b for b in args.block.split(",") if b],
            args.gc_threshold,
            args.gc_between_requests,
        )
        return 0
    if args.processes > 8 or args.seconds > 600:
        ap.error("keep it bounded: at most 8 processes and 600 s")
    out = Path(tempfile.mkdtemp(prefix="crash-repro-"))
    env = {
        **os.environ,
        "TRACKER_ENV": "production",
        "TRACKER_SECRET_KEY": secrets.token_hex(32),
        "TRACKER_DATABASE_URL": f"sqlite:///{out / 'repro.db'}",
        "TRACKER_REPORTS_CACHE_DIR": str(out / "reports"),
    }
    env.pop("TRACKER_REDIS_URL", None)
    subprocess.run(
        [str(run.BIN / "flask"), "--app", "tracker", "setup"],
        env=env,
        cwd=run.ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.load.crash_repro",
                "--child",
                "--seconds",
                str(args.seconds),
                "--block",
                args.block,
                "--gc-threshold",
                str(args.gc_threshold),
            ]
            + (["--gc-between-requests"] if args.gc_between_requests else []),
            env=env,
            cwd=run.ROOT,
            stdout=open(out / f"p{i}.log", "w"),
            stderr=subprocess.STDOUT,
        )
        for i in range(args.processes)
    ]
    crashed = 0
    for i, p in enumerate(procs):
        code = p.wait()
        log = (out / f"p{i}.log").read_text()
        print(f"process {i}: exit {code}: {log.strip().splitlines()[-1] if log.strip() else ''}")
        if code == -11 or "Segmentation fault" in log:
            crashed += 1
            print(
                "\n".join(
                    line
                    for line in log.splitlines()
                    if line.startswith(("Fatal", "Current", "  File", "Extension"))
                )[:3000]
            )
    print(f"{crashed} of {args.processes} processes crashed (logs in {out})")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
