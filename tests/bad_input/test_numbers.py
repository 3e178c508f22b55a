"""Numbers in URLs, query strings and forms (issue 15 item 2): ids past what the id columns
hold (2^31 - 1, PostgreSQL ``integer``; 2^63 included) are 404 on every ``<int:...>`` route;
pages that are not ASCII whole numbers in range ("²", 2^63, -1, letters) are a 400 with a message
on every list."""

from __future__ import annotations

import pytest
from flask import url_for

from tests.conftest import csrf_token
from tracker.queryargs import DB_INT_MAX, MAX_PAGE, parse_int

TOO_BIG = 2**63  # one past the largest BIGINT
OTHER_ARGS = {"fmt": "json", "action": "approve", "letter": "a", "code": "DE", "kind": "measure"}


def with_number(app, method, number):
    """Every int route with ``number`` in each of its int arguments."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            ints = [n for n, c in rule._converters.items() if type(c).__name__ == "IdConverter"]
            if not ints or method not in rule.methods:
                continue
            for target in ints:
                args = {name: 7 for name in rule.arguments}
                args.update({k: v for k, v in OTHER_ARGS.items() if k in rule.arguments})
                args[target] = 424242
                url = url_for(rule.endpoint, **args)
                urls.append(url.replace("424242", str(number), 1))
    return urls


def test_every_int_route_uses_the_bounded_converter(app):
    with app.test_request_context():
        rules = [r for r in app.url_map.iter_rules() if "<int:" in r.rule]
        assert len(rules) > 20
        for rule in rules:
            kinds = {type(c).__name__ for c in rule._converters.values()}
            assert "IntegerConverter" not in kinds, rule.rule


@pytest.mark.parametrize(
    "number", [str(TOO_BIG), str(DB_INT_MAX + 1), "99999999999999999999999", "١"]
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_ids_the_database_cannot_hold_are_404_on_every_route(app, login, method, number):
    client = app.test_client()
    login(client, "admin")
    token = csrf_token(app, client)
    urls = with_number(app, method, number)
    assert len(urls) > (10 if method == "POST" else 15)
    for url in urls:
        response = client.open(
            url, method=method, data={"csrf_token": token} if method == "POST" else None
        )
        assert response.status_code == 404, (method, url, response.status_code)


def test_largest_id_is_an_ordinary_404(client):
    assert client.get(f"/measures/{DB_INT_MAX}").status_code == 404
    assert client.get(f"/api/v1/measures/{DB_INT_MAX}").status_code == 404
    assert client.get(f"/api/v1/attributions/{DB_INT_MAX}").status_code == 404


LISTS = [
    "/measures/",
    "/api/v1/measures",
    "/api/v1/norms",
    "/api/v1/jurisdictions",
    "/api/v1/attributions",
    "/changes",
    "/admin/audit",
    "/search/?q=cyber",
]
BAD_PAGES = ["%C2%B2", str(TOO_BIG), str(MAX_PAGE + 1), "-1", "0", "abc", "1e3", "%EF%BC%91"]


@pytest.mark.parametrize("page", BAD_PAGES)
def test_bad_pages_are_400_with_a_message_on_every_list(app, login, page):
    client = app.test_client()
    login(client, "admin")
    for url in LISTS:
        sep = "&" if "?" in url else "?"
        response = client.get(f"{url}{sep}page={page}", headers={"Accept": "text/html"})
        assert response.status_code == 400, (url, page, response.status_code)
        assert "whole number" in response.get_data(as_text=True), (url, page)


def test_good_pages_still_work(app, login):
    client = app.test_client()
    login(client, "admin")
    for url in LISTS:
        sep = "&" if "?" in url else "?"
        assert client.get(f"{url}{sep}page=1").status_code == 200, url


@pytest.mark.parametrize("value", [str(TOO_BIG), "²", "-3", "x", ""])
def test_mark_read_refuses_numbers_it_cannot_use(app, login, value):
    client = app.test_client()
    login(client, "reviewer")
    response = client.post(
        "/review/notifications/read",
        data={"csrf_token": csrf_token(app, client), "notification": value or "¹"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0", 0),
        ("42", 42),
        (str(DB_INT_MAX), DB_INT_MAX),
        (str(TOO_BIG), None),
        (str(DB_INT_MAX + 1), None),
        ("²", None),
        ("١", None),
        ("１", None),
        (" 1", None),
        ("+1", None),
        ("-1", None),
        ("1_000", None),
        ("", None),
        (None, None),
        (True, None),
    ],
)
def test_parse_int_reads_ascii_digits_in_range(raw, expected):
    assert parse_int(raw) == expected
