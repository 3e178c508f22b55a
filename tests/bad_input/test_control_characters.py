"""Control characters and Unicode normalisation at the edge (issue 15 item 1): every text
field of every editor refuses C0/C1 control characters other than tab and newline, with a
message that names the character; CR LF becomes LF and text is stored in NFC. A published
title with a control character can no longer take /changes.atom down."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from lxml import etree

from tests.bad_input.editors import EDITORS, count, errors_of, post_new, record_id_of
from tests.hostile import CONTROL_CHARACTERS
from tracker.extensions import db
from tracker.inputs import ControlCharacterError, clean, control_character_problem


@pytest.mark.parametrize(("char", "name"), CONTROL_CHARACTERS)
def test_clean_refuses_control_characters_by_name(char, name):
    with pytest.raises(ControlCharacterError) as refused:
        clean(f"Title{char}here")
    assert str(refused.value) == (f"contains a control character (U+{ord(char):04X} {name})")


def test_clean_keeps_tab_and_newline_normalises_line_breaks_and_nfc():
    assert clean("a\tb\r\nc\rd\ne") == "a\tb\nc\nd\ne"
    assert clean("Cafe\u0301") == "Caf\u00e9"
    assert control_character_problem("plain text \u00e9 \U0001f512") is None


@pytest.fixture
def editor_client(app, login):
    client = app.test_client()
    login(client, "admin")
    return client


@pytest.mark.parametrize("editor", EDITORS, ids=str)
def test_every_text_field_refuses_a_control_character_and_nothing_is_saved(
    app, editor_client, editor
):
    fields = editor.text_fields()
    assert len(fields) >= 5, fields
    before = count(app, editor.kind)
    for name in fields:
        response = post_new(editor_client, editor, **{name: "Test value \x0b with a tab"})
        # The form comes back with the error next to the field and what was typed kept.
        assert response.status_code == 422, (editor, name, response.status_code)
        text = response.get_data(as_text=True)
        error = errors_of(text, name)
        assert "contains a control character (U+000B LINE TABULATION)" in error, (editor, name)
        assert "Test value  with a tab" in text, (editor, name)
    assert count(app, editor.kind) == before


def test_a_request_without_a_form_token_is_refused_naming_the_field(app):
    """Not one of the tracker's forms: nothing to show the error in, so 400 as before."""
    from werkzeug.exceptions import BadRequest

    from tracker.inputs import clean_request_form

    data = {"note": "a\x0bb"}
    with app.test_request_context("/anything", method="POST", data=data):
        with pytest.raises(BadRequest) as refused:
            clean_request_form()
    message = str(refused.value.description)
    assert "'note' contains a control character (U+000B LINE TABULATION)" in message


@pytest.mark.parametrize("editor", EDITORS, ids=str)
def test_saved_text_is_nfc_with_lf_line_breaks(app, editor_client, editor):
    title = "Test e\u0301tude\r\nsecond line" if editor.name == "measures" else None
    value = "Test re\u0301sume\u0301 of the work"
    response = post_new(editor_client, editor, **{editor.title_field: value})
    record_id = record_id_of(response)
    page = editor_client.get(f"{editor.prefix}/{record_id}/edit").get_data(as_text=True)
    assert "Test r\u00e9sum\u00e9 of the work" in page
    assert "e\u0301" not in page
    if title:
        response = post_new(
            editor_client, editor, description=title, title_original="Test NFC description"
        )
        with app.app_context():
            from tracker.measures.models import Measure

            stored = db.session.scalars(
                sa.select(Measure.description).where(
                    Measure.title_original == "Test NFC description"
                )
            ).first()
        assert stored == "Test \u00e9tude\nsecond line"


def test_passwords_pass_unchanged(app, client):
    """Normalising a password would change what is hashed: the sign-in form sends it as is."""
    from tests.conftest import csrf_token

    response = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(app, client),
            "email": "nobody@example.org",
            "password": "pass\x0bword",
        },
    )
    assert response.status_code == 200  # a wrong password, not a refused form


def test_the_feed_survives_whatever_a_stored_title_holds(app, client, make_measure):
    """Older rows (stored before the check) with control characters: the feed leaves out what
    XML cannot carry instead of failing for everyone."""
    # (No NUL: PostgreSQL text cannot hold it, so no stored title has one.)
    hostile = "Test feed \x0b\x1b\x07\x08 title \ufffe end"
    make_measure(title_original=hostile, short_name=hostile)
    response = client.get("/changes.atom")
    assert response.status_code == 200
    root = etree.fromstring(response.data)
    titles = [t.text for t in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert any("Test feed  title  end" in (t or "") for t in titles), titles


def test_imports_refuse_control_characters_and_store_nfc(app, tmp_path):
    from tracker.imports.parsing import ImportFileError, parse

    header = b"jurisdiction,title_original,type,status,description\r\n"
    limits = {"max_bytes": 10**6, "max_rows": 10, "max_unpacked": 10**6}
    with pytest.raises(ImportFileError, match=r"Row 2, title_original: the text contains a "):
        parse("m.csv", header + b"DE,Bad\x1btitle,law,in_force,x\r\n", **limits)
    parsed = parse(
        "m.csv",
        header + 'DE,Cafe\u0301,law,in_force,"one\r\ntwo"\r\n'.encode(),
        **limits,
    )
    assert parsed.rows[0]["cells"]["title_original"] == "Caf\u00e9"
    assert parsed.rows[0]["cells"]["description"] == "one\ntwo"


def test_data_files_refuse_control_characters_with_the_line(tmp_path):
    from tracker.datafiles import DataFileError, load_yaml

    path = tmp_path / "x.yaml"
    path.write_text('a: fine\nb: "bell \\a here"\nc: "Cafe\\u0301"\n', encoding="utf-8")
    with pytest.raises(DataFileError, match=r"x.yaml:2: text contains a control character"):
        load_yaml(path)
    path.write_text('c: "Cafe\\u0301"\n', encoding="utf-8")
    assert load_yaml(path)["c"] == "Caf\u00e9"
