"""Queries over working groups and their members."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.workinggroups.models import WorkingGroup, WorkingGroupMember


def all_groups() -> list[WorkingGroup]:
    """Every group with its members (two queries)."""
    stmt = (
        sa.select(WorkingGroup)
        .options(selectinload(WorkingGroup.members))
        .order_by(WorkingGroup.period_start.desc(), WorkingGroup.name)
    )
    return list(db.session.scalars(stmt))


def memberships_of(user_id: int) -> list[WorkingGroupMember]:
    """The memberships linked to an account (the review workflow routes drafts by them)."""
    stmt = (
        sa.select(WorkingGroupMember)
        .where(WorkingGroupMember.user_id == user_id)
        .options(selectinload(WorkingGroupMember.group))
    )
    return list(db.session.scalars(stmt))


def government_contacts(jurisdiction_code: str) -> list[WorkingGroupMember]:
    """Members who may reply, before publication, on records of this jurisdiction."""
    stmt = sa.select(WorkingGroupMember).where(
        WorkingGroupMember.is_government_contact,
        WorkingGroupMember.contact_jurisdiction_code == jurisdiction_code,
    )
    return list(db.session.scalars(stmt))
