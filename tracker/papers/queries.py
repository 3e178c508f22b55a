"""Queries over papers and the measures that implement their recommendations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.catalogues.models import Catalogue, CatalogueAction
from tracker.extensions import db
from tracker.jurisdictions.models import Membership
from tracker.measures.models import (
    ImplementationDegree,
    MappingBasis,
    Measure,
    MeasureImplementation,
)
from tracker.papers.models import Paper, PaperRecommendation
from tracker.records.queries import visible


def list_papers(*, include_drafts: bool = False) -> list[Paper]:
    """Papers the reader may see, newest first, with what the list shows (4 queries)."""
    stmt = (
        visible(Paper, include_drafts=include_drafts)
        .options(
            selectinload(Paper.working_group),
            selectinload(Paper.authors),
            selectinload(Paper.recommendations),
        )
        .order_by(Paper.publication_date.desc().nulls_last(), Paper.title, Paper.id)
    )
    return list(db.session.scalars(stmt))


def count_papers(*, include_drafts: bool = False) -> int:
    stmt = sa.select(sa.func.count()).select_from(
        visible(Paper, include_drafts=include_drafts).subquery()
    )
    return db.session.scalar(stmt) or 0


def get_paper(record_id: int, *, include_drafts: bool = False) -> Paper | None:
    """The copy of a paper record this reader may see, with everything its page shows."""
    stmt = (
        visible(Paper, include_drafts=include_drafts)
        .where(Paper.record_id == record_id)
        .options(
            selectinload(Paper.record),
            selectinload(Paper.working_group),
            selectinload(Paper.authors),
            selectinload(Paper.sources),
            selectinload(Paper.recommendations).selectinload(PaperRecommendation.norms),
            selectinload(Paper.recommendations).selectinload(PaperRecommendation.commitments),
            selectinload(Paper.recommendations).selectinload(PaperRecommendation.topics),
        )
    )
    return db.session.scalar(stmt)


def implementations_of(
    recommendation_ids: Iterable[int], *, include_drafts: bool = False
) -> dict[int, list[tuple[Measure, MeasureImplementation]]]:
    """Visible measures linked to each recommendation identity, by jurisdiction then label (2
    queries)."""
    ids = list(recommendation_ids)
    if not ids:
        return {}
    stmt = (
        visible(Measure, include_drafts=include_drafts)
        .join(MeasureImplementation, MeasureImplementation.measure_id == Measure.id)
        .where(MeasureImplementation.recommendation_id.in_(ids))
        .add_columns(MeasureImplementation)
        .options(selectinload(Measure.jurisdiction), selectinload(Measure.events))
        .order_by(Measure.jurisdiction_code, Measure.id)
    )
    result: dict[int, list[tuple[Measure, MeasureImplementation]]] = defaultdict(list)
    for measure, link in db.session.execute(stmt):
        result[link.recommendation_id].append((measure, link))
    return dict(result)


def member_counts(org_codes: Iterable[str]) -> dict[str, int]:
    """How many States belong to each organisation (for "and its 27 member States via EU")."""
    codes = list(set(org_codes))
    if not codes:
        return {}
    stmt = (
        sa.select(Membership.org_code, sa.func.count())
        .where(Membership.org_code.in_(codes))
        .group_by(Membership.org_code)
    )
    return {code: n for code, n in db.session.execute(stmt)}


def members_of(org_codes: Iterable[str]) -> dict[str, list[str]]:
    codes = list(set(org_codes))
    result: dict[str, list[str]] = defaultdict(list)
    if codes:
        stmt = (
            sa.select(Membership.org_code, Membership.member_code)
            .where(Membership.org_code.in_(codes))
            .order_by(Membership.member_code)
        )
        for org, member in db.session.execute(stmt):
            result[org].append(member)
    return dict(result)


def implementation_counts(papers: list[Paper], *, include_drafts: bool = False) -> dict[int, int]:
    """Per paper id, how many of its recommendations have at least one visible implementing
    measure."""
    ids = [r.recommendation_id for p in papers for r in p.recommendations]
    if not ids:
        return {}
    stmt: Any = (
        visible(Measure, include_drafts=include_drafts)
        .join(MeasureImplementation, MeasureImplementation.measure_id == Measure.id)
        .where(MeasureImplementation.recommendation_id.in_(ids))
        .with_only_columns(MeasureImplementation.recommendation_id)
        .distinct()
    )
    implemented = set(db.session.scalars(stmt))
    return {
        p.id: sum(1 for r in p.recommendations if r.recommendation_id in implemented)
        for p in papers
    }


@dataclass(frozen=True)
class Implements:
    """One thing a measure implements, as its page shows it (see
    templates/gaps/_implements.html)."""

    kind: str  # "action" or "recommendation"
    number: str
    text: str
    context: str | None
    #: catalogue title, or the paper's title
    source_title: str
    #: the paper's record id (for a link), None for catalogue actions
    paper_record_id: int | None
    degree: ImplementationDegree
    basis: MappingBasis
    locator: str | None
    rationale: str
    #: for catalogue actions: "verbatim" (the source's words) or "summary" (the tracker's)
    wording: str | None = None


def implemented_by(
    measure_ids: Iterable[int], *, include_drafts: bool = False
) -> dict[int, list[Implements]]:
    """For each measure row id, the actions and recommendations it implements (2 queries).

    Recommendations appear only when the reader may see their paper: a published
    measure linked to a draft paper never reveals the draft's text.
    """
    ids = list(measure_ids)
    result: dict[int, list[Implements]] = defaultdict(list)
    if not ids:
        return {}
    actions = (
        sa.select(MeasureImplementation, CatalogueAction, Catalogue.title)
        .join(CatalogueAction, CatalogueAction.id == MeasureImplementation.action_id)
        .join(Catalogue, Catalogue.id == CatalogueAction.catalogue_id)
        .where(MeasureImplementation.measure_id.in_(ids))
        .order_by(Catalogue.key, CatalogueAction.position)
    )
    for link, action, title in db.session.execute(actions):
        result[link.measure_id].append(
            Implements(
                "action",
                action.number,
                action.text,
                action.context,
                title,
                None,
                link.degree,
                link.basis,
                link.locator,
                link.rationale,
                action.wording.value,
            )
        )
    recommendations = (
        visible(Paper, include_drafts=include_drafts)
        .join(PaperRecommendation, PaperRecommendation.paper_id == Paper.id)
        .join(
            MeasureImplementation,
            MeasureImplementation.recommendation_id == PaperRecommendation.recommendation_id,
        )
        .where(MeasureImplementation.measure_id.in_(ids))
        .add_columns(PaperRecommendation, MeasureImplementation)
        .order_by(Paper.title, PaperRecommendation.position)
    )
    for paper, rec, link in db.session.execute(recommendations):
        result[link.measure_id].append(
            Implements(
                "recommendation",
                rec.number,
                rec.text,
                rec.addressee,
                paper.title,
                paper.record_id,
                link.degree,
                link.basis,
                link.locator,
                link.rationale,
            )
        )
    return dict(result)
