"""Snapshots, copies and restores of attribution content (with its statements) (registered with
tracker.records).

A snapshot names jurisdictions by code and norms by letter, never by row id, so
it survives copies, restores and imports into another database. Its keys are
those of data/demo/attributions.yaml.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from tracker.attribution.models import (
    Attribution,
    AttributionForm,
    AttributionFormRow,
    AttributionSource,
    AttributionStatement,
    FrameworkInvoked,
    InvocationBasis,
    InvokedNorm,
    PartyRole,
    PassageKind,
    StatementParty,
)
from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction
from tracker.modelbase import DatePrecision, Verification, parse_partial_date, partial_date_text
from tracker.norms.models import Norm
from tracker.records import services as records
from tracker.records.models import RecordKind

TEXT_FIELDS = (
    "operation",
    "attributed_actor",
    "basis_note",
    "follow_up",
    "legal_basis",
    "notes",
    "verification_note",
)
STATEMENT_TEXT = ("passage", "passage_source", "source_title", "source_url", "note")
#: snapshot key of the old one-statement layout -> party role
PARTY_KEYS = {
    "attributing": PartyRole.ATTRIBUTING,
    "supported_by": PartyRole.SUPPORTING,
    "other_states_recalled": PartyRole.RECALLED,
}


def statement_snapshot(s: AttributionStatement) -> dict[str, Any]:
    data: dict[str, Any] = {
        "role": s.role.value,
        "parties": [p.jurisdiction_code for p in s.parties],
        "orgs": list(s.orgs or []),
        "date": partial_date_text(s.date, s.date_precision) if s.date else None,
        "form": s.form.value if s.form else None,
        "un_framework_invoked": s.un_framework_invoked.value,
        "passage_kind": s.passage_kind.value,
    }
    for name in STATEMENT_TEXT:
        data[name] = getattr(s, name)
    data["invoked_norms"] = [
        {"norm": n.norm.letter, "basis": n.basis.value, "passage": n.passage, "locator": n.locator}
        for n in s.invoked_norms
    ]
    return data


def snapshot(attribution: Attribution) -> dict[str, Any]:
    """A JSON-ready picture of the attribution, with children by stable keys rather than ids."""
    data: dict[str, Any] = {
        "date": partial_date_text(attribution.date, attribution.date_precision),
    }
    for name in TEXT_FIELDS:
        data[name] = getattr(attribution, name)
    data["attributed_state"] = attribution.attributed_state_code
    data["forms"] = [f.form.value for f in attribution.form_rows]
    data["statements"] = [statement_snapshot(s) for s in attribution.statements]
    data["verification"] = attribution.verification.value
    data["sources"] = [
        {"url": s.url, "title": s.title, "accessed": s.accessed.isoformat() if s.accessed else None}
        for s in attribution.sources
    ]
    return data


def clone_statement(s: AttributionStatement) -> AttributionStatement:
    new = AttributionStatement(
        position=s.position,
        role=s.role,
        date=s.date,
        date_precision=s.date_precision,
        form=s.form,
        orgs=list(s.orgs or []),
        un_framework_invoked=s.un_framework_invoked,
        passage_kind=s.passage_kind,
    )
    for name in STATEMENT_TEXT:
        setattr(new, name, getattr(s, name))
    new.parties = [
        StatementParty(jurisdiction_code=p.jurisdiction_code, position=p.position)
        for p in s.parties
    ]
    new.invoked_norms = [
        InvokedNorm(norm_id=n.norm_id, basis=n.basis, passage=n.passage, locator=n.locator)
        for n in s.invoked_norms
    ]
    return new


def clone(attribution: Attribution) -> Attribution:
    """A new, unsaved row with the same content and copied children."""
    new = Attribution(record_id=attribution.record_id)
    for name in (
        *TEXT_FIELDS,
        "date",
        "date_precision",
        "attributed_state_code",
        "verification",
    ):
        setattr(new, name, getattr(attribution, name))
    new.statements = [clone_statement(s) for s in attribution.statements]
    new.form_rows = [
        AttributionFormRow(form=f.form, position=f.position) for f in attribution.form_rows
    ]
    new.sources = [
        AttributionSource(position=s.position, url=s.url, title=s.title, accessed=s.accessed)
        for s in attribution.sources
    ]
    return new


def _unique(values: list[str], what: str) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what}: {value!r} appears twice")
        seen.add(value)
    return values


def legacy_statements(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Statements for a snapshot of the old layout (one statement, several parties).

    A party alone keeps the passage, the norms and the UN framework reference; when
    several parties shared the old record, each gets a statement of its own with
    "unknown", since the old record does not say who used the language.
    """
    alone = len(data.get("attributing") or []) + len(data.get("attributing_orgs") or []) == 1
    out: list[dict[str, Any]] = []
    for key, role in PARTY_KEYS.items():
        codes = list(data.get(key) or [])
        orgs = list(
            data.get(
                {"attributing": "attributing_orgs", "supported_by": "supported_by_orgs"}.get(
                    key, ""
                )
            )
            or []
        )
        for code in codes:
            out.append({"role": role.value, "parties": [code], "orgs": []})
        for org in orgs:
            out.append({"role": role.value, "parties": [], "orgs": [org]})
    for item in out:
        item.update(date=data.get("date"), un_framework_invoked="unknown", invoked_norms=[])
        if alone and item["role"] == PartyRole.ATTRIBUTING.value:
            item["un_framework_invoked"] = data.get("un_framework_invoked") or "unknown"
            item["invoked_norms"] = list(data.get("invoked_norms") or [])
            item["passage"] = data.get("passage")
    return out


def _apply_statement(
    s: AttributionStatement, item: dict[str, Any], position: int, norms: dict[str, int]
) -> None:
    s.position = position
    s.role = PartyRole.parse(item.get("role") or "attributing")  # type: ignore[assignment]
    if item.get("date"):
        s.date, s.date_precision = parse_partial_date(item["date"])
    else:
        s.date, s.date_precision = None, DatePrecision.DAY
    s.form = AttributionForm.parse(item["form"]) if item.get("form") else None  # type: ignore[assignment]
    s.orgs = list(item.get("orgs") or [])
    s.un_framework_invoked = FrameworkInvoked.parse(  # type: ignore[assignment]
        item.get("un_framework_invoked") or "unknown"
    )
    s.passage_kind = PassageKind.parse(item.get("passage_kind") or "summary")  # type: ignore[assignment]
    for name in STATEMENT_TEXT:
        setattr(s, name, item.get(name))
    if s.passage_kind is PassageKind.VERBATIM and s.passage and not s.passage_source:
        raise ValueError("a verbatim passage needs its source")
    codes = _unique(list(item.get("parties") or []), "statement parties")
    if not codes and not s.orgs:
        raise ValueError("a statement needs at least one party")
    s.parties = [StatementParty(jurisdiction_code=c, position=i) for i, c in enumerate(codes)]
    invoked = []
    for n in item.get("invoked_norms") or []:
        if n.get("norm") not in norms:
            raise ValueError(f"invoked norm: unknown norm {n.get('norm')!r}")
        invoked.append(
            InvokedNorm(
                norm_id=norms[n["norm"]],
                basis=InvocationBasis.parse(n.get("basis") or ""),
                passage=n.get("passage"),
                locator=n.get("locator"),
            )
        )
    s.invoked_norms = invoked


def _parties(items: list[dict[str, Any]]) -> set[str]:
    return {code for item in items for code in item.get("parties") or []}


def _check_jurisdictions(codes: set[str]) -> None:
    """ValueError naming the codes that are not jurisdictions."""
    known = set(
        db.session.scalars(sa.select(Jurisdiction.code).where(Jurisdiction.code.in_(codes)))
    )
    unknown = sorted(codes - known)
    if unknown:
        raise ValueError(f"unknown jurisdiction code: {', '.join(unknown)}")


def apply(attribution: Attribution, data: dict[str, Any]) -> None:
    """Make ``attribution`` hold exactly the content of a snapshot (restore, import, demo).

    A snapshot of the old one-statement layout (revisions saved before statements) is
    read through ``legacy_statements``. Raises ValueError with a readable message for
    unknown codes, letters or values.
    """
    attribution.date, attribution.date_precision = parse_partial_date(data["date"])
    for name in TEXT_FIELDS:
        setattr(attribution, name, data.get(name))
    attribution.verification = Verification.parse(data.get("verification") or "unverified")  # type: ignore[assignment]
    items = data["statements"] if "statements" in data else legacy_statements(data)
    codes = _parties(items)
    if data.get("attributed_state"):
        codes.add(data["attributed_state"])
    _check_jurisdictions(codes)
    if not any((i.get("role") or "attributing") == "attributing" for i in items):
        raise ValueError("an attribution needs at least one attributing statement")
    attribution.attributed_state_code = data.get("attributed_state")

    norms = {n.letter: n.id for n in db.session.scalars(sa.select(Norm))}
    statements = []
    for i, item in enumerate(items):
        s = AttributionStatement()
        _apply_statement(s, item, i, norms)
        statements.append(s)
    attribution.statements = statements

    forms = _unique(list(data.get("forms") or []), "forms")
    attribution.form_rows = [
        AttributionFormRow(form=AttributionForm.parse(f), position=i) for i, f in enumerate(forms)
    ]
    attribution.sources = [
        AttributionSource(
            position=i,
            url=s.get("url"),
            title=s.get("title") or s.get("url") or "",
            accessed=dt.date.fromisoformat(s["accessed"]) if s.get("accessed") else None,
        )
        for i, s in enumerate(data.get("sources") or [])
    ]


def publication_problems(attribution: Attribution) -> list[str]:
    """Why this copy may not be published yet (the demo loader applies the same rule)."""
    if not attribution.sources:
        return ["Add at least one source, so that readers can check the statement."]
    return []


def jurisdictions(attribution: Attribution) -> set[str]:
    """The States a statement names: the one attributed to, and those attributing or supporting."""
    codes = {p.jurisdiction_code for s in attribution.statements for p in s.parties}
    if attribution.attributed_state_code:
        codes.add(attribution.attributed_state_code)
    return codes


records.register(
    RecordKind.ATTRIBUTION,
    records.ContentOps(
        model=Attribution,
        snapshot=snapshot,
        clone=clone,
        apply=apply,
        publication_problems=publication_problems,
        jurisdictions=jurisdictions,
    ),
)
