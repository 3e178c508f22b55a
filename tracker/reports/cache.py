"""Rendered PDFs and render-job states, on the filesystem or in Redis.

Keys are data-version digests (tracker.reports.queries.data_version): they already hold
the parameters, so a new publication in a brief's scope gives a new key and the old
PDF simply stops being asked for. On the filesystem, the PDFs of one parameter set sit
in one folder and writing a new version removes the older ones; in Redis they expire.

Drafts live in their own namespace; only requests that may see drafts read it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, current_app


class Store(Protocol):
    def get_pdf(self, group: str, key: str) -> bytes | None: ...
    def put_pdf(self, group: str, key: str, data: bytes) -> None: ...
    def get_blob(self, group: str, key: str) -> bytes | None: ...
    def put_blob(self, group: str, key: str, data: bytes, ttl: int | None = None) -> None: ...
    def get_state(self, key: str) -> dict[str, Any] | None: ...
    def set_state(self, key: str, state: dict[str, Any], ttl: int) -> None: ...
    def claim(self, key: str, state: dict[str, Any], ttl: int) -> bool: ...
    def clear_state(self, key: str) -> None: ...
    def clear(self) -> None: ...


def _safe(name: str) -> str:
    if not name or not all(c.isalnum() or c in "-_" for c in name):
        raise ValueError(f"bad cache key {name!r}")
    return name


class FileStore:
    """Under the instance folder; atomic writes (write, then rename)."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)

    def _pdf_path(self, group: str, key: str) -> Path:
        return self.root / "pdf" / _safe(group) / f"{_safe(key)}.pdf"

    def _state_path(self, key: str) -> Path:
        return self.root / "jobs" / f"{_safe(key)}.json"

    def _blob_path(self, group: str, key: str) -> Path:
        return self.root / "data" / _safe(group) / f"{_safe(key)}.bin"

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)

    def get_pdf(self, group: str, key: str) -> bytes | None:
        try:
            return self._pdf_path(group, key).read_bytes()
        except FileNotFoundError:
            return None

    def put_pdf(self, group: str, key: str, data: bytes) -> None:
        path = self._pdf_path(group, key)
        self._write(path, data)
        for old in path.parent.glob("*.pdf"):
            if old != path:
                old.unlink(missing_ok=True)

    def get_blob(self, group: str, key: str) -> bytes | None:
        """Other computed data (the standings of a data version): the newest of its group."""
        try:
            return self._blob_path(group, key).read_bytes()
        except FileNotFoundError:
            return None

    def put_blob(self, group: str, key: str, data: bytes, ttl: int | None = None) -> None:
        """One blob per group (a newer one replaces the others); ``ttl`` is Redis's only."""
        path = self._blob_path(group, key)
        self._write(path, data)
        for old in path.parent.glob("*.bin"):
            if old != path:
                old.unlink(missing_ok=True)

    def get_state(self, key: str) -> dict[str, Any] | None:
        path = self._state_path(key)
        try:
            state = json.loads(path.read_text())
        except (FileNotFoundError, ValueError):
            return None
        if state.get("expires", 0) < time.time():
            path.unlink(missing_ok=True)
            return None
        return state

    def set_state(self, key: str, state: dict[str, Any], ttl: int) -> None:
        self._write(
            self._state_path(key), json.dumps({**state, "expires": time.time() + ttl}).encode()
        )

    def claim(self, key: str, state: dict[str, Any], ttl: int) -> bool:
        """Create the state only if no live one exists (one job per key across processes)."""
        if self.get_state(key) is not None:
            return False
        path = self._state_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w") as f:
            json.dump({**state, "expires": time.time() + ttl}, f)
        return True

    def clear_state(self, key: str) -> None:
        self._state_path(key).unlink(missing_ok=True)

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class RedisStore:
    """Shared by every web and worker process when TRACKER_REDIS_URL is set."""

    def __init__(self, url: str, prefix: str, ttl: int):
        import redis

        self.redis = redis.Redis.from_url(url)
        self.prefix = prefix
        self.ttl = ttl

    def _k(self, *parts: str) -> str:
        return self.prefix + ":".join(_safe(p) for p in parts)

    def get_pdf(self, group: str, key: str) -> bytes | None:
        return self.redis.get(self._k("pdf", group, key))  # type: ignore[return-value]

    def put_pdf(self, group: str, key: str, data: bytes) -> None:
        self.redis.set(self._k("pdf", group, key), data, ex=self.ttl)

    def get_blob(self, group: str, key: str) -> bytes | None:
        return self.redis.get(self._k("data", group, key))  # type: ignore[return-value]

    def put_blob(self, group: str, key: str, data: bytes, ttl: int | None = None) -> None:
        self.redis.set(self._k("data", group, key), data, ex=ttl or self.ttl)

    def get_state(self, key: str) -> dict[str, Any] | None:
        raw = self.redis.get(self._k("job", key))
        return json.loads(raw) if raw else None

    def set_state(self, key: str, state: dict[str, Any], ttl: int) -> None:
        self.redis.set(self._k("job", key), json.dumps(state), ex=ttl)

    def claim(self, key: str, state: dict[str, Any], ttl: int) -> bool:
        return bool(self.redis.set(self._k("job", key), json.dumps(state), ex=ttl, nx=True))

    def clear_state(self, key: str) -> None:
        self.redis.delete(self._k("job", key))

    def clear(self) -> None:
        for k in self.redis.scan_iter(match=self.prefix + "*", count=500):
            self.redis.delete(k)


def store(app: Flask | None = None) -> Store:
    """The app's store: Redis when TRACKER_REDIS_URL is set, else the instance folder."""
    app = app or current_app
    existing = app.extensions.get("reports_store")
    if existing is None:
        url = app.config.get("REDIS_URL")
        if url:
            existing = RedisStore(
                url, app.config["REPORTS_REDIS_PREFIX"], int(app.config["REPORTS_CACHE_TTL"])
            )
        else:
            existing = FileStore(
                app.config.get("REPORTS_CACHE_DIR") or os.path.join(app.instance_path, "reports")
            )
        app.extensions["reports_store"] = existing
    return existing
