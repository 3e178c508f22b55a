"""Web addresses: every URL field of every editor takes public http(s) addresses only.

Refused: other schemes (``javascript:``, ``file:``, ``data:``...), addresses on private or
local networks in every spelling (loopback, RFC 1918, link-local and the cloud metadata
address 169.254.169.254, IPv6 loopback and unique-local, IPv4-mapped IPv6, decimal, hex
and octal IPv4), bare host names, credentials in the address. One validator does it
(tracker/validators.py). Scheme-only checks already in tests/test_inert_markup.py
(``test_url_fields_refuse_other_schemes``) are not repeated here.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.bad_input.editors import EDITORS, count, errors_of, post_new
from tests.hostile import INTERNAL_URLS
from tests.pages import assert_inert
from tracker.extensions import db
from tracker.validators import url_problem

INTERNAL = [
    "http://localhost/",
    "http://localhost:5000/admin",
    "https://LOCALHOST./",
    "http://app.localhost/",
    "http://127.0.0.1/",
    "http://127.8.9.10/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://172.31.255.254/",
    "http://192.168.0.1/router",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://[::1]/",
    "http://[::]/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://[fe80::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://printer.local/",
    "http://wiki.corp/",
    "http://service.internal/",
    "http://router.home.arpa/",
]
DISGUISED = [
    "http://2130706433/",  # 127.0.0.1 as one decimal number
    "http://0x7f000001/",
    "http://0x7f.1/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://2852039166/latest/meta-data/",  # 169.254.169.254
    "http://0xA9.0xFE.0xA9.0xFE/",
]
OTHER_SCHEMES = [
    "file:///etc/passwd",
    "FILE://localhost/etc/passwd",
    "ftp://example.org/file",
    "gopher://example.org/",
    "javascript:alert(1)",
    "java\tscript:alert(1)",
    "jar:https://example.org/x.jar!/",
    "view-source:https://example.org/",
    "mailto:someone@example.org",
]
MALFORMED = [
    "http://intranet/",  # a bare name only resolves inside someone's network
    "https://user:secret@example.org/",
    "https://example.org@127.0.0.1/",
    "https://example.org:99999/",
    "https://example.org:8080/",
    "http:\\\\example.org\\x",
    "https:example.org",
    "https:///example.org",
    "https://exa mple.org/",
    "https://example.org/\r\nSet-Cookie: a=b",
]
GOOD = [
    "https://www.bsi.bund.de/EN/Home/home_node.html",
    "http://example.org/law?id=1#art-3",
    "https://example.org:443/x",
    "https://8.8.8.8/",
    "https://[2001:4860:4860::8888]/",
    "https://例え.jp/",
    "https://xn--r8jz45g.jp/",
]
#: escapes, UTS #46 mapping and trailing dots (issue 15 item 3), shared with the PDF fetcher
UNICODE_AND_ESCAPED = [u for u in INTERNAL_URLS if u not in INTERNAL + DISGUISED]
BROKEN_HOSTS = [
    "http://%ff%fe.example.org/",  # escapes that are not UTF-8
    "http://exa%2fmple.org/",  # a decoded slash
    "http://exa%40mple.org/",  # a decoded @
    "http://exa%20mple.org/",  # a decoded space
]
BAD = INTERNAL + DISGUISED + UNICODE_AND_ESCAPED + OTHER_SCHEMES + MALFORMED + BROKEN_HOSTS


@pytest.mark.parametrize("url", BAD)
def test_validator_refuses(url):
    assert url_problem(url.strip()) is not None, url


@pytest.mark.parametrize("url", GOOD)
def test_validator_accepts_public_web_addresses(url):
    assert url_problem(url) is None


@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_every_spelling_of_an_internal_address_is_refused_as_internal(url):
    """The host is judged as a browser reads it: percent-decoded, UTS #46-mapped (full-width
    and circled digits, ideographic full stops, soft hyphens), one trailing dot dropped."""
    problem = url_problem(url) or ""
    assert "private or local network" in problem, (url, problem)


@pytest.mark.parametrize(
    ("url", "means"),
    [
        ("http://%31%32%37.0.0.1/", "127.0.0.1"),
        ("http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/", "127.0.0.1"),
        ("http://\u2460\u2461\u2466.0.0.1/", "127.0.0.1"),
        ("http://169.254.169.254%2e/", "169.254.169.254"),
    ],
)
def test_the_message_names_the_address_a_browser_would_open(url, means):
    assert f"which means {means}" in (url_problem(url) or "")


@pytest.mark.parametrize("url", ["http://%65xample.org/", "https://\uff45xample.org/"])
def test_escaped_or_full_width_public_names_are_still_public(url):
    assert url_problem(url) is None


@pytest.mark.parametrize("url", INTERNAL[:6] + DISGUISED[:3])
def test_internal_addresses_say_why(url):
    problem = url_problem(url) or ""
    assert "private or local network" in problem or "it means 127.0.0.1" in problem, problem


def url_cases():
    # Every URL field of every editor, each with a sample of every family of bad address.
    sample = [
        "http://169.254.169.254/latest/meta-data/",
        "http://2130706433/",
        "http://[::1]/",
        "file:///etc/passwd",
        "http://localhost:8000/",
        "https://admin:pw@10.0.0.5/",
        "http://192.168.1.1/",
    ]
    for editor in EDITORS:
        for field in editor.url_fields():
            for url in sample:
                yield pytest.param(editor, field, url, id=f"{editor}-{field}-{url}")


@pytest.mark.parametrize(("editor", "field", "url"), list(url_cases()))
def test_every_url_field_refuses_internal_and_non_web_addresses(
    app, client, login, editor, field, url
):
    login(client, "editor")
    before = count(app, editor.kind)
    response = post_new(client, editor, **{field: url})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = errors_of(html, field)
    assert errors, f"no error next to {field}"
    assert_inert(html, shows=[url])
    assert count(app, editor.kind) == before


@pytest.mark.parametrize("editor", EDITORS, ids=str)
def test_public_addresses_are_saved_as_typed(app, client, login, editor):
    login(client, "editor")
    response = post_new(
        client, editor, **dict.fromkeys(editor.url_fields(), "https://www.example.org/a?b=c#d")
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def test_every_address_already_in_the_database_passes(app_ctx):
    """The demo and reference data hold only addresses the forms would accept."""
    urls = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if column.name in ("url", "official_url"):
                urls += [
                    u for u in db.session.scalars(sa.select(column).where(column.is_not(None)))
                ]
    assert urls, "no addresses found: the check looks at the wrong columns"
    assert {u: url_problem(u) for u in urls if url_problem(u)} == {}
