"""A measure's life over time: its standing on a date, and the counts built from standings.

One function, :func:`standing_on`, names what a measure is on a date D from its dated events;
one function, :func:`count`, turns standings into the named counts every surface shows (home
page, jurisdiction pages, API, exports, gap analysis, briefs). The rule a reader sees is
:data:`RULE_TEXT`, built from the same definitions, and the README repeats it word for word.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from tracker.modelbase import DatePrecision, LabelledEnum, format_partial_date


class Standing(LabelledEnum):
    """What a measure is on a date; the label is the wording every surface shows."""

    #: an adoption (or entry into force) is recorded, but after the date
    NOT_YET_ADOPTED = ("not_yet_adopted", "not yet adopted")
    #: proposed, introduced or announced by the date, and never adopted
    PENDING = ("pending", "pending (proposed, never adopted)")
    #: adopted or published, its entry into force is later
    ADOPTED = ("adopted", "adopted, not yet in force")
    #: in force, with no staged application recorded
    IN_FORCE = ("in_force", "in force")
    #: in force, every application stage is later
    NOT_APPLYING = ("in_force_not_applying", "in force, no obligation applies yet")
    #: in force, some application stages apply and some are later
    PARTLY = ("partly_applicable", "in force, partly applicable")
    #: in force, every application stage has begun
    FULLY = ("fully_applicable", "fully applicable")
    #: superseded, repealed or rescinded, or lapsed or withdrawn, on or before the date
    ENDED = ("ended", "ended")
    #: no dated adoption, publication or entry into force: it cannot be placed on a date
    UNDATED = ("undated", "dates not recorded")


#: event kinds that make a measure adopted (an entry into force implies adoption)
ADOPTING = frozenset({"adopted", "published", "in_force"})
#: event kinds that end a measure's life
ENDING = frozenset({"superseded", "rescinded", "lapsed"})
#: event kinds of a bill or plan before adoption
PROPOSING = frozenset({"announced", "proposed"})


@dataclass(frozen=True)
class CountDefinition:
    key: str
    label: str
    singular: str
    standings: frozenset[Standing]
    definition: str


#: The named counts, in the order surfaces show them. Nothing else counts measures.
COUNTS: tuple[CountDefinition, ...] = (
    CountDefinition(
        "adopted",
        "adopted measures",
        "adopted measure",
        frozenset(
            {
                Standing.ADOPTED,
                Standing.IN_FORCE,
                Standing.NOT_APPLYING,
                Standing.PARTLY,
                Standing.FULLY,
            }
        ),
        "adopted or published by the date and not ended",
    ),
    CountDefinition(
        "in_force",
        "measures in force",
        "measure in force",
        frozenset({Standing.IN_FORCE, Standing.NOT_APPLYING, Standing.PARTLY, Standing.FULLY}),
        "in force on the date and not ended",
    ),
    CountDefinition(
        "applying",
        "measures with obligations applying",
        "measure with obligations applying",
        frozenset({Standing.IN_FORCE, Standing.PARTLY, Standing.FULLY}),
        "in force with no staged application or with at least one stage applying",
    ),
)
COUNT_BY_KEY = {c.key: c for c in COUNTS}
#: the count that fills a comparison cell and closes a gap
COVERING = COUNT_BY_KEY["in_force"]
#: what a comparison lists on its date: measures in force fill cells; pending, adopted and
#: undated ones are listed beside the grid; not yet adopted and ended ones are left out
COMPARED = frozenset(Standing) - {Standing.NOT_YET_ADOPTED, Standing.ENDED}


#: when each standing holds, in the words of the rule text
WHEN: dict[Standing, str] = {
    Standing.NOT_YET_ADOPTED: "before its adoption, publication or entry into force",
    Standing.PENDING: "once proposed, introduced or announced, while no adoption is recorded",
    Standing.ADOPTED: "between its adoption or publication and its entry into force",
    Standing.IN_FORCE: "once in force, when no staged application is recorded",
    Standing.NOT_APPLYING: "once in force, before its first application stage",
    Standing.PARTLY: "while some stages apply and others are ahead",
    Standing.FULLY: "once every stage applies",
    Standing.ENDED: (
        "from the day it is superseded, repealed or rescinded, or lapses or is withdrawn"
    ),
    Standing.UNDATED: "when no adoption, publication or entry into force is dated",
}


def _rule_text() -> str:
    standings = "; ".join(f"“{s.label}” {WHEN[s]}" for s in Standing)
    counts = "; ".join(f"“{c.label}” are {c.definition}" for c in COUNTS)
    return (
        "The tracker computes a measure's standing on a date from its dated events only. "
        f"A measure is {standings}. "
        "A measure with no recorded entry into force is in force from its first publication or "
        "first adoption, whichever is later. Every stage is stated with what it covers, past "
        "stages as well as those ahead; several entries into force count as stages. A date "
        "known only to the month or year counts from the last day of that month or year. "
        "A measure with no dated adoption, publication or entry into force is counted on no "
        "date; one recorded as superseded or rescinded without a dated end is ended in "
        f"today's picture. Counts: {counts}. {COVERING.label.capitalize()} fill the comparison "
        "grid and close gaps; no other measure does."
    )


#: The rule shown on the comparison page, in every brief and in the README.
RULE_TEXT = _rule_text()


@dataclass(frozen=True)
class LifeEvent:
    kind: str
    date: dt.date
    precision: str = "day"
    #: what enters into force or applies at this stage ("Art. 14 reporting obligations")
    stage: str | None = None
    note: str | None = None
    #: the measure that superseded or rescinded this one (its label)
    successor: str | None = None

    @cached_property
    def effective(self) -> dt.date:
        """The first day on which the event has certainly happened."""
        # compared as strings (a DatePrecision is one): tens of thousands of events are
        # placed for a count, and an enum lookup each costs more than the rest
        precision = self.precision or "day"
        if precision == "day":
            return self.date
        if precision == "year":
            return dt.date(self.date.year, 12, 31)
        if precision == "month":
            last = calendar.monthrange(self.date.year, self.date.month)[1]
            return dt.date(self.date.year, self.date.month, last)
        DatePrecision(precision)  # raises: not a precision
        return self.date

    @property
    def text(self) -> str:
        return format_partial_date(self.date, self.precision)


class StandingOn:
    """A standing and the full sentence every surface shows. The sentence may be given as a
    function: it is written only when read, so that counting tens of thousands of measures
    (home page, jurisdiction pages, comparison grid) does not format dates it never shows."""

    __slots__ = ("standing", "_sentence")

    def __init__(self, standing: Standing, sentence: str | Callable[[], str]) -> None:
        self.standing = standing
        self._sentence = sentence

    @property
    def sentence(self) -> str:
        if callable(self._sentence):
            self._sentence = self._sentence()
        return self._sentence

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StandingOn):
            return NotImplemented
        return self.standing is other.standing and self.sentence == other.sentence

    def __hash__(self) -> int:
        return hash((self.standing, self.sentence))

    def __repr__(self) -> str:
        return f"StandingOn({self.standing!r}, {self.sentence!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (StandingOn, (self.standing, self.sentence))

    @property
    def label(self) -> str:
        return self.standing.label

    @property
    def covers(self) -> bool:
        """Fills a comparison cell and closes a gap (see :data:`COVERING`)."""
        return self.standing in COVERING.standings

    def counted(self, key: str) -> bool:
        return self.standing in COUNT_BY_KEY[key].standings


def _first(events: Iterable[LifeEvent], kinds: Iterable[str]) -> LifeEvent | None:
    chosen = [e for e in events if e.kind in kinds]
    return min(chosen, key=lambda e: e.effective) if chosen else None


def _day(value: dt.date) -> str:
    return format_partial_date(value, DatePrecision.DAY)


def _sentence(head: str, parts: Sequence[str]) -> str:
    body = "; ".join(p for p in parts if p)
    text = f"{head}: {body}" if body else head
    return text[:1].upper() + text[1:] + "."


def _stages(events: Sequence[LifeEvent]) -> list[LifeEvent]:
    """Application stages; several entries into force are stages too (staged commencement)."""
    stages = [e for e in events if e.kind == "applies_from"]
    in_force = [e for e in events if e.kind == "in_force"]
    if len(in_force) > 1:
        stages += in_force
    return sorted(stages, key=lambda e: (e.effective, e.kind))


def _stage_text(event: LifeEvent, on: dt.date) -> str:
    what = event.stage or ("entry into force" if event.kind == "in_force" else "application")
    word = "since" if event.effective <= on else "from"
    return f"{what} {word} {event.text}"


def _ended_text(event: LifeEvent) -> str:
    verb = {"superseded": "superseded", "rescinded": "rescinded", "lapsed": "lapsed"}
    text = verb[event.kind]
    if event.successor:
        text += f" by {event.successor}"
    return f"{text} on {event.text}"


def standing_on(
    events: Sequence[LifeEvent], recorded_status: str, on: dt.date, today: dt.date
) -> StandingOn:
    """The standing of a measure on date ``on`` (the rule is :data:`RULE_TEXT`).

    A measure's life has three phases, tried in turn: ended; not adopted by the date (adopted
    later, pending, or undated); adopted, then in force (with its application stages). The
    standing is decided here; its sentence is written only when read (counting tens of
    thousands of measures formats no dates).
    """
    past = [e for e in events if e.effective <= on]
    ended = _ended(past, recorded_status, on, today)
    if ended is not None:
        return ended
    if _first(past, ADOPTING) is None:
        return _unadopted(events, past, recorded_status, on)
    entry = _entry_into_force(events)
    if entry.effective > on:
        return StandingOn(
            Standing.ADOPTED,
            lambda: _sentence(
                Standing.ADOPTED.label,
                [*_issued(past), f"enters into force {entry.text}", *_amendments(past)],
            ),
        )
    return _in_force(events, past, entry, on)


def _ended(
    past: Sequence[LifeEvent], recorded_status: str, on: dt.date, today: dt.date
) -> StandingOn | None:
    """Ended by a dated event on or before the date, or (today and later) by a recorded status
    of superseded or rescinded whose date is not recorded; None while the measure lives."""
    endings = sorted((e for e in past if e.kind in ENDING), key=lambda e: e.effective)
    if endings:
        return StandingOn(
            Standing.ENDED,
            lambda: _sentence("Ended", [", ".join(_ended_text(e) for e in endings)]),
        )
    if on >= today and recorded_status in ("superseded", "rescinded"):
        return StandingOn(
            Standing.ENDED, lambda: _sentence("Ended", [f"{recorded_status}, date not recorded"])
        )
    return None


def _unadopted(
    events: Sequence[LifeEvent], past: Sequence[LifeEvent], recorded_status: str, on: dt.date
) -> StandingOn:
    """A measure with no adoption by the date: not yet adopted when an adoption (or, for one not
    yet proposed, a proposal) is dated later; pending once proposed; otherwise undated."""
    proposals = [e for e in past if e.kind in PROPOSING]
    upcoming = _first(events, ADOPTING) or (None if proposals else _first(events, PROPOSING))
    if upcoming is not None:
        return StandingOn(
            Standing.NOT_YET_ADOPTED,
            lambda: _sentence("Not yet adopted", [_happening(upcoming)]),
        )
    if proposals or recorded_status == "proposed":
        return StandingOn(
            Standing.PENDING,
            lambda: _sentence(
                "Pending (proposed, never adopted)",
                [*(_happening(e) for e in proposals), f"no adoption recorded by {_day(on)}"],
            ),
        )
    return StandingOn(
        Standing.UNDATED,
        "Dates not recorded: no dated adoption, publication or entry into force.",
    )


def _issued(past: Sequence[LifeEvent]) -> list[str]:
    """The first adoption by the date, or failing one the first publication ("adopted 2021")."""
    issue = _first(past, {"adopted"}) or _first(past, {"published"})
    return [_happening(issue)] if issue is not None else []


def _amendments(past: Sequence[LifeEvent]) -> list[str]:
    return [
        f"amended {e.text}" + (f" ({e.note})" if e.note else "")
        for e in past
        if e.kind == "amended"
    ]


def _entry_into_force(events: Sequence[LifeEvent]) -> LifeEvent:
    """The first recorded entry into force; with none, the later of the first adoption and the
    first publication (at least one of which the caller has found)."""
    recorded = _first(events, {"in_force"})
    if recorded is not None:
        return recorded
    issued = [_first(events, {kind}) for kind in ("adopted", "published")]
    return max((e for e in issued if e is not None), key=lambda e: e.effective)


def _in_force(
    events: Sequence[LifeEvent], past: Sequence[LifeEvent], entry: LifeEvent, on: dt.date
) -> StandingOn:
    """In force on the date (``entry`` is on or before it): how far its stages apply."""
    staged_entry = bool(entry.stage) and sum(e.kind == "in_force" for e in events) == 1

    def since() -> str:
        text = f"in force since {entry.text}"
        return f"{entry.stage} {text}" if staged_entry else text

    stages = _stages(events)
    if not stages:
        return StandingOn(
            Standing.IN_FORCE,
            lambda: _in_force_sentence(since(), _issued(past), _amendments(past)),
        )
    ahead = [e for e in stages if e.effective > on]
    if len(ahead) == len(stages):
        return StandingOn(
            Standing.NOT_APPLYING,
            lambda: _sentence(
                since(),
                [
                    f"no obligation applies yet (first stage: {_stage_text(ahead[0], on)})",
                    *_amendments(past),
                ],
            ),
        )

    def stage_texts() -> list[str]:
        return [_stage_text(e, on) for e in stages]

    if ahead:
        return StandingOn(
            Standing.PARTLY,
            lambda: _sentence(
                f"{since()}, partly applicable", [*stage_texts(), *_amendments(past)]
            ),
        )
    return StandingOn(
        Standing.FULLY,
        lambda: _sentence("Fully applicable", [since(), *stage_texts(), *_amendments(past)]),
    )


def _in_force_sentence(head: str, parts: list[str], amendments: list[str]) -> str:
    detail = [f"({', '.join(parts)})"] if parts else []
    text = " ".join([head, *detail])
    if amendments:
        text += "; " + "; ".join(amendments)
    return text[:1].upper() + text[1:] + "."


def _kind_verb(event: LifeEvent) -> str:
    return {
        "announced": "announced",
        "proposed": "introduced",
        "adopted": "adopted",
        "published": "published",
        "in_force": "enters into force",
    }.get(event.kind, event.kind)


def _happening(event: LifeEvent) -> str:
    """'introduced 2023-05-02', 'enters into force 2025-01-01'."""
    return f"{_kind_verb(event)} {event.text}"


# --------------------------------------------------------------------------- counting


@dataclass(frozen=True)
class Counts:
    adopted: int = 0
    in_force: int = 0
    applying: int = 0
    #: every measure counted over, whatever its standing
    listed: int = 0

    def items(self) -> list[tuple[CountDefinition, int]]:
        return [(c, getattr(self, c.key)) for c in COUNTS]

    def as_dict(self) -> dict[str, int]:
        return {c.key: getattr(self, c.key) for c in COUNTS}


def count(standings: Iterable[StandingOn | Standing]) -> Counts:
    """The named counts of a set of standings (one per measure; a :class:`StandingOn` or
    its :class:`Standing`). Tallied by standing first: a page counts tens of thousands."""
    tally = Counter(s.standing if isinstance(s, StandingOn) else s for s in standings)
    values = {c.key: sum(n for s, n in tally.items() if s in c.standings) for c in COUNTS}
    return Counts(**values, listed=sum(tally.values()))


def counted(n: int, key: str) -> str:
    """'3 measures in force', '1 adopted measure': a number with the name of what it counts."""
    c = COUNT_BY_KEY[key]
    return f"{n} {c.singular if n == 1 else c.label}"


# --------------------------------------------------------------------------- adapters


def events_of(measure: Any, successors: dict[int, str] | None = None) -> list[LifeEvent]:
    """A measure row's events as :class:`LifeEvent` (successor labels from ``successors``,
    {record id: label}, for the measures the reader may see)."""
    successors = successors or {}
    return [
        LifeEvent(
            kind=e.kind.value,
            date=e.date,
            precision=e.precision.value,
            stage=e.stage,
            note=e.note,
            successor=successors.get(e.successor_record_id)
            if e.successor_record_id is not None
            else None,
        )
        for e in measure.events
    ]


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


#: the range of dates a standing may be asked for (the as-of parameter of pages, API, exports)
EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2100, 12, 31)


def parse_as_of(text: str) -> dt.date:
    """A YYYY-MM-DD date within [EARLIEST, LATEST]; ValueError with a readable message."""
    text = text.strip()
    try:
        value = dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        value = None
    if value is None:
        raise ValueError(f"{text[:40]!r} is not a date: write it as YYYY-MM-DD, e.g. 2024-12-31.")
    if not EARLIEST <= value <= LATEST:
        raise ValueError(
            f"Choose an as-of date between {EARLIEST.isoformat()} and {LATEST.isoformat()}."
        )
    return value


def parse_standing(text: str) -> frozenset[Standing]:
    """A count key ('in_force') or a standing value ('ended'); ValueError otherwise."""
    if text in COUNT_BY_KEY:
        return COUNT_BY_KEY[text].standings
    if text == "compared":
        return COMPARED
    try:
        return frozenset({Standing(text)})
    except ValueError:
        allowed = [*COUNT_BY_KEY, "compared", *(s.value for s in Standing)]
        raise ValueError(f"{text[:40]!r}; use one of {', '.join(allowed)}") from None


def standing_of(
    measure: Any, on: dt.date, today: dt.date, successors: dict[int, str] | None = None
) -> StandingOn:
    """:func:`standing_on` for a measure row (events loaded)."""
    return standing_on(events_of(measure, successors), measure.status.value, on, today)
