"""No page runs a query per row: the number of SQL statements a page issues is bounded and
does not change between 10 and 1,000 extra measures.

The measures are inserted with Core ``insert()`` executemany inside the test's rolled-back
transaction, so the whole test stays fast on both databases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.measures.models import (
    EventKind,
    Mapping,
    MappingBasis,
    MappingState,
    Measure,
    MeasureEvent,
    MeasureStatus,
    MeasureType,
    Source,
    measure_topics,
)
from tracker.modelbase import DatePrecision, Verification, utcnow
from tracker.norms.models import Norm, Topic
from tracker.records import stamps
from tracker.records.models import Record, RecordKind, WorkflowState

#: Pages under test and the most statements each may issue (however many measures exist).
PAGES = {
    # standings need each measure's events: the grid and the "in force" figure load them
    # (+ the publication stamp its figures are kept under; kept figures cost nothing)
    "/": 23,
    # the counts per jurisdiction (kept per data version: + the publication stamp), then one
    # page of measures and their mappings to the norm
    "/norms/i": 10,
    # + the measures' events and their successors' labels, for the standings
    # + the timeline's dated events with their measures' labels (one query)
    "/jurisdictions/DE": 13,
    "/jurisdictions/EU": 15,
    "/jurisdictions/": 5,
    "/measures/": 16,
    "/measures/?jurisdiction=DE&norm=i&topic=sbom": 19,
    "/norms/": 7,
    "/api/v1/measures?per_page=100": 13,
    "/api/v1/norms/i": 8,
    "/api/v1/jurisdictions": 6,
    # the number of hits and the counts per facet value in one statement, a page of hits,
    # their snippets and facets, and the labels of the facet values
    "/search/?q=SBOM": 7,
    "/search/?q=Resilence": 5,  # PostgreSQL also asks whether the trigram index exists
}

#: Transaction control, not queries: SQLite's BEGIN and the test harness's savepoints.
NOT_QUERIES = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")


@contextmanager
def counting(connection: Any) -> Iterator[list[str]]:
    """Collect every SQL statement sent on ``connection`` (the test's bound connection)."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(NOT_QUERIES):
            statements.append(statement)

    sa.event.listen(connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(connection, "before_cursor_execute", record)


def add_measures(n: int, offset: int) -> None:
    """Insert ``n`` published measures (DE and EU, each with events, sources, topics and
    mappings to norms i and j) with one executemany per table."""
    norms = {letter: id_ for letter, id_ in db.session.execute(sa.select(Norm.letter, Norm.id))}
    topics = list(db.session.scalars(sa.select(Topic.id).order_by(Topic.position)))
    now = utcnow()
    record_ids = list(
        db.session.scalars(
            sa.insert(Record).returning(Record.id, sort_by_parameter_order=True),
            [
                {
                    "kind": RecordKind.MEASURE,
                    "key": f"bulk-{offset + i}",
                    "state": WorkflowState.PUBLISHED,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                    "published_at": now,
                }
                for i in range(n)
            ],
        )
    )
    measure_ids = list(
        db.session.scalars(
            sa.insert(Measure).returning(Measure.id, sort_by_parameter_order=True),
            [
                {
                    "record_id": record_id,
                    "is_draft": True,
                    "is_live": True,
                    "jurisdiction_code": "DE" if i % 2 else "EU",
                    "title_original": f"Test measure {offset + i}",
                    "title_lang": "en",
                    "short_name": f"TM{offset + i}",
                    "type": list(MeasureType)[i % len(MeasureType)],
                    "status": list(MeasureStatus)[i % len(MeasureStatus)],
                    "verification": Verification.UNVERIFIED,
                    "description": "A measure made by the test suite.",
                    "year": 2000 + i % 25,
                }
                for i, record_id in enumerate(record_ids)
            ],
        )
    )
    db.session.execute(
        sa.insert(MeasureEvent),
        [
            {
                "measure_id": mid,
                "kind": EventKind.ADOPTED,
                "date": dt.date(2000 + i % 25, 1, 1),
                "precision": DatePrecision.YEAR,
            }
            for i, mid in enumerate(measure_ids)
        ],
    )
    db.session.execute(
        sa.insert(Source),
        [
            {
                "measure_id": mid,
                "position": 0,
                "url": "https://example.org/source",
                "title": "Example source",
            }
            for mid in measure_ids
        ],
    )
    db.session.execute(
        sa.insert(Mapping),
        [
            {
                "measure_id": mid,
                "norm_id": norms[letter],
                "locator": "Art. 1",
                "rationale": "Test",
                "basis": MappingBasis.INFERRED,
                "state": MappingState.PUBLISHED,
            }
            for mid in measure_ids
            for letter in ("i", "j")
        ],
    )
    db.session.execute(
        measure_topics.insert(),
        [
            {"measure_id": mid, "topic_id": topics[i % len(topics)]}
            for i, mid in enumerate(measure_ids)
        ]
        + [
            {"measure_id": mid, "topic_id": topics[0]}
            for i, mid in enumerate(measure_ids)
            if i % len(topics)
        ],
    )
    # as publishing does: the stamps of every scope the new measures are in move
    stamps.bump({stamps.GLOBAL, "j:DE", "j:EU", "n:i", "n:j"}, now)
    db.session.commit()


def statements_per_page(app: Any, client: Any) -> dict[str, int]:
    with app.app_context():
        connection = db.engine  # the test's connection (see tests/conftest.py)
    counts = {}
    for path in PAGES:
        with counting(connection) as statements:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[path] = len(statements)
    return counts


def visible_measure_count(app: Any) -> int:
    from tracker.measures.queries import count_measures

    with app.app_context():
        return count_measures()


def test_query_count_is_bounded_and_independent_of_the_number_of_measures(app, client) -> None:
    base = visible_measure_count(app)
    with app.app_context():
        add_measures(10, 0)
    assert visible_measure_count(app) == base + 10
    small = statements_per_page(app, client)

    with app.app_context():
        add_measures(990, 10)
    assert visible_measure_count(app) == base + 1000
    large = statements_per_page(app, client)

    for path, bound in PAGES.items():
        assert small[path] <= bound, (
            f"{path}: {small[path]} statements with 10 measures (bound {bound})"
        )
        assert large[path] <= bound, (
            f"{path}: {large[path]} statements with 1,000 measures (bound {bound})"
        )
    assert large == small, "the number of statements grew with the number of measures"


def test_the_counter_sees_a_query_per_row_when_there_is_one(app, client) -> None:
    """Guard the guard: lazy-loading a relationship per row is counted."""
    with app.app_context():
        add_measures(5, 0)
        connection = db.engine
        with counting(connection) as statements:
            measures = db.session.scalars(
                sa.select(Measure).where(Measure.title_original.like("Test measure %"))
            ).all()
            for measure in measures:
                _ = measure.sources  # lazy load: one statement per measure
        assert len(statements) >= 1 + len(measures)


@pytest.mark.parametrize("path", ["/measures/?page=2", "/api/v1/measures?page=2&per_page=50"])
def test_later_pages_cost_no_more_than_the_first(app, client, path) -> None:
    # (The first page may cost one statement more: it holds demo measures with relations.)
    with app.app_context():
        add_measures(120, 0)
        connection = db.engine
    first = path.replace("page=2", "page=1")
    with counting(connection) as one:
        assert client.get(first).status_code == 200
    with counting(connection) as two:
        assert client.get(path).status_code == 200
    assert len(two) <= len(one)
