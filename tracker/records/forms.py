"""What every record editor form shares: the version carried for optimistic locking,
repeatable rows without JavaScript, and errors listed in page order.

The generic form of the parts of tracker/measures/forms.py's ``MeasureForm`` that are
not about measures; the paper and attribution forms build on it. Field validators
and row forms are reused from the measure form module.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Form, HiddenField
from wtforms.validators import ValidationError

from tracker.db import DatePrecision, parse_partial_date
from tracker.measures.forms import (  # noqa: F401  (re-exported for the kinds' forms)
    BLANK,
    MAX_ROWS,
    MultiCheckboxField,
    RowForm,
    cap,
    full_date_not_future,
    limit,
    options,
    partial_date,
)
from tracker.validators import http_url  # noqa: F401  (re-exported for the kinds' forms)

#: blank rows shown per section on a new form, and below existing rows on an edit form
BLANK_NEW = 2
BLANK_EDIT = 1


def text_or_none(value: Any) -> str | None:
    value = (str(value) if value is not None else "").strip()
    return value or None


def period(text: str) -> tuple[dt.date, dt.date]:
    """First and last day a partial date may stand for ('2024-03' -> 1 to 31 March 2024)."""
    start, precision = parse_partial_date(text)
    if precision is DatePrecision.YEAR:
        return start, dt.date(start.year, 12, 31)
    if precision is DatePrecision.MONTH:
        following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return start, following - dt.timedelta(days=1)
    return start, start


def partial_date_not_future(_form: Any, field: Any) -> None:
    """A partial date (see ``partial_date``) that may not lie wholly after today."""
    value = (field.data or "").strip()
    if not value:
        return
    try:
        start, _end = period(value)
    except ValueError:
        return  # partial_date reports it
    if start > dt.date.today():
        raise ValidationError("This date is in the future. Give the date it actually happened.")


class RecordForm(FlaskForm):
    """Base of the record editor forms. Subclasses list their row sections in ``SECTIONS``,
    set row choices in ``row_choices`` and add cross-field checks in ``check``."""

    #: the record version the editor started from (optimistic locking)
    version = HiddenField()
    #: the revision the editor started from (tells the conflict page who changed what)
    base_revision = HiddenField()
    #: one-time token of a new-record form (tracker.records.submissions)
    submission = HiddenField("This form")

    SECTIONS: tuple[str, ...] = ()

    def __init__(self, *args: Any, choices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        self.set_choices()
        for section in self.SECTIONS:
            for entry in getattr(self, section):
                self.row_choices(section, entry.form)

    def set_choices(self) -> None:
        """Give the form's own select fields their options (called once the data is in)."""

    def row_choices(self, section: str, row: Form) -> None:
        """Give one row's select fields their options."""

    def add_rows(self, counts: dict[str, int]) -> None:
        for section, n in counts.items():
            field = getattr(self, section)
            for _ in range(n):
                if len(field.entries) >= MAX_ROWS:
                    break
                self.row_choices(section, field.append_entry().form)

    def add_row_requested(self, section: str | None) -> bool:
        """The editor pressed "Add another ...": one more blank row, no validation."""
        if section in self.SECTIONS:
            self.add_rows({section: 1})
            return True
        return False

    def rows(self, section: str) -> list[RowForm]:
        return [entry.form for entry in getattr(self, section) if not entry.form.skipped]

    @staticmethod
    def fail(field: Any, message: str) -> None:
        field.errors.append(message)

    def validate(self, extra_validators: Any = None) -> bool:
        super().validate(extra_validators)
        # Rows that are blank or ticked "Remove" are dropped, so they carry no errors.
        for section in self.SECTIONS:
            for entry in getattr(self, section):
                if entry.form.skipped:
                    for sub in entry.form:
                        sub.errors = []
        self.check()
        return not self.has_errors()

    def check(self) -> None:
        """Cross-field checks; each message lands next to the field it is about (``fail``)."""

    def has_errors(self) -> bool:
        return bool(self.problems()) or bool(self.csrf_token.errors if self.meta.csrf else False)

    def problems(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) of every error, in page order, for the summary."""
        out: list[tuple[str, str, str]] = []
        for field in self:
            if field.type == "FieldList":
                for i, entry in enumerate(field.entries, start=1):
                    if entry.form.skipped:
                        continue
                    for sub in entry.form:
                        out.extend(
                            (sub.id, f"{field.label.text}, row {i}, {sub.label.text}", e)
                            for e in sub.errors
                        )
            elif field.type != "CSRFTokenField":
                out.extend(
                    (field.id, field.label.text, e)
                    for e in field.errors or []
                    if isinstance(e, str)
                )
        return out

    def to_data(self) -> dict[str, Any]:  # pragma: no cover - every kind defines it
        raise NotImplementedError
