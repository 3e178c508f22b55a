"""Sign-in rate limit: 10 failed attempts per minute per account and per client address;
the 11th attempt is refused with 429; after the window the right password works again.

The clock is injected, so "after the window" needs no sleeping. The Redis-backed store
is tested against the real Redis on 127.0.0.1:6379 under a key prefix of its own.
"""

from __future__ import annotations

import uuid

import pytest
import redis
import sqlalchemy as sa

from tests.conftest import csrf_token, seed
from tracker.accounts import passwords, throttle
from tracker.accounts.models import LoginFailure, Role, User
from tracker.extensions import db

PASSWORD = "correct horse battery"
REDIS_URL = "redis://127.0.0.1:6379/0"


class Clock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app):
    c = Clock()
    app.extensions["login_throttle"].clock = c
    return c


@pytest.fixture
def accounts(app, make_user):
    emails = ["one@example.org", "two@example.org"]
    with app.app_context():
        for email in emails:
            user = db.session.get(User, make_user("editor", email=email).id)
            user.password_hash = passwords.hash_password(PASSWORD)
        db.session.commit()
    return emails


def attempt(app, client, email, password, address="192.0.2.10"):
    return client.post(
        "/login",
        data={"csrf_token": csrf_token(app, client), "email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def signed_in(client) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def test_eleventh_failed_login_within_a_minute_is_refused_then_works_after_the_window(
    app, client, accounts, clock
):
    for i in range(10):
        response = attempt(app, client, accounts[0], f"wrong password {i}")
        assert response.status_code == 200, f"attempt {i + 1}"
        assert "Wrong e-mail address or password." in response.get_data(as_text=True)
        clock.now += 5  # ten failures spread over 45 seconds

    refused = attempt(app, client, accounts[0], "wrong password 11")
    assert refused.status_code == 429
    text = refused.get_data(as_text=True)
    assert "Too many failed sign-in attempts" in text and "try again" in text
    assert int(refused.headers["Retry-After"]) > 0

    # Even the right password is refused while the limit holds.
    assert attempt(app, client, accounts[0], PASSWORD).status_code == 429
    assert not signed_in(client)

    # A minute after the first failure, one failure has left the window: the right password works.
    clock.now += 61 - 50
    response = attempt(app, client, accounts[0], PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_json_clients_get_a_json_429(app, client, accounts, clock):
    for i in range(10):
        attempt(app, client, accounts[0], f"wrong {i}")
    response = client.post(
        "/login",
        data={"csrf_token": csrf_token(app, client), "email": accounts[0], "password": "x"},
        headers={"Accept": "application/json"},
        environ_base={"REMOTE_ADDR": "192.0.2.10"},
    )
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.get_json()["error"]["message"]


def test_limit_per_account_counts_across_addresses(app, accounts, clock):
    for i in range(10):
        assert (
            attempt(
                app, app.test_client(), accounts[0], "wrong", address=f"198.51.100.{i}"
            ).status_code
            == 200
        )
    assert (
        attempt(app, app.test_client(), accounts[0], PASSWORD, address="198.51.100.99").status_code
        == 429
    )
    # Another account from a fresh address is not affected.
    assert (
        attempt(app, app.test_client(), accounts[1], PASSWORD, address="198.51.100.98").status_code
        == 302
    )


def test_limit_per_address_counts_across_accounts(app, accounts, clock):
    client = app.test_client()
    for i in range(10):
        assert (
            attempt(
                app, client, f"guess{i}@example.org", "wrong", address="203.0.113.5"
            ).status_code
            == 200
        )
    assert attempt(app, client, accounts[1], PASSWORD, address="203.0.113.5").status_code == 429
    # The same account from another address is fine.
    assert (
        attempt(app, app.test_client(), accounts[1], PASSWORD, address="203.0.113.6").status_code
        == 302
    )


def test_right_password_clears_the_account_count(app, accounts, clock):
    client = app.test_client()
    for _ in range(9):
        attempt(app, client, accounts[0], "wrong", address="192.0.2.1")
    assert attempt(app, client, accounts[0], PASSWORD, address="192.0.2.2").status_code == 302
    for _ in range(9):
        assert (
            attempt(app, app.test_client(), accounts[0], "wrong", address="192.0.2.3").status_code
            == 200
        )


def test_sliding_window_counts_across_a_minute_boundary():
    clock = Clock(1_800_000_055.0)  # five seconds before a whole minute
    t = throttle.LoginThrottle(throttle.MemoryStore(), max_failures=10, window=60, clock=clock)
    t.failed(["k"] * 5)  # five failures before the boundary
    clock.now += 10
    for _ in range(5):
        t.failed(["k"])
    assert t.retry_after(["k"]) is not None
    clock.now += 50  # the first five are now exactly 60 s old: out of the window
    assert t.retry_after(["k"]) is None


# --- Shared store (Redis): every gunicorn worker counts together ---------------------


@pytest.fixture
def redis_prefix():
    prefix = f"tracker-test:{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(prefix + "*"):
        client.delete(key)
    client.close()


def test_redis_store_is_shared_by_workers(redis_prefix):
    clock = Clock()
    # Two throttles with their own connections stand for two gunicorn workers.
    workers = [
        throttle.LoginThrottle(
            throttle.RedisStore(redis.Redis.from_url(REDIS_URL), redis_prefix), clock=clock
        )
        for _ in range(2)
    ]
    keys = [throttle.account_key("one@example.org"), throttle.address_key("192.0.2.7")]
    for i in range(10):
        workers[i % 2].failed(keys)
        clock.now += 1
    assert workers[0].retry_after(keys) is not None
    assert workers[1].retry_after(keys) is not None
    assert workers[0].retry_after([throttle.account_key("two@example.org")]) is None
    # The keys in Redis hold no e-mail address.
    names = [k.decode() for k in redis.Redis.from_url(REDIS_URL).scan_iter(redis_prefix + "*")]
    assert names and not any("example.org" in n for n in names)
    clock.now += 60
    assert workers[1].retry_after(keys) is None


def test_sign_in_with_redis_configured(app, accounts, redis_prefix, database_url):
    app.config.update(REDIS_URL=REDIS_URL, LOGIN_THROTTLE_PREFIX=redis_prefix)
    throttle.init_app(app)
    limiter = app.extensions["login_throttle"]
    assert isinstance(limiter.store, throttle.RedisStore)
    clock = limiter.clock = Clock()
    client = app.test_client()
    for _ in range(10):
        assert attempt(app, client, accounts[0], "wrong").status_code == 200
    # A second app (another worker process) sees the same count.
    from tests.conftest import make_app

    other_app = make_app(database_url, REDIS_URL=REDIS_URL, LOGIN_THROTTLE_PREFIX=redis_prefix)
    other_app.extensions["login_throttle"].clock = clock
    with other_app.app_context():
        assert (
            other_app.extensions["login_throttle"].retry_after([throttle.account_key(accounts[0])])
            is not None
        )
        db.engine.dispose()
    assert attempt(app, client, accounts[0], PASSWORD).status_code == 429
    clock.now += 61
    assert attempt(app, client, accounts[0], PASSWORD).status_code == 302


def test_redis_failure_falls_back_to_counting_in_process(caplog):
    dead = throttle.redis_client("redis://127.0.0.1:1/0")  # nothing listens on port 1
    t = throttle.LoginThrottle(throttle.RedisStore(dead, "x:"), clock=Clock())
    for _ in range(10):
        t.failed(["k"])
    assert t.retry_after(["k"]) is not None
    # One failure is logged; later calls go straight to the in-process count.
    assert caplog.text.count("counting in this process") == 1


# --- Shared store without Redis: the database ---------------------------------------


def test_without_redis_the_count_lives_in_the_database(app):
    assert isinstance(app.extensions["login_throttle"].store, throttle.DatabaseStore)


def test_two_worker_processes_share_the_count_without_redis(tmp_path):
    """Issue 15 item 7: two gunicorn workers with in-memory counts allowed about 18 failures.
    Two processes (each its own app, its own connections) on one file SQLite database
    alternate failures; the 11th is refused by either."""
    import multiprocessing

    from tests.conftest import standalone_app

    url = f"sqlite:///{tmp_path / 'workers.db'}"
    with standalone_app(url) as first:
        with first.app_context():
            seed(first, demo=False)
            user = User(email="shared@example.org", name="Shared", role=Role.EDITOR)
            user.password_hash = passwords.hash_password(PASSWORD)
            db.session.add(user)
            db.session.commit()
    context = multiprocessing.get_context("spawn")
    pipes, workers = [], []
    for _ in range(2):
        ours, theirs = context.Pipe()
        worker = context.Process(target=_worker, args=(url, theirs))
        worker.start()
        pipes.append(ours)
        workers.append(worker)
    try:
        results = []
        for i in range(12):
            pipes[i % 2].send(f"wrong {i}")  # the two workers take turns
            results.append(pipes[i % 2].recv())
    finally:
        for pipe in pipes:
            pipe.send(None)
        for worker in workers:
            worker.join(timeout=60)
    assert [w.exitcode for w in workers] == [0, 0]
    assert results[:10] == [200] * 10, results
    assert results[10:] == [429, 429], results
    with standalone_app(url) as check:
        with check.app_context():
            keys = set(db.session.scalars(sa.select(LoginFailure.key)))
    assert keys and not any("example.org" in k for k in keys)


def _worker(url: str, pipe) -> None:
    """One worker process: its own app and connections; signs in with each password sent."""
    from tests.conftest import csrf_token, standalone_app

    # A long window: starting two processes must not let the first failures age out.
    with standalone_app(url, LOGIN_WINDOW_SECONDS=3600) as worker_app:
        client = worker_app.test_client()
        while (password := pipe.recv()) is not None:
            response = client.post(
                "/login",
                data={
                    "csrf_token": csrf_token(worker_app, client),
                    "email": "shared@example.org",
                    "password": password,
                },
                environ_base={"REMOTE_ADDR": "192.0.2.20"},
            )
            pipe.send(int(response.status_code))
