"""How attribution snapshots are compared: the fields, their labels and readable values
(registered with tracker.records.history)."""

from __future__ import annotations

from typing import Any

from tracker.attribution.models import AttributionForm, FrameworkInvoked, InvocationBasis
from tracker.db import Verification, format_partial_date, parse_partial_date
from tracker.measures.history import Labels
from tracker.records import history
from tracker.records.diff import ROWS, SET, TEXT, FieldSpec
from tracker.records.models import RecordKind

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("date", "Date of the statement", summary="date"),
    FieldSpec("operation", "Operation or incident", TEXT),
    FieldSpec(
        "attributing",
        "Attributing States and the EU",
        SET,
        noun=("attributing party", "attributing parties"),
    ),
    FieldSpec(
        "attributing_orgs",
        "Attributing organisations",
        SET,
        noun=("attributing organisation", "attributing organisations"),
    ),
    FieldSpec(
        "supported_by",
        "Supporting States and the EU",
        SET,
        noun=("supporting party", "supporting parties"),
    ),
    FieldSpec(
        "supported_by_orgs",
        "Supporting organisations",
        SET,
        noun=("supporting organisation", "supporting organisations"),
    ),
    FieldSpec(
        "other_states_recalled",
        "Other States recalled as attributing",
        SET,
        noun=("recalled State", "recalled States"),
    ),
    FieldSpec("attributed_actor", "Attributed actor", TEXT),
    FieldSpec("attributed_state", "Attributed State"),
    FieldSpec("forms", "Form", SET, noun=("form", "forms")),
    FieldSpec("un_framework_invoked", "UN framework invoked", summary="UN framework invoked"),
    FieldSpec(
        "invoked_norms",
        "Norms invoked",
        ROWS,
        columns=(
            ("norm", "Norm"),
            ("basis", "Explicit or implicit"),
            ("passage", "Passage"),
            ("locator", "Locator"),
        ),
        noun=("invoked norm", "invoked norms"),
        summary="norms invoked",
    ),
    FieldSpec("passage", "Key passage", TEXT),
    FieldSpec("basis_note", "Basis or confidence given", TEXT),
    FieldSpec("follow_up", "Follow-up", TEXT),
    FieldSpec("legal_basis", "Legal basis", TEXT),
    FieldSpec("notes", "Notes", TEXT),
    FieldSpec("verification", "Verification"),
    FieldSpec("verification_note", "Verification note", TEXT),
    FieldSpec(
        "sources",
        "Sources",
        ROWS,
        columns=(("title", "Title"), ("url", "URL"), ("accessed", "Accessed")),
        noun=("source", "sources"),
    ),
)

ENUMS: dict[tuple[str, str | None], Any] = {
    ("forms", None): AttributionForm,
    ("un_framework_invoked", None): FrameworkInvoked,
    ("invoked_norms", "basis"): InvocationBasis,
    ("verification", None): Verification,
}
#: fields that hold jurisdiction codes
JURISDICTION_FIELDS = {"attributing", "supported_by", "other_states_recalled", "attributed_state"}


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
        if field in JURISDICTION_FIELDS:
            name = self.jurisdictions.get(value)
            return f"{name} ({value})" if name else str(value)
        if field == "date":
            try:
                return format_partial_date(*parse_partial_date(value))
            except ValueError:
                return str(value)
        if (field, column) == ("invoked_norms", "norm"):
            return f"Norm ({value})"
        return str(value)


history.register(RecordKind.ATTRIBUTION, history.HistorySpec(FIELDS, AttributionLabels))
