"""The one place that decides which content rows a reader may see."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_login import current_user
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.records.models import Record


def viewer_is_staff() -> bool:
    user = current_user
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_staff", False))


def include_drafts_requested(flag: Any) -> bool:
    """Staff may ask to include drafts (``?drafts=1``); everyone else never gets them."""
    return viewer_is_staff() and str(flag or "").lower() in {"1", "true", "yes", "on"}


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
