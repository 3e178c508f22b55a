"""The filters and globals every template may use, registered in one place (``init_app``)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tracker.modelbase import Verification, format_partial_date, partial_date_text, rfc3339
from tracker.records.editing import editor_for
from tracker.review.workflow import HISTORY_LABELS
from tracker.text import render_markdown

#: how the history names each revision's action
ACTION_LABELS = {
    "create": "Created",
    "edit": "Edited",
    "restore": "Restored an earlier revision",
    "delete": "Deleted",
    "undelete": "Restored after deletion",
    "publish": "Published",
    "import": "Imported",
    # the workflow's steps name themselves (tracker.review.workflow.STEPS)
    **HISTORY_LABELS,
}


def format_when(value: Any) -> str:
    """A stored UTC time as '27 November 2026, 08:15 UTC'."""
    if value is None:
        return ""
    return f"{value.day} {value.strftime('%B %Y, %H:%M')} UTC"


def revision_action(action: str) -> str:
    return ACTION_LABELS.get(action, action.replace("_", " ").capitalize())


def verification_class(value: Verification | str | None) -> str:
    return f"verification-{Verification(value).value}" if value else "verification-unverified"


def count_of(n: int, singular: str, plural: str | None = None) -> str:
    """ "1 measure", "2 measures": a count with its noun in agreement."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def noun_for(n: int, singular: str, plural: str | None = None) -> str:
    """The noun alone, in agreement with ``n`` (for counts set in their own markup)."""
    return singular if n == 1 else (plural or singular + "s")


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        markdown=render_markdown,
        partial_date=format_partial_date,
        partial_date_iso=partial_date_text,
        rfc3339=rfc3339,
        verification_class=verification_class,
        when=format_when,
        revision_action=revision_action,
        count_of=count_of,
        noun_for=noun_for,
    )
    #: the editor of a record's kind (tracker.records.editing), for staff links
    app.jinja_env.globals["record_editor"] = editor_for
