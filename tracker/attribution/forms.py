"""The attribution statement editor form.

Parties are multiple selects of jurisdictions. Browsers send a multiple select's
chosen options in page order, so the chosen ones are listed first, in the
statement's order, in a group of their own: the order the statement gives survives
an edit, and the editor sees at a glance who is chosen. Organisations that are not
jurisdictions (NATO) are typed, one per line. ``to_data`` returns a snapshot that
``services.apply`` writes (keys as in data/demo/attributions.yaml).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from tracker.attribution.models import (
    Attribution,
    AttributionForm,
    AttributionSource,
    FrameworkInvoked,
    InvocationBasis,
    InvokedNorm,
)
from tracker.db import Verification, parse_partial_date, partial_date_text
from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction, JurisdictionKind
from tracker.norms.models import Norm
from tracker.records.forms import (
    BLANK,
    MAX_ROWS,
    MultiCheckboxField,
    RecordForm,
    RowForm,
    cap,
    full_date_not_future,
    http_url,
    limit,
    options,
    partial_date,
    partial_date_not_future,
    period,
    text_or_none,
)
from tracker.records.models import Record
from tracker.validators import JurisdictionField, JurisdictionsField

LONG_TEXT_MAX = 20_000
TEXT_MAX = 5_000
NOTE_MAX = 2_000
ORG_MAX = 200
ORGS_MAX = 50
#: party fields, and how a message names the role each gives
PARTY_FIELDS = {
    "attributing": "attributing",
    "supported_by": "supporting",
    "other_states_recalled": "recalled",
}


def organisation_lines(_form: Any, field: Any) -> None:
    lines = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
    if len(lines) > ORGS_MAX:
        raise ValidationError(f"List at most {ORGS_MAX} organisations.")
    for line in lines:
        if len(line) > ORG_MAX:
            raise ValidationError(
                f"Each name may have at most {ORG_MAX} characters: “{line[:40]}…” is longer."
            )
    lowered = [line.casefold() for line in lines]
    twice = sorted(
        {line for line, low in zip(lines, lowered, strict=True) if lowered.count(low) > 1}
    )
    if twice:
        raise ValidationError(f"Listed twice: {', '.join(twice)}.")


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class InvokedNormRow(RowForm):
    significant = ("norm", "passage", "locator")
    norm = SelectField("Norm", choices=[BLANK])
    basis = RadioField(
        "Explicit or implicit", choices=options(InvocationBasis.choices()), validators=[Optional()]
    )
    passage = TextAreaField("Passage, quoted", validators=[cap(TEXT_MAX)], render_kw={"rows": 2})
    locator = StringField(
        "Locator",
        validators=[limit(InvokedNorm, "locator")],
        render_kw={"placeholder": "e.g. para. 3"},
    )


class SourceRow(RowForm):
    significant = ("title", "url", "accessed")
    title = StringField("Title", validators=[limit(AttributionSource, "title")])
    url = URLField("Web address", validators=[limit(AttributionSource, "url"), http_url])
    accessed = StringField(
        "Accessed",
        validators=[full_date_not_future],
        render_kw={"placeholder": "YYYY-MM-DD", "size": 11},
    )


@dataclass
class Choices:
    #: every jurisdiction, organisations first (attributing, supporting, recalled)
    jurisdictions: list[SelectChoice]
    #: States only, plus the saved value if it is not one (attributed State)
    states: list[SelectChoice]
    norms: list[SelectChoice]
    names: dict[str, str]


def load_choices(record: Record | None) -> Choices:
    rows = db.session.execute(
        sa.select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.kind).order_by(
            Jurisdiction.name
        )
    ).all()
    names = {code: name for code, name, _k in rows}
    jurisdictions = []
    for group, kind in (
        ("Regional organisations", JurisdictionKind.REGIONAL_ORG),
        ("States and territories", JurisdictionKind.STATE),
    ):
        jurisdictions += [
            SelectChoice(code, f"{name} ({code})", optgroup=group)
            for code, name, k in rows
            if k is kind
        ]
    states = [SelectChoice("", "— none: no single State named —")]
    states += [
        SelectChoice(code, f"{name} ({code})")
        for code, name, k in rows
        if k is JurisdictionKind.STATE
    ]
    # A statement saved with another attributed jurisdiction (an import) keeps it as an option.
    saved = (
        db.session.scalar(
            sa.select(Attribution.attributed_state_code).where(
                Attribution.record_id == record.id, Attribution.is_draft
            )
        )
        if record is not None
        else None
    )
    if saved and saved not in {c.value for c in states}:
        states.append(SelectChoice(saved, f"{names.get(saved, saved)} ({saved})"))
    norms = [BLANK] + [
        SelectChoice(n.letter, f"({n.letter}) {n.short_title}")
        for n in db.session.scalars(sa.select(Norm).order_by(Norm.letter))
    ]
    return Choices(jurisdictions, states, norms, names)


def chosen_first(
    choices: list[SelectChoice], chosen: list[str] | None, names: dict[str, str]
) -> list[SelectChoice]:
    """The options with the chosen ones first, in the given order, in a group of their own."""
    chosen = [c for c in dict.fromkeys(chosen or []) if c in names]
    if not chosen:
        return choices
    head = [
        SelectChoice(code, f"{names[code]} ({code})", optgroup="Chosen, in the statement's order")
        for code in chosen
    ]
    return head + [c for c in choices if c.value not in chosen]


class AttributionEditForm(RecordForm):
    SECTIONS = ("invoked_norms", "sources")

    date = StringField(
        "Date of the statement",
        validators=[
            InputRequired("Give the date of the statement."),
            partial_date,
            partial_date_not_future,
            cap(10),
        ],
        render_kw={"placeholder": "YYYY-MM-DD", "inputmode": "numeric", "size": 11},
    )
    operation = StringField(
        "Operation or incident",
        validators=[
            InputRequired("Name the operation or incident attributed."),
            limit(Attribution, "operation"),
        ],
    )
    attributing = JurisdictionsField(
        "Attributing States and the EU", choices=[], render_kw={"size": 8}
    )
    attributing_orgs = TextAreaField(
        "Attributing organisations", validators=[organisation_lines], render_kw={"rows": 2}
    )
    supported_by = JurisdictionsField(
        "Supporting States and the EU", choices=[], render_kw={"size": 6}
    )
    supported_by_orgs = TextAreaField(
        "Supporting organisations", validators=[organisation_lines], render_kw={"rows": 2}
    )
    other_states_recalled = JurisdictionsField(
        "Other States recalled as attributing (not verified)", choices=[], render_kw={"size": 4}
    )
    attributed_actor = StringField(
        "Attributed actor",
        validators=[
            InputRequired("Give the actor as the statement names it."),
            limit(Attribution, "attributed_actor"),
        ],
    )
    attributed_state = JurisdictionField("Attributed State", choices=[])
    forms = MultiCheckboxField("Form", choices=options(AttributionForm.choices()))
    #: the forms in the order stored before this edit (checkboxes come back in page order)
    forms_order = HiddenField()
    un_framework_invoked = RadioField(
        "UN framework invoked",
        choices=options(FrameworkInvoked.choices()),
        default=FrameworkInvoked.UNKNOWN.value,
        validators=[InputRequired("Choose yes, no or unknown.")],
    )
    passage = TextAreaField(
        "Key passage, quoted", validators=[cap(LONG_TEXT_MAX)], render_kw={"rows": 3}
    )
    basis_note = TextAreaField(
        "Basis or confidence the statement gives", validators=[cap(TEXT_MAX)], render_kw={"rows": 2}
    )
    follow_up = TextAreaField("Follow-up", validators=[cap(TEXT_MAX)], render_kw={"rows": 2})
    legal_basis = TextAreaField("Legal basis", validators=[cap(TEXT_MAX)], render_kw={"rows": 2})
    notes = TextAreaField("Notes", validators=[cap(LONG_TEXT_MAX)], render_kw={"rows": 3})
    verification = SelectField(
        "Verification",
        choices=options(Verification.choices()),
        default=Verification.UNVERIFIED.value,
        validators=[InputRequired("Choose how the statement was verified.")],
    )
    verification_note = TextAreaField(
        "Verification note", validators=[cap(NOTE_MAX)], render_kw={"rows": 2}
    )

    invoked_norms = FieldList(
        FormField(InvokedNormRow), label="Norms invoked", max_entries=MAX_ROWS
    )
    sources = FieldList(FormField(SourceRow), label="Sources", max_entries=MAX_ROWS)

    def set_choices(self) -> None:
        for name in PARTY_FIELDS:
            field = getattr(self, name)
            field.choices = chosen_first(self.choices.jurisdictions, field.data, self.choices.names)
        self.attributed_state.choices = self.choices.states

    def row_choices(self, section: str, row: Form) -> None:
        if section == "invoked_norms":
            row.norm.choices = self.choices.norms

    def check(self) -> None:
        names = self.choices.names
        if not self.attributing.data:
            self.fail(
                self.attributing,
                "Choose at least one attributing State or the EU (organisations such as NATO go below).",
            )
        # A jurisdiction has one role in a statement.
        seen: dict[str, str] = {}
        for name, role in PARTY_FIELDS.items():
            field = getattr(self, name)
            for code in field.data or []:
                if code in seen:
                    self.fail(
                        field,
                        f"{names.get(code, code)} ({code}) is listed as {seen[code]} already.",
                    )
                else:
                    seen[code] = role
        if self.attributed_state.data and self.attributed_state.data in (
            self.attributing.data or []
        ):
            self.fail(
                self.attributed_state,
                "The attributed State cannot also be one of the attributing parties.",
            )
        if not self.forms.data:
            self.fail(self.forms, "Tick at least one form.")
        parties = len(self.attributing.data or []) + len(_lines(self.attributing_orgs.data))
        if AttributionForm.JOINT_STATEMENT.value in (self.forms.data or []) and parties < 2:
            self.fail(self.forms, "A joint statement needs at least two attributing parties.")
        norms = self.rows("invoked_norms")
        pairs = set()
        for row in norms:
            if not row.norm.data:
                self.fail(row.norm, "Choose the norm the statement invokes.")
            if not row.basis.data:
                self.fail(
                    row.basis,
                    "Say whether the statement names the norm (explicit) or echoes it (implicit).",
                )
            key = (row.norm.data, row.basis.data, (row.passage.data or "").strip())
            if row.norm.data and key in pairs:
                self.fail(row.norm, "This norm is listed twice with the same passage.")
            pairs.add(key)
        explicit = any(r.basis.data == InvocationBasis.EXPLICIT.value for r in norms)
        if explicit and self.un_framework_invoked.data == FrameworkInvoked.NO.value:
            self.fail(
                self.un_framework_invoked,
                "A statement that names a norm explicitly refers to the UN framework: choose Yes, or mark the norm implicit.",
            )
        for row in self.rows("sources"):
            if not (row.title.data or "").strip():
                self.fail(
                    row.title, "Give the source a title (the web address alone is not enough)."
                )
        # A source opened before the statement was made cannot report it.
        if self.date.data and not self.date.errors:
            start, _end = period(self.date.data.strip())
            for row in self.rows("sources"):
                accessed = (row.accessed.data or "").strip()
                if accessed and not row.accessed.errors and dt.date.fromisoformat(accessed) < start:
                    self.fail(
                        row.accessed,
                        f"This is before the statement was made ({self.date.data.strip()}).",
                    )

    def _forms_in_order(self) -> list[str]:
        chosen = list(self.forms.data or [])
        before = [f for f in (self.forms_order.data or "").split(",") if f in chosen]
        return before + [f for f in chosen if f not in before]

    def to_data(self) -> dict[str, Any]:
        return {
            "date": partial_date_text(*parse_partial_date(self.date.data.strip())),
            "operation": self.operation.data.strip(),
            "attributing": list(dict.fromkeys(self.attributing.data or [])),
            "attributing_orgs": _lines(self.attributing_orgs.data),
            "supported_by": list(dict.fromkeys(self.supported_by.data or [])),
            "supported_by_orgs": _lines(self.supported_by_orgs.data),
            "other_states_recalled": list(dict.fromkeys(self.other_states_recalled.data or [])),
            "attributed_actor": self.attributed_actor.data.strip(),
            "attributed_state": text_or_none(self.attributed_state.data),
            "forms": self._forms_in_order(),
            "un_framework_invoked": self.un_framework_invoked.data
            or FrameworkInvoked.UNKNOWN.value,
            "invoked_norms": [
                {
                    "norm": r.norm.data,
                    "basis": r.basis.data,
                    "passage": text_or_none(r.passage.data),
                    "locator": text_or_none(r.locator.data),
                }
                for r in self.rows("invoked_norms")
            ],
            "passage": text_or_none(self.passage.data),
            "basis_note": text_or_none(self.basis_note.data),
            "follow_up": text_or_none(self.follow_up.data),
            "legal_basis": text_or_none(self.legal_basis.data),
            "notes": text_or_none(self.notes.data),
            "verification": self.verification.data,
            "verification_note": text_or_none(self.verification_note.data),
            "sources": [
                {
                    "url": text_or_none(r.url.data),
                    "title": r.title.data.strip(),
                    "accessed": text_or_none(r.accessed.data),
                }
                for r in self.rows("sources")
            ],
        }


def form_data(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot as the ``data`` of an AttributionEditForm (for an edit form)."""
    data: dict[str, Any] = {
        name: snapshot.get(name) or ""
        for name in (
            "date",
            "operation",
            "attributed_actor",
            "attributed_state",
            "passage",
            "basis_note",
            "follow_up",
            "legal_basis",
            "notes",
            "verification_note",
        )
    }
    for name in PARTY_FIELDS:
        data[name] = list(snapshot.get(name) or [])
    data["attributing_orgs"] = "\n".join(snapshot.get("attributing_orgs") or [])
    data["supported_by_orgs"] = "\n".join(snapshot.get("supported_by_orgs") or [])
    data["forms"] = list(snapshot.get("forms") or [])
    data["forms_order"] = ",".join(snapshot.get("forms") or [])
    data["un_framework_invoked"] = (
        snapshot.get("un_framework_invoked") or FrameworkInvoked.UNKNOWN.value
    )
    data["verification"] = snapshot.get("verification") or Verification.UNVERIFIED.value
    data["invoked_norms"] = [
        {
            "norm": n["norm"],
            "basis": n.get("basis") or "",
            "passage": n.get("passage") or "",
            "locator": n.get("locator") or "",
        }
        for n in snapshot.get("invoked_norms") or []
    ]
    data["sources"] = [
        {
            "title": s.get("title") or "",
            "url": s.get("url") or "",
            "accessed": s.get("accessed") or "",
        }
        for s in snapshot.get("sources") or []
    ]
    return data


def publication_problems(attribution: Attribution) -> list[str]:
    """Why this copy may not be published yet (an empty list: it may)."""
    if not attribution.sources:
        return ["Add at least one source, so that readers can check the statement."]
    return []
