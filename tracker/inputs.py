"""Text as it enters the tracker, normalised once at the edge (issue 15 item 1).

Every text value of every form (each field of every ``FlaskForm``, rows of ``FieldList``
included), every cell of a CSV or XLSX import and every text value of a CLI loader goes
through ``clean``:

- line breaks become ``\\n`` (CR LF and a lone CR, as browsers and spreadsheets send them);
- Unicode is NFC-normalised ("e" + combining acute accent is stored as "é"), so the same
  words compare, search and sort alike whatever keyboard typed them;
- C0 and C1 control characters other than tab and newline are refused with a message that
  names the character ("contains a control character (U+000B LINE TABULATION)"). They show as
  empty boxes in PDFs, go out raw in RIS and BibTeX, and XML cannot carry them at all: a
  published title with a vertical tab took ``/changes.atom`` down for everyone.

Forms: ``init_app`` registers a ``before_request`` hook that normalises ``request.form``
before any view or form reads it. A value holding a control character, in a form sent from one
of the tracker's pages (it carries a CSRF token), loses the character and the field is noted:
the form's validation then fails with an error next to that field naming the character, and
the page comes back with what was typed (a commit while a noted field was not reported by a
form is refused with 400, and so is the response of a request whose noted field no form
reported: nothing is saved or followed either way). Any other request (no CSRF token)
is answered 400 naming the field and the character. Passwords pass unchanged (normalising one
would change what is hashed), and so does the CSRF token.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, has_request_context, request
from flask_wtf import FlaskForm
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest

#: characters allowed below U+0020 and in C1
ALLOWED_CONTROLS = {"\t", "\n"}
#: names Unicode gives no name to (control characters have aliases only)
CONTROL_NAMES = {
    0x00: "NULL",
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x0B: "LINE TABULATION",
    0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
    0x85: "NEXT LINE",
    0x9B: "CONTROL SEQUENCE INTRODUCER",
}
#: form fields passed through unchanged
UNTOUCHED_FIELDS = ("password", "csrf_token")


class ControlCharacterError(ValueError):
    """A text value holds a control character; the message names it."""


def is_control(char: str) -> bool:
    code = ord(char)
    return (code < 0x20 or 0x7F <= code <= 0x9F) and char not in ALLOWED_CONTROLS


def character_name(char: str) -> str:
    """ "U+000B LINE TABULATION": the code point and its name (or alias, for controls)."""
    code = ord(char)
    name = CONTROL_NAMES.get(code) or unicodedata.name(char, "")
    if not name:
        name = "C0 CONTROL" if code < 0x20 else "C1 CONTROL"
    return f"U+{code:04X} {name}"


def control_character_problem(value: str) -> str | None:
    """ "contains a control character (U+000B LINE TABULATION)", or None."""
    for char in value:
        if is_control(char):
            return f"contains a control character ({character_name(char)})"
    return None


def clean(value: str) -> str:
    """``value`` with line breaks as LF and in NFC; ControlCharacterError for a control
    character other than tab and newline."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    problem = control_character_problem(text)
    if problem:
        raise ControlCharacterError(problem)
    return unicodedata.normalize("NFC", text)


def clean_data(value: Any) -> Any:
    """``clean`` applied to every string in a loaded structure (lists, dicts)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [clean_data(v) for v in value]
    if isinstance(value, dict):
        return {k: clean_data(v) for k, v in value.items()}
    return value


CONTROL_MESSAGE = (
    "The field {field!r} {problem}, which cannot be saved (it usually comes with text pasted "
    "from a PDF or a word processor). Nothing was saved. Go back, remove it, and save again."
)


def _label(name: str) -> str:
    # "events-0-note" -> "events-0-note"; shown as sent so that the editor can find the field.
    return name[:80]


def clean_request_form() -> None:
    """Normalise the submitted form before any view reads it (a ``before_request`` hook)."""
    if request.method not in ("POST", "PUT", "PATCH") or not request.mimetype.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        return
    cleaned: list[tuple[str, str]] = []
    changed = False
    for name, value in request.form.items(multi=True):
        if name.startswith(UNTOUCHED_FIELDS) or name.endswith(UNTOUCHED_FIELDS):
            cleaned.append((name, value))
            continue
        try:
            new = clean(value)
        except ControlCharacterError as exc:
            if "csrf_token" not in request.form:
                raise BadRequest(CONTROL_MESSAGE.format(field=_label(name), problem=exc)) from None
            # A form of ours: its validation reports the field, with the rest of what was typed.
            problems: dict[str, str] = g.setdefault("control_problems", {})
            problems.setdefault(name, str(exc))
            new = clean("".join(c for c in value if not is_control(c)))
        changed = changed or new != value
        cleaned.append((name, new))
    if changed:
        request.form = ImmutableMultiDict(cleaned)


FIELD_MESSAGE = (
    "This {problem}, which cannot be saved (it usually comes with text pasted from a PDF or a "
    "word processor). It has been taken out below: check the text and save again."
)


def _leaf_fields(form: Any) -> Iterator[Any]:
    for field in form:
        if hasattr(field, "entries"):  # FieldList
            for entry in field.entries:
                yield from _leaf_fields(entry.form) if hasattr(entry, "form") else [entry]
        elif hasattr(field, "form") and hasattr(field.form, "_fields"):  # FormField
            yield from _leaf_fields(field.form)
        else:
            yield field


def _validate_reporting_controls(self: FlaskForm, extra_validators: Any = None) -> bool:
    valid: bool = _plain_validate(self, extra_validators)
    problems: dict[str, str] = g.get("control_problems", {}) if has_request_context() else {}
    if not problems:
        return valid
    reported: set[str] = g.setdefault("control_reported", set())
    for field in _leaf_fields(self):
        # A hidden field cannot show an error: left unreported, the request is refused.
        if field.name in problems and field.type not in ("HiddenField", "CSRFTokenField"):
            field.errors = [*field.errors, FIELD_MESSAGE.format(problem=problems[field.name])]
            reported.add(field.name)
            valid = False
    return valid


_plain_validate = FlaskForm.validate


def _refuse_unreported_commit(_session: Any) -> None:
    """Nothing is saved while a field lost a control character that no form reported."""
    if not has_request_context():
        return
    problems: dict[str, str] = g.get("control_problems", {})
    left = set(problems) - g.get("control_reported", set())
    if left:
        name = sorted(left)[0]
        raise BadRequest(CONTROL_MESSAGE.format(field=_label(name), problem=problems[name]))


def _refuse_unreported(response: Response) -> Response:
    """A request whose control character no form reported (a view that reads the value
    itself, e.g. a redirect target) is refused with 400, as before forms reported them."""
    problems: dict[str, str] = g.get("control_problems", {})
    left = set(problems) - g.get("control_reported", set())
    if not left or response.status_code >= 400:
        return response
    name = sorted(left)[0]
    refusal = BadRequest(CONTROL_MESSAGE.format(field=_label(name), problem=problems[name]))
    return current_app.make_response(current_app.handle_user_exception(refusal))


def init_app(app: Flask) -> None:
    app.before_request(clean_request_form)
    app.after_request(_refuse_unreported)
    if FlaskForm.validate is not _validate_reporting_controls:
        FlaskForm.validate = _validate_reporting_controls
    if not sa.event.contains(sa.orm.Session, "before_commit", _refuse_unreported_commit):
        sa.event.listen(sa.orm.Session, "before_commit", _refuse_unreported_commit)
