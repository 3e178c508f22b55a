"""The plain-language summary of differences: who lacks a measure for which norm or topic."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker.measures import lifecycle

if TYPE_CHECKING:
    from tracker.reports.data import CellItem, Report

#: Names that read with an article in a sentence ("the United States has ...").
_WITH_ARTICLE = (
    "United ",
    "Netherlands",
    "European ",
    "Republic ",
    "Russian ",
    "Philippines",
    "Bahamas",
    "Gambia",
    "Maldives",
    "Holy See",
    "Central African",
    "Dominican Republic",
    "Marshall ",
    "Solomon ",
    "Comoros",
    "Seychelles",
    "Czech Republic",
    "Democratic ",
    "Federated ",
    "Islamic ",
    "State of",
    "Plurinational ",
    "Bolivarian ",
)


def display_name(name: str) -> str:
    """'Congo, The Democratic Republic of the' -> 'the Democratic Republic of the Congo'."""
    if ", " in name:
        head, tail = name.split(", ", 1)
        if tail.lower().endswith((" of", " of the")):
            name = f"{tail[0].lower() if tail.startswith('The ') else tail[0]}{tail[1:]} {head}"
    return name


def sentence_name(name: str, *, start: bool = False) -> str:
    name = display_name(name)
    if name.startswith(_WITH_ARTICLE):
        name = f"the {name}"
    return name[:1].upper() + name[1:] if start else name


def join_names(names: list[str], *, start: bool = False) -> str:
    names = [sentence_name(n, start=start and i == 0) for i, n in enumerate(names)]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


NUMBERS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def number(n: int) -> str:
    return NUMBERS[n] if 0 <= n < len(NUMBERS) else str(n)


def _subject(column_label: str, column_title: str, by: str) -> str:
    if by == "topic":
        return f"the topic “{column_label}”"
    return f"{column_label.replace('Norm', 'norm')} ({column_title[:1].lower()}{column_title[1:]})"


#: a sentence names at most this many jurisdictions or measures, then says how many more
MAX_NAMED = 12

NO_PROOF = "A gap means that the tracker records no measure; it does not prove that none exists."


def _named(names: list[str], *, start: bool = False) -> str:
    """``join_names``, bounded: past MAX_NAMED, the first ones and how many others."""
    if len(names) <= MAX_NAMED:
        return join_names(names, start=start)
    shown = [sentence_name(n, start=start and i == 0) for i, n in enumerate(names[:MAX_NAMED])]
    return ", ".join(shown) + f" and {len(names) - MAX_NAMED} others"


def _coverage(report: Report, subjects: list[str]) -> list[str]:
    """Who has a measure in force for which column; who lacks one."""
    rows, on = report.rows, report.as_of_text
    p = report.params
    if p.kind == "norm" and not p.jurisdictions:
        return [
            f"Measures for {subjects[0]} are recorded for {number(len(rows))} "
            f"jurisdiction{'s' if len(rows) != 1 else ''} "
            f"as of {on}: {_named([r.name for r in rows])}."
        ]
    out = []
    full = [s for i, s in enumerate(subjects) if not any(r.cells[i].gap for r in rows)]
    if full:
        if len(rows) > 2:
            who = f"All {number(len(rows))} jurisdictions have"
        elif len(rows) == 2:
            who = "Both jurisdictions have"
        else:
            who = f"{sentence_name(rows[0].name, start=True)} has"
        out.append(f"{who} at least one measure in force for {_and(full)} as of {on}.")
    for i, what in enumerate(subjects):
        gaps = [r.name for r in rows if r.cells[i].gap]
        if not gaps:
            continue
        if len(gaps) == len(rows) and len(rows) > 6:
            out.append(
                f"None of the {number(len(rows))} jurisdictions has a measure in force "
                f"for {what} as of {on}."
            )
        else:
            verb = "has" if len(gaps) == 1 else "have"
            out.append(
                f"{_named(gaps, start=True)} {verb} no measure in force for {what} as of {on}."
            )
    return out


def _labels(items: list[CellItem]) -> str:
    labels = [f"{item.measure.label}, {item.measure.status.label}" for item in items]
    if len(labels) > MAX_NAMED:
        labels = [*labels[:MAX_NAMED], f"and {len(labels) - MAX_NAMED} more"]
    return "; ".join(labels)


def _via_and_pending(report: Report, subjects: list[str]) -> list[str]:
    """Per column: who is covered only through an organisation; who has only measures not
    in force yet."""
    out = []
    rows, on = report.rows, report.as_of_text
    for i, what in enumerate(subjects):
        via_only = [r.name for r in rows if r.cells[i].via_only]
        if via_only:
            orgs = sorted({item.via for r in rows for item in r.cells[i].items if item.via})
            verb = "is" if len(via_only) == 1 else "are"
            out.append(
                f"For {what}, {_named(via_only)} {verb} covered only through measures "
                f"of {join_names(orgs)} (marked “via {'/'.join(orgs)}”)."
            )
        for r in rows:
            cell = r.cells[i]
            if cell.gap and cell.pending:
                out.append(
                    f"{sentence_name(r.name, start=True)} has no measure in force for "
                    f"{what} on {on}; listed, not in force: {_labels(cell.pending)}."
                )
    return out


def _leaders(report: Report) -> list[str]:
    rows = report.rows
    if len(rows) <= 1 or not report.columns:
        return []
    counts = {
        r.name: len({item.measure.record_id for c in r.cells for item in c.items}) for r in rows
    }
    most = max(counts.values())
    leaders = [n for n, c in counts.items() if c == most]
    if not most or len(leaders) == len(rows):
        return []
    verb = "has" if len(leaders) == 1 else "have"
    return [
        f"{_named(leaders, start=True)} {verb} the most measures in this "
        f"selection ({most}, including those applying through an organisation)."
    ]


def _figures(report: Report) -> list[str]:
    f = report.figures
    if not f["measures"]:
        return []
    return [
        f"The brief lists {lifecycle.counted(f['in_force'], 'in_force')} as of "
        f"{report.as_of_text} ({lifecycle.counted(f['applying'], 'applying')}, "
        f"{lifecycle.counted(f['adopted'], 'adopted')}): "
        f"{f['verified']} verified in an official or primary text, {f['secondary']} on "
        "secondary sources only, "
        f"{f['unverified']} unverified."
    ]


def sentences(report: Report) -> list[str]:
    """A few sentences a diplomat can paste into a note: coverage, gaps, via-only, pending."""
    if not report.rows:
        return [
            f"No jurisdiction has a recorded measure for this selection as of {report.as_of_text}.",
            NO_PROOF,
        ]
    subjects = [_subject(c.label, c.title, report.params.by) for c in report.columns]
    return [
        *_coverage(report, subjects),
        *_via_and_pending(report, subjects),
        *_leaders(report),
        *_figures(report),
        NO_PROOF,
    ]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
