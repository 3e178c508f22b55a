"""One-time tokens for "new record" forms, so that a double click or a replayed request
creates one record, not two (see ``FormSubmission``).

Edit forms need no token: they carry the record version, and a second save of the same
page is refused as a conflict (optimistic locking).
"""

from __future__ import annotations

import re
import secrets

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.records.models import FormSubmission, Record

TOKEN = re.compile(r"^[0-9a-f]{32}$")
MISSING = (
    "This form has no valid submission token (it may come from an old or altered page), "
    "so it was not saved. Check what you typed, then save again."
)
ALREADY_SAVED = (
    "This form had already been saved, so nothing new was created: here is the {noun} it created."
)


def new_token() -> str:
    return secrets.token_hex(16)


def is_token(value: str | None) -> bool:
    return bool(value and TOKEN.match(value))


def record_for(token: str | None) -> Record | None:
    """The record a form with this token created already, if any."""
    if not is_token(token):
        return None
    record_id = db.session.scalar(
        sa.select(FormSubmission.record_id).where(FormSubmission.token == token)
    )
    return db.session.get(Record, record_id) if record_id is not None else None


def claim(token: str, record: Record, user_id: int | None) -> None:
    """Mark the token used by ``record`` (in the transaction that creates the record).

    Raises IntegrityError when a concurrent request claimed it first; the caller rolls
    back and shows the record the other request made.
    """
    db.session.add(FormSubmission(token=token, record_id=record.id, user_id=user_id))
    db.session.flush()


__all__ = [
    "ALREADY_SAVED",
    "MISSING",
    "IntegrityError",
    "claim",
    "is_token",
    "new_token",
    "record_for",
]
