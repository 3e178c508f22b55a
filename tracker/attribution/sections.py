"""Attributions as sections of other pages: a jurisdiction's page, the compare view, PDF briefs.

* ``attributions_beside_measures(code)`` feeds the partial
  ``templates/attribution/_beside_measures.html`` (a jurisdiction's statements
  grouped by the norms they invoke, beside its measures mapped to those norms).
* ``attribution_section(codes, as_of=None)`` builds plain, frozen dataclasses
  (no ORM objects, no lazy loading) for the compare view and the PDF briefs.

Both show published content only unless the caller passes ``include_drafts``
(which a view must take from ``include_drafts_requested``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker.attribution import queries
from tracker.attribution.models import (
    Attribution,
    AttributionStatement,
    FrameworkInvoked,
    InvokedNorm,
    PartyRole,
    StatementParty,
)
from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction, Membership
from tracker.measures import queries as measure_queries
from tracker.measures.models import Measure
from tracker.modelbase import DatePrecision, partial_date_text
from tracker.norms.models import Norm
from tracker.records.queries import visible

ROLE_LABELS = queries.ROLE_LABELS
StatementRef = queries.StatementRef


@dataclass
class BesideGroup:
    norm: Norm
    statements: list[StatementRef]
    #: the jurisdiction's measures mapped to this norm (its own and those that apply via the EU)
    measures: list[Measure]
    #: how many there are, when ``measures`` lists only some of them (the jurisdiction page
    #: lists the newest few and links to the rest)
    total: int | None = None

    @property
    def measure_count(self) -> int:
        return len(self.measures) if self.total is None else self.total


@dataclass
class BesideMeasures:
    jurisdiction: Jurisdiction
    groups: list[BesideGroup]
    #: statements that invoke no specific norm (with their UN framework status)
    without_norm: list[StatementRef]

    @property
    def statement_count(self) -> int:
        """Statements shown (each once, however many norms it invokes)."""
        ids = {r.statement.id for g in self.groups for r in g.statements}
        ids.update(r.statement.id for r in self.without_norm)
        return len(ids)

    @property
    def empty(self) -> bool:
        return not (self.groups or self.without_norm)


def statements_for(
    jurisdiction: Jurisdiction,
    *,
    include_drafts: bool = False,
    practice: queries.StatePractice | None = None,
) -> list[StatementRef]:
    """Its own statements (attributing, supporting, recalled) and those of its organisations."""
    if practice is None:
        practice = queries.state_practice(jurisdiction, include_drafts=include_drafts)
    return list(practice.refs)


def statements_for_page(
    jurisdiction: Jurisdiction, org_codes: list[str], *, include_drafts: bool = False
) -> list[StatementRef]:
    """What ``statements_for`` gives, for a page that knows the jurisdiction's organisations."""
    code = jurisdiction.code
    involved = queries._has_party([code], PartyRole)
    if org_codes:
        involved = sa.or_(involved, queries._has_party(org_codes))
    # Two queries: the attributions, then their statements with parties and norms joined.
    stmt = queries.newest_first(
        visible(Attribution, include_drafts=include_drafts)
        .where(involved)
        .options(
            selectinload(Attribution.statements).options(
                joinedload(AttributionStatement.parties),
                joinedload(AttributionStatement.invoked_norms).joinedload(InvokedNorm.norm),
            )
        )
    )
    return queries.refs_for(code, org_codes, db.session.scalars(stmt).unique())


def attributions_beside_measures(
    code: str,
    *,
    include_drafts: bool = False,
    practice: queries.StatePractice | None = None,
    organisations: list[Jurisdiction] | None = None,
    measures_by_norm: dict[str, list[Measure]] | None = None,
    measure_totals: dict[str, int] | None = None,
) -> BesideMeasures | None:
    """A jurisdiction's statements grouped by the norms they invoke, beside its measures
    mapped to the same norms. None when the code is unknown.

    A caller that has some of the data already may pass it to save queries: the
    jurisdiction's ``state_practice``; or the ``organisations`` it belongs to (then the
    statements come from one query, see ``statements_for_page``); and its visible
    measures by norm letter (``measures_by_norm``, its own and those that apply via
    its organisations), which spares the measure query; with ``measure_totals`` (by norm
    letter) when those lists are only the first few.
    """
    jurisdiction = db.session.get(Jurisdiction, code)
    if jurisdiction is None:
        return None
    if practice is None and organisations is not None:
        refs = statements_for_page(
            jurisdiction, [o.code for o in organisations], include_drafts=include_drafts
        )
    else:
        refs = statements_for(jurisdiction, include_drafts=include_drafts, practice=practice)
    by_letter: dict[str, list[StatementRef]] = {}
    norms: dict[str, Norm] = {}
    without = []
    for ref in refs:
        letters = []
        for inv in ref.statement.invoked_norms:
            if inv.norm.letter not in letters:
                letters.append(inv.norm.letter)
                norms[inv.norm.letter] = inv.norm
        if not letters:
            without.append(ref)
        for letter in letters:
            by_letter.setdefault(letter, []).append(ref)
    measures_by_letter: dict[str, list[Measure]] = {letter: [] for letter in by_letter}
    if measures_by_norm is not None:
        measures_by_letter = {
            letter: list(measures_by_norm.get(letter, [])) for letter in by_letter
        }
    elif by_letter:
        filters = measure_queries.MeasureFilters(jurisdictions=[code], norms=sorted(by_letter))
        stmt = measure_queries.with_details(
            measure_queries.filtered_measures(filters, include_drafts=include_drafts)
        )
        for measure in db.session.scalars(stmt):
            for letter in sorted({m.norm.letter for m in measure.mappings if m.norm is not None}):
                if letter in measures_by_letter:
                    measures_by_letter[letter].append(measure)
    groups = [
        BesideGroup(
            norms[letter],
            by_letter[letter],
            measures_by_letter[letter],
            (measure_totals or {}).get(letter, 0) if measure_totals is not None else None,
        )
        for letter in sorted(by_letter)
    ]
    return BesideMeasures(jurisdiction, groups, without)


# -- Compare view and PDF briefs -----------------------------------------------------


@dataclass(frozen=True)
class SourceSummary:
    url: str | None
    title: str
    accessed: str | None


@dataclass(frozen=True)
class InvokedSummary:
    letter: str
    basis: str
    basis_label: str
    passage: str | None
    locator: str | None


@dataclass(frozen=True)
class StatementSummary:
    """One statement of an attribution, as a section shows it for one jurisdiction."""

    record_id: int
    #: partial date as written: "2017-12-19", "2023-05" or "2023"
    date: str
    #: for reading: "19 December 2017"
    date_label: str
    operation: str
    #: (code, name) of each party of this statement, in the statement's order
    attributing: tuple[tuple[str, str], ...]
    attributing_orgs: tuple[str, ...]
    attributed_actor: str
    attributed_state: tuple[str, str] | None
    forms: tuple[str, ...]
    #: "yes", "no" or "unknown" (unknown is never "no")
    un_framework_invoked: str
    un_framework_label: str
    invoked_norms: tuple[InvokedSummary, ...]
    passage: str | None
    #: True: the passage is the statement's words (quoted); False: a labelled summary
    passage_verbatim: bool
    passage_source: str | None
    basis_note: str | None
    verification: str
    verification_label: str
    verification_note: str | None
    sources: tuple[SourceSummary, ...]
    #: how the section's jurisdiction stands to it: attributing, supporting, recalled or via
    role: str
    role_label: str
    #: for role "via": the organisation that made it (e.g. "EU")
    via: str | None = None

    @property
    def is_joint(self) -> bool:
        """A single text issued by several parties."""
        return len(self.attributing) + len(self.attributing_orgs) > 1


@dataclass(frozen=True)
class JurisdictionAttributions:
    code: str
    name: str
    statements: tuple[StatementSummary, ...]
    #: its own attributing statements (a single joint text counts once)
    attributed_count: int
    #: attributing statements made through an organisation it belongs to (the EU)
    via_count: int
    #: its own statements per invoked norm letter
    norm_counts: dict[str, int]
    #: its own statements by UN framework invoked: {"yes": n, "no": n, "unknown": n}
    framework_counts: dict[str, int]


@dataclass(frozen=True)
class AttributionSection:
    as_of: dt.date | None
    jurisdictions: tuple[JurisdictionAttributions, ...]
    #: norm letters invoked by any statement in the section
    norms: tuple[str, ...]
    #: distinct statements in the section (a joint text of two chosen States counts once)
    statement_count: int
    #: what the counts count, for a footnote
    note: str


COUNT_NOTE = (
    "Counts are of each jurisdiction's own statements: what another party said about the same "
    "operation is not credited to it, and a single joint text counts once for each of its "
    'parties. "Unknown" means the full text of the statement was not seen; it is not counted '
    'as "no". Statements made through the EU are shown for its member States, labelled '
    '"through the EU", and counted apart from their own.'
)


def latest_possible_date(date: dt.date, precision: DatePrecision) -> dt.date:
    """The last day a partially known date may stand for (2023-05 -> 31 May 2023)."""
    if precision is DatePrecision.YEAR:
        return dt.date(date.year, 12, 31)
    if precision is DatePrecision.MONTH:
        return dt.date(date.year, date.month, calendar.monthrange(date.year, date.month)[1])
    return date


def summarise(
    a: Attribution, statement: AttributionStatement, role: str, via: str | None = None
) -> StatementSummary:
    return StatementSummary(
        record_id=a.record_id,
        date=partial_date_text(a.date, a.date_precision) or "",
        date_label=statement.date_text or a.date_text,
        operation=a.operation,
        attributing=tuple((p.jurisdiction_code, p.jurisdiction.name) for p in statement.parties),
        attributing_orgs=tuple(statement.orgs or ()),
        attributed_actor=a.attributed_actor,
        attributed_state=(a.attributed_state.code, a.attributed_state.name)
        if a.attributed_state
        else None,
        forms=(statement.form.label,) if statement.form else (),
        un_framework_invoked=statement.un_framework_invoked.value,
        un_framework_label=statement.un_framework_invoked.label,
        invoked_norms=tuple(
            InvokedSummary(i.norm.letter, i.basis.value, i.basis.label, i.passage, i.locator)
            for i in statement.invoked_norms
        ),
        passage=statement.passage,
        passage_verbatim=statement.is_verbatim,
        passage_source=statement.passage_source,
        basis_note=a.basis_note,
        verification=a.verification.value,
        verification_label=a.verification.label,
        verification_note=a.verification_note,
        sources=tuple(
            SourceSummary(s.url, s.title, s.accessed.isoformat() if s.accessed else None)
            for s in a.sources
        ),
        role=role,
        role_label=ROLE_LABELS[role].format(org=via or ""),
        via=via,
    )


def _section_options(stmt: sa.Select[Any]) -> sa.Select[Any]:
    """Everything ``summarise`` reads, in a fixed number of queries, however many statements."""
    return stmt.options(
        selectinload(Attribution.statements)
        .selectinload(AttributionStatement.parties)
        .joinedload(StatementParty.jurisdiction),
        selectinload(Attribution.statements)
        .selectinload(AttributionStatement.invoked_norms)
        .joinedload(InvokedNorm.norm),
        selectinload(Attribution.form_rows),
        joinedload(Attribution.attributed_state),
        selectinload(Attribution.sources),
    )


def section_statement(
    codes: list[str], org_codes: list[str], *, include_drafts: bool = False
) -> sa.Select[Any]:
    """Visible attributions in which a chosen jurisdiction takes part (any role) or one of
    their organisations attributes, newest first: the one statement the section reads."""
    involved = queries._has_party(codes, PartyRole)
    if org_codes:
        involved = sa.or_(involved, queries._has_party(org_codes))
    return queries.newest_first(visible(Attribution, include_drafts=include_drafts).where(involved))


def norm_statement(
    letter: str, codes: list[str] | None = None, *, include_drafts: bool = False
) -> sa.Select[Any]:
    """Visible statements invoking the norm (explicitly or implicitly), newest first;
    with ``codes``, only those a chosen jurisdiction made or joined."""
    stmt = visible(Attribution, include_drafts=include_drafts).where(
        sa.exists().where(
            AttributionStatement.attribution_id == Attribution.id,
            InvokedNorm.statement_id == AttributionStatement.id,
            InvokedNorm.norm_id == Norm.id,
            Norm.letter == letter,
        )
    )
    if codes:
        stmt = stmt.where(queries._has_party(codes))
    return queries.newest_first(stmt)


def _made_by(a: Attribution, as_of: dt.date | None) -> bool:
    return as_of is None or latest_possible_date(a.date, a.date_precision) <= as_of


def _names(codes: list[str], names: dict[str, str] | None) -> dict[str, str]:
    """Names of the codes (from ``names`` when it has them all); ValueError for unknown codes."""
    if names is None or any(c not in names for c in codes):
        names = {
            c: n
            for c, n in db.session.execute(
                sa.select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(codes))
            )
        }
    unknown = [c for c in codes if c not in names]
    if unknown:
        raise ValueError(f"unknown jurisdiction code: {', '.join(unknown)}")
    return names


def _organisations_of(codes: list[str]) -> dict[str, list[str]]:
    """The organisations each jurisdiction belongs to, by code, in one query."""
    orgs_of: dict[str, list[str]] = {c: [] for c in codes}
    members = sa.select(Membership.member_code, Membership.org_code).where(
        Membership.member_code.in_(codes)
    )
    for member, org in db.session.execute(members.order_by(Membership.org_code)):
        orgs_of[member].append(org)
    return orgs_of


def _jurisdiction_attributions(
    code: str, name: str, refs: list[queries.StatementRef]
) -> JurisdictionAttributions:
    """One jurisdiction's statements, with the counts of its own attributing ones."""
    own = [r.statement for r in refs if r.role == "attributing"]
    norm_counts: Counter[str] = Counter()
    for st in own:
        for letter in {i.norm.letter for i in st.invoked_norms}:
            norm_counts[letter] += 1
    framework = Counter(st.un_framework_invoked.value for st in own)
    return JurisdictionAttributions(
        code=code,
        name=name,
        statements=tuple(summarise(r.attribution, r.statement, r.role, r.via) for r in refs),
        attributed_count=len(own),
        via_count=sum(1 for r in refs if r.role == "via"),
        norm_counts=dict(sorted(norm_counts.items())),
        framework_counts={f.value: framework.get(f.value, 0) for f in FrameworkInvoked},
    )


def attribution_section(
    codes: list[str],
    as_of: dt.date | None = None,
    *,
    include_drafts: bool = False,
    orgs_of: dict[str, list[str]] | None = None,
    names: dict[str, str] | None = None,
) -> AttributionSection:
    """The attributions section of a comparison or brief, for the chosen jurisdictions.

    ``as_of`` keeps statements made on or before that day; a date known only to
    the month or year counts from its last possible day, so the section never
    claims a statement that may not yet have been made. Raises ValueError for
    unknown codes. A bounded number of queries, whatever the number of
    jurisdictions: names and memberships (unless ``names`` and ``orgs_of`` are given),
    then the statements with what they show (five queries).
    """
    codes = list(dict.fromkeys(codes))
    names = _names(codes, names)
    if orgs_of is None:
        orgs_of = _organisations_of(codes)
    all_orgs = sorted({o for c in codes for o in orgs_of.get(c, [])})
    statements = [
        a
        for a in db.session.scalars(
            _section_options(section_statement(codes, all_orgs, include_drafts=include_drafts))
        ).unique()
        if _made_by(a, as_of)
    ]
    sections = []
    seen: set[int] = set()
    letters: set[str] = set()
    for code in codes:
        refs = queries.refs_for(code, orgs_of.get(code, []), statements)
        for r in refs:
            seen.add(r.statement.id)
            letters.update(i.norm.letter for i in r.statement.invoked_norms)
        sections.append(_jurisdiction_attributions(code, names[code], refs))
    return AttributionSection(
        as_of=as_of,
        jurisdictions=tuple(sections),
        norms=tuple(sorted(letters)),
        statement_count=len(seen),
        note=COUNT_NOTE,
    )


def norm_attributions(
    letter: str,
    as_of: dt.date | None = None,
    *,
    codes: list[str] | None = None,
    include_drafts: bool = False,
) -> list[StatementSummary]:
    """Statements invoking norm ``letter`` (for the norm brief), newest first, in four queries."""
    stmt = _section_options(norm_statement(letter, codes, include_drafts=include_drafts))
    return [
        summarise(a, s, s.role.value)
        for a in db.session.scalars(stmt).unique()
        if _made_by(a, as_of)
        for s in a.statements
        if any(i.norm.letter == letter for i in s.invoked_norms)
        and (not codes or set(codes) & set(s.codes))
    ]
