"""Fault behaviour on a live gunicorn (the Procfile's command, on loopback):

1. the database locked by another session while an editor saves: the save waits
   DB_LOCK_TIMEOUT_MS, answers 503 with the editor's text kept in the page, writes no
   row; "Try again" once the lock is gone saves it exactly once;
2. a brief that exceeds its render time limit (TRACKER_REPORTS_INLINE_TIMEOUT, set to
   1 s here): the reader gets the clear message, the render child is killed, and the
   web processes' memory is the same afterwards.

    python -m bench.load.faults                       # SQLite
    python -m bench.load.faults --database-url postgresql://postgres@127.0.0.1:5432/test

Exit status 1 when any expectation fails. Prints what it measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import json
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from bench.load import loadkit, run

CHECKS: list[tuple[str, bool, str]] = []


def check(what: str, ok: bool, detail: str = "") -> None:
    CHECKS.append((what, ok, detail))
    print(f"  [{'ok' if ok else 'FAIL'}] {what}{': ' + detail if detail else ''}", flush=True)


class Browser:
    """A client with a cookie jar that does not follow redirects (to see the 302)."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *_a: Any, **_kw: Any) -> None:
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def request(
        self, path: str, data: list[tuple[str, str]] | None = None, timeout: float = 120
    ) -> tuple[int, dict[str, str], str, float]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        started = time.monotonic()
        try:
            with self.opener.open(self.base + path, data=body, timeout=timeout) as r:
                status, headers, text = (
                    r.status,
                    dict(r.headers),
                    r.read().decode("utf-8", "replace"),
                )
        except urllib.error.HTTPError as exc:
            status, headers, text = (
                exc.code,
                dict(exc.headers),
                exc.read().decode("utf-8", "replace"),
            )
        return status, headers, text, time.monotonic() - started


def web_rss(sampler_master: int) -> dict[str, Any]:
    """RSS now of gunicorn's master, workers and render servers, and render children alive."""
    import psutil

    root = psutil.Process(sampler_master)
    out: dict[str, Any] = {"web_mib": 0.0, "render_server_mib": 0.0, "renders_alive": 0}
    for p in [root, *root.children(recursive=True)]:
        role = run.classify(p, sampler_master, None)
        try:
            rss = p.memory_info().rss / run.MiB
        except psutil.Error:
            continue
        if role in ("master", "worker"):
            out["web_mib"] += rss
        elif role == "render-server":
            out["render_server_mib"] += rss
        elif role == "render":
            out["renders_alive"] += 1
    out["web_mib"] = round(out["web_mib"], 1)
    out["render_server_mib"] = round(out["render_server_mib"], 1)
    return out


def keep_page(out: Path | None, name: str, html: str) -> None:
    """Save a page for a screenshot; its /static/ links resolve to this checkout's files."""
    if out is not None:
        (out / name).write_text(html.replace('"/static/', f'"{run.ROOT.as_uri()}/static/'))


def lock_fault(
    base: str, env: dict[str, str], account: dict[str, Any], out: Path | None = None
) -> None:
    url = env["TRACKER_DATABASE_URL"]
    rid = account["record_id"]
    b = Browser(base)
    _, _, page, _ = b.request("/login")
    status, _, _, _ = b.request(
        "/login",
        [
            ("csrf_token", loadkit.csrf_token(page, "/login")),
            ("email", account["email"]),
            ("password", account["password"]),
            ("next", ""),
        ],
    )
    check("editor signs in", status == 302, f"status {status}")
    path = f"/measures/{rid}/edit"
    _, _, page, _ = b.request(path)
    marker = f"[load:fault:1:{secrets.token_hex(4)}]"
    fields = loadkit.replace(
        loadkit.form_fields(page, path), description=f"Typed during the lock. {marker}"
    )
    before = run.database_state(env, [rid])[rid]

    if url.startswith("sqlite"):
        locker = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")
        how = "SQLite: another connection holds BEGIN IMMEDIATE"
    else:
        import psycopg

        locker = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        locker.execute("LOCK TABLE records IN ACCESS EXCLUSIVE MODE")
        how = "PostgreSQL: another session holds LOCK TABLE records IN ACCESS EXCLUSIVE MODE"
    print(f"  lock: {how}", flush=True)
    try:
        status, headers, text, seconds = b.request(path, fields)
    finally:
        locker.rollback()
        locker.close()
    check(
        "save under the lock answers 503",
        status == 503,
        f"status {status} after {seconds:.2f} s, Retry-After {headers.get('Retry-After')}",
    )
    check("the page says nothing was saved", "Nothing was saved" in text)
    keep_page(out, "lock-503.html", text)
    kept = dict(loadkit.form_fields(text, path)) if f'action="{path}"' in text else {}
    check(
        "the editor's text is kept in the page",
        marker in kept.get("description", ""),
        kept.get("description", "")[:60],
    )
    after = run.database_state(env, [rid])[rid]
    check(
        "no row written (revisions and text unchanged)",
        after == before,
        f"revisions {len(before['revisions'])} -> {len(after['revisions'])}",
    )

    status, headers, _, seconds = b.request(path, list(loadkit.form_fields(text, path)))
    final = run.database_state(env, [rid])[rid]
    check(
        "'Try again' after the lock is released saves once",
        status == 302
        and len(final["revisions"]) == len(before["revisions"]) + 1
        and loadkit.marker_in(final["description"]) == marker,
        f"status {status} in {seconds:.2f} s, revisions {len(final['revisions'])}",
    )


def render_timeout_fault(
    base: str, master_pid: int, attempts: int, out: Path | None = None
) -> None:
    b = Browser(base)
    b.request("/jurisdictions/DE/brief")  # the web workers have imported everything
    baseline = web_rss(master_pid)
    print(f"  before: {baseline}", flush=True)
    for i in range(attempts):
        as_of = (dt.date(2024, 1, 1) + dt.timedelta(days=i)).isoformat()
        status, headers, text, seconds = b.request(f"/jurisdictions/DE/brief.pdf?as_of={as_of}")
        message = re.search(r"took longer than [^<]*", text)
        keep_page(out, "render-timeout.html", text)
        time.sleep(1.5)
        now = web_rss(master_pid)
        check(
            f"over-long render {i + 1}: clear message, child gone",
            status == 503 and bool(message) and now["renders_alive"] == 0,
            f"status {status} in {seconds:.2f} s, '{message.group(0) if message else text[:80]}', "
            f"{now}",
        )
    time.sleep(2)
    after = web_rss(master_pid)
    print(f"  after: {after}", flush=True)
    check(
        "web processes' memory back to where it was (within 10 MiB)",
        abs(after["web_mib"] - baseline["web_mib"]) < 10,
        f"{baseline['web_mib']} -> {after['web_mib']} MiB",
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--database-url", help="PostgreSQL server for a throw-away database (default: SQLite)"
    )
    ap.add_argument(
        "--render-timeout",
        type=float,
        default=1.0,
        help="seconds a brief may take while a request waits",
    )
    ap.add_argument("--attempts", type=int, default=5, help="over-long renders in a row")
    args = ap.parse_args(argv)

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    out = Path(tempfile.mkdtemp(prefix=f"faults-{stamp}-"))
    url, admin = run.make_database(args.database_url, out, stamp)
    env = {
        **os.environ,
        "PATH": f"{run.BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "TRACKER_ENV": "production",
        "TRACKER_SECRET_KEY": secrets.token_hex(32),
        "TRACKER_DATABASE_URL": url,
        "TRACKER_SESSION_COOKIE_SECURE": "false",
        "TRACKER_REMEMBER_COOKIE_SECURE": "false",
        "TRACKER_REPORTS_CACHE_DIR": str(out / "reports"),
        # every brief renders while the request waits, with a short limit
        "TRACKER_REPORTS_INLINE_SECONDS": "1000",
        "TRACKER_REPORTS_INLINE_TIMEOUT": str(args.render_timeout),
        "WEB_CONCURRENCY": "2",
        "GUNICORN_CMD_ARGS": "--threads 4",
        "PORT": str(run.free_port()),
    }
    env.pop("TRACKER_REDIS_URL", None)
    server = None
    try:
        subprocess.run(
            [str(run.BIN / "flask"), "--app", "tracker", "setup"],
            env=env,
            cwd=run.ROOT,
            check=True,
            stdout=open(out / "setup.log", "w"),
            stderr=subprocess.STDOUT,
        )
        accounts_file, _ = run.prepare(env, 1, out)
        account = json.loads(accounts_file.read_text())[0]
        port = int(env["PORT"])
        command = run.bind_loopback(
            run.procfile_command((run.ROOT / "Procfile").read_text(), "web", env), port
        )
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            command,
            env=env,
            cwd=run.ROOT,
            stdout=open(out / "gunicorn.log", "w"),
            stderr=subprocess.STDOUT,
        )
        run.wait_until_up(base, server)
        print(
            f"gunicorn {' '.join(command)} {env['GUNICORN_CMD_ARGS']} on {url.split(':')[0]}",
            flush=True,
        )
        print("1. database locked while an editor saves (DB_LOCK_TIMEOUT_MS 5000)", flush=True)
        lock_fault(base, env, account, out)
        print(f"2. briefs over their {args.render_timeout:g} s render limit", flush=True)
        render_timeout_fault(base, server.pid, args.attempts, out)
    finally:
        if server and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(40)
        run.drop_database(url, admin)
    failed = [c for c in CHECKS if not c[1]]
    print(f"\n{len(CHECKS) - len(failed)} passed, {len(failed)} failed (logs in {out})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
