"""The standing of a measure on a date, from its dated events (tracker.measures.lifecycle)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tracker.measures import lifecycle
from tracker.measures.lifecycle import LifeEvent, Standing, standing_on

TODAY = dt.date(2026, 11, 27)


def ev(kind: str, date: str, precision: str = "day", stage: str | None = None) -> LifeEvent:
    return LifeEvent(kind, dt.date.fromisoformat(date), precision, stage)


@pytest.mark.parametrize(
    ("events", "status", "on", "standing"),
    [
        # adopted before D, in force later
        (
            [ev("adopted", "2024-10-23"), ev("in_force", "2024-12-10")],
            "in_force",
            "2024-11-30",
            Standing.ADOPTED,
        ),
        (
            [ev("adopted", "2024-10-23"), ev("in_force", "2024-12-10")],
            "in_force",
            "2024-12-10",
            Standing.IN_FORCE,
        ),
        ([ev("adopted", "2024-10-23")], "adopted", "2024-10-22", Standing.NOT_YET_ADOPTED),
        # no entry into force recorded: in force from publication or adoption, the later
        (
            [ev("adopted", "2023-08-01"), ev("published", "2023-08-02")],
            "in_force",
            "2023-08-01",
            Standing.ADOPTED,
        ),
        # staged application
        (
            [
                ev("in_force", "2024-12-10"),
                ev("applies_from", "2026-09-11"),
                ev("applies_from", "2027-12-11"),
            ],
            "partly_applicable",
            "2025-01-01",
            Standing.NOT_APPLYING,
        ),
        (
            [
                ev("in_force", "2024-12-10"),
                ev("applies_from", "2026-09-11"),
                ev("applies_from", "2027-12-11"),
            ],
            "partly_applicable",
            "2026-11-27",
            Standing.PARTLY,
        ),
        (
            [ev("in_force", "2024-12-10"), ev("applies_from", "2027-12-11")],
            "partly_applicable",
            "2027-12-11",
            Standing.FULLY,
        ),
        # month and year precision: from the last day of the period
        (
            [ev("published", "2022-02-01", "month")],
            "adopted",
            "2022-02-27",
            Standing.NOT_YET_ADOPTED,
        ),
        ([ev("published", "2022-02-01", "month")], "adopted", "2022-02-28", Standing.IN_FORCE),
        ([ev("adopted", "2022-01-01", "year")], "adopted", "2022-12-30", Standing.NOT_YET_ADOPTED),
        # ends
        (
            [ev("adopted", "2022-09-14"), ev("rescinded", "2026-01-23")],
            "rescinded",
            "2026-01-22",
            Standing.IN_FORCE,
        ),
        (
            [ev("adopted", "2022-09-14"), ev("rescinded", "2026-01-23")],
            "rescinded",
            "2026-01-23",
            Standing.ENDED,
        ),
        (
            [ev("adopted", "2021-05-18"), ev("superseded", "2025-12-06")],
            "superseded",
            "2025-12-06",
            Standing.ENDED,
        ),
        # superseded without a dated end: ended today, placed by its events in the past
        (
            [ev("adopted", "2021-05-18"), ev("in_force", "2021-05-28")],
            "superseded",
            "2026-11-27",
            Standing.ENDED,
        ),
        (
            [ev("adopted", "2021-05-18"), ev("in_force", "2021-05-28")],
            "superseded",
            "2023-01-01",
            Standing.IN_FORCE,
        ),
        # proposals
        ([ev("proposed", "2025-06-18")], "proposed", "2026-11-27", Standing.PENDING),
        ([ev("proposed", "2025-06-18")], "proposed", "2025-06-17", Standing.NOT_YET_ADOPTED),
        (
            [ev("proposed", "2022-06-14"), ev("lapsed", "2025-01-06")],
            "proposed",
            "2026-11-27",
            Standing.ENDED,
        ),
        # no dates at all: never placed, never counted
        ([], "adopted", "2026-11-27", Standing.UNDATED),
        ([], "in_force", "2020-01-01", Standing.UNDATED),
    ],
)
def test_standing_on(events, status, on, standing) -> None:
    result = standing_on(events, status, dt.date.fromisoformat(on), TODAY)
    assert result.standing is standing, result.sentence


def test_past_stages_are_stated_not_dropped() -> None:
    events = [
        ev("adopted", "2024-10-23"),
        ev("in_force", "2024-12-10"),
        ev("applies_from", "2026-06-11", stage="stage one"),
        ev("applies_from", "2027-12-11", stage="main obligations"),
    ]
    result = standing_on(events, "partly_applicable", TODAY, TODAY)
    assert result.sentence == (
        "In force since 10 December 2024, partly applicable: stage one since 11 June 2026; "
        "main obligations from 11 December 2027."
    )


def test_counts_name_what_they_count() -> None:
    on = dt.date(2026, 11, 27)
    standings = [
        standing_on([ev("adopted", "2020-01-01"), ev("in_force", "2027-01-01")], "", on, TODAY),
        standing_on(
            [ev("in_force", "2020-01-01"), ev("applies_from", "2027-01-01")], "", on, TODAY
        ),
        standing_on([ev("in_force", "2020-01-01")], "", on, TODAY),
        standing_on([ev("in_force", "2020-01-01"), ev("rescinded", "2021-01-01")], "", on, TODAY),
        standing_on([ev("proposed", "2020-01-01")], "proposed", on, TODAY),
        standing_on([], "in_force", on, TODAY),
    ]
    counts = lifecycle.count(standings)
    assert counts.as_dict() == {"adopted": 3, "in_force": 2, "applying": 1}
    assert lifecycle.counted(1, "in_force") == "1 measure in force"
    assert lifecycle.counted(2, "applying") == "2 measures with obligations applying"


def test_readme_states_the_rule_the_pages_show() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How the tracker dates and counts measures", 1)
    assert len(section) == 2, "README needs the section"
    assert lifecycle.RULE_TEXT in " ".join(section[1].split())


def dated(
    kind: str, date: str, stage: str | None = None, note: str | None = None, by: str | None = None
) -> LifeEvent:
    return LifeEvent(kind, dt.date.fromisoformat(date), "day", stage, note, by)


@pytest.mark.parametrize(
    ("events", "status", "on", "sentence"),
    [
        # no entry into force recorded: in force from the later of adoption and publication
        (
            [dated("adopted", "2023-08-01"), dated("published", "2023-08-20")],
            "in_force",
            "2023-08-10",
            "Adopted, not yet in force: adopted 1 August 2023; enters into force 20 August 2023.",
        ),
        (
            [dated("adopted", "2023-08-01"), dated("published", "2023-08-20")],
            "in_force",
            "2023-08-20",
            "In force since 20 August 2023 (adopted 1 August 2023).",
        ),
        # before its adoption, a measure published first is named by its publication
        (
            [dated("published", "2023-08-01"), dated("adopted", "2023-08-20")],
            "in_force",
            "2023-08-10",
            "Adopted, not yet in force: published 1 August 2023; enters into force 20 August 2023.",
        ),
        # a recorded entry into force wins, even before the adoption; its stage is named
        (
            [dated("adopted", "2023-08-01"), dated("in_force", "2023-07-01", stage="Art. 5")],
            "in_force",
            "2023-08-01",
            "Art. 5 in force since 1 July 2023 (adopted 1 August 2023).",
        ),
        (
            [
                dated("adopted", "2023-08-01"),
                dated("amended", "2024-02-01", note="fines raised"),
                dated("in_force", "2025-01-01"),
            ],
            "in_force",
            "2024-06-01",
            "Adopted, not yet in force: adopted 1 August 2023; enters into force 1 January 2025; "
            "amended 1 February 2024 (fines raised).",
        ),
        # announced, adopted later: not yet adopted, named by the adoption
        (
            [dated("announced", "2024-01-10"), dated("adopted", "2025-03-01")],
            "adopted",
            "2024-06-01",
            "Not yet adopted: adopted 1 March 2025.",
        ),
        (
            [dated("proposed", "2025-06-18")],
            "proposed",
            "2025-06-01",
            "Not yet adopted: introduced 18 June 2025.",
        ),
        (
            [dated("announced", "2024-01-10"), dated("proposed", "2025-06-18")],
            "proposed",
            "2025-01-01",
            "Pending (proposed, never adopted): announced 10 January 2024; "
            "no adoption recorded by 1 January 2025.",
        ),
        # recorded as proposed, with no dates: pending on any date
        (
            [],
            "proposed",
            "2026-11-27",
            "Pending (proposed, never adopted): no adoption recorded by 27 November 2026.",
        ),
        # every end by the date, in date order, with the measure that replaced it
        (
            [
                dated("adopted", "2020-01-01"),
                dated("superseded", "2024-05-01", by="Act 2"),
                dated("rescinded", "2023-01-01"),
            ],
            "superseded",
            "2024-06-01",
            "Ended: rescinded on 1 January 2023, superseded by Act 2 on 1 May 2024.",
        ),
        (
            [dated("adopted", "2020-01-01")],
            "rescinded",
            "2026-11-27",
            "Ended: rescinded, date not recorded.",
        ),
        # several entries into force are stages, and a lone staged one is named by its stage
        (
            [
                dated("adopted", "2023-01-01"),
                dated("in_force", "2024-01-01"),
                dated("in_force", "2025-01-01", stage="Art. 9"),
            ],
            "in_force",
            "2024-06-01",
            "In force since 1 January 2024, partly applicable: entry into force since "
            "1 January 2024; Art. 9 from 1 January 2025.",
        ),
        (
            [dated("adopted", "2023-01-01"), dated("in_force", "2024-01-01", stage="Part 2")],
            "in_force",
            "2024-06-01",
            "Part 2 in force since 1 January 2024 (adopted 1 January 2023).",
        ),
        (
            [dated("in_force", "2024-12-10"), dated("applies_from", "2026-09-11", "reporting")],
            "in_force",
            "2026-11-27",
            "Fully applicable: in force since 10 December 2024; reporting since 11 September 2026.",
        ),
        (
            [dated("in_force", "2024-12-10"), dated("applies_from", "2026-09-11", "reporting")],
            "in_force",
            "2025-01-01",
            "In force since 10 December 2024: no obligation applies yet (first stage: reporting "
            "from 11 September 2026).",
        ),
    ],
)
def test_sentence_states_the_dated_events_behind_the_standing(events, status, on, sentence) -> None:
    assert standing_on(events, status, dt.date.fromisoformat(on), TODAY).sentence == sentence
