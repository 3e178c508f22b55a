"""Configuration defaults. Everything can be overridden with TRACKER_* environment variables.

| variable | meaning | default |
|---|---|---|
| TRACKER_ENV | "development" or "production" (anything else: start-up error) | production |
| TRACKER_SECRET_KEY | signs sessions and CSRF tokens; 32 bytes or more | required (not in dev) |
| TRACKER_DATABASE_URL | SQLAlchemy URL (sqlite:/// or postgresql://) | SQLite file in instance/ |
| TRACKER_REDIS_URL | Redis: shared rate limits, report cache, job queue | unset (in-process) |
| TRACKER_REVIEW_APPROVALS_REQUIRED | approvals a change needs before it can be published | 1 |
| TRACKER_IMPORT_MAX_BYTES, _MAX_ROWS, _MAX_UNPACKED_BYTES | import limits | 2 MiB, 500, 20 MiB |
| TRACKER_SMTP_HOST, _PORT, _USER, _PASSWORD, _FROM, _STARTTLS | review e-mail | unset: logged |
"""

from __future__ import annotations

import os
import secrets
from typing import Any

from flask import Flask

#: Placeholder values that must never sign sessions outside development.
UNSAFE_SECRET_KEYS = {"", "dev", "change-me", "changeme", "secret", "development"}
#: a production secret key has at least this many bytes (UTF-8); 32 random bytes, as
#: ``secrets.token_hex(32)`` gives, are far past guessing
MIN_SECRET_KEY_BYTES = 32
#: the values TRACKER_ENV may take; anything else ("prod", "dev", "Production") is refused
ENVIRONMENTS = ("development", "production")

DEFAULTS: dict[str, Any] = {
    "ENV": "production",
    "SECRET_KEY": None,
    "DATABASE_URL": None,
    "REDIS_URL": None,
    "PAGE_SIZE": 50,
    "API_PAGE_SIZE": 50,
    "API_MAX_PAGE_SIZE": 200,
    "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
    "MAX_FORM_PARTS": 2000,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SECURE": True,
    "WTF_CSRF_TIME_LIMIT": 3600 * 8,
    # Sign-in rate limit: failures per account and per client address in a sliding window.
    "LOGIN_MAX_FAILURES": 10,
    "LOGIN_WINDOW_SECONDS": 60,
    "LOGIN_THROTTLE_PREFIX": "tracker:login-failures:",
    # Argon2id cost profile (argon2.profiles); the test suite uses CHEAPEST.
    "PASSWORD_HASH_PROFILE": "RFC_9106_LOW_MEMORY",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    #: how long a save waits for a lock before giving up with a 503 (SQLite busy
    #: timeout; PostgreSQL lock_timeout)
    "DB_LOCK_TIMEOUT_MS": 5000,
    #: behind a reverse proxy: trust one hop of X-Forwarded-For/-Proto/-Host
    "PROXY_FIX": False,
    # Review workflow: approvals (from reviewers who did not write the change) before publishing.
    "REVIEW_APPROVALS_REQUIRED": 1,
    # E-mail for review notifications; without SMTP_HOST e-mails are written to the log.
    "SMTP_HOST": None,
    "SMTP_PORT": 587,
    "SMTP_USER": None,
    "SMTP_PASSWORD": None,
    "SMTP_FROM": "Cyber Norms Tracker <tracker@localhost>",
    "SMTP_STARTTLS": True,
    "SMTP_TIMEOUT": 10,
    # Spreadsheet import of measures: upload size, rows, and what an XLSX may unpack to.
    "IMPORT_MAX_BYTES": 2 * 1024 * 1024,
    "IMPORT_MAX_ROWS": 500,
    "IMPORT_MAX_UNPACKED_BYTES": 20 * 1024 * 1024,
}


class ConfigError(RuntimeError):
    """Raised at start-up when the configuration would be unsafe or unusable."""


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgres URLs (as Heroku-style hosts give them)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def default_database_url(instance_path: str | os.PathLike[str]) -> str:
    return "sqlite:///" + os.path.join(instance_path, "tracker.db")


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("TRACKER")
    if test_config:
        app.config.from_mapping(test_config)

    env = app.config.get("ENV")
    if env not in ENVIRONMENTS:
        # A typo must not silently select a mode: "prod" is not production, "dev" is not
        # development (it would refuse a missing key, or worse, relax cookies).
        raise ConfigError(f"TRACKER_ENV must be one of {', '.join(ENVIRONMENTS)} (got {env!r}).")
    development = env == "development" or app.testing
    url = app.config.get("DATABASE_URL") or default_database_url(app.instance_path)
    app.config["DATABASE_URL"] = url = normalise_database_url(url)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", url)
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config.get("SQLALCHEMY_DATABASE_URI") or url

    if url.startswith("postgresql"):
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        connect_args = dict(options.get("connect_args", {}))
        connect_args.setdefault(
            "options", f"-c lock_timeout={int(app.config['DB_LOCK_TIMEOUT_MS'])}"
        )
        connect_args.setdefault("connect_timeout", 5)
        options["connect_args"] = connect_args
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    try:
        approvals = int(app.config["REVIEW_APPROVALS_REQUIRED"])
    except (TypeError, ValueError):
        approvals = 0
    if approvals < 1:
        raise ConfigError(
            "TRACKER_REVIEW_APPROVALS_REQUIRED must be a whole number of 1 or more "
            f"(got {app.config['REVIEW_APPROVALS_REQUIRED']!r})."
        )
    app.config["REVIEW_APPROVALS_REQUIRED"] = approvals
    app.config["SMTP_PORT"] = int(app.config.get("SMTP_PORT") or 587)

    key = app.config.get("SECRET_KEY")
    if not development and key and key not in UNSAFE_SECRET_KEYS:
        size = len(key.encode() if isinstance(key, str) else key)
        if size < MIN_SECRET_KEY_BYTES:
            raise ConfigError(
                f"TRACKER_SECRET_KEY is too short ({size} bytes; production needs at least "
                f"{MIN_SECRET_KEY_BYTES}). Set it to a long random value, e.g. "
                "TRACKER_SECRET_KEY=\"$(python -c 'import secrets; "
                "print(secrets.token_hex(32))')\"."
            )
    if not key or key in UNSAFE_SECRET_KEYS:
        if not development:
            raise ConfigError(
                "TRACKER_SECRET_KEY is missing or is a placeholder. Set it to a long random "
                "value, e.g. TRACKER_SECRET_KEY=\"$(python -c 'import secrets; "
                "print(secrets.token_hex(32))')\"; "
                "or set TRACKER_ENV=development for a local run."
            )
        # Development only: a per-process key (sessions end when the server restarts).
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    if development:
        # The development server speaks plain HTTP on 127.0.0.1.
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False
