"""The one place that decides which content rows a reader may see."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVarTuple

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.records.models import Record


def viewer_is_staff(viewer: Any) -> bool:
    """``viewer`` (a user, or Flask-Login's anonymous user) is signed-in staff."""
    return bool(getattr(viewer, "is_authenticated", False) and getattr(viewer, "is_staff", False))


def viewer_sees_all_drafts(viewer: Any) -> bool:
    """Editors and administrators; reviewers see only the drafts assigned to them."""
    from tracker.accounts.permissions import Permission, has_permission

    return has_permission(viewer, Permission.VIEW_ALL_DRAFTS)


def include_drafts_requested(flag: Any, viewer: Any) -> bool:
    """Editors and administrators may ask to include drafts (``?drafts=1``) in lists,
    counts and briefs; everyone else (reviewers included) never gets them there."""
    wanted = str(flag or "").lower() in {"1", "true", "yes", "on"}
    return wanted and viewer_sees_all_drafts(viewer)


def visibility_clause(model: Any, *, include_drafts: bool = False) -> sa.ColumnElement[bool]:
    """Rows of ``model`` a reader sees: live copies, or working copies for staff."""
    flag = model.is_draft if include_drafts else model.is_live
    record = aliased(Record)  # an alias, so callers may join Record themselves
    alive = sa.select(record.id).where(record.id == model.record_id, record.deleted_at.is_(None))
    return sa.and_(flag, alive.exists())


def visible(model: Any, *, include_drafts: bool = False) -> sa.Select[Any]:
    """``select(model)`` restricted to what the reader may see."""
    return sa.select(model).where(visibility_clause(model, include_drafts=include_drafts))


def record_is_public(record_id: int) -> bool:
    """The record exists, is not deleted and has a live copy: anyone may know of it."""
    from tracker.records.services import live_copy

    record = db.session.get(Record, record_id)
    if record is None or record.deleted_at is not None:
        return False
    return live_copy(record) is not None


def in_ids(column: Any, ids: Any) -> sa.ColumnElement[bool]:
    """``column IN ids`` for a list of ids already read (tens of thousands at scale), bound
    as one parameter whatever their number: an array on PostgreSQL (``= ANY``), a JSON
    array read by ``json_each`` on SQLite; elsewhere a plain IN list. The database finds
    the rows by id, where a subquery repeating the scope would evaluate it again."""
    values = sorted(set(ids))
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        # one text parameter cast to an array: the driver adapts one string, not 40,000 ints
        text = "{" + ",".join(str(int(v)) for v in values) + "}"
        return column == sa.func.any(
            sa.cast(sa.bindparam(None, text, type_=sa.String), ARRAY(sa.Integer))
        )
    if dialect == "sqlite":
        import json

        listed = sa.func.json_each(sa.bindparam(None, json.dumps(values), type_=sa.String))
        return column.in_(sa.select(listed.table_valued("value").c.value))
    return column.in_(values)


_Columns = TypeVarTuple("_Columns")


def plain_rows(stmt: sa.Select[*_Columns]) -> Iterator[sa.Row[*_Columns]]:
    """The rows of a select of columns, through the session's connection without the ORM's
    result processing, fetched 500 at a time (a page reads tens of thousands of
    flat rows at scale: one by one costs a call each, all at once keeps them all alive)."""
    for rows in db.session.connection().execute(stmt).partitions(500):
        yield from rows
