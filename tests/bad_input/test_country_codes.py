"""Jurisdiction codes as people actually type them: ``UK`` for GB, ``EL`` for GR, ``XK``
(user-assigned in ISO 3166-1, used by some for Kosovo; the tracker has no such
jurisdiction and says so), alpha-3 codes, and lower case.

Lower case is read as upper case everywhere (forms, filters; pages redirect to the
upper-case address). A mistaken code gets a message naming what was probably meant, on
every page, filter, parameter and form that takes a code. The jurisdiction page and API
cases are in tests/test_public_pages.py and tests/test_api.py; here every other route.
"""

from __future__ import annotations

import pytest

from tests.bad_input.editors import ATTRIBUTIONS, MEASURES, count, errors_of, post_new, record_id_of
from tests.pages import assert_inert
from tracker.extensions import db
from tracker.records.models import Record
from tracker.records.services import working_copy

#: (path with {} for the code, status for an unknown code)
ROUTES = [
    ("/jurisdictions/{}", 404),
    ("/jurisdictions/{}/gaps", 404),
    ("/jurisdictions/{}/brief", 400),
    ("/attributions/by-state/{}", 404),
    ("/attributions/against/{}", 404),
    ("/api/v1/jurisdictions/{}", 404),
    ("/compare?j={}&j=FR", 400),
    ("/gaps?j={}&j=FR", 400),
    ("/measures/?jurisdiction={}", 400),
    ("/api/v1/measures?jurisdiction={}", 400),
    ("/attributions/?attributing={}", 400),
    ("/export/measures.json?jurisdiction={}", 400),
    ("/export/citations.bib?jurisdiction={}", 400),
]


@pytest.mark.parametrize(("path", "status"), ROUTES)
@pytest.mark.parametrize(
    ("code", "meant"), [("UK", "GB"), ("uk", "GB"), ("EL", "GR"), ("GBR", "GB")]
)
def test_a_mistaken_code_names_the_right_one(client, path, status, code, meant):
    response = client.get(path.format(code))
    assert response.status_code == status, (path, code, response.status_code)
    body = response.get_data(as_text=True)
    assert f"use {meant}" in body or f"({meant})" in body or f"is {meant}" in body, body[:3000]
    if response.mimetype == "text/html":
        assert_inert(body)


@pytest.mark.parametrize(("path", "status"), ROUTES)
@pytest.mark.parametrize("code", ["XK", "xk", "QQ", "<script>", "D" * 300])
def test_an_unknown_code_is_refused_plainly(client, path, status, code):
    response = client.get(path.format(code))
    assert response.status_code == status, (path, code)
    body = response.get_data(as_text=True)
    assert "alpha-2" in body
    message = (
        response.get_json()["error"]["message"]
        if response.is_json
        else body.split('class="lead">', 1)[-1].split("</p>")[0]
    )
    assert "D" * 60 not in message  # a long code is not echoed whole
    if response.mimetype == "text/html":
        assert_inert(body)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/jurisdictions/de", 301),
        ("/attributions/by-state/is", 308),
        ("/attributions/against/ru", 308),
        ("/jurisdictions/de/gaps", 200),
        ("/jurisdictions/de/brief", 200),
        ("/api/v1/jurisdictions/de", 200),
        ("/compare?j=de&j=fr", 200),
        ("/measures/?jurisdiction=de", 200),
        ("/api/v1/measures?jurisdiction=de", 200),
        ("/attributions/?attributing=gb", 200),
    ],
)
def test_lower_case_is_read_as_upper_case(client, path, expected):
    response = client.get(path)
    assert response.status_code == expected, path
    if expected != 200:
        assert response.headers["Location"] == path.upper().replace(
            "/JURISDICTIONS/", "/jurisdictions/"
        ).replace("/ATTRIBUTIONS/BY-STATE/", "/attributions/by-state/").replace(
            "/ATTRIBUTIONS/AGAINST/", "/attributions/against/"
        )


# --- Forms --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("editor", "field", "value", "message"),
    [
        (MEASURES, "jurisdiction_code", "UK", "Choose United Kingdom (GB)"),
        (MEASURES, "jurisdiction_code", "EL", "Choose Greece (GR)"),
        (MEASURES, "jurisdiction_code", "DEU", "Choose Germany (DE)"),
        (MEASURES, "jurisdiction_code", "XK", "XK is not an ISO 3166-1 alpha-2 code"),
        (MEASURES, "jurisdiction_code", "<b>x</b>", "There is no jurisdiction with the code"),
        (ATTRIBUTIONS, "statements-0-parties", ["IS", "UK"], "Choose United Kingdom (GB)"),
        (ATTRIBUTIONS, "statements-1-parties", ["xk"], "XK is not an ISO 3166-1 alpha-2 code"),
        (ATTRIBUTIONS, "statements-1-parties", ["uk"], "Choose United Kingdom (GB)"),
        (ATTRIBUTIONS, "attributed_state", "UK", "Choose United Kingdom (GB)"),
        (ATTRIBUTIONS, "attributed_state", "EU", "European Union (EU) cannot be chosen here"),
    ],
)
def test_a_form_explains_a_mistaken_code_next_to_the_field(
    app, client, login, editor, field, value, message
):
    login(client, "editor")
    before = count(app, editor.kind)
    response = post_new(client, editor, **{field: value})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in errors_of(html, field), errors_of(html, field) or html[:2000]
    assert_inert(html)
    assert count(app, editor.kind) == before


def test_forms_read_lower_case_codes(app, client, login):
    login(client, "editor")
    rid = record_id_of(post_new(client, MEASURES, jurisdiction_code="de"))
    statement = record_id_of(
        post_new(
            client,
            ATTRIBUTIONS,
            attributed_state="aq",
            **{
                "statements-0-parties": ["no", "is"],
                "statements-1-parties": ["gb"],
                "statements-1-role": "supporting",
            },
        )
    )
    with app.app_context():
        assert working_copy(db.session.get(Record, rid)).jurisdiction_code == "DE"
        content = working_copy(db.session.get(Record, statement))
        assert [p.jurisdiction_code for p in content.attributing] == ["NO", "IS"]
        assert content.attributed_state_code == "AQ"
