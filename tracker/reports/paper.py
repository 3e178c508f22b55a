"""The paper brief: each recommendation of a policy paper with the jurisdictions whose
measures implement it (data from tracker.papers.briefs), versioned and cached like the
other briefs.

Its data version hashes the paper copy and every visible measure linked to one of its
recommendations, each with its publication time: publishing the paper or a linked
measure gives the brief a new cache key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction, Membership
from tracker.measures.models import Measure, MeasureImplementation
from tracker.modelbase import DatePrecision, format_partial_date
from tracker.papers.briefs import PaperBrief, paper_brief_data
from tracker.papers.models import Paper, PaperRecommendation
from tracker.records.models import Record
from tracker.records.queries import visible
from tracker.reports.data import DataVersion
from tracker.reports.params import ReportParams


@dataclass
class PaperReport:
    params: ReportParams
    drafts: bool
    title: str
    version: DataVersion
    paper: PaperBrief
    #: recommendations with at least one current implementing measure
    implemented: int
    #: jurisdictions with at least one current implementing measure
    jurisdictions: list[str]
    #: (name, code, [(recommendation number, degree label)]) for each such jurisdiction
    by_jurisdiction: list[tuple[str, str, list[tuple[str, str]]]]
    #: the "At a glance" findings (tracker.reports.findings.Finding list)
    findings: list[Any] = field(default_factory=list)

    @property
    def as_of_text(self) -> str:
        """The day the brief was made for (the links it lists are those published then)."""
        return format_partial_date(self.params.resolved().as_of, DatePrecision.DAY)

    @property
    def subtitle(self) -> str:
        return "Recommendations and the jurisdictions that implement them"

    @property
    def keywords(self) -> list[str]:
        return ["cyber norms", "policy paper", "recommendations", *self.jurisdictions]


def visible_paper_id(record_id: int, *, include_drafts: bool = False) -> int | None:
    """The id of the paper copy this reader may see, or None (one query)."""
    return db.session.scalar(
        visible(Paper, include_drafts=include_drafts)
        .with_only_columns(Paper.id)
        .where(Paper.record_id == record_id)
    )


def paper_version(params: ReportParams, *, include_drafts: bool = False) -> DataVersion:
    """Version of a paper brief: the paper copy, its linked measures, their jurisdictions (3
    queries)."""
    from tracker.reports.queries import format_digest

    stamp = Record.updated_at if include_drafts else Record.published_at
    record_id = int(params.subject)
    h = hashlib.sha256(format_digest().encode())
    h.update(params.canonical().encode())
    paper = db.session.execute(
        sa.select(Paper.id, stamp, Record.version)
        .join(Record, Record.id == Paper.record_id)
        .where(Paper.id == visible_paper_id(record_id, include_drafts=include_drafts))
    ).first()
    latest = paper[1] if paper else None
    h.update(repr(tuple(paper) if paper else None).encode())
    if paper is not None:
        identities = sa.select(PaperRecommendation.recommendation_id).where(
            PaperRecommendation.paper_id == paper[0]
        )
        measures = (
            visible(Measure, include_drafts=include_drafts)
            .join(MeasureImplementation, MeasureImplementation.measure_id == Measure.id)
            .where(MeasureImplementation.recommendation_id.in_(identities))
            .subquery()
        )
        rows = db.session.execute(
            sa.select(
                measures.c.record_id,
                measures.c.id,
                stamp,
                Record.version,
                Jurisdiction.code,
                Jurisdiction.name,
            )
            .join(Record, Record.id == measures.c.record_id)
            .join(Jurisdiction, Jurisdiction.code == measures.c.jurisdiction_code)
            .order_by(measures.c.record_id, measures.c.id)
        ).all()
        for record, content, when, version, code, name in rows:
            h.update(
                (
                    f"m{record}:{content}:{when.isoformat() if when else ''}:"
                    f"{version if include_drafts else ''}:{code}:{name};"
                ).encode()
            )
            if when is not None and (latest is None or when > latest):
                latest = when
        orgs = sorted({code for *_, code, _name in rows})
        if orgs:
            h.update(
                repr(
                    db.session.execute(
                        sa.select(Membership.org_code, Membership.member_code)
                        .where(Membership.org_code.in_(orgs))
                        .order_by(Membership.org_code, Membership.member_code)
                    ).all()
                ).encode()
            )
    return DataVersion(digest=h.hexdigest(), date=latest.date() if latest else None)


def build_paper_report(
    params: ReportParams, *, include_drafts: bool = False, version: DataVersion | None = None
) -> PaperReport:
    """Everything the paper brief shows; raises LookupError when the reader may not see the
    paper."""
    params = params.resolved()
    brief = paper_brief_data(int(params.subject), include_drafts=include_drafts)
    if brief is None:
        raise LookupError(f"no visible paper {params.subject}")
    version = version or paper_version(params, include_drafts=include_drafts)
    implemented = sum(1 for r in brief.recommendations if any(j.degree for j in r.jurisdictions))
    by_code: dict[str, tuple[str, str, list[tuple[str, str]]]] = {}
    for rec in brief.recommendations:
        for j in rec.jurisdictions:
            if j.degree is not None:
                by_code.setdefault(j.code, (j.name, j.code, []))[2].append(
                    (rec.number, j.degree.label.lower())
                )
    rows = sorted(by_code.values())
    report = PaperReport(
        params=params,
        drafts=include_drafts,
        title=brief.title,
        version=version,
        paper=brief,
        implemented=implemented,
        jurisdictions=[r[0] for r in rows],
        by_jurisdiction=rows,
    )
    from tracker.reports.findings import paper_findings

    report.findings = paper_findings(report)
    return report
