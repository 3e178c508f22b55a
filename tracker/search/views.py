"""The search page (/search/) and the ``flask search reindex`` command."""

from __future__ import annotations

from typing import Any

import click
from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from tracker.accounts.permissions import public
from tracker.extensions import db
from tracker.queryargs import int_arg
from tracker.records.queries import include_drafts_requested, viewer_is_staff
from tracker.search import index, service
from tracker.search.labels import FACET_TITLES, Labels, hit_url, kind_label

bp = Blueprint("search", __name__, url_prefix="/search", cli_group="search")


def _page_number() -> int:
    return int_arg("page", 1, service.MAX_PAGE)


@bp.get("/", endpoint="index")
@public
def search_page() -> str:
    query = request.args.get("q", "")[:500]
    drafts = include_drafts_requested(request.args.get("drafts"), current_user)
    filters = service.SearchFilters.from_args(request.args)
    results = service.search(
        query, filters, service.Audience(include_drafts=drafts), page=_page_number()
    )
    values: dict[str, set[str]] = {f: {v.value for v in vs} for f, vs in results.facets.items()}
    for hit in results.hits:
        for facet, vs in hit.facets.items():
            values.setdefault(facet, set()).update(vs)
    for facet, vs in filters.values.items():
        values.setdefault(facet, set()).update(vs)
    base_args: dict[str, Any] = {"q": query or None, "drafts": 1 if drafts else None}
    return render_template(
        "search/index.html",
        query=query,
        results=results,
        filters=filters,
        drafts=drafts,
        staff=viewer_is_staff(current_user),
        labels=Labels(values),
        facet_titles=FACET_TITLES,
        kind_label=kind_label,
        hit_url=lambda hit: hit_url(hit.entry, hit.facets, drafts=drafts),
        base_args=base_args,
        toggle_url=lambda facet, value: url_for(
            "search.index", **{**base_args, **filters.toggled(facet, value)}
        ),
        page_args={**base_args, **filters.as_args()},
        export_kinds=_export_kinds(results),
        suggestion_url=url_for(
            "search.index", **{**base_args, **filters.as_args(), "q": results.suggestion}
        )
        if results.suggestion
        else None,
    )


#: result kinds that have an open-data export (tracker.opendata), with the words for the link
EXPORTS = {
    "measure": ("opendata.export_measures", "the measures among these results"),
    "attribution": (
        "opendata.export_attributions",
        "the attribution statements among these results",
    ),
}


def _export_kinds(results: service.SearchResults) -> list[tuple[str, str]]:
    """Exports of the kinds these results hold (every page: the export takes q and the facets)."""
    kinds = {v.value for v in results.facets.get("kind", [])}
    return [EXPORTS[kind] for kind in EXPORTS if kind in kinds]


@bp.cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the full-text search index from every measure, paper, attribution and norm."""
    total = index.rebuild(db.session())
    db.session.commit()
    click.echo(f"Search index rebuilt: {total} entries.")
