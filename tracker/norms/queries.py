"""Queries over the framework: norms, commitments, topics and site-wide counts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction
from tracker.measures import queries as measure_queries
from tracker.norms.models import Commitment, CommitmentKind, FrameworkDocument, Norm, Topic


def all_norms() -> list[Norm]:
    return list(db.session.scalars(sa.select(Norm).order_by(Norm.letter)))


def supply_chain_norms() -> list[Norm]:
    stmt = sa.select(Norm).where(Norm.letter.in_(Norm.SUPPLY_CHAIN_LETTERS)).order_by(Norm.letter)
    return list(db.session.scalars(stmt))


def get_norm(letter: str) -> Norm | None:
    stmt = (
        sa.select(Norm)
        .where(Norm.letter == letter)
        .options(
            selectinload(Norm.document),
            selectinload(Norm.commitments).selectinload(Commitment.document),
        )
    )
    return db.session.scalar(stmt)


def framework_documents() -> list[FrameworkDocument]:
    """The UN framework documents, oldest first (undated ones last)."""
    stmt = sa.select(FrameworkDocument).order_by(
        FrameworkDocument.date.is_(None), FrameworkDocument.date, FrameworkDocument.id
    )
    return list(db.session.scalars(stmt))


def commitments_by_kind() -> list[tuple[CommitmentKind, list[Commitment]]]:
    """Commitments grouped by kind, in the order the kinds are declared."""
    stmt = (
        sa.select(Commitment)
        .options(selectinload(Commitment.document), selectinload(Commitment.norm))
        .order_by(Commitment.id)
    )
    groups: dict[CommitmentKind, list[Commitment]] = {}
    for commitment in db.session.scalars(stmt):
        groups.setdefault(commitment.kind, []).append(commitment)
    return [(kind, groups[kind]) for kind in CommitmentKind if kind in groups]


def all_topics() -> list[Topic]:
    return list(db.session.scalars(sa.select(Topic).order_by(Topic.position)))


def jurisdictions_by_code(codes: Iterable[str]) -> dict[str, Jurisdiction]:
    codes = list(codes)
    if not codes:
        return {}
    stmt = sa.select(Jurisdiction).where(Jurisdiction.code.in_(codes))
    return {j.code: j for j in db.session.scalars(stmt)}


def counts(*, include_drafts: bool = False) -> dict[str, Any]:
    return {
        "norms": db.session.scalar(sa.select(sa.func.count()).select_from(Norm)) or 0,
        "commitments": db.session.scalar(sa.select(sa.func.count()).select_from(Commitment)) or 0,
        "measures": measure_queries.count_measures(include_drafts=include_drafts),
        "in_force": sum(
            c.in_force
            for c in measure_queries.standing_counts(include_drafts=include_drafts).values()
        ),
        "jurisdictions": measure_queries.count_jurisdictions_with_measures(
            include_drafts=include_drafts
        ),
    }
