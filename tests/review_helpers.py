"""Helpers for tests that go through the review workflow: reviewer accounts linked to a
working group, and workflow steps taken directly (as the routes would take them)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tracker.accounts.models import User
from tracker.extensions import db
from tracker.records.models import Record
from tracker.workinggroups import services as wg_services
from tracker.workinggroups.models import WorkingGroup, WorkingGroupMember

SUPPLY_CHAIN = "wg-software-supply-chain"
ATTRIBUTION = "wg-attribution"


def group_id(key: str = SUPPLY_CHAIN) -> int:
    return db.session.scalar(sa.select(WorkingGroup.id).where(WorkingGroup.key == key))


def link_member(app: Any, user_id: int, key: str = SUPPLY_CHAIN, contact: str | None = None) -> int:
    """Make the account a member of the group (a new, obviously fictional member row)."""
    with app.app_context():
        member = WorkingGroupMember(
            group_id=group_id(key), name=f"Test member {user_id}", position=900 + user_id
        )
        db.session.add(member)
        wg_services.link_account(member, db.session.get(User, user_id))
        if contact:
            wg_services.set_government_contact(member, contact)
        db.session.commit()
        return member.id


def make_member(
    app: Any, make_user: Any, key: str = SUPPLY_CHAIN, contact: str | None = None, **fields: Any
) -> Any:
    user = make_user("reviewer", **fields)
    link_member(app, user.id, key, contact)
    return user


def take(app: Any, record_id: int, action: str, user_id: int, **details: Any) -> Any:
    """One workflow step as ``user``, committed (raises TransitionError when refused)."""
    from tracker.review import workflow

    with app.test_request_context():
        record = db.session.get(Record, record_id)
        user = db.session.get(User, user_id)
        outcome = workflow.transition(record, action, user, **details)
        db.session.commit()
        return outcome.state


def publish_through_review(app: Any, record_id: int, editor_id: int, reviewer_id: int) -> None:
    """Submit, approve and publish: the shortest path to the public site."""
    take(app, record_id, "submit", editor_id, working_group_id=None)
    take(app, record_id, "approve", reviewer_id)
    take(app, record_id, "publish", editor_id, summary="Published by the test suite")


def sign_in(client: Any, user: Any) -> Any:
    """Sign a test client in as an existing account (without the form)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return user
