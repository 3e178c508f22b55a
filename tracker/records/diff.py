"""Field-by-field comparison of two snapshots of a record, and a one-line summary of it.

Used by the history (compare two revisions), by saves (the change summary of a
revision) and by the conflict page (the saved version against the submitted one).
Each content kind describes its fields with ``FieldSpec``s; values are shown
through a ``display`` callback so that codes become names (``DE`` -> Germany).
Nothing here renders HTML: templates escape every value.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

#: field kinds: one value side by side, free text diffed word by word, a list of rows, a set
SCALAR, TEXT, ROWS, SET = "scalar", "text", "rows", "set"

Display = Callable[[str, str | None, Any], str]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = SCALAR
    #: for ROWS: (key, label) of the columns that make up a row
    columns: tuple[tuple[str, str], ...] = ()
    #: for ROWS and SET: the noun used in summaries ("source", "sources")
    noun: tuple[str, str] = ("", "")
    #: how summaries name the field when it is not simply the label in lower case
    summary: str = ""
    #: for ROWS whose rows keep an identity (a paper's recommendations): the key holding it;
    #: rows are then matched by identity, so a removed row and a new one never read as a change
    identity: str = ""

    @property
    def summary_name(self) -> str:
        return self.summary or self.label.lower()


#: the sources every kind of record keeps, as the history shows them
SOURCES = FieldSpec(
    "sources",
    "Sources",
    ROWS,
    columns=(("title", "Title"), ("url", "URL"), ("accessed", "Accessed")),
    noun=("source", "sources"),
)


@dataclass
class Segment:
    op: str  # "equal", "delete" or "insert"
    text: str


@dataclass
class RowChange:
    op: str  # "equal", "added", "removed" or "changed"
    old: list[str] | None  # display cells, in column order
    new: list[str] | None
    changed: list[bool] = field(default_factory=list)  # per column


@dataclass
class FieldChange:
    spec: FieldSpec
    old: str  # display value (SCALAR, TEXT, SET)
    new: str
    changed: bool
    segments: list[Segment] = field(default_factory=list)  # TEXT
    rows: list[RowChange] = field(default_factory=list)  # ROWS
    added: list[str] = field(default_factory=list)  # SET
    removed: list[str] = field(default_factory=list)  # SET

    @property
    def counts(self) -> dict[str, int]:
        out = {"added": 0, "removed": 0, "changed": 0}
        for row in self.rows:
            if row.op in out:
                out[row.op] += 1
        return out


_TOKENS = re.compile(r"\s+|[^\s\w]|\w+")


def text_segments(old: str, new: str) -> list[Segment]:
    """Word-level inline diff of two texts (difflib), as equal/delete/insert segments."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    segments: list[Segment] = []

    def emit(op: str, text: str) -> None:
        if not text:
            return
        if segments and segments[-1].op == op:
            segments[-1].text += text
        else:
            segments.append(Segment(op, text))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            emit("equal", "".join(a[i1:i2]))
        else:
            emit("delete", "".join(a[i1:i2]))
            emit("insert", "".join(b[j1:j2]))
    return segments


def _row_key(row: dict[str, Any], columns: Sequence[tuple[str, str]]) -> tuple[Any, ...]:
    return tuple(repr(row.get(key)) for key, _ in columns)


def row_changes(
    spec: FieldSpec, old: list[dict[str, Any]], new: list[dict[str, Any]], display: Display
) -> list[RowChange]:
    """Rows aligned with difflib: unchanged, added, removed, or changed in place."""
    cols = spec.columns

    def cells(row: dict[str, Any]) -> list[str]:
        return [display(spec.name, key, row.get(key)) for key, _ in cols]

    out: list[RowChange] = []
    if spec.identity:
        # Rows in their new order, each against the old row of the same identity (wherever it
        # was); then the old rows whose identity is gone. A row without one (new) matches nothing.
        by_identity = {r.get(spec.identity): r for r in old if r.get(spec.identity) is not None}
        kept = set()
        for row in new:
            before = (
                by_identity.get(row.get(spec.identity))
                if row.get(spec.identity) is not None
                else None
            )
            if before is None:
                out.append(RowChange("added", None, cells(row), [True] * len(cols)))
                continue
            kept.add(row.get(spec.identity))
            flags = [repr(before.get(key)) != repr(row.get(key)) for key, _ in cols]
            out.append(
                RowChange("changed" if any(flags) else "equal", cells(before), cells(row), flags)
            )
        out.extend(
            RowChange("removed", cells(r), None, [True] * len(cols))
            for r in old
            if r.get(spec.identity) is None or r.get(spec.identity) not in kept
        )
        return out
    a = [_row_key(r, cols) for r in old]
    b = [_row_key(r, cols) for r in new]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(
                RowChange("equal", cells(old[i]), cells(new[j]), [False] * len(cols))
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
            continue
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(pairs):
            o, n = old[i1 + k], new[j1 + k]
            flags = [repr(o.get(key)) != repr(n.get(key)) for key, _ in cols]
            out.append(RowChange("changed", cells(o), cells(n), flags))
        out.extend(
            RowChange("removed", cells(old[i]), None, [True] * len(cols))
            for i in range(i1 + pairs, i2)
        )
        out.extend(
            RowChange("added", None, cells(new[j]), [True] * len(cols))
            for j in range(j1 + pairs, j2)
        )
    return out


def compare(
    specs: Sequence[FieldSpec],
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    display: Display,
) -> list[FieldChange]:
    """Every field of ``specs``, old against new (a missing snapshot counts as empty)."""
    old, new = old or {}, new or {}
    changes = []
    for spec in specs:
        a, b = old.get(spec.name), new.get(spec.name)
        if spec.kind == ROWS:
            rows = row_changes(spec, a or [], b or [], display)
            changed = any(r.op != "equal" for r in rows)
            changes.append(FieldChange(spec, "", "", changed, rows=rows))
        elif spec.kind == SET:
            a_set, b_set = list(a or []), list(b or [])
            added = [display(spec.name, None, v) for v in b_set if v not in a_set]
            removed = [display(spec.name, None, v) for v in a_set if v not in b_set]
            changes.append(
                FieldChange(
                    spec,
                    ", ".join(display(spec.name, None, v) for v in a_set),
                    ", ".join(display(spec.name, None, v) for v in b_set),
                    bool(added or removed),
                    added=added,
                    removed=removed,
                )
            )
        else:
            da, db_ = display(spec.name, None, a), display(spec.name, None, b)
            changed = (a or None) != (b or None)
            segments = []
            if spec.kind == TEXT and changed and da and db_:
                segments = text_segments(da, db_)
                # Word-by-word marks help only when the texts are alike; otherwise they are noise.
                same = sum(len(s.text) for s in segments if s.op == "equal")
                if same < 0.4 * max(len(da), len(db_)):
                    segments = []
            changes.append(FieldChange(spec, da, db_, changed, segments=segments))
    return changes


def _count(n: int, noun: tuple[str, str]) -> str:
    return f"{n} {noun[0] if n == 1 else noun[1]}"


def summarise(changes: Sequence[FieldChange]) -> str:
    """One line, e.g. "Changed status, events; added 1 source; removed topic SBOM"."""
    changed_fields: list[str] = []
    added: list[str] = []
    removed: list[str] = []
    added_sets: list[str] = []
    removed_sets: list[str] = []
    for c in changes:
        if not c.changed:
            continue
        if c.spec.kind == ROWS:
            counts = c.counts
            if counts["changed"]:
                changed_fields.append(c.spec.summary_name)
            if counts["added"]:
                added.append(_count(counts["added"], c.spec.noun))
            if counts["removed"]:
                removed.append(_count(counts["removed"], c.spec.noun))
        elif c.spec.kind == SET:
            # Named members (topics) read better after the counted rows.
            if c.added:
                added_sets.append(
                    f"{c.spec.noun[0] if len(c.added) == 1 else c.spec.noun[1]} "
                    f"{', '.join(c.added)}"
                )
            if c.removed:
                removed_sets.append(
                    f"{c.spec.noun[0] if len(c.removed) == 1 else c.spec.noun[1]} "
                    f"{', '.join(c.removed)}"
                )
        else:
            changed_fields.append(c.spec.summary_name)
    added += added_sets
    removed += removed_sets
    parts = []
    if changed_fields:
        parts.append("changed " + ", ".join(changed_fields))
    if added:
        parts.append("added " + ", ".join(added))
    if removed:
        parts.append("removed " + ", ".join(removed))
    if not parts:
        return "No changes"
    text = "; ".join(parts)
    return text[0].upper() + text[1:]


# --- Kinds without their own field descriptions ----------------------------------------

#: snapshot keys that identify rows rather than describe them
_ID_KEYS = {"id"}


def _label_of(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _plain(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items() if v not in (None, "", []))
    return str(value)


def generic_specs(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[FieldSpec]:
    """Field descriptions read off two snapshots: lists of objects are rows, lists of
    values are sets, long or multi-line strings are text, everything else a value."""
    names = list(dict.fromkeys([*(new or {}), *(old or {})]))
    specs = []
    for name in names:
        values = [v for v in ((old or {}).get(name), (new or {}).get(name)) if v is not None]
        label = _label_of(name)
        if any(isinstance(v, list) and any(isinstance(i, dict) for i in v) for v in values):
            keys = list(
                dict.fromkeys(k for v in values for row in v if isinstance(row, dict) for k in row)
            )
            columns = tuple((k, _label_of(k)) for k in keys if k not in _ID_KEYS)
            singular = name[:-1] if name.endswith("s") else name
            specs.append(
                FieldSpec(
                    name,
                    label,
                    ROWS,
                    columns=columns,
                    noun=(singular.replace("_", " "), name.replace("_", " ")),
                )
            )
        elif any(isinstance(v, list) for v in values):
            specs.append(
                FieldSpec(name, label, SET, noun=(name.replace("_", " "), name.replace("_", " ")))
            )
        elif any(isinstance(v, str) and (len(v) > 120 or "\n" in v) for v in values):
            specs.append(FieldSpec(name, label, TEXT))
        else:
            specs.append(FieldSpec(name, label))
    return specs


def generic_compare(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[FieldChange]:
    """``compare`` for any snapshot, values shown as plain text."""
    return compare(generic_specs(old, new), old, new, lambda _f, _c, v: _plain(v))
