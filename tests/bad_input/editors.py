"""The three record editors (measures, papers, attribution statements) described once, so
that each bad-input test runs against all of them, and helpers to post their real forms.

Text fields and their limits are read from the form classes, not listed by hand: a field
added to a form is covered by the suite without anyone remembering to add it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from wtforms import FieldList, FormField, HiddenField, StringField, TextAreaField, URLField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

from tests.pages import as_data, form_fields, replace
from tracker.attribution.forms import AttributionEditForm
from tracker.extensions import db
from tracker.measures.forms import MeasureForm
from tracker.papers.forms import PaperForm
from tracker.records.models import Record, RecordKind, Revision

MEASURE_NEW: dict[str, Any] = {
    "jurisdiction_code": "DE",
    "title_original": "Testgesetz über die Lieferkette",
    "title_lang": "de",
    "short_name": "TestG",
    "type": "law",
    "status": "adopted",
    "verification": "unverified",
    "events-0-kind": "adopted",
    "events-0-date": "2024-03",
    "sources-0-title": "Example gazette",
    "sources-0-url": "https://example.org/gazette",
    "sources-0-accessed": "2024-04-02",
    "mappings-0-target": "norm:i",
    "mappings-0-locator": "Art. 1",
    "mappings-0-rationale": "Sets supply-chain security duties.",
    "mappings-0-basis": "inferred",
}
PAPER_NEW: dict[str, Any] = {
    "title": "Test paper on supply-chain assurance",
    "publication_date": "2024-05",
    "url": "https://example.org/papers/assurance",
    "verification": "secondary",
    "authors-0-name": "Test Author",
    "recommendations-0-number": "1",
    "recommendations-0-text": "Test recommendation: publish a vulnerability disclosure policy.",
    "sources-0-title": "Example source",
    "sources-0-url": "https://example.org/papers/assurance",
    "sources-0-accessed": "2024-06-01",
}
ATTRIBUTION_NEW: dict[str, Any] = {
    "date": "2019-06",
    "operation": "Test operation Form-made",
    "statements-0-parties": ["NO", "IS"],
    "attributed_actor": "Test actor of the form",
    "attributed_state": "AQ",
    "forms": ["statement"],
    "verification": "unverified",
    "sources-0-title": "Example statement",
    "sources-0-url": "https://example.org/statement",
    "sources-0-accessed": "2019-07-01",
}


@dataclass(frozen=True)
class Editor:
    name: str
    kind: RecordKind
    prefix: str
    form: type
    new_values: dict[str, Any]
    #: the scalar date fields and the date fields of row 0 of each section
    date_fields: tuple[str, ...]
    #: the field holding the record's title, to find it on pages and in lists
    title_field: str

    @property
    def new_path(self) -> str:
        return f"{self.prefix}/new"

    def edit_path(self, record_id: int) -> str:
        return f"{self.prefix}/{record_id}/edit"

    def history_path(self, record_id: int) -> str:
        return f"{self.prefix}/{record_id}/history"

    def record_path(self, record_id: int) -> str:
        """Where a save lands: the record's page, showing the working copy."""
        return f"{self.prefix}/{record_id}?drafts=1"

    def text_fields(self) -> dict[str, int | None]:
        return text_fields(self.form)

    def url_fields(self) -> list[str]:
        return [name for name, (cls, _) in _walk(self.form) if issubclass(cls, URLField)]

    def __str__(self) -> str:
        return self.name


MEASURES = Editor(
    "measures",
    RecordKind.MEASURE,
    "/measures",
    MeasureForm,
    MEASURE_NEW,
    ("events-0-date", "sources-0-accessed"),
    "title_original",
)
PAPERS = Editor(
    "papers",
    RecordKind.PAPER,
    "/papers",
    PaperForm,
    PAPER_NEW,
    ("publication_date", "sources-0-accessed"),
    "title",
)
ATTRIBUTIONS = Editor(
    "attributions",
    RecordKind.ATTRIBUTION,
    "/attributions",
    AttributionEditForm,
    ATTRIBUTION_NEW,
    ("date", "statements-0-date", "sources-0-accessed"),
    "operation",
)
EDITORS = (MEASURES, PAPERS, ATTRIBUTIONS)


def _walk(form_cls: type, prefix: str = "") -> list[tuple[str, tuple[type, dict[str, Any]]]]:
    """(name as posted, (field class, keyword arguments)) of every field of a form class;
    repeatable rows appear once, as row 0."""
    out = []
    for klass in reversed(form_cls.__mro__):
        for name, value in vars(klass).items():
            if not isinstance(value, UnboundField):
                continue
            out = [item for item in out if item[0] != prefix + name]
            if issubclass(value.field_class, FieldList):
                row = value.args[0]
                assert issubclass(row.field_class, FormField)
                out += _walk(row.args[0], f"{prefix}{name}-0-")
            else:
                out.append((prefix + name, (value.field_class, value.kwargs)))
    return out


def text_fields(form_cls: type) -> dict[str, int | None]:
    """Every free-text field of the form (name as posted -> its maximum length, or None)."""
    fields: dict[str, int | None] = {}
    for name, (cls, kwargs) in _walk(form_cls):
        if not issubclass(cls, (StringField, TextAreaField)) or issubclass(cls, HiddenField):
            continue
        lengths = [
            v.max
            for v in kwargs.get("validators", [])
            if isinstance(v, Length) and v.max and v.max > 0
        ]
        fields[name] = min(lengths) if lengths else None
    return fields


# --- Posting the real forms ----------------------------------------------------------------


def open_form(client: Any, path: str) -> list[tuple[str, str]]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return form_fields(response.get_data(as_text=True), path)


def post(client: Any, path: str, fields: list[tuple[str, str]], **values: Any) -> Any:
    return client.post(path, data=as_data(replace(fields, **values)))


def post_new(client: Any, editor: Editor, **values: Any) -> Any:
    """Open the editor's new form and submit it with its valid values plus ``values``."""
    values = {k.replace("__", "-"): v for k, v in values.items()}
    return post(
        client,
        editor.new_path,
        open_form(client, editor.new_path),
        **{**editor.new_values, **values},
    )


def errors_of(html: str, field_id: str) -> str:
    """The error list rendered right after a field (empty string when none)."""
    marker = f'id="{field_id}-errors"'
    if marker not in html:
        return ""
    start = html.index(marker)
    return html[start : html.index("</ul>", start)]


def record_id_of(response: Any) -> int:
    """The record a create or edit redirected to (/<kind>/<id>?drafts=1)."""
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].split("/")[2].split("?")[0])


def state(app: Any) -> tuple[Any, ...]:
    """Everything a save could write: records (version, deletion) and revisions."""
    with app.app_context():
        return (
            db.session.execute(
                sa.select(Record.id, Record.version, Record.deleted_at).order_by(Record.id)
            ).all(),
            db.session.scalar(sa.select(sa.func.count()).select_from(Revision)),
        )


def count(app: Any, kind: RecordKind) -> int:
    with app.app_context():
        return (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Record).where(Record.kind == kind)
            )
            or 0
        )
