"""Views of the norms domain: the eleven norms, the framework documents and commitments."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from flask_sqlalchemy.pagination import SelectPagination
from werkzeug.wrappers import Response

from tracker.accounts.permissions import public
from tracker.extensions import db
from tracker.measures import queries as measure_queries
from tracker.measures.models import Mapping, Measure
from tracker.norms import queries
from tracker.queryargs import MAX_PAGE, int_arg, kept_args
from tracker.records.kept import NORM_COUNTS, public_or_kept
from tracker.records.queries import include_drafts_requested
from tracker.web import not_found

bp = Blueprint("norms", __name__, url_prefix="/norms")

LETTERS = "abcdefghijk"
#: measures per page of a norm page (the jurisdictions' counts come first, all of them)
NORM_PAGE_SIZE = 100


class WindowPagination(SelectPagination):
    """A page of a list read from a window of it: its items start ``skip`` rows into the
    select, which holds only the rows of that page's part of the list."""

    @property
    def _query_offset(self) -> int:
        return int(self._query_args["skip"])


def _page_window(counts: list[tuple[str, int]], page: int, size: int) -> tuple[list[str], int]:
    """The codes whose measures make up page ``page`` of a list grouped by code in this order
    with these counts, and how many of the first code's measures come before the page."""
    start, end = (page - 1) * size, page * size
    codes: list[str] = []
    skip = position = 0
    for code, n in counts:
        if position + n > start and position < end:
            if not codes:
                skip = start - position
            codes.append(code)
        position += n
    return codes, skip


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
    # Every jurisdiction with its count first, then one bounded page of the measures.
    counts = public_or_kept(
        drafts,
        NORM_COUNTS,
        norm.id,
        lambda: measure_queries.norm_counts_by_jurisdiction(norm.id, include_drafts=drafts),
    )
    jurisdictions = queries.jurisdictions_by_code(set(counts))
    summary = sorted(
        ((jurisdictions[c], n) for c, n in counts.items() if c in jurisdictions),
        key=lambda item: (not item[0].is_org, item[0].name),
    )
    page = int_arg("page", 1, MAX_PAGE)
    # The list is ordered as the summary is (organisations first, then by name), so the
    # summary's counts say which jurisdictions a page holds: the page's query reads only
    # their measures, however many the norm has in all.
    codes, skip = _page_window([(j.code, n) for j, n in summary], page, NORM_PAGE_SIZE)
    pagination = WindowPagination(
        select=measure_queries.norm_measures(norm.id, include_drafts=drafts).where(
            Measure.jurisdiction_code.in_(codes)
        ),
        session=db.session,
        skip=skip,
        page=page,
        per_page=NORM_PAGE_SIZE,
        error_out=False,
        count=False,
    )
    total = sum(counts.values())
    pagination.total = total
    if page > 1 and not pagination.items:
        raise not_found(
            f"There is no page {page} of norm ({norm.letter})'s measures.",
            url_for("norms.detail", letter=norm.letter),
            "the first page",
        )
    mappings = measure_queries.norm_mappings([m.id for m in pagination.items], norm.id)
    # [(jurisdiction, [(measure, [its mappings to this norm])])] for this page
    by_code: dict[str, list[tuple[Measure, list[Mapping]]]] = defaultdict(list)
    for measure in pagination.items:
        by_code[measure.jurisdiction_code].append((measure, mappings[measure.id]))
    groups = [(entries[0][0].jurisdiction, entries) for entries in by_code.values()]
    return render_template(
        "norms/detail.html",
        norm=norm,
        groups=groups,
        summary=summary,
        counts=counts,
        pagination=pagination,
        measure_count=total,
        drafts=drafts,
    )
