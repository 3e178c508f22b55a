"""Views of the jurisdictions domain: who has measures, and what applies to each place."""

from __future__ import annotations

import unicodedata
from itertools import groupby

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from tracker.accounts.permissions import public
from tracker.attribution.sections import attributions_beside_measures
from tracker.jurisdictions import queries
from tracker.jurisdictions.overview import SHOWN, overview
from tracker.measures import lifecycle
from tracker.measures import queries as measure_queries
from tracker.queryargs import kept_args
from tracker.records.queries import include_drafts_requested
from tracker.reports import charts
from tracker.web import not_found, with_suggestion

bp = Blueprint("jurisdictions", __name__, url_prefix="/jurisdictions")


@bp.get("/")
@public
def index() -> str:
    drafts = include_drafts_requested(request.args.get("drafts"), current_user)
    everyone = queries.all_jurisdictions()
    counts = measure_queries.kept_counts_by_jurisdiction(include_drafts=drafts)
    orgs_of = queries.memberships()
    with_measures = [j for j in everyone if j.code in counts]
    states = sorted((j for j in everyone if not j.is_org), key=lambda j: _sort_key(j.name))
    by_initial = [
        (initial, list(group))
        for initial, group in groupby(states, key=lambda j: _sort_key(j.name)[:1].upper())
    ]
    return render_template(
        "jurisdictions/index.html",
        with_measures=with_measures,
        organisations=[j for j in everyone if j.is_org],
        by_initial=by_initial,
        counts=counts,
        orgs_of=orgs_of,
        drafts=drafts,
    )


def _sort_key(name: str) -> str:
    """Sort and group names by their letters without accents ("Åland Islands" under A)."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)
    ).casefold()


def unknown_jurisdiction(code: str, endpoint: str) -> NotFound:
    """A 404 for a code that is not a jurisdiction, saying why and linking to what was
    probably meant (UK: United Kingdom (GB)) on the page ``endpoint`` of that jurisdiction."""
    help_ = queries.explain_unknown_code(code[:40])
    if help_.suggestion is not None:
        target = help_.suggestion
        return not_found(
            help_.message, url_for(endpoint, code=target.code), f"{target.name} ({target.code})"
        )
    return with_suggestion(  # type: ignore[return-value]
        NotFound(help_.message), url_for("jurisdictions.index"), "the list of jurisdictions", "See"
    )


@bp.get("/<code>")
@public
def detail(code: str) -> str | Response:
    upper = code.upper()
    if code != upper and queries.get_jurisdiction(upper) is not None:
        return redirect(url_for("jurisdictions.detail", code=upper, **kept_args()), 301)
    jurisdiction = queries.get_jurisdiction(upper)
    if jurisdiction is None:
        raise unknown_jurisdiction(upper, "jurisdictions.detail")

    drafts = include_drafts_requested(request.args.get("drafts"), current_user)
    organisations = queries.organisations_of(jurisdiction.code)
    scope = [jurisdiction.code, *(o.code for o in organisations)]
    summary = overview(jurisdiction.code, scope, include_drafts=drafts)
    members = queries.members_of(jurisdiction.code) if jurisdiction.is_org else []
    # Its attribution statements beside its measures under the same norms (issue 7): the
    # page's organisations and listed measures are passed in, so this costs one query and
    # its loads; each norm's count comes with them.
    beside = attributions_beside_measures(
        jurisdiction.code,
        include_drafts=drafts,
        organisations=organisations,
        measures_by_norm={norm.letter: group.shown for norm, group in summary.by_norm},
        measure_totals={norm.letter: group.total for norm, group in summary.by_norm},
    )
    return render_template(
        "jurisdictions/detail.html",
        jurisdiction=jurisdiction,
        organisations=organisations,
        members=members,
        member_counts=measure_queries.kept_counts_by_jurisdiction(include_drafts=drafts)
        if members
        else {},
        measure_count=summary.total,
        own_count=summary.own,
        counts=summary.counts,
        covered=summary.covered,
        by_norm=summary.by_norm,
        gaps=summary.gaps,
        unmapped=summary.unmapped,
        by_topic=summary.by_topic,
        untagged=summary.untagged,
        shown_limit=SHOWN,
        beside=beside if beside is not None and not beside.empty else None,
        charts=charts.for_jurisdiction(
            jurisdiction.code,
            jurisdiction.name,
            norms=summary.norms,
            topics=summary.topics,
            ids=summary.ids,
            letters=summary.letters,
            slugs=summary.slugs,
            standings=summary.standings,
            on=lifecycle.today(),
        ),
        drafts=drafts,
    )
