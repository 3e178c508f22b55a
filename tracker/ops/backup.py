"""Backups and restores.

SQLite is copied with its online backup API (consistent while the app runs; never a
file copy, which can catch a half-written page). PostgreSQL uses pg_dump's custom
format and pg_restore.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why."""


def _libpq_url(url: sa.URL) -> str:
    """pg_dump wants a plain libpq URL, without SQLAlchemy's driver suffix."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client)")
    return path


def backup(url: sa.URL, target: Path) -> Path:
    """Write a backup of the database at ``url`` to ``target`` (which must not exist)."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        dest = sqlite3.connect(target)
        try:
            with dest:
                source.backup(dest)
        finally:
            dest.close()
            source.close()
        return target
    if url.get_backend_name() == "postgresql":
        result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={target}",
                _libpq_url(url),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            target.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        return target
    raise BackupError(f"backups are not supported for {url.get_backend_name()}")


def _has_tables(url: sa.URL) -> bool:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return bool(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()


def restore(url: sa.URL, source: Path) -> None:
    """Restore ``source`` into the (empty) database at ``url``."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    head = source.read_bytes()[:16]
    backend = url.get_backend_name()
    if _has_tables(url):
        raise BackupError("the target database is not empty; restore into a new, empty database")
    if backend == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source} is not an SQLite backup")
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dest = sqlite3.connect(_sqlite_path(url))
        try:
            with dest:
                src.backup(dest)
        finally:
            dest.close()
            src.close()
        return
    if backend == "postgresql":
        if not head.startswith(PGDUMP_MAGIC):
            raise BackupError(f"{source} is not a pg_dump custom-format backup")
        result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            [
                _tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={_libpq_url(url)}",
                str(source),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        return
    raise BackupError(f"restores are not supported for {backend}")
