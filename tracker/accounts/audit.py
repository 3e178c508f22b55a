"""The audit log: sign-ins, account changes, deletions, restores and publications."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user

from tracker.accounts.models import AuditAction, AuditEvent
from tracker.extensions import db


def _current_actor_id() -> int | None:
    if not has_request_context():
        return None
    return current_user.id if getattr(current_user, "is_authenticated", False) else None


def record_event(
    action: AuditAction,
    *,
    subject: str | None = None,
    actor_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits)."""
    event = AuditEvent(
        action=action,
        subject=subject,
        actor_id=actor_id if actor_id is not None else _current_actor_id(),
        remote_addr=(request.remote_addr or "")[:64] if has_request_context() else "cli",
        details={k: v for k, v in details.items() if v is not None},
    )
    db.session.add(event)
    return event


def recent_events(action: str | None = None) -> sa.Select[Any]:
    stmt = sa.select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return stmt
