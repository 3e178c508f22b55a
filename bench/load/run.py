"""Load test driver: a fresh database, gunicorn as the Procfile starts it, Locust headless,
memory sampled every quarter second, then a check that no confirmed save was lost.

    python -m bench.load.run                      # SQLite, 20 users, 60 s
    python -m bench.load.run --database-url postgresql://postgres@127.0.0.1:5432/test \
        --redis-url redis://127.0.0.1:6379/5 --cold 24

Everything runs on 127.0.0.1 and stops by itself (users and time are bounded). The exit
status is 1 when any response was a 5xx or any confirmed save is missing from the database.
See bench/load/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import json
import os
import re
import secrets
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load import loadkit  # noqa: E402

MiB = 1024 * 1024
EDITOR_PASSWORD_BYTES = 18


# --------------------------------------------------------------------------- helpers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def procfile_command(procfile: str, process: str, env: dict[str, str]) -> list[str]:
    """The Procfile line for ``process``, with ${VAR:-default} expanded from ``env``."""
    for line in procfile.splitlines():
        name, sep, command = line.partition(":")
        if sep and name.strip() == process:
            expanded = re.sub(
                r"\$\{(\w+)(?::-([^}]*))?\}",
                lambda m: env.get(m.group(1)) or (m.group(2) or ""),
                command.strip(),
            )
            return shlex.split(expanded)
    raise KeyError(f"no {process!r} process in the Procfile")


def bind_loopback(argv: list[str], port: int) -> list[str]:
    """The same command bound to 127.0.0.1:<port> (the load never leaves loopback)."""
    out = list(argv)
    for i, arg in enumerate(out):
        if arg == "--bind" and i + 1 < len(out):
            out[i + 1] = f"127.0.0.1:{port}"
            return out
        if arg.startswith("--bind="):
            out[i] = f"--bind=127.0.0.1:{port}"
            return out
    return [*out, "--bind", f"127.0.0.1:{port}"]


def mib(n: float) -> float:
    return round(n / MiB, 1)


# --------------------------------------------------------------------------- memory


def classify(proc: Any, master_pid: int, rq_pid: int | None) -> str:
    """master, worker, rq-worker, render-server (forkserver), render (a brief's child), other."""
    try:
        cmd = " ".join(proc.cmdline())
        parent = proc.ppid()
    except Exception:  # noqa: BLE001 - the process ended between listing and reading
        return "gone"
    if proc.pid == master_pid:
        return "master"
    if proc.pid == rq_pid:
        return "rq-worker"
    if parent == master_pid:
        return "worker"
    try:
        pcmd = " ".join(proc.parent().cmdline())
    except Exception:  # noqa: BLE001
        pcmd = ""
    # Render children are forked (not exec'd) from the fork server: same command line,
    # so they are told apart by their parent.
    if "forkserver" in pcmd:
        return "render"
    if "forkserver" in cmd:
        return "render-server"
    return "other"


class Sampler(threading.Thread):
    """RSS of gunicorn's master, workers, render server(s) and render children, 4x a second."""

    def __init__(self, master_pid: int, rq_pid: int | None = None, interval: float = 0.25):
        super().__init__(daemon=True)
        self.master_pid, self.rq_pid, self.interval = master_pid, rq_pid, interval
        self.stop_event = threading.Event()
        self.rss: dict[tuple[str, int], list[int]] = defaultdict(list)
        #: (time, renders alive, total RSS of every process) per sample
        self.timeline: list[tuple[float, int, int]] = []

    def run(self) -> None:
        import psutil

        roots = [psutil.Process(self.master_pid)] + (
            [psutil.Process(self.rq_pid)] if self.rq_pid else []
        )
        while not self.stop_event.is_set():
            renders = total = 0
            for root in roots:
                try:
                    procs = [root, *root.children(recursive=True)]
                except psutil.NoSuchProcess:
                    continue
                for p in procs:
                    role = classify(p, self.master_pid, self.rq_pid)
                    try:
                        rss = p.memory_info().rss
                    except psutil.Error:
                        continue
                    if role == "gone":
                        continue
                    self.rss[(role, p.pid)].append(rss)
                    total += rss
                    renders += role == "render"
            self.timeline.append((time.time(), renders, total))
            self.stop_event.wait(self.interval)

    def window(self, start: float, end: float) -> dict[str, Any]:
        rows = [t for t in self.timeline if start <= t[0] <= end]
        if not rows:
            return {"samples": 0}
        totals = [t[2] for t in rows]
        return {
            "samples": len(rows),
            "max_renders_at_once": max(t[1] for t in rows),
            "total_rss_mib": {
                "min": mib(min(totals)),
                "median": mib(statistics.median(totals)),
                "max": mib(max(totals)),
            },
        }

    def report(self) -> dict[str, Any]:
        processes = []
        renders: list[int] = []
        for (role, pid), values in sorted(self.rss.items()):
            if role == "render":
                renders.append(max(values))
                continue
            processes.append(
                {
                    "role": role,
                    "pid": pid,
                    "samples": len(values),
                    "rss_mib": {
                        "min": mib(min(values)),
                        "median": mib(statistics.median(values)),
                        "max": mib(max(values)),
                    },
                }
            )
        return {
            "processes": processes,
            "render_children_seen": len(renders),
            "render_child_peak_rss_mib": mib(max(renders)) if renders else 0,
            "max_renders_at_once": max((t[1] for t in self.timeline), default=0),
        }


# --------------------------------------------------------------------------- database


def make_database(url: str | None, workdir: Path, stamp: str) -> tuple[str, str | None]:
    """(url of a fresh database, admin url to drop it with, or None for SQLite)."""
    if not url:
        return f"sqlite:///{workdir / 'load.db'}", None
    import sqlalchemy as sa

    from tracker.config import normalise_database_url

    admin = normalise_database_url(url)
    name = f"tracker_load_{stamp}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return sa.engine.make_url(admin).set(database=name).render_as_string(hide_password=False), admin


def drop_database(url: str, admin: str | None) -> None:
    if admin is None:
        return
    import sqlalchemy as sa

    name = sa.engine.make_url(url).database
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


def app_for(env: dict[str, str]) -> Any:
    import logging

    from tracker import create_app

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    return create_app(
        {
            "ENV": "production",
            "SECRET_KEY": env["TRACKER_SECRET_KEY"],
            "DATABASE_URL": env["TRACKER_DATABASE_URL"],
            "SQLALCHEMY_DATABASE_URI": None,
            "REDIS_URL": env.get("TRACKER_REDIS_URL"),
            "REPORTS_PRERENDER": False,
        }
    )


def load_test_measure(n: int) -> dict[str, Any]:
    """A throw-away draft measure for editor n (never published; the database is dropped)."""
    return {
        "jurisdiction_code": "DE",
        "title_original": f"Load test measure {n}",
        "title_lang": "en",
        "title_en": None,
        "short_name": f"LOAD{n}",
        "type": "law",
        "issuing_body": "Load test",
        "status": "in_force",
        "status_note": None,
        "official_identifier": None,
        "official_url": None,
        "description": f"Initial text of load test measure {n}.",
        "verification": "unverified",
        "verification_note": None,
        "events": [{"kind": "adopted", "date": "2024-01-15", "note": None}],
        "sources": [
            {"url": "https://example.org/source", "title": "Example source", "accessed": None}
        ],
        "topics": ["sbom"],
        "relations": [],
        "mappings": [
            {
                "norm": "i",
                "commitment": None,
                "locator": "Art. 1",
                "rationale": "Load test",
                "basis": "inferred",
            }
        ],
    }


def prepare(env: dict[str, str], editors: int, workdir: Path) -> tuple[Path, Path]:
    """Editor accounts with one measure each, and the public targets; returns both files."""
    import sqlalchemy as sa

    from tracker.accounts import passwords
    from tracker.accounts.models import Role, User
    from tracker.extensions import db
    from tracker.measures.models import Measure
    from tracker.records import changes
    from tracker.records.models import RecordKind
    from tracker.records.queries import visible

    app = app_for(env)
    accounts = []
    with app.app_context():
        for n in range(1, editors + 1):
            password = secrets.token_urlsafe(EDITOR_PASSWORD_BYTES)
            user = User(
                email=f"load-editor{n}@example.org",
                name=f"Load editor {n}",
                role=Role.EDITOR,
                password_hash=passwords.hash_password(password),
            )
            db.session.add(user)
            db.session.flush()
            record = changes.create(RecordKind.MEASURE, load_test_measure(n), author_id=user.id)
            db.session.commit()
            accounts.append({"email": user.email, "password": password, "record_id": record.id})
        measures = list(db.session.scalars(visible(Measure).with_only_columns(Measure.record_id)))
        codes = sorted(
            set(
                db.session.scalars(
                    visible(Measure).with_only_columns(Measure.jurisdiction_code).distinct()
                )
            )
        )
        letters = list(db.session.scalars(sa.text("SELECT letter FROM norms ORDER BY letter")))
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    accounts_file, targets_file = workdir / "accounts.json", workdir / "targets.json"
    accounts_file.write_text(json.dumps(accounts))
    accounts_file.chmod(0o600)
    targets_file.write_text(
        json.dumps(
            {
                "measures": measures,
                "jurisdictions": codes,
                "norms": letters,
                "queries": [
                    "software",
                    "supply chain",
                    "vulnerability",
                    "SBOM",
                    "procurement",
                    "attribution",
                ],
            }
        )
    )
    return accounts_file, targets_file


def database_state(env: dict[str, str], record_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Current description and every revision's description of the load measures."""
    import sqlalchemy as sa

    from tracker.extensions import db
    from tracker.records import services as records
    from tracker.records.models import Record, Revision

    app = app_for(env)
    state: dict[int, dict[str, Any]] = {}
    with app.app_context():
        for rid in record_ids:
            record = db.session.get(Record, rid)
            if record is None:
                continue
            copy = records.working_copy(record)
            revisions = db.session.scalars(
                sa.select(Revision.snapshot)
                .where(Revision.record_id == rid)
                .order_by(Revision.number)
            ).all()
            state[rid] = {
                "description": copy.description if copy else None,
                "revisions": [(s or {}).get("description") for s in revisions],
            }
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()
    return state


# --------------------------------------------------------------------------- HTTP


def fetch(url: str, timeout: float = 120, follow_progress: bool = True) -> tuple[int, float, int]:
    """GET ``url`` as a browser would, following 202 progress pages: (status, seconds, 202s)."""
    started, progress = time.monotonic(), 0
    while True:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - loopback only
                status, headers = r.status, r.headers
                r.read()
        except urllib.error.HTTPError as exc:
            status, headers = exc.code, exc.headers
        if status != 202 or not follow_progress or time.monotonic() - started > timeout:
            return status, time.monotonic() - started, progress
        progress += 1
        time.sleep(loadkit.refresh_seconds(headers))


def wait_until_up(base: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(base + "/", timeout=5) as r:  # noqa: S310 - loopback only
                if r.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer within a minute")


def cold_burst(base: str, n: int, codes: list[str]) -> dict[str, Any]:
    """``n`` uncached briefs at once (distinct as-of dates), each followed to its PDF."""
    urls = []
    start_day = dt.date(2025, 1, 1)
    for i in range(n):
        code = codes[i % len(codes)]
        urls.append(
            f"{base}/jurisdictions/{code}/brief.pdf"
            f"?as_of={(start_day + dt.timedelta(days=i)).isoformat()}"
        )
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
        for status, seconds, progress in pool.map(lambda u: fetch(u, timeout=300), urls):
            results.append((status, seconds, progress))
    statuses: dict[str, int] = defaultdict(int)
    for status, _, _ in results:
        statuses[str(status)] += 1
    times = sorted(r[1] for r in results)
    return {
        "requests": n,
        "statuses": dict(statuses),
        "followed_202": sum(r[2] for r in results),
        "p50_s": round(loadkit.percentile(times, 0.5), 2),
        "max_s": round(times[-1], 2) if times else 0,
    }


# --------------------------------------------------------------------------- report


def table(results: dict[str, Any]) -> str:
    lines = []
    load = results.get("load", {})
    lines.append(
        f"{'group':<14}{'requests':>9}{'rps':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
        f"{'fail':>6}{'5xx':>5} "
        " statuses"
    )
    for name, row in [*load.get("groups", {}).items(), ("TOTAL", load.get("total", {}))]:
        if not row:
            continue
        statuses = " ".join(f"{k}:{v}" for k, v in row["statuses"].items())
        lines.append(
            f"{name:<14}{row['requests']:>9}{row['rps']:>8}{row['p50_ms']:>9}"
            f"{row['p95_ms']:>9}{row['max_ms']:>9}{row['failures']:>6}{row['5xx']:>5} "
            f" {statuses}"
        )
    mem = results.get("memory", {})
    lines.append("")
    lines.append("memory (RSS MiB)      min  median     max")
    for p in mem.get("processes", []):
        r = p["rss_mib"]
        lines.append(f"  {p['role']:<14}{p['pid']:>7} {r['min']:>6} {r['median']:>7} {r['max']:>7}")
    lines.append(
        f"  render children seen: {mem.get('render_children_seen', 0)}, at most "
        f"{mem.get('max_renders_at_once', 0)} at once, "
        f"peak {mem.get('render_child_peak_rss_mib', 0)} MiB each"
    )
    for phase in ("during_load", "during_cold", "after"):
        w = results.get("memory_windows", {}).get(phase)
        if w and w.get("samples"):
            t = w["total_rss_mib"]
            lines.append(
                f"  all processes {phase:<12} min {t['min']} median {t['median']} max "
                f"{t['max']} MiB; renders at once <= {w['max_renders_at_once']}"
            )
    cold = results.get("cold")
    if cold:
        lines.append("")
        lines.append(
            f"cold burst: {cold['requests']} uncached briefs at once -> "
            f"{cold['statuses']}, 202s followed {cold['followed_202']}, "
            f"p50 {cold['p50_s']} s, slowest {cold['max_s']} s"
        )
    s = results.get("saves", {})
    lines.append("")
    lines.append(
        f"saves confirmed {s.get('confirmed', 0)}, lost {s.get('lost', 0)}, conflicts "
        f"(409) {s.get('conflicts', 0)}, "
        f"503 {s.get('503', 0)}, other failures {s.get('other', 0)}"
    )
    for problem in s.get("problems", [])[:20]:
        lines.append(f"  ! {problem}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--database-url",
        help="PostgreSQL server to create a throw-away database on (default: SQLite)",
    )
    ap.add_argument(
        "--redis-url",
        help="Redis for rate limits, the brief cache and jobs (use a db number other than 0)",
    )
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--spawn-rate", type=float, default=5)
    ap.add_argument("--run-time", default="60s")
    ap.add_argument(
        "--editors", type=int, default=4, help="Editor users (one account and one measure each)"
    )
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    ap.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    ap.add_argument(
        "--wait", default="0.2,1.0", help="seconds between a reader's requests: min,max"
    )
    ap.add_argument(
        "--cold", type=int, default=0, help="after the run: this many uncached briefs at once"
    )
    ap.add_argument("--out", type=Path, help="folder for results (default: a new temporary folder)")
    args = ap.parse_args(argv)
    if args.users > 200 or args.cold > 60:
        ap.error("keep it bounded: at most 200 users and 60 cold briefs")

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    out = args.out or Path(tempfile.mkdtemp(prefix=f"load-{stamp}-"))
    out.mkdir(parents=True, exist_ok=True)
    url, admin = make_database(args.database_url, out, stamp)
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "TRACKER_ENV": "production",
        "TRACKER_SECRET_KEY": secrets.token_hex(32),
        "TRACKER_DATABASE_URL": url,
        # Plain HTTP on loopback: a Secure cookie would never be sent back by the client.
        "TRACKER_SESSION_COOKIE_SECURE": "false",
        "TRACKER_REMEMBER_COOKIE_SECURE": "false",
        "TRACKER_REPORTS_CACHE_DIR": str(out / "reports"),
        "TRACKER_REPORTS_REDIS_PREFIX": f"tracker:load{stamp}:reports:",
        "TRACKER_REPORTS_QUEUE": f"tracker-reports-load{stamp}",
        "TRACKER_LOGIN_THROTTLE_PREFIX": f"tracker:load{stamp}:login-failures:",
        "TRACKER_RATELIMIT_KEY_PREFIX": f"tracker-load{stamp}",
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_CMD_ARGS": f"--threads {args.threads}",
        "PORT": str(free_port()),
        # a crashed worker leaves the Python stack of every thread in gunicorn.log
        "PYTHONFAULTHANDLER": "1",
    }
    env.pop("TRACKER_REDIS_URL", None)
    if args.redis_url:
        env["TRACKER_REDIS_URL"] = args.redis_url
    results: dict[str, Any] = {
        "settings": {k: v for k, v in vars(args).items() if k != "out"}
        | {"database": url.split(":")[0]}
    }
    server = rq = sampler = None
    exit_code = 0
    try:
        t0 = time.monotonic()
        subprocess.run(
            [str(BIN / "flask"), "--app", "tracker", "setup"],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=open(out / "setup.log", "w"),
            stderr=subprocess.STDOUT,
        )
        accounts_file, targets_file = prepare(env, args.editors, out)
        print(
            f"setup: {time.monotonic() - t0:.1f} s ({url.split(':')[0]}, {args.editors} editors)",
            flush=True,
        )

        procfile = (ROOT / "Procfile").read_text()
        port = int(env["PORT"])
        command = bind_loopback(procfile_command(procfile, "web", env), port)
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            command,
            env=env,
            cwd=ROOT,
            stdout=open(out / "gunicorn.log", "w"),
            stderr=subprocess.STDOUT,
        )
        if args.redis_url:
            rq = subprocess.Popen(
                procfile_command(procfile, "worker", env),
                env=env,
                cwd=ROOT,
                stdout=open(out / "rq-worker.log", "w"),
                stderr=subprocess.STDOUT,
            )
        wait_until_up(base, server)
        print(
            f"gunicorn: {' '.join(command)} {env['GUNICORN_CMD_ARGS']} (pid {server.pid})",
            flush=True,
        )
        sampler = Sampler(server.pid, rq.pid if rq else None)
        sampler.start()

        warm = {}
        for path in (
            "/jurisdictions/DE/brief.pdf",
            "/compare.pdf?j=DE&j=FR&j=US",
            "/norms/i/brief.pdf",
        ):
            status, seconds, progress = fetch(base + path)
            warm[path] = {
                "status": status,
                "seconds": round(seconds, 2),
                "progress_pages": progress,
            }
        results["warm_up"] = warm
        print(f"warm-up: {warm}", flush=True)

        saves_file, results_file = out / "saves.jsonl", out / "locust.json"
        load_env = {
            **env,
            "LOAD_ACCOUNTS": str(accounts_file),
            "LOAD_TARGETS": str(targets_file),
            "LOAD_SAVES": str(saves_file),
            "LOAD_RESULTS": str(results_file),
            "LOAD_WAIT": args.wait,
        }
        started = time.time()
        locust = subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench/load/locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate),
                "--run-time",
                args.run_time,
                "--stop-timeout",
                "30",
                "--host",
                base,
                "--csv",
                str(out / "locust"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env=load_env,
            cwd=ROOT,
            stdout=open(out / "locust.log", "w"),
            stderr=subprocess.STDOUT,
            timeout=3600,
        )
        ended = time.time()
        results["memory_windows"] = {"during_load": sampler.window(started, ended)}
        if not results_file.exists():
            raise SystemExit(
                f"locust wrote no results (exit {locust.returncode}); see {out / 'locust.log'}"
            )
        results["load"] = json.loads(results_file.read_text())

        if args.cold:
            codes = json.loads(targets_file.read_text())["jurisdictions"]
            c0 = time.time()
            results["cold"] = cold_burst(base, args.cold, codes)
            results["memory_windows"]["during_cold"] = sampler.window(c0, time.time())
        time.sleep(3)  # render children exit; memory settles
        results["memory_windows"]["after"] = sampler.window(time.time() - 2.5, time.time())
    finally:
        if sampler:
            sampler.stop_event.set()
            sampler.join(5)
            results["memory"] = sampler.report()
        for proc in (rq, server):
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(40)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()

    try:
        saves = loadkit.read_saves(out / "saves.jsonl")
        accounts = json.loads((out / "accounts.json").read_text())
        problems = loadkit.lost_saves(
            saves, database_state(env, [a["record_id"] for a in accounts])
        )
        counts = results.get("load", {}).get("counts", {})
        results["saves"] = {
            "confirmed": len(saves),
            "lost": sum("lost" in p for p in problems),
            "problems": problems,
            "conflicts": counts.get("conflicts", 0),
            "503": counts.get("save_503", 0),
            "other": counts.get("save_other", 0),
        }
    finally:
        if args.redis_url:
            clear_redis(args.redis_url, stamp)
        drop_database(url, admin)

    (out / "summary.json").write_text(json.dumps(results, indent=1))
    print(table(results))
    print(f"\nresults in {out}")
    server_errors = results.get("load", {}).get("total", {}).get("5xx", 0)
    if server_errors or results["saves"]["problems"]:
        exit_code = 1
        print(
            f"FAIL: {server_errors} responses were 5xx; "
            f"{len(results['saves']['problems'])} save problems"
        )
    return exit_code


def clear_redis(url: str, stamp: str) -> None:
    """Remove this run's keys (brief cache, job states, queue, login counters) only."""
    from redis import Redis

    r = Redis.from_url(url)
    for pattern in (
        f"tracker:load{stamp}:*",
        f"*tracker-load{stamp}*",
        f"rq:*tracker-reports-load{stamp}*",
    ):
        for key in r.scan_iter(pattern):
            r.delete(key)


if __name__ == "__main__":
    sys.exit(main())
