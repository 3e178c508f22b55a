"""The "At a glance" page of a brief: a few findings computed from the report's data.

Each finding is one small function over a built :class:`~tracker.reports.data.Report`
that returns a :class:`Finding` or None when the report holds nothing to say (a finding
with no data behind it is left out, never padded). Every date-bound claim comes from
:mod:`tracker.measures.lifecycle`: the standing of each measure on the as-of date
(``MeasureEntry.status``, from ``standing_on``), its events' effective dates
(``LifeEvent.effective``) and the named counts (``lifecycle.count``). No prose is
invented: each sentence is assembled from record fields (labels, names, dates).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from tracker.measures import lifecycle
from tracker.modelbase import DatePrecision, format_partial_date
from tracker.reports.data import MeasureEntry, Report
from tracker.reports.paper import PaperReport
from tracker.reports.summary import join_names, sentence_name

#: at most this many findings on the page
MAX_FINDINGS = 6
#: the look-back and look-ahead windows, in months
RECENT_MONTHS, AHEAD_MONTHS = 12, 24
#: at most this many items named in one finding (the rest are counted)
MAX_ITEMS = 6

_EVENT_VERBS = {
    "announced": "announced",
    "proposed": "proposed",
    "adopted": "adopted",
    "published": "published",
    "in_force": "entered into force",
    "applies_from": "began to apply",
    "amended": "amended",
    "superseded": "superseded",
    "rescinded": "repealed or rescinded",
    "lapsed": "lapsed or withdrawn",
}


@dataclass
class Evidence:
    """A link from a finding to the section that shows it and the sources behind it."""

    label: str
    anchor: str
    citations: list[int] = field(default_factory=list)


@dataclass
class Finding:
    key: str
    heading: str
    text: str
    evidence: list[Evidence] = field(default_factory=list)


#: at most this many measures linked as a finding's evidence, each with its first source
#: (the official text where recorded); the page stays one page and quick to lay out
MAX_EVIDENCE = 8


def _evidence(entries: list[MeasureEntry]) -> list[Evidence]:
    seen: dict[int, Evidence] = {}
    for e in entries:
        # only measures the brief describes have an anchor to link to (selection)
        if e.record_id not in seen and e.detailed:
            seen[e.record_id] = Evidence(e.label, e.anchor, list(e.citations[:1]))
    return list(seen.values())[:MAX_EVIDENCE]


def _day(value: dt.date) -> str:
    return format_partial_date(value, DatePrecision.DAY)


def _shift(value: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (earlier when negative), clamped to the month's end."""
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    for day in (value.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, day)
        except ValueError:
            continue
    raise ValueError(value)


def _listed(report: Report) -> list[MeasureEntry]:
    """Every measure the brief lists (in force, pending, ended), once each."""
    seen: dict[int, MeasureEntry] = {}
    for s in report.sections:
        for e in [*s.measures, *s.pending, *s.ended]:
            seen.setdefault(e.record_id, e)
    return list(seen.values())


def _more(items: list[str]) -> str:
    if len(items) <= MAX_ITEMS:
        return "; ".join(items)
    return "; ".join(items[:MAX_ITEMS]) + f"; and {len(items) - MAX_ITEMS} more"


def _covering_by_topic(report: Report, row_index: int) -> dict[str, list[tuple[str, str]]]:
    """{topic name: [(measure label with 'via', record anchor)]} of the measures in force
    that apply to a row's jurisdiction on the as-of date."""
    row = report.rows[row_index]
    out: dict[str, list[tuple[str, str]]] = {}
    seen: set[tuple[str, int]] = set()
    for cell in row.cells:
        for item in cell.items:
            m = item.measure
            label = m.label + (f" via {item.via}" if item.via else "")
            for _slug, name in m.topics:
                if (name, m.record_id) in seen:
                    continue
                seen.add((name, m.record_id))
                out.setdefault(name, []).append((label, m.anchor))
    return out


#: at most this many jurisdictions and topics per jurisdiction in the topic finding
MAX_ROWS, MAX_TOPICS = 6, 3
#: at most this many jurisdictions named as having what a peer lacks
MAX_HOLDERS = 4


def _instrument(measures: list[tuple[str, str]]) -> str:
    """The first instrument recorded for a topic, with how many others there are."""
    first = measures[0][0]
    return (
        first
        if len(measures) == 1
        else f"{first} and {len(measures) - 1} other" + ("s" if len(measures) > 2 else "")
    )


def topic_coverage(report: Report) -> Finding | None:
    """Which supply-chain topics each jurisdiction covers, and by which instrument."""
    parts: list[str] = []
    used: list[MeasureEntry] = []
    covering = [_covering_by_topic(report, i) for i in range(len(report.rows))]
    rows = [(i, r) for i, r in enumerate(report.rows) if covering[i]]
    # one jurisdiction has the page to itself: every topic; several share it
    cap = MAX_TOPICS if len(report.rows) > 1 else None
    for i, row in rows[:MAX_ROWS]:
        topics = sorted(covering[i].items())
        items = [f"{name} ({_instrument(ms)})" for name, ms in topics[:cap]]
        if cap is not None and len(topics) > cap:
            items.append(f"{len(topics) - cap} more")
        parts.append(f"{sentence_name(row.name, start=True)}: {'; '.join(items)}")
        used += [it.measure for c in row.cells for it in c.items if it.measure.topics]
    if not parts:
        return None
    if len(rows) > MAX_ROWS:
        parts.append(f"{number_text(len(rows) - MAX_ROWS)} more jurisdictions in the grid")
    return Finding(
        "topics",
        "Supply-chain topics covered",
        f"Topics with a measure in force on {report.as_of_text}, with the instrument recorded. "
        + ". ".join(parts)
        + ".",
        _evidence(used),
    )


def number_text(n: int) -> str:
    return str(n)[:1].upper() + str(n)[1:]


def peer_gaps(report: Report) -> Finding | None:
    """What the other selected jurisdictions have that a jurisdiction lacks (topics)."""
    if len(report.rows) < 2:
        return None
    by_row = [_covering_by_topic(report, i) for i in range(len(report.rows))]
    topics = sorted({t for covered in by_row for t in covered})
    sentences: list[str] = []
    used: list[str] = []
    for topic in topics:
        have = [(r, by_row[i][topic]) for i, r in enumerate(report.rows) if topic in by_row[i]]
        lack = [r.name for i, r in enumerate(report.rows) if topic not in by_row[i]]
        if not lack:
            continue
        holders = [f"{sentence_name(r.name)} ({ms[0][0]})" for r, ms in have[:MAX_HOLDERS]]
        if len(have) > MAX_HOLDERS:
            holders.append(f"{len(have) - MAX_HOLDERS} more")
        verb = "has" if len(have) == 1 else "have"
        sentences.append(
            f"No measure on {topic} recorded for {join_names(lack)}; {_and(holders)} {verb} one"
        )
        used += [ms[0][1] for _r, ms in have[:MAX_HOLDERS]]
        if len(sentences) == 3:
            break
    if not sentences:
        return None
    anchors = list(dict.fromkeys(used))
    entries = {e.anchor: e for e in _listed(report)}
    evidence = _evidence([entries[a] for a in anchors if a in entries])
    return Finding(
        "peers",
        "What peers have",
        ". ".join(sentences) + f" (measures in force on {report.as_of_text}).",
        evidence,
    )


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _verb(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def gap_counts(report: Report) -> Finding | None:
    """Country briefs as of today: the gap analysis in one sentence, with the uncovered topics."""
    g = report.gaps
    if g is None or not (g.counts.get("full", 0) + g.counts.get("partial", 0)):
        return None  # no measure recorded at all: nothing to say beyond the empty grid
    full, partial, none = (g.counts.get(k, 0) for k in ("full", "partial", "none"))
    text = (
        f"Of the {full + partial + none} supply-chain norms, topics and guidance actions of the "
        f"gap analysis, {full} {_verb(full, 'has', 'have')} a measure recorded for "
        f"{sentence_name(g.name)}, {partial} {_verb(partial, 'is', 'are')} partly covered and "
        f"{none} {_verb(none, 'has', 'have')} none (measures in force today)"
    )
    topics = [
        line.label
        for group in g.groups
        if group.title == "Supply-chain topics"
        for line in group.lines
        if line.state == "none"
    ]
    if topics:
        text += f". Topics with no measure recorded: {', '.join(topics)}"
    return Finding("gaps", "Gaps", text + ".", [Evidence("Gap analysis", "gaps")])


def recent_changes(report: Report) -> Finding | None:
    """Dated events of the listed measures in the 12 months up to the as-of date."""
    start = _shift(report.as_of, -RECENT_MONTHS)
    events: list[tuple[dt.date, str, MeasureEntry]] = []
    for e in _listed(report):
        for ev in e.events:
            if start < ev.effective <= report.as_of:
                what = _EVENT_VERBS.get(ev.kind, ev.kind)
                if ev.stage:
                    what += f" ({ev.stage})"
                events.append((ev.effective, f"{e.label} {what} {ev.text}", e))
    if not events:
        return None
    events.sort(key=lambda t: (t[0], t[1]))
    return Finding(
        "recent",
        "Changes in the last 12 months",
        f"Between {_day(start + dt.timedelta(days=1))} and {report.as_of_text}: "
        + _more([text for _d, text, _e in events])
        + ".",
        _evidence([e for _d, _t, e in events]),
    )


def upcoming_obligations(report: Report) -> Finding | None:
    """Entry-into-force and application stages in the 24 months after the as-of date."""
    end = _shift(report.as_of, AHEAD_MONTHS)
    stages: list[tuple[dt.date, str, MeasureEntry]] = []
    for e in _listed(report):
        if e.status.standing is lifecycle.Standing.ENDED:
            continue
        for ev in e.events:
            if ev.kind in ("in_force", "applies_from") and report.as_of < ev.effective <= end:
                what = ev.stage or (
                    "enters into force" if ev.kind == "in_force" else "obligations apply"
                )
                stages.append((ev.effective, f"{e.label}: {what} from {ev.text}", e))
    if not stages:
        return None
    stages.sort(key=lambda t: (t[0], t[1]))
    return Finding(
        "upcoming",
        "Starting in the next 24 months",
        f"Recorded to enter into force or apply after {report.as_of_text} and by {_day(end)}: "
        + _more([text for _d, text, _e in stages])
        + ".",
        _evidence([e for _d, _t, e in stages]),
    )


def verification_mix(report: Report) -> Finding | None:
    """How the measures in force were verified (the brief's figures)."""
    f = report.figures
    if not f.get("measures"):
        return None
    return Finding(
        "verification",
        "How the measures were verified",
        f"Of the {lifecycle.counted(f['in_force'], 'in_force')} on {report.as_of_text} in this "
        f"brief, {f['verified']} verified in an official or primary text, "
        f"{f['secondary']} on secondary sources only and {f['unverified']} unverified.",
        [],
    )


#: the findings, in the order the page shows them
FINDINGS: tuple[Callable[[Report], Finding | None], ...] = (
    topic_coverage,
    gap_counts,
    peer_gaps,
    recent_changes,
    upcoming_obligations,
    verification_mix,
)


# --------------------------------------------------------------------------- paper briefs
# A paper brief counts a recommendation as implemented where a linked measure is in force
# today (ImplementingMeasure.current: lifecycle's standing_on, as the brief's sections).


def _rec_anchor(index: int) -> str:
    return f"rec-{index + 1}"


def _numbers(numbers: list[str]) -> str:
    return numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]


def paper_implementation(report: PaperReport) -> Finding | None:
    """How many recommendations have a linked measure in force, and which."""
    recs = report.paper.recommendations
    if not recs:
        return None
    done = [(i, r) for i, r in enumerate(recs) if any(j.degree for j in r.jurisdictions)]
    text = (
        f"{report.implemented} of {len(recs)} recommendation{'s' if len(recs) != 1 else ''} "
        f"{'has' if report.implemented == 1 else 'have'} a linked measure in force on "
        f"{report.as_of_text}"
    )
    if done:
        which = _numbers([r.number for _i, r in done])
        text += f": recommendation{'s' if len(done) != 1 else ''} {which}"
    missing = [r.number for r in recs if not any(j.degree for j in r.jurisdictions)]
    if missing and done:
        text += f"; none is recorded for {_numbers(missing)}"
    return Finding(
        "paper-implementation",
        "Recommendations implemented",
        text + ".",
        [Evidence(f"Recommendation {r.number}", _rec_anchor(i)) for i, r in done[:MAX_ITEMS]],
    )


def paper_jurisdictions(report: PaperReport) -> Finding | None:
    """The jurisdictions whose measures in force implement the most recommendations."""
    if not report.by_jurisdiction:
        return None
    ranked = sorted(report.by_jurisdiction, key=lambda row: (-len(row[2]), row[0]))
    items = [
        f"{sentence_name(name, start=i == 0)} ({code}): "
        + ", ".join(f"{number} ({degree})" for number, degree in recs)
        for i, (name, code, recs) in enumerate(ranked[:MAX_ITEMS])
    ]
    if len(ranked) > MAX_ITEMS:
        items.append(f"{len(ranked) - MAX_ITEMS} more")
    return Finding(
        "paper-jurisdictions",
        "Jurisdictions implementing it",
        "Recommendations implemented by a measure in force, by jurisdiction: "
        + "; ".join(items)
        + ".",
        [Evidence("By jurisdiction", "by-jurisdiction")],
    )


def paper_not_counted(report: PaperReport) -> Finding | None:
    """Linked measures that do not count today (pending, not yet in force, ended, undated)."""
    items: list[str] = []
    anchors: list[Evidence] = []
    for i, rec in enumerate(report.paper.recommendations):
        for j in rec.jurisdictions:
            for m in j.measures:
                if not m.current:
                    items.append(
                        f"{m.label} ({j.code}, recommendation {rec.number}): {m.standing.label}"
                    )
                    anchors.append(Evidence(f"Recommendation {rec.number}", _rec_anchor(i)))
    if not items:
        return None
    unique = list({e.anchor: e for e in anchors}.values())
    return Finding(
        "paper-not-counted",
        "Linked, not counted",
        f"Linked to a recommendation but not in force on {report.as_of_text}: "
        + _more(items)
        + ".",
        unique,
    )


PAPER_FINDINGS: tuple[Callable[[PaperReport], Finding | None], ...] = (
    paper_implementation,
    paper_jurisdictions,
    paper_not_counted,
)


def findings(report: Report) -> list[Finding]:
    """The report's findings that have data behind them (at most :data:`MAX_FINDINGS`)."""
    out = [f for f in (fn(report) for fn in FINDINGS) if f is not None]
    return out[:MAX_FINDINGS]


def paper_findings(report: PaperReport) -> list[Finding]:
    out = [f for f in (fn(report) for fn in PAPER_FINDINGS) if f is not None]
    return out[:MAX_FINDINGS]
