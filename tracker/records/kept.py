"""Public figures kept per data version: aggregates over every measure, computed once.

A figure that counts over every measure (the measures of each jurisdiction, the total of a
filter combination, a norm's counts) costs in proportion to the data, and the pages that
show it have many variants (page 2, another filter, the API, the start page). ``kept``
computes it once per data version and keeps it in this process for every variant.

The data version is the global publication stamp (tracker.records.stamps.global_seq, one
statement per request), which moves with every publication, withdrawal, deletion or restore
of a measure, and the day (standings, and the counts of what is in force, change with the
date). A figure of an older version is never served: the first request of a newer version
forgets every figure of the older one.

Only the public's figures are kept: a figure that counts drafts (staff asking for them) is
computed on each request, never kept and never read from here (``public_or_kept``).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import lazyload

from tracker.extensions import db
from tracker.measures import lifecycle
from tracker.records import stamps

T = TypeVar("T")

#: where the app keeps its figures (app.extensions)
EXTENSION = "kept_figures"
#: figures kept per kind and data version (the least recently used go first)
SIZE = 256

Version = tuple[int, dt.date]

# Kinds that several pages share (the HTML list and the API, the norm page and the API's norm)
#: the number of measures of a filter combination (key: ``filter_key``)
MEASURE_TOTAL = "measure_total"
#: {jurisdiction code: its own measures} (key: None)
JURISDICTION_COUNTS = "jurisdiction_counts"
#: {jurisdiction code: measures mapped to the norm} (key: the norm's id)
NORM_COUNTS = "norm_counts"


@dataclass
class _Kind:
    version: Version | None = None
    figures: OrderedDict[Hashable, Any] = field(default_factory=OrderedDict)


@dataclass
class _Store:
    lock: threading.Lock = field(default_factory=threading.Lock)
    kinds: dict[str, _Kind] = field(default_factory=dict)


def _store() -> _Store:
    store = current_app.extensions.get(EXTENSION)
    if store is None:
        store = current_app.extensions.setdefault(EXTENSION, _Store())
    return cast(_Store, store)


def version() -> Version:
    """The data version figures are kept under: (global publication stamp, today)."""
    return stamps.global_seq(), lifecycle.today()


def kept(kind: str, key: Hashable, compute: Callable[[], T], *, size: int = SIZE) -> T:
    """``compute()`` for the public, kept per ``kind`` and ``key`` for this data version.

    ``key`` says what the figure counts (a norm, a normalised filter combination); the
    figure must not count drafts (callers that may count drafts use ``public_or_kept``)."""
    now = version()
    store = _store()
    with store.lock:
        found = store.kinds.setdefault(kind, _Kind())
        if found.version == now and key in found.figures:
            found.figures.move_to_end(key)
            return cast(T, found.figures[key])
    value = compute()
    with store.lock:
        found = store.kinds[kind]
        if found.version is None or found.version < now:
            # a newer data version: the figures of the older one are never served again
            found.version, found.figures = now, OrderedDict()
        if found.version == now:  # (a request that read an older stamp keeps nothing)
            found.figures[key] = value
            found.figures.move_to_end(key)
            while len(found.figures) > size:
                found.figures.popitem(last=False)
    return value


def public_or_kept(
    drafts: bool, kind: str, key: Hashable, compute: Callable[[], T], *, size: int = SIZE
) -> T:
    """``compute()`` itself when it counts drafts (never kept, never read from the kept
    figures); otherwise kept as ``kept`` keeps it."""
    if drafts:
        return compute()
    return kept(kind, key, compute, size=size)


def filter_key(args: dict[str, Any]) -> Hashable:
    """A filter combination's query arguments (``MeasureFilters.as_args``) as a key."""
    return tuple(
        (name, tuple(value) if isinstance(value, list) else value)
        for name, value in sorted(args.items())
    )


def paginate(
    stmt: sa.Select[Any], *, page: int, per_page: int, drafts: bool, kind: str, key: Hashable
) -> Pagination:
    """One page of ``stmt`` (as ``db.paginate`` without raising for a page past the end),
    whose total (a count over every row the list holds, whatever the page) is kept for the
    public under ``kind`` and ``key``, which must say everything ``stmt`` selects by."""
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=False)
    pagination.total = public_or_kept(drafts, kind, key, lambda: count(stmt))
    return pagination


def count(stmt: sa.Select[Any]) -> int:
    """The rows ``stmt`` selects (one statement), as Flask-SQLAlchemy's pagination counts."""
    rows = stmt.options(lazyload("*")).order_by(None).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(rows)) or 0
