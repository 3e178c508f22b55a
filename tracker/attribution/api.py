"""JSON API for attributions and their statements: /api/v1/attributions (published statements only).

The routes are added to the attribution blueprint (see ``register``) so this domain does not
edit tracker/api. Responses are the models of tracker/attribution/schemas.py; the list is
paginated by the API's one helper (``tracker.api.responses.paginate``), with the one envelope:
``items``, ``page``, ``per_page``, ``total``, ``pages``, ``next`` and ``prev``.
"""

from __future__ import annotations

from typing import Any, cast

from flask import Blueprint, abort, request, url_for

from tracker.accounts.permissions import public
from tracker.api.responses import paginate, responds
from tracker.api.schemas import JurisdictionRef, Source
from tracker.attribution import queries
from tracker.attribution import schemas as s_
from tracker.attribution.models import Attribution, AttributionStatement
from tracker.modelbase import partial_date_text, rfc3339
from tracker.queryargs import DB_INT_MAX


def _jurisdiction(j: Any) -> JurisdictionRef | None:
    return JurisdictionRef(code=j.code, name=j.name) if j is not None else None


def _jurisdictions(parties: Any) -> list[JurisdictionRef]:
    return [JurisdictionRef(code=p.jurisdiction.code, name=p.jurisdiction.name) for p in parties]


def statement_model(s: AttributionStatement) -> s_.AttributionStatement:
    """One statement: its own parties, and what it (and only it) invokes.
    ``un_framework_invoked`` is "yes", "no" or "unknown" (the full text was not seen),
    never a boolean, so unknown cannot read as no. A passage is "verbatim" (the
    statement's words, with the source giving them) or a "summary"."""
    return s_.AttributionStatement(
        role=s.role,
        parties=_jurisdictions(s.parties),
        orgs=list(s.orgs or []),
        joint=s.is_joint,
        date=partial_date_text(s.date, s.date_precision) if s.date else None,
        form=s.form,
        un_framework_invoked=s.un_framework_invoked,
        un_framework_invoked_label=s.un_framework_invoked.label,
        invoked_norms=[
            s_.InvokedNorm(norm=i.norm.letter, basis=i.basis, passage=i.passage, locator=i.locator)
            for i in s.invoked_norms
        ],
        passage=s_.Passage(text=s.passage, kind=s.passage_kind, source=s.passage_source)
        if s.passage
        else None,
        source=s_.StatementSource(title=s.source_title, url=s.source_url)
        if s.source_title or s.source_url
        else None,
        note=s.note,
    )


def to_model(a: Attribution) -> s_.Attribution:
    """One attribution as the API gives it, with its statements (see ``statement_model``)."""
    return s_.Attribution(
        id=a.record_id,
        url=url_for("attribution.detail", record_id=a.record_id, _external=True),
        api_url=url_for("attribution.api_detail", record_id=a.record_id, _external=True),
        # an attribution is always dated (and the model refuses a None)
        date=cast(str, partial_date_text(a.date, a.date_precision)),
        date_precision=a.date_precision,
        operation=a.operation,
        attributing=_jurisdictions(a.attributing),
        attributing_orgs=a.attributing_orgs,
        supported_by=_jurisdictions(a.supporting),
        supported_by_orgs=a.supporting_orgs,
        other_states_recalled=s_.Recalled(
            states=_jurisdictions(a.recalled),
            verified=False,
            note="Named as attributing from recollection only; not verified.",
        ),
        attributed_actor=a.attributed_actor,
        attributed_state=_jurisdiction(a.attributed_state),
        forms=list(a.forms),
        statements=[statement_model(s) for s in a.statements],
        basis_note=a.basis_note,
        follow_up=a.follow_up,
        legal_basis=a.legal_basis,
        notes=a.notes,
        verification=s_.LabelledVerification(
            status=a.verification, label=a.verification.label, note=a.verification_note
        ),
        sources=[Source(url=s.url, title=s.title, accessed=s.accessed) for s in a.sources],
        published_at=rfc3339(a.record.published_at),
    )


def to_json(a: Attribution) -> dict[str, Any]:
    """One attribution as the API's JSON."""
    return to_model(a).model_dump(mode="json")


@public
@responds(s_.AttributionPage)
def api_list() -> s_.AttributionPage:
    filters = queries.parse_filters(request.args)
    stmt = queries.with_details(queries.filtered_attributions(filters))
    return paginate(
        stmt,
        s_.AttributionPage,
        "attribution.api_list",
        lambda items: [to_model(a) for a in items],
        **filters.as_args(),
    )


@public
@responds(s_.Attribution)
def api_detail(record_id: int) -> s_.Attribution:
    attribution = queries.get_attribution(record_id)
    if attribution is None:
        abort(404, f"No published attribution statement has the id {record_id}.")
    return to_model(attribution)


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/api/v1/attributions", "api_list", api_list, methods=["GET"])
    bp.add_url_rule(
        f"/api/v1/attributions/<int(min=1, max={DB_INT_MAX}):record_id>",
        "api_detail",
        api_detail,
        methods=["GET"],
    )
