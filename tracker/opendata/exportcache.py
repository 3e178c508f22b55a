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

import logging
import os
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
    return _folder() / f"{pagecache.address_key()}.{fmt}"


def kept_file(path: Path | None, content_type: str) -> Response | None:
    """The kept export at ``path`` as a response, if it was written."""
    if path is None or not path.is_file():
        return None
    response = send_file(path, conditional=True, etag=True)
    response.headers["Content-Type"] = content_type
    response.headers["X-Page-Cache"] = "hit"
    return response


def tee(body: Iterator[bytes], path: Path) -> Iterator[bytes]:
    """Yield ``body`` and write it to ``path``; the file appears only once it is whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f"{path.name}.{uuid.uuid4().hex}.part")
    whole = False
    try:
        with part.open("wb") as out:
            for chunk in body:
                out.write(chunk)
                yield chunk
        os.replace(part, path)
        whole = True
        _bound(path.parent, int(current_app.config["EXPORT_CACHE_MAX_BYTES"]))
    finally:
        if not whole:
            part.unlink(missing_ok=True)


def put(path: Path, data: bytes) -> None:
    """Keep an export built whole (XLSX) at ``path``."""
    tee_done = tee(iter([data]), path)
    for _chunk in tee_done:
        pass


def _bound(folder: Path, max_bytes: int) -> None:
    """Remove the least recently written exports until the folder holds ``max_bytes``."""
    files = []
    for entry in os.scandir(folder):
        if entry.is_file() and not entry.name.endswith(".part"):
            stat = entry.stat()
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
