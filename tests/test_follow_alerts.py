"""E-mail alerts end to end: subscribe, the confirmation mail (caught by a local SMTP
server), confirm, a change published through review, the digest job, unsubscribe."""

from __future__ import annotations

import email
import re
import socket
import time
from collections.abc import Iterator
from email.message import Message

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from tests.conftest import csrf_token
from tests.review_helpers import make_member, publish_through_review
from tracker.extensions import db, limiter
from tracker.follow import alerts
from tracker.follow.models import Subscription

ADDRESS = "reader.alerts@example.org"


class Sink:
    """aiosmtpd handler: keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd API
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp(app) -> Iterator[Sink]:
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=controller.port,
        SMTP_STARTTLS=False,
        SMTP_FROM="Tracker <alerts@tracker.example.org>",
        BASE_URL="https://tracker.example.org",
    )
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def fresh_limits(app) -> None:
    with app.app_context():
        limiter.reset()


def body_of(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def link(text: str, path: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(path)}[^\s]+)", text)
    assert match, f"no {path} link in:\n{text}"
    return match.group(1)


def subscribe(client, app, query: str = "jurisdiction=GB", frequency: str = "daily", **extra):
    page = client.get(f"/alerts?{query}")
    assert page.status_code == 200
    return client.post(
        f"/alerts?{query}",
        data={
            "email": extra.pop("email", ADDRESS),
            "frequency": frequency,
            "csrf_token": csrf_token(app, client),
        },
    )


def row(address: str = ADDRESS) -> Subscription | None:
    return db.session.scalar(sa.select(Subscription).where(Subscription.email == address))


def test_alert_round_trip(app, client, smtp, make_measure, make_user, runner) -> None:
    # Subscribe: a page that names no address, and one confirmation mail.
    response = subscribe(client, app)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Check your e-mail" in page and ADDRESS not in page
    [confirmation] = smtp.to(ADDRESS)
    assert confirmation["Subject"] == "[Cyber Norms Tracker] Confirm your alerts"
    text = body_of(confirmation)
    assert "jurisdiction United Kingdom" in text and "daily digest" in text
    with app.app_context():
        sub = row()
        assert (
            sub is not None and sub.confirmed_at is None and sub.filters == {"jurisdiction": ["GB"]}
        )

    # Following the link asks; only the POST (with its CSRF token) confirms.
    confirm_path = link(text, "/alerts/confirm/")
    asked = client.get(confirm_path)
    assert asked.status_code == 200 and ADDRESS not in asked.get_data(as_text=True)
    with app.app_context():
        assert row().confirmed_at is None
    refused = client.post(confirm_path, data={})
    assert refused.status_code == 400
    with app.app_context():
        assert row().confirmed_at is None
    done = client.post(confirm_path, data={"csrf_token": csrf_token(app, client)})
    assert done.status_code == 200 and "Alerts confirmed" in done.get_data(as_text=True)
    with app.app_context():
        assert row().confirmed_at is not None

    # Two changes through the real review path: one in GB, one in France.
    editor = make_user("editor")
    reviewer = make_member(app, make_user)
    gb = make_measure(published=False, jurisdiction_code="GB", short_name="TALERTGB")
    fr = make_measure(published=False, jurisdiction_code="FR", short_name="TALERTFR")
    for measure in (gb, fr):
        publish_through_review(app, measure.record_id, editor.id, reviewer.id)

    # The digest job: exactly one mail, listing the GB change only.
    before = len(smtp.messages)
    result = runner.invoke(args=["alerts", "send-digests", "--frequency", "daily"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 daily digest" in result.output
    digests = smtp.messages[before:]
    assert len(digests) == 1 and digests[0]["To"] == ADDRESS
    digest = body_of(digests[0])
    assert "TALERTGB" in digest and "TALERTFR" not in digest
    assert f"https://tracker.example.org/measures/{gb.record_id}" in digest
    assert digests[0]["Subject"] == "[Cyber Norms Tracker] 1 published change"
    one_click = digests[0]["List-Unsubscribe"]
    assert re.fullmatch(
        r"<https://tracker\.example\.org/alerts/unsubscribe/\S+/one-click>", one_click
    )
    assert digests[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Run again: nothing new, nothing sent; a weekly run does not mail a daily subscriber.
    for frequency in ("daily", "weekly"):
        again = runner.invoke(args=["alerts", "send-digests", "--frequency", frequency])
        assert again.exit_code == 0 and "Sent 0" in again.output
    assert len(smtp.messages) == before + 1

    # Unsubscribe: the link shows a page; the POST deletes the row.
    unsubscribe_path = link(digest, "/alerts/unsubscribe/")
    shown = client.get(unsubscribe_path)
    assert shown.status_code == 200 and "Unsubscribe" in shown.get_data(as_text=True)
    with app.app_context():
        assert row() is not None
    gone = client.post(unsubscribe_path, data={"csrf_token": csrf_token(app, client)})
    assert gone.status_code == 200 and "Unsubscribed" in gone.get_data(as_text=True)
    with app.app_context():
        assert row() is None
    # The link is spent: it says so.
    spent = client.get(unsubscribe_path)
    assert spent.status_code == 400 and "no such subscription" in spent.get_data(as_text=True)


def test_one_click_unsubscribe(app, client, smtp) -> None:
    subscribe(client, app, "norm=c", "weekly")
    [mail] = smtp.to(ADDRESS)
    target = mail["List-Unsubscribe"].strip("<>").split("tracker.example.org", 1)[1]
    assert client.post(target, data={}).status_code == 400  # not a one-click request
    response = client.post(target, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    with app.app_context():
        assert row() is None


def test_subscribing_twice_sends_no_second_subscription(app, client, smtp) -> None:
    subscribe(client, app)
    subscribe(client, app)
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Subscription)
                .where(Subscription.email == ADDRESS)
            )
            == 1
        )


@pytest.mark.parametrize(
    ("email_value", "frequency", "error"),
    [
        ("not an address", "daily", "This is not an e-mail address"),
        ("", "daily", "Give the address"),
        (ADDRESS, "hourly", "Not a valid choice"),
    ],
)
def test_bad_subscriptions_are_refused(app, client, smtp, email_value, frequency, error) -> None:
    response = subscribe(client, app, frequency=frequency, email=email_value)
    assert response.status_code == 400
    assert error in response.get_data(as_text=True)
    assert smtp.messages == []


def test_subscribing_needs_the_csrf_token(app, client, smtp) -> None:
    response = client.post("/alerts", data={"email": ADDRESS, "frequency": "daily"})
    assert response.status_code == 400
    with app.app_context():
        assert row() is None


def test_subscribing_is_rate_limited(app, client, smtp) -> None:
    codes = [subscribe(client, app, email=f"reader{n}@example.org").status_code for n in range(6)]
    assert codes == [200] * 5 + [429]


def confirm_token(app, sub_id: int, address: str, *, age: int = 0, key: str | None = None) -> str:
    class Aged(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - age

    serializer = URLSafeTimedSerializer(
        key or app.secret_key, salt=alerts.CONFIRM_SALT, signer=Aged
    )
    return serializer.dumps([sub_id, alerts._address_digest(address)])


def test_expired_and_forged_links_are_refused(app, client, smtp) -> None:
    subscribe(client, app)
    with app.app_context():
        sub_id = row().id
    expired = confirm_token(app, sub_id, ADDRESS, age=alerts.CONFIRM_MAX_AGE + 60)
    fresh = confirm_token(app, sub_id, ADDRESS, age=60)
    forged = confirm_token(app, sub_id, ADDRESS, key="not the secret key of this site at all")
    other = confirm_token(app, sub_id, "someone.else@example.org")
    cases = [
        (expired, "This confirmation link has expired"),
        (forged, "This link is not valid"),
        (fresh[:-3], "This link is not valid"),
        (other, "There is no such subscription"),
    ]
    for token, message in cases:
        response = client.get(f"/alerts/confirm/{token}")
        assert response.status_code == 400, token
        assert message in response.get_data(as_text=True)
        post = client.post(f"/alerts/confirm/{token}", data={"csrf_token": csrf_token(app, client)})
        assert post.status_code == 400
    with app.app_context():
        assert row().confirmed_at is None
    # An unsubscribe token is not a confirmation token (and the other way round).
    unsub = URLSafeTimedSerializer(app.secret_key, salt=alerts.UNSUBSCRIBE_SALT).dumps(
        [sub_id, alerts._address_digest(ADDRESS)]
    )
    assert client.get(f"/alerts/confirm/{unsub}").status_code == 400
    assert client.get(f"/alerts/confirm/{fresh}").status_code == 200


def test_the_address_appears_on_no_public_page(app, client, smtp) -> None:
    subscribe(client, app)
    [mail] = smtp.to(ADDRESS)
    client.post(
        link(body_of(mail), "/alerts/confirm/"), data={"csrf_token": csrf_token(app, client)}
    )
    with app.app_context():
        assert row().confirmed_at is not None
    reader = app.test_client()
    for path in (
        "/",
        "/changes",
        "/changes.atom",
        "/changes.atom?jurisdiction=GB",
        "/calendar.ics",
        "/alerts?jurisdiction=GB",
        "/measures/?jurisdiction=GB",
        "/jurisdictions/GB",
        "/export/measures.json",
        "/export/measures.csv",
        "/api/v1/measures",
        "/api/v1/openapi.json",
        "/search/?q=reader",
        "/data/codebook.json",
    ):
        response = reader.get(path)
        assert response.status_code == 200, path
        assert b"reader.alerts" not in response.data, path


def test_digests_without_a_mail_server_are_logged(app, client, smtp, runner, caplog, make_measure):
    subscribe(client, app)
    [mail] = smtp.to(ADDRESS)
    client.post(
        link(body_of(mail), "/alerts/confirm/"), data={"csrf_token": csrf_token(app, client)}
    )
    make_measure(jurisdiction_code="GB", short_name="TALERTLOG")
    app.config["SMTP_HOST"] = None
    with caplog.at_level("INFO"):
        result = runner.invoke(args=["alerts", "send-digests", "--frequency", "daily"])
    assert result.exit_code == 0 and "Sent 1" in result.output
    assert any("TALERTLOG" in r.getMessage() for r in caplog.records)
    assert len(smtp.messages) == 1  # the confirmation only


def test_digests_need_the_site_address(app, runner) -> None:
    app.config["BASE_URL"] = None
    result = runner.invoke(args=["alerts", "send-digests", "--frequency", "daily"])
    assert result.exit_code != 0 and "TRACKER_BASE_URL is not set" in result.output
    bad = runner.invoke(args=["alerts", "send-digests", "--frequency", "hourly"])
    assert bad.exit_code != 0 and "hourly" in bad.output


def test_production_without_the_site_address_offers_no_alerts(app, client, smtp) -> None:
    """Mail links never come from the request's Host header: without TRACKER_BASE_URL a
    production site refuses subscriptions (503) and stores nothing."""
    app.config.update(BASE_URL=None, TESTING=False, ENV="production")
    response = subscribe(client, app, email="prod.reader@example.org")
    assert response.status_code == 503
    assert "TRACKER_BASE_URL" in response.get_data(as_text=True)
    with app.app_context():
        assert row("prod.reader@example.org") is None
    assert smtp.messages == []


def test_migration_0019_creates_and_drops_the_table(fresh_database_url) -> None:
    from tests.conftest import standalone_app

    with standalone_app(fresh_database_url) as app, app.app_context():
        runner = app.test_cli_runner()
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        db.session.execute(
            sa.text(
                "INSERT INTO alert_subscriptions (email, filters, query, frequency, created_at)"
                " VALUES ('a@example.org', '{}', '', 'daily', CURRENT_TIMESTAMP)"
            )
        )
        db.session.commit()
        db.session.remove()
        result = runner.invoke(args=["db", "downgrade", "0018"])
        assert result.exit_code == 0, result.output
        assert "alert_subscriptions" not in sa.inspect(db.engine).get_table_names()
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        assert "alert_subscriptions" in sa.inspect(db.engine).get_table_names()


def test_a_subscription_whose_filter_no_longer_parses_does_not_stop_the_others(
    app, runner, smtp, make_measure, caplog
) -> None:
    from tracker.modelbase import utcnow

    with app.app_context():
        for address, filters in (
            ("gone.topic@example.org", {"topic": ["no-longer-a-topic"]}),
            ("still.fine@example.org", {"jurisdiction": ["GB"]}),
        ):
            db.session.add(
                Subscription(
                    email=address,
                    filters=filters,
                    query=str(filters),
                    frequency=alerts.Frequency.DAILY,
                    confirmed_at=utcnow(),
                    last_publication_id=0,
                )
            )
        db.session.commit()
    make_measure(jurisdiction_code="GB", short_name="TALERTOTHERS")
    with caplog.at_level("WARNING"):
        result = runner.invoke(args=["alerts", "send-digests", "--frequency", "daily"])
    assert result.exit_code == 0, result.output
    assert [m["To"] for m in smtp.messages] == ["still.fine@example.org"]
    assert any("Unknown topic: no-longer-a-topic" in r.getMessage() for r in caplog.records)


def test_with_redis_the_command_queues_the_digest_for_the_worker(
    app, client, smtp, runner, make_measure
) -> None:
    """With TRACKER_REDIS_URL the command only queues; the RQ worker sends."""
    import uuid

    from redis import Redis
    from rq import Queue, SimpleWorker

    subscribe(client, app)
    [mail] = smtp.to(ADDRESS)
    client.post(
        link(body_of(mail), "/alerts/confirm/"), data={"csrf_token": csrf_token(app, client)}
    )
    make_measure(jurisdiction_code="GB", short_name="TALERTQUEUED")
    url = "redis://127.0.0.1:6379/14"
    queue_name = f"test-alerts-{uuid.uuid4().hex}"
    app.config.update(REDIS_URL=url, REPORTS_QUEUE=queue_name)
    redis = Redis.from_url(url)
    queue = Queue(queue_name, connection=redis)
    try:
        result = runner.invoke(args=["alerts", "send-digests", "--frequency", "daily"])
        assert result.exit_code == 0, result.output
        assert "Queued the daily digests" in result.output
        assert queue.count == 1 and len(smtp.messages) == 1
        with app.app_context():
            SimpleWorker([queue], connection=redis).work(burst=True)
        digests = smtp.messages[1:]
        assert len(digests) == 1 and "TALERTQUEUED" in body_of(digests[0])
    finally:
        queue.delete(delete_jobs=True)
