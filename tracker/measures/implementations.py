"""Links from a measure to the recommendations and catalogue actions it implements.

The links are part of the measure's content (``Measure.implementations``): the
measure services call ``snapshot``, ``clone`` and ``apply`` below, so links are
copied on write, reviewed and published with the measure, and restored with it.
In snapshots an action is named by its catalogue and action keys, and a
recommendation by its stable identity id (see tracker.papers.models).

``load_demo`` reads data/demo/implementations.yaml (see the rule in its header).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tracker.catalogues.models import Catalogue, CatalogueAction
from tracker.datafiles import DataFileError, Reader, load_yaml
from tracker.extensions import db
from tracker.measures.models import (
    ImplementationDegree,
    MappingBasis,
    Measure,
    MeasureImplementation,
)
from tracker.norms.loader import LoadReport
from tracker.papers.models import Recommendation
from tracker.records import services as records
from tracker.records.models import Record, RecordKind


def snapshot(measure: Measure) -> list[dict[str, Any]]:
    return [
        {
            "catalogue": link.action.catalogue.key if link.action else None,
            "action": link.action.key if link.action else None,
            "recommendation_id": link.recommendation_id,
            "degree": link.degree.value,
            "basis": link.basis.value,
            "locator": link.locator,
            "rationale": link.rationale,
        }
        for link in measure.implementations
    ]


def clone(measure: Measure) -> list[MeasureImplementation]:
    return [
        MeasureImplementation(
            recommendation_id=link.recommendation_id,
            action_id=link.action_id,
            degree=link.degree,
            basis=link.basis,
            locator=link.locator,
            rationale=link.rationale,
        )
        for link in measure.implementations
    ]


def _action_ids(pairs: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    if not pairs:
        return {}
    stmt = (
        sa.select(Catalogue.key, CatalogueAction.key, CatalogueAction.id)
        .join(Catalogue, Catalogue.id == CatalogueAction.catalogue_id)
        .where(Catalogue.key.in_({c for c, _ in pairs}))
    )
    return {(c, a): id_ for c, a, id_ in db.session.execute(stmt)}


def apply(measure: Measure, items: list[dict[str, Any]]) -> None:
    """Make the measure's links exactly ``items``; raises ValueError on an unknown target."""
    actions = _action_ids({(i["catalogue"], i["action"]) for i in items if i.get("action")})
    wanted = {i["recommendation_id"] for i in items if i.get("recommendation_id")}
    known = (
        set(db.session.scalars(sa.select(Recommendation.id).where(Recommendation.id.in_(wanted))))
        if wanted
        else set()
    )
    links = []
    for item in items:
        action_id = recommendation_id = None
        if item.get("action"):
            action_id = actions.get((item["catalogue"], item["action"]))
            if action_id is None:
                raise ValueError(
                    f"link to an unknown catalogue action: {item.get('catalogue')}/{item['action']}"
                )
        else:
            recommendation_id = item.get("recommendation_id")
            if recommendation_id not in known:
                raise ValueError(f"link to an unknown recommendation: {recommendation_id!r}")
        links.append(
            MeasureImplementation(
                action_id=action_id,
                recommendation_id=recommendation_id,
                degree=ImplementationDegree(item["degree"]),
                basis=MappingBasis(item.get("basis") or "inferred"),
                locator=item.get("locator"),
                rationale=item["rationale"],
            )
        )
    measure.implementations = links


# --- Demo data ----------------------------------------------------------------------------

DEMO_FIELDS = {"measure", "catalogue", "action", "degree", "basis", "locator", "rationale"}


def parse_demo(path: str | Path) -> list[dict[str, Any]]:
    """Validate the demo links against the measures and catalogues in the database."""
    doc = load_yaml(path)
    if not isinstance(doc, list):
        raise DataFileError(path, getattr(doc, "line", 1), "expected a list of links")
    measures = set(
        db.session.scalars(sa.select(Record.key).where(Record.kind == RecordKind.MEASURE))
    )
    actions = _action_ids(
        {
            (c, a)
            for c, a in db.session.execute(
                sa.select(Catalogue.key, CatalogueAction.key).join(Catalogue)
            )
        }
    )
    if not actions:
        raise DataFileError(
            path, None, "load the catalogues first (flask --app tracker catalogues load)"
        )
    seen: set[tuple[str, str, str]] = set()
    links = []
    for i, node in enumerate(doc):
        r = Reader(path, node, f"implementations[{i}]")
        r.unknown_keys(DEMO_FIELDS)
        measure = r.text("measure", required=True, max_len=120)
        if measure not in measures:
            raise r.fail("measure", f"unknown measure key {measure!r}")
        catalogue = r.text("catalogue", required=True, max_len=80)
        action = r.text("action", required=True, max_len=40)
        if (catalogue, action) not in actions:
            raise r.fail("action", f"unknown action {action!r} in catalogue {catalogue!r}")
        if (measure, catalogue, action) in seen:
            raise r.fail("action", f"{measure} is linked to {catalogue}/{action} twice")
        seen.add((measure, catalogue, action))
        links.append(
            {
                "measure": measure,
                "catalogue": catalogue,
                "action": action,
                "recommendation_id": None,
                "degree": r.choice("degree", ImplementationDegree).value,
                "basis": r.choice("basis", MappingBasis).value,
                "locator": r.text("locator", max_len=300),
                "rationale": r.text("rationale", required=True, max_len=5000),
            }
        )
    return links


def load_demo(path: str | Path) -> LoadReport:
    """Add the demo links that are not there yet to each measure's copies (published data)."""
    links = parse_demo(path)
    report = LoadReport()
    by_measure: dict[str, list[dict[str, Any]]] = {}
    for link in links:
        by_measure.setdefault(link["measure"], []).append(link)
    record_rows = db.session.scalars(
        sa.select(Record).where(Record.kind == RecordKind.MEASURE, Record.key.in_(by_measure))
    )
    for record in sorted(record_rows, key=lambda rec: rec.key or ""):
        copies = {
            id(c): c
            for c in (records.working_copy(record), records.live_copy(record))
            if c is not None
        }
        added = False
        for content in copies.values():
            current = snapshot(content)
            have = {(i["catalogue"], i["action"]) for i in current}
            new = [
                {k: v for k, v in link.items() if k != "measure"}
                for link in by_measure[record.key or ""]
                if (link["catalogue"], link["action"]) not in have
            ]
            if new:
                apply(content, current + new)
                added = True
                if content.is_live:
                    for _ in new:
                        report.count("created", "implementation links")
        if added:
            db.session.flush()
            records.write_revision(
                record,
                records.working_copy(record) or records.live_copy(record),
                action="import",
                summary="Implementation links loaded from the demo data (implementations.yaml)",
            )
    db.session.flush()
    return report
