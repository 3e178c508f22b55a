"""How attribution snapshots are compared: the fields, their labels and readable values
(registered with tracker.records.history)."""

from __future__ import annotations

from typing import Any

from tracker.attribution.models import AttributionForm, FrameworkInvoked, PartyRole, PassageKind
from tracker.measures.history import Labels
from tracker.modelbase import Verification, format_partial_date, parse_partial_date
from tracker.records import history
from tracker.records.diff import ROWS, SET, SOURCES, TEXT, FieldSpec
from tracker.records.models import RecordKind

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("date", "Date of the statement", summary="date"),
    FieldSpec("operation", "Operation or incident", TEXT),
    FieldSpec("attributed_actor", "Attributed actor", TEXT),
    FieldSpec("attributed_state", "Attributed State"),
    FieldSpec("forms", "Form", SET, noun=("form", "forms")),
    FieldSpec(
        "statements",
        "Statements",
        ROWS,
        columns=(
            ("role", "Role"),
            ("parties", "Parties"),
            ("orgs", "Organisations"),
            ("date", "Date"),
            ("form", "Form"),
            ("un_framework_invoked", "UN framework invoked"),
            ("invoked_norms", "Norms invoked"),
            ("passage_kind", "Verbatim or summary"),
            ("passage", "Passage"),
            ("passage_source", "Passage source"),
            ("source_title", "Source"),
            ("source_url", "Source address"),
            ("note", "Note"),
        ),
        noun=("statement", "statements"),
    ),
    FieldSpec("basis_note", "Basis or confidence given", TEXT),
    FieldSpec("follow_up", "Follow-up", TEXT),
    FieldSpec("legal_basis", "Legal basis", TEXT),
    FieldSpec("notes", "Notes", TEXT),
    FieldSpec("verification", "Verification"),
    FieldSpec("verification_note", "Verification note", TEXT),
    SOURCES,
)

ENUMS: dict[tuple[str, str | None], Any] = {
    ("forms", None): AttributionForm,
    ("statements", "form"): AttributionForm,
    ("statements", "role"): PartyRole,
    ("statements", "un_framework_invoked"): FrameworkInvoked,
    ("statements", "passage_kind"): PassageKind,
    ("verification", None): Verification,
}
#: fields that hold jurisdiction codes
JURISDICTION_FIELDS = {("attributed_state", None), ("statements", "parties")}


class AttributionLabels(Labels):
    """Codes as names: jurisdictions, forms, framework, bases, dates."""

    def __call__(self, field: str, column: str | None, value: Any) -> str:
        if value is None or value == "":
            return ""
        enum = ENUMS.get((field, column))
        if enum is not None:
            try:
                return str(enum(value).label)
            except ValueError:
                return str(value)
        if (field, column) in JURISDICTION_FIELDS:
            codes = value if isinstance(value, list) else [value]
            return ", ".join(
                f"{self.jurisdictions[c]} ({c})" if c in self.jurisdictions else str(c)
                for c in codes
            )
        if (field, column) == ("statements", "orgs"):
            return ", ".join(value)
        if (field, column) == ("statements", "invoked_norms"):
            return "; ".join(
                f"({n.get('norm')}) {n.get('basis')}"
                + (f": “{n['passage']}”" if n.get("passage") else "")
                for n in value
            )
        if field == "date" or (field, column) == ("statements", "date"):
            try:
                return format_partial_date(*parse_partial_date(value))
            except ValueError:
                return str(value)
        return str(value)


history.register(RecordKind.ATTRIBUTION, history.HistorySpec(FIELDS, AttributionLabels))
