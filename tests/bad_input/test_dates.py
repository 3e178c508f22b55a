"""Impossible dates in every date field of every editor: a message next to the field,
the typed value kept, nothing written.

Event order for measures (in force before adoption, announced after it) is in
tests/test_editing.py; a source read before the paper or statement existed in
tests/test_paper_editing.py and tests/test_attribution_editing.py.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.bad_input.editors import (
    EDITORS,
    MEASURES,
    count,
    errors_of,
    form_fields,
    post_new,
    record_id_of,
)
from tests.pages import assert_inert

# Computed at collection time: far enough ahead that a run crossing midnight (or New Year)
# still sees them in the future when the test runs.
NEXT_MONTH = (dt.date.today() + dt.timedelta(days=40)).isoformat()
NEXT_YEAR = str(dt.date.today().year + 2)

#: impossible in any date field
IMPOSSIBLE = [
    "2023-02-29",  # not a leap year
    "2023-02-30",
    "2024-04-31",
    "2024-13",
    "2024-00",
    "2024-13-01",
    "2024-00-10",
    "0000",
    "0000-01-01",
    "0001",
    "1899-12-31",
    "99999",
    "2024-1-5",
    "30/02/2024",
    "2024-02-30T00:00",
    "yesterday",
    "<script>alert(1)</script>",
    "-2024",
    "2024--01",
]
#: fields that take only a full date (YYYY-MM-DD) refuse partial ones too
FULL_ONLY = ["2024", "2024-05"]
#: dates of things that have already happened cannot be in the future
FUTURE = [NEXT_MONTH, NEXT_YEAR]


def cases():
    for editor in EDITORS:
        for field in editor.date_fields:
            full_only = field.endswith("accessed")
            past_only = full_only or editor is not MEASURES  # a measure's event may be planned
            values = IMPOSSIBLE + (FULL_ONLY if full_only else []) + (FUTURE if past_only else [])
            for value in values:
                yield pytest.param(editor, field, value, id=f"{editor}-{field}-{value[:20]}")


@pytest.mark.parametrize(("editor", "field", "value"), list(cases()))
def test_an_impossible_date_is_refused_next_to_its_field(app, client, login, editor, field, value):
    login(client, "editor")
    before = count(app, editor.kind)
    response = post_new(client, editor, **{field: value})
    assert response.status_code == 422, (field, value)
    html = response.get_data(as_text=True)
    assert errors_of(html, field), f"no error next to {field} for {value!r}"
    assert_inert(html)
    assert dict(form_fields(html, editor.new_path))[field] == value
    assert count(app, editor.kind) == before


@pytest.mark.parametrize("editor", EDITORS, ids=str)
@pytest.mark.parametrize("value", ["2024-02-29", "2000-02-29", "1900", "2020-12-31"])
def test_real_dates_are_accepted(app, client, login, editor, value):
    login(client, "editor")
    values = {
        field: value
        for field in editor.date_fields
        if not field.endswith("accessed") or len(value) == 10
    }
    if editor is not MEASURES:
        values["sources-0-accessed"] = dt.date.today().isoformat()
    record_id_of(post_new(client, editor, **values))


def test_a_planned_date_is_allowed_for_a_measure_event(app, client, login):
    """Entry into force is often announced ahead: a measure's events may lie in the future."""
    login(client, "editor")
    record_id_of(
        post_new(
            client,
            MEASURES,
            **{"events-1-kind": "in_force", "events-1-date": f"{int(NEXT_YEAR) + 1}-01"},
        )
    )
