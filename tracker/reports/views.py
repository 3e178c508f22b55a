"""Comparison page, PDF briefs and their HTML previews.

Every view is public and shows published content only; signed-in staff holding
VIEW_DRAFTS may add ``drafts=1`` to see working copies, and such briefs are marked
DRAFT on every page, never cached for the public, and sent ``Cache-Control: private``.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_login import current_user

from tracker.accounts.permissions import Permission, has_permission, public
from tracker.extensions import db, limiter
from tracker.jurisdictions.models import Jurisdiction
from tracker.measures import lifecycle
from tracker.measures.models import Measure
from tracker.modelbase import DatePrecision, format_partial_date
from tracker.norms.models import Norm, Topic
from tracker.opendata.formats import content_disposition
from tracker.queryargs import kept_args, list_arg
from tracker.records.queries import include_drafts_requested, visible
from tracker.reports import cache, jobs, params, pdf, sandbox, selection, speed
from tracker.reports.compare_page import CELL_RULE, build_comparison
from tracker.reports.paper import visible_paper_id
from tracker.reports.queries import build_report, data_version, scope_count

bp = Blueprint("reports", __name__)


def drafts_requested() -> bool:
    return include_drafts_requested(request.args.get("drafts"), current_user) and has_permission(
        current_user, Permission.VIEW_DRAFTS
    )


def _form_choices(drafts: bool) -> dict[str, Any]:
    with_measures = (
        visible(Measure, include_drafts=drafts)
        .with_only_columns(Measure.jurisdiction_code)
        .distinct()
    )
    jurisdictions = db.session.scalars(
        sa.select(Jurisdiction)
        .where(Jurisdiction.code.in_(with_measures))
        .order_by(Jurisdiction.name)
    ).all()
    return {
        "jurisdictions": jurisdictions,
        "norms": db.session.scalars(sa.select(Norm).order_by(Norm.letter)).all(),
        "topics": db.session.scalars(sa.select(Topic).order_by(Topic.position, Topic.slug)).all(),
    }


@bp.app_template_global()
def is_projection(as_of: Any) -> bool:
    """An as-of date after today: what the page shows is projected from recorded dates."""
    return isinstance(as_of, dt.date) and as_of > params.today()


@bp.get("/compare")
@public
def compare() -> Any:
    drafts = drafts_requested()
    choices = _form_choices(drafts)
    chosen = [c.upper() for c in list_arg(request.args, "j", "jurisdiction", spaces=True)]
    listed = {j.code for j in choices["jurisdictions"]}
    context = {
        **choices,
        "chosen": chosen,
        "other_codes": ", ".join(c for c in chosen if c not in listed),
        "args": request.args,
        "drafts": drafts,
        "rule": lifecycle.RULE_TEXT,
        "min_j": params.MIN_JURISDICTIONS,
        "max_j": params.MAX_JURISDICTIONS,
        "today": params.today(),
    }
    if not request.args:
        return render_template("reports/compare.html", report=None, errors={}, **context)
    try:
        p = params.parse_compare(request.args)
    except params.ParamError as exc:
        return render_template(
            "reports/compare.html", report=None, errors=exc.errors, **context
        ), 400
    # the page's bounded grid (tracker.reports.compare_page); the brief and its preview list all
    report, section_counts = build_comparison(p, include_drafts=drafts)
    links: dict[str, Any] = _links("reports.compare_pdf", "reports.compare_preview", p, drafts)
    links["export_args"] = selection.export_args(p, drafts)
    return render_template(
        "reports/compare.html",
        report=report,
        errors={},
        links=links,
        section_counts=section_counts,
        cell_rule=CELL_RULE,
        **context,
    )


def _links(
    pdf_endpoint: str, preview_endpoint: str, p: params.ReportParams, drafts: bool, **view_args: Any
) -> dict[str, str]:
    args = {**p.query_args(), **view_args}
    if drafts:
        args["drafts"] = "1"
    return {
        "pdf": url_for(pdf_endpoint, **args),
        "preview": url_for(preview_endpoint, **args),
        "annex": url_for(pdf_endpoint, **{**args, "annex": "1"}),
        "share": url_for("reports.compare", **{k: v for k, v in args.items() if k != "drafts"})
        if pdf_endpoint == "reports.compare_pdf"
        else "",
    }


def _parse(kind: str, subject: str = "") -> params.ReportParams:
    p = _parse_args(kind, subject)
    if p.annex_full:
        refused = selection.refuse_full_annex(scope_count(p, include_drafts=drafts_requested()))
        if refused:
            abort(400, refused)
    return p


def _parse_args(kind: str, subject: str) -> params.ReportParams:
    try:
        if kind == "compare":
            return params.parse_compare(request.args)
        if kind == "jurisdiction":
            return params.parse_jurisdiction_brief(subject, request.args)
        if kind == "paper":
            return _visible_paper(subject)
        return params.parse_norm_brief(subject, request.args)
    except params.ParamError as exc:
        abort(400, " ".join(exc.errors.values()))


def _visible_paper(record_id: str) -> params.ReportParams:
    """Paper briefs exist for papers the reader may see: published ones, or drafts for staff
    asking."""
    if visible_paper_id(int(record_id), include_drafts=drafts_requested()) is None:
        abort(404, "There is no published paper with this number.")
    return params.parse_paper_brief(int(record_id), request.args)


# --------------------------------------------------------------------------- previews


def _preview(p: params.ReportParams, pdf_url: str) -> Any:
    drafts = drafts_requested()
    report = build_report(p, include_drafts=drafts)
    html = pdf.render_html(report, mode="preview", pdf_url=pdf_url)
    response = Response(html, mimetype="text/html")
    if drafts:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/compare/preview")
@public
def compare_preview() -> Any:
    p = _parse("compare")
    return _preview(p, url_for("reports.compare_pdf", **kept_args()))


@bp.get("/jurisdictions/<code>/brief")
@public
def jurisdiction_preview(code: str) -> Any:
    p = _parse("jurisdiction", code)
    return _preview(p, url_for("reports.jurisdiction_pdf", code=p.subject, **kept_args()))


@bp.get("/norms/<letter>/brief")
@public
def norm_preview(letter: str) -> Any:
    p = _parse("norm", letter)
    return _preview(p, url_for("reports.norm_pdf", letter=p.subject, **kept_args()))


@bp.get("/papers/<int:record_id>/brief")
@public
def paper_preview(record_id: int) -> Any:
    p = _parse("paper", str(record_id))
    return _preview(p, url_for("reports.paper_pdf", record_id=record_id, **kept_args()))


# --------------------------------------------------------------------------- PDFs


@bp.get("/compare.pdf")
@public
def compare_pdf() -> Any:
    return serve_pdf(_parse("compare"))


@bp.get("/jurisdictions/<code>/brief.pdf")
@public
def jurisdiction_pdf(code: str) -> Any:
    return serve_pdf(_parse("jurisdiction", code))


@bp.get("/norms/<letter>/brief.pdf")
@public
def norm_pdf(letter: str) -> Any:
    return serve_pdf(_parse("norm", letter))


@bp.get("/papers/<int:record_id>/brief.pdf")
@public
def paper_pdf(record_id: int) -> Any:
    return serve_pdf(_parse("paper", str(record_id)))


def _filename(p: params.ReportParams, drafts: bool) -> str:
    r = p.resolved()
    assert r.as_of is not None
    what = {
        "compare": "-".join(r.jurisdictions),
        "jurisdiction": r.subject,
        "norm": f"norm-{r.subject}",
        "paper": f"paper-{r.subject}",
    }[r.kind]
    kind = r.kind if r.kind == "compare" else "brief"
    draft = "-DRAFT" if drafts else ""
    variant = "-pdfa" if r.variant == "pdfa" else ""
    return f"cyber-norms-{kind}-{what.lower()}-{r.as_of.isoformat()}{draft}{variant}.pdf"


def _pdf_response(data: bytes, etag: str, p: params.ReportParams, drafts: bool) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.set_etag(etag)
    response.headers["Content-Disposition"] = content_disposition(_filename(p, drafts), "inline")
    response.headers["Cache-Control"] = "private, no-store" if drafts else "public, no-cache"
    return response


def serve_pdf(p: params.ReportParams) -> Any:
    """Cached PDF, 304, an inline render, or a progress page while a job renders it."""
    drafts = drafts_requested()
    spec = jobs.JobSpec(p, drafts)
    store = cache.store()
    html: str | None = None
    if drafts:
        html = pdf.render_html(build_report(p, include_drafts=True))
        key = jobs.draft_key(html)
    else:
        version = data_version(p)
        key = version.digest
    etag = key[:40]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
        response.set_etag(etag)
        response.headers["Cache-Control"] = "private, no-store" if drafts else "public, no-cache"
        return response
    data = store.get_pdf(spec.group, key)
    if data is not None:
        return _pdf_response(data, etag, p, drafts)

    state = store.get_state(key)
    if state and state.get("state") == "failed":
        if request.args.get("retry") != "1":
            return _failed(state.get("message", ""), p)
        store.clear_state(key)
        state = None
    if state:
        return _progress(state, p)

    # Only renders count against the per-address limit; cached downloads are free.
    with limiter.limit(lambda: current_app.config["REPORTS_RENDER_RATE"]):
        pass
    if html is None and scope_count(p, include_drafts=False) > selection.TOTAL:
        # A bounded brief (tracker.reports.selection) is built where it renders: the web
        # worker queues it without loading thousands of measures.
        jobs.submit(spec, key)
        return _progress(store.get_state(key) or {"state": "queued", "queued": time.time()}, p)
    if html is None:
        html = pdf.render_html(build_report(p, version=version))
    estimate = speed.estimate(cache.store(), html)
    slots = jobs.inline_slots(current_app._get_current_object())  # type: ignore[attr-defined]
    # Long briefs, and any brief while this process's inline renders are all busy, render
    # in the background: the reader gets the progress page instead of a slower render.
    # A full annex always renders in the background (it is refused above FULL_ANNEX_MAX).
    inline = not p.annex_full and estimate <= float(current_app.config["REPORTS_INLINE_SECONDS"])
    if not inline or not slots.acquire(blocking=False):
        jobs.submit(spec, key, html, estimate=estimate)
        return _progress(
            store.get_state(key)
            or {"state": "queued", "queued": time.time(), "estimate": estimate},
            p,
        )
    try:
        data = jobs.render_and_store(spec, key, html, background=False)
    except sandbox.RenderError as exc:
        return _failed(str(exc), p)
    finally:
        slots.release()
    return _pdf_response(data, etag, p, drafts)


def brief_name(p: params.ReportParams) -> str:
    """The brief being prepared, as the progress page names it."""

    def names(codes: Any) -> str:
        rows = db.session.execute(
            sa.select(Jurisdiction.code, Jurisdiction.name).where(
                Jurisdiction.code.in_(list(codes))
            )
        )
        found = {code: name for code, name in rows}
        return ", ".join(found.get(c, c) for c in codes)

    as_of = format_partial_date(p.resolved().as_of, DatePrecision.DAY)
    if p.kind == "jurisdiction":
        what = f"The brief on {names([p.subject])}"
    elif p.kind == "norm":
        what = f"The brief on norm ({p.subject})"
    elif p.kind == "paper":
        what = "The brief on the policy paper"
    else:
        what = f"The comparison of {names(p.jurisdictions)}"
    projection = " (a projection from recorded dates)" if is_projection(p.as_of) else ""
    return f"{what}, as of {as_of}{projection}"


def _progress(state: dict[str, Any], p: params.ReportParams) -> Any:
    since = state.get("started") or state.get("queued") or time.time()
    elapsed = time.time() - since
    estimate = state.get("estimate")
    refresh = int(current_app.config["REPORTS_PROGRESS_REFRESH"])
    if estimate and elapsed < estimate:
        # Come back about when the brief should be ready, but show progress at least every 5 s.
        refresh = max(1, min(5, math.ceil(estimate - elapsed)))
    html = render_template(
        "reports/progress.html",
        state=state.get("state", "queued"),
        elapsed=max(0, int(elapsed)),
        estimate=estimate,
        refresh=refresh,
        url=request.full_path.rstrip("?"),
        kind=p.kind,
        brief=brief_name(p),
    )
    return html, 202, {"Refresh": str(refresh), "Cache-Control": "no-store"}


def _failed(message: str, p: params.ReportParams) -> Any:
    args = kept_args()
    args["retry"] = "1"
    retry = url_for(request.endpoint or "reports.compare_pdf", **(request.view_args or {}), **args)
    return (
        render_template("reports/failed.html", message=message, retry_url=retry, kind=p.kind),
        503,
        {"Cache-Control": "no-store", "Retry-After": "60"},
    )
