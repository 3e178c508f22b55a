"""Public page of the working groups: names and affiliations only (no accounts, no e-mail)."""

from __future__ import annotations

import re

from flask import Blueprint, render_template

from tracker.accounts.permissions import public
from tracker.workinggroups import queries

bp = Blueprint("workinggroups", __name__, url_prefix="/working-groups")


#: anything that looks like an e-mail address in a member's name
EMAIL = re.compile(r"\S+@\S+")
WITHHELD = "(name not published)"


def public_member_name(name: str) -> str:
    """A member's name for the public page, never an e-mail address (a member added from an
    account without a name used to be listed under the account's sign-in address)."""
    return WITHHELD if EMAIL.search(name or "") else name


@bp.get("/")
@public
def index() -> str:
    return render_template(
        "workinggroups/index.html",
        groups=queries.all_groups(),
        member_name=public_member_name,
    )
