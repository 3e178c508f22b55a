"""Load the demo working groups (data/demo/working_groups.yaml): names and affiliations only.

Validated whole before anything is written. Groups already in the database are
left alone (staff may have linked members to accounts since), so loading twice
changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tracker.datafiles import DataFileError, Reader, load_yaml
from tracker.extensions import db
from tracker.norms.loader import LoadReport
from tracker.workinggroups.models import WorkingGroup, WorkingGroupMember

YEAR_MIN, YEAR_MAX = 1990, 2100


def parse(path: str | Path) -> list[dict[str, Any]]:
    doc = load_yaml(path)
    if not isinstance(doc, list):
        raise DataFileError(path, getattr(doc, "line", 1), "expected a list of working groups")
    groups: list[dict[str, Any]] = []
    for i, item in enumerate(doc):
        r = Reader(path, item, f"working_groups[{i}]")
        r.unknown_keys({"key", "name", "topic", "period_start", "period_end", "source", "members"})
        key = r.text("key", required=True, max_len=80)
        if any(g["key"] == key for g in groups):
            raise r.fail("key", f"duplicate key {key!r}")
        start = r.integer("period_start", required=True)
        end = r.integer("period_end")
        for name, year in (("period_start", start), ("period_end", end)):
            if year is not None and not YEAR_MIN <= year <= YEAR_MAX:
                raise r.fail(name, f"{year} is not a plausible year")
        if end is not None and start is not None and end < start:
            raise r.fail("period_end", f"ends ({end}) before it starts ({start})")
        members = []
        for j, node in enumerate(r.items("members")):
            m = Reader(path, node, f"working_groups[{i}].members[{j}]")
            m.unknown_keys({"name", "affiliation"})
            members.append(
                {
                    "name": m.text("name", required=True, max_len=200),
                    "affiliation": m.text("affiliation", max_len=300),
                    "position": j,
                }
            )
        groups.append(
            {
                "key": key,
                "name": r.text("name", required=True, max_len=300),
                "topic": r.text("topic", required=True, max_len=300),
                "period_start": start,
                "period_end": end,
                "source": r.text("source"),
                "members": members,
            }
        )
    return groups


def load(path: str | Path) -> LoadReport:
    """Create the groups that are not in the database yet, with their members."""
    groups = parse(path)
    report = LoadReport()
    existing = set(db.session.scalars(sa.select(WorkingGroup.key)))
    for row in groups:
        if row["key"] in existing:
            continue
        members = [WorkingGroupMember(**m) for m in row["members"]]
        group = WorkingGroup(**{k: v for k, v in row.items() if k != "members"})
        group.members = members
        db.session.add(group)
        report.count("created", "working groups")
        for _ in members:
            report.count("created", "members")
    db.session.flush()
    return report
