"""Open data routes: exports, the codebook, the changelog and feed, citations, OpenAPI.

Every route is public and serves published content; staff may add ``drafts=1``
to exports and citations, and such responses are marked and never cached.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from sqlalchemy.orm import selectinload

from tracker.accounts.permissions import public
from tracker.attribution import queries as attribution_queries
from tracker.extensions import db
from tracker.intargs import page_arg
from tracker.measures import queries as measure_queries
from tracker.measures.models import Measure, MeasureRelation
from tracker.opendata import changes as changelog
from tracker.opendata import citations, openapi
from tracker.opendata import codebook as book
from tracker.opendata.formats import attachment, csv_bytes, json_bytes, xlsx_bytes
from tracker.opendata.rows import ATTRIBUTIONS, MEASURES, Dataset
from tracker.records.queries import include_drafts_requested, visible
from tracker.search.labels import endpoint_url

bp = Blueprint("opendata", __name__)

PUBLIC_MAX_AGE = 300
CHANGES_PER_PAGE = 50
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
    "bib": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "csl": "application/vnd.citationstyles.csl+json; charset=utf-8",
}


def _drafts() -> bool:
    return include_drafts_requested(request.args.get("drafts"))


def _download(body: bytes | str, media_type: str, filename: str, *, drafts: bool) -> Response:
    response = Response(body, mimetype=None, content_type=media_type)
    response.headers["Content-Disposition"] = attachment(filename)
    _cache(response, drafts=drafts)
    return response


def _cache(response: Response, *, drafts: bool) -> None:
    if drafts:
        response.headers["Cache-Control"] = "no-store, private"
    else:
        response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    response.headers["Vary"] = "Cookie"


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")


def _full_measures(stmt: Any) -> Any:
    return measure_queries.with_details(stmt).options(
        selectinload(Measure.sources),
        selectinload(Measure.relations).selectinload(MeasureRelation.target_record),
        selectinload(Measure.record),
    )


def _export(
    dataset: Dataset, items: list[dict[str, Any]], fmt: str, filters: dict[str, Any], drafts: bool
) -> Response:
    name = f"cyber-norms-{dataset.name}{'-with-drafts' if drafts else ''}-{_stamp()}.{fmt}"
    if fmt == "json":
        body = json_bytes(
            {
                "codebook_version": book.VERSION,
                "codebook": url_for("opendata.codebook_json", _external=True),
                "dataset": dataset.name,
                "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "filters": filters,
                "includes_drafts": drafts,
                "count": len(items),
                "items": items,
            }
        )
        return _download(body, MEDIA_TYPES["json"], name, drafts=drafts)
    header = dataset.header(drafts)
    rows = (dataset.flat(item, drafts) for item in items)
    if fmt == "csv":
        return _download(csv_bytes(header, rows), MEDIA_TYPES["csv"], name, drafts=drafts)
    return _download(
        xlsx_bytes(dataset.name, header, rows), MEDIA_TYPES["xlsx"], name, drafts=drafts
    )


@bp.get("/export/measures.<any(csv, xlsx, json):fmt>")
@public
def export_measures(fmt: str) -> Response:
    drafts = _drafts()
    filters = measure_queries.parse_filters(request.args)
    stmt = _full_measures(measure_queries.filtered_measures(filters, include_drafts=drafts))
    measures = list(db.session.scalars(stmt))
    # A relation names its target's key: only targets this reader may see (never a draft's
    # key in a public export).
    targets = measure_queries.visible_measures_by_record(
        {r.target_record_id for m in measures for r in m.relations}, include_drafts=drafts
    )
    items = [MEASURES.item(m, drafts=drafts, targets=targets) for m in measures]
    return _export(MEASURES, items, fmt, filters.as_args(), drafts)


@bp.get("/export/attributions.<any(csv, xlsx, json):fmt>")
@public
def export_attributions(fmt: str) -> Response:
    drafts = _drafts()
    filters = attribution_queries.parse_filters(request.args)
    stmt = attribution_queries.with_details(
        attribution_queries.filtered_attributions(filters, include_drafts=drafts)
    )
    items = [ATTRIBUTIONS.item(a, drafts=drafts) for a in db.session.scalars(stmt)]
    return _export(ATTRIBUTIONS, items, fmt, filters.as_args(), drafts)


# --- Citations ----------------------------------------------------------------------------------


def _citation_response(measures: list[Measure], fmt: str, name: str, drafts: bool) -> Response:
    items = [
        citations.build(
            m,
            endpoint_url(
                "measures.detail", "/measures/{record_id}", external=True, record_id=m.record_id
            ),
        )
        for m in measures
    ]
    if fmt == "bib":
        return _download(
            citations.to_bibtex(items), MEDIA_TYPES["bib"], f"{name}.bib", drafts=drafts
        )
    if fmt == "ris":
        return _download(citations.to_ris(items), MEDIA_TYPES["ris"], f"{name}.ris", drafts=drafts)
    return _download(
        citations.to_csl_json(items), MEDIA_TYPES["csl"], f"{name}.json", drafts=drafts
    )


@bp.get("/measures/<int:record_id>/cite.<any(bib, ris, json):fmt>")
@public
def cite_measure(record_id: int, fmt: str) -> Response:
    drafts = _drafts()
    stmt = visible(Measure, include_drafts=drafts).where(Measure.record_id == record_id)
    measure = db.session.scalar(_full_measures(stmt))
    if measure is None:
        abort(404, f"No published measure has the number {record_id}.")
    return _citation_response([measure], fmt, citations.citation_key(measure), drafts)


@bp.get("/export/citations.<any(bib, ris, json):fmt>")
@public
def cite_selection(fmt: str) -> Response:
    drafts = _drafts()
    filters = measure_queries.parse_filters(request.args)
    stmt = _full_measures(measure_queries.filtered_measures(filters, include_drafts=drafts))
    return _citation_response(
        list(db.session.scalars(stmt)), fmt, f"cyber-norms-measures-{_stamp()}", drafts
    )


# --- Codebook, changelog, OpenAPI ---------------------------------------------------------------


@bp.get("/data/")
@public
def codebook() -> str:
    return render_template("opendata/codebook.html", book=book.codebook())


@bp.get("/data/codebook.json")
@public
def codebook_json() -> Response:
    response = Response(json_bytes(book.codebook()), content_type=MEDIA_TYPES["json"])
    response.headers["Content-Disposition"] = attachment(
        f"cyber-norms-codebook-{book.VERSION}.json"
    )
    _cache(response, drafts=False)
    return response


def _changes_page() -> int:
    return page_arg()


@bp.get("/changes")
@public
def changes() -> str:
    page = _changes_page()
    pagination = db.paginate(
        changelog.changes_query(), page=page, per_page=CHANGES_PER_PAGE, error_out=False
    )
    if page > 1 and not pagination.items:
        abort(404, f"There is no page {page} of the changelog.")
    return render_template(
        "opendata/changes.html",
        pagination=pagination,
        changes=changelog.with_links(list(pagination.items)),
    )


@bp.get("/changes.atom")
@public
def changes_feed() -> Response:
    stmt = changelog.changes_query().limit(changelog.FEED_SIZE)
    items = changelog.with_links(list(db.session.scalars(stmt)), external=True)
    response = Response(
        changelog.atom_feed(items), content_type="application/atom+xml; charset=utf-8"
    )
    _cache(response, drafts=False)
    return response


@bp.get("/api/v1/openapi.json")
@public
def openapi_document() -> dict[str, Any]:
    return openapi.document(request.host_url)
