"""JSON API, version 1: published records only, paginated, filtered like the HTML list.

Every list answers ``{"items": [...], "page", "per_page", "total", "pages", "next", "prev"}``;
``page`` and ``per_page`` (at most API_MAX_PAGE_SIZE) choose the slice. Drafts are never
served here, whoever asks: staff see drafts in the HTML pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, request, url_for
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from tracker.accounts.permissions import public
from tracker.db import partial_date_text, rfc3339
from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction
from tracker.jurisdictions.queries import explain_unknown_code, memberships
from tracker.measures import lifecycle
from tracker.measures import queries as measure_queries
from tracker.measures.models import Measure
from tracker.norms import queries as norm_queries
from tracker.norms.models import CONTESTED_NOTE, SHORT_TITLE_NOTE, Commitment, Norm
from tracker.queryargs import DB_INT_MAX, MAX_PAGE, int_arg
from tracker.records.queries import visible
from tracker.web import not_found, with_suggestion

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/")
@public
def index() -> dict[str, Any]:
    endpoints = {
        "norms": url_for("api.norms", _external=True),
        "jurisdictions": url_for("api.jurisdictions", _external=True),
        "measures": url_for("api.measures", _external=True),
    }
    # Other domains add their own API routes to their blueprints.
    if "attribution.api_list" in current_app.view_functions:
        endpoints["attributions"] = url_for("attribution.api_list", _external=True)
    return {
        "name": "Cyber Norms Tracker API",
        "version": 1,
        "endpoints": endpoints,
        "notes": "Published records only. Lists take page and per_page; measures take the "
        "filters of the HTML list: jurisdiction, norm, topic, type, status, year.",
    }


def _page(stmt: sa.Select[Any], endpoint: str, serialise: Any, **args: Any) -> dict[str, Any]:
    """Paginate ``stmt`` and wrap the serialised items with page links."""
    page = int_arg("page", 1, MAX_PAGE)
    maximum = current_app.config["API_MAX_PAGE_SIZE"]
    per_page = int_arg("per_page", min(current_app.config["API_PAGE_SIZE"], maximum), maximum)
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    if page > 1 and not pagination.items:
        raise not_found(
            f"There is no page {page}: this list has {max(pagination.pages, 1)} page(s)."
        )

    def link(number: int) -> str:
        return url_for(endpoint, page=number, per_page=per_page, _external=True, **args)

    return {
        "items": serialise(pagination.items),
        "page": page,
        "per_page": per_page,
        "total": pagination.total,
        "pages": pagination.pages,
        "next": link(page + 1) if pagination.has_next else None,
        "prev": link(page - 1) if pagination.has_prev else None,
    }


# -- Serialisers --------------------------------------------------------------------------------


def _verification(obj: Any) -> dict[str, Any]:
    return {"status": obj.verification.value, "note": obj.verification_note}


def norm_json(norm: Norm, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "letter": norm.letter,
        "reference": norm.reference,
        "short_title": norm.short_title,
        "short_title_note": SHORT_TITLE_NOTE,
        "summary": norm.summary,
        "official_text": norm.official_text,
        "verification": _verification(norm),
        "sources": norm.sources,
        "url": url_for("norms.detail", letter=norm.letter, _external=True),
        "api_url": url_for("api.norm", letter=norm.letter, _external=True),
    }
    if full:
        data["document"] = (
            {
                "symbol": norm.document.symbol,
                "title": norm.document.title,
                "date": partial_date_text(norm.document.date, norm.document.date_precision),
                "url": norm.document.url,
                "verification": _verification(norm.document),
            }
            if norm.document
            else None
        )
        data["commitments"] = [commitment_json(c) for c in norm.commitments]
    return data


def commitment_json(c: Commitment) -> dict[str, Any]:
    return {
        "key": c.key,
        "kind": c.kind.value,
        "title": c.title,
        "text": c.text,
        "instrument": c.instrument,
        "paragraph": c.paragraph,
        "contested": c.contested,
        "standing": c.standing_label,
        "standing_note": CONTESTED_NOTE if c.contested else None,
        "verification": _verification(c),
        "sources": c.sources,
    }


def jurisdiction_json(
    j: Jurisdiction, member_of: list[str], counts: dict[str, lifecycle.Counts]
) -> dict[str, Any]:
    """``measures`` counts what ``measures_url`` lists: the jurisdiction's own measures and
    those of the organisations it belongs to; ``standing_counts`` names the counts today."""
    scope = [counts[c] for c in (j.code, *member_of) if c in counts]
    total = lifecycle.Counts(
        **{c.key: sum(getattr(s, c.key) for s in scope) for c in lifecycle.COUNTS}
    )
    return {
        "code": j.code,
        "name": j.name,
        "official_name": j.official_name,
        "alpha3": j.alpha3,
        "kind": j.kind.value,
        "member_of": member_of,
        "measures": sum(s.listed for s in scope),
        "standing_counts": {
            "as_of": lifecycle.today().isoformat(),
            **{c.label: getattr(total, c.key) for c in lifecycle.COUNTS},
        },
        "url": url_for("jurisdictions.detail", code=j.code, _external=True),
        "measures_url": url_for("api.measures", jurisdiction=j.code, _external=True),
    }


def measure_json(
    m: Measure, targets: dict[int, Measure], standing: lifecycle.StandingOn, on: dt.date
) -> dict[str, Any]:
    return {
        "id": m.record_id,
        "url": url_for("measures.detail", record_id=m.record_id, _external=True),
        "api_url": url_for("api.measure", record_id=m.record_id, _external=True),
        "jurisdiction": {"code": m.jurisdiction_code, "name": m.jurisdiction.name},
        "title_original": m.title_original,
        "title_lang": m.title_lang,
        "title_en": m.title_en,
        "short_name": m.short_name,
        "type": m.type.value,
        "issuing_body": m.issuing_body,
        "status": m.status.value,
        "status_note": m.status_note,
        "standing": {
            "as_of": on.isoformat(),
            "value": standing.standing.value,
            "label": standing.label,
            "sentence": standing.sentence,
        },
        "official_identifier": m.official_identifier,
        "official_url": m.official_url,
        "description": m.description,
        "year": m.year,
        "events": [
            {
                "kind": e.kind.value,
                "date": partial_date_text(e.date, e.precision),
                "precision": e.precision.value,
                "stage": e.stage,
                "note": e.note,
                "successor": e.successor_record_id if e.successor_record_id in targets else None,
            }
            for e in m.events
        ],
        "sources": [
            {
                "url": s.url,
                "title": s.title,
                "accessed": s.accessed.isoformat() if s.accessed else None,
            }
            for s in m.sources
        ],
        "topics": [{"slug": t.slug, "name": t.name} for t in m.topics],
        "mappings": [
            {
                "norm": mp.norm.letter if mp.norm else None,
                "commitment": mp.commitment.key if mp.commitment else None,
                "locator": mp.locator,
                "whole_instrument": mp.whole_instrument,
                "rationale": mp.rationale,
                "basis": mp.basis.value,
            }
            for mp in m.mappings
        ],
        # Only relations whose target the public can see: an unpublished target is left out.
        "relations": [
            {
                "kind": r.kind.value,
                "target": r.target_record_id,
                "target_url": url_for("api.measure", record_id=r.target_record_id, _external=True),
                "note": r.note,
            }
            for r in m.relations
            if r.target_record_id in targets
        ],
        "verification": _verification(m),
        # When the public version last changed (work on a draft since then does not count).
        "updated_at": rfc3339(m.record.published_at or m.record.updated_at),
    }


def measures_json(items: list[Measure], on: dt.date | None = None) -> list[dict[str, Any]]:
    on = on or lifecycle.today()
    targets = measure_queries.visible_measures_by_record(
        {r.target_record_id for m in items for r in m.relations}
        | {e.successor_record_id for m in items for e in m.events if e.successor_record_id}
    )
    standings = measure_queries.measure_standings(items, on)
    return [measure_json(m, targets, standings[m.id], on) for m in items]


def _full(stmt: sa.Select[Any]) -> sa.Select[Any]:
    return measure_queries.with_details(stmt).options(
        selectinload(Measure.sources), selectinload(Measure.relations), selectinload(Measure.record)
    )


# -- Endpoints ----------------------------------------------------------------------------------


@bp.get("/norms")
@public
def norms() -> dict[str, Any]:
    stmt = sa.select(Norm).order_by(Norm.letter)
    return _page(stmt, "api.norms", lambda items: [norm_json(n) for n in items])


@bp.get("/norms/<letter>")
@public
def norm(letter: str) -> dict[str, Any]:
    found = norm_queries.get_norm(letter.lower()) if len(letter) == 1 else None
    if found is None:
        raise not_found(f"There is no norm ({letter}). The norms are the letters a to k.")
    data = norm_json(found, full=True)
    grouped: dict[int, dict[str, Any]] = {}
    for measure, mapping in measure_queries.measures_for_norm(found.id):
        entry = grouped.setdefault(
            measure.id,
            {
                "id": measure.record_id,
                "api_url": url_for("api.measure", record_id=measure.record_id, _external=True),
                "jurisdiction": measure.jurisdiction_code,
                "title_original": measure.title_original,
                "title_lang": measure.title_lang,
                "title_en": measure.title_en,
                "short_name": measure.short_name,
                "status": measure.status.value,
                "verification": measure.verification.value,
                "mappings": [],
            },
        )
        entry["mappings"].append(
            {
                "locator": mapping.locator,
                "whole_instrument": mapping.whole_instrument,
                "rationale": mapping.rationale,
                "basis": mapping.basis.value,
            }
        )
    data["measures"] = list(grouped.values())
    return data


@bp.get("/jurisdictions")
@public
def jurisdictions() -> dict[str, Any]:
    counts = measure_queries.standing_counts()
    orgs = memberships()
    stmt = sa.select(Jurisdiction).order_by(Jurisdiction.code)
    with_measures = request.args.get("with_measures", "").lower() in {"1", "true", "yes"}
    if with_measures:
        stmt = stmt.where(Jurisdiction.code.in_(sorted(counts)))
    return _page(
        stmt,
        "api.jurisdictions",
        lambda items: [jurisdiction_json(j, orgs.get(j.code, []), counts) for j in items],
        with_measures=1 if with_measures else None,
    )


@bp.get("/jurisdictions/<code>")
@public
def jurisdiction(code: str) -> dict[str, Any]:
    found = db.session.get(Jurisdiction, code.upper())
    if found is None:
        help_ = explain_unknown_code(code.upper())
        target = help_.suggestion
        raise with_suggestion(
            NotFound(help_.message),
            url_for("api.jurisdiction", code=target.code, _external=True) if target else None,
            f"{target.name} ({target.code})" if target else None,
        )
    counts = measure_queries.standing_counts()
    return jurisdiction_json(found, memberships([found.code]).get(found.code, []), counts)


@bp.get("/measures")
@public
def measures() -> dict[str, Any]:
    filters = measure_queries.parse_filters(request.args)
    stmt = _full(measure_queries.filtered_measures(filters))
    return _page(
        stmt, "api.measures", lambda items: measures_json(items, filters.on), **filters.as_args()
    )


# A number past the database's range is a 404 from routing, not a database error (a 500).
@bp.get(f"/measures/<int(min=1, max={DB_INT_MAX}):record_id>")
@public
def measure(record_id: int) -> dict[str, Any]:
    stmt = _full(visible(Measure)).where(Measure.record_id == record_id)
    found = db.session.scalar(stmt)
    if found is None:
        raise not_found(f"There is no published measure number {record_id}.")
    return measures_json([found], measure_queries.parse_filters(request.args).on)[0]
