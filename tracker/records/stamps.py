"""Publication stamps: O(1) freshness for briefs and cached figures.

Every publication, withdrawal, deletion or restore of a measure moves the stamps of
the scopes it touches (its jurisdiction and norms, before and after the change, and
the global one) in the same transaction. Readers hash the stamps of their scope
instead of reading the measures (tracker.reports.queries.data_version).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

import sqlalchemy as sa
from flask import has_request_context, request

from tracker.extensions import db
from tracker.records.models import PublicationStamp, Record

GLOBAL = "*"
#: every public record of any kind (measures, attributions, papers, working groups) and the
#: reference data loaded by the CLI: what the public pages show (tracker.pagecache)
SITE = "site"
#: where a request keeps the global and site stamps it has read (one statement per request)
_REQUEST_KEY = "tracker.global_seq"


def jurisdiction_scope(code: str) -> str:
    return f"j:{code}"


def norm_scope(letter: str) -> str:
    return f"n:{letter}"


def scopes_of(content: Any, previous: dict[str, Any] | None) -> set[str]:
    """The scopes a change of ``content`` (a measure copy) and its ``previous`` snapshot touch."""
    scopes = {GLOBAL}
    if content is not None and hasattr(content, "jurisdiction_code"):
        scopes.add(jurisdiction_scope(content.jurisdiction_code))
        scopes.update(norm_scope(m.norm.letter) for m in content.mappings if m.norm is not None)
    if previous:
        if previous.get("jurisdiction_code"):
            scopes.add(jurisdiction_scope(previous["jurisdiction_code"]))
        scopes.update(norm_scope(m["norm"]) for m in previous.get("mappings", []) if m.get("norm"))
    return scopes


def bump(scopes: Iterable[str], published_at: dt.datetime | None) -> None:
    """Move each scope's counter by one (same transaction as the change); one statement each."""
    table = cast(sa.Table, PublicationStamp.__table__)
    latest: Any = table.c.published_at
    if published_at is not None:
        latest = sa.case(
            (
                sa.or_(table.c.published_at.is_(None), table.c.published_at < published_at),
                sa.literal(published_at, sa.DateTime(timezone=True)),
            ),
            else_=table.c.published_at,
        )
    if has_request_context():
        request.environ.pop(_REQUEST_KEY, None)
    for scope in sorted(set(scopes)):
        updated = db.session.execute(
            sa.update(table)
            .where(table.c.scope == scope)
            .values(seq=table.c.seq + 1, published_at=latest)
        )
        if not updated.rowcount:  # type: ignore[attr-defined]
            db.session.execute(
                sa.insert(table).values(scope=scope, seq=1, published_at=published_at)
            )


def on_record_changed(sender: Any, content: Any = None, previous: Any = None, **_: Any) -> None:
    """Signal receiver: a record was published, withdrawn, deleted or restored. Every kind
    moves the site's stamp; a measure also moves its scopes and the global one."""
    if not isinstance(sender, Record):
        return
    when = sender.published_at if content is not None and content.is_live else None
    measure = (
        hasattr(content, "jurisdiction_code")
        if content is not None
        else bool(previous and "jurisdiction_code" in previous)
    )
    bump(scopes_of(content, previous) | {SITE} if measure else {SITE}, when)


def read(scopes: Iterable[str]) -> dict[str, tuple[int, dt.datetime | None]]:
    """{scope: (seq, latest publication)} for the scopes that have a stamp (one query)."""
    wanted = sorted(set(scopes))
    rows = db.session.execute(
        sa.select(PublicationStamp.scope, PublicationStamp.seq, PublicationStamp.published_at)
        .where(PublicationStamp.scope.in_(wanted))
        .order_by(PublicationStamp.scope)
    )
    return {scope: (seq, when) for scope, seq, when in rows}


def global_seq() -> int:
    """The global stamp: read once per request (the start page, the API's kept counts and
    the standings snapshot all key on it); a bump in the request forgets it."""
    return global_stamp()[0]


def global_stamp() -> tuple[int, dt.datetime | None]:
    """The global stamp's sequence and latest publication, read once per request as
    :func:`global_seq` (the time tells two databases with the same sequence apart)."""
    return _request_stamps().get(GLOBAL, (0, None))


def site_stamp() -> tuple[int, dt.datetime | None]:
    """The site's stamp (:data:`SITE`), read in the same statement as the global one."""
    return _request_stamps().get(SITE, (0, None))


def _request_stamps() -> dict[str, tuple[int, dt.datetime | None]]:
    if has_request_context() and _REQUEST_KEY in request.environ:
        return cast(dict[str, tuple[int, dt.datetime | None]], request.environ[_REQUEST_KEY])
    found = {
        scope: (seq or 0, when)
        for scope, seq, when in db.session.execute(
            sa.select(
                PublicationStamp.scope, PublicationStamp.seq, PublicationStamp.published_at
            ).where(PublicationStamp.scope.in_([GLOBAL, SITE]))
        )
    }
    if has_request_context():
        request.environ[_REQUEST_KEY] = found
    return found


def rebuild() -> int:
    """Recompute every stamp from the data (after bulk loads that bypass publishing).

    Each counter moves on (never back), so a brief cached before the load is not served.
    """
    if has_request_context():
        request.environ.pop(_REQUEST_KEY, None)
    from tracker.measures.models import Mapping, Measure
    from tracker.norms.models import Norm
    from tracker.records.queries import visible

    live = visible(Measure).subquery()
    latest: dict[str, dt.datetime | None] = {GLOBAL: None}
    by_code = sa.select(live.c.jurisdiction_code, sa.func.max(Record.published_at)).join(
        Record, Record.id == live.c.record_id
    )
    for code, when in db.session.execute(by_code.group_by(live.c.jurisdiction_code)):
        latest[jurisdiction_scope(code)] = when
    by_norm = (
        sa.select(Norm.letter, sa.func.max(Record.published_at))
        .join(Mapping, Mapping.norm_id == Norm.id)
        .join(live, live.c.id == Mapping.measure_id)
        .join(Record, Record.id == live.c.record_id)
        .group_by(Norm.letter)
    )
    for letter, when in db.session.execute(by_norm):
        latest[norm_scope(letter)] = when
    dated = [w for w in latest.values() if w is not None]
    latest[GLOBAL] = latest[SITE] = max(dated) if dated else None
    table = cast(sa.Table, PublicationStamp.__table__)
    existing = {s for s in db.session.scalars(sa.select(table.c.scope))}
    for scope, when in latest.items():
        if scope in existing:
            db.session.execute(
                sa.update(table)
                .where(table.c.scope == scope)
                .values(seq=table.c.seq + 1, published_at=when)
            )
        else:
            db.session.execute(sa.insert(table).values(scope=scope, seq=1, published_at=when))
    return len(latest)
