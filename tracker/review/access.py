"""Who, besides editors and administrators, may see and review a record before publication.

A record becomes visible to reviewers once an editor submits it to a working group
(``records.working_group_id``):

* members of that group whose membership is linked to their account may see it,
  comment, request changes and approve;
* government contacts (a member flagged as speaking for a jurisdiction) may see
  and comment on records that concern their jurisdiction, whichever group reviews
  them: the right of reply. They do not approve or request changes on them.

``tracker.accounts.permissions`` asks ``reviewer_may_see`` before any page of an
unpublished record is shown; the workflow asks ``relation`` before a reviewer acts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import g, has_app_context

from tracker.extensions import db
from tracker.records import services as records
from tracker.records.models import Record
from tracker.workinggroups.models import WorkingGroupMember


@dataclass(frozen=True)
class Relation:
    """How one reviewer account stands to one record."""

    #: a member of the working group the record is assigned to
    member: bool = False
    #: jurisdictions the record concerns for which the account is government contact
    contact_for: frozenset[str] = field(default_factory=frozenset)

    @property
    def contact(self) -> bool:
        return bool(self.contact_for)

    @property
    def sees(self) -> bool:
        return self.member or self.contact


def group_ids_of(user_id: int) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(WorkingGroupMember.group_id).where(WorkingGroupMember.user_id == user_id)
        )
    )


def contact_codes_of(user_id: int) -> set[str]:
    return {
        code
        for code in db.session.scalars(
            sa.select(WorkingGroupMember.contact_jurisdiction_code).where(
                WorkingGroupMember.user_id == user_id, WorkingGroupMember.is_government_contact
            )
        )
        if code
    }


def record_jurisdictions(record: Record) -> set[str]:
    """The jurisdictions the record's working copy (or, failing that, live copy) concerns."""
    content = records.working_copy(record) or records.live_copy(record)
    return records.content_jurisdictions(record, content)


def relation(user: Any, record: Record) -> Relation:
    """Membership and right of reply of ``user`` for ``record`` (nothing before submission).

    Remembered for the rest of the request (the access check, the page and its forms all
    ask), keyed by what it depends on.
    """
    user_id = getattr(user, "id", None)
    if user_id is None or record.working_group_id is None or record.deleted_at is not None:
        return Relation()
    cache = g.setdefault("review_relations", {}) if has_app_context() else {}
    key = (user_id, record.id, record.working_group_id)
    if key not in cache:
        member = record.working_group_id in group_ids_of(user_id)
        codes = contact_codes_of(user_id)
        contact_for = frozenset(codes & record_jurisdictions(record)) if codes else frozenset()
        cache[key] = Relation(member=member, contact_for=contact_for)
    return cache[key]


def reviewer_may_see(user: Any, record_id: int) -> bool:
    record = db.session.get(Record, record_id)
    return record is not None and relation(user, record).sees
