"""Load data/norms.yaml: framework documents, norms, commitments and topics.

The whole file is validated before anything is written, and written in one
transaction; loading the same file twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tracker.datafiles import DataFileError, Reader, load_yaml
from tracker.extensions import db
from tracker.modelbase import Verification, parse_partial_date
from tracker.norms.models import (
    Commitment,
    CommitmentKind,
    DocumentKind,
    FrameworkDocument,
    Norm,
    Topic,
)

NORM_LETTERS = "abcdefghijk"


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: str, what: str) -> None:
        target = self.created if bucket == "created" else self.updated
        target[what] = target.get(what, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def __str__(self) -> str:
        if not self.changed:
            return "nothing changed"
        parts = [f"{n} {what} created" for what, n in sorted(self.created.items())]
        parts += [f"{n} {what} updated" for what, n in sorted(self.updated.items())]
        return ", ".join(parts)


def read_sources(
    path: str | Path, reader: Reader, key: str = "sources", *, staff_notes: bool = False
) -> list[dict[str, Any]]:
    """The sources of a record; ``staff_notes``: each may carry a staff-only ``staff_note``
    (where the source table has one; JSON source lists are public as they stand)."""
    sources = []
    for i, item in enumerate(reader.items(key)):
        r = Reader(path, item, f"{reader.where}.{key}[{i}]")
        r.unknown_keys(
            {"url", "title", "accessed", "staff_note"}
            if staff_notes
            else {"url", "title", "accessed"}
        )
        url = r.text("url", max_len=2000)
        if url and not url.startswith(("http://", "https://")):
            raise r.fail("url", f"{url!r} is not an http(s) URL")
        title = r.text("title", max_len=1000)
        if not (url or title):
            raise r.fail(None, "a source needs a url or a title")
        accessed = r.date("accessed")
        source = {
            "url": url,
            "title": title or url,
            "accessed": accessed.isoformat() if accessed else None,
        }
        if staff_notes:
            source["staff_note"] = r.text("staff_note")
        sources.append(source)
    return sources


def _partial_date(r: Reader, key: str) -> tuple[Any, Any]:
    text = r.text(key)
    if text is None:
        return None, None
    try:
        return parse_partial_date(text)
    except ValueError as exc:
        raise r.fail(key, str(exc)) from None


def parse(path: str | Path) -> dict[str, list[dict[str, Any]]]:
    """Validate the file; returns plain rows keyed by table, or raises DataFileError."""
    doc = load_yaml(path)
    root = Reader(path, doc, "norms.yaml")
    root.unknown_keys({"version", "framework_documents", "norms", "commitments", "topics"})
    root.integer("version", required=True)

    documents = []
    seen: set[str] = set()
    for i, item in enumerate(root.items("framework_documents")):
        r = Reader(path, item, f"framework_documents[{i}]")
        r.unknown_keys(
            {
                "key",
                "kind",
                "symbol",
                "title",
                "date",
                "url",
                "verification",
                "verification_note",
                "notes",
                "sources",
            }
        )
        key = r.text("key", required=True, max_len=80)
        if key in seen:
            raise r.fail("key", f"duplicate key {key!r}")
        seen.add(key)
        url = r.text("url", max_len=2000)
        if url and not url.startswith(("http://", "https://")):
            raise r.fail("url", f"{url!r} is not an http(s) URL")
        date, precision = _partial_date(r, "date")
        documents.append(
            {
                "key": key,
                "kind": r.choice("kind", DocumentKind),
                "symbol": r.text("symbol", max_len=60),
                "title": r.text("title"),
                "date": date,
                "date_precision": precision,
                "url": url,
                "verification": r.choice("verification", Verification),
                "verification_note": r.text("verification_note"),
                "notes": r.text("notes"),
                "sources": read_sources(path, r),
            }
        )

    norms: list[dict[str, Any]] = []
    for i, item in enumerate(root.items("norms")):
        r = Reader(path, item, f"norms[{i}]")
        r.unknown_keys(
            {
                "letter",
                "reference",
                "document",
                "short_title",
                "official_text",
                "summary",
                "text_verbatim_check",
                "verification",
                "verification_note",
                "sources",
                "staff_note",
            }
        )
        letter = r.text("letter", required=True)
        if letter not in NORM_LETTERS or len(letter) != 1:
            raise r.fail("letter", f"{letter!r} is not a norm letter a-k")
        if any(n["letter"] == letter for n in norms):
            raise r.fail("letter", f"norm ({letter}) appears twice")
        document = r.text("document")
        if document and document not in seen:
            raise r.fail("document", f"unknown framework document {document!r}")
        norms.append(
            {
                "letter": letter,
                "reference": r.text("reference", required=True, max_len=120),
                "document": document,
                "short_title": r.text("short_title", required=True, max_len=200),
                "official_text": r.text("official_text", required=True),
                "summary": r.text("summary"),
                "text_verbatim_check": r.text("text_verbatim_check", max_len=80),
                "verification": r.choice("verification", Verification),
                "verification_note": r.text("verification_note"),
                "sources": read_sources(path, r),
                "staff_note": r.text("staff_note"),
            }
        )
    letters = sorted(n["letter"] for n in norms)
    if letters != list(NORM_LETTERS):
        missing = ", ".join(sorted(set(NORM_LETTERS) - set(letters)))
        raise DataFileError(
            path,
            root.node.line_of("norms"),
            f"norms: the eleven norms a-k are required (missing: {missing})",
        )

    commitments = []
    ckeys: set[str] = set()
    for i, item in enumerate(root.items("commitments")):
        r = Reader(path, item, f"commitments[{i}]")
        r.unknown_keys(
            {
                "key",
                "kind",
                "title",
                "text",
                "instrument",
                "paragraph",
                "document",
                "norm",
                "verification",
                "verification_note",
                "sources",
                "staff_note",
            }
        )
        key = r.text("key", required=True, max_len=80)
        if key in ckeys:
            raise r.fail("key", f"duplicate key {key!r}")
        ckeys.add(key)
        norm = r.text("norm")
        if norm is not None and norm not in NORM_LETTERS:
            raise r.fail("norm", f"{norm!r} is not a norm letter a-k")
        document = r.text("document")
        if document and document not in seen:
            raise r.fail("document", f"unknown framework document {document!r}")
        commitments.append(
            {
                "key": key,
                "kind": r.choice("kind", CommitmentKind),
                "title": r.text("title", required=True, max_len=300),
                "text": r.text("text"),
                "instrument": r.text("instrument", max_len=300),
                "paragraph": r.text("paragraph", max_len=60),
                "document": document,
                "norm": norm,
                "verification": r.choice("verification", Verification),
                "verification_note": r.text("verification_note"),
                "sources": read_sources(path, r),
                "staff_note": r.text("staff_note"),
            }
        )

    topics: list[dict[str, Any]] = []
    for i, item in enumerate(root.items("topics")):
        r = Reader(path, item, f"topics[{i}]")
        r.unknown_keys({"slug", "name", "definition"})
        slug = r.text("slug", required=True, max_len=60)
        if any(t["slug"] == slug for t in topics):
            raise r.fail("slug", f"duplicate topic {slug!r}")
        topics.append(
            {
                "slug": slug,
                "name": r.text("name", required=True, max_len=120),
                "definition": r.text("definition", required=True),
                "position": i,
            }
        )
    return {
        "framework_documents": documents,
        "norms": norms,
        "commitments": commitments,
        "topics": topics,
    }


def _upsert(
    model: Any, key_field: str, rows: list[dict[str, Any]], report: LoadReport, what: str
) -> dict[str, Any]:
    existing = {getattr(obj, key_field): obj for obj in db.session.scalars(sa.select(model))}
    result = {}
    for row in rows:
        obj = existing.get(row[key_field])
        if obj is None:
            obj = model(**row)
            db.session.add(obj)
            report.count("created", what)
        else:
            changed = False
            for name, value in row.items():
                if getattr(obj, name) != value:
                    setattr(obj, name, value)
                    changed = True
            if changed:
                report.count("updated", what)
        result[row[key_field]] = obj
    db.session.flush()
    return result


def load(path: str | Path) -> LoadReport:
    """Validate and upsert; the caller commits (or rolls back on error)."""
    data = parse(path)
    report = LoadReport()
    documents = _upsert(FrameworkDocument, "key", data["framework_documents"], report, "documents")
    norm_rows = []
    for row in data["norms"]:
        row = dict(row)
        doc = row.pop("document")
        row["document_id"] = documents[doc].id if doc else None
        norm_rows.append(row)
    norms = _upsert(Norm, "letter", norm_rows, report, "norms")
    commitment_rows = []
    for row in data["commitments"]:
        row = dict(row)
        doc, norm = row.pop("document"), row.pop("norm")
        row["document_id"] = documents[doc].id if doc else None
        row["norm_id"] = norms[norm].id if norm else None
        commitment_rows.append(row)
    _upsert(Commitment, "key", commitment_rows, report, "commitments")
    _upsert(Topic, "slug", data["topics"], report, "topics")
    return report
