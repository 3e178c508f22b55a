"""Public pages of policy papers: the list and each paper with its recommendations."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from tracker.accounts.permissions import public
from tracker.extensions import db
from tracker.papers import queries
from tracker.papers.briefs import paper_brief_data
from tracker.records import services as records
from tracker.records.models import Record
from tracker.records.queries import include_drafts_requested, viewer_is_staff

bp = Blueprint("papers", __name__, url_prefix="/papers")


@bp.get("/")
@public
def index() -> str:
    drafts = include_drafts_requested(request.args.get("drafts"), current_user)
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
    drafts = include_drafts_requested(request.args.get("drafts"), current_user)
    brief = paper_brief_data(record_id, include_drafts=drafts)
    if brief is None and not drafts and viewer_is_staff(current_user):
        # Staff following a link to a paper that is not published yet see its working copy.
        drafts = True
        brief = paper_brief_data(record_id, include_drafts=True)
    if brief is None:
        abort(404, "There is no published paper with this number.")
    # Staff get the links to edit it (the record is loaded with the paper already).
    record = db.session.get(Record, record_id) if viewer_is_staff(current_user) else None
    pending = record is not None and not drafts and records.has_unpublished_changes(record)
    return render_template(
        "papers/detail.html", paper=brief, drafts=drafts, record=record, pending=pending
    )


# Editor routes (create, edit, history, delete) register on this blueprint.
from tracker.papers import editing  # noqa: E402,F401
