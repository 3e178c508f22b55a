"""Load the demo measures (data/demo/measures.yaml), published, with their sources.

Every value in the demo file comes from shared/reference/facts.yaml; see
data/demo/README.md. The file is validated whole before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tracker.datafiles import DataFileError, Reader, load_yaml
from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction
from tracker.measures import services
from tracker.measures.models import (
    EventKind,
    MappingBasis,
    MeasureStatus,
    MeasureType,
    RelationKind,
)
from tracker.modelbase import Verification, parse_partial_date
from tracker.norms.loader import LoadReport, read_sources
from tracker.norms.models import Commitment, Norm, Topic
from tracker.records import services as records
from tracker.records.models import Record, RecordKind
from tracker.review import workflow

#: the keys of a measure in the demo file: the snapshot's own fields (the jurisdiction by its
#: code, under "jurisdiction"), its key and its children
MEASURE_FIELDS = {
    "key",
    "jurisdiction",
    *(set(services.SCALAR_FIELDS) - {"jurisdiction_code"}),
    "topics",
    "events",
    "relations",
    "mappings",
    "sources",
}


@dataclass
class Known:
    """The reference data a demo measure may name, and the keys of the file's measures."""

    jurisdictions: set[str]
    topics: set[str]
    norms: set[str]
    commitments: set[str]
    keys: list[Any]


def parse(path: str | Path) -> list[dict[str, Any]]:
    """Validate the demo file against the reference data; returns measure snapshots with keys."""
    doc = load_yaml(path)
    if not isinstance(doc, list):
        raise DataFileError(path, getattr(doc, "line", 1), "expected a list of measures")
    known = Known(
        jurisdictions=set(db.session.scalars(sa.select(Jurisdiction.code))),
        topics=set(db.session.scalars(sa.select(Topic.slug))),
        norms=set(db.session.scalars(sa.select(Norm.letter))),
        commitments=set(db.session.scalars(sa.select(Commitment.key))),
        keys=[item.get("key") for item in doc if isinstance(item, dict)],
    )
    if not known.norms:
        raise DataFileError(
            path, None, "load the norms first (flask --app tracker norms load data/norms.yaml)"
        )
    measures = []
    for i, item in enumerate(doc):
        r = Reader(path, item, f"measures[{i}]")
        r.unknown_keys(MEASURE_FIELDS)
        snap = _measure(r, known)
        for t in r.items("topics"):
            if t not in known.topics:
                raise r.fail("topics", f"unknown topic {t!r}")
        snap["topics"] = list(r.items("topics"))
        snap["events"] = [_event(er, known) for er in _children(r, "events")]
        snap["relations"] = [_relation(rr, known) for rr in _children(r, "relations")]
        snap["mappings"] = [_mapping(mr, known) for mr in _children(r, "mappings")]
        snap["sources"] = read_sources(path, r, staff_notes=True)
        if not snap["sources"]:
            raise r.fail("sources", "a published measure needs at least one source")
        snap["_line"] = r.node.line
        measures.append(snap)
    return measures


def _children(r: Reader, key: str) -> Iterator[Reader]:
    """Readers of a list's items, one at a time (so errors come in file order)."""
    for j, node in enumerate(r.items(key)):
        yield Reader(r.path, node, f"{r.where}.{key}[{j}]")


def _measure(r: Reader, known: Known) -> dict[str, Any]:
    """The measure's key and own fields."""
    key = r.text("key", required=True, max_len=120)
    if known.keys.count(key) > 1:
        raise r.fail("key", f"duplicate key {key!r}")
    code = r.text("jurisdiction", required=True)
    if code not in known.jurisdictions:
        raise r.fail("jurisdiction", f"unknown jurisdiction code {code!r}")
    url = r.text("official_url", max_len=2000)
    if url and not url.startswith(("http://", "https://")):
        raise r.fail("official_url", f"{url!r} is not an http(s) URL")
    return {
        "key": key,
        "jurisdiction_code": code,
        "title_original": r.text("title_original", required=True, max_len=1000),
        "title_lang": r.text("title_lang", max_len=16) or "en",
        "title_en": r.text("title_en", max_len=1000),
        "short_name": r.text("short_name", max_len=200),
        "type": r.choice("type", MeasureType).value,
        "issuing_body": r.text("issuing_body", max_len=500),
        "status": r.choice("status", MeasureStatus).value,
        "status_note": r.text("status_note"),
        "official_identifier": r.text("official_identifier", max_len=500),
        "official_url": url,
        "description": r.text("description"),
        "verification": r.choice("verification", Verification).value,
        "verification_note": r.text("verification_note"),
    }


def _event(er: Reader, known: Known) -> dict[str, Any]:
    er.unknown_keys({"kind", "date", "note", "stage", "successor"})
    kind = er.choice("kind", EventKind)
    text = er.text("date", required=True)
    try:
        parse_partial_date(text)
    except ValueError as exc:
        raise er.fail("date", str(exc)) from None
    successor = er.text("successor")
    if successor and successor not in known.keys:
        raise er.fail("successor", f"unknown measure key {successor!r}")
    return {
        "kind": kind.value,
        "date": text,
        "stage": er.text("stage", max_len=300),
        "note": er.text("note", max_len=500),
        "successor_key": successor,
    }


def _relation(rr: Reader, known: Known) -> dict[str, Any]:
    rr.unknown_keys({"kind", "target", "note"})
    target = rr.text("target", required=True)
    if target not in known.keys:
        raise rr.fail("target", f"unknown measure key {target!r}")
    return {
        "kind": rr.choice("kind", RelationKind).value,
        "target_key": target,
        "note": rr.text("note"),
    }


def _mapping(mr: Reader, known: Known) -> dict[str, Any]:
    mr.unknown_keys({"norm", "commitment", "locator", "whole_instrument", "rationale", "basis"})
    norm, commitment = mr.text("norm"), mr.text("commitment")
    if bool(norm) == bool(commitment):
        raise mr.fail(None, "a mapping needs exactly one of norm or commitment")
    if norm and norm not in known.norms:
        raise mr.fail("norm", f"unknown norm {norm!r}")
    if commitment and commitment not in known.commitments:
        raise mr.fail("commitment", f"unknown commitment {commitment!r}")
    return {
        "norm": norm,
        "commitment": commitment,
        "locator": mr.text("locator", max_len=300),
        "whole_instrument": bool(mr.node.get("whole_instrument", False)),
        "rationale": mr.text("rationale"),
        "basis": (mr.choice("basis", MappingBasis, required=False) or MappingBasis.INFERRED).value,
    }


def load(path: str | Path) -> LoadReport:
    """Create the demo measures that are not there yet, as published records."""
    measures = parse(path)
    report = LoadReport()
    existing = set(
        db.session.scalars(sa.select(Record.key).where(Record.kind == RecordKind.MEASURE))
    )
    created: list[tuple[Record, Any, dict[str, Any]]] = []
    # Records first, so relations between demo measures can point at each other.
    for snap in measures:
        if snap["key"] in existing:
            continue
        record = Record(kind=RecordKind.MEASURE, key=snap["key"])
        db.session.add(record)
        created.append((record, None, snap))
    db.session.flush()
    for index, (record, _none, snap) in enumerate(created):
        content = services.Measure(record_id=record.id, is_draft=True, is_live=False)
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
        created[index] = (record, content, snap)
        report.count("created", "measures")
    db.session.flush()
    return report
