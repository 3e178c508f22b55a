"""The attribution editor form: the operation, and its statements as repeatable rows.

Each statement row has its own parties, date, form, source, passage (verbatim or
summary) and UN framework reference; norms invoked are rows of their own that name
the statement they belong to, so what one party said is never credited to another.
Parties are multiple selects of jurisdictions. Browsers send a multiple select's
chosen options in page order, so the chosen ones are listed first, in the
statement's order, in a group of their own. Organisations that are not
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

from tracker.attribution import services
from tracker.attribution.models import (
    FORM_CHOICES,
    Attribution,
    AttributionSource,
    AttributionStatement,
    FrameworkInvoked,
    InvocationBasis,
    InvokedNorm,
    PartyRole,
    PassageKind,
)
from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction, JurisdictionKind
from tracker.modelbase import Verification, parse_partial_date, partial_date_text
from tracker.norms.models import Norm
from tracker.records.forms import (
    BLANK,
    MAX_ROWS,
    MultiCheckboxField,
    RecordForm,
    RowForm,
    cap,
    field_texts,
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


class StatementRow(RowForm):
    significant = (
        "orgs",
        "date",
        "passage",
        "passage_source",
        "source_title",
        "source_url",
        "note",
    )
    role = SelectField(
        "Role", choices=options(PartyRole.choices()), default=PartyRole.ATTRIBUTING.value
    )
    parties = JurisdictionsField("Parties (States and the EU)", choices=[], render_kw={"size": 5})
    orgs = TextAreaField("Organisations", validators=[organisation_lines], render_kw={"rows": 1})
    date = StringField(
        "Date",
        validators=[partial_date, partial_date_not_future, cap(10)],
        render_kw={"placeholder": "YYYY-MM-DD", "inputmode": "numeric", "size": 11},
    )
    form = SelectField(
        "Form",
        choices=[
            SelectChoice("", "— not recorded —"),
            *options((f.value, f.label) for f in FORM_CHOICES),
        ],
    )
    un_framework_invoked = RadioField(
        "UN framework invoked",
        choices=options(FrameworkInvoked.choices()),
        default=FrameworkInvoked.UNKNOWN.value,
        validators=[Optional()],
    )
    passage = TextAreaField("Passage", validators=[cap(LONG_TEXT_MAX)], render_kw={"rows": 2})
    passage_kind = RadioField(
        "Verbatim or summary",
        choices=options(PassageKind.choices()),
        default=PassageKind.SUMMARY.value,
        validators=[Optional()],
    )
    passage_source = StringField(
        "Source of the passage", validators=[limit(AttributionStatement, "passage_source")]
    )
    source_title = StringField(
        "Where the statement can be read", validators=[limit(AttributionStatement, "source_title")]
    )
    source_url = URLField(
        "Web address", validators=[limit(AttributionStatement, "source_url"), http_url]
    )
    note = TextAreaField("Note", validators=[cap(TEXT_MAX)], render_kw={"rows": 1})

    @property
    def skipped(self) -> bool:
        if self.remove.data:
            return True
        return not self.parties.data and super().skipped


class InvokedNormRow(RowForm):
    significant = ("norm", "passage", "locator")
    statement = SelectField("Statement", choices=[BLANK])
    norm = SelectField("Norm", choices=[BLANK])
    basis = RadioField(
        "Explicit, implicit or unknown",
        choices=options(InvocationBasis.choices()),
        validators=[Optional()],
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
    SECTIONS = ("statements", "invoked_norms", "sources")

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
    attributed_actor = StringField(
        "Attributed actor",
        validators=[
            InputRequired("Give the actor as the statement names it."),
            limit(Attribution, "attributed_actor"),
        ],
    )
    attributed_state = JurisdictionField("Attributed State", choices=[])
    forms = MultiCheckboxField("Form", choices=options((f.value, f.label) for f in FORM_CHOICES))
    #: the forms in the order stored before this edit (checkboxes come back in page order)
    forms_order = HiddenField()
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

    statements = FieldList(FormField(StatementRow), label="Statements", max_entries=MAX_ROWS)
    invoked_norms = FieldList(
        FormField(InvokedNormRow), label="Norms invoked", max_entries=MAX_ROWS
    )
    sources = FieldList(FormField(SourceRow), label="Sources", max_entries=MAX_ROWS)

    def set_choices(self) -> None:
        self.attributed_state.choices = self.choices.states

    def row_choices(self, section: str, row: Form) -> None:
        if section == "statements":
            row.parties.choices = chosen_first(
                self.choices.jurisdictions, row.parties.data, self.choices.names
            )
        elif section == "invoked_norms":
            row.norm.choices = self.choices.norms
            row.statement.choices = [BLANK] + [
                SelectChoice(str(i), f"Statement {i}")
                for i in range(1, len(self.statements.entries) + 2)
            ]

    def _numbered_statements(self) -> dict[str, StatementRow]:
        """Statement rows kept, by the number the page shows them under."""
        return {
            str(i): entry.form
            for i, entry in enumerate(self.statements.entries, start=1)
            if not entry.form.skipped
        }

    def check(self) -> None:
        statements = self._numbered_statements()
        self._check_attributing(statements)
        for row in statements.values():
            self._check_statement(row)
        self._check_attributed_state(statements)
        if not self.forms.data:
            self.fail(self.forms, "Tick at least one form.")
        norms = self.rows("invoked_norms")
        for row in norms:
            self._check_invocation(row, statements)
        self._check_norms_listed_once(norms)
        self._check_explicit_names_framework(norms, statements)
        self.check_source_titles()
        for row in self.rows("sources"):
            self._check_accessed(row)

    def _check_attributing(self, statements: dict[str, StatementRow]) -> None:
        """At least one statement attributes; the message goes to the first statement row."""
        if any(r.role.data == PartyRole.ATTRIBUTING.value for r in statements.values()):
            return
        if self.statements.entries:
            self.fail(
                self.statements.entries[0].form.parties,
                "Add at least one attributing statement, with its party or parties.",
            )

    def _check_statement(self, row: StatementRow) -> None:
        """A statement names who made it; a verbatim passage names where its wording is from."""
        if not row.parties.data and not _lines(row.orgs.data):
            self.fail(row.parties, "Choose the party or parties that made this statement.")
        verbatim = row.passage_kind.data == PassageKind.VERBATIM.value
        if verbatim and (row.passage.data or "").strip():
            if not (row.passage_source.data or "").strip():
                self.fail(
                    row.passage_source,
                    "A verbatim passage needs the source that gives its wording; "
                    "otherwise mark it a summary.",
                )

    def _check_attributed_state(self, statements: dict[str, StatementRow]) -> None:
        attributed = self.attributed_state.data
        if attributed and any(attributed in (r.parties.data or []) for r in statements.values()):
            self.fail(
                self.attributed_state,
                "The attributed State cannot also be a party of one of its statements.",
            )

    def _check_invocation(self, row: RowForm, statements: dict[str, StatementRow]) -> None:
        """A norm invoked names its norm, a statement that is kept, and its basis."""
        if not row.norm.data:
            self.fail(row.norm, "Choose the norm the statement invokes.")
        if not row.statement.data:
            self.fail(row.statement, "Choose the statement that invokes the norm.")
        elif row.statement.data not in statements:
            self.fail(
                row.statement,
                f"Statement {row.statement.data} is removed or empty: choose another.",
            )
        if not row.basis.data:
            self.fail(
                row.basis,
                "Say whether the statement names the norm (explicit), echoes it (implicit), "
                "or whether that is unknown.",
            )

    def _check_norms_listed_once(self, norms: list[RowForm]) -> None:
        """One statement invokes one norm with one passage once."""
        seen = set()
        for row in norms:
            key = (row.statement.data, row.norm.data, (row.passage.data or "").strip())
            if row.norm.data and key in seen:
                self.fail(
                    row.norm, "This norm is listed twice for the statement with the same passage."
                )
            seen.add(key)

    def _check_explicit_names_framework(
        self, norms: list[RowForm], statements: dict[str, StatementRow]
    ) -> None:
        """A statement that names a norm explicitly refers to the UN framework."""
        for row in norms:
            statement = statements.get(row.statement.data or "")
            if (
                statement is not None
                and row.basis.data == InvocationBasis.EXPLICIT.value
                and statement.un_framework_invoked.data == FrameworkInvoked.NO.value
            ):
                self.fail(
                    statement.un_framework_invoked,
                    "This statement names a norm explicitly, so it refers to the UN framework: "
                    "choose Yes, or mark the norm implicit.",
                )

    def _check_accessed(self, row: RowForm) -> None:
        """A source was not opened before the statement was made (it could not report it)."""
        accessed = (row.accessed.data or "").strip()
        if not accessed or row.accessed.errors or not self.date.data or self.date.errors:
            return
        start, _end = period(self.date.data.strip())
        if dt.date.fromisoformat(accessed) < start:
            self.fail(
                row.accessed, f"This is before the statement was made ({self.date.data.strip()})."
            )

    def _forms_in_order(self) -> list[str]:
        chosen = list(self.forms.data or [])
        before = [f for f in (self.forms_order.data or "").split(",") if f in chosen]
        return before + [f for f in chosen if f not in before]

    def _statement_data(self, number: str, row: StatementRow) -> dict[str, Any]:
        date = (row.date.data or "").strip()
        return {
            "role": row.role.data or PartyRole.ATTRIBUTING.value,
            "parties": list(dict.fromkeys(row.parties.data or [])),
            "orgs": _lines(row.orgs.data),
            "date": partial_date_text(*parse_partial_date(date)) if date else None,
            "form": row.form.data or None,
            "un_framework_invoked": row.un_framework_invoked.data or FrameworkInvoked.UNKNOWN.value,
            "passage": text_or_none(row.passage.data),
            "passage_kind": row.passage_kind.data or PassageKind.SUMMARY.value,
            "passage_source": text_or_none(row.passage_source.data),
            "source_title": text_or_none(row.source_title.data),
            "source_url": text_or_none(row.source_url.data),
            "note": text_or_none(row.note.data),
            "invoked_norms": [
                {
                    "norm": r.norm.data,
                    "basis": r.basis.data,
                    "passage": text_or_none(r.passage.data),
                    "locator": text_or_none(r.locator.data),
                }
                for r in self.rows("invoked_norms")
                if r.statement.data == number
            ],
        }

    def to_data(self) -> dict[str, Any]:
        return {
            "date": partial_date_text(*parse_partial_date(self.date.data.strip())),
            "operation": self.operation.data.strip(),
            "attributed_actor": self.attributed_actor.data.strip(),
            "attributed_state": text_or_none(self.attributed_state.data),
            "forms": self._forms_in_order(),
            "statements": [
                self._statement_data(number, row)
                for number, row in self._numbered_statements().items()
            ],
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


#: snapshot values an edit form shows as they are ("" for none)
TEXT_FIELDS = ("date", "attributed_state", *services.TEXT_FIELDS)
STATEMENT_TEXT_FIELDS = ("date", "form", *services.STATEMENT_TEXT)
INVOKED_TEXTS = ("basis", "passage", "locator")


def form_data(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot as the ``data`` of an AttributionEditForm (for an edit form)."""
    if "statements" not in snapshot:
        snapshot = {**snapshot, "statements": services.legacy_statements(snapshot)}
    statements = snapshot.get("statements") or []
    forms = list(snapshot.get("forms") or [])
    return {
        **field_texts(snapshot, TEXT_FIELDS),
        "forms": forms,
        "forms_order": ",".join(forms),
        "verification": snapshot.get("verification") or Verification.UNVERIFIED.value,
        "statements": [_statement_form_data(st) for st in statements],
        # norms invoked are rows of their own that name their statement by its number
        "invoked_norms": [
            {"statement": str(number), "norm": n["norm"], **field_texts(n, INVOKED_TEXTS)}
            for number, st in enumerate(statements, start=1)
            for n in st.get("invoked_norms") or []
        ],
        "sources": [
            field_texts(s, ("title", "url", "accessed")) for s in snapshot.get("sources") or []
        ],
    }


def _statement_form_data(statement: dict[str, Any]) -> dict[str, Any]:
    return {
        **field_texts(statement, STATEMENT_TEXT_FIELDS),
        "role": statement.get("role") or PartyRole.ATTRIBUTING.value,
        "parties": list(statement.get("parties") or []),
        "orgs": "\n".join(statement.get("orgs") or []),
        "un_framework_invoked": statement.get("un_framework_invoked")
        or FrameworkInvoked.UNKNOWN.value,
        "passage_kind": statement.get("passage_kind") or PassageKind.SUMMARY.value,
    }
