"""Report data: plain dataclasses built in a fixed number of queries, then rendered.

Nothing here renders HTML except measure descriptions (sanitised Markdown), and the
templates receive finished data: no lazy database access happens while rendering.
Every query starts from ``tracker.records.queries.visible``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction, Membership
from tracker.measures import lifecycle
from tracker.measures.lifecycle import COMPARED
from tracker.measures.models import Mapping, Measure, measure_topics
from tracker.modelbase import DatePrecision, format_partial_date
from tracker.norms.models import Commitment, Norm, Topic
from tracker.records import stamps
from tracker.records.models import Record
from tracker.records.queries import visible
from tracker.reports import entries as entries_
from tracker.reports import grid, selection, summary
from tracker.reports import sections as report_sections
from tracker.reports.data import (
    Citation,
    CitationGroup,
    Column,
    DataVersion,
    MeasureEntry,
    NormInfo,
    Report,
    Section,
)
from tracker.reports.params import ReportParams, today

# --------------------------------------------------------------------------- scope


def memberships(codes: list[str]) -> dict[str, list[str]]:
    """Organisations each jurisdiction belongs to (DE -> [EU]), in one query."""
    orgs: dict[str, list[str]] = {c: [] for c in codes}
    stmt = sa.select(Membership.member_code, Membership.org_code).where(
        Membership.member_code.in_(codes)
    )
    for member, org in db.session.execute(stmt.order_by(Membership.org_code)):
        orgs[member].append(org)
    return orgs


def scope_codes(params: ReportParams) -> list[str] | None:
    """Jurisdictions whose measures can appear in the report (None: any)."""
    if params.kind == "norm" and not params.jurisdictions:
        return None
    orgs = memberships(list(params.jurisdictions))
    return sorted({*params.jurisdictions, *(o for os_ in orgs.values() for o in os_)})


def scope_statement(params: ReportParams, *, include_drafts: bool) -> sa.Select[Any]:
    """Visible measures in the report's scope: jurisdictions, norms, and topics if any."""
    stmt = visible(Measure, include_drafts=include_drafts)
    codes = scope_codes(params)
    if codes is not None:
        stmt = stmt.where(Measure.jurisdiction_code.in_(codes))
    norm_id: Any = Mapping.norm_id
    if db.session.get_bind().dialect.name == "sqlite":
        # "+ 0": SQLite finds a measure's few mappings by measure id, never by norm (tens of
        # thousands per norm at scale), whatever its statistics say. PostgreSQL's planner
        # is left its estimates: with "+ 0" it guessed 1 row in 200 and probed 42,000
        # measures one by one instead of hashing the mappings of the norms.
        norm_id = norm_id + 0
    stmt = stmt.where(
        sa.exists().where(
            Mapping.measure_id == Measure.id,
            norm_id == Norm.id,
            Norm.letter.in_(params.norms),
        )
    )
    topics = params.topics
    if params.by == "topic" and not topics:
        topics = ()  # every topic is a column: a measure needs at least one topic
        stmt = stmt.where(sa.exists().where(measure_topics.c.measure_id == Measure.id))
    if topics:
        stmt = stmt.where(
            sa.exists().where(
                measure_topics.c.measure_id == Measure.id,
                measure_topics.c.topic_id == Topic.id,
                Topic.slug.in_(topics),
            )
        )
    return stmt


def scope_count(params: ReportParams, *, include_drafts: bool) -> int:
    """How many measures are in the brief's scope (one count query)."""
    scope = scope_statement(params, include_drafts=include_drafts).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(scope)) or 0


_format_digest: str | None = None


def format_digest() -> str:
    """A hash of the code and templates that shape a brief, so a deploy refreshes the cache."""
    global _format_digest
    if _format_digest is None:
        from pathlib import Path

        root = Path(__file__).resolve().parents[2]
        files = sorted(
            [
                *root.glob("templates/pdf/*.html"),
                *root.glob("templates/reports/_*.html"),
                root / "static/css/print.css",
                *Path(__file__).parent.glob("*.py"),
            ]
        )
        h = hashlib.sha256()
        for f in files:
            if f.is_file():
                h.update(f.name.encode() + f.read_bytes())
        _format_digest = h.hexdigest()
    return _format_digest


def _stamp_scopes(params: ReportParams, codes: list[str] | None) -> list[str]:
    """The stamps that move when a measure in the brief's scope is published or withdrawn."""
    if codes is None:
        return [stamps.norm_scope(letter) for letter in params.norms]
    return [stamps.jurisdiction_scope(code) for code in codes]


def _hash_stamps(h: Any, params: ReportParams, codes: list[str] | None) -> dt.datetime | None:
    found = stamps.read(_stamp_scopes(params, codes))
    for scope, (seq, when) in found.items():
        h.update(f"{scope}:{seq}:{when.isoformat() if when else ''};".encode())
    dated = [when for _seq, when in found.values() if when is not None]
    return max(dated) if dated else None


def _hash_scope_rows(h: Any, params: ReportParams) -> dt.datetime | None:
    """Draft briefs: (record, content row, last change, version) of each measure in scope."""
    scope = scope_statement(params, include_drafts=True).subquery()
    rows = db.session.execute(
        sa.select(scope.c.record_id, scope.c.id, Record.updated_at, Record.version)
        .join(Record, Record.id == scope.c.record_id)
        .order_by(scope.c.record_id)
    ).all()
    latest: dt.datetime | None = None
    for record_id, content_id, when, version in rows:
        h.update(
            f"m{record_id}:{content_id}:{when.isoformat() if when else ''}:{version};".encode()
        )
        if when is not None and (latest is None or when > latest):
            latest = when
    return latest


def data_version(params: ReportParams, *, include_drafts: bool = False) -> DataVersion:
    """The version of the data a brief shows, from the records in its scope only.

    A hash over (record, content row, publication time) of the measures in scope, plus the
    framework texts and jurisdiction names the brief prints. Publishing a measure changes
    the versions of exactly the briefs whose scope holds it (before or after the change).
    Published briefs read the publication stamps of their scope (tracker.records.stamps:
    one counter per jurisdiction, per norm), never the measures, so the version of a brief
    at any data size costs a few small queries. Draft briefs (staff only) hash the rows.
    """
    if params.kind == "paper":
        from tracker.reports.paper import paper_version

        return paper_version(params, include_drafts=include_drafts)
    h = hashlib.sha256(format_digest().encode())
    h.update(params.canonical().encode())
    codes = scope_codes(params)
    if include_drafts:
        latest = _hash_scope_rows(h, params)
    else:
        latest = _hash_stamps(h, params, codes)
    norms = db.session.execute(
        sa.select(
            Norm.letter, Norm.reference, Norm.short_title, Norm.official_text, Norm.verification
        )
        .where(Norm.letter.in_(params.norms))
        .order_by(Norm.letter)
    ).all()
    h.update(repr(norms).encode())
    h.update(
        repr(
            db.session.execute(
                sa.select(Topic.slug, Topic.name).order_by(Topic.position, Topic.slug)
            ).all()
        ).encode()
    )
    if report_sections.has_gaps(params) or report_sections.has_attributions(params):
        chosen = list(params.jurisdictions) if params.jurisdictions else None
        orgs = sorted(set(codes or []) - set(chosen or []))
        h.update(
            report_sections.version_text(
                params, chosen, orgs, include_drafts=include_drafts
            ).encode()
        )
    names = sa.select(Jurisdiction.code, Jurisdiction.name).order_by(Jurisdiction.code)
    if codes is not None:
        names = names.where(Jurisdiction.code.in_(codes))
    h.update(repr(db.session.execute(names).all()).encode())
    if params.kind == "norm":
        h.update(
            repr(
                db.session.execute(
                    sa.select(
                        Commitment.key,
                        Commitment.title,
                        Commitment.instrument,
                        Commitment.paragraph,
                        Commitment.verification,
                    )
                    .join(Norm, Norm.id == Commitment.norm_id)
                    .where(Norm.letter == params.subject)
                    .order_by(Commitment.key)
                ).all()
            ).encode()
        )
    return DataVersion(digest=h.hexdigest(), date=latest.date() if latest else None)


# --------------------------------------------------------------------------- build


#: standings listed beside the grid without filling a cell (kept here for importers)
LISTED = grid.LISTED


def _columns(params: ReportParams) -> list[Column]:
    if params.by == "topic":
        stmt = sa.select(Topic).order_by(Topic.position, Topic.slug)
        if params.topics:
            stmt = stmt.where(Topic.slug.in_(params.topics))
        return [Column(t.slug, t.name, t.definition) for t in db.session.scalars(stmt)]
    norms = db.session.scalars(
        sa.select(Norm).where(Norm.letter.in_(params.norms)).order_by(Norm.letter)
    )
    return [Column(n.letter, n.label, n.short_title) for n in norms]


def _norm_info(letter: str) -> NormInfo | None:
    norm = db.session.scalar(
        sa.select(Norm).where(Norm.letter == letter).options(selectinload(Norm.commitments))
    )
    if norm is None:
        return None
    return NormInfo(
        letter=norm.letter,
        reference=norm.reference,
        short_title=norm.short_title,
        official_text=norm.official_text,
        verification=norm.verification.value,
        verification_label=norm.verification.label,
        commitments=[
            {
                "title": c.title,
                "instrument": c.instrument,
                "paragraph": c.paragraph,
                "kind": c.kind.label,
                "verification": c.verification.value,
                "verification_label": c.verification.label,
                "standing": c.standing_label,
            }
            for c in norm.commitments
        ],
    )


def _names(codes: list[str], entries: list[MeasureEntry]) -> dict[str, str]:
    wanted = {*codes, *(e.jurisdiction_code for e in entries)}
    return dict(
        db.session.execute(
            sa.select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(wanted))
        ).all()
    )


def _layout(params: ReportParams, entries: list[MeasureEntry]) -> grid.Layout:
    """The grid's rows: the chosen jurisdictions, or for a norm brief over all, every
    jurisdiction with a measure shown (by name)."""
    over_all = params.kind == "norm" and not params.jurisdictions
    if over_all:
        codes = sorted({e.jurisdiction_code for e in entries if e.status.standing in COMPARED})
    else:
        codes = list(params.jurisdictions)
    names = _names(codes, entries)
    if over_all:
        codes.sort(key=lambda c: names.get(c, c))
    return grid.Layout(codes, _columns(params), names, memberships(codes), params.by)


def build_report(
    params: ReportParams, *, include_drafts: bool = False, version: DataVersion | None = None
) -> Any:
    """Everything a brief or the comparison page shows, as plain data (a ``Report``, or
    a ``PaperReport`` for a paper brief). Every measure in scope is counted; at scale the
    brief describes the ones tracker.reports.selection chooses, and loads only their
    details."""
    if params.kind == "paper":
        from tracker.reports.paper import build_paper_report

        return build_paper_report(params, include_drafts=include_drafts, version=version)
    params = params.resolved()
    assert params.as_of is not None
    on, now = params.as_of, today()
    version = version or data_version(params, include_drafts=include_drafts)
    scope = scope_statement(params, include_drafts=include_drafts)
    entries = sorted(
        entries_.light_entries(scope, on, now, include_drafts=include_drafts),
        key=lambda e: (e.sort_date, e.label),
    )
    layout = _layout(params, entries)
    rows = grid.rows(layout, [e for e in entries if e.status.standing in COMPARED])
    all_sections = grid.sections(layout, entries)
    figures = _figures(all_sections)
    as_of_text = format_partial_date(on, DatePrecision.DAY)
    sections, chosen = selection.select(params, rows, all_sections, as_of_text, include_drafts)
    if chosen is None:  # the brief describes everything it lists
        for e in entries:
            e.detailed = True
    sources = entries_.fill_details(entries, scope, on, now, include_drafts=include_drafts)
    citations, groups = _number_citations(sections, sources)
    report = Report(
        params=params,
        drafts=include_drafts,
        title=_title(params, layout.names),
        subtitle=_subtitle(params, layout.columns),
        as_of=on,
        as_of_is_today=on == now,
        columns=layout.columns,
        rows=rows,
        sections=sections,
        citations=citations,
        citation_groups=groups,
        summary=[],
        figures=figures,
        version=version,
        norm=_norm_info(params.subject) if params.kind == "norm" else None,
        selection=chosen,
    )
    report.summary = summary.sentences(report)
    report_sections.add_sections(
        report, params, include_drafts=include_drafts, orgs_of=layout.orgs_of
    )
    return report


def _number_citations(
    sections: list[Section], sources: dict[int, list[tuple[str, str | None, str | None]]]
) -> tuple[list[Citation], list[CitationGroup]]:
    """Number every source of every listed measure, in reading order, the official text first."""
    citations: list[Citation] = []
    groups: list[CitationGroup] = []
    for s in sections:
        for entry in s.listed:
            group = CitationGroup(entry.label, s.name, [])
            for title, url, accessed in sources.get(entry.record_id, []):
                citation = Citation(len(citations) + 1, title, url, accessed, entry.label)
                citations.append(citation)
                group.citations.append(citation)
                entry.citations.append(citation.number)
            if group.citations:
                groups.append(group)
    return citations, groups


def _figures(sections: list[Section]) -> dict[str, int]:
    counted = [e for s in sections for e in s.measures]
    listed = [e for s in sections for e in s.listed]
    return {
        **lifecycle.count(e.status for e in listed).as_dict(),
        "measures": len(counted),
        "verified": sum(e.verification == "verified" for e in counted),
        "secondary": sum(e.verification == "secondary" for e in counted),
        "unverified": sum(e.verification == "unverified" for e in counted),
        "pending": sum(len(s.pending) for s in sections),
        "ended": sum(len(s.ended) for s in sections),
    }


def _title(params: ReportParams, names: dict[str, str]) -> str:
    if params.kind == "jurisdiction":
        return (
            f"{names.get(params.subject, params.subject)}: national measures and the UN cyber norms"
        )
    if params.kind == "norm":
        title = db.session.scalar(sa.select(Norm.short_title).where(Norm.letter == params.subject))
        return f"Norm ({params.subject}): {title}" if title else f"Norm ({params.subject})"
    listed = [names.get(c, c) for c in params.jurisdictions]
    if len(listed) <= 4:
        return "Comparison: " + summary.join_names(listed)
    return f"Comparison of {len(listed)} jurisdictions"


def _subtitle(params: ReportParams, columns: list[Column]) -> str:
    if params.kind == "norm":
        return (
            "National and regional measures that implement it, A/70/174 para. 13 ("
            + params.subject
            + ")"
        )
    if params.by == "topic":
        what = "Software supply-chain topics: " + ", ".join(c.label for c in columns)
    else:
        what = "; ".join(f"{c.label}: {c.title}" for c in columns)
    if params.topics and params.by != "topic":
        what += f" (topics: {', '.join(params.topics)})"
    return what
