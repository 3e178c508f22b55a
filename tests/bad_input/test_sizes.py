"""Oversized fields and requests: a field over its limit gets a message next to it and
nothing is written; a request over the size limits is a readable 413, before any view runs.

The tracker has no file-upload fields; a multipart body (what an upload would send) over
the limit gets the same 413.
"""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.bad_input.editors import EDITORS, count, errors_of, form_fields, post_new
from tests.pages import assert_inert

#: fields without a length validator are bounded by their own check (a date, lines of names)
UNBOUNDED_PROBE = 100_000


def post_multipart(client, path, values):
    """A multipart body built in memory (the test client's own spools big ones to a
    temporary file it leaves open when the request is refused)."""
    boundary, body = encode_multipart(MultiDict(values))
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def oversized_cases():
    for editor in EDITORS:
        for name, limit in editor.text_fields().items():
            yield pytest.param(editor, name, limit, id=f"{editor}-{name}")


@pytest.mark.parametrize(("editor", "field", "limit"), list(oversized_cases()))
def test_a_field_over_its_limit_is_refused_next_to_it_and_nothing_is_written(
    app, client, login, editor, field, limit
):
    login(client, "editor")
    before = count(app, editor.kind)
    value = "x" * (limit + 1 if limit else UNBOUNDED_PROBE)
    if field.endswith("url"):
        value = "https://example.org/" + value[20:]
    response = post_new(client, editor, **{field: value})
    assert response.status_code == 422, (field, response.status_code)
    html = response.get_data(as_text=True)
    errors = errors_of(html, field)
    assert errors, f"no error next to {field}"
    if limit and not field.endswith("date"):
        assert f"at most {limit} characters" in errors, errors
    assert count(app, editor.kind) == before
    # The rest of what was typed comes back, to be corrected rather than retyped.
    kept = dict(form_fields(html, editor.new_path))
    assert kept[field] == value
    other = "sources-0-title" if field != "sources-0-title" else editor.title_field
    assert kept[other] == editor.new_values[other]


@pytest.mark.parametrize("editor", EDITORS, ids=str)
def test_a_field_at_its_limit_is_accepted(app, client, login, editor):
    """The limits are the columns' sizes: a value that fits is stored whole, on both databases."""
    login(client, "editor")
    name = next(
        n
        for n, limit in editor.text_fields().items()
        if limit and limit >= 1000 and "url" not in n and n != editor.title_field
    )
    limit = editor.text_fields()[name]
    response = post_new(client, editor, **{name: "y" * limit})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


@pytest.mark.parametrize("editor", EDITORS, ids=str)
def test_an_oversized_request_is_a_readable_413_and_writes_nothing(app, client, login, editor):
    login(client, "editor")
    before = count(app, editor.kind)
    response = post_new(client, editor, **{editor.title_field: "x" * (6 * 1024 * 1024)})
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "Too large" in html and "nothing was saved" in html
    assert "1 MB in one field" in html and "5 MB in all" in html
    assert_inert(html)
    assert count(app, editor.kind) == before


@pytest.mark.parametrize("editor", EDITORS, ids=str)
def test_one_huge_field_is_a_413_in_multipart_and_a_field_error_otherwise(
    app, client, login, editor
):
    """MAX_FORM_MEMORY_SIZE (1 MB) bounds one part of a multipart body; an urlencoded body
    is read whole (under MAX_CONTENT_LENGTH) and the field's own limit answers."""
    login(client, "editor")
    before = count(app, editor.kind)
    fields = dict(form_fields(client.get(editor.new_path).get_data(as_text=True), editor.new_path))
    big = "x" * int(1.5 * 1024 * 1024)
    response = post_multipart(client, editor.new_path, {**fields, editor.title_field: big})
    assert response.status_code == 413
    assert "nothing was saved" in response.get_data(as_text=True)
    response = post_new(client, editor, **{editor.title_field: big})
    assert response.status_code == 422
    assert "at most" in errors_of(response.get_data(as_text=True), editor.title_field)
    assert count(app, editor.kind) == before


def test_an_oversized_upload_is_a_413_and_json_clients_get_json(app, client, login):
    login(client, "editor")
    response = post_multipart(
        client,
        "/measures/new",
        {"file": FileStorage(io.BytesIO(b"x" * (6 * 1024 * 1024)), "big.pdf")},
    )
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)
    response = client.post(
        "/measures/new",
        data={"description": "x" * (6 * 1024 * 1024)},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["status"] == 413
    assert "nothing was saved" in response.get_json()["error"]["message"]
