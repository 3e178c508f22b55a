"""Views of the measures domain: the filtered list and one measure with everything known."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import BadRequest, NotFound

from tracker.accounts.permissions import can_see_unpublished, public
from tracker.measures import queries
from tracker.measures.models import MeasureStatus, MeasureType, RelationKind
from tracker.norms import queries as norm_queries
from tracker.queryargs import MAX_PAGE, InvalidArgument, int_arg
from tracker.records import kept
from tracker.records import services as records
from tracker.records.queries import include_drafts_requested
from tracker.web import with_suggestion

bp = Blueprint("measures", __name__, url_prefix="/measures")

#: how a relation reads from the other side ("NIS 2 is transposed by NIS2UmsuCG")
INVERSE_LABELS = {
    RelationKind.AMENDS: "Amended by",
    RelationKind.IMPLEMENTS: "Implemented by",
    RelationKind.TRANSPOSES: "Transposed by",
    RelationKind.SUPERSEDES: "Superseded by",
    RelationKind.RESCINDS: "Rescinded by",
}


#: measures that point at a measure listed on its page (the rest are paged on its own page)
INBOUND_SHOWN = 20
#: measures per page of the list of measures that point at a measure
INBOUND_PAGE_SIZE = 100


def read_filters() -> queries.MeasureFilters:
    """The list's filters; a malformed value is a 400 that offers the unfiltered list."""
    try:
        return queries.parse_filters(request.args)
    except InvalidArgument as exc:
        raise with_suggestion(
            BadRequest(str(exc)),
            url_for("measures.index"),
            "the list of all measures",
            "Start again from",
        ) from None


@bp.get("/")
@public
def index() -> str:
    drafts = include_drafts_requested(request.args.get("drafts"), current_user)
    filters = read_filters()
    page = int_arg("page", 1, MAX_PAGE)
    stmt = queries.with_details(queries.filtered_measures(filters, include_drafts=drafts))
    pagination = kept.paginate(
        stmt,
        page=page,
        per_page=current_app.config["PAGE_SIZE"],
        drafts=drafts,
        kind=kept.MEASURE_TOTAL,
        key=kept.filter_key(filters.as_args()),
    )
    if page > 1 and not pagination.items:
        raise with_suggestion(
            NotFound(f"There is no page {page}: this list has {max(pagination.pages, 1)}."),
            url_for("measures.index", **filters.as_args(), drafts=1 if drafts else None),
            "the first page",
            "Go to",
        )

    counts = queries.kept_counts_by_jurisdiction(include_drafts=drafts)
    members = norm_queries.jurisdictions_by_code(_eu_members_without_measures(counts))
    listed = norm_queries.jurisdictions_by_code(set(counts) | set(filters.jurisdictions))
    with_measures = sorted(
        (j for code, j in listed.items() if code in counts), key=lambda j: (not j.is_org, j.name)
    )
    others = sorted(
        (j for code, j in listed.items() if code not in counts and code not in members),
        key=lambda j: j.name,
    )
    norms = norm_queries.all_norms()
    topics = norm_queries.all_topics()
    return render_template(
        "measures/index.html",
        pagination=pagination,
        filters=filters,
        drafts=drafts,
        page_args=dict(filters.as_args(), drafts=1 if drafts else None),
        follow_args=_follow_args(filters),
        follow_what=_follow_what(filters),
        jurisdiction_groups=[
            ("With their own measures", with_measures),
            (
                "EU member States (EU measures apply)",
                sorted(members.values(), key=lambda j: j.name),
            ),
            ("Other", others),
        ],
        norms=norms,
        topics=topics,
        types=list(MeasureType),
        statuses=list(MeasureStatus),
        years=sorted(
            set(
                kept.public_or_kept(
                    drafts,
                    "year_options",
                    None,
                    lambda: queries.year_options(include_drafts=drafts),
                )
            )
            | ({filters.year} if filters.year else set()),
            reverse=True,
        ),
        chips=_filter_chips(filters, {**members, **listed}, norms, topics, drafts),
    )


def _follow_args(filters: queries.MeasureFilters) -> dict[str, Any]:
    """The list's filters that feeds and alerts follow (tracker.follow.filters.NAMES)."""
    from tracker.follow.filters import NAMES

    return {k: v for k, v in filters.as_args().items() if k in NAMES}


def _follow_what(filters: queries.MeasureFilters) -> str:
    """What the feed links follow: status, year and standing change with time, so they are
    not followed (the links say so rather than promise "these measures")."""
    if filters.statuses or filters.year or filters.standing or filters.as_of:
        return "the measures of these jurisdiction, norm, topic and type filters"
    return "these measures" if filters.active else "all measures"


def _eu_members_without_measures(counts: dict[str, int]) -> list[str]:
    from tracker.jurisdictions.queries import memberships

    return sorted(code for code, orgs in memberships().items() if orgs and code not in counts)


def _filter_chips(
    filters: queries.MeasureFilters,
    jurisdictions: dict[str, Any],
    norms: list[Any],
    topics: list[Any],
    drafts: bool,
) -> list[tuple[str, str]]:
    """One (label, URL without this value) per active filter value, to remove filters one by one."""
    norm_titles = {n.letter: n.short_title for n in norms}
    topic_names = {t.slug: t.name for t in topics}
    args = filters.as_args()
    chips = []

    def without(name: str, value: Any) -> str:
        rest = dict(args)
        values = rest.get(name)
        if isinstance(values, list):
            remaining = [v for v in values if v != value]
            if remaining:
                rest[name] = remaining
            else:
                rest.pop(name)
        else:
            rest.pop(name, None)
        return url_for("measures.index", **rest, drafts=1 if drafts else None)

    for code in filters.jurisdictions:
        j = jurisdictions.get(code)
        chips.append(
            (f"Jurisdiction: {j.name if j else code} ({code})", without("jurisdiction", code))
        )
    for letter in filters.norms:
        chips.append((f"Norm ({letter}): {norm_titles.get(letter, '')}", without("norm", letter)))
    for slug in filters.topics:
        chips.append((f"Topic: {topic_names.get(slug, slug)}", without("topic", slug)))
    for t in filters.types:
        chips.append((f"Type: {t.label}", without("type", t.value)))
    for s in filters.statuses:
        chips.append((f"Status: {s.label}", without("status", s.value)))
    if filters.year:
        chips.append((f"Year: {filters.year}", without("year", filters.year)))
    if filters.standing:
        chips.append((f"Standing: {standing_label(filters)}", without("standing", None)))
    if filters.as_of:
        chips.append((f"On {filters.as_of.isoformat()}", without("as_of", None)))
    return chips


def standing_label(filters: queries.MeasureFilters) -> str:
    """'measures in force on 2025-01-01' / 'ended today': what a standing filter keeps."""
    from tracker.measures import lifecycle

    key = filters.standing or ""
    what = (
        lifecycle.COUNT_BY_KEY[key].label
        if key in lifecycle.COUNT_BY_KEY
        else lifecycle.Standing(key).label
    )
    return f"{what} {'on ' + filters.as_of.isoformat() if filters.as_of else 'today'}"


@bp.get("/<int:record_id>")
@public
def detail(record_id: int) -> str:
    drafts = include_drafts_requested(request.args.get("drafts"), current_user)
    measure = queries.get_measure(record_id, include_drafts=drafts)
    showing_draft = drafts
    if measure is None and not drafts and can_see_unpublished(record_id):
        # Staff (and its reviewers) following a link to a record that is not published yet
        # see its working copy.
        measure = queries.get_measure(record_id, include_drafts=True)
        showing_draft = True
    if measure is None:
        raise with_suggestion(
            NotFound(f"There is no published measure number {record_id}."),
            url_for("measures.index"),
            "the list of measures",
            "See",
        )
    targets = queries.visible_measures_by_record(
        {r.target_record_id for r in measure.relations}, include_drafts=showing_draft
    )
    pending = (
        not showing_draft
        and records.has_unpublished_changes(measure.record)
        and can_see_unpublished(record_id)
    )
    from tracker.papers.queries import implemented_by

    return render_template(
        "measures/detail.html",
        measure=measure,
        targets=targets,
        inbound=queries.inbound_relations(
            record_id, include_drafts=showing_draft, limit=INBOUND_SHOWN
        ),
        inbound_counts=queries.inbound_counts(record_id, include_drafts=showing_draft),
        inverse_labels=INVERSE_LABELS,
        implements=implemented_by([measure.id], include_drafts=showing_draft).get(measure.id, []),
        showing_draft=showing_draft,
        pending=pending,
    )


@bp.get("/<int:record_id>/related")
@public
def related(record_id: int) -> str:
    """Every visible measure that points at this one (amends, implements, ...), a page at a
    time: the measure's page lists the first few."""
    drafts = include_drafts_requested(request.args.get("drafts"), current_user)
    measure = queries.get_measure(record_id, include_drafts=drafts)
    if measure is None:
        raise with_suggestion(
            NotFound(f"There is no published measure number {record_id}."),
            url_for("measures.index"),
            "the list of measures",
            "See",
        )
    counts = queries.inbound_counts(record_id, include_drafts=drafts)
    total = sum(counts.values())
    page = int_arg("page", 1, MAX_PAGE)
    pages = max(1, -(-total // INBOUND_PAGE_SIZE))
    if page > pages:
        raise with_suggestion(
            NotFound(f"There is no page {page}: this list has {pages}."),
            url_for("measures.related", record_id=record_id),
            "the first page",
            "Go to",
        )
    inbound = queries.inbound_relations(
        record_id,
        include_drafts=drafts,
        limit=INBOUND_PAGE_SIZE,
        offset=(page - 1) * INBOUND_PAGE_SIZE,
    )
    return render_template(
        "measures/related.html",
        measure=measure,
        inbound=inbound,
        inbound_counts=counts,
        inverse_labels=INVERSE_LABELS,
        total=total,
        page=page,
        pages=pages,
        drafts=drafts,
    )


# Editor routes (create, edit, history, delete, publish) register on this blueprint.
from tracker.measures import editing  # noqa: E402,F401
