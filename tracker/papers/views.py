"""Public pages of policy papers: the list and each paper with its recommendations."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from tracker.accounts.permissions import public
from tracker.papers import queries
from tracker.papers.briefs import paper_brief_data
from tracker.records.queries import include_drafts_requested

bp = Blueprint("papers", __name__, url_prefix="/papers")


@bp.get("/")
@public
def index() -> str:
    drafts = include_drafts_requested(request.args.get("drafts"))
    papers = queries.list_papers(include_drafts=drafts)
    return render_template(
        "papers/index.html",
        papers=papers,
        implemented=queries.implementation_counts(papers, include_drafts=drafts),
        drafts=drafts,
    )


@bp.get("/<int:record_id>")
@public
def detail(record_id: int) -> str:
    drafts = include_drafts_requested(request.args.get("drafts"))
    brief = paper_brief_data(record_id, include_drafts=drafts)
    if brief is None:
        abort(404, "There is no published paper with this number.")
    return render_template("papers/detail.html", paper=brief, drafts=drafts)
