"""User accounts, roles and the audit log."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, Optional

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.modelbase import Base, LabelledEnum, enum_type, utcnow


class Role(LabelledEnum):
    #: manages accounts and everything editors can do
    ADMIN = ("admin", "Administrator")
    #: policy staff: record and maintain measures, publish
    EDITOR = ("editor", "Editor")
    #: working-group member: comment, request changes, approve
    REVIEWER = ("reviewer", "Reviewer")


def new_session_token() -> str:
    return secrets.token_hex(16)


def normalise_email(email: str) -> str:
    """E-mail addresses are stored and compared lower-cased and trimmed."""
    return (email or "").strip().lower()


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[Optional[str]] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role), default=Role.REVIEWER)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[Optional[dt.datetime]] = mapped_column(sa.DateTime(timezone=True))
    #: part of every session's user id (see ``get_id``): a new value at sign-out, password
    #: change and deactivation ends every session and remember cookie issued before it
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and remember cookie: "<id>:<session token>"."""
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Invalidate every session signed in as this user (copied cookies included)."""
        self.session_token = new_session_token()

    @property
    def is_active(self) -> bool:  # used by Flask-Login
        return self.active

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def is_staff(self) -> bool:
        """Signed-in team members may see unpublished content."""
        return self.active and self.role in (Role.ADMIN, Role.EDITOR, Role.REVIEWER)


class AuditAction(LabelledEnum):
    LOGIN = ("login", "Signed in")
    LOGIN_FAILED = ("login_failed", "Failed sign-in")
    LOGOUT = ("logout", "Signed out")
    USER_CREATED = ("user_created", "Account created")
    ROLE_CHANGED = ("role_changed", "Role changed")
    PASSWORD_CHANGED = ("password_changed", "Password changed")
    DEACTIVATED = ("deactivated", "Account deactivated")
    RECORD_DELETED = ("record_deleted", "Record deleted")
    RECORD_RESTORED = ("record_restored", "Deleted record restored")
    REVISION_RESTORED = ("revision_restored", "Earlier revision restored")
    RECORD_PUBLISHED = ("record_published", "Record published")
    RECORD_SUBMITTED = ("record_submitted", "Submitted for review")
    CHANGES_REQUESTED = ("changes_requested", "Changes requested")
    RECORD_APPROVED = ("record_approved", "Approved")
    RECORD_WITHDRAWN = ("record_withdrawn", "Withdrawn from the public site")
    RECORD_REOPENED = ("record_reopened", "Returned to draft")
    MEASURES_IMPORTED = ("measures_imported", "Measures imported from a spreadsheet")


class AuditEvent(Base):
    """Who did what to accounts and records, from where, and when. Append-only."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, index=True
    )
    #: the signed-in user who acted (None: anonymous, or the command line)
    actor_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[AuditAction] = mapped_column(enum_type(AuditAction, length=40), index=True)
    #: what was acted on, as "user:12" or "record:34"
    subject: Mapped[Optional[str]] = mapped_column(sa.String(80))
    #: client address of the request, or "cli"
    remote_addr: Mapped[Optional[str]] = mapped_column(sa.String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

    actor: Mapped[Optional[User]] = relationship()


class LoginFailure(Base):
    """One failed sign-in, counted by the sign-in throttle when no Redis is configured
    (tracker/accounts/throttle.py, ``DatabaseStore``): every worker process reads the same
    rows. ``key`` is a hashed account or a client address, never an e-mail address."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(100), index=True)
    #: seconds since the epoch (the throttle's clock)
    failed_at: Mapped[float] = mapped_column(sa.Float, index=True)
