"""Alert digests: to each confirmed subscriber of a frequency, one mail listing the
published changes matching their filters since their last digest.

``flask alerts send-digests --frequency daily|weekly`` runs it (cron or a scheduler calls
the command; with TRACKER_REDIS_URL the command queues it for the RQ worker). A run mails
only subscribers with something new, and moves each one's mark to the newest publication
it has looked at, so running twice sends nothing twice. A mail that the server refuses
leaves the mark where it was: the next run tries again.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import current_app

from tracker.extensions import db
from tracker.follow import alerts
from tracker.follow.filters import from_stored, publications
from tracker.follow.models import Frequency, Subscription
from tracker.modelbase import utcnow
from tracker.opendata import changelog
from tracker.queryargs import InvalidArgument
from tracker.records.models import Publication
from tracker.review.notify import send_email

log = logging.getLogger(__name__)

#: changes listed in one mail; more are counted and linked to the changelog
MAX_LISTED = 50


def _body(sub: Subscription, items: list[changelog.Change], more: int, about: str) -> str:
    lines = [f"Changes published on the Cyber Norms Tracker for {about}:", ""]
    for change in items:
        p = change.publication
        when = change.at.strftime("%Y-%m-%d")
        lines.append(f"- {when} {change.action_label}: {p.label} ({change.kind_label})")
        if p.summary:
            lines.append(f"  {p.summary}")
        if change.url:
            lines.append(f"  {change.url}")
    if more:
        lines += ["", f"… and {more} more: {_changes_url()}"]
    lines += [
        "",
        f"You receive this {sub.frequency.label.lower()} digest because this address "
        "subscribed to it and confirmed.",
        f"Unsubscribe (one click, then confirm): {alerts.unsubscribe_url(sub)}",
    ]
    return "\n".join(lines) + "\n"


def _changes_url() -> str:
    from flask import url_for

    return url_for("opendata.changes", _external=True)


def send_digests(frequency: str) -> int:
    """Mail every confirmed ``frequency`` subscriber what is new for them; the number of
    mails handed over (or logged, without a mail server). Commits after each subscriber."""
    freq = Frequency.parse(frequency)
    newest = db.session.scalar(sa.select(sa.func.max(Publication.id)))
    subs = list(
        db.session.scalars(
            sa.select(Subscription)
            .where(Subscription.frequency == freq, Subscription.confirmed_at.is_not(None))
            .order_by(Subscription.id)
        )
    )
    sent = 0
    for sub in subs:
        try:
            wanted = from_stored(sub.filters)
        except InvalidArgument as exc:
            # A followed topic or code that no longer exists: this subscriber waits (and the
            # log says why); the others get their digests.
            log.warning("Alert subscription %d skipped: %s", sub.id, exc)
            continue
        stmt = publications(wanted)
        if sub.last_publication_id is not None:
            stmt = stmt.where(Publication.id > sub.last_publication_id)
        if newest is not None:
            stmt = stmt.where(Publication.id <= newest)
        found = list(db.session.scalars(stmt.limit(MAX_LISTED + 1)))
        if found:
            total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
            items = changelog.with_links(found[:MAX_LISTED], external=True)
            body = _body(sub, items, (total or 0) - len(items), alerts.describe(wanted))
            count = len(found) if len(found) <= MAX_LISTED else total
            subject = f"{count} published change{'' if count == 1 else 's'}"
            handed = send_email(sub.email, subject, body, headers=alerts.unsubscribe_headers(sub))
            if not handed and alerts.mail_configured():
                continue  # refused or unreachable: try again next run
            sub.last_sent_at = utcnow()
            sent += 1
        sub.last_publication_id = newest
        db.session.commit()
    log.info("Alert digests (%s): %d mail(s) for %d subscriber(s)", freq.value, sent, len(subs))
    return sent


def enqueue(frequency: str) -> Any:
    """Queue ``send_digests`` for the RQ worker (``flask reports worker``)."""
    from redis import Redis
    from rq import Queue

    app = current_app
    queue = Queue(app.config["REPORTS_QUEUE"], connection=Redis.from_url(app.config["REDIS_URL"]))
    return queue.enqueue(
        "tracker.follow.cli.run_digests", Frequency.parse(frequency).value, result_ttl=3600
    )
