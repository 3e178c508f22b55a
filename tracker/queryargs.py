"""Query arguments shared by every list, filter form and API, parsed in one place.

- ``list_arg``: repeated or comma-separated values (``j=DE&j=FR`` or ``j=DE,FR``).
- Whole numbers that arrive in URLs, query strings and form fields. Python's ``str.isdigit``
  is true for "²" and "١" (which ``int`` then refuses or reads), and ``int`` accepts numbers
  no database column can hold: ``/measures/9223372036854775808`` used to reach PostgreSQL and
  fail with a 500. Everything here reads ASCII digits only and bounds the value to what an id
  column holds (ids) or a page bound (pages): ``parse_int`` for a raw string (None when it is
  not a number in range); ``int_arg`` / ``page_arg`` for a query argument (a 400 that says
  why); ``IdConverter``, registered app-wide as the ``int`` URL converter, so every
  ``<int:id>`` route answers 404 for an id the database cannot hold.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

#: largest id the database holds: the id columns are ``Integer``, a 32-bit ``integer`` on
#: PostgreSQL (SQLite's INTEGER holds 64 bits; the smaller bound is the one both accept)
DB_INT_MAX = 2**31 - 1
#: pages beyond this are refused on every list (no list has a million pages)
MAX_PAGE = 1_000_000

ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_int(raw: Any, minimum: int = 0, maximum: int = DB_INT_MAX) -> int | None:
    """``raw`` as an int when it is ASCII digits within [minimum, maximum], else None."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        text = str(raw)
    elif isinstance(raw, str):
        text = raw
    else:
        return None
    if not ASCII_DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def int_arg(name: str, default: int, maximum: int | None = MAX_PAGE, minimum: int = 1) -> int:
    """A whole-number query argument such as ``page``; anything else is a 400 that says why."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    upper = DB_INT_MAX if maximum is None else maximum
    value = parse_int(raw, minimum, upper)
    if value is None:
        raise BadRequest(
            f"Invalid {name} {raw[:20]!r}: give a whole number from {minimum} to {upper} "
            "(digits 0-9 only)."
        )
    return value


def page_arg(name: str = "page") -> int:
    """The page number of a list (1 when absent)."""
    return int_arg(name, 1, MAX_PAGE)


class IdConverter(IntegerConverter):
    """``<int:...>`` limited to what an id column holds: a larger id is a 404."""

    #: ASCII digits only (``\d`` also matches "١" and other scripts' digits)
    regex = r"[0-9]+"

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


class InvalidArgument(ValueError):
    """A query argument the reader gave is malformed or names nothing; the message says why.

    Query functions raise it (they know nothing of HTTP); the web layer answers 400 with the
    message (tracker.web), and a view may catch it to add a suggestion."""


def init_app(app: Flask) -> None:
    """Register the bounded converter before any blueprint adds its rules."""
    app.url_map.converters["int"] = IdConverter


def list_arg(args: Mapping[str, Any], *names: str, spaces: bool = False) -> list[str]:
    """The values of the arguments ``names``, repeated or comma-separated (``j=DE&j=FR`` and
    ``j=DE,FR`` both give ``["DE", "FR"]``), stripped, blanks dropped. With ``spaces``, a
    space separates values too (``j=DE FR``).

    ``args`` is a request's MultiDict or any mapping (a plain dict holds one value a name).
    """
    getlist = getattr(args, "getlist", None)
    out: list[str] = []
    for name in names:
        raw = getlist(name) if getlist else ([args[name]] if name in args else [])
        for item in raw:
            text = str(item).replace(" ", ",") if spaces else str(item)
            out.extend(v.strip() for v in text.split(",") if v.strip())
    return out


def kept_args() -> dict[str, Any]:
    """The current query string as ``url_for`` keyword arguments, every value kept (redirects)."""
    return dict(request.args.to_dict(flat=False))
