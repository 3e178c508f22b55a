"""Notifications: a row per recipient (shown in the app) and an e-mail after commit.

E-mails are queued on the database session and sent only once the transaction
that caused them has committed (a rolled-back change e-mails nobody), each in its
own try: a mail server that is down or refuses is logged and changes nothing.
Without ``TRACKER_SMTP_HOST`` the e-mail is written to the log instead.
"""

from __future__ import annotations

import email.policy
import logging
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context, has_request_context, url_for
from flask_sqlalchemy.session import Session

from tracker.accounts.models import User
from tracker.extensions import db
from tracker.modelbase import utcnow
from tracker.records.models import Record
from tracker.review.models import Notification

log = logging.getLogger(__name__)

OUTBOX = "review_outbox"


def record_url(record_id: int) -> str:
    """The review page of a record: absolute inside a request, else the path."""
    if has_request_context():
        return url_for("review.record", record_id=record_id, _external=True)
    return f"/review/{record_id}"


def notify(
    user_ids: Iterable[int | None],
    record: Record | None,
    event: str,
    message: str,
    *,
    actor_id: int | None = None,
    subject: str | None = None,
) -> list[Notification]:
    """Tell each active user in ``user_ids`` (never the actor) about ``event``, in the app
    and, after commit, by e-mail."""
    ids = {i for i in user_ids if i is not None and i != actor_id}
    if not ids:
        return []
    users = db.session.scalars(sa.select(User).where(User.id.in_(ids), User.active)).all()
    made = []
    for user in sorted(users, key=lambda u: u.id):
        note = Notification(
            user_id=user.id,
            record_id=record.id if record else None,
            actor_id=actor_id,
            event=event,
            message=message[:1000],
        )
        db.session.add(note)
        made.append(note)
        _queue_email(user.email, subject or message, _email_body(user, message, record))
    return made


def _email_body(user: User, message: str, record: Record | None) -> str:
    lines = [f"Hello {user.display_name},", "", message, ""]
    if record is not None:
        lines += [f"Open the review page: {record_url(record.id)}", ""]
    lines += ["You receive this because of your role in the Cyber Norms Tracker's review workflow."]
    return "\n".join(lines)


def _queue_email(to: str, subject: str, body: str) -> None:
    db.session.info.setdefault(OUTBOX, []).append((to, subject[:200], body))


def send_email(to: str, subject: str, body: str, headers: Mapping[str, str] | None = None) -> bool:
    """Send one e-mail now (SMTP with STARTTLS), or log it when SMTP is not configured.

    ``headers`` are added as given (the alerts' List-Unsubscribe). Returns whether it was
    handed to a mail server. Never raises: a failure is logged.
    """
    config = current_app.config
    # RFC 5322's line limit: a long header (List-Unsubscribe's URL) stays one plain line
    # instead of being folded into encoded words that mail clients do not read as a URL.
    msg = EmailMessage(policy=email.policy.SMTP.clone(max_line_length=998))
    msg["From"] = config["SMTP_FROM"]
    msg["To"] = to
    msg["Subject"] = f"[Cyber Norms Tracker] {subject}"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    host = config.get("SMTP_HOST")
    if not host:
        log.info(
            "E-mail not sent (TRACKER_SMTP_HOST is not set) to %s: %s\n%s", to, msg["Subject"], body
        )
        return False
    try:
        with smtplib.SMTP(
            host, int(config["SMTP_PORT"]), timeout=float(config["SMTP_TIMEOUT"])
        ) as smtp:
            if config.get("SMTP_STARTTLS", True):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        log.error(
            "E-mail to %s could not be sent (%s: %s): %s",
            to,
            type(exc).__name__,
            exc,
            msg["Subject"],
        )
        return False
    return True


def _send_outbox(session: Any) -> None:
    outbox = session.info.pop(OUTBOX, None)
    if not outbox or not has_app_context():
        return
    for to, subject, body in outbox:
        try:
            send_email(to, subject, body)
        except Exception:  # noqa: BLE001 - an e-mail must never undo or break a committed change
            log.exception("E-mail to %s failed", to)


def _drop_outbox(session: Any, *_args: Any) -> None:
    session.info.pop(OUTBOX, None)


sa.event.listen(Session, "after_commit", _send_outbox)
sa.event.listen(Session, "after_soft_rollback", _drop_outbox)


# --- Reading ----------------------------------------------------------------------------


def unread_count(user_id: int) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def recent(user_id: int, limit: int = 100) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(
                Notification.read_at.is_not(None),
                Notification.created_at.desc(),
                Notification.id.desc(),
            )
            .limit(limit)
        )
    )


def mark_read(user_id: int, ids: Iterable[int] | None = None, record_id: int | None = None) -> int:
    """Mark the user's notifications read: the given ones, a record's, or (neither) all."""
    stmt = sa.update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(list(ids)))
    if record_id is not None:
        stmt = stmt.where(Notification.record_id == record_id)
    result = db.session.execute(
        stmt.values(read_at=utcnow()).execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
