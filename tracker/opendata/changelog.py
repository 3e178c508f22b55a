"""The public changelog (/changes) and its Atom feed, read only from the publications log.

``records.services.publish`` and ``withdraw`` write a ``Publication`` row in the
same transaction as the change; nothing else is public history (revisions hold
drafts). Rows of deleted records are left out. A row links to the record's
public page only while the record has a live copy.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app, url_for

from tracker.attribution.models import Attribution
from tracker.extensions import db
from tracker.measures.models import Measure
from tracker.papers.models import Paper
from tracker.records.models import Publication, Record, RecordKind
from tracker.search.labels import endpoint_url

MODELS: dict[RecordKind, Any] = {
    RecordKind.MEASURE: Measure,
    RecordKind.PAPER: Paper,
    RecordKind.ATTRIBUTION: Attribution,
}
ACTIONS = {"published": "Published", "updated": "Updated", "withdrawn": "Withdrawn"}
#: the year in tag URIs (RFC 4151): fixed, so entry ids never change
TAG_YEAR = "2026"
FEED_SIZE = 50


@dataclass
class Change:
    publication: Publication
    #: the public page, while the record is published
    url: str | None

    @property
    def action_label(self) -> str:
        return ACTIONS.get(self.publication.action, self.publication.action.capitalize())

    @property
    def kind_label(self) -> str:
        return self.publication.kind.label

    @property
    def at(self) -> dt.datetime:
        return aware(self.publication.at)


def aware(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive timestamps; every stored timestamp is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def changes_query() -> sa.Select[Any]:
    return (
        sa.select(Publication)
        .join(Record, Record.id == Publication.record_id)
        .where(Record.deleted_at.is_(None))
        .order_by(Publication.at.desc(), Publication.id.desc())
    )


def page_url(kind: RecordKind, record_id: int, *, external: bool = False) -> str:
    if kind is RecordKind.MEASURE:
        return endpoint_url(
            "measures.detail", "/measures/{record_id}", external=external, record_id=record_id
        )
    if kind is RecordKind.PAPER:
        return url_for("papers.detail", record_id=record_id, _external=external)
    return url_for("attribution.detail", record_id=record_id, _external=external)


def with_links(publications: list[Publication], *, external: bool = False) -> list[Change]:
    ids: dict[RecordKind, set[int]] = defaultdict(set)
    for p in publications:
        ids[p.kind].add(p.record_id)
    live: set[tuple[RecordKind, int]] = set()
    for kind, record_ids in ids.items():
        model = MODELS[kind]
        stmt = sa.select(model.record_id).where(model.record_id.in_(record_ids), model.is_live)
        live.update((kind, r) for r in db.session.scalars(stmt))
    return [
        Change(
            p,
            page_url(p.kind, p.record_id, external=external)
            if (p.kind, p.record_id) in live
            else None,
        )
        for p in publications
    ]


def tag_authority() -> str:
    """The DNS name in tag URIs: TRACKER_FEED_TAG_AUTHORITY, else the host of SERVER_NAME,
    else "localhost". Never the request's Host header: entry ids must not change with the
    name a reader used (or a client made up)."""
    configured = current_app.config.get("FEED_TAG_AUTHORITY")
    server_name = current_app.config.get("SERVER_NAME") or ""
    return str(configured or server_name.rsplit(":", 1)[0] or "localhost")


def last_modified(changes: list[Change]) -> dt.datetime:
    """When the feed last changed: its newest entry, or a later deletion (a deleted record's
    entries leave the feed without a newer entry)."""
    newest = changes[0].at if changes else dt.datetime(int(TAG_YEAR), 1, 1, tzinfo=dt.UTC)
    deleted = db.session.scalar(
        sa.select(sa.func.max(Record.deleted_at)).where(
            Record.id.in_(sa.select(Publication.record_id))
        )
    )
    return max(newest, aware(deleted)) if deleted else newest


def tag(specific: str) -> str:
    return f"tag:{tag_authority()},{TAG_YEAR}:{specific}"


#: what XML 1.0 cannot carry: C0 controls other than tab, LF and CR; lone surrogates;
#: U+FFFE and U+FFFF
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """``value`` without the characters XML cannot carry: a stored title with a control
    character (saved before forms refused them) must not take the whole feed down."""
    return NOT_XML.sub("", value)


def atom_feed(
    changes: list[Change], args: dict[str, list[str]] | None = None, about: str = ""
) -> bytes:
    """The feed of ``changes``; ``args`` are the followed filters (tracker.follow.filters),
    which name the feed (its id and self link) and ``about`` says in words."""
    from urllib.parse import urlencode

    from feedgen.feed import FeedGenerator

    args = args or {}
    self_args: dict[str, Any] = dict(args)
    feed = FeedGenerator()
    query = urlencode(args, doseq=True)
    feed.id(tag(f"changes?{query}" if query else "changes"))
    feed.title(
        xml_text(f"Cyber Norms Tracker: published changes ({about})")
        if args
        else "Cyber Norms Tracker: published changes"
    )
    feed.subtitle("Records published, updated or withdrawn on the Cyber Norms Tracker.")
    feed.author({"name": "Cyber Norms Tracker"})
    feed.link(
        href=url_for("opendata.changes_feed", _external=True, **self_args),
        rel="self",
        type="application/atom+xml",
    )
    feed.link(href=url_for("opendata.changes", _external=True), rel="alternate", type="text/html")
    feed.language("en")
    feed.updated(changes[0].at if changes else dt.datetime(int(TAG_YEAR), 1, 1, tzinfo=dt.UTC))
    for change in changes:
        p = change.publication
        entry = feed.add_entry(order="append")
        entry.id(tag(f"publication-{p.id}"))
        entry.title(xml_text(f"{change.action_label}: {p.label}"))
        entry.updated(change.at)
        entry.published(change.at)
        entry.category(term=p.kind.value, label=change.kind_label)
        text = f"{change.kind_label} {change.action_label.lower()}: {p.label}."
        if p.summary:
            text += f" {p.summary}"
        entry.content(xml_text(text), type="text")
        if change.url:
            entry.link(href=change.url, rel="alternate", type="text/html")
    return feed.atom_str(pretty=True)
