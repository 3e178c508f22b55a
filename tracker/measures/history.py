"""How measure snapshots are compared: the fields, their labels, and readable values.

Registered with tracker.records.history, which the generic editor and change path use
for the history pages (compare two revisions), for saves (each revision's change summary)
and for the conflict page. Snapshots come from ``services.snapshot``.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import sqlalchemy as sa

from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction
from tracker.measures.models import (
    EventKind,
    ImplementationDegree,
    MappingBasis,
    Measure,
    MeasureStatus,
    MeasureType,
    RelationKind,
)
from tracker.modelbase import Verification, format_partial_date, parse_partial_date
from tracker.norms.models import Commitment, Topic
from tracker.records import history
from tracker.records.diff import (
    ROWS,
    SCALAR,
    SET,
    SOURCES,
    TEXT,
    FieldChange,
    FieldSpec,
    compare,
    summarise,
)
from tracker.records.models import RecordKind

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("jurisdiction_code", "Jurisdiction"),
    FieldSpec("title_original", "Official title", TEXT),
    FieldSpec("title_lang", "Language of the official title", SCALAR, summary="title language"),
    FieldSpec("title_en", "English title", TEXT),
    FieldSpec("short_name", "Short name"),
    FieldSpec("type", "Type"),
    FieldSpec("issuing_body", "Issuing body"),
    FieldSpec("status", "Status"),
    FieldSpec("status_note", "Status note", TEXT),
    FieldSpec("official_identifier", "Official identifier"),
    FieldSpec("official_url", "Official URL", summary="official URL"),
    FieldSpec("description", "Description", TEXT),
    FieldSpec("verification", "Verification"),
    FieldSpec("verification_note", "Verification note", TEXT),
    FieldSpec("topics", "Topics", SET, noun=("topic", "topics")),
    FieldSpec(
        "events",
        "Dated events",
        ROWS,
        columns=(("kind", "What"), ("date", "Date"), ("stage", "Stage"), ("note", "Note")),
        noun=("event", "events"),
        summary="events",
    ),
    SOURCES,
    FieldSpec(
        "relations",
        "Related measures",
        ROWS,
        columns=(("kind", "Relation"), ("target_record_id", "Measure"), ("note", "Note")),
        noun=("relation", "relations"),
        summary="relations",
    ),
    FieldSpec(
        "mappings",
        "Norms and commitments",
        ROWS,
        columns=(
            ("target", "Maps to"),
            ("locator", "Pinpoint"),
            ("rationale", "Rationale"),
            ("basis", "Basis"),
        ),
        noun=("mapping", "mappings"),
        summary="mappings",
    ),
    FieldSpec(
        "implementations",
        "Implements",
        ROWS,
        columns=(
            ("target", "Recommendation or action"),
            ("degree", "Degree"),
            ("basis", "Basis"),
            ("locator", "Pinpoint"),
            ("rationale", "Rationale"),
        ),
        noun=("implementation link", "implementation links"),
        summary="implementation links",
    ),
)

ENUMS: dict[tuple[str, str | None], Any] = {
    ("type", None): MeasureType,
    ("status", None): MeasureStatus,
    ("verification", None): Verification,
    ("events", "kind"): EventKind,
    ("relations", "kind"): RelationKind,
    ("mappings", "basis"): MappingBasis,
    ("implementations", "degree"): ImplementationDegree,
    ("implementations", "basis"): MappingBasis,
}


def for_diff(snapshot: dict[str, Any] | None) -> dict[str, Any] | None:
    """A snapshot with a mapping's norm or commitment folded into one "target" value."""
    if snapshot is None:
        return None
    data = dict(snapshot)
    data["mappings"] = [
        {
            **m,
            "target": f"norm:{m['norm']}" if m.get("norm") else f"commitment:{m.get('commitment')}",
        }
        for m in snapshot.get("mappings", [])
    ]
    data["implementations"] = [
        {
            **i,
            "target": f"action:{i.get('catalogue')}/{i['action']}"
            if i.get("action")
            else f"rec:{i.get('recommendation_id')}",
        }
        for i in snapshot.get("implementations", [])
    ]
    return data


class Labels:
    """Turns stored codes into what a reader understands, loading each lookup once."""

    @cached_property
    def jurisdictions(self) -> dict[str, str]:
        return {
            k: v for k, v in db.session.execute(sa.select(Jurisdiction.code, Jurisdiction.name))
        }  # noqa: C416

    @cached_property
    def topics(self) -> dict[str, str]:
        return {k: v for k, v in db.session.execute(sa.select(Topic.slug, Topic.name))}  # noqa: C416

    @cached_property
    def commitments(self) -> dict[str, str]:
        return {k: v for k, v in db.session.execute(sa.select(Commitment.key, Commitment.title))}  # noqa: C416

    @cached_property
    def measures(self) -> dict[int, str]:
        rows = db.session.execute(
            sa.select(
                Measure.record_id,
                Measure.jurisdiction_code,
                Measure.short_name,
                Measure.title_original,
            ).where(Measure.is_draft)
        )
        return {rid: f"{code}: {short or title}" for rid, code, short, title in rows}

    @cached_property
    def implementation_targets(self) -> dict[str, str]:
        from tracker.measures.forms import implementation_choices

        return {c.value: f"{c.optgroup}: {c.label}" for c in implementation_choices()[0] if c.value}

    def __call__(self, field: str, column: str | None, value: Any) -> str:
        if value is None or value == "":
            return ""
        enum = ENUMS.get((field, column))
        if enum is not None:
            try:
                return enum(value).label
            except ValueError:
                return str(value)
        if field == "jurisdiction_code":
            name = self.jurisdictions.get(value)
            return f"{name} ({value})" if name else str(value)
        if field == "topics":
            return self.topics.get(value, str(value))
        if (field, column) == ("events", "date"):
            try:
                return format_partial_date(*parse_partial_date(value))
            except ValueError:
                return str(value)
        if (field, column) == ("relations", "target_record_id"):
            try:
                return self.measures.get(int(value), f"record {value}")
            except (TypeError, ValueError):
                return str(value)
        if (field, column) == ("implementations", "target"):
            return self.implementation_targets.get(str(value), str(value))
        if (field, column) == ("mappings", "target"):
            kind, _, key = str(value).partition(":")
            if kind == "norm":
                return f"Norm ({key})"
            return self.commitments.get(key, key)
        return str(value)


def compare_snapshots(
    old: dict[str, Any] | None, new: dict[str, Any] | None, labels: Labels | None = None
) -> list[FieldChange]:
    return compare(FIELDS, for_diff(old), for_diff(new), labels or Labels())


def change_summary(old: dict[str, Any] | None, new: dict[str, Any] | None) -> str:
    return summarise(compare_snapshots(old, new))


history.register(RecordKind.MEASURE, history.HistorySpec(FIELDS, Labels, for_diff))
