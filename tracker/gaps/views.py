"""Gap pages: one jurisdiction (/jurisdictions/<code>/gaps) and a comparison (/gaps)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from tracker.accounts.permissions import public
from tracker.catalogues.models import Catalogue
from tracker.extensions import db
from tracker.gaps import analysis
from tracker.jurisdictions.models import Jurisdiction
from tracker.jurisdictions.overview import SHOWN
from tracker.measures import lifecycle
from tracker.measures.models import Measure
from tracker.papers.models import Paper
from tracker.queryargs import list_arg
from tracker.records.queries import include_drafts_requested, visible

#: measures a cell of the comparison names, of those counted and of those not counted
COMPARE_SHOWN = 4

bp = Blueprint("gaps", __name__)

MIN_JURISDICTIONS, MAX_JURISDICTIONS = 2, 30


def optional_url(endpoint: str, **values: Any) -> Optional[str]:
    """A URL for ``endpoint`` if the app has it (pages of other domains may not exist yet)."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def measure_url(record_id: int) -> Optional[str]:
    """Link to a measure's public page (/measures/<id>, built by the public pages)."""
    return optional_url("measures.detail", record_id=record_id) or optional_url(
        "measures.detail", id=record_id
    )


bp.add_app_template_global(optional_url, "optional_url")
bp.add_app_template_global(measure_url, "measure_url")


@bp.get("/jurisdictions/<code>/gaps")
@public
def jurisdiction(code: str) -> str:
    from tracker.jurisdictions.views import unknown_jurisdiction

    drafts = include_drafts_requested(request.args.get("drafts"), current_user)
    place = db.session.get(Jurisdiction, code.upper())
    if place is None:
        raise unknown_jurisdiction(code.upper(), "gaps.jurisdiction")
    papers = analysis.visible_papers(drafts)
    # every measure decides its cell; each cell names the first SHOWN of those counted and
    # of those not counted, as the jurisdiction page names the newest under each norm
    matrix = analysis.build_matrix([place.code], papers=papers, include_drafts=drafts, shown=SHOWN)
    return render_template(
        "gaps/jurisdiction.html",
        place=place,
        ref=matrix.jurisdictions[0],
        matrix=matrix,
        counts=matrix.counts(place.code),
        drafts=drafts,
        shown=SHOWN,
        covering=lifecycle.COVERING,
    )


@dataclass
class CompareRequest:
    codes: list[str] = field(default_factory=list)
    catalogue: Optional[Catalogue] = None
    paper: Optional[Paper] = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    #: every code the reader asked for, known or not, kept for the form
    selected: list[str] = field(default_factory=list)
    catalogue_key: str = ""
    paper_id: str = ""

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def parse_compare(args: Mapping[str, Any], *, include_drafts: bool) -> CompareRequest:
    """Read and check /gaps parameters; problems go to ``errors`` by field, for the form."""
    req = CompareRequest()
    codes: list[str] = []
    for value in list_arg(args, "j"):
        code = value.upper()
        if code not in codes:
            codes.append(code)
    req.selected = [c[:12] for c in codes[:100]]
    too_long = [c for c in codes if len(c) > 8]
    known = set(
        db.session.scalars(
            sa.select(Jurisdiction.code).where(
                Jurisdiction.code.in_([c for c in codes if len(c) <= 8])
            )
        )
    )
    unknown = [c for c in codes if c not in known]
    if unknown:
        from tracker.jurisdictions.queries import unknown_codes_message

        req.fail("j", unknown_codes_message(unknown[:10]))
    elif too_long:
        req.fail("j", "Jurisdiction codes are at most 8 characters.")
    if len(codes) < MIN_JURISDICTIONS:
        req.fail("j", f"Choose at least {MIN_JURISDICTIONS} jurisdictions to compare.")
    elif len(codes) > MAX_JURISDICTIONS:
        req.fail("j", f"Choose at most {MAX_JURISDICTIONS} jurisdictions (you chose {len(codes)}).")
    req.codes = [c for c in codes if c in known]

    keys = list_arg(args, "catalogue")
    req.catalogue_key = keys[0] if keys else ""
    if len(keys) > 1:
        req.fail("catalogue", "Choose one catalogue.")
    elif keys:
        req.catalogue = db.session.scalar(sa.select(Catalogue).where(Catalogue.key == keys[0]))
        if req.catalogue is None:
            req.fail("catalogue", f"Unknown catalogue {keys[0][:80]!r}.")

    ids = list_arg(args, "paper")
    req.paper_id = ids[0] if ids else ""
    if len(ids) > 1:
        req.fail("paper", "Choose one paper.")
    elif ids:
        papers = (
            analysis.visible_papers(include_drafts, [int(ids[0])])
            if ids[0].isdigit() and len(ids[0]) < 10
            else []
        )
        if not papers:
            req.fail("paper", "There is no published paper with recommendations under this number.")
        else:
            req.paper = papers[0]
    return req


def jurisdiction_choices(include_drafts: bool) -> list[tuple[str, str]]:
    """Jurisdictions that have measures (the quick picks of the form), by name."""
    codes = (
        visible(Measure, include_drafts=include_drafts)
        .with_only_columns(Measure.jurisdiction_code)
        .distinct()
        .subquery()
    )
    stmt = (
        sa.select(Jurisdiction.code, Jurisdiction.name)
        .where(Jurisdiction.code.in_(sa.select(codes.c.jurisdiction_code)))
        .order_by(Jurisdiction.name)
    )
    return [(code, name) for code, name in db.session.execute(stmt)]


@bp.get("/gaps")
@public
def compare() -> tuple[str, int]:
    drafts = include_drafts_requested(request.args.get("drafts"), current_user)
    asked = any(k in request.args for k in ("j", "catalogue", "paper"))
    req = parse_compare(request.args, include_drafts=drafts) if asked else CompareRequest()
    if not asked:
        # "Compare DE with ...": pre-fill the form from a country page, run nothing yet.
        start = str(request.args.get("start", "")).strip().upper()[:8]
        req.selected = [start] if start else []
    matrix = None
    if asked and not req.errors:
        catalogues = [c for c in analysis.all_catalogues() if req.catalogue in (None, c)]
        # each cell names the first COMPARE_SHOWN measures counted and not counted (every
        # measure still decides its state): cells listed all of them, 1.6 MB of HTML for two
        # jurisdictions at 40,000 measures
        matrix = analysis.build_matrix(
            req.codes,
            catalogues=catalogues,
            papers=[req.paper] if req.paper else [],
            include_drafts=drafts,
            shown=COMPARE_SHOWN,
        )
    page = render_template(
        "gaps/compare.html",
        req=req,
        matrix=matrix,
        choices=jurisdiction_choices(drafts),
        catalogues=db.session.scalars(sa.select(Catalogue).order_by(Catalogue.key)).all(),
        papers=analysis.visible_papers(drafts),
        drafts=drafts,
        limits=(MIN_JURISDICTIONS, MAX_JURISDICTIONS),
        states=analysis.Coverage,
    )
    return page, 400 if req.errors else 200
