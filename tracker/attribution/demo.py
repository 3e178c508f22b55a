"""Load the demo attributions and their statements (data/demo/attributions.yaml), published, with
sources.

Every value in the demo file comes from shared/reference/facts.yaml; see
data/demo/README.md. The whole file is validated before anything is written, and
an error names the file and the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tracker.attribution import services
from tracker.attribution.models import (
    Attribution,
    AttributionForm,
    FrameworkInvoked,
    InvocationBasis,
    PartyRole,
    PassageKind,
)
from tracker.datafiles import DataFileError, Reader, load_yaml
from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction
from tracker.modelbase import Verification, parse_partial_date
from tracker.norms.loader import LoadReport, read_sources
from tracker.norms.models import Norm
from tracker.records import services as records
from tracker.records.models import Record, RecordKind
from tracker.review import workflow

FIELDS = {
    "key",
    "date",
    "operation",
    "attributed_actor",
    "attributed_state",
    "forms",
    "statements",
    "basis_note",
    "follow_up",
    "legal_basis",
    "notes",
    "verification",
    "verification_note",
    "sources",
}
STATEMENT_FIELDS = {
    "role",
    "parties",
    "orgs",
    "date",
    "form",
    "un_framework_invoked",
    "passage",
    "passage_kind",
    "passage_source",
    "source_title",
    "source_url",
    "note",
    "invoked_norms",
}
STATEMENT_TEXT_LIMITS = {
    "passage": 20_000,
    "passage_source": 1000,
    "source_title": 1000,
    "source_url": 2000,
    "note": 5_000,
}
TEXT_LIMITS = {
    "basis_note": 5_000,
    "follow_up": 5_000,
    "legal_basis": 5_000,
    "notes": 20_000,
    "verification_note": 5_000,
}


def _codes(r: Reader, key: str, known: set[str]) -> list[str]:
    values = r.items(key)
    codes = []
    for value in values:
        if not isinstance(value, str) or value not in known:
            raise r.fail(
                key, f"unknown jurisdiction code {value!r} (use ISO 3166-1 alpha-2, or EU)"
            )
        if value in codes:
            raise r.fail(key, f"{value!r} appears twice")
        codes.append(value)
    return codes


def _names(r: Reader, key: str) -> list[str]:
    names = []
    for value in r.items(key):
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise r.fail(key, f"{value!r} is not an organisation name (text up to 200 characters)")
        names.append(value.strip())
    return names


def _framework(r: Reader) -> FrameworkInvoked:
    value = r.node.get("un_framework_invoked")
    if isinstance(value, bool):
        # YAML 1.1 reads a bare yes/no as a boolean; make the writer quote it.
        raise r.fail(
            "un_framework_invoked",
            "write 'yes', 'no' or 'unknown' in quotes (a bare yes or no is read as true/false)",
        )
    return r.choice("un_framework_invoked", FrameworkInvoked)


def _statement(
    path: str | Path, node: Any, where: str, jurisdictions: set[str], norms: set[str]
) -> dict[str, Any]:
    r = Reader(path, node, where)
    r.unknown_keys(STATEMENT_FIELDS)
    date = r.text("date")
    if date is not None:
        try:
            parse_partial_date(date)
        except ValueError as exc:
            raise r.fail("date", str(exc)) from None
    form = r.text("form")
    if form is not None:
        try:
            form = AttributionForm.parse(form).value
        except ValueError as exc:
            raise r.fail("form", str(exc)) from None
    item: dict[str, Any] = {
        "role": r.choice("role", PartyRole).value,
        "parties": _codes(r, "parties", jurisdictions),
        "orgs": _names(r, "orgs"),
        "date": date,
        "form": form,
        "un_framework_invoked": _framework(r).value,
        "passage_kind": r.choice("passage_kind", PassageKind).value,
    }
    if not item["parties"] and not item["orgs"]:
        raise r.fail("parties", "a statement needs at least one party")
    for name, limit in STATEMENT_TEXT_LIMITS.items():
        item[name] = r.text(name, max_len=limit)
    if item["passage_kind"] == PassageKind.VERBATIM.value and not item["passage_source"]:
        raise r.fail("passage_source", "a verbatim passage needs the source that gives it")
    invoked = []
    for j, item_norm in enumerate(r.items("invoked_norms")):
        nr = Reader(path, item_norm, f"{where}.invoked_norms[{j}]")
        nr.unknown_keys({"norm", "basis", "passage", "locator"})
        letter = nr.text("norm", required=True)
        if letter not in norms:
            raise nr.fail("norm", f"unknown norm {letter!r} (the letters a to k)")
        invoked.append(
            {
                "norm": letter,
                "basis": nr.choice("basis", InvocationBasis).value,
                "passage": nr.text("passage", max_len=20_000),
                "locator": nr.text("locator", max_len=300),
            }
        )
    item["invoked_norms"] = invoked
    return item


def _forms(r: Reader) -> list[str]:
    """The forms a statement takes: at least one, each once."""
    forms: list[str] = []
    for value in r.items("forms"):
        try:
            form = AttributionForm.parse(str(value)).value
        except ValueError as exc:
            raise r.fail("forms", str(exc)) from None
        if form in forms:
            raise r.fail("forms", f"{form!r} appears twice")
        forms.append(form)
    if not forms:
        raise r.fail("forms", "needs at least one form (statement, indictment, ...)")
    return forms


def parse(path: str | Path) -> list[dict[str, Any]]:
    """Validate the demo file against the reference data; returns snapshots with keys."""
    doc = load_yaml(path)
    if not isinstance(doc, list):
        raise DataFileError(
            path, getattr(doc, "line", 1), "expected a list of attribution statements"
        )
    jurisdictions = set(db.session.scalars(sa.select(Jurisdiction.code)))
    norms = set(db.session.scalars(sa.select(Norm.letter)))
    if not norms or not jurisdictions:
        raise DataFileError(
            path, None, "load the jurisdictions and norms first (flask --app tracker setup)"
        )
    keys = [item.get("key") for item in doc if isinstance(item, dict)]
    statements = []
    for i, item in enumerate(doc):
        r = Reader(path, item, f"attributions[{i}]")
        r.unknown_keys(FIELDS)
        key = r.text("key", required=True, max_len=120)
        if keys.count(key) > 1:
            raise r.fail("key", f"duplicate key {key!r}")
        date = r.text("date", required=True) or ""
        try:
            parse_partial_date(date)
        except ValueError as exc:
            raise r.fail("date", str(exc)) from None
        attributed_state = r.text("attributed_state")
        if attributed_state is not None and attributed_state not in jurisdictions:
            raise r.fail("attributed_state", f"unknown jurisdiction code {attributed_state!r}")
        forms = _forms(r)
        snap: dict[str, Any] = {
            "key": key,
            "date": date,
            "operation": r.text("operation", required=True, max_len=1000),
            "attributed_actor": r.text("attributed_actor", required=True, max_len=1000),
            "attributed_state": attributed_state,
            "forms": forms,
            "verification": r.choice("verification", Verification).value,
        }
        for name, limit in TEXT_LIMITS.items():
            snap[name] = r.text(name, max_len=limit)
        snap["statements"] = [
            _statement(path, node, f"attributions[{i}].statements[{j}]", jurisdictions, norms)
            for j, node in enumerate(r.items("statements"))
        ]
        if not any(st["role"] == "attributing" for st in snap["statements"]):
            raise r.fail("statements", "needs at least one attributing statement")
        snap["sources"] = read_sources(path, r)
        if not snap["sources"]:
            raise r.fail("sources", "a published statement needs at least one source")
        snap["_line"] = r.node.line
        statements.append(snap)
    return statements


def load(path: str | Path) -> LoadReport:
    """Create the demo statements that are not there yet, as published records."""
    statements = parse(path)
    report = LoadReport()
    rows = db.session.execute(sa.select(Record.key, Record.kind).where(Record.key.is_not(None)))
    existing = {key: kind for key, kind in rows}
    for snap in statements:
        if existing.get(snap["key"]) is RecordKind.ATTRIBUTION:
            continue
        if snap["key"] in existing:
            raise DataFileError(
                path,
                snap["_line"],
                f"key {snap['key']!r} is already used by a "
                f"{existing[snap['key']].label.lower()} record",
            )
        record = Record(kind=RecordKind.ATTRIBUTION, key=snap["key"])
        db.session.add(record)
        db.session.flush()
        content = Attribution(record_id=record.id, is_draft=True, is_live=False)
        db.session.add(content)
        data = {k: v for k, v in snap.items() if k not in {"key", "_line"}}
        try:
            services.apply(content, data)
        except ValueError as exc:
            raise DataFileError(path, snap["_line"], str(exc)) from None
        db.session.flush()
        workflow.publish_unreviewed(record)
        records.write_revision(
            record, content, action="import", summary="Loaded from the demo data (facts.yaml)"
        )
        report.count("created", "attributions")
    db.session.flush()
    return report
