"""Start page and health checks."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_login import current_user

from tracker.accounts.permissions import public
from tracker.extensions import db
from tracker.measures import queries as measure_queries
from tracker.norms import queries as norm_queries
from tracker.records.kept import public_or_kept
from tracker.records.queries import include_drafts_requested

bp = Blueprint("site", __name__)


def _figures(letters: list[str], drafts: bool) -> dict[str, Any]:
    """The start page's counts, grid and mapping figures; for the public, computed once per
    data version and day (tracker.records.kept)."""

    def compute() -> dict[str, Any]:
        return {
            "counts": norm_queries.counts(include_drafts=drafts),
            "rows": measure_queries.coverage_rows(letters, include_drafts=drafts),
            "mapping_counts": measure_queries.mapping_rule_counts(include_drafts=drafts),
        }

    return public_or_kept(drafts, "site_figures", tuple(letters), compute, size=4)


@bp.get("/")
@public
def index() -> str:
    drafts = include_drafts_requested(request.args.get("drafts"), current_user)
    norms = norm_queries.supply_chain_norms()
    letters = [n.letter for n in norms]
    return render_template(
        "site/index.html",
        norms=norms,
        recent=measure_queries.recently_changed(include_drafts=drafts),
        drafts=drafts,
        **_figures(letters, drafts),
    )


@bp.get("/healthz")
@public
def healthz() -> tuple[dict[str, str], int]:
    """The process is up (no database access)."""
    return {"status": "ok"}, 200


@bp.get("/readyz")
@public
def readyz() -> tuple[dict[str, object], int]:
    """Ready for traffic: the database answers and its schema is at the newest migration."""
    from tracker.cli import migrations_current

    try:
        db.session.execute(sa.text("SELECT 1"))
        current = migrations_current()
    except sa.exc.SQLAlchemyError as exc:
        db.session.rollback()
        return {
            "status": "unavailable",
            "database": "unreachable",
            "detail": type(exc).__name__,
        }, 503
    if not current:
        return {"status": "unavailable", "database": "ok", "migrations": "pending"}, 503
    return {"status": "ok", "database": "ok", "migrations": "current"}, 200
