"""Queries over attribution statements. Each returns a statement or a small result.

Every query starts from ``tracker.records.queries.visible`` so that the public
only ever sees live copies of records that are not deleted.

An attribution (one operation, publicly attributed) holds one or more statements,
each with its own parties. Counts say what they count:

* *attributions*: each operation once, however many statements it holds;
* *statements*: a single joint text counts once;
* *attributions by States* (the EU counts as one party): each jurisdiction that
  made a statement counts once per attribution. Organisations that are not
  jurisdictions (NATO) are listed but not counted.

What a statement invokes (norms, the UN framework) is credited only to its own
parties, never to another statement of the same attribution.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.attribution.models import (
    Attribution,
    AttributionForm,
    AttributionFormRow,
    AttributionStatement,
    FrameworkInvoked,
    InvocationBasis,
    InvokedNorm,
    PartyRole,
    StatementParty,
)
from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction, Membership
from tracker.jurisdictions.queries import known_codes
from tracker.norms.models import Norm
from tracker.queryargs import InvalidArgument, list_arg
from tracker.records.queries import visible

YEAR_MIN, YEAR_MAX = 1900, 2100
NORM_LETTERS = "abcdefghijk"


@dataclass
class AttributionFilters:
    """Validated filters shared by the timeline and the API."""

    attributing: list[str] = field(default_factory=list)
    attributed: list[str] = field(default_factory=list)
    norms: list[str] = field(default_factory=list)
    forms: list[AttributionForm] = field(default_factory=list)
    framework: list[FrameworkInvoked] = field(default_factory=list)
    year: int | None = None

    @property
    def active(self) -> bool:
        return bool(
            self.attributing
            or self.attributed
            or self.norms
            or self.forms
            or self.framework
            or self.year
        )

    def as_args(self) -> dict[str, Any]:
        """Query-string arguments that reproduce these filters."""
        args: dict[str, Any] = {}
        if self.attributing:
            args["attributing"] = self.attributing
        if self.attributed:
            args["attributed"] = self.attributed
        if self.norms:
            args["norm"] = self.norms
        if self.forms:
            args["form"] = [f.value for f in self.forms]
        if self.framework:
            args["un_framework"] = [f.value for f in self.framework]
        if self.year:
            args["year"] = self.year
        return args


def parse_filters(args: MappingType[str, Any]) -> AttributionFilters:
    """Read filters from query arguments; raises InvalidArgument on a malformed value."""
    filters = AttributionFilters()
    filters.attributing = known_codes([c.upper() for c in list_arg(args, "attributing")])
    filters.attributed = known_codes([c.upper() for c in list_arg(args, "attributed")])
    letters = [n.lower() for n in list_arg(args, "norm")]
    bad = [n for n in letters if len(n) != 1 or n not in NORM_LETTERS]
    if bad:
        raise InvalidArgument(f"Unknown norm: {', '.join(bad)}. Norms are the letters a to k.")
    filters.norms = letters
    try:
        filters.forms = [AttributionForm.parse(v) for v in list_arg(args, "form")]  # type: ignore[misc]
        filters.framework = [FrameworkInvoked.parse(v) for v in list_arg(args, "un_framework")]  # type: ignore[misc]
    except ValueError as exc:
        raise InvalidArgument(f"Invalid filter: {exc}.") from None
    years = list_arg(args, "year")
    if years:
        if len(years) > 1 or not years[0].isdigit() or not YEAR_MIN <= int(years[0]) <= YEAR_MAX:
            raise InvalidArgument(
                f"Invalid year {years[0]!r}: give one year as four digits, e.g. 2021."
            )
        filters.year = int(years[0])
    return filters


def with_details(stmt: sa.Select[Any]) -> sa.Select[Any]:
    """Eager-load what list and detail templates show, in a fixed number of queries."""
    return stmt.options(
        selectinload(Attribution.statements)
        .selectinload(AttributionStatement.parties)
        .selectinload(StatementParty.jurisdiction),
        selectinload(Attribution.statements)
        .selectinload(AttributionStatement.invoked_norms)
        .selectinload(InvokedNorm.norm),
        selectinload(Attribution.form_rows),
        selectinload(Attribution.attributed_state),
        selectinload(Attribution.sources),
        selectinload(Attribution.record),
    )


def _has_party(
    codes: Iterable[str], roles: Iterable[PartyRole] = (PartyRole.ATTRIBUTING,)
) -> sa.ColumnElement[bool]:
    return sa.exists().where(
        AttributionStatement.attribution_id == Attribution.id,
        StatementParty.statement_id == AttributionStatement.id,
        AttributionStatement.role.in_(list(roles)),
        StatementParty.jurisdiction_code.in_(list(codes)),
    )


def newest_first(stmt: sa.Select[Any]) -> sa.Select[Any]:
    return stmt.order_by(Attribution.date.desc(), Attribution.id.desc())


def filtered_attributions(
    filters: AttributionFilters, *, include_drafts: bool = False
) -> sa.Select[Any]:
    """Statements matching the filters, newest first."""
    stmt = visible(Attribution, include_drafts=include_drafts)
    if filters.attributing:
        stmt = stmt.where(_has_party(filters.attributing))
    if filters.attributed:
        stmt = stmt.where(Attribution.attributed_state_code.in_(filters.attributed))
    if filters.norms:
        stmt = stmt.where(
            sa.exists().where(
                AttributionStatement.attribution_id == Attribution.id,
                InvokedNorm.statement_id == AttributionStatement.id,
                InvokedNorm.norm_id == Norm.id,
                Norm.letter.in_(filters.norms),
            )
        )
    if filters.forms:
        stmt = stmt.where(
            sa.exists().where(
                AttributionFormRow.attribution_id == Attribution.id,
                AttributionFormRow.form.in_(filters.forms),
            )
        )
    if filters.framework:
        # An attribution matches when one of its attributing statements has the value.
        stmt = stmt.where(
            sa.exists().where(
                AttributionStatement.attribution_id == Attribution.id,
                AttributionStatement.role == PartyRole.ATTRIBUTING,
                AttributionStatement.un_framework_invoked.in_(filters.framework),
            )
        )
    if filters.year:
        stmt = stmt.where(
            Attribution.date >= dt.date(filters.year, 1, 1),
            Attribution.date < dt.date(filters.year + 1, 1, 1),
        )
    return newest_first(stmt)


def list_attributions(
    filters: AttributionFilters | None = None, *, include_drafts: bool = False
) -> list[Attribution]:
    stmt = with_details(
        filtered_attributions(filters or AttributionFilters(), include_drafts=include_drafts)
    )
    return list(db.session.scalars(stmt))


def get_attribution(record_id: int, *, include_drafts: bool = False) -> Attribution | None:
    """The copy of an attribution record this reader may see, with everything the page shows."""
    stmt = with_details(visible(Attribution, include_drafts=include_drafts)).where(
        Attribution.record_id == record_id
    )
    return db.session.scalar(stmt)


def get_jurisdiction(code: str) -> Jurisdiction | None:
    return db.session.get(Jurisdiction, code)


def suggest_jurisdiction(text: str) -> Jurisdiction | None:
    """A jurisdiction the reader probably meant by an unknown code: alpha-3 or a name."""
    text = text.strip()
    if not text or len(text) > 200:
        return None
    stmt = sa.select(Jurisdiction).where(
        sa.or_(
            sa.func.upper(Jurisdiction.code) == text.upper(),
            sa.func.upper(Jurisdiction.alpha3) == text.upper(),
            sa.func.lower(Jurisdiction.name) == text.lower().replace("-", " "),
        )
    )
    found = db.session.scalars(stmt.limit(1)).first()
    if found is None and len(text) <= 8:
        from tracker.jurisdictions.queries import explain_unknown_code

        found = explain_unknown_code(text.upper()).suggestion  # UK -> GB, EL -> GR
    return found


# -- Counting ---------------------------------------------------------------------------


@dataclass
class Totals:
    """Counts over a list of attributions, each saying what it counts."""

    #: attributing statements; a single joint text counts once
    statements: int = 0
    #: attributions by States (the EU counts as one): each jurisdiction once per attribution
    state_attributions: int = 0
    #: attributing statements by UN framework invoked (yes / no / unknown, never merged)
    framework: dict[FrameworkInvoked, int] = field(default_factory=dict)

    @classmethod
    def of(cls, attributions: Iterable[Attribution]) -> Totals:
        return cls.of_statements(s for a in attributions for s in a.attributing_statements)

    @classmethod
    def of_statements(cls, statements: Iterable[AttributionStatement]) -> Totals:
        totals = cls(framework={f: 0 for f in FrameworkInvoked})
        seen: set[tuple[int, str]] = set()
        for s in statements:
            totals.statements += 1
            for code in s.codes:
                if (s.attribution_id, code) not in seen:
                    seen.add((s.attribution_id, code))
                    totals.state_attributions += 1
            totals.framework[s.un_framework_invoked] += 1
        return totals


def count_by_party(attributions: Iterable[Attribution]) -> list[tuple[Jurisdiction, int]]:
    """Attributions per attributing jurisdiction, most first."""
    counts: Counter[str] = Counter()
    names: dict[str, Jurisdiction] = {}
    for a in attributions:
        for p in a.attributing:
            counts[p.jurisdiction_code] += 1
            names[p.jurisdiction_code] = p.jurisdiction
    return [
        (names[c], n) for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], names[kv[0]].name))
    ]


def count_orgs(attributions: Iterable[Attribution]) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter(org for a in attributions for org in a.attributing_orgs)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


@dataclass
class YearGroup:
    year: int
    statements: list[Attribution]

    @property
    def totals(self) -> Totals:
        return Totals.of(self.statements)


def by_year(statements: list[Attribution]) -> list[YearGroup]:
    """Group statements (already newest first) by year, newest year first."""
    groups: dict[int, list[Attribution]] = {}
    for a in statements:
        groups.setdefault(a.year, []).append(a)
    return [YearGroup(year, items) for year, items in sorted(groups.items(), reverse=True)]


# -- Per State -------------------------------------------------------------------------

#: how a jurisdiction stands to a statement shown on its pages
ROLE_LABELS = {
    "attributing": "Its own statement",
    "supporting": "Supported",
    "recalled": "Recalled as attributing, not verified",
    "via": "Through the {org}, of which it is a member",
}


@dataclass
class StatementRef:
    """One statement as it relates to one jurisdiction: its own (in the statement's role),
    or made through an organisation it belongs to (role "via")."""

    attribution: Attribution
    statement: AttributionStatement
    #: "attributing", "supporting", "recalled" or "via"
    role: str
    #: the organisation code when role is "via" (e.g. "EU")
    via: str | None = None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role].format(org=self.via or "")


def refs_for(
    code: str, org_codes: Iterable[str], attributions: Iterable[Attribution]
) -> list[StatementRef]:
    """The statements of ``code`` and those its organisations made, newest first.

    The one rule every per-State view uses: a statement is a State's own only when
    the State is one of its parties; what another party of the same attribution said
    is never credited to it.
    """
    orgs = set(org_codes)
    refs: list[StatementRef] = []
    for a in attributions:
        for s in a.statements:
            if code in s.codes:
                refs.append(StatementRef(a, s, s.role.value))
            elif s.role is PartyRole.ATTRIBUTING:
                org = next((c for c in s.codes if c in orgs), None)
                if org:
                    refs.append(StatementRef(a, s, "via", org))
    refs.sort(key=lambda r: (r.attribution.date, r.attribution.id), reverse=True)
    return refs


@dataclass
class StatePractice:
    """What one jurisdiction stated, supported, and what its organisations stated."""

    jurisdiction: Jurisdiction
    refs: list[StatementRef]

    def _role(self, role: str) -> list[StatementRef]:
        return [r for r in self.refs if r.role == role]

    @property
    def attributed(self) -> list[StatementRef]:
        return self._role("attributing")

    @property
    def supported(self) -> list[StatementRef]:
        return self._role("supporting")

    @property
    def recalled(self) -> list[StatementRef]:
        return self._role("recalled")

    @property
    def via(self) -> list[StatementRef]:
        return self._role("via")

    @property
    def totals(self) -> Totals:
        """Its own attributing statements (not those of its organisations)."""
        return Totals.of_statements(r.statement for r in self.attributed)

    @property
    def via_totals(self) -> Totals:
        return Totals.of_statements(r.statement for r in self.via)

    @property
    def joint(self) -> int:
        return sum(1 for r in self.attributed if r.statement.is_joint)

    @property
    def partners(self) -> list[tuple[Jurisdiction, int]]:
        """Co-signatories of its joint statements, with how many joint texts they shared."""
        counts: Counter[str] = Counter()
        names: dict[str, Jurisdiction] = {}
        for r in self.attributed:
            for p in r.statement.parties:
                if p.jurisdiction_code != self.jurisdiction.code:
                    counts[p.jurisdiction_code] += 1
                    names[p.jurisdiction_code] = p.jurisdiction
        return [
            (names[c], n)
            for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], names[kv[0]].name))
        ]

    @property
    def attributed_to(self) -> list[tuple[Jurisdiction | None, int]]:
        own = list({r.attribution.id: r.attribution for r in self.attributed}.values())
        counts: Counter[str | None] = Counter(a.attributed_state_code for a in own)
        names = {a.attributed_state_code: a.attributed_state for a in own}
        return [
            (names[c], n) for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] or "~"))
        ]

    @property
    def empty(self) -> bool:
        return not self.refs


def organisations_of(code: str) -> list[str]:
    return list(
        db.session.scalars(sa.select(Membership.org_code).where(Membership.member_code == code))
    )


def state_practice(jurisdiction: Jurisdiction, *, include_drafts: bool = False) -> StatePractice:
    code = jurisdiction.code
    orgs = organisations_of(code)
    involved = _has_party([code], PartyRole)
    if orgs:
        involved = sa.or_(involved, _has_party(orgs))
    base = with_details(visible(Attribution, include_drafts=include_drafts))
    attributions = list(db.session.scalars(newest_first(base.where(involved))))
    return StatePractice(jurisdiction=jurisdiction, refs=refs_for(code, orgs, attributions))


@dataclass
class AgainstState:
    jurisdiction: Jurisdiction
    statements: list[Attribution]

    @property
    def totals(self) -> Totals:
        return Totals.of(self.statements)

    @property
    def by_party(self) -> list[tuple[Jurisdiction, int]]:
        return count_by_party(self.statements)


def against_state(jurisdiction: Jurisdiction, *, include_drafts: bool = False) -> AgainstState:
    stmt = with_details(visible(Attribution, include_drafts=include_drafts)).where(
        Attribution.attributed_state_code == jurisdiction.code
    )
    return AgainstState(jurisdiction, list(db.session.scalars(newest_first(stmt))))


@dataclass
class StateCount:
    jurisdiction: Jurisdiction
    statements: int


def state_index(*, include_drafts: bool = False) -> tuple[list[StateCount], list[StateCount]]:
    """(attributing jurisdictions with their own statements, attributed States with the
    attributions naming them)."""
    sub = visible(Attribution, include_drafts=include_drafts).subquery()
    attributing = (
        sa.select(Jurisdiction, sa.func.count(sa.distinct(AttributionStatement.id)))
        .join(StatementParty, StatementParty.jurisdiction_code == Jurisdiction.code)
        .join(AttributionStatement, AttributionStatement.id == StatementParty.statement_id)
        .join(sub, sub.c.id == AttributionStatement.attribution_id)
        .where(AttributionStatement.role == PartyRole.ATTRIBUTING)
        .group_by(Jurisdiction.code)
    )
    attributed = (
        sa.select(Jurisdiction, sa.func.count(sub.c.id))
        .join(sub, sub.c.attributed_state_code == Jurisdiction.code)
        .group_by(Jurisdiction.code)
    )

    def rows(stmt: Any) -> list[StateCount]:
        result = [StateCount(j, n) for j, n in db.session.execute(stmt)]
        return sorted(result, key=lambda r: (-r.statements, r.jurisdiction.name))

    return rows(attributing), rows(attributed)


# -- Per norm --------------------------------------------------------------------------


@dataclass
class NormRow:
    """How often one norm is invoked, by which statements and when."""

    norm: Norm
    statements: list[AttributionStatement] = field(default_factory=list)
    explicit: int = 0
    implicit: int = 0
    unknown: int = 0
    by_year: dict[int, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """Statements invoking the norm (a single joint text counts once)."""
        return len(self.statements)

    @property
    def state_attributions(self) -> int:
        """Jurisdictions whose own statements invoke it, counted once per statement."""
        return sum(len(s.parties) for s in self.statements)

    @property
    def by_party(self) -> list[tuple[Jurisdiction, int]]:
        counts: Counter[str] = Counter()
        names: dict[str, Jurisdiction] = {}
        for s in self.statements:
            for p in s.parties:
                counts[p.jurisdiction_code] += 1
                names[p.jurisdiction_code] = p.jurisdiction
        return [
            (names[c], n)
            for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], names[kv[0]].name))
        ]

    @property
    def orgs(self) -> list[tuple[str, int]]:
        counts: Counter[str] = Counter(o for s in self.statements for o in s.orgs or [])
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


@dataclass
class NormStats:
    rows: list[NormRow]
    #: norms no published statement invokes
    not_invoked: list[Norm]
    #: every year from the first statement to the last, oldest first (for the year-by-norm table)
    years: list[int]
    statements_by_year: dict[int, int]
    totals: Totals
    #: attributing statements that invoke no specific norm
    without_norm: int

    @property
    def letters(self) -> list[str]:
        return [r.norm.letter for r in self.rows]


def norm_stats(*, include_drafts: bool = False) -> NormStats:
    """Per-norm counts over the published statements, in a fixed number of queries."""
    attributions = list_attributions(include_drafts=include_drafts)
    norms = list(db.session.scalars(sa.select(Norm).order_by(Norm.letter)))
    rows = {n.letter: NormRow(n) for n in norms}
    statements_by_year: Counter[int] = Counter()
    without = 0
    for a in attributions:
        for s in a.attributing_statements:
            statements_by_year[a.year] += 1
            # A statement invoking a norm twice (two passages) still counts once for it.
            bases: dict[str, set[InvocationBasis]] = defaultdict(set)
            for inv in s.invoked_norms:
                bases[inv.norm.letter].add(inv.basis)
            if not bases:
                without += 1
            for letter, kinds in bases.items():
                row = rows[letter]
                row.statements.append(s)
                if InvocationBasis.EXPLICIT in kinds:
                    row.explicit += 1
                elif InvocationBasis.IMPLICIT in kinds:
                    row.implicit += 1
                else:
                    row.unknown += 1
                row.by_year[a.year] = row.by_year.get(a.year, 0) + 1
    invoked = [r for r in rows.values() if r.statements]
    return NormStats(
        rows=invoked,
        not_invoked=[r.norm for r in rows.values() if not r.statements],
        years=list(range(min(statements_by_year), max(statements_by_year) + 1))
        if statements_by_year
        else [],
        statements_by_year=dict(statements_by_year),
        totals=Totals.of(attributions),
        without_norm=without,
    )


def count_attributions(*, include_drafts: bool = False) -> int:
    stmt = sa.select(sa.func.count()).select_from(
        visible(Attribution, include_drafts=include_drafts).subquery()
    )
    return db.session.scalar(stmt) or 0
