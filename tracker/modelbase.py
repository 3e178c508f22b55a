"""Declarative base and column helpers shared by every domain's models."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, registry

# Stable constraint names so that Alembic migrations (and SQLite batch mode) can
# refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dict[str, Any]: sa.JSON, list[Any]: sa.JSON},
    )


def utcnow() -> dt.datetime:
    """Timezone-aware now; used as a column default so it is evaluated per row."""
    return dt.datetime.now(dt.UTC)


def rfc3339(value: dt.datetime | None) -> str | None:
    """A stored timestamp as RFC 3339 with its offset, to the second: '2026-11-27T08:15:00+00:00'.

    Every stored timestamp is UTC, but SQLite returns them naive; an offset-less value
    is not an RFC 3339 date-time (OpenAPI ``format: date-time``), and HTML ``<time>``
    allows at most three fraction digits, so the fraction is dropped everywhere.
    """
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).isoformat(timespec="seconds")


class LabelledEnum(str, enum.Enum):  # noqa: UP042 - members carry a label too
    """A string enum whose members carry a human label for templates and forms."""

    label: str

    def __new__(cls, value: str, label: str | None = None) -> LabelledEnum:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label or value.replace("_", " ").capitalize()
        return obj

    def __str__(self) -> str:
        return self.value

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]

    @classmethod
    def parse(cls, value: str) -> LabelledEnum:
        """Look a member up by value; raises ValueError with the allowed values."""
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(m.value for m in cls)
            raise ValueError(f"{value!r} is not one of: {allowed}") from None


def enum_type(enum_cls: type[enum.Enum], length: int = 32) -> sa.Enum:
    """Store an enum as its value in a VARCHAR with a CHECK, portable across databases."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        validate_strings=True,
        values_callable=lambda e: [m.value for m in e],
        name=enum_cls.__name__.lower(),
    )


class Verification(LabelledEnum):
    #: seen in an official or primary-text copy
    VERIFIED = ("verified", "Verified")
    #: seen only in secondary reproductions (news, law firms, mirrors)
    SECONDARY = ("secondary", "Secondary sources only")
    #: not confirmed in any source
    UNVERIFIED = ("unverified", "Unverified")


class DatePrecision(LabelledEnum):
    DAY = ("day", "Day")
    MONTH = ("month", "Month")
    YEAR = ("year", "Year")


def format_partial_date(value: dt.date | None, precision: DatePrecision | str | None) -> str:
    """Render a date at the precision it is known: '12 May 2021', 'February 2022', '2022'."""
    if value is None:
        return ""
    precision = DatePrecision(precision or "day")
    if precision is DatePrecision.YEAR:
        return f"{value.year}"
    if precision is DatePrecision.MONTH:
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


def parse_partial_date(text: str) -> tuple[dt.date, DatePrecision]:
    """Parse 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY'. Raises ValueError with a readable message."""
    text = str(text).strip()
    parts = text.split("-")
    try:
        if len(parts) == 3:
            return dt.date.fromisoformat(text), DatePrecision.DAY
        if len(parts) == 2 and len(parts[0]) == 4 and len(parts[1]) == 2:
            return dt.date(int(parts[0]), int(parts[1]), 1), DatePrecision.MONTH
        if len(parts) == 1 and len(parts[0]) == 4:
            return dt.date(int(parts[0]), 1, 1), DatePrecision.YEAR
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real date ({exc})") from None
    raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD, YYYY-MM or YYYY")


def partial_date_text(value: dt.date | None, precision: DatePrecision | str | None) -> str | None:
    """The inverse of parse_partial_date, for exports and snapshots."""
    if value is None:
        return None
    precision = DatePrecision(precision or "day")
    if precision is DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision is DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()
