"""Start page and health checks."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from tracker.accounts.permissions import public
from tracker.measures import queries as measure_queries
from tracker.norms import queries as norm_queries
from tracker.records.queries import include_drafts_requested

bp = Blueprint("site", __name__)


@bp.get("/")
@public
def index() -> str:
    drafts = include_drafts_requested(request.args.get("drafts"))
    norms = norm_queries.supply_chain_norms()
    letters = [n.letter for n in norms]
    return render_template(
        "site/index.html",
        counts=norm_queries.counts(include_drafts=drafts),
        norms=norms,
        rows=measure_queries.coverage_rows(letters, include_drafts=drafts),
        recent=measure_queries.recently_changed(include_drafts=drafts),
        drafts=drafts,
    )


@bp.get("/healthz")
@public
def healthz() -> tuple[dict[str, str], int]:
    """The process is up (no database access)."""
    return {"status": "ok"}, 200
