"""Public pages of attribution statements: timeline, statement, per State, per norm.

Every view is public and shows published statements only; signed-in staff may
add ``?drafts=1`` to see working copies. The JSON API lives in
tracker/attribution/api.py and is registered on this blueprint.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.accounts.permissions import can_see_unpublished, public
from tracker.attribution import api, queries, sections
from tracker.attribution.models import FORM_CHOICES, FrameworkInvoked
from tracker.jurisdictions.models import Jurisdiction
from tracker.norms.queries import all_norms
from tracker.queryargs import kept_args
from tracker.records import services as records
from tracker.records.queries import include_drafts_requested, viewer_is_staff

bp = Blueprint("attribution", __name__)


def _drafts() -> bool:
    return include_drafts_requested(request.args.get("drafts"), current_user)


def _jurisdiction_or_404(code: str, endpoint: str) -> Jurisdiction | Any:
    """The jurisdiction for ``code``; a redirect for a lower-case code; a helpful 404 otherwise."""
    jurisdiction = queries.get_jurisdiction(code)
    if jurisdiction is not None:
        return jurisdiction
    if len(code) <= 8 and code != code.upper() and queries.get_jurisdiction(code.upper()):
        return redirect(url_for(endpoint, code=code.upper(), **kept_args()), 308)
    suggestion = queries.suggest_jurisdiction(code)
    if suggestion is not None:
        suggestion_url = url_for(endpoint, code=suggestion.code)
        suggestion_label = f"{suggestion.name} ({suggestion.code})"
    else:
        suggestion_url = url_for("attribution.states")
        suggestion_label = "a State from the list of attributing and attributed States"
    message = (
        f"There is no jurisdiction with the code “{code[:40]}”. Codes are ISO 3166-1 alpha-2 "
        "codes such as DE, GB or US, or EU for the European Union."
    )
    return (
        render_template(
            "errors/error.html",
            code=404,
            title="Not found",
            message=message,
            suggestion_url=suggestion_url,
            suggestion_label=suggestion_label,
        ),
        404,
    )


@bp.get("/attributions/")
@public
def index() -> str:
    drafts = _drafts()
    filters = queries.parse_filters(request.args)
    statements = queries.list_attributions(filters, include_drafts=drafts)
    attributing, attributed = queries.state_index(include_drafts=drafts)
    return render_template(
        "attribution/index.html",
        filters=filters,
        groups=queries.by_year(statements),
        totals=queries.Totals.of(statements),
        total_attributions=len(statements),
        attributing_choices=[r.jurisdiction for r in attributing],
        attributed_choices=[r.jurisdiction for r in attributed],
        norms=all_norms(),
        forms=FORM_CHOICES,
        frameworks=list(FrameworkInvoked),
        drafts=drafts,
    )


@bp.get("/attributions/<int:record_id>")
@public
def detail(record_id: int) -> str:
    drafts = _drafts()
    attribution = queries.get_attribution(record_id, include_drafts=drafts)
    if attribution is None and not drafts and can_see_unpublished(record_id):
        # Staff following a link to a statement that is not published yet see its working copy.
        attribution = queries.get_attribution(record_id, include_drafts=True)
    if attribution is None:
        abort(404, f"There is no published attribution statement number {record_id}.")
    pending = (
        viewer_is_staff(current_user)
        and attribution.is_live
        and records.has_unpublished_changes(attribution.record)
    )
    return render_template("attribution/detail.html", a=attribution, pending=pending)


@bp.get("/attributions/states")
@public
def states() -> str:
    attributing, attributed = queries.state_index(include_drafts=_drafts())
    return render_template(
        "attribution/states.html", attributing=attributing, attributed=attributed
    )


@bp.get("/attributions/by-state/<code>")
@public
def by_state(code: str) -> Any:
    jurisdiction = _jurisdiction_or_404(code, "attribution.by_state")
    if not isinstance(jurisdiction, Jurisdiction):
        return jurisdiction
    drafts = _drafts()
    practice = queries.state_practice(jurisdiction, include_drafts=drafts)
    beside = sections.attributions_beside_measures(
        jurisdiction.code, include_drafts=drafts, practice=practice
    )
    return render_template(
        "attribution/by_state.html", practice=practice, beside=beside, j=jurisdiction
    )


@bp.get("/attributions/against/<code>")
@public
def against(code: str) -> Any:
    jurisdiction = _jurisdiction_or_404(code, "attribution.against")
    if not isinstance(jurisdiction, Jurisdiction):
        return jurisdiction
    result = queries.against_state(jurisdiction, include_drafts=_drafts())
    return render_template(
        "attribution/against.html",
        result=result,
        groups=queries.by_year(result.statements),
        j=jurisdiction,
    )


@bp.get("/attributions/norms")
@public
def norms() -> str:
    return render_template(
        "attribution/norms.html", stats=queries.norm_stats(include_drafts=_drafts())
    )


api.register(bp)

# Editor routes (create, edit, history, delete) register on this blueprint.
from tracker.attribution import editing  # noqa: E402,F401
