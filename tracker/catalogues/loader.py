"""Load data/catalogues.yaml: catalogues of practical actions from the UN framework.

Validated whole before anything is written (errors name the file and the line),
then upserted by key in the caller's transaction; loading twice changes nothing.
Actions are never deleted by a load, because measures may link to them: an
action that leaves the file stays in the database and is reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tracker.catalogues.models import Catalogue, CatalogueAction, Wording
from tracker.datafiles import DataFileError, Reader, load_yaml
from tracker.extensions import db
from tracker.modelbase import Verification
from tracker.norms.loader import LoadReport, read_sources
from tracker.norms.models import FrameworkDocument, Norm, Topic

CATALOGUE_FIELDS = {
    "key",
    "title",
    "document",
    "verification",
    "verification_note",
    "sources",
    "lead_ins",
    "actions",
    "staff_note",
}
ACTION_FIELDS = {
    "key",
    "number",
    "norm",
    "context",
    "text",
    "wording",
    "topics",
    "paragraph",
    "verification",
    "verification_note",
    "sources",
}


def parse(path: str | Path) -> list[dict[str, Any]]:
    """Validate the file against the framework in the database; returns plain rows."""
    doc = load_yaml(path)
    if not isinstance(doc, list):
        raise DataFileError(path, getattr(doc, "line", 1), "expected a list of catalogues")
    documents = set(db.session.scalars(sa.select(FrameworkDocument.key)))
    norms = set(db.session.scalars(sa.select(Norm.letter)))
    topics = set(db.session.scalars(sa.select(Topic.slug)))
    if not norms:
        raise DataFileError(path, None, "load the norms first (flask --app tracker norms load)")
    catalogues: list[dict[str, Any]] = []
    for i, item in enumerate(doc):
        r = Reader(path, item, f"catalogues[{i}]")
        r.unknown_keys(CATALOGUE_FIELDS)
        key = r.text("key", required=True, max_len=80)
        if any(c["key"] == key for c in catalogues):
            raise r.fail("key", f"duplicate catalogue key {key!r}")
        document = r.text("document", max_len=80)
        if document is not None and document not in documents:
            raise r.fail("document", f"unknown framework document {document!r}")
        verification = r.choice("verification", Verification)
        verification_note = r.text("verification_note")
        sources = read_sources(path, r)
        lead_ins_node = r.node.get("lead_ins") or {}
        if not isinstance(lead_ins_node, dict):
            raise r.fail("lead_ins", "expected a mapping of norm letter to text")
        lr = Reader(path, lead_ins_node, f"catalogues[{i}].lead_ins")
        lead_ins = {}
        for letter in lead_ins_node:
            if letter not in norms:
                raise lr.fail(str(letter), f"{letter!r} is not a norm letter")
            lead_ins[str(letter)] = lr.text(str(letter), required=True, max_len=500)
        actions: list[dict[str, Any]] = []
        for j, node in enumerate(r.items("actions")):
            a = Reader(path, node, f"catalogues[{i}].actions[{j}]")
            a.unknown_keys(ACTION_FIELDS)
            action_key = a.text("key", required=True, max_len=40)
            if any(x["key"] == action_key for x in actions):
                raise a.fail("key", f"duplicate action key {action_key!r}")
            letter = a.text("norm")
            if letter is not None and letter not in norms:
                raise a.fail("norm", f"unknown norm {letter!r}")
            slugs = [str(t) for t in a.items("topics")]
            for slug in slugs:
                if slug not in topics:
                    raise a.fail("topics", f"unknown topic {slug!r}")
            action_sources = read_sources(path, a) if "sources" in a.node else sources
            actions.append(
                {
                    "key": action_key,
                    "number": a.text("number", required=True, max_len=20),
                    "norm": letter,
                    "context": a.text("context", max_len=300),
                    "text": a.text("text", required=True, max_len=5000),
                    # Quotation marks only for the source's own words: an action that does
                    # not say so is the tracker's summary.
                    "wording": a.choice("wording", Wording, required=False) or Wording.SUMMARY,
                    "paragraph": a.text("paragraph", max_len=60),
                    # Each action carries the verification of the text it quotes: the
                    # catalogue's, unless the file says otherwise for that action.
                    "verification": a.choice("verification", Verification, required=False)
                    or verification,
                    "verification_note": a.text("verification_note") or verification_note,
                    "sources": action_sources,
                    "topics": slugs,
                    "position": j,
                }
            )
        if not actions:
            raise r.fail("actions", "a catalogue needs at least one action")
        catalogues.append(
            {
                "key": key,
                "title": r.text("title", required=True, max_len=500),
                "document": document,
                "verification": verification,
                "verification_note": verification_note,
                "sources": sources,
                "lead_ins": lead_ins,
                "actions": actions,
                "staff_note": r.text("staff_note"),
            }
        )
    return catalogues


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def load(path: str | Path) -> LoadReport:
    """Validate, then upsert catalogues and actions; the caller commits or rolls back."""
    data = parse(path)
    report = LoadReport()
    documents = {d.key: d.id for d in db.session.scalars(sa.select(FrameworkDocument))}
    norms = {n.letter: n.id for n in db.session.scalars(sa.select(Norm))}
    topics = {t.slug: t for t in db.session.scalars(sa.select(Topic))}
    existing = {c.key: c for c in db.session.scalars(sa.select(Catalogue))}
    for row in data:
        values = {
            "title": row["title"],
            "document_id": documents.get(row["document"]) if row["document"] else None,
            "verification": row["verification"],
            "verification_note": row["verification_note"],
            "sources": row["sources"],
            "lead_ins": row["lead_ins"],
            "staff_note": row["staff_note"],
        }
        catalogue = existing.get(row["key"])
        if catalogue is None:
            catalogue = Catalogue(key=row["key"], **values)
            db.session.add(catalogue)
            db.session.flush()
            report.count("created", "catalogues")
        elif _assign(catalogue, values):
            report.count("updated", "catalogues")
        actions = {
            a.key: a
            for a in db.session.scalars(
                sa.select(CatalogueAction).where(CatalogueAction.catalogue_id == catalogue.id)
            )
        }
        for item in row["actions"]:
            values = {k: v for k, v in item.items() if k not in {"key", "norm", "topics"}}
            values["norm_id"] = norms.get(item["norm"]) if item["norm"] else None
            wanted_topics = [topics[s] for s in item["topics"]]
            action = actions.pop(item["key"], None)
            if action is None:
                action = CatalogueAction(catalogue_id=catalogue.id, key=item["key"], **values)
                action.topics = wanted_topics
                db.session.add(action)
                report.count("created", "actions")
                continue
            changed = _assign(action, values)
            if {t.slug for t in action.topics} != set(item["topics"]):
                action.topics = wanted_topics
                changed = True
            if changed:
                report.count("updated", "actions")
        for _gone in actions.values():
            report.count("updated", "actions kept although no longer in the file")
    db.session.flush()
    return report
