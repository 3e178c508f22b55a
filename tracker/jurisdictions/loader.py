"""Fill the jurisdictions table from pycountry (ISO 3166-1) and data/jurisdictions.yaml."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pycountry
import sqlalchemy as sa

from tracker.datafiles import Reader, load_yaml
from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction, JurisdictionKind, Membership
from tracker.norms.loader import LoadReport

ISO_SOURCE = f"ISO 3166-1 via pycountry {version('pycountry')}"


def _iso_rows() -> list[dict[str, object]]:
    rows = []
    for country in pycountry.countries:
        rows.append(
            {
                "code": country.alpha_2,
                "name": getattr(country, "common_name", None) or country.name,
                "official_name": getattr(country, "official_name", None),
                "alpha3": country.alpha_3,
                "kind": JurisdictionKind.STATE,
                "source": ISO_SOURCE,
            }
        )
    return rows


def _org_rows(path: Path) -> tuple[list[dict[str, object]], list[tuple[str, str]]]:
    doc = load_yaml(path)
    root = Reader(path, doc, "jurisdictions.yaml")
    root.unknown_keys({"version", "organisations"})
    orgs: list[dict[str, object]] = []
    memberships: list[tuple[str, str]] = []
    for i, item in enumerate(root.items("organisations")):
        r = Reader(path, item, f"organisations[{i}]")
        r.unknown_keys({"code", "name", "official_name", "source", "members"})
        code = r.text("code", required=True, max_len=8)
        if pycountry.countries.get(alpha_2=code):
            raise r.fail("code", f"{code!r} is already an ISO 3166-1 code")
        orgs.append(
            {
                "code": code,
                "name": r.text("name", required=True),
                "official_name": r.text("official_name"),
                "alpha3": None,
                "kind": JurisdictionKind.REGIONAL_ORG,
                "source": r.text("source"),
            }
        )
        for member in r.items("members"):
            if not pycountry.countries.get(alpha_2=str(member)):
                raise r.fail("members", f"{member!r} is not an ISO 3166-1 alpha-2 code")
            memberships.append((code, str(member)))
    return orgs, memberships


def sync(path: str | Path) -> LoadReport:
    """Upsert every jurisdiction and membership; running it twice changes nothing."""
    path = Path(path)
    orgs, memberships = _org_rows(path)
    report = LoadReport()
    existing = {j.code: j for j in db.session.scalars(sa.select(Jurisdiction))}
    for row in _iso_rows() + orgs:
        obj = existing.get(str(row["code"]))
        if obj is None:
            db.session.add(Jurisdiction(**row))
            report.count("created", "jurisdictions")
        elif any(getattr(obj, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(obj, k, v)
            report.count("updated", "jurisdictions")
    db.session.flush()
    current = {
        (org, member)
        for org, member in db.session.execute(
            sa.select(Membership.org_code, Membership.member_code)
        )
    }
    wanted = set(memberships)
    for org, member in sorted(wanted - current):
        db.session.add(Membership(org_code=org, member_code=member))
        report.count("created", "memberships")
    for org, member in sorted(current - wanted):
        db.session.execute(
            sa.delete(Membership).where(
                Membership.org_code == org, Membership.member_code == member
            )
        )
        report.count("updated", "memberships")
    db.session.flush()
    return report
