"""The policy paper editor form: metadata, authors, sources and numbered recommendations.

Rows work without JavaScript (see tracker.records.forms). A recommendation row carries
the recommendation's identity in a hidden field, so that editing its number or text
keeps the links from measures that implement it (see tracker.papers.models).
``to_data`` returns a snapshot that ``services.apply`` writes.
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
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from tracker.extensions import db
from tracker.modelbase import Verification, parse_partial_date, partial_date_text
from tracker.norms.models import Commitment, CommitmentKind, Norm, Topic
from tracker.papers.models import (
    Paper,
    PaperAuthor,
    PaperRecommendation,
    PaperSource,
    Recommendation,
)
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
from tracker.workinggroups.models import WorkingGroup

ABSTRACT_MAX = 20_000
NOTE_MAX = 2_000
RECOMMENDATION_MAX = 10_000


class AuthorRow(RowForm):
    significant = ("name", "affiliation")
    name = StringField("Name", validators=[limit(PaperAuthor, "name")])
    affiliation = StringField("Affiliation", validators=[limit(PaperAuthor, "affiliation")])


class SourceRow(RowForm):
    significant = ("title", "url", "accessed")
    title = StringField("Title", validators=[limit(PaperSource, "title")])
    url = URLField("Web address", validators=[limit(PaperSource, "url"), http_url])
    accessed = StringField(
        "Accessed",
        validators=[full_date_not_future],
        render_kw={"placeholder": "YYYY-MM-DD", "size": 11},
    )


class RecommendationRow(RowForm):
    significant = ("number", "text", "addressee", "norms", "commitments", "topics")
    #: the recommendation's identity (empty for a new one)
    identity = HiddenField()
    number = StringField(
        "Number", validators=[limit(PaperRecommendation, "number")], render_kw={"size": 6}
    )
    text = TextAreaField(
        "Text of the recommendation", validators=[cap(RECOMMENDATION_MAX)], render_kw={"rows": 3}
    )
    addressee = StringField(
        "Addressed to",
        validators=[limit(PaperRecommendation, "addressee")],
        render_kw={"placeholder": "e.g. national governments"},
    )
    norms = MultiCheckboxField("Norms", choices=[])
    commitments = SelectMultipleField("Commitments", choices=[], render_kw={"size": 5})
    topics = MultiCheckboxField("Topics", choices=[])


@dataclass
class Choices:
    working_groups: list[SelectChoice]
    norms: list[SelectChoice]
    commitments: list[SelectChoice]
    topics: list[SelectChoice]
    #: recommendation identities that belong to the paper being edited
    own_ids: set[int]


def load_choices(record: Record | None) -> Choices:
    groups = [
        BLANK,
        *options(
            db.session.execute(
                sa.select(WorkingGroup.key, WorkingGroup.name).order_by(WorkingGroup.name)
            )
        ),
    ]
    norms = options(
        (n.letter, f"({n.letter}) {n.short_title}")
        for n in db.session.scalars(sa.select(Norm).order_by(Norm.letter))
    )
    commitments = []
    rows = db.session.scalars(sa.select(Commitment).order_by(Commitment.id))
    by_kind: dict[CommitmentKind, list[Commitment]] = {}
    for c in rows:
        by_kind.setdefault(c.kind, []).append(c)
    for kind, items in by_kind.items():
        commitments += [SelectChoice(c.key, c.title, optgroup=kind.label) for c in items]
    topics = options(db.session.execute(sa.select(Topic.slug, Topic.name).order_by(Topic.position)))
    own: set[int] = set()
    if record is not None:
        own = set(
            db.session.scalars(
                sa.select(Recommendation.id).where(Recommendation.record_id == record.id)
            )
        )
    return Choices(groups, norms, commitments, topics, own)


class PaperForm(RecordForm):
    SECTIONS = ("authors", "recommendations", "sources")

    title = StringField(
        "Title", validators=[InputRequired("Give the paper's title."), limit(Paper, "title")]
    )
    working_group = SelectField("Working group", choices=[])
    publication_date = StringField(
        "Publication date",
        validators=[partial_date, partial_date_not_future, cap(10)],
        render_kw={"placeholder": "YYYY-MM-DD", "inputmode": "numeric", "size": 11},
    )
    abstract = TextAreaField("Abstract", validators=[cap(ABSTRACT_MAX)], render_kw={"rows": 6})
    url = URLField("Web address of the full text", validators=[limit(Paper, "url"), http_url])
    verification = SelectField(
        "Verification",
        choices=options(Verification.choices()),
        default=Verification.UNVERIFIED.value,
        validators=[InputRequired("Choose how the paper was verified.")],
    )
    verification_note = TextAreaField(
        "Verification note", validators=[cap(NOTE_MAX)], render_kw={"rows": 2}
    )

    authors = FieldList(FormField(AuthorRow), label="Authors", max_entries=MAX_ROWS)
    recommendations = FieldList(
        FormField(RecommendationRow), label="Recommendations", max_entries=MAX_ROWS
    )
    sources = FieldList(FormField(SourceRow), label="Sources", max_entries=MAX_ROWS)

    def set_choices(self) -> None:
        self.working_group.choices = self.choices.working_groups

    def row_choices(self, section: str, row: Form) -> None:
        if section == "recommendations":
            row.norms.choices = self.choices.norms
            row.commitments.choices = self.choices.commitments
            row.topics.choices = self.choices.topics

    def check(self) -> None:
        for row in self.rows("authors"):
            if not (row.name.data or "").strip():
                self.fail(row.name, "Give the author's name (an affiliation alone is not enough).")
        numbers: set[str] = set()
        for row in self.rows("recommendations"):
            number = (row.number.data or "").strip()
            if not number:
                self.fail(row.number, "Give the number the paper prints, e.g. 3 or 2.1.")
            elif number in numbers:
                self.fail(row.number, f"Recommendation {number} is listed twice.")
            numbers.add(number)
            if not (row.text.data or "").strip():
                self.fail(row.text, "Give the text of the recommendation as the paper words it.")
        for row in self.rows("sources"):
            if not (row.title.data or "").strip():
                self.fail(
                    row.title, "Give the source a title (the web address alone is not enough)."
                )
        # A source opened before the paper existed cannot show it.
        if self.publication_date.data and not self.publication_date.errors:
            start, _end = period(self.publication_date.data.strip())
            for row in self.rows("sources"):
                accessed = (row.accessed.data or "").strip()
                if accessed and not row.accessed.errors and dt.date.fromisoformat(accessed) < start:
                    self.fail(
                        row.accessed,
                        "This is before the paper was published "
                        f"({self.publication_date.data.strip()}).",
                    )

    def _identity(self, raw: str | None, seen: set[int]) -> int | None:
        """The row's recommendation identity, if it really is one of this paper's (once)."""
        try:
            value = int(str(raw))
        except (TypeError, ValueError):
            return None
        if value not in self.choices.own_ids or value in seen:
            return None
        seen.add(value)
        return value

    def to_data(self) -> dict[str, Any]:
        date = text_or_none(self.publication_date.data)
        if date:
            date = partial_date_text(*parse_partial_date(date))
        seen: set[int] = set()
        return {
            "title": self.title.data.strip(),
            "working_group": text_or_none(self.working_group.data),
            "publication_date": date,
            "abstract": text_or_none(self.abstract.data),
            "url": text_or_none(self.url.data),
            "verification": self.verification.data,
            "verification_note": text_or_none(self.verification_note.data),
            "authors": [
                {"name": r.name.data.strip(), "affiliation": text_or_none(r.affiliation.data)}
                for r in self.rows("authors")
            ],
            "sources": [
                {
                    "url": text_or_none(r.url.data),
                    "title": r.title.data.strip(),
                    "accessed": text_or_none(r.accessed.data),
                }
                for r in self.rows("sources")
            ],
            "recommendations": [
                {
                    "id": self._identity(r.identity.data, seen),
                    "number": r.number.data.strip(),
                    "text": r.text.data.strip(),
                    "addressee": text_or_none(r.addressee.data),
                    "norms": list(r.norms.data or []),
                    "commitments": list(r.commitments.data or []),
                    "topics": list(r.topics.data or []),
                }
                for r in self.rows("recommendations")
            ],
        }


def form_data(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot as the ``data`` of a PaperForm (for an edit form)."""
    return {
        "title": snapshot.get("title") or "",
        "working_group": snapshot.get("working_group") or "",
        "publication_date": snapshot.get("publication_date") or "",
        "abstract": snapshot.get("abstract") or "",
        "url": snapshot.get("url") or "",
        "verification": snapshot.get("verification") or Verification.UNVERIFIED.value,
        "verification_note": snapshot.get("verification_note") or "",
        "authors": [
            {"name": a["name"], "affiliation": a.get("affiliation") or ""}
            for a in snapshot.get("authors", [])
        ],
        "sources": [
            {
                "title": s.get("title") or "",
                "url": s.get("url") or "",
                "accessed": s.get("accessed") or "",
            }
            for s in snapshot.get("sources", [])
        ],
        "recommendations": [
            {
                "identity": str(r["id"]) if r.get("id") is not None else "",
                "number": r.get("number") or "",
                "text": r.get("text") or "",
                "addressee": r.get("addressee") or "",
                "norms": list(r.get("norms", [])),
                "commitments": list(r.get("commitments", [])),
                "topics": list(r.get("topics", [])),
            }
            for r in snapshot.get("recommendations", [])
        ],
    }
