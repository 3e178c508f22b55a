"""How snapshots of any kind of record are compared, for history pages, summaries and conflicts.

Each content kind registers a ``HistorySpec``: its fields (``tracker.records.diff.FieldSpec``)
and a factory for the display callback that turns stored codes into names. The
functions here then compare two snapshots of any record field by field.

Measures, papers and attributions register here (tracker/measures/history.py,
tracker/papers/history.py, tracker/attribution/history.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tracker.records.diff import Display, FieldChange, FieldSpec, compare, summarise
from tracker.records.models import RecordKind


def _same(snapshot: dict[str, Any] | None) -> dict[str, Any] | None:
    return snapshot


@dataclass(frozen=True)
class HistorySpec:
    fields: tuple[FieldSpec, ...]
    #: makes a fresh display callback (each may cache its look-ups for one comparison)
    display: Callable[[], Display]
    #: reshapes a snapshot before comparison (e.g. folds two keys into one column)
    prepare: Callable[[dict[str, Any] | None], dict[str, Any] | None] = _same


_registry: dict[RecordKind, HistorySpec] = {}


def register(kind: RecordKind, spec: HistorySpec) -> None:
    _registry[kind] = spec


def spec_for(kind: RecordKind) -> HistorySpec:
    return _registry[kind]


def compare_snapshots(
    kind: RecordKind,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    display: Display | None = None,
) -> list[FieldChange]:
    """Every field of the kind, old against new (a missing snapshot counts as empty)."""
    spec = spec_for(kind)
    return compare(spec.fields, spec.prepare(old), spec.prepare(new), display or spec.display())


def change_summary(kind: RecordKind, old: dict[str, Any] | None, new: dict[str, Any] | None) -> str:
    return summarise(compare_snapshots(kind, old, new))


def differs(kind: RecordKind, old: dict[str, Any] | None, new: dict[str, Any] | None) -> bool:
    """Whether a reader would see a difference (a set ticked in another order is no change)."""
    if old == new:
        return False
    return any(c.changed for c in compare_snapshots(kind, old, new))
