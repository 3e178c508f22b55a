"""Replayed and double-submitted forms.

A "new record" form carries a one-time token (tracker/records/submissions.py): sending
it twice, by a double click, the back button or a replayed request, creates one record
and lands on it with a notice. Edit forms carry the record version: the same edit sent
twice is a conflict the second time (409), never a silent second write. Replayed
deletes and restores are in tests/test_conflicts.py (stale_delete_and_publish).
"""

from __future__ import annotations

import pytest

from tests.bad_input.editors import EDITORS, count, open_form, post, record_id_of, state
from tests.pages import as_data, form_fields, replace
from tracker.records import submissions


@pytest.mark.parametrize("editor", EDITORS, ids=str)
def test_a_double_submitted_new_form_creates_one_record(app, client, login, editor):
    login(client, "editor")
    before = count(app, editor.kind)
    fields = replace(open_form(client, editor.new_path), **editor.new_values)
    first = client.post(editor.new_path, data=as_data(fields))
    rid = record_id_of(first)
    second = client.post(editor.new_path, data=as_data(fields))
    assert second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"] == editor.record_path(rid)
    assert count(app, editor.kind) == before + 1
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "This form had already been saved, so nothing new was created" in page
    # A third time, even with other values typed in: still the same record, nothing written.
    after = state(app)
    third = client.post(
        editor.new_path, data=as_data(replace(fields, **{editor.title_field: "Changed on replay"}))
    )
    assert third.headers["Location"] == editor.record_path(rid)
    assert state(app) == after


@pytest.mark.parametrize("editor", EDITORS, ids=str)
def test_each_opened_form_is_its_own_submission(app, client, login, editor):
    """Two tabs with the new form are two records; the token is per page, not per user."""
    login(client, "editor")
    before = count(app, editor.kind)
    a = record_id_of(
        post(client, editor.new_path, open_form(client, editor.new_path), **editor.new_values)
    )
    b = record_id_of(
        post(client, editor.new_path, open_form(client, editor.new_path), **editor.new_values)
    )
    assert a != b and count(app, editor.kind) == before + 2


@pytest.mark.parametrize("editor", EDITORS, ids=str)
def test_errors_and_added_rows_do_not_use_up_the_token(app, client, login, editor):
    login(client, "editor")
    fields = replace(open_form(client, editor.new_path), **editor.new_values)
    invalid = client.post(
        editor.new_path, data=as_data(replace(fields, **{editor.title_field: ""}))
    )
    assert invalid.status_code == 422
    more = client.post(editor.new_path, data=as_data(replace(fields, add_row="sources")))
    assert more.status_code == 200
    assert record_id_of(client.post(editor.new_path, data=as_data(fields)))


@pytest.mark.parametrize("token", [None, "", "not-a-token", "0" * 31, "A" * 32, "../" * 11])
@pytest.mark.parametrize("editor", EDITORS, ids=str)
def test_a_form_without_a_valid_token_is_not_saved_and_gets_a_new_one(
    app, client, login, editor, token
):
    login(client, "editor")
    before = count(app, editor.kind)
    fields = [
        (k, v)
        for k, v in replace(open_form(client, editor.new_path), **editor.new_values)
        if k != "submission"
    ]
    if token is not None:
        fields.append(("submission", token))
    response = client.post(editor.new_path, data=as_data(fields))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "no valid submission token" in html
    assert count(app, editor.kind) == before
    # The page it sent back carries a fresh token and everything typed: saving it works.
    again = form_fields(html, editor.new_path)
    assert submissions.is_token(dict(again)["submission"])
    assert dict(again)[editor.title_field] == editor.new_values[editor.title_field]
    record_id_of(client.post(editor.new_path, data=as_data(again)))
    assert count(app, editor.kind) == before + 1


@pytest.mark.parametrize("editor", EDITORS, ids=str)
def test_two_requests_racing_with_one_token_create_one_record(
    app, client, login, editor, monkeypatch
):
    """The second request checked the token before the first committed: the primary key
    on the token refuses its insert, and it lands on the first request's record."""
    login(client, "editor")
    fields = replace(open_form(client, editor.new_path), **editor.new_values)
    rid = record_id_of(client.post(editor.new_path, data=as_data(fields)))
    before = state(app)
    real = submissions.record_for
    calls = []

    def late(token):
        calls.append(token)
        return None if len(calls) == 1 else real(token)  # the first check saw no record yet

    monkeypatch.setattr(submissions, "record_for", late)
    response = client.post(editor.new_path, data=as_data(fields))
    assert response.status_code == 302 and response.headers["Location"] == editor.record_path(rid)
    assert state(app) == before
    assert len(calls) == 2


@pytest.mark.parametrize("editor", EDITORS, ids=str)
def test_a_replayed_edit_is_a_conflict_not_a_second_write(app, client, login, editor):
    login(client, "editor")
    rid = record_id_of(
        post(client, editor.new_path, open_form(client, editor.new_path), **editor.new_values)
    )
    path = editor.edit_path(rid)
    fields = replace(open_form(client, path), **{editor.title_field: "Edited once"})
    assert client.post(path, data=as_data(fields)).status_code == 302
    before = state(app)
    replay = client.post(path, data=as_data(fields))
    assert replay.status_code == 409
    assert "Your version" in replay.get_data(as_text=True)
    assert state(app) == before
