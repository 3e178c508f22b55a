"""Checking imported rows with the measure editor's own rules, and finding likely duplicates.

Each row is decoded with the export's column formats (tracker.opendata.rows, which
also removes the formula-neutralising apostrophe exactly as the export adds it),
turned into the form data the measure editor would post, and validated by
``MeasureForm``: lengths, dates, web addresses, language tags, jurisdictions,
types, statuses, topics, norms and the order of events are checked by the same
code as in the editor. The form's messages are reworded where they would only say
"Not a valid choice" (a spreadsheet has no drop-down to show the choices).

Relations are checked here, because their targets may be other rows of the same
file: a target is the key of another row, the key of a measure in the tracker, or
``measure-<n>`` (how the export names a measure that has no key).

Nothing here writes to the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction
from tracker.measures import services
from tracker.measures.forms import MeasureForm, load_choices
from tracker.measures.models import Measure, MeasureRelation, RelationKind
from tracker.norms.models import Commitment, Norm
from tracker.opendata.rows import MEASURES
from tracker.records.models import Record, RecordKind
from tracker.records.queries import visible

COLUMNS = {c.name: c for c in MEASURES.columns}
#: form field -> import column, where they differ
FIELD_COLUMN = {"jurisdiction_code": "jurisdiction"}
KEY_MAX: int = Record.__table__.c["key"].type.length  # type: ignore[attr-defined]
KEY_PATTERN = re.compile(r"^[^\s'\"<>]+$")
EXPORTED_KEY = re.compile(r"^measure-(\d{1,12})$")
#: codes people write that ISO 3166-1 does not use
CODE_ALIASES = {"UK": "GB", "EL": "GR"}
ENUM_NOUNS = {
    "type": "measure type",
    "status": "status",
    "verification": "verification level",
    "kind": "kind",
    "basis": "basis",
}


@dataclass
class Problem:
    column: str
    message: str


@dataclass
class Duplicate:
    reason: str
    #: an existing measure ...
    record_id: int | None = None
    label: str = ""
    #: ... or an earlier row of the same file
    row: int | None = None
    #: the key is taken, so the row is imported without it if imported anyway
    same_key: bool = False


@dataclass
class RowCheck:
    number: int
    cells: dict[str, str]
    errors: list[Problem] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    #: the measure snapshot to create (None when the row has errors)
    data: dict[str, Any] | None = None
    key: str | None = None
    #: [{"kind", "target", "note"}] with targets still as keys
    relations: list[dict[str, Any]] = field(default_factory=list)
    #: {(event kind, date): successor key} for superseded / rescinded events
    successors: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return "error" if self.errors else ("duplicate" if self.duplicates else "ok")

    @property
    def jurisdiction(self) -> str:
        return self.cells.get("jurisdiction", "")

    @property
    def title(self) -> str:
        return (
            self.cells.get("short_name")
            or self.cells.get("title_en")
            or self.cells.get("title_original", "")
        )


@dataclass
class Check:
    rows: list[RowCheck]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def has_errors(self) -> bool:
        return any(r.errors for r in self.rows)

    @property
    def has_duplicates(self) -> bool:
        return any(r.duplicates for r in self.rows)


@dataclass
class Existing:
    record_id: int
    key: str | None
    jurisdiction: str
    title: str
    identifier: str | None
    label: str


def _fold(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


class Context:
    """What every row is checked against, loaded once per check."""

    def __init__(self) -> None:
        self.choices = load_choices()
        self.norms = set(db.session.scalars(sa.select(Norm.letter)))
        self.commitments = set(db.session.scalars(sa.select(Commitment.key)))
        self.jurisdictions = {
            code: (name, official, alpha3)
            for code, name, official, alpha3 in db.session.execute(
                sa.select(
                    Jurisdiction.code,
                    Jurisdiction.name,
                    Jurisdiction.official_name,
                    Jurisdiction.alpha3,
                )
            )
        }
        stmt = (
            visible(Measure, include_drafts=True)
            .join(Record, Record.id == Measure.record_id)
            .add_columns(Record.key)
        )
        self.existing = [
            Existing(
                m.record_id,
                key,
                m.jurisdiction_code,
                m.title_original,
                m.official_identifier,
                f"{m.jurisdiction_code}: {m.label}",
            )
            for m, key in db.session.execute(stmt)
        ]
        self.by_key = {e.key: e for e in self.existing if e.key}
        self.by_id = {e.record_id: e for e in self.existing}
        self.by_title = {(e.jurisdiction, _fold(e.title)): e for e in self.existing}
        self.by_identifier = {
            (e.jurisdiction, _fold(e.identifier)): e for e in self.existing if e.identifier
        }

    def existing_for_key(self, key: str) -> Existing | None:
        """The measure a key names: by its stable key, else ``measure-<n>`` as the export writes
        it."""
        if key in self.by_key:
            return self.by_key[key]
        match = EXPORTED_KEY.match(key)
        if match:
            return self.by_id.get(int(match.group(1)))
        return None

    def suggest_jurisdiction(self, value: str) -> str | None:
        text = value.strip()
        upper = CODE_ALIASES.get(text.upper(), text.upper())
        if upper in self.jurisdictions:
            return upper
        for code, (name, official, alpha3) in self.jurisdictions.items():
            if upper == (alpha3 or "").upper() or _fold(text) in (_fold(name), _fold(official)):
                return code
        return None


# --- Messages -------------------------------------------------------------------------------------


def _choice_message(column: str, value: Any, field: Any, ctx: Context) -> str:
    if column == "jurisdiction":
        suggestion = ctx.suggest_jurisdiction(str(value))
        hint = (
            f"; did you mean {suggestion} ({ctx.jurisdictions[suggestion][0]})?"
            if suggestion
            else "; the codebook lists the codes the tracker knows."
        )
        return f"{value!r} is not an ISO 3166-1 code (or EU){hint}"
    if column == "topics":
        known = [c.value for c in ctx.choices.topics]
        wrong = [v for v in (value or []) if v not in known]
        return (
            f"{', '.join(repr(w) for w in wrong)} "
            f"{'is not a topic' if len(wrong) == 1 else 'are not topics'}; "
            f"use: {', '.join(known)}."
        )
    if column.startswith("mappings") and column.endswith("target"):
        return (
            f"{str(value).split(':', 1)[-1]!r} is not a norm letter (a to k) or a commitment "
            "key; see the codebook."
        )
    allowed = [
        c.value if hasattr(c, "value") else c[0]
        for c in field.choices
        if (c.value if hasattr(c, "value") else c[0])
    ]
    noun = ENUM_NOUNS.get(field.short_name, "value")
    return f"{value!r} is not a {noun} the tracker uses; use one of: {', '.join(allowed)}."


def _field_problems(form: MeasureForm, ctx: Context) -> list[Problem]:
    """The form's errors, named by import column (and line, for multi-line cells)."""
    problems: list[Problem] = []
    for section, row, form_field, message in form.field_errors():
        if row is None:
            column = FIELD_COLUMN.get(form_field.name, form_field.name)
        else:
            column = f"{section.name}, line {row}, {form_field.short_name}"
        problems.append(_reword(column, form_field, message, ctx))
    return problems


def _reword(column: str, form_field: Any, message: str, ctx: Context) -> Problem:
    if "valid choice" in message:
        message = _choice_message(column, form_field.data, form_field, ctx)
    return Problem(column, message)


# --- One row --------------------------------------------------------------------------------------


def _decode(cells: dict[str, str], problems: list[Problem]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, cell in cells.items():
        column = COLUMNS.get(name)
        if column is None:
            continue
        try:
            values[name] = column.decode(cell)
        except ValueError as exc:
            problems.append(Problem(name, f"cannot be read: {exc}"))
    return values


def _mapping_target(target: str | None, ctx: Context) -> str | None:
    if not target:
        return None
    if target in ctx.norms:
        return f"norm:{target}"
    if target in ctx.commitments:
        return f"commitment:{target}"
    return target  # not a choice: the form says so


def formdata(values: dict[str, Any], ctx: Context) -> MultiDict[str, str]:
    """The row as the measure editor would post it (blank cells left out, so defaults apply)."""
    pairs: list[tuple[str, str]] = []

    def put(name: str, value: Any) -> None:
        if value is not None and value != "":
            pairs.append((name, str(value)))

    for name, default in DEFAULTS.items():
        if values.get(name) in (None, ""):
            values = {**values, name: default}
    for name in services.SCALAR_FIELDS:
        put(name, values.get(FIELD_COLUMN.get(name, name)))
    for slug in values.get("topics") or []:
        put("topics", slug)
    for i, event in enumerate(values.get("events") or []):
        for sub in ("kind", "date", "stage", "note"):
            put(f"events-{i}-{sub}", event.get(sub))
    for i, source in enumerate(values.get("sources") or []):
        for sub in ("title", "url", "accessed"):
            put(f"sources-{i}-{sub}", source.get(sub))
    for i, mapping in enumerate(values.get("mappings") or []):
        put(f"mappings-{i}-target", _mapping_target(mapping.get("target"), ctx))
        for sub in ("locator", "rationale", "basis"):
            put(f"mappings-{i}-{sub}", mapping.get(sub))
        if mapping.get("scope") == "whole_instrument":
            put(f"mappings-{i}-whole_instrument", "y")
    return MultiDict(pairs)


#: a blank cell takes the editor form's default (title language "en", "unverified")
DEFAULTS = {
    name: getattr(MeasureForm, name).kwargs["default"] for name in ("title_lang", "verification")
}
RELATION_NOTE_MAX: int | None = MeasureRelation.__table__.c["note"].type.length  # type: ignore[attr-defined]


def _relations(values: dict[str, Any], problems: list[Problem]) -> list[dict[str, Any]]:
    kinds = [k.value for k in RelationKind]
    relations, seen = [], set()
    for i, relation in enumerate(values.get("relations") or [], start=1):
        column = f"relations, line {i}"
        kind, target, note = relation.get("kind"), relation.get("target"), relation.get("note")
        if kind not in kinds:
            problems.append(
                Problem(
                    f"{column}, kind",
                    f"{kind!r} is not a relation kind; use one of: {', '.join(kinds)}."
                    if kind
                    else "Say how the measures are related.",
                )
            )
        if not target:
            problems.append(Problem(f"{column}, target", "Give the key of the other measure."))
        elif (kind, target) in seen:
            problems.append(Problem(f"{column}, target", "This relation is listed twice."))
        if note and RELATION_NOTE_MAX and len(note) > RELATION_NOTE_MAX:
            problems.append(
                Problem(f"{column}, note", f"Use at most {RELATION_NOTE_MAX} characters.")
            )
        seen.add((kind, target))
        relations.append({"kind": kind, "target": target, "note": note})
    return relations


def check_row(row: dict[str, Any], ctx: Context) -> RowCheck:
    cells = row["cells"]
    result = RowCheck(number=row["row"], cells=cells)
    for column in row.get("formulas", []):
        result.errors.append(
            Problem(
                column,
                "This cell is a formula; the import reads values only. Paste the values instead.",
            )
        )
    values = _decode(cells, result.errors)
    key = (values.get("key") or "").strip() or None
    if key is not None and (len(key) > KEY_MAX or not KEY_PATTERN.match(key)):
        result.errors.append(
            Problem("key", f"A key is at most {KEY_MAX} characters, without spaces or quotes.")
        )
    result.key = key
    # Imported rows become working copies: the mapping rules apply when they are published.
    form = MeasureForm(
        formdata=formdata(values, ctx),
        choices=ctx.choices,
        mapping_rules=False,
        meta={"csrf": False},
    )
    valid = form.validate()
    result.errors.extend(_field_problems(form, ctx))
    result.relations = _relations(values, result.errors)
    result.successors = {
        (e.get("kind"), e.get("date")): e["successor"]
        for e in values.get("events") or []
        if e.get("successor")
    }
    if valid and not result.errors:
        result.data = form.to_data()
        result.data["implementations"] = []
    return result


# --- The whole file -------------------------------------------------------------------------------


#: the reasons a row is a likely duplicate, by what it shares
IDENTIFIER = "same jurisdiction and official identifier"
TITLE = "same jurisdiction and title"


def check_rows(rows: list[dict[str, Any]], ctx: Context | None = None) -> Check:
    """Every row checked, then keys, relation targets and duplicates across the file and the
    tracker."""
    ctx = ctx or Context()
    checks = [check_row(row, ctx) for row in rows]
    keys: dict[str, RowCheck] = {}
    #: the first row of the file with each (jurisdiction, folded identifier or title)
    first: dict[str, dict[tuple[str, str], RowCheck]] = {IDENTIFIER: {}, TITLE: {}}
    for check in checks:
        if check.key:
            _check_key(check, check.key, keys, ctx)
        probes = _probes(check)
        _tracker_duplicates(check, probes, ctx)
        _file_duplicates(check, probes, first)
    for check in checks:
        _check_relation_targets(check, keys, ctx)
        if check.errors:
            check.data = None
    return Check(checks)


def _check_key(check: RowCheck, key: str, keys: dict[str, RowCheck], ctx: Context) -> None:
    """A key names one row of the file; one the tracker uses already marks a duplicate."""
    if key in keys:
        check.errors.append(
            Problem("key", f"Row {keys[key].number} has the same key; a key names one measure.")
        )
    else:
        keys[key] = check
    existing = ctx.existing_for_key(key)
    if existing:
        check.duplicates.append(
            Duplicate("same key", existing.record_id, existing.label, same_key=True)
        )


def _probes(check: RowCheck) -> dict[str, tuple[str, str] | None]:
    """What finds a likely duplicate, by reason: (jurisdiction, folded identifier or title);
    None, or an empty second part, finds nothing."""
    juris = check.cells.get("jurisdiction", "").strip()
    title = (juris, _fold(COLUMNS["title_original"].decode(check.cells.get("title_original"))))
    identifier_text = COLUMNS["official_identifier"].decode(check.cells.get("official_identifier"))
    identifier = (juris, _fold(identifier_text)) if identifier_text else None
    return {IDENTIFIER: identifier, TITLE: title}


def _tracker_duplicates(
    check: RowCheck, probes: dict[str, tuple[str, str] | None], ctx: Context
) -> None:
    """Measures in the tracker with the same identifier or title, each named once."""
    already = {d.record_id for d in check.duplicates}
    for index, reason in ((ctx.by_identifier, IDENTIFIER), (ctx.by_title, TITLE)):
        probe = probes[reason]
        found = index.get(probe) if probe and probe[1] else None
        if found and found.record_id not in already:
            check.duplicates.append(Duplicate(reason, found.record_id, found.label))
            already.add(found.record_id)


def _file_duplicates(
    check: RowCheck,
    probes: dict[str, tuple[str, str] | None],
    first: dict[str, dict[tuple[str, str], RowCheck]],
) -> None:
    """Earlier rows of the file with the same identifier or title, each named once."""
    for reason in (IDENTIFIER, TITLE):
        probe, seen = probes[reason], first[reason]
        if probe and probe[1]:
            if probe in seen and seen[probe].number not in {d.row for d in check.duplicates}:
                check.duplicates.append(Duplicate(reason, row=seen[probe].number))
            elif probe not in seen:
                seen[probe] = check


def _check_relation_targets(check: RowCheck, keys: dict[str, RowCheck], ctx: Context) -> None:
    """A relation names another row of the file or a measure in the tracker, not its own row."""
    for i, relation in enumerate(check.relations, start=1):
        target = relation["target"]
        if not target:
            continue
        if target == check.key:
            check.errors.append(
                Problem(f"relations, line {i}, target", "A measure cannot be related to itself.")
            )
        elif target not in keys and ctx.existing_for_key(target) is None:
            check.errors.append(
                Problem(
                    f"relations, line {i}, target",
                    f"{target!r} is neither the key of another row of this file nor of "
                    "a measure in the tracker.",
                )
            )


def resolve_target(target: str, file_keys: dict[str, int], ctx: Context) -> int | None:
    """The record a relation target names: a row of the file (its new record) first, then the
    tracker."""
    if target in file_keys:
        return file_keys[target]
    existing = ctx.existing_for_key(target)
    if existing is not None:
        return existing.record_id
    record = db.session.scalar(
        sa.select(Record).where(Record.key == target, Record.kind == RecordKind.MEASURE)
    )
    return record.id if record else None
