"""Demo accounts for a first look in development: one per role, created by `flask setup`.

Only in development and only into an empty database (``setup`` decides). The passwords are
random, printed once to the terminal that ran the set-up, and stored only as hashes. The
reviewer is linked to a working group made for the purpose, so that a draft submitted to it
lands in the reviewer's queue; the group says plainly that it is not a real working group.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from tracker.accounts import audit, passwords
from tracker.accounts.models import AuditAction, Role, User
from tracker.extensions import db
from tracker.workinggroups.models import WorkingGroup, WorkingGroupMember

#: ``.test`` is reserved (RFC 2606): these addresses can never reach anyone.
DEMO_ACCOUNTS: tuple[tuple[Role, str, str], ...] = (
    (Role.ADMIN, "admin@demo.test", "Demo administrator"),
    (Role.EDITOR, "editor@demo.test", "Demo editor"),
    (Role.REVIEWER, "reviewer@demo.test", "Demo reviewer"),
)
DEMO_GROUP_KEY = "demo-review-group"


@dataclass(frozen=True)
class DemoAccount:
    role: Role
    email: str
    password: str


def demo_emails() -> list[str]:
    return [email for _, email, _ in DEMO_ACCOUNTS]


def existing_demo_emails() -> list[str]:
    """The demo accounts present in this database, in role order."""
    found = set(db.session.scalars(sa.select(User.email).where(User.email.in_(demo_emails()))))
    return [email for email in demo_emails() if email in found]


def create_demo_accounts(year: int) -> list[DemoAccount]:
    """Create the three accounts and the reviewer's working group; the caller commits."""
    created: list[DemoAccount] = []
    users: dict[Role, User] = {}
    for role, email, name in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(12)
        user = User(
            email=email, name=name, role=role, password_hash=passwords.hash_password(password)
        )
        db.session.add(user)
        users[role] = user
        created.append(DemoAccount(role, email, password))
    db.session.flush()
    for user in users.values():
        audit.record_event(
            AuditAction.USER_CREATED,
            subject=f"user:{user.id}",
            email=user.email,
            role=user.role.value,
            via="setup (development demo account)",
        )
    group = WorkingGroup(
        key=DEMO_GROUP_KEY,
        name="Demo review group (development only)",
        topic="Trying the review workflow on a local copy; not a real working group",
        period_start=year,
        source="Created by `make run` in development, with the demo accounts.",
    )
    group.members.append(
        WorkingGroupMember(
            name="Demo reviewer", affiliation=None, user_id=users[Role.REVIEWER].id, position=0
        )
    )
    db.session.add(group)
    return created
