"""Editor pages for any kind of record: create, edit, history, compare, restore, delete.

One editor for measures, papers and attributions. A kind describes itself with an
``EditorKind`` (its form, its choices, its blueprint, how its pages differ), and
``register_routes`` declares the pages of ``ROUTES`` on its blueprint, each with its
permission, each calling the matching method of a ``RecordEditor``. Pages are the shared
templates in templates/records/, which include the kind's own form fields
(``templates/<kind>/_form_fields.html``) and show a record through the kind's macros
(``EditorKind.macros``, see templates/records/_kind.html). Every change goes through
tracker.records.changes.

Publishing is not here: the review workflow owns it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload
from wtforms import HiddenField

from tracker.accounts import audit
from tracker.accounts.models import AuditAction
from tracker.accounts.permissions import Permission, requires
from tracker.extensions import db
from tracker.records import changes, history, submissions
from tracker.records import services as records
from tracker.records.forms import RecordForm
from tracker.records.models import Record, RecordKind, Revision


class ActionForm(FlaskForm):
    """A button-only form (delete, restore) carrying the record version seen."""

    version = HiddenField()


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _no_problems(_content: Any) -> list[str]:
    return []


@dataclass
class EditorKind:
    """What the generic editor needs to know about one kind of record."""

    kind: RecordKind
    #: the content model (Measure, Paper, Attribution)
    model: Any
    #: the blueprint the routes are registered on ("measures", "papers", "attribution")
    blueprint: str
    #: "measure", "policy paper", "attribution statement"
    noun: str
    plural: str
    form: type[RecordForm]
    #: the form's select options; given the record being edited (None for a new one)
    load_choices: Callable[[Record | None], Any]
    #: a snapshot as the ``data`` of the form
    form_data: Callable[[dict[str, Any]], dict[str, Any]]
    #: folder of the kind's ``_form_fields.html``
    template_dir: str
    #: the public page of one record
    public_endpoint: str
    #: why a copy may not be published yet (shown to editors; the review workflow may use it)
    problems: Callable[[Any], list[str]] = _no_problems
    #: the macros that show the kind's own way on the shared pages (see records/_kind.html)
    macros: str = "records/_kind.html"

    def endpoint(self, name: str) -> str:
        return f"{self.blueprint}.{name}"

    def url(self, name: str, **values: Any) -> str:
        return url_for(self.endpoint(name), **values)

    @property
    def fields_template(self) -> str:
        return f"{self.template_dir}/_form_fields.html"

    @property
    def title(self) -> str:
        return self.noun[0].upper() + self.noun[1:]

    def public_url(self, record_id: int) -> str:
        return url_for(self.public_endpoint, record_id=record_id)


_editors: dict[RecordKind, EditorKind] = {}


def editor_for(record: Record | RecordKind | None) -> EditorKind | None:
    """The editor of a record's kind (the template global ``record_editor``, registered by
    each kind's blueprint)."""
    if record is None:
        return None
    kind = record if isinstance(record, RecordKind) else record.kind
    return _editors.get(kind)


class RecordEditor:
    """The editor pages of one kind; each method is the body of one route."""

    def __init__(self, kind: EditorKind) -> None:
        self.k = kind
        _editors[kind.kind] = kind

    # --- Helpers ---------------------------------------------------------------------

    def record(self, record_id: int) -> Record:
        record = db.session.get(Record, record_id)
        if record is None or record.kind is not self.k.kind:
            abort(404, f"There is no {self.k.noun} with this number.")
        return record

    def content(self, record: Record) -> Any:
        content = records.working_copy(record) or records.live_copy(record)
        if content is None:
            abort(404, f"This {self.k.noun} has no content.")
        return content

    def render(self, template: str, **context: Any) -> str:
        return render_template(f"records/{template}", ed=self.k, **context)

    def _form(self, record: Record | None, **kwargs: Any) -> RecordForm:
        return self.k.form(choices=self.k.load_choices(record), **kwargs)

    def _landing(self, record: Record) -> Any:
        """After a save the editor lands on the record: its page, showing the working copy."""
        return redirect(url_for(self.k.public_endpoint, record_id=record.id, drafts=1))

    def _saved(self, record: Record, revision: Revision) -> Any:
        flash(f"Saved as revision {revision.number}: {revision.summary}.", "success")
        return self._landing(record)

    def _stale(self, record: Record, doing: str) -> Any:
        """409: the record changed after the page with this button was loaded."""
        db.session.rollback()
        return self.render(
            "stale.html",
            record=record,
            content=self.content(record),
            latest=changes.latest_revision(record),
            doing=doing,
        ), 409

    # --- Create and edit -------------------------------------------------------------

    def new(self) -> Any:
        if request.method == "GET":
            form = self._form(None)
            form.submission.data = submissions.new_token()
            form.add_rows(form.blank_rows(new=True))
            return self.render("form.html", form=form, record=None)
        form = self._form(None)
        done = submissions.record_for(form.submission.data)
        if done is not None:
            return self._already_saved(done)
        if form.add_row_requested(request.form.get("add_row")):
            return self.render("form.html", form=form, record=None)
        valid = form.validate()
        if not submissions.is_token(form.submission.data):
            form.submission.errors = [submissions.MISSING]
            form.submission.data = submissions.new_token()
            valid = False
        if not valid:
            return self.render("form.html", form=form, record=None), 422
        try:
            record = changes.create(self.k.kind, form.to_data(), author_id=current_user.id)
            submissions.claim(form.submission.data, record, current_user.id)
        except ValueError as exc:
            db.session.rollback()
            abort(409, f"This cannot be saved: {exc}.")
        except submissions.IntegrityError:
            # The same form, sent twice at once: the other request created the record.
            db.session.rollback()
            done = submissions.record_for(form.submission.data)
            if done is None:
                raise
            return self._already_saved(done)
        db.session.commit()
        flash(
            f"{self.k.title} created as a draft (revision 1). Only staff see it until it is "
            "published: submit it for review from its review page when it is ready.",
            "success",
        )
        return self._landing(record)

    def _already_saved(self, record: Record) -> Any:
        flash(submissions.ALREADY_SAVED.format(noun=self.k.noun), "info")
        return self._landing(record)

    def edit(self, record_id: int) -> Any:
        record = self.record(record_id)
        if record.deleted_at is not None:
            abort(
                409,
                f"This {self.k.noun} is deleted. Restore it from the list of deleted "
                f"{self.k.plural} before editing it.",
            )
        content = self.content(record)
        context = {"record": record, "content": content, "problems": self.k.problems(content)}
        if request.method == "GET":
            snapshot = records.ops_for(record).snapshot(content)
            form = self._form(record, data=self.k.form_data(snapshot))
            form.version.data = str(record.version)
            latest = changes.latest_revision(record)
            form.base_revision.data = str(latest.number) if latest else ""
            form.add_rows(form.blank_rows(new=False))
            return self.render("form.html", form=form, **context)

        form = self._form(record)
        if form.add_row_requested(request.form.get("add_row")):
            return self.render("form.html", form=form, **context)
        if not form.validate():
            return self.render("form.html", form=form, **context), 422
        try:
            revision = changes.update(
                record,
                form.to_data(),
                expected_version=_int(form.version.data),
                author_id=current_user.id,
                noun=self.k.noun,
            )
            db.session.commit()
        except (changes.StaleVersion, changes.StaleDataError):
            db.session.rollback()
            return self._conflict(record_id, form)
        except changes.NoChanges:
            db.session.rollback()
            flash("Nothing had changed, so no new revision was written.", "info")
            return redirect(self.k.url("history", record_id=record_id))
        except changes.NotAllowedNow as exc:
            db.session.rollback()
            abort(409, str(exc))
        return self._saved(record, revision)

    def _conflict(self, record_id: int, form: RecordForm) -> Any:
        """409: someone saved the record after the editor opened it. Show both versions and
        keep the editor's input in a form that carries the new version."""
        record = self.record(record_id)
        content = self.content(record)
        kind = record.kind
        theirs = records.ops_for(record).snapshot(content)
        yours = form.to_data()
        latest = changes.latest_revision(record)
        display = history.spec_for(kind).display()
        diff = history.compare_snapshots(kind, theirs, yours, display)
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
            theirs_changed = {
                c.spec.name
                for c in history.compare_snapshots(kind, base, theirs, display)
                if c.changed
            }
            yours_changed = {
                c.spec.name
                for c in history.compare_snapshots(kind, base, yours, display)
                if c.changed
            }
            for name in theirs_changed | yours_changed:
                both = name in theirs_changed and name in yours_changed
                changed_by[name] = (
                    "both" if both else ("theirs" if name in theirs_changed else "yours")
                )
        # The resubmitted form is checked against what the editor has now seen.
        form.version.data = str(record.version)
        form.base_revision.data = str(latest.number) if latest else ""
        return self.render(
            "conflict.html",
            record=record,
            content=content,
            form=form,
            diff=diff,
            latest=latest,
            changed_by=changed_by,
            problems=self.k.problems(content),
        ), 409

    # --- History ---------------------------------------------------------------------

    def history(self, record_id: int) -> Any:
        record = self.record(record_id)
        revisions = db.session.scalars(
            sa.select(Revision)
            .where(Revision.record_id == record.id)
            .order_by(Revision.number.desc())
            .options(selectinload(Revision.author))
        ).all()
        content = self.content(record)
        return self.render(
            "history.html",
            record=record,
            content=content,
            revisions=revisions,
            problems=self.k.problems(content),
            unpublished=records.has_unpublished_changes(record),
            public_url=self.k.public_url(record.id),
        )

    def compare(self, record_id: int) -> Any:
        record = self.record(record_id)
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
            abort(404, f"This {self.k.noun} has no revision {missing[0]}.")
        diff = history.compare_snapshots(record.kind, found[a].snapshot, found[b].snapshot)
        return self.render(
            "compare.html",
            record=record,
            content=self.content(record),
            old=found[a],
            new=found[b],
            diff=diff,
            show_all=request.args.get("all") == "1",
        )

    def restore_revision(self, record_id: int, number: int) -> Any:
        record = self.record(record_id)
        form = ActionForm()
        try:
            revision = changes.restore_revision(
                record,
                number,
                expected_version=_int(form.version.data),
                author_id=current_user.id,
                noun=self.k.noun,
            )
            audit.record_event(
                AuditAction.REVISION_RESTORED,
                subject=f"record:{record.id}",
                revision=number,
                new_revision=revision.number,
            )
            db.session.commit()
        except (changes.StaleVersion, changes.StaleDataError):
            return self._stale(record, f"restore revision {number}")
        except changes.NoChanges:
            db.session.rollback()
            flash(
                f"Revision {number} has the same content as the current version: "
                "nothing to restore.",
                "info",
            )
            return redirect(self.k.url("history", record_id=record_id))
        except changes.NotAllowedNow as exc:
            db.session.rollback()
            abort(409, str(exc))
        return self._saved(record, revision)

    # --- Delete and restore ----------------------------------------------------------

    def delete(self, record_id: int) -> Any:
        record = self.record(record_id)
        form = ActionForm()
        if request.method == "GET":
            if record.deleted_at is not None:
                abort(409, f"This {self.k.noun} is deleted already.")
            form.version.data = str(record.version)
            return self.render(
                "delete.html", record=record, content=self.content(record), form=form
            )
        refused = self._change(
            record, form, changes.delete, AuditAction.RECORD_DELETED, "delete it"
        )
        if refused is not None:
            return refused
        flash(
            f"{self.k.title} deleted. It is gone from every public page; you can restore it below.",
            "success",
        )
        return redirect(self.k.url("deleted"))

    def _change(
        self,
        record: Record,
        form: ActionForm,
        change: Callable[..., Any],
        action: AuditAction,
        attempt: str,
    ) -> Any | None:
        """Delete or restore (``change``) the record at the version the form saw, record the
        audit event and commit. Returns the conflict page when the record moved on; a step
        the record's state does not allow is a 409."""
        try:
            change(
                record,
                expected_version=_int(form.version.data),
                author_id=current_user.id,
                noun=self.k.noun,
            )
            audit.record_event(
                action, subject=f"record:{record.id}", title=self.content(record).label[:200]
            )
            db.session.commit()
        except (changes.StaleVersion, changes.StaleDataError):
            return self._stale(record, attempt)
        except changes.NotAllowedNow as exc:
            db.session.rollback()
            abort(409, str(exc))
        return None

    def undelete(self, record_id: int) -> Any:
        record = self.record(record_id)
        form = ActionForm()
        refused = self._change(
            record, form, changes.undelete, AuditAction.RECORD_RESTORED, "restore it"
        )
        if refused is not None:
            return refused
        flash(f"{self.k.title} restored, with its whole history.", "success")
        return redirect(self.k.url("history", record_id=record.id))

    def deleted(self) -> Any:
        model = self.k.model
        rows: Any = db.session.execute(
            sa.select(Record, model)
            .join(model, sa.and_(model.record_id == Record.id, model.is_draft))
            .where(Record.kind == self.k.kind, Record.deleted_at.is_not(None))
            .order_by(Record.deleted_at.desc())
        ).all()
        return self.render("deleted.html", rows=rows)


#: The editor's pages: (URL rule below the kind's prefix, endpoint, methods, permission).
#: The endpoint is also the name of the ``RecordEditor`` method that answers it.
ROUTES: tuple[tuple[str, str, tuple[str, ...], Permission], ...] = (
    ("/new", "new", ("GET", "POST"), Permission.EDIT),
    ("/<int:record_id>/edit", "edit", ("GET", "POST"), Permission.EDIT),
    ("/<int:record_id>/history", "history", ("GET",), Permission.VIEW_DRAFTS),
    ("/<int:record_id>/history/compare", "compare", ("GET",), Permission.VIEW_DRAFTS),
    (
        "/<int:record_id>/history/<int:number>/restore",
        "restore_revision",
        ("POST",),
        Permission.EDIT,
    ),
    ("/<int:record_id>/delete", "delete", ("GET", "POST"), Permission.DELETE),
    ("/<int:record_id>/undelete", "undelete", ("POST",), Permission.DELETE),
    ("/deleted", "deleted", ("GET",), Permission.DELETE),
)


def register_routes(bp: Blueprint, editor: RecordEditor, prefix: str = "") -> None:
    """Declare the editor's pages on a kind's blueprint, each with its permission."""
    for rule, endpoint, methods, permission in ROUTES:
        view = requires(permission)(_view(editor, endpoint))
        bp.add_url_rule(prefix + rule, endpoint, view, methods=list(methods))


def _view(editor: RecordEditor, name: str) -> Callable[..., Any]:
    method = getattr(editor, name)

    def view(**values: Any) -> Any:
        return method(**values)

    view.__name__ = name
    view.__doc__ = method.__doc__
    return view
