"""What every record editor form shares: the version carried for optimistic locking,
repeatable rows without JavaScript, errors listed in page order, and the field helpers
(length limits, dates, option lists) the kinds' forms build on.

The measure, paper and attribution forms subclass ``RecordForm``; the generic editor
(tracker.records.editing) needs nothing else from them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, HiddenField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.modelbase import DatePrecision, parse_partial_date
from tracker.validators import http_url  # noqa: F401  (re-exported for the kinds' forms)

BLANK = SelectChoice("", "—")
#: rows a form may hold, so that a crafted request cannot make the page enormous
MAX_ROWS = 100


def limit(model: Any, column: str) -> Length:
    """A Length validator matching the column's size."""
    size = model.__table__.c[column].type.length
    return Length(max=size, message=f"Use at most {size} characters (this has %(length)d).")


def cap(size: int) -> Length:
    return Length(max=size, message=f"Use at most {size} characters.")


_ISO_SHAPED = re.compile(r"\d{4}(-\d{1,2}){0,2}")
_DAY_FIRST = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")


def date_problem(value: str, formats: str = "YYYY-MM-DD, YYYY-MM or YYYY") -> str:
    """Why ``value`` is not read as a date, and the format expected."""
    write = f"Write {formats}, e.g. 2024-03-15."
    if _ISO_SHAPED.fullmatch(value):
        return f"{value!r} is not a real date. {write}"
    day_first = _DAY_FIRST.fullmatch(value)
    if day_first:
        day, month, year = (int(g) for g in day_first.groups())
        try:
            iso = f" ({dt.date(year, month, day).isoformat()})"
        except ValueError:
            iso = ""
        return (
            f"{value!r} looks like a day-month-year date: dates are written year first, "
            f"{formats}{iso}."
        )
    return f"{value!r} is not in a date format this form reads. {write}"


def partial_date(_form: Any, field: Any) -> None:
    value = (field.data or "").strip()
    if not value:
        return
    try:
        date, _precision = parse_partial_date(value)
    except ValueError:
        raise ValidationError(date_problem(value)) from None
    if not 1900 <= date.year <= 2100:
        raise ValidationError("Give a year between 1900 and 2100.")


def full_date_not_future(_form: Any, field: Any) -> None:
    value = (field.data or "").strip()
    if not value:
        return
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(date_problem(value, "YYYY-MM-DD")) from None
    if date > dt.date.today():
        raise ValidationError("The access date cannot be in the future.")
    if date.year < 1990:
        raise ValidationError("Give the date you last opened the source.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def options(pairs: Any) -> list[SelectChoice]:
    """(value, label) pairs as WTForms SelectChoices."""
    return [SelectChoice(value, label) for value, label in pairs]


class RowForm(Form):
    remove = BooleanField("Remove this row")
    #: fields that make a row non-blank when filled in
    significant: tuple[str, ...] = ()

    @property
    def skipped(self) -> bool:
        blank = all(not (str(self[name].data or "")).strip() for name in self.significant)
        return blank or bool(self.remove.data)


#: blank rows shown per section on a new form, and below existing rows on an edit form
BLANK_NEW = 2
BLANK_EDIT = 1


def text_or_none(value: Any) -> str | None:
    value = (str(value) if value is not None else "").strip()
    return value or None


def field_texts(snapshot: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The named values of a snapshot as form data, "" where one is missing or empty (the way
    back from :func:`text_or_none`)."""
    return {name: snapshot.get(name) or "" for name in names}


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

    def blank_rows(self, new: bool) -> dict[str, int]:
        """Blank rows to show per section: on a new form, or below the rows of an edit."""
        return {s: BLANK_NEW if new else BLANK_EDIT for s in self.SECTIONS}

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

    def check_source_titles(self) -> None:
        """Every source row kept has a title (for kinds with a "sources" section)."""
        for row in self.rows("sources"):
            if not (row.title.data or "").strip():
                self.fail(
                    row.title, "Give the source a title (the web address alone is not enough)."
                )

    def has_errors(self) -> bool:
        return bool(self.problems()) or bool(self.csrf_token.errors if self.meta.csrf else False)

    def field_errors(self) -> Iterator[tuple[Any, int | None, Any, str]]:
        """Every error message, in page order, as (section, row number, field, message); a
        field outside the row sections is its own section, with row None. Rows that are
        blank or removed are left out, and so is the CSRF token."""
        for field in self:
            if field.type == "FieldList":
                for i, entry in enumerate(field.entries, start=1):
                    if not entry.form.skipped:
                        for sub in entry.form:
                            yield from ((field, i, sub, e) for e in sub.errors)
            elif field.type != "CSRFTokenField":
                messages = [e for e in field.errors or [] if isinstance(e, str)]
                yield from ((field, None, field, e) for e in messages)

    def problems(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) of every error, in page order, for the summary."""
        return [
            (
                field.id,
                field.label.text
                if row is None
                else f"{section.label.text}, row {row}, {field.label.text}",
                message,
            )
            for section, row, field, message in self.field_errors()
        ]

    def to_data(self) -> dict[str, Any]:  # pragma: no cover - every kind defines it
        raise NotImplementedError
