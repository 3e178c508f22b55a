"""/changes.atom against the rules of RFC 4287 (Atom), its ids against RFC 4151 (tag URIs),
and conditional GET (RFC 9110) as feed readers poll it.

No RELAX NG schema of Atom ships with Debian or PyPI here, so the grammar's rules are
written out as assertions (RFC 4287 sections 3 and 4): element cardinalities, date
constructs, text constructs, links, categories, ids.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import defusedxml.ElementTree as ET
import pytest

A = "{http://www.w3.org/2005/Atom}"
#: RFC 3339 date-time (RFC 4287 3.3): upper-case T and Z, an offset always
DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
#: RFC 4151: tag:authority,date:specific
TAG = re.compile(r"tag:[A-Za-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?:[\w.~%!$&'()*+,;=:@/?-]+")
#: children allowed in feed and entry (RFC 4287 4.1.1, 4.1.2), and how many of each
FEED_ONCE = {"id", "title", "updated"}
FEED_AT_MOST_ONCE = {"generator", "icon", "logo", "rights", "subtitle"}
FEED_MANY = {"author", "category", "contributor", "link", "entry"}
ENTRY_ONCE = {"id", "title", "updated"}
ENTRY_AT_MOST_ONCE = {"content", "published", "rights", "source", "summary"}
ENTRY_MANY = {"author", "category", "contributor", "link"}


def _children(element) -> dict[str, list]:
    found: dict[str, list] = {}
    for child in element:
        assert child.tag.startswith(A), f"foreign element {child.tag} in {element.tag}"
        found.setdefault(child.tag[len(A) :], []).append(child)
    return found


def _check_cardinality(children: dict[str, list], once, at_most_once, many, where: str) -> None:
    assert set(children) <= once | at_most_once | many, (where, set(children))
    for name in once:
        assert len(children.get(name, [])) == 1, (where, name)
    for name in at_most_once:
        assert len(children.get(name, [])) <= 1, (where, name)


def _check_text(element, where: str) -> None:
    assert element.get("type", "text") in {"text", "html", "xhtml"}, where
    assert not list(element) or element.get("type") == "xhtml", where


def _check_links(links: list, where: str) -> None:
    alternates = set()
    for link in links:
        href = link.get("href")
        assert href and urlsplit(href).scheme in {"http", "https"}, (where, href)
        rel = link.get("rel", "alternate")
        if rel == "alternate":
            key = (link.get("type"), link.get("hreflang"))
            assert key not in alternates, f"{where}: two alternate links for {key}"
            alternates.add(key)


def _check_person(person, where: str) -> None:
    children = _children(person)
    assert len(children.get("name", [])) == 1 and children["name"][0].text, where
    assert set(children) <= {"name", "uri", "email"}, where


def check_rfc4287(body: bytes) -> list:
    root = ET.fromstring(body)
    assert root.tag == f"{A}feed"
    feed = _children(root)
    _check_cardinality(feed, FEED_ONCE, FEED_AT_MOST_ONCE, FEED_MANY, "feed")
    assert TAG.fullmatch(feed["id"][0].text), feed["id"][0].text
    assert DATE.fullmatch(feed["updated"][0].text)
    _check_text(feed["title"][0], "feed title")
    _check_links(feed.get("link", []), "feed")
    assert any(link.get("rel") == "self" for link in feed["link"]), "a feed should link itself"
    for person in feed.get("author", []):
        _check_person(person, "feed author")
    entries = feed.get("entry", [])
    for entry in entries:
        children = _children(entry)
        where = children["id"][0].text
        _check_cardinality(children, ENTRY_ONCE, ENTRY_AT_MOST_ONCE, ENTRY_MANY, where)
        assert TAG.fullmatch(where), where
        for name in ("updated", "published"):
            for value in children.get(name, []):
                assert DATE.fullmatch(value.text), (where, value.text)
        _check_text(children["title"][0], where)
        _check_links(children.get("link", []), where)
        # 4.1.1: every entry has an author, unless the feed has one.
        assert feed.get("author") or children.get("author"), where
        # 4.1.2: without content, an entry must have an alternate link.
        if "content" not in children:
            assert any(link.get("rel", "alternate") == "alternate" for link in children["link"]), (
                where
            )
        else:
            assert children["content"][0].get("type") in {"text", "html", "xhtml", None}
        for category in children.get("category", []):
            assert category.get("term"), where
    ids = [_children(e)["id"][0].text for e in entries]
    assert len(ids) == len(set(ids)), "entry ids must be unique"
    return entries


def test_feed_follows_rfc_4287(make_measure, client) -> None:
    make_measure(short_name="TGRAMMAR")
    response = client.get("/changes.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    entries = check_rfc4287(response.data)
    assert entries and _children(entries[0])["title"][0].text == "Published: TGRAMMAR"


def test_feed_ids_do_not_follow_the_host_header(client) -> None:
    plain = check_rfc4287(client.get("/changes.atom").data)
    other = check_rfc4287(client.get("/changes.atom", headers={"Host": "evil.example"}).data)
    ids = [_children(e)["id"][0].text for e in plain]
    assert ids == [_children(e)["id"][0].text for e in other]
    assert all(i.startswith("tag:localhost,2026:") for i in ids)


@pytest.mark.parametrize(
    ("config", "authority"),
    [
        ({"FEED_TAG_AUTHORITY": "tracker.example.org"}, "tracker.example.org"),
        ({"SERVER_NAME": "norms.example.org:8443"}, "norms.example.org"),
    ],
)
def test_feed_tag_authority_comes_from_the_configuration(app, config, authority) -> None:
    app.config.update(config)
    host = config.get("SERVER_NAME", "localhost")
    body = app.test_client().get("/changes.atom", base_url=f"http://{host}").data
    root = ET.fromstring(body)
    assert root.findtext(f"{A}id") == f"tag:{authority},2026:changes"


def test_feed_answers_conditional_requests(make_measure, client) -> None:
    first = client.get("/changes.atom")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"') and modified.endswith("GMT")
    assert first.headers["Cache-Control"].startswith("public")
    again = client.get("/changes.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    since = client.get("/changes.atom", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    make_measure(short_name="TCONDITIONAL")
    changed = client.get(
        "/changes.atom", headers={"If-None-Match": etag, "If-Modified-Since": modified}
    )
    assert changed.status_code == 200 and b"TCONDITIONAL" in changed.data
    assert changed.headers["ETag"] != etag
