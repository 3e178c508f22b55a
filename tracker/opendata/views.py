"""Open data routes: exports, the codebook, the changelog and feed, citations, OpenAPI.

Every route is public and serves published content; staff may add ``drafts=1``
to exports and citations, and such responses are marked and never cached.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import selectinload

from tracker.accounts.permissions import public
from tracker.attribution import queries as attribution_queries
from tracker.attribution.models import Attribution
from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction
from tracker.measures import lifecycle
from tracker.measures import queries as measure_queries
from tracker.measures.models import Measure, MeasureEvent, MeasureRelation
from tracker.norms.models import Topic
from tracker.opendata import changelog, citations, exportcache, licence, openapi
from tracker.opendata import codebook as book
from tracker.opendata.formats import (
    attachment,
    csv_bytes,
    csv_chunks,
    json_bytes,
    json_chunks,
    xlsx_bytes,
)
from tracker.opendata.rows import ATTRIBUTIONS, MEASURES, Dataset
from tracker.queryargs import page_arg
from tracker.records.queries import include_drafts_requested, visible
from tracker.search import service as search_service
from tracker.search.labels import endpoint_url

bp = Blueprint("opendata", __name__)

PUBLIC_MAX_AGE = 300
#: measures read, turned into rows and let go at a time by a streamed export
EXPORT_BATCH = 500
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
    return include_drafts_requested(request.args.get("drafts"), current_user)


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


def _measure_batches(ids: list[int]) -> Iterator[list[Measure]]:
    """The measures ``ids`` names, in that order, EXPORT_BATCH at a time with everything an
    export or a citation reads; each batch is let go once the next is asked for (constant
    memory at any data size)."""
    for start in range(0, len(ids), EXPORT_BATCH):
        chunk = ids[start : start + EXPORT_BATCH]
        loaded = db.session.scalars(_full_measures(sa.select(Measure).where(Measure.id.in_(chunk))))
        by_id = {m.id: m for m in loaded}
        found = [by_id[i] for i in chunk if i in by_id]
        yield found
        for m in found:  # its children follow by cascade
            db.session.expunge(m.record)
            db.session.expunge(m)


def _full_measures(stmt: Any) -> Any:
    return measure_queries.with_details(stmt).options(
        selectinload(Measure.events).selectinload(MeasureEvent.successor_record),
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
                "licence": licence.metadata(url_for("opendata.codebook", _external=True)),
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


def _streamed(
    dataset: Dataset,
    batches: Iterator[list[dict[str, Any]]],
    count: int,
    fmt: str,
    filters: dict[str, Any],
    drafts: bool,
) -> Response:
    """``_export`` as a stream: the first bytes leave before the last rows are read."""
    name = f"cyber-norms-{dataset.name}{'-with-drafts' if drafts else ''}-{_stamp()}.{fmt}"
    if fmt == "json":
        document = {
            "codebook_version": book.VERSION,
            "codebook": url_for("opendata.codebook_json", _external=True),
            "dataset": dataset.name,
            "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "filters": filters,
            "licence": licence.metadata(url_for("opendata.codebook", _external=True)),
            "includes_drafts": drafts,
            "count": count,
        }
        body: Iterator[bytes] = json_chunks(document, batches)
    else:
        header = dataset.header(drafts)
        body = csv_chunks(header, ([dataset.flat(i, drafts) for i in b] for b in batches))
    return _stream_download(body, MEDIA_TYPES[fmt], name, fmt, drafts=drafts)


def _stream_download(
    body: Iterator[bytes], media_type: str, name: str, fmt: str, *, drafts: bool
) -> Response:
    """A streamed download, kept whole for the next readers (tracker/opendata/exportcache.py)
    unless it holds drafts or the reader has a session."""
    keep_at = None if drafts else exportcache.key_path(fmt)
    if keep_at is not None:
        body = exportcache.tee(body, keep_at)
    response = Response(stream_with_context(body), content_type=media_type)
    response.headers["Content-Disposition"] = attachment(name)
    if keep_at is not None:
        response.headers["X-Page-Cache"] = "miss"
    _cache(response, drafts=drafts)
    return response


def _kept_download(media_type: str, name: str, fmt: str, *, drafts: bool) -> Response | None:
    """The download another reader took whole at this address on this data version and
    day, if any."""
    if drafts:
        return None
    response = exportcache.kept_file(exportcache.key_path(fmt), media_type)
    if response is not None:
        response.headers["Content-Disposition"] = attachment(name)
        _cache(response, drafts=False)
    return response


def _kept_export(dataset: Dataset, fmt: str, drafts: bool) -> Response | None:
    name = f"cyber-norms-{dataset.name}-{_stamp()}.{fmt}"
    return _kept_download(MEDIA_TYPES[fmt], name, fmt, drafts=drafts)


def _searched(model: Any, owner: str, drafts: bool) -> tuple[Any, dict[str, Any]] | None:
    """With ``q``: the rows of ``owner`` that the search page finds for ``q`` and its facet
    filters (so a results page links to exactly its own rows); without it, None."""
    query = request.args.get("q", "")[:500]
    if not query:
        return None
    filters = search_service.SearchFilters.from_args(request.args)
    audience = search_service.Audience(include_drafts=drafts)
    ids = search_service.matching_owner_ids(owner, query, filters, audience)
    stmt = visible(model, include_drafts=drafts).where(model.id.in_(ids))
    return stmt, {"q": query, **filters.as_args()}


@bp.get("/export/measures.<any(csv, xlsx, json):fmt>")
@public
def export_measures(fmt: str) -> Response:
    drafts = _drafts()
    kept = _kept_export(MEASURES, fmt, drafts)
    if kept is not None:
        return kept
    filters = measure_queries.parse_filters(request.args)
    searched = _searched(Measure, "measure", drafts)
    if searched:
        stmt, args = searched
        stmt = stmt.order_by(
            Measure.year.desc().nulls_last(), Measure.jurisdiction_code, Measure.id
        )
        if filters.as_of:
            args["as_of"] = filters.as_of.isoformat()
    else:
        stmt = measure_queries.filtered_measures(filters, include_drafts=drafts)
        args = filters.as_args()
    ids = list(db.session.scalars(stmt.with_only_columns(Measure.id)))

    def batches() -> Iterator[list[dict[str, Any]]]:
        """The items in export order, EXPORT_BATCH measures at a time (constant memory)."""
        for found in _measure_batches(ids):
            standings = measure_queries.measure_standings(found, filters.on, include_drafts=drafts)
            # A relation names its target's key: only targets this reader may see (never a
            # draft's key in a public export).
            targets = measure_queries.visible_measures_by_record(
                {r.target_record_id for m in found for r in m.relations}, include_drafts=drafts
            )
            yield [
                MEASURES.item(
                    m, drafts=drafts, standing=standings[m.id], on=filters.on, targets=targets
                )
                for m in found
            ]

    if fmt == "xlsx":
        # built whole (a ZIP), from rows read a batch at a time; kept like the streamed ones
        return _xlsx(MEASURES, (i for b in batches() for i in b), args, drafts)
    if not ids:
        return _export(MEASURES, [], fmt, args, drafts)
    return _streamed(MEASURES, batches(), len(ids), fmt, args, drafts)


def _xlsx(
    dataset: Dataset, items: Iterator[dict[str, Any]], filters: dict[str, Any], drafts: bool
) -> Response:
    name = f"cyber-norms-{dataset.name}{'-with-drafts' if drafts else ''}-{_stamp()}.xlsx"
    rows = (dataset.flat(item, drafts) for item in items)
    body = xlsx_bytes(dataset.name, dataset.header(drafts), rows)
    response = _download(body, MEDIA_TYPES["xlsx"], name, drafts=drafts)
    keep_at = None if drafts else exportcache.key_path("xlsx")
    if keep_at is not None:
        exportcache.put(keep_at, body)
        response.headers["X-Page-Cache"] = "miss"
    return response


@bp.get("/export/attributions.<any(csv, xlsx, json):fmt>")
@public
def export_attributions(fmt: str) -> Response:
    drafts = _drafts()
    searched = _searched(Attribution, "attribution", drafts)
    if searched:
        stmt, args = searched
        stmt = stmt.order_by(Attribution.date.desc(), Attribution.id.desc())
    else:
        filters = attribution_queries.parse_filters(request.args)
        stmt = attribution_queries.filtered_attributions(filters, include_drafts=drafts)
        args = filters.as_args()
    items = [
        ATTRIBUTIONS.item(a, drafts=drafts)
        for a in db.session.scalars(attribution_queries.with_details(stmt))
    ]
    return _export(ATTRIBUTIONS, items, fmt, args, drafts)


# --- Citations ----------------------------------------------------------------------------------


def _citations(measures: list[Measure], drafts: bool) -> list[citations.Citation]:
    standings = measure_queries.measure_standings(
        measures, lifecycle.today(), include_drafts=drafts
    )
    return [
        citations.build(
            m,
            endpoint_url(
                "measures.detail", "/measures/{record_id}", external=True, record_id=m.record_id
            ),
            standings[m.id],
        )
        for m in measures
    ]


#: citation format -> media type
CITATION_TYPES = {"bib": MEDIA_TYPES["bib"], "ris": MEDIA_TYPES["ris"], "json": MEDIA_TYPES["csl"]}


def _citation_response(measures: list[Measure], fmt: str, name: str, drafts: bool) -> Response:
    items = _citations(measures, drafts)
    if fmt == "bib":
        body = citations.to_bibtex(items)
    elif fmt == "ris":
        body = citations.to_ris(items)
    else:
        body = citations.to_csl_json(items)
    return _download(body, CITATION_TYPES[fmt], f"{name}.{fmt}", drafts=drafts)


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
    """The citations of a filtered list, streamed EXPORT_BATCH measures at a time (constant
    memory) and kept per data version like the exports."""
    drafts = _drafts()
    name = f"cyber-norms-measures{'-with-drafts' if drafts else ''}-{_stamp()}.{fmt}"
    kept = _kept_download(CITATION_TYPES[fmt], name, fmt, drafts=drafts)
    if kept is not None:
        return kept
    filters = measure_queries.parse_filters(request.args)
    stmt = measure_queries.filtered_measures(filters, include_drafts=drafts)
    ids = list(db.session.scalars(stmt.with_only_columns(Measure.id)))

    batches = (_citations(found, drafts) for found in _measure_batches(ids))
    body = (text.encode() for text in citations.chunks(fmt, batches))
    return _stream_download(body, CITATION_TYPES[fmt], name, fmt, drafts=drafts)


# --- Codebook, changelog, OpenAPI ---------------------------------------------------------------


@bp.get("/data/")
@public
def codebook() -> str:
    return render_template(
        "opendata/codebook.html",
        book=book.codebook(),
        licence=licence.metadata(url_for("opendata.codebook", _external=True)),
    )


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
    """The changelog as Atom; the lists' filters (and ``kind``) narrow it (a 400 names a
    bad value)."""
    from tracker.follow import filters as follow

    wanted = follow.parse(request.args)
    stmt = follow.publications(wanted).limit(changelog.FEED_SIZE)
    items = changelog.with_links(list(db.session.scalars(stmt)), external=True)
    body = changelog.atom_feed(items, wanted.as_args(), follow.describe(wanted))
    response = Response(body, content_type="application/atom+xml; charset=utf-8")
    _cache(response, drafts=False)
    # Conditional GET: feed readers poll; an unchanged feed is a 304 without a body. The
    # ETag is the body's digest, so any change (a new entry, a link that went away) shows.
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.last_modified = changelog.last_modified(items)
    response.make_conditional(request)  # in place: 304 and no body when the reader is up to date
    return response


@bp.get("/api/v1/openapi.json")
@public
def openapi_document() -> dict[str, Any]:
    return openapi.document(
        request.url_root,
        current_app.config["API_PAGE_SIZE"],
        current_app.config["API_MAX_PAGE_SIZE"],
        jurisdiction_codes=db.session.scalars(sa.select(Jurisdiction.code)).all(),
        topic_slugs=db.session.scalars(sa.select(Topic.slug)).all(),
    )
