"""Sections a brief borrows from other domains: the gap analysis (country briefs) and
attribution statements (country and norm briefs; comparisons when asked for).

Each section comes as plain data built in a fixed number of queries, and each has a
version text that ``tracker.reports.queries.data_version`` hashes into the brief's
cache key, so publishing anything a section shows gives the brief a new key.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tracker.attribution import sections as attribution
from tracker.catalogues.models import CatalogueAction
from tracker.extensions import db
from tracker.gaps import analysis
from tracker.measures.models import ImplementationDegree, Measure
from tracker.records.models import Record
from tracker.records.queries import visible
from tracker.reports import charts, findings
from tracker.reports.data import GapGroup, GapLine, GapSummary, Report
from tracker.reports.params import ReportParams, today

GAP_NOTE = (
    "Coverage by the measures in force today (see how the tracker dates measures). A catalogue "
    "action counts only where "
    "a measure "
    "is explicitly linked to it, with the degree the link gives; proposed, superseded and "
    "rescinded "
    "measures are listed but never close a gap. A gap means the tracker records no "
    "measure: it does "
    "not prove that none exists. " + analysis.WORDING_NOTE
)


def has_gaps(params: ReportParams) -> bool:
    """Country briefs as of today carry the gap analysis (it knows no as-of date)."""
    p = params.resolved()
    return p.kind == "jurisdiction" and p.as_of == today()


def has_attributions(params: ReportParams) -> bool:
    return params.kind in ("jurisdiction", "norm") or (
        params.kind == "compare" and params.attributions
    )


def _found(f: analysis.Found) -> str:
    text = f.measure.label
    if f.via:
        text += f" via {f.via}"
    if f.degree is ImplementationDegree.PARTIAL:
        text += " (partly)"
    return text


#: measures named on one line of the gap section; the rest are counted ("and 12 more")
GAP_LINE_MAX = 6


def _bounded(items: list[str]) -> list[str]:
    if len(items) <= GAP_LINE_MAX:
        return items
    return [*items[:GAP_LINE_MAX], f"and {len(items) - GAP_LINE_MAX} more"]


def gap_summary(code: str, *, include_drafts: bool = False) -> GapSummary:
    """The jurisdiction's coverage of the supply-chain norms, topics and catalogue actions."""
    matrix = analysis.build_matrix([code], include_drafts=include_drafts)
    ref = matrix.jurisdictions[0]
    groups: list[GapGroup] = []
    for section in matrix.sections:
        for group in section.groups:
            lines = []
            for row in group.rows:
                cell = row.cell(code)
                lines.append(
                    GapLine(
                        number=row.number,
                        label=row.label,
                        state=cell.state.value,
                        state_label=cell.state.label,
                        measures=_bounded([_found(f) for f in cell.measures]),
                        others=_bounded(
                            [f"{_found(f)}, {f.measure.standing.label}" for f in cell.others]
                        ),
                        wording=row.wording,
                    )
                )
            heading = group.heading
            if heading and group.subtitle:
                heading = f"{heading}: {group.subtitle}"
            groups.append(GapGroup(section.title, heading, lines))
    counts = matrix.counts(code)
    return GapSummary(
        code=ref.code,
        name=ref.name,
        orgs=list(ref.orgs),
        counts={state.value: n for state, n in counts.items()},
        groups=groups,
        note=GAP_NOTE,
    )


def add_sections(
    report: Report, params: ReportParams, *, include_drafts: bool, orgs_of: dict[str, list[str]]
) -> None:
    """Fill the report's optional sections (params already resolved)."""
    if has_gaps(params):
        report.gaps = gap_summary(params.subject, include_drafts=include_drafts)
    report.findings = findings.findings(report)
    report.charts = charts.for_report(report, orgs_of)
    if not has_attributions(params):
        return
    if params.kind == "norm":
        report.norm_statements = attribution.norm_attributions(
            params.subject,
            params.as_of,
            codes=list(params.jurisdictions) or None,
            include_drafts=include_drafts,
        )
    else:
        codes = [r.code for r in report.rows]
        report.attributions = attribution.attribution_section(
            codes,
            params.as_of,
            include_drafts=include_drafts,
            orgs_of={c: orgs_of.get(c, []) for c in codes},
            names={r.code: r.name for r in report.rows},
        )


def _stamped(stmt: sa.Select[Any], include_drafts: bool) -> str:
    """(record, content row, publication) of each row of ``stmt``: what changes when it is
    published."""
    inner = stmt.order_by(None).subquery()
    stamp = Record.updated_at if include_drafts else Record.published_at
    rows = db.session.execute(
        sa.select(
            inner.c.record_id,
            inner.c.id,
            stamp,
            Record.version if include_drafts else sa.literal(0),
        )
        .join(Record, Record.id == inner.c.record_id)
        .order_by(inner.c.record_id, inner.c.id)
    ).all()
    return ";".join(f"{r}:{i}:{w.isoformat() if w else ''}:{v}" for r, i, w, v in rows)


def version_text(
    params: ReportParams, codes: list[str] | None, orgs: list[str], *, include_drafts: bool
) -> str:
    """What the optional sections of this brief show, for its data version (a few queries).

    ``codes`` are the chosen jurisdictions (None for a norm brief over all), ``orgs`` the
    organisations they belong to.
    """
    parts: list[str] = []
    if has_gaps(params):
        scope = sorted({*(codes or []), *orgs})
        measures = visible(Measure, include_drafts=include_drafts).where(
            Measure.jurisdiction_code.in_(scope)
        )
        # Published briefs: the measures are in the brief's own stamps (data_version).
        parts.append("gaps:" + (_stamped(measures, include_drafts) if include_drafts else ""))
        actions = db.session.execute(
            sa.select(
                CatalogueAction.id,
                CatalogueAction.key,
                CatalogueAction.number,
                CatalogueAction.text,
                CatalogueAction.context,
                CatalogueAction.wording,
                CatalogueAction.norm_id,
            ).order_by(CatalogueAction.id)
        ).all()
        parts.append(repr(actions))
    if has_attributions(params):
        if params.kind == "norm":
            stmt = attribution.norm_statement(
                params.subject, list(params.jurisdictions) or None, include_drafts=include_drafts
            )
        else:
            stmt = attribution.section_statement(
                list(codes or []), orgs, include_drafts=include_drafts
            )
        parts.append("attributions:" + _stamped(stmt, include_drafts))
    return "|".join(parts)
