"""The public standings snapshot (tracker/measures/standings.py): shared between processes
through the report store, and carried to a new day by recomputing only the measures whose
events take effect in between."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tracker.measures import lifecycle, standings


@pytest.fixture
def shared(app: Any, tmp_path: Any) -> Any:
    """The app with snapshots in a private report store."""
    app.config["STANDINGS_SHARED"] = True
    app.config["REPORTS_CACHE_DIR"] = str(tmp_path / "reports")
    app.extensions.pop("reports_store", None)
    app.extensions.pop("standings_snapshot", None)
    return app


def _full(on: dt.date) -> dict[int, str]:
    """Every visible measure's standing on ``on``, computed from scratch."""
    return {i: s.standing.value for i, (_code, s) in standings.compute(None, on).items()}


def test_a_process_without_the_snapshot_reads_the_stored_one(shared, make_measure, monkeypatch):
    measure = make_measure(jurisdiction_code="BR", short_name="BR-law")
    with shared.app_context():
        first = standings.snapshot()
        assert first.values[measure.id] == "in_force" and first.codes[measure.id] == "BR"
        # a process just started: nothing kept in memory, and it must not compute
        shared.extensions.pop("standings_snapshot")

        def no_compute(*_a: Any, **_k: Any) -> Any:
            raise AssertionError("the stored snapshot should have been read")

        monkeypatch.setattr(standings, "compute", no_compute)
        again = standings.snapshot()
    assert again.key == first.key
    assert again.values == first.values and again.codes == first.codes


def test_a_publication_makes_a_new_snapshot(shared, make_measure):
    make_measure(jurisdiction_code="BR")
    with shared.app_context():
        before = standings.snapshot()
    later = make_measure(jurisdiction_code="AR", status="proposed", events=[])
    with shared.app_context():
        after = standings.snapshot()
    assert after.key != before.key
    assert later.id not in before.values and after.values[later.id] == "pending"


def test_a_new_day_recomputes_only_the_measures_whose_events_take_effect(
    shared, make_measure, monkeypatch
):
    today = lifecycle.today()
    tomorrow = today + dt.timedelta(days=1)
    starts = make_measure(
        jurisdiction_code="BR",
        events=[
            {"kind": "adopted", "date": "2020-01-10", "note": None},
            {"kind": "in_force", "date": tomorrow.isoformat(), "note": None},
        ],
    )
    # known to the month only: in force from the month's last day
    month_end = make_measure(
        jurisdiction_code="AR",
        events=[
            {"kind": "adopted", "date": "2020-01-10", "note": None},
            {"kind": "in_force", "date": tomorrow.strftime("%Y-%m"), "note": None},
        ],
    )
    steady = make_measure(jurisdiction_code="CL")
    with shared.app_context():
        first = standings.snapshot()
        assert first.values[starts.id] == "adopted" and first.values[steady.id] == "in_force"

        asked: list[Any] = []
        compute = standings.compute

        def counting(ids: Any = None, *args: Any, **kwargs: Any) -> Any:
            asked.append(ids)
            return compute(ids, *args, **kwargs)

        monkeypatch.setattr(standings, "compute", counting)
        monkeypatch.setattr(lifecycle, "today", lambda: tomorrow)
        second = standings.snapshot()
        recomputed = list(asked)
        expected = _full(tomorrow)
    assert second.key == (first.key[0], tomorrow.isoformat())
    assert second.values == expected
    assert second.values[starts.id] == "in_force"
    month_last = tomorrow.replace(day=28) + dt.timedelta(days=4)
    month_last -= dt.timedelta(days=month_last.day)
    assert second.values[month_end.id] == ("in_force" if month_last == tomorrow else "adopted")
    # only the measure whose entry into force takes effect tomorrow (and the month-dated
    # one when tomorrow ends its month) was computed again
    assert len(recomputed) == 1 and recomputed[0] is not None
    assert starts.id in recomputed[0] and steady.id not in recomputed[0]


def test_a_stored_snapshot_reads_back_as_written() -> None:
    snap = standings.Snapshot(
        ("7-2026-01-01T00:00:00", "2026-01-02"),
        {1: "in_force", 2: "ended", 5: "undated"},
        {1: "DE", 2: "EU", 5: "BR"},
    )
    back = standings.Snapshot.loads(snap.dumps())
    assert back == snap
    assert [(i, c, s.value) for i, c, s in back.items()] == [
        (1, "DE", "in_force"),
        (2, "EU", "ended"),
        (5, "BR", "undated"),
    ]
