"""Password hashing with Argon2id (argon2-cffi).

The cost profile is configurable (``PASSWORD_HASH_PROFILE``): production uses
RFC 9106's low-memory profile; the test suite uses ``CHEAPEST`` so that it stays
fast. Hashes carry their own parameters, so a hash made under one profile still
verifies under another and is upgraded at the next sign-in.
"""

from __future__ import annotations

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

#: a password must be at least this long (NIST SP 800-63B suggests 8; staff accounts get more)
MIN_LENGTH = 12
#: refuse absurd inputs before hashing them
MAX_LENGTH = 1024

_hashers: dict[str, PasswordHasher] = {}


def hasher() -> PasswordHasher:
    name = current_app.config.get("PASSWORD_HASH_PROFILE") or "RFC_9106_LOW_MEMORY"
    if name not in _hashers:
        _hashers[name] = PasswordHasher.from_parameters(getattr(profiles, name))
    return _hashers[name]


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches. Without a hash, still spends the time of a check,
    so that response times do not tell which e-mail addresses have accounts."""
    ph = hasher()
    if not password_hash:
        ph.hash(password or "-")
        return False
    try:
        return ph.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    return None
