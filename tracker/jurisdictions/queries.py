"""Queries over jurisdictions, and help for people who type a code the tracker does not know."""

from __future__ import annotations

from dataclasses import dataclass

import pycountry
import sqlalchemy as sa

from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction, JurisdictionKind, Membership

#: Codes people often use that are not the ISO 3166-1 alpha-2 code of the place they mean.
#: UK is exceptionally reserved in ISO 3166-1 and EL is the EU's own code for Greece.
COMMON_MISTAKES = {"UK": "GB", "EL": "GR"}


def get_jurisdiction(code: str) -> Jurisdiction | None:
    return db.session.get(Jurisdiction, code)


def all_jurisdictions() -> list[Jurisdiction]:
    """Every jurisdiction, regional organisations first, then States by name."""
    stmt = sa.select(Jurisdiction).order_by(
        (Jurisdiction.kind == JurisdictionKind.REGIONAL_ORG).desc(), Jurisdiction.name
    )
    return list(db.session.scalars(stmt))


def organisations_of(code: str) -> list[Jurisdiction]:
    stmt = (
        sa.select(Jurisdiction)
        .join(Membership, Membership.org_code == Jurisdiction.code)
        .where(Membership.member_code == code)
        .order_by(Jurisdiction.name)
    )
    return list(db.session.scalars(stmt))


def members_of(code: str) -> list[Jurisdiction]:
    stmt = (
        sa.select(Jurisdiction)
        .join(Membership, Membership.member_code == Jurisdiction.code)
        .where(Membership.org_code == code)
        .order_by(Jurisdiction.name)
    )
    return list(db.session.scalars(stmt))


def memberships(codes: list[str] | None = None) -> dict[str, list[str]]:
    """{member code: [organisation codes]} in one query (for all members, or only ``codes``)."""
    stmt = sa.select(Membership.member_code, Membership.org_code).order_by(Membership.org_code)
    if codes is not None:
        stmt = stmt.where(Membership.member_code.in_(codes))
    result: dict[str, list[str]] = {}
    for member, org in db.session.execute(stmt):
        result.setdefault(member, []).append(org)
    return result


@dataclass(frozen=True)
class CodeHelp:
    """What to tell someone whose code matched no jurisdiction."""

    message: str
    suggestion: Jurisdiction | None = None


def explain_unknown_code(code: str) -> CodeHelp:
    """Why ``code`` (already upper-case) is not a jurisdiction here, and what was probably meant."""
    if code in COMMON_MISTAKES:
        target = get_jurisdiction(COMMON_MISTAKES[code])
        if target is not None:
            return CodeHelp(
                f"{code} is not an assigned ISO 3166-1 alpha-2 code. The tracker identifies "
                f"jurisdictions by those codes: the code for {target.name} is {target.code}.",
                target,
            )
    if len(code) == 3 and code.isalpha():
        country = pycountry.countries.get(alpha_3=code)
        target = get_jurisdiction(country.alpha_2) if country else None
        if target is not None:
            return CodeHelp(
                f"{code} is an ISO 3166-1 alpha-3 code. The tracker uses the two-letter "
                f"alpha-2 codes: the code for {target.name} is {target.code}.",
                target,
            )
    if len(code) == 2 and code.isalpha():
        reason = f"{code} is not an ISO 3166-1 alpha-2 code, so the tracker has no page for it."
        if code.startswith("X") or code in {"AA", "ZZ"} or "QM" <= code <= "QZ":
            reason = (
                f"{code} is not an ISO 3166-1 alpha-2 code: ISO 3166-1 leaves codes like it "
                "for user-assigned purposes, so the tracker has no page for it."
            )
        return CodeHelp(reason)
    return CodeHelp(
        f"There is no jurisdiction with the code {code[:40]!r}. Use an ISO 3166-1 alpha-2 code "
        "such as DE or JP, or EU for the European Union."
    )


def unknown_codes_message(codes: list[str]) -> str:
    """The message for filters and parameters naming codes that are not jurisdictions:
    "Unknown jurisdiction code: UK (for UK use GB (United Kingdom)). Use ..."."""
    hints = []
    for code in codes:
        suggestion = explain_unknown_code(code).suggestion
        if suggestion is not None:
            hints.append(f"for {code} use {suggestion.code} ({suggestion.name})")
    hint = f" ({'; '.join(hints)})" if hints else ""
    return (
        f"Unknown jurisdiction code{'s' if len(codes) > 1 else ''}: "
        f"{', '.join(c[:8] for c in codes)}{hint}. "
        "Use ISO 3166-1 alpha-2 codes such as DE or GB, or EU for the European Union."
    )


def known_codes(codes: list[str]) -> list[str]:
    """``codes`` when every one names a jurisdiction; InvalidArgument naming those that do not
    (the filters of the measure list, the attribution list and their APIs)."""
    from tracker.queryargs import InvalidArgument

    if not codes:
        return []
    known = set(
        db.session.scalars(sa.select(Jurisdiction.code).where(Jurisdiction.code.in_(codes)))
    )
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidArgument(unknown_codes_message(unknown))
    return codes
