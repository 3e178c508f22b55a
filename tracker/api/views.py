"""JSON API, version 1: published records only."""

from __future__ import annotations

from flask import Blueprint, url_for

from tracker.accounts.permissions import public

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/")
@public
def index() -> dict[str, object]:
    return {
        "name": "Cyber Norms Tracker API",
        "version": 1,
        "endpoints": {"norms": url_for("api.index") + "norms", "jurisdictions": url_for("api.index") + "jurisdictions", "measures": url_for("api.index") + "measures"},
    }
