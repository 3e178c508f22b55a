"""Public page of the working groups: names and affiliations only (no accounts, no e-mail)."""

from __future__ import annotations

from flask import Blueprint, render_template

from tracker.accounts.permissions import public
from tracker.workinggroups import queries

bp = Blueprint("workinggroups", __name__, url_prefix="/working-groups")


@bp.get("/")
@public
def index() -> str:
    return render_template("workinggroups/index.html", groups=queries.all_groups())
