"""Helpers for the attribution tests: make a statement record with fictional content."""

from __future__ import annotations

import itertools
from typing import Any

from tracker.extensions import db
from tracker.review import workflow

_counter = itertools.count(1)


def statement_data(**overrides: Any) -> dict[str, Any]:
    """A snapshot of an obviously fictional statement (keys as in data/demo/attributions.yaml)."""
    n = next(_counter)
    data: dict[str, Any] = {
        "date": "2019-06-01",
        "operation": f"Test operation {n}",
        "attributing": ["IS"],
        "attributing_orgs": [],
        "supported_by": [],
        "supported_by_orgs": [],
        "other_states_recalled": [],
        "attributed_actor": f"Test actor {n}",
        "attributed_state": "AQ",
        "forms": ["statement"],
        "un_framework_invoked": "unknown",
        "invoked_norms": [],
        "passage": None,
        "basis_note": None,
        "follow_up": None,
        "legal_basis": None,
        "notes": None,
        "verification": "unverified",
        "verification_note": None,
        "sources": [
            {"url": "https://example.org/statement", "title": "Example statement", "accessed": None}
        ],
    }
    data.update(overrides)
    return data


def create_attribution(
    app: Any, published: bool = True, key: str | None = None, **overrides: Any
) -> Any:
    """Create an attribution record; ``published=True`` makes it live. Returns the content row."""
    from tracker.attribution import services
    from tracker.attribution.models import Attribution
    from tracker.records import services as records
    from tracker.records.models import Record, RecordKind

    with app.app_context():
        record = Record(kind=RecordKind.ATTRIBUTION, key=key)
        db.session.add(record)
        db.session.flush()
        content = Attribution(record_id=record.id, is_draft=True, is_live=False)
        db.session.add(content)
        services.apply(content, statement_data(**overrides))
        db.session.flush()
        if published:
            workflow.publish_unreviewed(record)
        records.write_revision(record, content, action="create", summary="Created by test")
        db.session.commit()
        return content
