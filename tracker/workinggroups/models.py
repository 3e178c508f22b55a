"""Working groups and their members.

A member is a person named in the group's published membership. A member may be
linked to a user account with the reviewer role (so that the review workflow can
route drafts to them), and may be flagged as the government contact for one
jurisdiction (the right of reply on that jurisdiction's records). Neither link is
ever shown on public pages.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.modelbase import Base, utcnow

if TYPE_CHECKING:
    from tracker.accounts.models import User
    from tracker.jurisdictions.models import Jurisdiction


class WorkingGroup(Base):
    __tablename__ = "working_groups"
    __table_args__ = (
        sa.CheckConstraint(
            "period_end IS NULL OR period_end >= period_start", name="period_in_order"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stable external key (demo data uses it)
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    topic: Mapped[str] = mapped_column(sa.String(300))
    period_start: Mapped[int]
    #: null while the group is still running
    period_end: Mapped[Optional[int]]
    #: where the name and membership come from
    source: Mapped[Optional[str]] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    members: Mapped[list[WorkingGroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="WorkingGroupMember.position"
    )

    @property
    def period(self) -> str:
        if self.period_end is None:
            return f"since {self.period_start}"
        if self.period_end == self.period_start:
            return str(self.period_start)
        return f"{self.period_start}–{self.period_end}"


class WorkingGroupMember(Base):
    __tablename__ = "working_group_members"
    __table_args__ = (
        # An account belongs to at most one membership per group.
        sa.UniqueConstraint("group_id", "user_id"),
        # The right of reply needs to know for which jurisdiction a contact speaks.
        sa.CheckConstraint(
            "(is_government_contact AND contact_jurisdiction_code IS NOT NULL)"
            " OR (NOT is_government_contact AND contact_jurisdiction_code IS NULL)",
            name="contact_has_jurisdiction",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        sa.ForeignKey("working_groups.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(200))
    affiliation: Mapped[Optional[str]] = mapped_column(sa.String(300))
    #: the member's reviewer account, if they have one (never shown publicly)
    user_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: speaks for a government: may comment on that jurisdiction's records before publication
    is_government_contact: Mapped[bool] = mapped_column(default=False)
    contact_jurisdiction_code: Mapped[Optional[str]] = mapped_column(
        sa.ForeignKey("jurisdictions.code"), index=True
    )

    group: Mapped[WorkingGroup] = relationship(back_populates="members")
    user: Mapped[Optional[User]] = relationship()
    contact_jurisdiction: Mapped[Optional[Jurisdiction]] = relationship()
