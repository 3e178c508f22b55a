"""Review pages: the queue, one record's review (diff, comments, approvals, steps) and
the notifications.

Every route names its permission; ``tracker.accounts.permissions`` also answers 404
for a record the reader may not see (a reviewer of another working group gets the
same answer as the public) before any of these views runs. Each step is a POST
with a CSRF token; a refused step shows the review page again with the reason,
and the user's input, next to the button.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import BuildError

from tracker.accounts.permissions import Permission, can, requires
from tracker.extensions import db
from tracker.queryargs import parse_int
from tracker.records import services as records
from tracker.records.models import Record, RecordKind, Revision, WorkflowState
from tracker.records.queries import viewer_is_staff
from tracker.review import comments, notify, queries, rounds, workflow
from tracker.review.forms import (
    ApproveForm,
    CommentForm,
    EmptyForm,
    MarkReadForm,
    PublishForm,
    RequestChangesForm,
    ResolveForm,
    StepForm,
    SubmitForm,
)
from tracker.review.models import Comment
from tracker.review.status import approvals_required, review_status
from tracker.workinggroups.models import WorkingGroup

bp = Blueprint("review", __name__, url_prefix="/review")

STEP_FORMS: dict[workflow.Action, type[StepForm]] = {
    workflow.Action.SUBMIT: SubmitForm,
    workflow.Action.REQUEST_CHANGES: RequestChangesForm,
    workflow.Action.APPROVE: ApproveForm,
    workflow.Action.PUBLISH: PublishForm,
}
ACTIONS = ",".join(a.value for a in workflow.Action)

#: staff pages of each kind: (label, endpoint) — shown when the endpoint exists
KIND_LINKS: dict[RecordKind, list[tuple[str, str]]] = {
    RecordKind.MEASURE: [("Edit", "measures.edit"), ("History", "measures.history")],
    RecordKind.PAPER: [],
    RecordKind.ATTRIBUTION: [],
}
#: where the checklist's links lead to fix a field (an anchor per section of the form)
EDIT_PAGES = {RecordKind.MEASURE: "measures.edit"}
PUBLIC_PAGES = {
    RecordKind.MEASURE: "measures.detail",
    RecordKind.PAPER: "papers.detail",
    RecordKind.ATTRIBUTION: "attribution.detail",
}


def _url_or_none(endpoint: str, **args: Any) -> str | None:
    try:
        return url_for(endpoint, **args)
    except BuildError:
        return None


@bp.app_template_global()
def unread_notifications() -> int:
    """Unread notifications of the signed-in staff member (0 for everyone else)."""
    if not viewer_is_staff(current_user):
        return 0
    return notify.unread_count(current_user.id)


@bp.app_template_global()
def review_url(record_id: int) -> str:
    return url_for("review.record", record_id=record_id)


def _record(record_id: int) -> Record:
    record = db.session.get(Record, record_id)
    if record is None:
        abort(404, f"There is no record number {record_id}.")
    return record


# --- The queue ---------------------------------------------------------------------------


@bp.get("/")
@requires(Permission.VIEW_DRAFTS)
def queue() -> Any:
    return render_template(
        "review/queue.html",
        queue=queries.queue_for(current_user),
        unread=[n for n in notify.recent(current_user.id, limit=10) if n.read_at is None],
        required=approvals_required(),
        is_editor=can(Permission.PUBLISH),
        is_reviewer=can(Permission.REVIEW),
    )


# --- One record ----------------------------------------------------------------------------


def _fill_choices(record: Record, forms: dict[str, Any]) -> None:
    labels = comments.field_labels(record)
    field_choices = [("", "The whole record")] + list(labels.items())
    for name in ("request_changes", "comment"):
        if name in forms:
            forms[name].field.choices = field_choices
    if "submit" in forms:
        groups = db.session.scalars(
            sa.select(WorkingGroup).order_by(WorkingGroup.period_start.desc(), WorkingGroup.name)
        )
        forms["submit"].working_group.choices = [(g.id, f"{g.name} ({g.period})") for g in groups]


def _forms(
    record: Record, revision: int | None, copies: Any, given: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A form per step and for comments; ``given`` keeps a refused form's input."""
    forms: dict[str, Any] = {}
    for action in workflow.Action:
        # Prefixed, so that the fields of the forms on one page have distinct ids.
        forms[action.value] = STEP_FORMS.get(action, StepForm)(formdata=None, prefix=action.value)
    forms["comment"] = CommentForm(formdata=None)
    forms.update(given or {})
    for name, form in forms.items():
        if isinstance(form, StepForm) and not (given and name in given):
            form.revision.data = str(revision or "")
    if not (given and "publish" in given) and record.state is workflow.S.APPROVED:
        draft, live = copies.draft, copies.live
        previous = (
            records.ops_for(record).snapshot(live)
            if live is not None and live is not draft
            else None
        )
        if draft is not None and not draft.is_live:
            forms["publish"].summary.data = workflow.default_public_summary(record, previous, draft)
    suggestion = workflow.suggested_group(record)
    if suggestion is not None and not (given and "submit" in given):
        forms["submit"].working_group.data = suggestion.id
    field = request.args.get("field")
    if field and not (given and "comment" in given):
        forms["comment"].field.data = field
    _fill_choices(record, forms)
    return forms


def _old_snapshot(record: Record, live: Any, status: Any) -> tuple[dict[str, Any] | None, str]:
    """What the working copy is compared with, and how to name it."""
    ops = records.ops_for(record)
    if live is not None:
        return ops.snapshot(live), "Published version"
    if status.published_revision:
        snapshot = db.session.scalar(
            sa.select(Revision.snapshot).where(
                Revision.record_id == record.id, Revision.number == status.published_revision
            )
        )
        return snapshot, "Last published version"
    return None, "Not published yet"


def _render(
    record: Record,
    *,
    error: str | None = None,
    error_action: str | None = None,
    given: dict[str, Any] | None = None,
) -> str:
    copies = workflow.Copies.of(record)
    content = copies.draft or copies.live
    if content is None:
        abort(404, "This record has no content.")
    status = review_status(record.id)
    old, old_label = _old_snapshot(record, copies.live, status)
    never_published = old is None
    # A reviewer coming back sees what changed since the revision they last reviewed;
    # the comparison with the published version is one click away (?against=published).
    reviewed = rounds.last_reviewed_revision(record.id, current_user.id)
    since_review = (
        reviewed is not None
        and status.revision is not None
        and reviewed < status.revision
        and copies.draft is not None
        and not copies.draft.is_live
    )
    against_published = request.args.get("against") == "published"
    if since_review and not against_published:
        assert reviewed is not None
        old = rounds.revision_snapshot(record.id, reviewed)
        old_label = f"Revision {reviewed} (your last review)"
    new = records.ops_for(record).snapshot(content)
    diff = records.compare(record, old, new)
    threads = comments.threads(record.id)
    relation = workflow.access.relation(current_user, record)
    show_all = request.args.get("all") == "1"
    shown = {c.spec.name for c in diff if c.changed or show_all} | threads.fields
    published = (
        rounds.last_publication(record.id, status.required)
        if record.state is WorkflowState.PUBLISHED and not record.deleted_at
        else None
    )
    return render_template(
        "review/record.html",
        record=record,
        content=content,
        label=records.label(content),
        status=status,
        diff=diff,
        shown=shown,
        show_all=show_all,
        old_label=old_label,
        never_published=never_published,
        new_only=never_published and not (since_review and not against_published),
        since_review=since_review and not against_published,
        may_compare_since=since_review and against_published,
        reviewed=reviewed,
        published=published,
        threads=threads,
        field_labels={c.spec.name: c.spec.label for c in diff},
        options=workflow.options(record, current_user, status, relation, copies),
        forms=_forms(record, status.revision, copies, given),
        error=error,
        error_action=error_action,
        checklist=workflow.preconditions(record, copies.draft)
        if copies.draft is not None and not copies.draft.is_live
        else [],
        edit_url=_url_or_none(EDIT_PAGES.get(record.kind, ""), record_id=record.id),
        unpublished=copies.draft is not None and not copies.draft.is_live,
        kind_links=[
            (label, url)
            for label, endpoint in KIND_LINKS[record.kind]
            if (url := _url_or_none(endpoint, record_id=record.id))
        ],
        public_url=_url_or_none(PUBLIC_PAGES[record.kind], record_id=record.id)
        if copies.live is not None
        else None,
        may_comment=comments.may_comment(current_user, record),
        relation=relation,
        resolver=lambda c: comments.may_resolve(current_user, c),
        noun=workflow.noun(record),
        state_hint=workflow.STATE_HINTS[record.state],
    )


@bp.get("/<int:record_id>")
@requires(Permission.VIEW_DRAFTS)
def record(record_id: int) -> Any:
    record = _record(record_id)
    page = _render(record)
    # Opening the review page reads this record's notifications.
    if notify.mark_read(current_user.id, record_id=record.id):
        db.session.commit()
    return page


@bp.post(f"/<int:record_id>/<any({ACTIONS}):action>")
@requires(Permission.VIEW_DRAFTS)
def step(record_id: int, action: str) -> Any:
    """Take one workflow step (the transition function decides whether the user may)."""
    record = _record(record_id)
    act = workflow.Action(action)
    form = STEP_FORMS.get(act, StepForm)(prefix=act.value)
    details: dict[str, Any] = {"revision": form.seen_revision()}
    if isinstance(form, SubmitForm):
        details["working_group_id"] = form.working_group.data
    elif isinstance(form, RequestChangesForm):
        details["message"] = form.message.data
        details["field"] = form.field.data or None
    elif isinstance(form, ApproveForm):
        details["message"] = form.message.data
    elif isinstance(form, PublishForm):
        details["summary"] = form.summary.data
    try:
        outcome = workflow.transition(record, act, current_user, **details)
        db.session.commit()
    except workflow.TransitionError as exc:
        db.session.rollback()
        return _render(
            record, error=exc.message, error_action=action, given={action: form}
        ), exc.status
    except StaleDataError:
        db.session.rollback()
        record = _record(record_id)
        message = (
            "Someone else changed this record at the same moment, so nothing was done. Look at "
            "it again, then try again."
        )
        return _render(record, error=message, error_action=action, given={action: form}), 409
    flash(outcome.message, "success")
    return redirect(url_for("review.record", record_id=record_id))


@bp.post("/<int:record_id>/comments")
@requires(Permission.VIEW_DRAFTS)
def comment(record_id: int) -> Any:
    record = _record(record_id)
    form = CommentForm()
    parent = form.parent_id.data
    try:
        parent_id = int(parent) if parent else None
    except ValueError:
        parent_id = -1
    try:
        new = comments.add(
            record, current_user, form.body.data, field=form.field.data or None, parent_id=parent_id
        )
        db.session.commit()
    except comments.CommentError as exc:
        db.session.rollback()
        parent = db.session.get(Comment, parent_id) if parent_id else None
        if parent is not None and parent.record_id == record.id:
            # Shown in the thread, whose reply box opens again.
            return _render(
                record, error=str(exc), error_action=f"reply-{parent.parent_id or parent.id}"
            ), exc.status
        return _render(
            record, error=str(exc), error_action="comment", given={"comment": form}
        ), exc.status
    flash("Reply added." if parent_id else "Comment added.", "success")
    return redirect(url_for("review.record", record_id=record_id, _anchor=f"comment-{new.id}"))


@bp.post("/<int:record_id>/comments/<int:comment_id>/resolve")
@requires(Permission.VIEW_DRAFTS)
def resolve(record_id: int, comment_id: int) -> Any:
    record = _record(record_id)
    target = db.session.get(Comment, comment_id)
    if target is None or target.record_id != record.id:
        abort(404, "This record has no such comment.")
    form = ResolveForm()
    resolved = form.resolved.data != "0"
    try:
        comments.set_resolved(target, current_user, resolved)
        db.session.commit()
    except comments.CommentError as exc:
        db.session.rollback()
        return _render(record, error=str(exc), error_action=f"resolve-{comment_id}"), 403
    flash("Thread resolved." if resolved else "Thread reopened.", "success")
    return redirect(url_for("review.record", record_id=record_id, _anchor=f"comment-{comment_id}"))


# --- Notifications -------------------------------------------------------------------------


@bp.get("/notifications")
@requires(Permission.VIEW_DRAFTS)
def notifications() -> Any:
    return render_template(
        "review/notifications.html",
        items=notify.recent(current_user.id),
        form=EmptyForm(formdata=None),
    )


@bp.post("/notifications/read")
@requires(Permission.VIEW_DRAFTS)
def mark_read() -> Any:
    form = MarkReadForm()
    which = form.notification.data or "all"
    if which == "all":
        count = notify.mark_read(current_user.id)
    else:
        notification_id = parse_int(which, minimum=1)
        if notification_id is None:
            abort(400, "Choose a notification to mark as read.")
        count = notify.mark_read(current_user.id, ids=[notification_id])
    db.session.commit()
    flash("Marked as read." if count else "Nothing was unread.", "success")
    target = request.form.get("next")
    return redirect(
        target
        if target in {url_for("review.queue"), url_for("review.notifications")}
        else url_for("review.notifications")
    )
