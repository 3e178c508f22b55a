"""Editor routes for measures: create, edit, history, compare, restore, delete.

Submitting for review and publishing go through the review workflow (tracker.review).

Registered on the measures blueprint (``tracker.measures.views.bp``); the public
list and detail pages live in views.py. Every route declares its permission;
tracker.accounts.permissions enforces it (and answers 404 to readers who may not
see drafts, whichever record they name).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError
from wtforms import HiddenField

from tracker.accounts import audit
from tracker.accounts.models import AuditAction
from tracker.accounts.permissions import Permission, requires
from tracker.extensions import db
from tracker.measures import changes, services
from tracker.measures.forms import (
    BLANK_ROWS_EDIT,
    BLANK_ROWS_NEW,
    SECTIONS,
    MeasureForm,
    form_data,
    load_choices,
)
from tracker.measures.history import Labels, compare_snapshots
from tracker.measures.models import Measure
from tracker.measures.views import bp
from tracker.records import services as records
from tracker.records import submissions
from tracker.records.models import Record, RecordKind, Revision


class ActionForm(FlaskForm):
    """A button-only form (delete, restore) carrying the record version seen."""

    version = HiddenField()


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _record(record_id: int) -> Record:
    record = db.session.get(Record, record_id)
    if record is None or record.kind is not RecordKind.MEASURE:
        abort(404, "There is no measure with this number.")
    return record


def _content(record: Record) -> Measure:
    content = records.working_copy(record) or records.live_copy(record)
    if content is None:
        abort(404, "This measure has no content.")
    return content  # type: ignore[no-any-return]


@bp.app_template_global()
def measure_page_url(record_id: int) -> str | None:
    """The public measure page, once that page exists (None before)."""
    try:
        return url_for("measures.detail", record_id=record_id)
    except BuildError:
        return None


def _saved(record: Record, revision: Revision) -> Any:
    flash(f"Saved as revision {revision.number}: {revision.summary}.", "success")
    return redirect(url_for("measures.history", record_id=record.id))


def _stale(record: Record, doing: str) -> Any:
    """409: the record changed after the page with this button was loaded."""
    db.session.rollback()
    latest = changes.latest_revision(record)
    return render_template(
        "measures/stale.html", record=record, measure=_content(record), latest=latest, doing=doing
    ), 409


# --- Create and edit ------------------------------------------------------------------


def _add_row_request(form: MeasureForm) -> bool:
    section = request.form.get("add_row")
    if section in SECTIONS:
        form.add_rows({section: 1})
        return True
    return False


def _already_saved(record: Record) -> Any:
    flash(submissions.ALREADY_SAVED.format(noun="measure"), "info")
    return redirect(url_for("measures.history", record_id=record.id))


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.EDIT)
def new() -> Any:
    if request.method == "GET":
        form = MeasureForm(choices=load_choices())
        form.submission.data = submissions.new_token()
        form.add_rows(BLANK_ROWS_NEW)
        return render_template("measures/form.html", form=form, record=None)
    form = MeasureForm(choices=load_choices())
    done = submissions.record_for(form.submission.data)
    if done is not None:
        return _already_saved(done)
    if _add_row_request(form):
        return render_template("measures/form.html", form=form, record=None)
    valid = form.validate()
    if not submissions.is_token(form.submission.data):
        form.submission.errors = [submissions.MISSING]
        form.submission.data = submissions.new_token()
        valid = False
    if not valid:
        return render_template("measures/form.html", form=form, record=None), 422
    record = changes.create(form.to_data(), author_id=current_user.id)
    try:
        submissions.claim(form.submission.data, record, current_user.id)
    except submissions.IntegrityError:
        # The same form, sent twice at once: the other request created the record.
        db.session.rollback()
        done = submissions.record_for(form.submission.data)
        if done is None:
            raise
        return _already_saved(done)
    db.session.commit()
    flash(
        "Measure created as a draft (revision 1). Only staff see it until it is published: "
        "submit it for review from its review page when it is ready.",
        "success",
    )
    return redirect(url_for("measures.history", record_id=record.id))


@bp.route("/<int:record_id>/edit", methods=["GET", "POST"])
@requires(Permission.EDIT)
def edit(record_id: int) -> Any:
    record = _record(record_id)
    if record.deleted_at is not None:
        abort(
            409,
            "This measure is deleted. Restore it from the list of deleted measures before editing it.",
        )
    snapshot = services.snapshot(_content(record))
    choices = load_choices(
        exclude_record_id=record.id,
        keep_targets=tuple(
            r["target_record_id"] for r in snapshot["relations"] if r.get("target_record_id")
        ),
    )
    context = {"record": record, "problems": services.publication_problems(_content(record))}
    if request.method == "GET":
        form = MeasureForm(data=form_data(snapshot), choices=choices)
        form.version.data = str(record.version)
        latest = changes.latest_revision(record)
        form.base_revision.data = str(latest.number) if latest else ""
        form.add_rows(BLANK_ROWS_EDIT)
        return render_template("measures/form.html", form=form, **context)

    form = MeasureForm(choices=choices)
    if _add_row_request(form):
        return render_template("measures/form.html", form=form, **context)
    if not form.validate():
        return render_template("measures/form.html", form=form, **context), 422
    try:
        revision = changes.update(
            record,
            form.to_data(),
            expected_version=_int(form.version.data),
            author_id=current_user.id,
        )
        db.session.commit()
    except (changes.StaleVersion, changes.StaleDataError):
        db.session.rollback()
        return _conflict(record_id, form)
    except changes.NoChanges:
        db.session.rollback()
        flash("Nothing had changed, so no new revision was written.", "info")
        return redirect(url_for("measures.history", record_id=record_id))
    except changes.NotAllowedNow as exc:
        db.session.rollback()
        abort(409, str(exc))
    return _saved(record, revision)


def _conflict(record_id: int, form: MeasureForm) -> Any:
    """409: someone saved this measure after the editor opened it. Show both versions and
    keep the editor's input in a form that carries the new version."""
    record = _record(record_id)
    theirs = services.snapshot(_content(record))
    yours = form.to_data()
    latest = changes.latest_revision(record)
    labels = Labels()
    diff = compare_snapshots(theirs, yours, labels)
    # Against the revision the editor started from: which side changed each field.
    base_number = _int(form.base_revision.data)
    base = (
        db.session.scalar(
            sa.select(Revision.snapshot).where(
                Revision.record_id == record.id, Revision.number == base_number
            )
        )
        if base_number
        else None
    )
    changed_by: dict[str, str] = {}
    if base is not None:
        theirs_changed = {c.spec.name for c in compare_snapshots(base, theirs, labels) if c.changed}
        yours_changed = {c.spec.name for c in compare_snapshots(base, yours, labels) if c.changed}
        for name in theirs_changed | yours_changed:
            both = name in theirs_changed and name in yours_changed
            changed_by[name] = "both" if both else ("theirs" if name in theirs_changed else "yours")
    # The resubmitted form is checked against what the editor has now seen.
    form.version.data = str(record.version)
    form.base_revision.data = str(latest.number) if latest else ""
    return render_template(
        "measures/conflict.html",
        record=record,
        form=form,
        diff=diff,
        latest=latest,
        changed_by=changed_by,
        problems=services.publication_problems(_content(record)),
    ), 409


# --- History --------------------------------------------------------------------------


@bp.get("/<int:record_id>/history")
@requires(Permission.VIEW_DRAFTS)
def history(record_id: int) -> Any:
    record = _record(record_id)
    revisions = db.session.scalars(
        sa.select(Revision)
        .where(Revision.record_id == record.id)
        .order_by(Revision.number.desc())
        .options(selectinload(Revision.author))
    ).all()
    measure = _content(record)
    return render_template(
        "measures/history.html",
        record=record,
        measure=measure,
        revisions=revisions,
        problems=services.publication_problems(measure),
        unpublished=records.has_unpublished_changes(record),
        public_url=measure_page_url(record.id),
    )


@bp.get("/<int:record_id>/history/compare")
@requires(Permission.VIEW_DRAFTS)
def compare(record_id: int) -> Any:
    record = _record(record_id)
    a, b = _int(request.args.get("a")), _int(request.args.get("b"))
    if a is None or b is None:
        abort(400, "Choose two revisions to compare: ?a=1&b=2 (revision numbers).")
    found = {
        r.number: r
        for r in db.session.scalars(
            sa.select(Revision)
            .where(Revision.record_id == record.id, Revision.number.in_([a, b]))
            .options(selectinload(Revision.author))
        )
    }
    missing = [n for n in (a, b) if n not in found]
    if missing:
        abort(404, f"This measure has no revision {missing[0]}.")
    diff = compare_snapshots(found[a].snapshot, found[b].snapshot)
    show_all = request.args.get("all") == "1"
    return render_template(
        "measures/compare.html",
        record=record,
        measure=_content(record),
        old=found[a],
        new=found[b],
        diff=diff,
        show_all=show_all,
    )


@bp.post("/<int:record_id>/history/<int:number>/restore")
@requires(Permission.EDIT)
def restore_revision(record_id: int, number: int) -> Any:
    record = _record(record_id)
    form = ActionForm()
    try:
        revision = changes.restore_revision(
            record, number, expected_version=_int(form.version.data), author_id=current_user.id
        )
        audit.record_event(
            AuditAction.REVISION_RESTORED,
            subject=f"record:{record.id}",
            revision=number,
            new_revision=revision.number,
        )
        db.session.commit()
    except (changes.StaleVersion, changes.StaleDataError):
        return _stale(record, f"restore revision {number}")
    except changes.NoChanges:
        db.session.rollback()
        flash(
            f"Revision {number} has the same content as the current version: nothing to restore.",
            "info",
        )
        return redirect(url_for("measures.history", record_id=record_id))
    except changes.NotAllowedNow as exc:
        db.session.rollback()
        abort(409, str(exc))
    return _saved(record, revision)


# --- Delete and restore ---------------------------------------------------------------


@bp.route("/<int:record_id>/delete", methods=["GET", "POST"])
@requires(Permission.DELETE)
def delete(record_id: int) -> Any:
    record = _record(record_id)
    form = ActionForm()
    if request.method == "GET":
        if record.deleted_at is not None:
            abort(409, "This measure is deleted already.")
        form.version.data = str(record.version)
        return render_template(
            "measures/delete.html", record=record, measure=_content(record), form=form
        )
    try:
        changes.delete(record, expected_version=_int(form.version.data), author_id=current_user.id)
        audit.record_event(
            AuditAction.RECORD_DELETED,
            subject=f"record:{record.id}",
            title=_content(record).label[:200],
        )
        db.session.commit()
    except (changes.StaleVersion, changes.StaleDataError):
        return _stale(record, "delete it")
    except changes.NotAllowedNow as exc:
        db.session.rollback()
        abort(409, str(exc))
    flash(
        "Measure deleted. It is gone from every public page; you can restore it below.", "success"
    )
    return redirect(url_for("measures.deleted"))


@bp.post("/<int:record_id>/undelete")
@requires(Permission.DELETE)
def undelete(record_id: int) -> Any:
    record = _record(record_id)
    form = ActionForm()
    try:
        changes.undelete(
            record, expected_version=_int(form.version.data), author_id=current_user.id
        )
        audit.record_event(
            AuditAction.RECORD_RESTORED,
            subject=f"record:{record.id}",
            title=_content(record).label[:200],
        )
        db.session.commit()
    except (changes.StaleVersion, changes.StaleDataError):
        return _stale(record, "restore it")
    except changes.NotAllowedNow as exc:
        db.session.rollback()
        abort(409, str(exc))
    flash("Measure restored, with its whole history.", "success")
    return redirect(url_for("measures.history", record_id=record.id))


@bp.get("/deleted")
@requires(Permission.DELETE)
def deleted() -> Any:
    rows = db.session.execute(
        sa.select(Record, Measure)
        .join(Measure, sa.and_(Measure.record_id == Record.id, Measure.is_draft))
        .where(Record.kind == RecordKind.MEASURE, Record.deleted_at.is_not(None))
        .order_by(Record.deleted_at.desc())
    ).all()
    return render_template("measures/deleted.html", rows=rows)


@bp.app_template_filter("when")
def format_when(value: Any) -> str:
    """A stored UTC time as '27 November 2026, 08:15 UTC'."""
    if value is None:
        return ""
    return f"{value.day} {value.strftime('%B %Y, %H:%M')} UTC"


#: how the history names each revision's action
ACTION_LABELS = {
    "create": "Created",
    "edit": "Edited",
    "restore": "Restored an earlier revision",
    "delete": "Deleted",
    "undelete": "Restored after deletion",
    "publish": "Published",
    "import": "Imported",
    "submit": "Submitted for review",
    "request_changes": "Changes requested",
    "approve": "Approved",
    "withdraw": "Withdrawn",
    "reopen": "Back to draft",
}


@bp.app_template_filter("revision_action")
def revision_action(action: str) -> str:
    return ACTION_LABELS.get(action, action.replace("_", " ").capitalize())
