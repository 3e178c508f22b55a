"""Snapshots, copies and restores of attribution content (registered with tracker.records).

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
    AttributionParty,
    AttributionSource,
    FrameworkInvoked,
    InvocationBasis,
    InvokedNorm,
    PartyRole,
)
from tracker.db import Verification, parse_partial_date, partial_date_text
from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction
from tracker.norms.models import Norm
from tracker.records import services as records
from tracker.records.models import RecordKind

TEXT_FIELDS = (
    "operation",
    "attributed_actor",
    "passage",
    "basis_note",
    "follow_up",
    "legal_basis",
    "notes",
    "verification_note",
)
#: snapshot key -> party role
PARTY_KEYS = {
    "attributing": PartyRole.ATTRIBUTING,
    "supported_by": PartyRole.SUPPORTING,
    "other_states_recalled": PartyRole.RECALLED,
}


def snapshot(attribution: Attribution) -> dict[str, Any]:
    """A JSON-ready picture of the statement, with children by stable keys rather than ids."""
    data: dict[str, Any] = {
        "date": partial_date_text(attribution.date, attribution.date_precision),
    }
    for name in TEXT_FIELDS:
        data[name] = getattr(attribution, name)
    for key, role in PARTY_KEYS.items():
        data[key] = [p.jurisdiction_code for p in attribution.parties if p.role is role]
    data["attributing_orgs"] = list(attribution.attributing_orgs or [])
    data["supported_by_orgs"] = list(attribution.supporting_orgs or [])
    data["attributed_state"] = attribution.attributed_state_code
    data["forms"] = [f.form.value for f in attribution.form_rows]
    data["un_framework_invoked"] = attribution.un_framework_invoked.value
    data["invoked_norms"] = [
        {"norm": n.norm.letter, "basis": n.basis.value, "passage": n.passage, "locator": n.locator}
        for n in attribution.invoked_norms
    ]
    data["verification"] = attribution.verification.value
    data["sources"] = [
        {"url": s.url, "title": s.title, "accessed": s.accessed.isoformat() if s.accessed else None}
        for s in attribution.sources
    ]
    return data


def clone(attribution: Attribution) -> Attribution:
    """A new, unsaved row with the same content and copied children."""
    new = Attribution(record_id=attribution.record_id)
    for name in (
        *TEXT_FIELDS,
        "date",
        "date_precision",
        "attributed_state_code",
        "un_framework_invoked",
        "verification",
    ):
        setattr(new, name, getattr(attribution, name))
    new.attributing_orgs = list(attribution.attributing_orgs or [])
    new.supporting_orgs = list(attribution.supporting_orgs or [])
    new.parties = [
        AttributionParty(role=p.role, jurisdiction_code=p.jurisdiction_code, position=p.position)
        for p in attribution.parties
    ]
    new.form_rows = [
        AttributionFormRow(form=f.form, position=f.position) for f in attribution.form_rows
    ]
    new.invoked_norms = [
        InvokedNorm(norm_id=n.norm_id, basis=n.basis, passage=n.passage, locator=n.locator)
        for n in attribution.invoked_norms
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


def apply(attribution: Attribution, data: dict[str, Any]) -> None:
    """Make ``attribution`` hold exactly the content of a snapshot (restore, import, demo).

    Raises ValueError with a readable message for unknown codes, letters or values.
    """
    attribution.date, attribution.date_precision = parse_partial_date(data["date"])
    for name in TEXT_FIELDS:
        setattr(attribution, name, data.get(name))
    attribution.un_framework_invoked = FrameworkInvoked.parse(  # type: ignore[assignment]
        data.get("un_framework_invoked") or "unknown"
    )
    attribution.verification = Verification.parse(data.get("verification") or "unverified")  # type: ignore[assignment]
    attribution.attributing_orgs = list(data.get("attributing_orgs") or [])
    attribution.supporting_orgs = list(data.get("supported_by_orgs") or [])

    codes: set[str] = {c for c in [data.get("attributed_state")] if c}
    for key in PARTY_KEYS:
        codes.update(_unique(list(data.get(key) or []), key))
    known = set(
        db.session.scalars(sa.select(Jurisdiction.code).where(Jurisdiction.code.in_(codes)))
    )
    unknown = sorted(codes - known)
    if unknown:
        raise ValueError(f"unknown jurisdiction code: {', '.join(unknown)}")
    if not data.get("attributing"):
        raise ValueError("a statement needs at least one attributing jurisdiction")
    attribution.attributed_state_code = data.get("attributed_state")
    attribution.parties = [
        AttributionParty(role=role, jurisdiction_code=code, position=i)
        for key, role in PARTY_KEYS.items()
        for i, code in enumerate(data.get(key) or [])
    ]

    forms = _unique(list(data.get("forms") or []), "forms")
    attribution.form_rows = [
        AttributionFormRow(form=AttributionForm.parse(f), position=i) for i, f in enumerate(forms)
    ]

    norms = {n.letter: n.id for n in db.session.scalars(sa.select(Norm))}
    invoked = []
    for item in data.get("invoked_norms") or []:
        if item.get("norm") not in norms:
            raise ValueError(f"invoked norm: unknown norm {item.get('norm')!r}")
        invoked.append(
            InvokedNorm(
                norm_id=norms[item["norm"]],
                basis=InvocationBasis.parse(item.get("basis") or ""),
                passage=item.get("passage"),
                locator=item.get("locator"),
            )
        )
    attribution.invoked_norms = invoked
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
    codes = {p.jurisdiction_code for p in attribution.parties}
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
