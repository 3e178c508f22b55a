"""User accounts and roles."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, LabelledEnum, enum_type, utcnow


class Role(LabelledEnum):
    #: manages accounts and everything editors can do
    ADMIN = ("admin", "Administrator")
    #: policy staff: record and maintain measures, publish
    EDITOR = ("editor", "Editor")
    #: working-group member: comment, request changes, approve
    REVIEWER = ("reviewer", "Reviewer")


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[Optional[str]] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role), default=Role.REVIEWER)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

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
