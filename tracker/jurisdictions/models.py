"""Jurisdictions and regional-organisation membership."""

from __future__ import annotations

from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.modelbase import Base, LabelledEnum, enum_type


class JurisdictionKind(LabelledEnum):
    STATE = ("state", "State or territory")
    REGIONAL_ORG = ("regional_org", "Regional organisation")


class Jurisdiction(Base):
    __tablename__ = "jurisdictions"

    #: ISO 3166-1 alpha-2, or a short code for an organisation ("EU")
    code: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    official_name: Mapped[Optional[str]] = mapped_column(sa.String(300))
    alpha3: Mapped[Optional[str]] = mapped_column(sa.String(3))
    kind: Mapped[JurisdictionKind] = mapped_column(enum_type(JurisdictionKind))
    source: Mapped[Optional[str]] = mapped_column(sa.Text)

    memberships: Mapped[list[Membership]] = relationship(
        foreign_keys="Membership.member_code", back_populates="member"
    )

    @property
    def is_org(self) -> bool:
        return self.kind is JurisdictionKind.REGIONAL_ORG


class Membership(Base):
    """A State's membership of a regional organisation (measures flow down 'via EU')."""

    __tablename__ = "memberships"

    org_code: Mapped[str] = mapped_column(
        sa.ForeignKey("jurisdictions.code", ondelete="CASCADE"), primary_key=True
    )
    member_code: Mapped[str] = mapped_column(
        sa.ForeignKey("jurisdictions.code", ondelete="CASCADE"), primary_key=True
    )

    org: Mapped[Jurisdiction] = relationship(foreign_keys=[org_code])
    member: Mapped[Jurisdiction] = relationship(
        foreign_keys=[member_code], back_populates="memberships"
    )
