"""Changes to memberships that carry rules: account links and government contacts.

The review workflow (issue 4) will call these from its forms; they raise
``MembershipError`` with a message a user can read and change nothing then.
"""

from __future__ import annotations

from typing import Optional

from tracker.accounts.models import Role, User
from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction
from tracker.workinggroups.models import WorkingGroupMember


class MembershipError(ValueError):
    """A membership change is not allowed; the message says why."""


def link_account(member: WorkingGroupMember, user: Optional[User]) -> None:
    """Link a member to a reviewer account (or unlink with ``None``)."""
    if user is None:
        member.user_id = None
        return
    if user.role is not Role.REVIEWER:
        raise MembershipError(
            f"{user.display_name} has the {user.role.label.lower()} role; "
            "only reviewer accounts can be linked to a working-group member."
        )
    if not user.active:
        raise MembershipError(f"The account of {user.display_name} is deactivated.")
    member.user_id = user.id


def set_government_contact(member: WorkingGroupMember, jurisdiction_code: Optional[str]) -> None:
    """Flag the member as government contact for a jurisdiction, or clear it with ``None``."""
    if jurisdiction_code is None:
        member.is_government_contact = False
        member.contact_jurisdiction_code = None
        return
    code = jurisdiction_code.strip().upper()
    if db.session.get(Jurisdiction, code) is None:
        raise MembershipError(f"Unknown jurisdiction code {jurisdiction_code!r}.")
    member.is_government_contact = True
    member.contact_jurisdiction_code = code
