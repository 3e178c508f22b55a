"""Following changes without an account: the filtered Atom feed and /calendar.ics.

Expectations are computed from the database rows (publications, live copies, events), and
the CRA's stages in the demo data pin one real case.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import defusedxml.ElementTree as ET
import pytest
import sqlalchemy as sa
from icalendar import Calendar

from tests.contracts.test_feed import A, check_rfc4287
from tests.pages import as_data, form_fields, replace
from tests.review_helpers import make_member, publish_through_review
from tracker.attribution.models import Attribution
from tracker.extensions import db
from tracker.measures import lifecycle
from tracker.measures.models import EventKind, Measure
from tracker.measures.queries import jurisdiction_scope
from tracker.modelbase import DatePrecision
from tracker.records.models import Publication, Record
from tracker.records.queries import visible

PUBLICATION = re.compile(r"publication-(\d+)$")


def feed_publications(client, query: str) -> list[int]:
    response = client.get(f"/changes.atom?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/atom+xml"
    entries = check_rfc4287(response.data)
    ids = []
    for entry in entries:
        match = PUBLICATION.search(entry.findtext(f"{A}id"))
        assert match, entry.findtext(f"{A}id")
        ids.append(int(match.group(1)))
    return ids


def live_measures(**where) -> list[Measure]:
    stmt = visible(Measure)
    for name, value in where.items():
        stmt = stmt.where(getattr(Measure, name) == value)
    return list(db.session.scalars(stmt))


def publication_records(ids: list[int]) -> dict[int, Publication]:
    return {
        p.id: p for p in db.session.scalars(sa.select(Publication).where(Publication.id.in_(ids)))
    }


def all_feed_ids(query: str = "") -> list[int]:
    """Every public change's publication id (the feed shows the newest 50)."""
    stmt = (
        sa.select(Publication.id)
        .join(Record, Record.id == Publication.record_id)
        .where(Record.deleted_at.is_(None))
        .order_by(Publication.at.desc(), Publication.id.desc())
    )
    return list(db.session.scalars(stmt))


# --- Atom -----------------------------------------------------------------------------------


def test_jurisdiction_filter_lists_only_that_jurisdictions_changes(app_ctx, client) -> None:
    ids = feed_publications(client, "jurisdiction=GB")
    assert ids, "the demo data has changes for the United Kingdom"
    scope = set(jurisdiction_scope("GB"))
    gb_measures = {m.record_id for m in live_measures() if m.jurisdiction_code in scope}
    gb_attributions = {
        a.record_id
        for a in db.session.scalars(visible(Attribution))
        if "GB"
        in {
            p.jurisdiction_code
            for s in a.statements
            if s.role.value == "attributing"
            for p in s.parties
        }
    }
    found = publication_records(ids)
    for pid in ids:
        assert found[pid].record_id in gb_measures | gb_attributions, found[pid].label
    # Every public change of a GB record is listed (the demo has fewer than 50).
    expected = [
        pid
        for pid in all_feed_ids()
        if db.session.get(Publication, pid).record_id in gb_measures | gb_attributions
    ]
    assert len(expected) < 50 and ids == expected
    # The unfiltered feed is longer: the filter filters.
    assert len(feed_publications(client, "")) > len(ids)


def test_jurisdiction_filter_follows_the_list_membership_rule(app_ctx, client) -> None:
    """DE's feed has the EU's measures (as /measures?jurisdiction=DE lists them), the US's
    does not."""
    cra = db.session.scalar(visible(Measure).join(Record).where(Record.key == "eu-cra"))
    cra_changes = set(
        db.session.scalars(sa.select(Publication.id).where(Publication.record_id == cra.record_id))
    )
    assert cra_changes
    assert cra_changes <= set(feed_publications(client, "jurisdiction=DE"))
    assert not cra_changes & set(feed_publications(client, "jurisdiction=US"))


@pytest.mark.parametrize(
    ("query", "kinds"),
    [
        ("kind=paper", {"paper"}),
        ("kind=measure", {"measure"}),
        ("kind=measure,attribution", {"measure", "attribution"}),
        ("kind=attribution&kind=paper", {"attribution", "paper"}),
    ],
)
def test_kind_filter(app_ctx, client, make_paper, query, kinds) -> None:
    make_paper()
    ids = feed_publications(client, query)
    assert ids
    found = publication_records(ids)
    assert {p.kind.value for p in found.values()} <= kinds
    expected = [
        pid for pid in all_feed_ids() if db.session.get(Publication, pid).kind.value in kinds
    ]
    assert ids == expected[:50]


def test_norm_topic_and_type_filters(app_ctx, client) -> None:
    for query, keep in (
        ("norm=i", lambda m: "i" in {mp.norm.letter for mp in m.mappings if mp.norm}),
        ("topic=sbom", lambda m: "sbom" in {t.slug for t in m.topics}),
        ("type=regulation", lambda m: m.type.value == "regulation"),
        (
            "norm=i&topic=sbom&kind=measure",
            lambda m: (
                "i" in {mp.norm.letter for mp in m.mappings if mp.norm}
                and "sbom" in {t.slug for t in m.topics}
            ),
        ),
    ):
        ids = feed_publications(client, query)
        wanted = {m.record_id for m in live_measures() if keep(m)}
        assert wanted, query
        found = publication_records(ids)
        measure_changes = {pid for pid, p in found.items() if p.kind.value == "measure"}
        assert {found[pid].record_id for pid in measure_changes} == wanted, query
        # Papers carry no norm, topic or type: a content filter leaves them out.
        assert all(p.kind.value != "paper" for p in found.values()), query
        if "topic" in query or "type" in query:
            assert all(p.kind.value == "measure" for p in found.values()), query


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("jurisdiction=XX", "XX"),
        ("norm=z", "Norms are the letters a to k"),
        ("topic=no-such-topic", "Unknown topic: no-such-topic"),
        ("kind=bogus", "Unknown kind: 'bogus'. Kinds are: measure, paper, attribution"),
        ("type=bogus", "Invalid type"),
    ],
)
@pytest.mark.parametrize("path", ["/changes.atom", "/calendar.ics", "/alerts"])
def test_bad_filter_values_are_a_400_that_says_why(client, path, query, message) -> None:
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))


def test_filtered_feed_names_itself(client) -> None:
    root = ET.fromstring(client.get("/changes.atom?jurisdiction=GB&norm=c").data)
    assert root.findtext(f"{A}id") == "tag:localhost,2026:changes?jurisdiction=GB&norm=c"
    self_link = [link for link in root.findall(f"{A}link") if link.get("rel") == "self"][0]
    assert self_link.get("href") == "http://localhost/changes.atom?jurisdiction=GB&norm=c"
    title = root.findtext(f"{A}title")
    assert title.startswith("Cyber Norms Tracker: published changes (jurisdiction United Kingdom;")
    assert "; norm (c) " in title


def test_a_draft_edit_does_not_move_a_change_between_filtered_feeds(
    app, client, login, make_measure, make_user
) -> None:
    """The filters read the live copy: a working copy moved to FR leaves the change in GB."""
    measure = make_measure(jurisdiction_code="GB", short_name="TFOLLOWGB")
    rid = measure.record_id
    login(client, "editor")
    path = f"/measures/{rid}/edit"
    page = client.get(path)
    assert page.status_code == 200
    fields = form_fields(page.get_data(as_text=True), path)
    response = client.post(path, data=as_data(replace(fields, jurisdiction_code="FR")))
    assert response.status_code == 302
    with app.app_context():
        mine = set(
            db.session.scalars(sa.select(Publication.id).where(Publication.record_id == rid))
        )
        assert mine
        assert mine <= set(feed_publications(client, "jurisdiction=GB"))
        assert not mine & set(feed_publications(client, "jurisdiction=FR"))


@pytest.mark.parametrize(
    ("path", "args"),
    [
        ("/measures/?jurisdiction=GB&norm=c", "jurisdiction=GB&amp;norm=c"),
        ("/measures/?jurisdiction=GB,FR", "jurisdiction=GB&amp;jurisdiction=FR"),
        ("/jurisdictions/GB", "jurisdiction=GB"),
        ("/norms/c", "norm=c"),
    ],
)
def test_filtered_pages_link_their_feeds(client, path, args) -> None:
    page = client.get(path).get_data(as_text=True)
    head_html, body = page.split("</head>")
    atom = f'href="/changes.atom?{args}"'
    ics = f'href="/calendar.ics?{args}"'
    assert 'rel="alternate" type="application/atom+xml"' in head_html and atom in head_html
    assert 'rel="alternate" type="text/calendar"' in head_html and ics in head_html
    assert atom in body and ics in body and f'href="/alerts?{args}"' in body
    # The links work.
    for link in (f"/changes.atom?{args}", f"/calendar.ics?{args}", f"/alerts?{args}"):
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link


# --- Calendar -------------------------------------------------------------------------------

PINNED_TODAY = dt.date(2026, 1, 1)


@pytest.fixture
def pinned_today(monkeypatch):
    monkeypatch.setattr(lifecycle, "today", lambda: PINNED_TODAY)
    return PINNED_TODAY


def calendar_events(client, query: str = "") -> list:
    response = client.get(f"/calendar.ics?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    return list(cal.walk("VEVENT"))


def expected_stages(today: dt.date) -> list[tuple[int, dt.date, str, str | None]]:
    """(record id, date, kind, stage) of every upcoming stage of a published measure, read
    from the rows."""
    out = []
    for m in live_measures():
        for e in m.events:
            if (
                e.kind in (EventKind.IN_FORCE, EventKind.APPLIES_FROM)
                and e.precision is DatePrecision.DAY
                and e.date > today
            ):
                out.append((m.record_id, e.date, e.kind.value, e.stage))
    return sorted(out, key=lambda t: (t[0], t[1], t[2], t[3] or ""))


def event_tuples(events) -> list[tuple[int, dt.date, str, str | None]]:
    out = []
    for ev in events:
        match = re.fullmatch(
            r"measure-(\d+)-(in_force|applies_from)-[0-9a-f]{12}(-[\d-]+)?@.+", str(ev["UID"])
        )
        assert match, ev["UID"]
        record_id = int(match.group(1))
        assert str(ev["URL"]) == f"http://localhost/measures/{record_id}"
        summary = str(ev["SUMMARY"])
        stage = summary.split(": ", 1)[1] if ": " in summary else None
        out.append((record_id, ev.decoded("DTSTART"), match.group(2), stage))
    return sorted(out, key=lambda t: (t[0], t[1], t[2], t[3] or ""))


def test_calendar_has_one_event_per_upcoming_stage(app_ctx, client, pinned_today) -> None:
    events = calendar_events(client)
    expected = expected_stages(pinned_today)
    assert len(expected) >= 3
    assert len(events) == len(expected)
    assert event_tuples(events) == expected
    for ev in events:
        # All-day: DTSTART is a DATE (VALUE=DATE), never a date-time.
        assert ev["DTSTART"].params.get("VALUE") == "DATE" or type(ev.decoded("DTSTART")) is dt.date
        assert type(ev.decoded("DTSTART")) is dt.date
        assert ev.decoded("DTEND") == ev.decoded("DTSTART") + dt.timedelta(days=1)
    uids = [str(ev["UID"]) for ev in events]
    assert len(set(uids)) == len(uids)


def test_calendar_pins_the_cra_stages(app_ctx, client, pinned_today) -> None:
    cra = db.session.scalar(visible(Measure).join(Record).where(Record.key == "eu-cra"))
    mine = [
        ev
        for ev in calendar_events(client)
        if str(ev["URL"]).endswith(f"/measures/{cra.record_id}")
    ]
    assert [(ev.decoded("DTSTART"), str(ev["SUMMARY"])) for ev in mine] == [
        (
            dt.date(2026, 6, 11),
            "CRA – applies: Chapter IV notification of conformity assessment bodies",
        ),
        (dt.date(2026, 9, 11), "CRA – applies: Art. 14 reporting obligations"),
        (dt.date(2027, 12, 11), "CRA – applies: main obligations (general application)"),
    ]
    # The CRA applies in Germany (an EU member State), not in the United States.
    de = {str(ev["UID"]) for ev in calendar_events(client, "jurisdiction=DE")}
    us = {str(ev["UID"]) for ev in calendar_events(client, "jurisdiction=US")}
    assert {str(ev["UID"]) for ev in mine} <= de and not {str(ev["UID"]) for ev in mine} & us


def test_calendar_filters(app_ctx, client, pinned_today) -> None:
    assert calendar_events(client, "kind=paper") == []
    everything = event_tuples(calendar_events(client))
    regulation = event_tuples(calendar_events(client, "type=regulation"))
    regs = {m.record_id for m in live_measures() if m.type.value == "regulation"}
    assert regulation == [t for t in everything if t[0] in regs]
    assert regulation and len(regulation) < len(everything)


def test_calendar_lists_only_published_measures_and_dates_to_the_day(
    app_ctx, client, make_measure, pinned_today
) -> None:
    events = [
        {"kind": "adopted", "date": "2025-06-01", "note": None},
        {"kind": "in_force", "date": "2026-03-01", "note": None, "stage": None},
        {"kind": "applies_from", "date": "2026-07", "note": None, "stage": "month only"},
        {"kind": "applies_from", "date": "2027", "note": None, "stage": "year only"},
    ]
    live = make_measure(short_name="TCALLIVE", events=events)
    make_measure(published=False, short_name="TCALDRAFT", events=events)
    found = [ev for ev in calendar_events(client) if "TCAL" in str(ev["SUMMARY"])]
    assert [(str(ev["SUMMARY"]), ev.decoded("DTSTART")) for ev in found] == [
        ("TCALLIVE – enters into force", dt.date(2026, 3, 1))
    ]
    assert str(found[0]["URL"]).endswith(f"/measures/{live.record_id}")


def test_calendar_uids_are_stable_across_requests_and_a_republish(
    app, client, login, make_user, pinned_today
) -> None:
    first = calendar_events(client)
    again = calendar_events(client)
    assert [ev.to_ical() for ev in first] == [ev.to_ical() for ev in again]
    with app.app_context():
        cra = db.session.scalar(visible(Measure).join(Record).where(Record.key == "eu-cra"))
        rid = cra.record_id
        old_event_ids = {e.id for e in cra.events}
    editor = login(client, "editor")
    path = f"/measures/{rid}/edit"
    fields = form_fields(client.get(path).get_data(as_text=True), path)
    response = client.post(path, data=as_data(replace(fields, status_note="re-published")))
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    publish_through_review(app, rid, editor.id, make_member(app, make_user).id)
    with app.app_context():
        cra = db.session.scalar(visible(Measure).where(Measure.record_id == rid))
        assert cra.status_note == "re-published"
        # The event rows are new copies: an id-based UID would have changed.
        assert not {e.id for e in cra.events} & old_event_ids
    after = calendar_events(client)
    assert sorted(str(ev["UID"]) for ev in after) == sorted(str(ev["UID"]) for ev in first)
    assert len(after) == len(first)


def test_calendar_dtstamp_is_the_publication_time(app_ctx, client, pinned_today) -> None:
    for ev in calendar_events(client):
        rid = int(str(ev["URL"]).rsplit("/", 1)[1])
        published = db.session.get(Record, rid).published_at
        if published.tzinfo is None:
            published = published.replace(tzinfo=dt.UTC)
        assert ev.decoded("DTSTAMP") == published.replace(microsecond=0)


def test_calendar_conditional_get(app, client, make_measure, pinned_today, monkeypatch) -> None:
    """A polling client gets a 304 until a measure is published (or the day changes)."""
    first = client.get("/calendar.ics?jurisdiction=DE")
    etag = first.headers["ETag"]
    again = client.get("/calendar.ics?jurisdiction=DE", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other = client.get("/calendar.ics?jurisdiction=FR", headers={"If-None-Match": etag})
    assert other.status_code == 200
    make_measure(
        jurisdiction_code="DE",
        short_name="TCALNEW",
        events=[{"kind": "in_force", "date": "2027-02-01", "note": None, "stage": None}],
    )
    changed = client.get("/calendar.ics?jurisdiction=DE", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and b"TCALNEW" in changed.data
    monkeypatch.setattr(lifecycle, "today", lambda: dt.date(2026, 1, 2))
    new_etag = changed.headers["ETag"]
    next_day = client.get("/calendar.ics?jurisdiction=DE", headers={"If-None-Match": new_etag})
    assert next_day.status_code == 200


def test_a_withdrawal_shows_in_the_feeds_its_last_public_copy_matched(
    app, client, login, make_measure, make_user
) -> None:
    """A withdrawn measure has no live copy: its last published revision decides, never
    the working copy (here edited to FR after the withdrawal, and never published)."""
    from tests.review_helpers import take

    measure = make_measure(jurisdiction_code="GB", short_name="TFOLLOWGONE", topics=["sbom"])
    rid = measure.record_id
    editor = login(client, "editor")
    take(app, rid, "withdraw", editor.id)
    path = f"/measures/{rid}/edit"
    fields = form_fields(client.get(path).get_data(as_text=True), path)
    response = client.post(path, data=as_data(replace(fields, jurisdiction_code="FR")))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context():
        changes = dict(
            db.session.execute(
                sa.select(Publication.id, Publication.action).where(Publication.record_id == rid)
            ).all()
        )
    assert sorted(changes.values()) == ["published", "withdrawn"]
    for query, listed in (
        ("jurisdiction=GB", True),
        ("jurisdiction=GB&topic=sbom", True),
        ("jurisdiction=FR", False),
        ("jurisdiction=GB&type=regulation", False),
        ("kind=paper&jurisdiction=GB", False),
    ):
        ids = set(feed_publications(client, query))
        assert (set(changes) <= ids) is listed and (not set(changes) & ids) is (not listed), query
