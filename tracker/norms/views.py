"""Views of the norms domain: the eleven norms, the framework documents and commitments."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.accounts.permissions import public
from tracker.measures import queries as measure_queries
from tracker.measures.models import Mapping, Measure
from tracker.norms import queries
from tracker.queryargs import kept_args
from tracker.records.queries import include_drafts_requested
from tracker.web import not_found

bp = Blueprint("norms", __name__, url_prefix="/norms")

LETTERS = "abcdefghijk"


@bp.get("/")
@public
def index() -> str:
    return render_template(
        "norms/index.html",
        norms=queries.all_norms(),
        documents=queries.framework_documents(),
        commitment_groups=queries.commitments_by_kind(),
    )


@bp.get("/<letter>")
@public
def detail(letter: str) -> str | Response:
    if letter.lower() in LETTERS and letter != letter.lower():
        return redirect(url_for("norms.detail", letter=letter.lower(), **kept_args()), 301)
    norm = queries.get_norm(letter) if len(letter) == 1 else None
    if norm is None:
        raise not_found(
            f"There is no norm ({letter}). The norms of A/70/174 para. 13 are the letters a to k.",
            url_for("norms.index"),
            "the list of the eleven norms",
        )
    drafts = include_drafts_requested(request.args.get("drafts"), current_user)
    # {jurisdiction code: {measure id: (measure, [its mappings to this norm])}}
    by_code: dict[str, dict[int, tuple[Measure, list[Mapping]]]] = defaultdict(dict)
    for measure, mapping in measure_queries.measures_for_norm(norm.id, include_drafts=drafts):
        by_code[measure.jurisdiction_code].setdefault(measure.id, (measure, []))[1].append(mapping)
    groups = [
        (entries[0][0].jurisdiction, entries)
        for entries in (list(e.values()) for e in by_code.values())
    ]
    groups.sort(key=lambda g: (not g[0].is_org, g[0].name))
    return render_template(
        "norms/detail.html",
        norm=norm,
        groups=groups,
        measure_count=sum(len(entries) for _, entries in groups),
        drafts=drafts,
    )
