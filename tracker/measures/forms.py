"""The measure editor form: every field, with repeatable rows that work without JavaScript.

Rows (events, sources, relations, mappings) are sub-forms in FieldLists. The page
renders the existing rows plus a few blank ones; an "Add another ..." submit button
re-renders the form, with everything typed so far, and one more blank row. Blank
rows and rows ticked "Remove" are ignored. ``to_data`` turns a valid form into a
snapshot dict that ``services.apply`` writes, so forms, revisions and restores
share one format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import sqlalchemy as sa
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from tracker.catalogues.models import Catalogue, CatalogueAction
from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction, JurisdictionKind
from tracker.measures import services
from tracker.measures.models import (
    EventKind,
    ImplementationDegree,
    MappingBasis,
    Measure,
    MeasureEvent,
    MeasureImplementation,
    MeasureRelation,
    MeasureStatus,
    MeasureType,
    RelationKind,
    Source,
)
from tracker.modelbase import Verification, parse_partial_date, partial_date_text
from tracker.norms.models import Commitment, Norm, Topic
from tracker.papers.models import Paper, PaperRecommendation, Recommendation
from tracker.records.forms import (
    BLANK,
    MAX_ROWS,
    MultiCheckboxField,
    RecordForm,
    RowForm,
    cap,
    field_texts,
    full_date_not_future,
    limit,
    options,
    partial_date,
)
from tracker.records.queries import visible
from tracker.validators import JurisdictionField, http_url

# Length limits: the column sizes, and for unbounded TEXT columns a generous cap.
DESCRIPTION_MAX = 20_000
NOTE_MAX = 2_000
RATIONALE_MAX = 5_000
LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
#: blank rows shown per section on a new form and below existing rows on an edit form
BLANK_ROWS_NEW = {"events": 2, "sources": 2, "relations": 1, "mappings": 2, "implementations": 1}
BLANK_ROWS_EDIT = {"events": 1, "sources": 1, "relations": 1, "mappings": 1, "implementations": 1}
SECTIONS = ("events", "sources", "relations", "mappings", "implementations")


def language_tag(_form: Any, field: Any) -> None:
    if field.data and not LANG_TAG.match(field.data.strip()):
        raise ValidationError("Give a language code such as en, de, ja or pt-BR.")


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


# --- Rows ----------------------------------------------------------------------------


class EventRow(RowForm):
    significant = ("kind", "date", "stage", "note")
    kind = SelectField("What happened", choices=[BLANK, *options(EventKind.choices())])
    date = StringField(
        "Date",
        validators=[partial_date, Length(max=10, message="Write YYYY-MM-DD, YYYY-MM or YYYY.")],
        render_kw={"placeholder": "YYYY-MM-DD", "inputmode": "numeric", "size": 11},
    )
    #: for an entry into force or an application stage: what enters into force or applies
    stage = StringField("Stage (what applies)", validators=[limit(MeasureEvent, "stage")])
    note = StringField("Note", validators=[limit(MeasureEvent, "note")])
    #: for superseded or rescinded: the measure that replaced or rescinded this one
    successor = SelectField(
        "Replaced or rescinded by", choices=[BLANK], validate_choice=True, default=""
    )


class SourceRow(RowForm):
    significant = ("title", "url", "accessed")
    title = StringField("Title", validators=[limit(Source, "title")])
    url = URLField("Web address", validators=[limit(Source, "url"), http_url])
    accessed = StringField(
        "Accessed",
        validators=[full_date_not_future],
        render_kw={"placeholder": "YYYY-MM-DD", "size": 11},
    )
    staff_note = StringField(
        "Staff note (not public)",
        validators=[cap(NOTE_MAX)],
        description="How the source was found, for staff. Never shown on the public site.",
    )


class RelationRow(RowForm):
    significant = ("kind", "target", "note")
    kind = SelectField("Relation", choices=[BLANK, *options(RelationKind.choices())])
    target = SelectField("Other measure", choices=[BLANK], validate_choice=True)
    note = StringField("Note", validators=[limit(MeasureRelation, "note")])


class MappingRow(RowForm):
    significant = ("target", "locator", "rationale")
    target = SelectField("Norm or commitment", choices=[BLANK])
    locator = StringField("Pinpoint (article, section)", validators=[cap(300)])
    whole_instrument = BooleanField(
        "Whole instrument",
        description="Tick when the measure as a whole implements it, so no pinpoint applies.",
    )
    rationale = TextAreaField("Rationale", validators=[cap(RATIONALE_MAX)], render_kw={"rows": 2})
    basis = RadioField(
        "Basis",
        choices=options(MappingBasis.choices()),
        default=MappingBasis.INFERRED.value,
        validators=[Optional()],
    )


# --- Implementation links (papers issue): what the measure implements ----------------
# A row links the measure to a catalogue action ("action:<catalogue>/<action>") or to a
# paper's recommendation ("rec:<identity>"); see tracker.measures.implementations.


class ImplementationRow(RowForm):
    significant = ("target", "locator", "rationale")
    target = SelectField("Recommendation or action", choices=[BLANK])
    degree = RadioField(
        "Degree", choices=options(ImplementationDegree.choices()), validators=[Optional()]
    )
    basis = RadioField(
        "Basis",
        choices=options(MappingBasis.choices()),
        default=MappingBasis.INFERRED.value,
        validators=[Optional()],
    )
    locator = StringField(
        "Pinpoint (article, section)", validators=[limit(MeasureImplementation, "locator")]
    )
    rationale = TextAreaField("Rationale", validators=[cap(RATIONALE_MAX)], render_kw={"rows": 2})


def implementation_choices() -> tuple[list[SelectChoice], set[int]]:
    """Catalogue actions by catalogue, then the recommendations of papers staff can see."""
    targets = [SelectChoice("", "— choose —")]
    stmt = (
        sa.select(Catalogue.key, Catalogue.title, CatalogueAction)
        .join(Catalogue, Catalogue.id == CatalogueAction.catalogue_id)
        .order_by(Catalogue.key, CatalogueAction.position)
    )
    for cat_key, cat_title, action in db.session.execute(stmt):
        label = f"{action.number} {action.phrase}"
        targets.append(
            SelectChoice(
                f"action:{cat_key}/{action.key}",
                label[:157] + "…" if len(label) > 158 else label,
                optgroup=cat_title[:120],
            )
        )
    recs = (
        visible(Paper, include_drafts=True)
        .join(PaperRecommendation, PaperRecommendation.paper_id == Paper.id)
        .with_only_columns(
            Paper.title,
            PaperRecommendation.recommendation_id,
            PaperRecommendation.number,
            PaperRecommendation.text,
        )
        .order_by(Paper.title, Paper.id, PaperRecommendation.position)
    )
    for title, identity, number, text in db.session.execute(recs):
        label = f"{number} {text}"
        targets.append(
            SelectChoice(
                f"rec:{identity}",
                label[:157] + "…" if len(label) > 158 else label,
                optgroup=f"Paper: {title}"[:120],
            )
        )
    return targets, set(db.session.scalars(sa.select(Recommendation.id)))


def implementation_row_choices(choices: Choices, current: str | None) -> list[SelectChoice]:
    """The row's options, keeping a link to a recommendation no longer in a visible paper."""
    targets = choices.implementation_targets
    if current and current.startswith("rec:") and current not in {c.value for c in targets}:
        identity = current.removeprefix("rec:")
        if identity.isdigit() and int(identity) in choices.recommendation_ids:
            return [
                *targets,
                SelectChoice(
                    current,
                    f"Recommendation {identity} (its paper is deleted or no longer lists it)",
                ),
            ]
    return targets


def check_implementations(rows: list[Any], fail: Any) -> None:
    seen = set()
    for row in rows:
        if not row.target.data:
            fail(row.target, "Choose the recommendation or action this measure implements.")
        elif row.target.data in seen:
            fail(row.target, "This recommendation or action is listed twice.")
        seen.add(row.target.data)
        if not row.degree.data:
            fail(row.degree, "Say whether the measure implements it fully or in part.")
        if not (row.rationale.data or "").strip():
            fail(row.rationale, "Say why: what in the measure does what it asks.")


def implementations_data(rows: list[Any]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        kind, _, key = r.target.data.partition(":")
        catalogue, _, action = key.partition("/")
        out.append(
            {
                "catalogue": catalogue if kind == "action" else None,
                "action": action if kind == "action" else None,
                "recommendation_id": int(key) if kind == "rec" else None,
                "degree": r.degree.data,
                "basis": r.basis.data or MappingBasis.INFERRED.value,
                "locator": _text(r.locator.data),
                "rationale": r.rationale.data.strip(),
            }
        )
    return out


def implementations_form_data(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "target": f"action:{i['catalogue']}/{i['action']}"
            if i.get("action")
            else f"rec:{i.get('recommendation_id')}",
            "degree": i.get("degree") or "",
            "basis": i.get("basis") or MappingBasis.INFERRED.value,
            "locator": i.get("locator") or "",
            "rationale": i.get("rationale") or "",
        }
        for i in items
    ]


# --- Choices loaded from the database -------------------------------------------------


@dataclass
class Choices:
    jurisdictions: list[SelectChoice]
    topics: list[SelectChoice]
    measures: list[SelectChoice]
    mapping_targets: list[SelectChoice]
    #: what a measure may implement (see "Implementation links" below)
    implementation_targets: list[SelectChoice] = dataclass_field(default_factory=list)
    #: every recommendation identity, for links to one no longer in a visible paper
    recommendation_ids: set[int] = dataclass_field(default_factory=set)


def load_choices(
    exclude_record_id: int | None = None, keep_targets: tuple[int, ...] = ()
) -> Choices:
    """Select options: jurisdictions (organisations first, then States by name), topics,
    other measures staff can see (plus current relation targets), norms and commitments."""
    juris = db.session.execute(
        sa.select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.kind).order_by(
            Jurisdiction.name
        )
    ).all()
    jurisdictions = [SelectChoice("", "— choose —")]
    for group, kind in (
        ("Regional organisations", JurisdictionKind.REGIONAL_ORG),
        ("States and territories", JurisdictionKind.STATE),
    ):
        jurisdictions += [
            SelectChoice(code, f"{name} ({code})", optgroup=group)
            for code, name, k in juris
            if k is kind
        ]

    topics = options(db.session.execute(sa.select(Topic.slug, Topic.name).order_by(Topic.position)))

    stmt = visible(Measure, include_drafts=True).order_by(
        Measure.jurisdiction_code, Measure.short_name, Measure.title_original
    )
    measures = [
        (str(m.record_id), f"{m.jurisdiction_code}: {m.label}"[:160])
        for m in db.session.scalars(stmt)
        if m.record_id != exclude_record_id
    ]
    known = {int(v) for v, _ in measures}
    for target in keep_targets:
        if target not in known and target != exclude_record_id:
            measures.append((str(target), f"record {target} (deleted or unavailable)"))

    targets = [SelectChoice("", "— choose —")]
    targets += [
        SelectChoice(
            f"norm:{n.letter}",
            f"Norm ({n.letter}): {n.short_title}",
            optgroup="UN norms (A/70/174 para. 13)",
        )
        for n in db.session.scalars(sa.select(Norm).order_by(Norm.letter))
    ]
    targets += [
        SelectChoice(f"commitment:{c.key}", c.title, optgroup="Commitments and guidance")
        for c in db.session.scalars(
            sa.select(Commitment).order_by(Commitment.kind, Commitment.title)
        )
    ]
    return Choices(
        jurisdictions, topics, [BLANK, *options(measures)], targets, *implementation_choices()
    )


# --- The form ------------------------------------------------------------------------


class MeasureForm(RecordForm):
    jurisdiction_code = JurisdictionField(
        "Jurisdiction", validators=[InputRequired("Choose the jurisdiction.")]
    )
    title_original = StringField(
        "Official title",
        validators=[InputRequired("Give the official title."), limit(Measure, "title_original")],
    )
    title_lang = StringField(
        "Language of the official title",
        default="en",
        validators=[
            InputRequired("Give the language code, e.g. en."),
            limit(Measure, "title_lang"),
            language_tag,
        ],
        render_kw={"size": 8},
    )
    title_en = StringField("English title", validators=[limit(Measure, "title_en")])
    short_name = StringField("Short name", validators=[limit(Measure, "short_name")])
    type = SelectField(
        "Type",
        choices=[BLANK, *options(MeasureType.choices())],
        validators=[InputRequired("Choose the type.")],
    )
    issuing_body = StringField("Issuing body", validators=[limit(Measure, "issuing_body")])
    status = SelectField(
        "Status",
        choices=[BLANK, *options(MeasureStatus.choices())],
        validators=[InputRequired("Choose the status.")],
    )
    status_note = TextAreaField("Status note", validators=[cap(NOTE_MAX)], render_kw={"rows": 2})
    official_identifier = StringField(
        "Official identifier", validators=[limit(Measure, "official_identifier")]
    )
    official_url = URLField(
        "Official web address", validators=[limit(Measure, "official_url"), http_url]
    )
    description = TextAreaField(
        "Description", validators=[cap(DESCRIPTION_MAX)], render_kw={"rows": 6}
    )
    verification = SelectField(
        "Verification",
        choices=options(Verification.choices()),
        default=Verification.UNVERIFIED.value,
        validators=[InputRequired("Choose how the measure was verified.")],
    )
    verification_note = TextAreaField(
        "Verification note", validators=[cap(NOTE_MAX)], render_kw={"rows": 2}
    )
    topics = MultiCheckboxField("Supply-chain topics", choices=[])

    events = FieldList(FormField(EventRow), max_entries=MAX_ROWS)
    sources = FieldList(FormField(SourceRow), max_entries=MAX_ROWS)
    relations = FieldList(FormField(RelationRow), max_entries=MAX_ROWS)
    mappings = FieldList(FormField(MappingRow), max_entries=MAX_ROWS)
    implementations = FieldList(
        FormField(ImplementationRow), label="Implements", max_entries=MAX_ROWS
    )

    SECTIONS = SECTIONS

    def __init__(self, *args: Any, mapping_rules: bool = True, **kwargs: Any) -> None:
        #: the editor shows the mapping publication rules next to the fields; a spreadsheet
        #: import makes working copies of existing data and leaves them to publication
        self.mapping_rules = mapping_rules
        super().__init__(*args, **kwargs)

    def set_choices(self) -> None:
        self.jurisdiction_code.choices = self.choices.jurisdictions
        self.topics.choices = self.choices.topics

    def row_choices(self, section: str, row: Form) -> None:
        if section == "relations":
            row.target.choices = self.choices.measures
        elif section == "events":
            row.successor.choices = self.choices.measures
        elif section == "mappings":
            row.target.choices = self.choices.mapping_targets
        elif section == "implementations":
            row.target.choices = implementation_row_choices(self.choices, row.target.data)

    def blank_rows(self, new: bool) -> dict[str, int]:
        return BLANK_ROWS_NEW if new else BLANK_ROWS_EDIT

    # Cross-field checks: each message lands next to the field it is about.

    def check(self) -> None:
        self._check_events()
        self.check_source_titles()
        self._check_relations()
        for row in self.rows("mappings"):
            self._check_mapping(row)
        check_implementations(self.rows("implementations"), self.fail)
        self._check_event_order()

    def _check_events(self) -> None:
        for row in self.rows("events"):
            if not row.kind.data:
                self.fail(row.kind, "Choose what happened on this date.")
            if not (row.date.data or "").strip():
                self.fail(row.date, "Give the date as YYYY-MM-DD, YYYY-MM or YYYY.")

    def _check_relations(self) -> None:
        """A relation names its kind and the other measure, once."""
        seen = set()
        for row in self.rows("relations"):
            if not row.kind.data:
                self.fail(row.kind, "Choose how the measures are related.")
            if not row.target.data:
                self.fail(row.target, "Choose the other measure.")
            elif (row.kind.data, row.target.data) in seen:
                self.fail(row.target, "This relation is listed twice.")
            seen.add((row.kind.data, row.target.data))

    def _check_mapping(self, row: RowForm) -> None:
        """A mapping names its norm or commitment and its basis; with ``mapping_rules``, the
        publication rules for mappings too, next to the fields they concern."""
        if not row.target.data:
            self.fail(row.target, "Choose the norm or commitment this measure implements.")
        if not row.basis.data:
            self.fail(row.basis, "Say whether the measure names it or it is an inference.")
        if row.target.data and self.mapping_rules:
            data = {
                "norm": row.target.data.partition(":")[2],
                "locator": _text(row.locator.data),
                "whole_instrument": bool(row.whole_instrument.data),
                "rationale": _text(row.rationale.data),
            }
            for _i, name, message in services.mapping_problems([data]):
                self.fail(row[name], message.split(": ", 1)[1])

    def _check_event_order(self) -> None:
        """Events in an order that can happen (once every event has a kind and a valid date)."""
        rows = self.rows("events")
        if all(not r.kind.errors and not r.date.errors for r in rows):
            events = [{"kind": r.kind.data, "date": r.date.data.strip()} for r in rows]
            for index, message in services.event_order_problems(events):
                self.fail(rows[index].date, message)

    # Conversion to and from snapshots.

    def to_data(self) -> dict[str, Any]:
        """The submitted content as a snapshot dict (see services.snapshot)."""
        data: dict[str, Any] = {
            name: _text(getattr(self, name).data) for name in services.SCALAR_FIELDS
        }
        data["title_lang"] = (data["title_lang"] or "en").strip()
        order = [c.value for c in self.choices.topics]
        chosen = set(self.topics.data or [])
        data["topics"] = [slug for slug in order if slug in chosen]

        events = []
        for r in self.rows("events"):
            date, precision = parse_partial_date(r.date.data)
            events.append(
                {
                    "kind": r.kind.data,
                    "date": partial_date_text(date, precision),
                    "stage": _text(r.stage.data),
                    "note": _text(r.note.data),
                    "successor_record_id": int(r.successor.data) if r.successor.data else None,
                    "successor_key": None,
                }
            )
        events.sort(key=lambda e: parse_partial_date(e["date"])[0])
        data["events"] = events
        data["sources"] = [
            {
                "url": _text(r.url.data),
                "title": r.title.data.strip(),
                "accessed": _text(r.accessed.data),
                "staff_note": _text(r.staff_note.data),
            }
            for r in self.rows("sources")
        ]
        data["relations"] = [
            {
                "kind": r.kind.data,
                "target_record_id": int(r.target.data),
                "target_key": None,
                "note": _text(r.note.data),
            }
            for r in self.rows("relations")
        ]
        mappings = []
        for r in self.rows("mappings"):
            kind, _, key = r.target.data.partition(":")
            mappings.append(
                {
                    "norm": key if kind == "norm" else None,
                    "commitment": key if kind == "commitment" else None,
                    "locator": _text(r.locator.data),
                    "whole_instrument": bool(r.whole_instrument.data),
                    "rationale": _text(r.rationale.data),
                    "basis": r.basis.data or MappingBasis.INFERRED.value,
                }
            )
        data["mappings"] = mappings
        data["implementations"] = implementations_data(self.rows("implementations"))
        return data


def form_data(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot as the ``data`` of a MeasureForm (for an edit form)."""
    data = field_texts(snapshot, services.SCALAR_FIELDS)
    data["topics"] = list(snapshot.get("topics", []))
    data["events"] = [
        {
            "kind": e["kind"],
            "date": e["date"],
            "stage": e.get("stage") or "",
            "note": e.get("note") or "",
            "successor": str(e["successor_record_id"]) if e.get("successor_record_id") else "",
        }
        for e in snapshot.get("events", [])
    ]
    data["sources"] = [
        field_texts(s, ("title", "url", "accessed", "staff_note"))
        for s in snapshot.get("sources", [])
    ]
    data["relations"] = [
        {
            "kind": r["kind"],
            "target": str(r.get("target_record_id") or ""),
            "note": r.get("note") or "",
        }
        for r in snapshot.get("relations", [])
    ]
    data["mappings"] = [
        {
            "target": f"norm:{m['norm']}" if m.get("norm") else f"commitment:{m.get('commitment')}",
            "locator": m.get("locator") or "",
            "whole_instrument": bool(m.get("whole_instrument")),
            "rationale": m.get("rationale") or "",
            "basis": m.get("basis") or MappingBasis.INFERRED.value,
        }
        for m in snapshot.get("mappings", [])
    ]
    data["implementations"] = implementations_form_data(snapshot.get("implementations", []))
    return data
