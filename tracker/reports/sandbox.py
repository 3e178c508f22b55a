"""Each PDF is laid out in a child process with a time limit and a memory limit.

Children are forked from a fork server that has WeasyPrint and the fonts loaded
(tracker.reports.warmup), so a child starts in milliseconds, holds no database
connection and no thread of the web process. The child caps its address space
(RLIMIT_AS) and CPU time; the parent waits at most ``timeout`` seconds and then kills
it. Either way the child's memory goes back to the system when it exits, so a
pathological record costs one failed brief, never a web or job worker.
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
import threading
import time
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("tracker.reports.sandbox")

_lock = threading.Lock()
_context: Any = None


class RenderError(RuntimeError):
    """The brief could not be produced; the message can be shown to the reader."""


class RenderTimeout(RenderError):
    pass


@dataclass
class Limits:
    timeout: float = 120.0
    memory_mb: int = 2048


def _ctx() -> Any:
    global _context
    with _lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["tracker.reports.warmup", "tracker.reports.pdf"])
            _context = ctx
        return _context


def _child(
    conn: Any, html: str, static_folder: str, memory_mb: int, cpu_seconds: int, variant: str
) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    # The parent logs refusals and failures; keep WeasyPrint's own warnings out of stderr.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("tracker.reports.fetcher").setLevel(logging.ERROR)
    try:
        from tracker.reports.pdf import html_to_pdf

        pdf, refused = html_to_pdf(html, static_folder, variant)
        conn.send(("ok", pdf, refused))
    except MemoryError:
        conn.send(("error", f"the brief needed more than {memory_mb} MiB of memory", []))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which logs it
        message = f"{type(exc).__name__}: {exc}"
        if "Cannot allocate memory" in message or "failed to map" in message:
            message = f"the brief needed more than {memory_mb} MiB of memory"
        conn.send(("error", message[:500], []))
    finally:
        conn.close()


def render(html: str, static_folder: str, limits: Limits, variant: str = "ua") -> bytes:
    """Lay ``html`` out in a sandboxed child; raises RenderTimeout or RenderError."""
    ctx = _ctx()
    started = time.monotonic()
    receiver, sender = ctx.Pipe(duplex=False)
    cpu = int(limits.timeout) + 5
    proc = ctx.Process(
        target=_child,
        args=(sender, html, static_folder, limits.memory_mb, cpu, variant),
        daemon=True,
    )
    proc.start()
    sender.close()
    result = None
    try:
        if not receiver.poll(limits.timeout):
            raise RenderTimeout(
                f"the brief took longer than {limits.timeout:g} seconds to lay out and was stopped"
            )
        try:
            result = receiver.recv()
        except EOFError:
            raise RenderError(
                "the render process ended without a result (probably out of memory)"
            ) from None
    finally:
        # A child that answered exits by itself; one that did not is killed now.
        proc.join(1 if result is not None else 0)
        if proc.is_alive():
            proc.kill()
            proc.join(5)
        receiver.close()
        log.info(
            "brief render pid=%s exit=%s %.2fs", proc.pid, proc.exitcode, time.monotonic() - started
        )
    status, payload, refused = result
    for url in refused:
        log.warning(
            "refused to fetch %s while rendering a brief (only the static folder is served)",
            url[:200],
        )
    if status != "ok":
        log.error("brief render failed: %s", payload)
        raise RenderError(payload)
    return payload
