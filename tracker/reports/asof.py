"""What a measure looked like on a given date, from its dated events.

The rule, shown in the comparison page and in every brief:

* A measure **counts** on date D when it has an *adopted*, *published* or *in force*
  event on or before D and no *rescinded* event on or before D.
* A date known only to the month or the year is taken as the **last day** of that month
  or year: the first day on which the event has certainly happened. ("Published
  February 2022" counts from 28 February 2022.)
* A measure with no dated adoption, publication or entry into force counts only for today's
  picture, and only if its recorded status says it is in effect; it cannot be placed on
  an earlier date.
* For today's picture, a measure whose recorded status is *rescinded* or *superseded*
  no longer counts even when the end has no recorded date.
* A measure that was announced or proposed but not adopted by D is listed as *pending*;
  it does not fill a gap.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tracker.db import DatePrecision, format_partial_date

#: One sentence per rule, for the page and the brief.
RULE_TEXT = (
    "A measure counts on the as-of date when it was adopted, published or entered into force "
    "on or before that date and was not rescinded by then. Dates known only to the month or "
    "year count from the last day of that month or year. Measures with no recorded dates count "
    "only for today's picture; proposed measures are listed as pending and do not fill a gap."
)

ESTABLISHING = {"adopted", "published", "in_force"}
IN_EFFECT = {"adopted", "in_force", "partly_applicable", "amended"}
ENDED = {"rescinded", "superseded"}


@dataclass(frozen=True)
class DatedEvent:
    kind: str
    date: dt.date
    precision: str
    note: str | None = None

    @property
    def effective(self) -> dt.date:
        """The first day on which the event has certainly happened."""
        precision = DatePrecision(self.precision or "day")
        if precision is DatePrecision.YEAR:
            return dt.date(self.date.year, 12, 31)
        if precision is DatePrecision.MONTH:
            last = calendar.monthrange(self.date.year, self.date.month)[1]
            return dt.date(self.date.year, self.date.month, last)
        return self.date

    @property
    def text(self) -> str:
        return format_partial_date(self.date, self.precision)


@dataclass(frozen=True)
class StatusAsOf:
    #: counts | pending | ended | later (adopted after D) | undated (cannot be placed)
    standing: str
    #: a short mark for grid cells: "in force", "adopted", "partly applicable", ...
    mark: str
    #: a sentence for the sections: "Adopted 23 October 2024; in force since 10 December 2024; ..."
    text: str

    @property
    def counts(self) -> bool:
        return self.standing == "counts"


def _first(events: Iterable[DatedEvent], kinds: set[str]) -> DatedEvent | None:
    chosen = [e for e in events if e.kind in kinds]
    return min(chosen, key=lambda e: e.effective) if chosen else None


def status_as_of(
    events: list[DatedEvent], recorded_status: str, on: dt.date, today: dt.date
) -> StatusAsOf:
    """The standing of a measure on date ``on`` (see the module docstring for the rule)."""
    current = on >= today
    past = [e for e in events if e.effective <= on]
    rescinded = _first(past, {"rescinded"})
    if rescinded is not None:
        return StatusAsOf("ended", "rescinded", f"Rescinded {rescinded.text}.")
    if current and recorded_status in ENDED:
        label = "rescinded" if recorded_status == "rescinded" else "superseded"
        return StatusAsOf("ended", label, f"{label.capitalize()} (date not recorded).")

    established = _first(past, ESTABLISHING)
    if established is None:
        dated = _first(events, ESTABLISHING)
        announced = _first(past, {"announced"})
        if recorded_status == "proposed" or (announced is not None and dated is None):
            when = f"Announced {announced.text}; " if announced else ""
            return StatusAsOf("pending", "proposed", f"{when}not adopted as of {_day(on)}.")
        if dated is not None:
            return StatusAsOf(
                "later",
                "not yet adopted",
                f"Adopted or published {dated.text}, after the as-of date.",
            )
        if current and recorded_status in IN_EFFECT:
            return StatusAsOf(
                "counts", recorded_status.replace("_", " "), "In effect; dates not recorded."
            )
        return StatusAsOf(
            "undated",
            "date not recorded",
            "No dated adoption, publication or entry into force recorded.",
        )

    parts: list[str] = []
    adopted = _first(past, {"adopted"})
    published = _first(past, {"published"})
    if adopted is not None:
        parts.append(f"adopted {adopted.text}")
    elif published is not None:
        parts.append(f"published {published.text}")
    in_force_past = _first(past, {"in_force"})
    in_force_future = _first([e for e in events if e.effective > on], {"in_force"})
    mark = "adopted" if adopted is not None else "published"
    if in_force_past is not None:
        parts.append(f"in force since {in_force_past.text}")
        mark = "in force"
    elif in_force_future is not None:
        parts.append(f"enters into force {in_force_future.text}")
        mark = "not yet in force"
    stages = sorted((e for e in events if e.kind == "applies_from"), key=lambda e: e.effective)
    later = [e for e in stages if e.effective > on]
    if later:
        dates = ", ".join(_stage(e) for e in later)
        parts.append(f"further obligations apply from {dates}")
        if in_force_past is not None:
            mark = "partly applicable"
    elif stages:
        parts.append(f"applies from {_stage(stages[-1])}")
    if current and recorded_status == "amended":
        parts.append("since amended")
        mark = f"{mark}, amended"
    text = "; ".join(parts)
    return StatusAsOf("counts", mark, text[:1].upper() + text[1:] + ".")


def _stage(event: DatedEvent) -> str:
    return f"{event.text} ({event.note})" if event.note else event.text


def _day(value: dt.date) -> str:
    return format_partial_date(value, DatePrecision.DAY)


def events_of(measure: Any) -> list[DatedEvent]:
    return [
        DatedEvent(kind=e.kind.value, date=e.date, precision=e.precision.value, note=e.note)
        for e in measure.events
    ]
