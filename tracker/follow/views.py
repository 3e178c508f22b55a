"""Routes for following changes: the calendar feed and e-mail alerts.

The Atom feed stays with the changelog (tracker.opendata). Every page here is public and
none shows an address: the pages after a subscription speak of "your address" only.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import BadRequest, ServiceUnavailable

from tracker.accounts.permissions import public
from tracker.extensions import db, limiter
from tracker.follow import alerts
from tracker.follow import calendar as cal
from tracker.follow import filters as follow
from tracker.follow.forms import ButtonForm, SubscribeForm
from tracker.follow.models import Frequency, Subscription
from tracker.opendata.changelog import tag_authority
from tracker.search.labels import endpoint_url

bp = Blueprint("follow", __name__)
#: what mail clients call, with no form and so no CSRF token (exempt as a whole)
mail_bp = Blueprint("follow_mail", __name__)


def _measure_url(record_id: int) -> str:
    return endpoint_url(
        "measures.detail", "/measures/{record_id}", external=True, record_id=record_id
    )


@bp.get("/calendar.ics")
@public
def calendar() -> Response:
    """Upcoming dates; a calendar client that polls gets a 304 without the calendar being
    built while no measure was published, withdrawn or deleted and the day is the same
    (the ETag is made of the publication stamp, the date and the filters)."""
    wanted = follow.parse(request.args)
    etag = cal.etag(wanted, tag_authority())
    if request.if_none_match.contains(etag):
        unchanged = Response(status=304)
        unchanged.set_etag(etag)
        unchanged.headers["Cache-Control"] = "public, max-age=300"
        return unchanged
    body = _kept_body((etag, request.host_url), lambda: _calendar_body(wanted))
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Content-Disposition"] = 'inline; filename="cyber-norms-upcoming.ics"'
    response.set_etag(etag)
    return response


#: calendars kept per process (by ETag and host): a new one per publication, day and filter
_KEPT_BODIES = 32


def _kept_body(key: tuple[str, str], build: Callable[[], bytes]) -> bytes:
    """The calendar for ``key``, built once per data version, day and filter in this process
    (at 40,000 measures building one takes seconds; reading it back, nothing)."""
    kept: OrderedDict[tuple[str, str], bytes] = current_app.extensions.setdefault(
        "calendar_bodies", OrderedDict()
    )
    if key in kept:
        kept.move_to_end(key)
        return kept[key]
    body = kept[key] = build()
    while len(kept) > _KEPT_BODIES:
        kept.popitem(last=False)
    return body


def _calendar_body(wanted: follow.FollowFilters) -> bytes:
    name = "Cyber Norms Tracker: upcoming dates"
    if wanted.active:
        name += f" ({follow.describe(wanted)})"
    return cal.ical(cal.upcoming(wanted), tag_authority(), _measure_url, name)


def _subscribe_rate() -> str:
    return str(current_app.config["ALERTS_SUBSCRIBE_RATE"])


@bp.route("/alerts", methods=["GET", "POST"])
@public
@limiter.limit(_subscribe_rate, methods=["POST"])
def subscribe() -> str | tuple[str, int]:
    wanted = follow.parse(request.args)
    form = SubscribeForm()
    about = follow.describe(wanted)
    if form.validate_on_submit():
        if not alerts.links_available():
            raise ServiceUnavailable(
                "E-mail alerts are not set up on this site yet (TRACKER_BASE_URL, its address "
                "for links in e-mails, is missing). Follow the Atom feed meanwhile."
            )
        sub = alerts.subscribe(form.email.data, wanted, Frequency(form.frequency.data))
        db.session.commit()
        if sub is not None:
            alerts.send_confirmation(sub)
        # The same page whether or not the address was already subscribed.
        return render_template(
            "follow/check_mail.html", about=about, hours=alerts.CONFIRM_MAX_AGE // 3600
        )
    status = 400 if form.errors else 200
    return render_template(
        "follow/subscribe.html", form=form, about=about, args=wanted.as_args()
    ), status


def _subscription(token: str, salt: str, max_age: int | None = None) -> Subscription:
    try:
        return alerts.subscription_for(token, salt, max_age)
    except alerts.TokenError as exc:
        raise BadRequest(str(exc)) from None


@bp.route("/alerts/confirm/<token>", methods=["GET", "POST"])
@public
def confirm(token: str) -> str:
    """GET asks, POST confirms: a mail scanner that follows links confirms nothing."""
    sub = _subscription(token, alerts.CONFIRM_SALT, alerts.CONFIRM_MAX_AGE)
    form = ButtonForm()
    about = alerts.describe_stored(sub)
    if form.validate_on_submit():
        alerts.confirm(sub)
        db.session.commit()
        return render_template(
            "follow/done.html",
            heading="Alerts confirmed",
            message=(
                f"You will receive a {sub.frequency.label.lower()} digest of the changes "
                f"published for {about}, on days when there are some. Every digest has an "
                "unsubscribe link."
            ),
        )
    return render_template(
        "follow/confirm.html", form=form, about=about, sub=sub, confirmed=sub.confirmed_at
    )


@bp.route("/alerts/unsubscribe/<token>", methods=["GET", "POST"])
@public
def unsubscribe(token: str) -> str:
    sub = _subscription(token, alerts.UNSUBSCRIBE_SALT)
    form = ButtonForm()
    if form.validate_on_submit():
        alerts.unsubscribe(sub)
        db.session.commit()
        return render_template(
            "follow/done.html",
            heading="Unsubscribed",
            message="The subscription and the address it was for are deleted.",
        )
    return render_template("follow/unsubscribe.html", form=form, about=alerts.describe_stored(sub))


@mail_bp.post("/alerts/unsubscribe/<token>/one-click")
@public
def one_click_unsubscribe(token: str) -> Response:
    """RFC 8058: a mail client's one-click unsubscribe (a POST carrying
    ``List-Unsubscribe=One-Click``); the signed token is the authority, as no form was
    shown."""
    if request.form.get("List-Unsubscribe") != "One-Click":
        raise BadRequest("A one-click unsubscribe posts List-Unsubscribe=One-Click.")
    sub = _subscription(token, alerts.UNSUBSCRIBE_SALT)
    alerts.unsubscribe(sub)
    db.session.commit()
    return Response("Unsubscribed.\n", content_type="text/plain; charset=utf-8")
