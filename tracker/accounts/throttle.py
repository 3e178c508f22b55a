"""Sign-in rate limit: failed attempts counted per account and per client address.

After ``LOGIN_MAX_FAILURES`` failures (default 10) within ``LOGIN_WINDOW_SECONDS``
(default 60) for an account or an address, further attempts are refused with 429
until the oldest failure leaves the window (a sliding window, so attempts spread
across a minute boundary still count together).

With ``TRACKER_REDIS_URL`` set, the counts live in Redis (sorted sets of failure
times); otherwise in the database (table ``login_failures``, ``DatabaseStore``). Either
way every gunicorn worker counts together: with counts per process, two workers let
about 18 failures through instead of 10. If the store stops answering, counting falls
back to the process (and logs it) rather than locking everybody out or letting attempts
through uncounted.

Written by hand rather than with Flask-Limiter because it must count *failed*
attempts only, under two keys at once, and take an injectable clock so that the
tests prove "works again after the window" without sleeping a minute.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import sqlalchemy as sa
from flask import Flask, current_app

log = logging.getLogger(__name__)


class FailureStore(Protocol):
    def add(self, key: str, now: float, window: float) -> None: ...

    def times(self, key: str, now: float, window: float) -> list[float]:
        """Failure times of ``key`` within the window ending at ``now``, oldest first."""
        ...

    def clear(self, key: str) -> None: ...


class MemoryStore:
    """Per-process store (one gunicorn worker counts alone)."""

    def __init__(self) -> None:
        self._times: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float, window: float) -> deque[float]:
        times = self._times[key]
        while times and times[0] <= now - window:
            times.popleft()
        return times

    def add(self, key: str, now: float, window: float) -> None:
        with self._lock:
            self._prune(key, now, window).append(now)

    def times(self, key: str, now: float, window: float) -> list[float]:
        with self._lock:
            times = self._prune(key, now, window)
            result = list(times)
            if not times:
                self._times.pop(key, None)
            return result

    def clear(self, key: str) -> None:
        with self._lock:
            self._times.pop(key, None)


class RedisStore:
    """Shared store: one sorted set per key, scored by failure time."""

    def __init__(self, client: Any, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def add(self, key: str, now: float, window: float) -> None:
        name = self.prefix + key
        pipe = self.client.pipeline()
        pipe.zadd(name, {f"{now!r}:{uuid.uuid4().hex}": now})
        pipe.zremrangebyscore(name, "-inf", now - window)
        pipe.expire(name, int(window) + 1)
        pipe.execute()

    def times(self, key: str, now: float, window: float) -> list[float]:
        # Exclusive lower bound: a failure exactly `window` seconds old has left the window.
        found = self.client.zrangebyscore(
            self.prefix + key, f"({now - window}", now, withscores=True
        )
        return [score for _member, score in found]

    def clear(self, key: str) -> None:
        self.client.delete(self.prefix + key)


class DatabaseStore:
    """Shared store without Redis: one row per failure in ``login_failures``, written in the
    request's session (the sign-in view commits it together with the audit event)."""

    def add(self, key: str, now: float, window: float) -> None:
        from tracker.accounts.models import LoginFailure
        from tracker.extensions import db

        # Rows older than the window are of no use to any key: keep the table small.
        db.session.execute(sa.delete(LoginFailure).where(LoginFailure.failed_at <= now - window))
        db.session.add(LoginFailure(key=key, failed_at=now))
        db.session.flush()

    def times(self, key: str, now: float, window: float) -> list[float]:
        from tracker.accounts.models import LoginFailure
        from tracker.extensions import db

        return list(
            db.session.scalars(
                sa.select(LoginFailure.failed_at)
                .where(
                    LoginFailure.key == key,
                    LoginFailure.failed_at > now - window,
                    LoginFailure.failed_at <= now,
                )
                .order_by(LoginFailure.failed_at)
            )
        )

    def clear(self, key: str) -> None:
        from tracker.accounts.models import LoginFailure
        from tracker.extensions import db

        db.session.execute(sa.delete(LoginFailure).where(LoginFailure.key == key))
        db.session.flush()


#: after the shared store fails, how long to count in-process before trying it again
STORE_RETRY_SECONDS = 30.0


def redis_client(url: str) -> Any:
    """A Redis client that fails fast: sign-in must not hang on a dead Redis."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(
        url, socket_timeout=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), 1)
    )


class LoginThrottle:
    def __init__(
        self,
        store: FailureStore,
        *,
        max_failures: int = 10,
        window: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.fallback = MemoryStore()
        #: after a store failure, count in-process until then (monotonic seconds)
        self._store_down_until = 0.0
        self.max_failures = max_failures
        self.window = window
        self.clock = clock

    def _call(self, method: str, *args: Any) -> Any:
        if isinstance(self.store, MemoryStore):
            return getattr(self.store, method)(*args)
        if time.monotonic() < self._store_down_until:
            return getattr(self.fallback, method)(*args)
        try:
            return getattr(self.store, method)(*args)
        except Exception as exc:  # noqa: BLE001 - any store failure: count in-process instead
            if isinstance(self.store, DatabaseStore):
                from tracker.extensions import db

                db.session.rollback()
            # Do not wait on a dead Redis at every sign-in: retry it after a pause.
            self._store_down_until = time.monotonic() + STORE_RETRY_SECONDS
            log.error("sign-in throttle store failed (%s); counting in this process", exc)
            return getattr(self.fallback, method)(*args)

    def retry_after(self, keys: Iterable[str]) -> int | None:
        """Seconds until another attempt is allowed, or None when attempts are allowed now."""
        now = self.clock()
        waits = []
        for key in keys:
            times = self._call("times", key, now, self.window)
            if len(times) >= self.max_failures:
                # Allowed again when enough failures have aged out of the window.
                oldest_blocking = times[len(times) - self.max_failures]
                waits.append(oldest_blocking + self.window - now)
        if not waits:
            return None
        return max(1, int(max(waits) + 0.999))

    def failed(self, keys: Iterable[str]) -> None:
        now = self.clock()
        for key in keys:
            self._call("add", key, now, self.window)

    def succeeded(self, account_key: str) -> None:
        """A right password clears the account's count (not the address's)."""
        self._call("clear", account_key)


def account_key(email: str) -> str:
    # Hashed, so that the shared store never holds e-mail addresses.
    return "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def address_key(address: str | None) -> str:
    return "address:" + (address or "unknown")


def make_throttle(app: Flask) -> LoginThrottle:
    config = app.config
    url = config.get("REDIS_URL")
    store: FailureStore
    if url:
        store = RedisStore(
            redis_client(url), config.get("LOGIN_THROTTLE_PREFIX") or "tracker:login-failures:"
        )
    else:
        store = DatabaseStore()
    return LoginThrottle(
        store,
        max_failures=int(config.get("LOGIN_MAX_FAILURES") or 10),
        window=float(config.get("LOGIN_WINDOW_SECONDS") or 60),
    )


def init_app(app: Flask) -> None:
    app.extensions["login_throttle"] = make_throttle(app)


def throttle() -> LoginThrottle:
    return current_app.extensions["login_throttle"]
