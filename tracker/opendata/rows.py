"""One export row per measure or attribution, in two shapes from one source.

``measure_item`` / ``attribution_item`` give the structured form (lists of
objects) that the JSON export holds; ``MEASURE_COLUMNS`` / ``ATTRIBUTION_COLUMNS``
flatten it for CSV and XLSX with the cell formats of tracker.opendata.formats,
and ``read_row`` turns a flat row back into the structured form. The codebook
(tracker.opendata.codebook) documents every column named here, and a test holds
the two together.

Round trip (for the later spreadsheet import): a row is keyed by ``key``, the
record's stable key (demo and imported records have one; a record created in
the app is exported as ``measure-<id>`` / ``attribution-<id>``). ``id`` and the
``*_name``, ``url`` and timestamp columns are for readers and are ignored on
import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import Any

from flask import url_for

from tracker.attribution.models import Attribution
from tracker.measures import lifecycle
from tracker.measures.models import Measure
from tracker.modelbase import partial_date_text, rfc3339
from tracker.opendata.formats import (
    decode_items,
    decode_list,
    encode_items,
    encode_list,
    unneutralise,
)
from tracker.search.labels import endpoint_url


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def tidy(value: Any) -> Any:
    """Empty text is None, at every depth, so the JSON and the flat formats agree exactly."""
    if isinstance(value, dict):
        return {k: tidy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [tidy(v) for v in value]
    return None if value == "" else value


def record_key(kind: str, content: Any) -> str:
    record = content.record
    return record.key or f"{kind}-{record.id}"


def _sources(sources: list[Any]) -> list[dict[str, Any]]:
    return [{"title": s.title, "url": s.url, "accessed": _iso(s.accessed)} for s in sources]


def measure_item(
    m: Measure,
    *,
    drafts: bool = False,
    standing: lifecycle.StandingOn | None = None,
    on: dt.date | None = None,
    targets: Container[int] | None = None,
) -> dict[str, Any]:
    """``standing`` on ``on`` comes from tracker.measures.lifecycle (the export view computes
    it with the same function as every other surface). ``targets``: record ids of the
    relation targets the reader may see; a relation to any other record (a draft, a deleted
    measure) is left out, as on the page and in the API."""
    on = on or lifecycle.today()
    if standing is None:
        standing = lifecycle.standing_of(m, on, lifecycle.today())
    item: dict[str, Any] = {
        "id": m.record_id,
        "key": record_key("measure", m),
        "url": endpoint_url(
            "measures.detail", "/measures/{record_id}", external=True, record_id=m.record_id
        ),
        "jurisdiction": m.jurisdiction_code,
        "jurisdiction_name": m.jurisdiction.name if m.jurisdiction else None,
        "title_original": m.title_original,
        "title_lang": m.title_lang,
        "title_en": m.title_en,
        "short_name": m.short_name,
        "type": m.type.value,
        "issuing_body": m.issuing_body,
        "status": m.status.value,
        "status_note": m.status_note,
        "standing_as_of": on.isoformat(),
        "standing": standing.label,
        "standing_sentence": standing.sentence,
        "official_identifier": m.official_identifier,
        "official_url": m.official_url,
        "description": m.description,
        "year": m.year,
        "events": [
            {
                "kind": e.kind.value,
                "date": partial_date_text(e.date, e.precision),
                "stage": e.stage,
                "note": e.note,
                "successor": e.successor_record.key or f"measure-{e.successor_record_id}"
                if e.successor_record
                else None,
            }
            for e in m.events
        ],
        "topics": [t.slug for t in m.topics],
        "mappings": [
            {
                "target": mp.norm.letter
                if mp.norm
                else (mp.commitment.key if mp.commitment else None),
                "locator": mp.locator,
                "basis": mp.basis.value,
                "rationale": mp.rationale,
                # "whole_instrument" where the mapping has no pinpoint because it concerns
                # the measure as a whole (text, so that JSON and the flat formats agree)
                "scope": "whole_instrument" if mp.whole_instrument else None,
            }
            for mp in m.mappings
        ],
        "relations": [
            {
                "kind": r.kind.value,
                "target": r.target_record.key or f"measure-{r.target_record_id}"
                if r.target_record
                else None,
                "note": r.note,
            }
            for r in m.relations
            if targets is None or r.target_record_id in targets
        ],
        "sources": _sources(m.sources),
        "verification": m.verification.value,
        "verification_note": m.verification_note,
        "published_at": rfc3339(m.record.published_at),
    }
    if drafts:
        item["draft"] = not m.is_live
        item["state"] = m.record.state.value
    return tidy(item)


def attribution_item(a: Attribution, *, drafts: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": a.record_id,
        "key": record_key("attribution", a),
        "url": url_for("attribution.detail", record_id=a.record_id, _external=True),
        "date": partial_date_text(a.date, a.date_precision),
        "operation": a.operation,
        "attributing": [p.jurisdiction_code for p in a.attributing],
        "attributing_orgs": a.attributing_orgs,
        "supporting": [p.jurisdiction_code for p in a.supporting],
        "supporting_orgs": a.supporting_orgs,
        "recalled": [p.jurisdiction_code for p in a.recalled],
        "attributed_actor": a.attributed_actor,
        "attributed_state": a.attributed_state_code,
        "forms": [f.value for f in a.forms],
        "statements": [
            {
                "role": s.role.value,
                "parties": " ".join(s.codes + list(s.orgs or [])),
                "date": partial_date_text(s.date, s.date_precision) if s.date else None,
                "form": s.form.value if s.form else None,
                "un_framework_invoked": s.un_framework_invoked.value,
                "norms": " ".join(f"{i.norm.letter}:{i.basis.value}" for i in s.invoked_norms),
                "passage_kind": s.passage_kind.value if s.passage else None,
                "passage": s.passage,
                "passage_source": s.passage_source,
            }
            for s in a.statements
        ],
        "basis_note": a.basis_note,
        "follow_up": a.follow_up,
        "legal_basis": a.legal_basis,
        "notes": a.notes,
        "sources": _sources(a.sources),
        "verification": a.verification.value,
        "verification_note": a.verification_note,
        "published_at": rfc3339(a.record.published_at),
    }
    if drafts:
        item["draft"] = not a.is_live
        item["state"] = a.record.state.value
    return tidy(item)


# --- Flat columns -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    #: "text", "integer", "list" (one value per line) or "items" (structured, one per line)
    shape: str = "text"
    #: for "items": the fields of each line, in order
    fields: tuple[str, ...] = ()

    def encode(self, value: Any) -> Any:
        if self.shape == "list":
            return encode_list(value or [])
        if self.shape == "items":
            return encode_items([[obj.get(f) for f in self.fields] for obj in value or []])
        if self.shape == "boolean":
            return None if value is None else ("yes" if value else "no")
        return value

    def decode(self, cell: Any) -> Any:
        if cell is None or cell == "":
            return [] if self.shape in {"list", "items"} else None
        if isinstance(cell, str):
            cell = unneutralise(cell)
        if self.shape == "list":
            return decode_list(cell)
        if self.shape == "items":
            return [
                dict(zip(self.fields, values, strict=True))
                for values in decode_items(cell, len(self.fields))
            ]
        if self.shape == "integer":
            return int(cell)
        if self.shape == "boolean":
            return cell == "yes"
        return cell


SOURCES_COLUMN = Column("sources", "items", ("title", "url", "accessed"))

MEASURE_COLUMNS: tuple[Column, ...] = (
    Column("id", "integer"),
    Column("key"),
    Column("jurisdiction"),
    Column("jurisdiction_name"),
    Column("title_original"),
    Column("title_lang"),
    Column("title_en"),
    Column("short_name"),
    Column("type"),
    Column("issuing_body"),
    Column("status"),
    Column("status_note"),
    Column("standing_as_of"),
    Column("standing"),
    Column("standing_sentence"),
    Column("official_identifier"),
    Column("official_url"),
    Column("description"),
    Column("year", "integer"),
    Column("events", "items", ("kind", "date", "stage", "note", "successor")),
    Column("topics", "list"),
    Column("mappings", "items", ("target", "locator", "basis", "rationale", "scope")),
    Column("relations", "items", ("kind", "target", "note")),
    SOURCES_COLUMN,
    Column("verification"),
    Column("verification_note"),
    Column("url"),
    Column("published_at"),
)

ATTRIBUTION_COLUMNS: tuple[Column, ...] = (
    Column("id", "integer"),
    Column("key"),
    Column("date"),
    Column("operation"),
    Column("attributing", "list"),
    Column("attributing_orgs", "list"),
    Column("supporting", "list"),
    Column("supporting_orgs", "list"),
    Column("recalled", "list"),
    Column("attributed_actor"),
    Column("attributed_state"),
    Column("forms", "list"),
    Column(
        "statements",
        "items",
        (
            "role",
            "parties",
            "date",
            "form",
            "un_framework_invoked",
            "norms",
            "passage_kind",
            "passage",
            "passage_source",
        ),
    ),
    Column("basis_note"),
    Column("follow_up"),
    Column("legal_basis"),
    Column("notes"),
    SOURCES_COLUMN,
    Column("verification"),
    Column("verification_note"),
    Column("url"),
    Column("published_at"),
)

#: added when staff export with drafts=1
DRAFT_COLUMNS: tuple[Column, ...] = (Column("draft", "boolean"), Column("state"))


@dataclass(frozen=True)
class Dataset:
    name: str
    columns: tuple[Column, ...]
    item: Callable[..., dict[str, Any]]

    def columns_for(self, drafts: bool) -> tuple[Column, ...]:
        return self.columns + (DRAFT_COLUMNS if drafts else ())

    def header(self, drafts: bool = False) -> list[str]:
        return [c.name for c in self.columns_for(drafts)]

    def flat(self, item: dict[str, Any], drafts: bool = False) -> list[Any]:
        return [c.encode(item.get(c.name)) for c in self.columns_for(drafts)]


MEASURES = Dataset("measures", MEASURE_COLUMNS, measure_item)
ATTRIBUTIONS = Dataset("attributions", ATTRIBUTION_COLUMNS, attribution_item)


def read_row(dataset: Dataset, header: list[str], row: list[Any]) -> dict[str, Any]:
    """A CSV or XLSX row back in the structured form of the JSON export."""
    by_name = {c.name: c for c in (*dataset.columns, *DRAFT_COLUMNS)}
    return {
        name: by_name[name].decode(value)
        for name, value in zip(header, row, strict=False)
        if name in by_name
    }
