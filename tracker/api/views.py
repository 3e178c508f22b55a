"""JSON API, version 1: published records only, paginated, filtered like the HTML list.

Every response is a model of tracker/api/schemas.py (the OpenAPI document is generated from
the same models). Every list answers the one envelope ``Page``: ``{"items": [...], "page",
"per_page", "total", "pages", "next", "prev"}``; ``page`` and ``per_page`` (at most
API_MAX_PAGE_SIZE) choose the slice. A norm and a jurisdiction give counts and a link to the
paginated measures, never every measure, so each answer is bounded whatever the data's size.
Drafts are never served here, whoever asks: staff see drafts in the HTML pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa
from flask import Blueprint, current_app, request, url_for
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from tracker.accounts.permissions import public
from tracker.api import schemas
from tracker.api.responses import paginate, responds
from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction
from tracker.jurisdictions.queries import explain_unknown_code, memberships
from tracker.measures import lifecycle
from tracker.measures import queries as measure_queries
from tracker.measures.models import Measure
from tracker.modelbase import partial_date_text, rfc3339
from tracker.norms import queries as norm_queries
from tracker.norms.models import CONTESTED_NOTE, SHORT_TITLE_NOTE, Commitment, Norm
from tracker.queryargs import DB_INT_MAX
from tracker.records.kept import MEASURE_TOTAL, NORM_COUNTS, filter_key, kept
from tracker.records.queries import visible
from tracker.web import not_found, with_suggestion

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/")
@public
@responds(schemas.Index)
def index() -> schemas.Index:
    endpoints = {
        "norms": url_for("api.norms", _external=True),
        "jurisdictions": url_for("api.jurisdictions", _external=True),
        "measures": url_for("api.measures", _external=True),
    }
    # Other domains add their own API routes to their blueprints.
    if "attribution.api_list" in current_app.view_functions:
        endpoints["attributions"] = url_for("attribution.api_list", _external=True)
    return schemas.Index(
        name="Cyber Norms Tracker API",
        version=1,
        endpoints=endpoints,
        notes="Published records only. Lists take page and per_page; measures take the "
        "filters of the HTML list: jurisdiction, norm, topic, type, status, year.",
    )


# -- Serialisers: records to models -------------------------------------------------------------


def _verification(obj: Any) -> schemas.VerificationDetail:
    return schemas.VerificationDetail(status=obj.verification, note=obj.verification_note)


def norm_model(norm: Norm) -> schemas.Norm:
    return schemas.Norm(**_norm_fields(norm))


def _norm_fields(norm: Norm) -> dict[str, Any]:
    return {
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


def commitment_model(c: Commitment) -> schemas.Commitment:
    return schemas.Commitment(
        key=c.key,
        kind=c.kind,
        title=c.title,
        text=c.text,
        instrument=c.instrument,
        paragraph=c.paragraph,
        contested=c.contested,
        standing=c.standing_label,
        standing_note=CONTESTED_NOTE if c.contested else None,
        verification=_verification(c),
        sources=c.sources,
    )


def commitment_json(c: Commitment) -> dict[str, Any]:
    """A commitment as the API gives it (inside a norm)."""
    return commitment_model(c).model_dump(mode="json")


def norm_detail(norm: Norm) -> schemas.NormDetail:
    """The norm with its document, commitments and a count of its measures by jurisdiction
    (one grouped query, whatever the number of measures); the measures are at measures_url."""
    counts = kept(
        NORM_COUNTS, norm.id, lambda: measure_queries.norm_counts_by_jurisdiction(norm.id)
    )
    found = norm_queries.jurisdictions_by_code(counts)
    summary = sorted(
        (found[code] for code in counts if code in found),
        key=lambda j: (not j.is_org, j.name),
    )
    doc = norm.document
    return schemas.NormDetail(
        **_norm_fields(norm),
        document=schemas.FrameworkDocument(
            symbol=doc.symbol,
            title=doc.title,
            date=partial_date_text(doc.date, doc.date_precision),
            url=doc.url,
            verification=_verification(doc),
        )
        if doc
        else None,
        commitments=[commitment_model(c) for c in norm.commitments],
        measures=sum(counts[j.code] for j in summary),
        measures_url=url_for("api.measures", norm=norm.letter, _external=True),
        jurisdictions=[
            schemas.NormJurisdiction(code=j.code, name=j.name, kind=j.kind, measures=counts[j.code])
            for j in summary
        ],
    )


def _scope_counts(
    codes: Sequence[str], member_of: dict[str, list[str]]
) -> dict[str, lifecycle.Counts]:
    """{code: named counts today} for these jurisdictions and their organisations only."""
    scope = frozenset(c for code in codes for c in (code, *member_of.get(code, [])))
    return kept("standing_counts", scope, lambda: measure_queries.standing_counts(codes=scope))


def jurisdiction_model(
    j: Jurisdiction, member_of: list[str], counts: dict[str, lifecycle.Counts]
) -> schemas.Jurisdiction:
    """``measures`` counts what ``measures_url`` lists: the jurisdiction's own measures and
    those of the organisations it belongs to; ``standing_counts`` names the counts today."""
    scope = [counts[c] for c in (j.code, *member_of) if c in counts]
    return schemas.Jurisdiction(
        code=j.code,
        name=j.name,
        official_name=j.official_name,
        alpha3=j.alpha3,
        kind=j.kind,
        member_of=member_of,
        measures=sum(s.listed for s in scope),
        standing_counts=schemas.StandingCounts(
            as_of=lifecycle.today(),
            **{c.key: sum(getattr(s, c.key) for s in scope) for c in lifecycle.COUNTS},
        ),
        url=url_for("jurisdictions.detail", code=j.code, _external=True),
        measures_url=url_for("api.measures", jurisdiction=j.code, _external=True),
    )


def measure_model(
    m: Measure, targets: dict[int, Measure], standing: lifecycle.StandingOn, on: dt.date
) -> schemas.Measure:
    return schemas.Measure(
        id=m.record_id,
        url=url_for("measures.detail", record_id=m.record_id, _external=True),
        api_url=url_for("api.measure", record_id=m.record_id, _external=True),
        jurisdiction=schemas.JurisdictionRef(code=m.jurisdiction_code, name=m.jurisdiction.name),
        title_original=m.title_original,
        title_lang=m.title_lang,
        title_en=m.title_en,
        short_name=m.short_name,
        type=m.type,
        issuing_body=m.issuing_body,
        status=m.status,
        status_note=m.status_note,
        standing=schemas.MeasureStanding(
            as_of=on, value=standing.standing, label=standing.label, sentence=standing.sentence
        ),
        official_identifier=m.official_identifier,
        official_url=m.official_url,
        description=m.description,
        year=m.year,
        events=[
            schemas.MeasureEvent(
                kind=e.kind,
                # an event is always dated (and the model refuses a None)
                date=cast(str, partial_date_text(e.date, e.precision)),
                precision=e.precision,
                stage=e.stage,
                note=e.note,
                successor=e.successor_record_id if e.successor_record_id in targets else None,
            )
            for e in m.events
        ],
        sources=[source_model(s) for s in m.sources],
        topics=[schemas.Topic(slug=t.slug, name=t.name) for t in m.topics],
        mappings=[
            schemas.MeasureMapping(
                norm=mp.norm.letter if mp.norm else None,
                commitment=mp.commitment.key if mp.commitment else None,
                locator=mp.locator,
                whole_instrument=mp.whole_instrument,
                rationale=mp.rationale,
                basis=mp.basis,
            )
            for mp in m.mappings
        ],
        # Only relations whose target the public can see: an unpublished target is left out.
        relations=[
            schemas.Relation(
                kind=r.kind,
                target=r.target_record_id,
                target_url=url_for("api.measure", record_id=r.target_record_id, _external=True),
                note=r.note,
            )
            for r in m.relations
            if r.target_record_id in targets
        ],
        verification=_verification(m),
        # When the public version last changed (work on a draft since then does not count).
        updated_at=cast(str, rfc3339(m.record.published_at or m.record.updated_at)),
    )


def source_model(s: Any) -> schemas.Source:
    return schemas.Source(url=s.url, title=s.title, accessed=s.accessed)


def measure_models(items: Sequence[Measure], on: dt.date | None = None) -> list[schemas.Measure]:
    on = on or lifecycle.today()
    targets = measure_queries.visible_measures_by_record(
        {r.target_record_id for m in items for r in m.relations}
        | {e.successor_record_id for m in items for e in m.events if e.successor_record_id}
    )
    standings = measure_queries.measure_standings(items, on)
    return [measure_model(m, targets, standings[m.id], on) for m in items]


def _full(stmt: sa.Select[Any]) -> sa.Select[Any]:
    return measure_queries.with_details(stmt).options(
        selectinload(Measure.sources), selectinload(Measure.relations), selectinload(Measure.record)
    )


# -- Endpoints ----------------------------------------------------------------------------------


@bp.get("/norms")
@public
@responds(schemas.NormPage)
def norms() -> schemas.NormPage:
    stmt = sa.select(Norm).order_by(Norm.letter)
    return paginate(
        stmt, schemas.NormPage, "api.norms", lambda items: [norm_model(n) for n in items]
    )


@bp.get("/norms/<letter>")
@public
@responds(schemas.NormDetail)
def norm(letter: str) -> schemas.NormDetail:
    found = norm_queries.get_norm(letter.lower()) if len(letter) == 1 else None
    if found is None:
        raise not_found(f"There is no norm ({letter}). The norms are the letters a to k.")
    return norm_detail(found)


@bp.get("/jurisdictions")
@public
@responds(schemas.JurisdictionPage)
def jurisdictions() -> schemas.JurisdictionPage:
    stmt = sa.select(Jurisdiction).order_by(Jurisdiction.code)
    with_measures = request.args.get("with_measures", "").lower() in {"1", "true", "yes"}
    if with_measures:
        own = visible(Measure).with_only_columns(Measure.jurisdiction_code)
        stmt = stmt.where(Jurisdiction.code.in_(own))

    def serialise(items: Sequence[Jurisdiction]) -> list[schemas.Jurisdiction]:
        # counts for this page's jurisdictions (and their organisations) only
        orgs = memberships([j.code for j in items])
        counts = _scope_counts([j.code for j in items], orgs)
        return [jurisdiction_model(j, orgs.get(j.code, []), counts) for j in items]

    return paginate(
        stmt,
        schemas.JurisdictionPage,
        "api.jurisdictions",
        serialise,
        with_measures=1 if with_measures else None,
    )


@bp.get("/jurisdictions/<code>")
@public
@responds(schemas.Jurisdiction)
def jurisdiction(code: str) -> schemas.Jurisdiction:
    found = db.session.get(Jurisdiction, code.upper())
    if found is None:
        help_ = explain_unknown_code(code.upper())
        target = help_.suggestion
        raise with_suggestion(
            NotFound(help_.message),
            url_for("api.jurisdiction", code=target.code, _external=True) if target else None,
            f"{target.name} ({target.code})" if target else None,
        )
    orgs = memberships([found.code])
    counts = _scope_counts([found.code], orgs)
    return jurisdiction_model(found, orgs.get(found.code, []), counts)


@bp.get("/measures")
@public
@responds(schemas.MeasurePage)
def measures() -> schemas.MeasurePage:
    filters = measure_queries.parse_filters(request.args)
    stmt = _full(measure_queries.filtered_measures(filters))
    return paginate(
        stmt,
        schemas.MeasurePage,
        "api.measures",
        lambda items: measure_models(items, filters.on),
        kept_total=(MEASURE_TOTAL, filter_key(filters.as_args())),
        **filters.as_args(),
    )


# A number past the database's range is a 404 from routing, not a database error (a 500).
@bp.get(f"/measures/<int(min=1, max={DB_INT_MAX}):record_id>")
@public
@responds(schemas.Measure)
def measure(record_id: int) -> schemas.Measure:
    stmt = _full(visible(Measure)).where(Measure.record_id == record_id)
    found = db.session.scalar(stmt)
    if found is None:
        raise not_found(f"There is no published measure number {record_id}.")
    return measure_models([found], measure_queries.parse_filters(request.args).on)[0]
