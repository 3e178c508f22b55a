"""E-mail alerts: subscribe (double opt-in), confirm, unsubscribe, and the signed links.

Links carry a token signed with the app's secret (itsdangerous, as Flask's sessions): the
subscription's number and a digest of its address, so a token fits one subscription only
and never shows the address. A confirmation link expires after CONFIRM_MAX_AGE; an
unsubscribe link does not (it must work from any old digest). Unsubscribing deletes the row.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from tracker.extensions import db
from tracker.follow.filters import FollowFilters, describe
from tracker.follow.models import Frequency, Subscription
from tracker.modelbase import utcnow
from tracker.records.models import Publication
from tracker.review.notify import send_email

CONFIRM_MAX_AGE = 48 * 3600
CONFIRM_SALT = "alerts-confirm"
UNSUBSCRIBE_SALT = "alerts-unsubscribe"
#: an address as mail servers take it: no spaces or controls, one @, a dotted domain
ADDRESS = re.compile(r"[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+")


class NoSiteAddress(RuntimeError):
    """TRACKER_BASE_URL is not set where mail links need it."""


@contextmanager
def site_links() -> Iterator[None]:
    """Inside, ``url_for(_external=True)`` builds links to the public site, TRACKER_BASE_URL:
    never the Host header of the request that caused the mail (anyone can send one that
    names another site, and the mail would carry their links). Without it, only a
    development or test app falls back to the request's host."""
    base = current_app.config.get("BASE_URL")
    if base:
        with current_app.test_request_context("/", base_url=base):
            yield
        return
    if has_request_context() and links_available():
        yield
        return
    raise NoSiteAddress(
        "TRACKER_BASE_URL is not set: e-mails link to the site, so say where it is "
        "(e.g. TRACKER_BASE_URL=https://tracker.example.org)."
    )


def links_available() -> bool:
    """Whether mails can link to the site (see ``site_links``)."""
    config = current_app.config
    return (
        bool(config.get("BASE_URL")) or config.get("ENV") == "development" or (current_app.testing)
    )


class TokenError(ValueError):
    """A link that is forged, damaged, expired or for a subscription that is gone; the
    message says which, in words a reader can act on."""


def valid_address(address: str) -> bool:
    return len(address) <= 254 and ADDRESS.fullmatch(address) is not None


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=salt)  # type: ignore[arg-type]


def _address_digest(email: str) -> str:
    return hashlib.sha256(email.lower().encode()).hexdigest()[:16]


def token(sub: Subscription, salt: str) -> str:
    return _serializer(salt).dumps([sub.id, _address_digest(sub.email)])


def subscription_for(value: str, salt: str, max_age: int | None = None) -> Subscription:
    """The subscription a token names; TokenError when it is not a good token for one."""
    try:
        sub_id, digest = _serializer(salt).loads(value, max_age=max_age)
    except SignatureExpired:
        raise TokenError(
            "This confirmation link has expired. Subscribe again to get a new one."
        ) from None
    except (BadSignature, ValueError, TypeError):
        raise TokenError(
            "This link is not valid: it may have been cut short or changed. "
            "Use the whole link from the e-mail."
        ) from None
    sub = db.session.get(Subscription, sub_id) if isinstance(sub_id, int) else None
    if sub is None or _address_digest(sub.email) != digest:
        raise TokenError("There is no such subscription: it may have been cancelled already.")
    return sub


def canonical_query(filters: FollowFilters) -> str:
    return urlencode(sorted((k, v) for k, vs in filters.as_args().items() for v in vs))


def subscribe(email: str, filters: FollowFilters, frequency: Frequency) -> Subscription | None:
    """A new unconfirmed subscription, or None when the address already follows these
    filters (confirmed or not: the reader sees the same page either way, so the form tells
    nobody which addresses are subscribed). The caller commits and sends the mail."""
    query = canonical_query(filters)
    existing = db.session.scalar(
        sa.select(Subscription).where(Subscription.email == email, Subscription.query == query)
    )
    if existing is not None:
        return existing if existing.confirmed_at is None else None
    sub = Subscription(email=email, filters=filters.as_args(), query=query, frequency=frequency)
    db.session.add(sub)
    db.session.flush()
    return sub


def confirm(sub: Subscription) -> None:
    """Start the digests: they list changes published from now on."""
    if sub.confirmed_at is None:
        sub.confirmed_at = utcnow()
        sub.last_publication_id = db.session.scalar(sa.select(sa.func.max(Publication.id)))


def unsubscribe(sub: Subscription) -> None:
    db.session.delete(sub)


def unsubscribe_url(sub: Subscription) -> str:
    return url_for("follow.unsubscribe", token=token(sub, UNSUBSCRIBE_SALT), _external=True)


def unsubscribe_headers(sub: Subscription) -> dict[str, str]:
    """RFC 2369 / RFC 8058: mail clients offer a one-click unsubscribe (a POST)."""
    one_click = url_for(
        "follow_mail.one_click_unsubscribe", token=token(sub, UNSUBSCRIBE_SALT), _external=True
    )
    return {
        "List-Unsubscribe": f"<{one_click}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def send_confirmation(sub: Subscription) -> bool:
    with site_links():
        return _send_confirmation(sub)


def _send_confirmation(sub: Subscription) -> bool:
    link = url_for("follow.confirm", token=token(sub, CONFIRM_SALT), _external=True)
    hours = CONFIRM_MAX_AGE // 3600
    body = (
        "Someone (we hope you) asked for e-mail alerts from the Cyber Norms Tracker:\n"
        f"a {sub.frequency.label.lower()} digest of published changes for "
        f"{describe_stored(sub)}.\n\n"
        f"To start the alerts, open this link within {hours} hours and confirm:\n{link}\n\n"
        "If you did not ask for this, ignore this e-mail: nothing more will be sent.\n\n"
        f"To forget this address now: {unsubscribe_url(sub)}\n"
    )
    return send_email(sub.email, "Confirm your alerts", body, headers=unsubscribe_headers(sub))


def describe_stored(sub: Subscription) -> str:
    from tracker.follow.filters import from_stored

    return describe(from_stored(sub.filters))


def mail_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))
