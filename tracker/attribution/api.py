"""JSON API for attributions and their statements: /api/v1/attributions (published statements only).

The routes are added to the attribution blueprint (see ``register``) so this
domain does not edit tracker/api. Lists are paginated like the other API lists:
``items``, ``page``, ``per_page``, ``total``, ``pages``, ``next`` and ``prev``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, request, url_for

from tracker.accounts.permissions import public
from tracker.attribution import queries
from tracker.attribution.models import Attribution, AttributionStatement
from tracker.db import partial_date_text, rfc3339
from tracker.extensions import db
from tracker.queryargs import DB_INT_MAX, int_arg, page_arg


def _jurisdiction(j: Any) -> dict[str, str] | None:
    return {"code": j.code, "name": j.name} if j is not None else None


def statement_json(s: AttributionStatement) -> dict[str, Any]:
    """One statement: its own parties, and what it (and only it) invokes.
    ``un_framework_invoked`` is "yes", "no" or "unknown" (the full text was not seen),
    never a boolean, so unknown cannot read as no. A passage is "verbatim" (the
    statement's words, with the source giving them) or a "summary"."""
    return {
        "role": s.role.value,
        "parties": [_jurisdiction(p.jurisdiction) for p in s.parties],
        "orgs": list(s.orgs or []),
        "joint": s.is_joint,
        "date": partial_date_text(s.date, s.date_precision) if s.date else None,
        "form": s.form.value if s.form else None,
        "un_framework_invoked": s.un_framework_invoked.value,
        "un_framework_invoked_label": s.un_framework_invoked.label,
        "invoked_norms": [
            {
                "norm": i.norm.letter,
                "basis": i.basis.value,
                "passage": i.passage,
                "locator": i.locator,
            }
            for i in s.invoked_norms
        ],
        "passage": {
            "text": s.passage,
            "kind": s.passage_kind.value,
            "source": s.passage_source,
        }
        if s.passage
        else None,
        "source": {"title": s.source_title, "url": s.source_url}
        if s.source_title or s.source_url
        else None,
        "note": s.note,
    }


def to_json(a: Attribution) -> dict[str, Any]:
    """One attribution as the API gives it, with its statements (see ``statement_json``)."""
    return {
        "id": a.record_id,
        "url": url_for("attribution.detail", record_id=a.record_id, _external=True),
        "api_url": url_for("attribution.api_detail", record_id=a.record_id, _external=True),
        "date": partial_date_text(a.date, a.date_precision),
        "date_precision": a.date_precision.value,
        "operation": a.operation,
        "attributing": [_jurisdiction(p.jurisdiction) for p in a.attributing],
        "attributing_orgs": a.attributing_orgs,
        "supported_by": [_jurisdiction(p.jurisdiction) for p in a.supporting],
        "supported_by_orgs": a.supporting_orgs,
        "other_states_recalled": {
            "states": [_jurisdiction(p.jurisdiction) for p in a.recalled],
            "verified": False,
            "note": "Named as attributing from recollection only; not verified.",
        },
        "attributed_actor": a.attributed_actor,
        "attributed_state": _jurisdiction(a.attributed_state),
        "forms": [f.value for f in a.forms],
        "statements": [statement_json(s) for s in a.statements],
        "basis_note": a.basis_note,
        "follow_up": a.follow_up,
        "legal_basis": a.legal_basis,
        "notes": a.notes,
        "verification": {
            "status": a.verification.value,
            "label": a.verification.label,
            "note": a.verification_note,
        },
        "sources": [
            {
                "url": s.url,
                "title": s.title,
                "accessed": s.accessed.isoformat() if s.accessed else None,
            }
            for s in a.sources
        ],
        "published_at": rfc3339(a.record.published_at),
    }


@public
def api_list() -> dict[str, Any]:
    filters = queries.parse_filters(request.args)
    page = page_arg()
    per_page = int_arg(
        "per_page", current_app.config["API_PAGE_SIZE"], current_app.config["API_MAX_PAGE_SIZE"]
    )
    stmt = queries.with_details(queries.filtered_attributions(filters))
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)
    if page > 1 and not result.items:
        # A page past the end is 404, as on every other list of the API.
        abort(404, f"There is no page {page}: this list has {max(result.pages, 1)} page(s).")
    args = {**filters.as_args(), "per_page": per_page}

    def link(n: int) -> str:
        return url_for("attribution.api_list", page=n, **args, _external=True)

    return {
        "items": [to_json(a) for a in result.items],
        "page": page,
        "per_page": per_page,
        "total": result.total,
        "pages": result.pages,
        "next": link(page + 1) if result.has_next else None,
        "prev": link(page - 1) if page > 1 else None,
    }


@public
def api_detail(record_id: int) -> dict[str, Any]:
    attribution = queries.get_attribution(record_id)
    if attribution is None:
        abort(404, f"No published attribution statement has the id {record_id}.")
    return to_json(attribution)


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/api/v1/attributions", "api_list", api_list, methods=["GET"])
    bp.add_url_rule(
        f"/api/v1/attributions/<int(min=1, max={DB_INT_MAX}):record_id>",
        "api_detail",
        api_detail,
        methods=["GET"],
    )
