"""How paper snapshots are compared: the fields, their labels and readable values
(registered with tracker.records.history)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import sqlalchemy as sa

from tracker.extensions import db
from tracker.measures.history import Labels
from tracker.modelbase import Verification, format_partial_date, parse_partial_date
from tracker.records import history
from tracker.records.diff import ROWS, SCALAR, TEXT, FieldSpec
from tracker.records.models import RecordKind
from tracker.workinggroups.models import WorkingGroup

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("title", "Title", TEXT),
    FieldSpec("working_group", "Working group"),
    FieldSpec("publication_date", "Publication date"),
    FieldSpec(
        "authors",
        "Authors",
        ROWS,
        columns=(("name", "Name"), ("affiliation", "Affiliation")),
        noun=("author", "authors"),
    ),
    FieldSpec("abstract", "Abstract", TEXT),
    FieldSpec("url", "Web address of the full text", SCALAR, summary="URL"),
    FieldSpec("verification", "Verification"),
    FieldSpec("verification_note", "Verification note", TEXT),
    FieldSpec(
        "recommendations",
        "Recommendations",
        ROWS,
        columns=(
            ("number", "No."),
            ("text", "Text"),
            ("addressee", "Addressed to"),
            ("norms", "Norms"),
            ("commitments", "Commitments"),
            ("topics", "Topics"),
        ),
        noun=("recommendation", "recommendations"),
        identity="id",
    ),
    FieldSpec(
        "sources",
        "Sources",
        ROWS,
        columns=(("title", "Title"), ("url", "URL"), ("accessed", "Accessed")),
        noun=("source", "sources"),
    ),
)


class PaperLabels(Labels):
    """Codes as names: working groups, norms, commitments, topics, dates."""

    @cached_property
    def working_groups(self) -> dict[str, str]:
        return {k: v for k, v in db.session.execute(sa.select(WorkingGroup.key, WorkingGroup.name))}  # noqa: C416

    def __call__(self, field: str, column: str | None, value: Any) -> str:
        if value is None or value == "" or value == []:
            return ""
        if field == "working_group":
            return self.working_groups.get(value, str(value))
        if field == "verification":
            try:
                return Verification(value).label
            except ValueError:
                return str(value)
        if field == "publication_date":
            try:
                return format_partial_date(*parse_partial_date(value))
            except ValueError:
                return str(value)
        if (field, column) == ("recommendations", "norms"):
            return ", ".join(f"({letter})" for letter in value)
        if (field, column) == ("recommendations", "commitments"):
            return "; ".join(self.commitments.get(key, key) for key in value)
        if (field, column) == ("recommendations", "topics"):
            return ", ".join(self.topics.get(slug, slug) for slug in value)
        return str(value)


history.register(RecordKind.PAPER, history.HistorySpec(FIELDS, PaperLabels))
