"""Streamed exports kept as files per data version, day and address.

A full export at 40,000 measures is 50-100 MB and takes a worker 15-30 s to write. What an
anonymous reader downloads from one address cannot change until the site's publication stamp
or the day moves (``tracker.pagecache.address_key``), so the first download writes the file
it streams beside the stream (a ``.part`` file renamed into place only when the last byte
was written: a download cut short leaves nothing), and the next readers get that file from
disk, with ``Range`` and ``If-None-Match`` support, in constant memory.

Only readers without a session are served or recorded (staff may ask for drafts). The folder
is bounded: after each new file, the least recently written files go until the folder holds
at most ``EXPORT_CACHE_MAX_BYTES``; files of earlier data versions are never asked for again
and go first.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from flask import Response, current_app, send_file

from tracker import pagecache

log = logging.getLogger(__name__)


def _folder() -> Path:
    config = current_app.config
    return Path(config.get("EXPORT_CACHE_DIR") or Path(current_app.instance_path) / "exports")


def enabled() -> bool:
    return bool(current_app.config.get("EXPORT_CACHE", not current_app.testing))


def key_path(fmt: str) -> Path | None:
    """Where this request's export is kept, or None when it is not (a signed-in reader, or the
    cache is off)."""
    if not enabled() or not pagecache.anonymous():
        return None
    from tracker.opendata import codebook

    # the files outlive the process (a restart, a release): a release that changes the
    # columns bumps the codebook's version, and must not be served the previous files
    key = hashlib.sha256(f"{pagecache.address_key()}|{codebook.VERSION}".encode()).hexdigest()
    return _folder() / f"{key}.{fmt}"


def kept_file(path: Path | None, content_type: str) -> Response | None:
    """The kept export at ``path`` as a response, if it was written."""
    if path is None or not path.is_file():
        return None
    try:
        response = send_file(path, conditional=True, etag=True)
    except FileNotFoundError:  # removed by another worker's bound since is_file()
        return None
    response.headers["Content-Type"] = content_type
    response.headers["X-Page-Cache"] = "hit"
    return response


def tee(body: Iterator[bytes], path: Path) -> Iterator[bytes]:
    """Yield ``body`` and write it to ``path``; the file appears only once it is whole.

    The file is a cache: when it cannot be written (a read-only or full disk), the reader
    still gets every byte, and nothing is kept."""
    part = path.with_name(f"{path.name}.{uuid.uuid4().hex}.part")
    out = None
    try:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            out = part.open("wb")
        except OSError:
            log.warning("export not kept: cannot write %s", part, exc_info=True)
        for chunk in body:
            if out is not None:
                try:
                    out.write(chunk)
                except OSError:
                    log.warning("export not kept: cannot write %s", part, exc_info=True)
                    out.close()
                    out = None
                    with contextlib.suppress(OSError):
                        part.unlink(missing_ok=True)
            yield chunk
        if out is not None:
            try:
                out.close()
                out = None
                os.replace(part, path)
                _bound(path.parent, int(current_app.config["EXPORT_CACHE_MAX_BYTES"]))
            except OSError:
                log.warning("export not kept: cannot keep %s", path, exc_info=True)
    finally:
        if out is not None:  # the reader went away (or the body failed) before the end
            out.close()
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)


def put(path: Path, data: bytes) -> None:
    """Keep an export built whole (XLSX) at ``path``."""
    tee_done = tee(iter([data]), path)
    for _chunk in tee_done:
        pass


#: a ``.part`` file older than this was left by a worker that died while writing it
#: (gunicorn's timeout, an out-of-memory kill): no export takes this long to stream
ABANDONED_SECONDS = 6 * 3600


def _bound(folder: Path, max_bytes: int) -> None:
    """Remove the least recently written exports until the folder holds ``max_bytes``, and
    the ``.part`` files of writers that died (never renamed, never counted otherwise)."""
    files = []
    abandoned = time.time() - ABANDONED_SECONDS
    for entry in os.scandir(folder):
        try:
            if not entry.is_file():
                continue
            stat = entry.stat()
        except FileNotFoundError:  # another worker removed it first
            continue
        if entry.name.endswith(".part"):
            if stat.st_mtime < abandoned:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
            continue
        files.append((stat.st_mtime, stat.st_size, entry.path))
    total = sum(size for _m, size, _p in files)
    for _mtime, size, name in sorted(files):
        if total <= max_bytes:
            break
        try:
            os.unlink(name)
            total -= size
        except FileNotFoundError:  # another worker removed it first
            continue
