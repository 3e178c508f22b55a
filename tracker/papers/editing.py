"""Editor routes for policy papers: create, edit, history, compare, restore, delete.

Registered on the papers blueprint (``tracker.papers.views.bp``); each route declares
its permission and hands over to the generic editor (tracker.records.editing).
Publishing belongs to the review workflow.
"""

from __future__ import annotations

from typing import Any

from tracker.accounts.permissions import Permission, requires
from tracker.papers import forms
from tracker.papers import history as _history  # noqa: F401  (registers the paper diff)
from tracker.papers.models import Paper
from tracker.papers.views import bp
from tracker.records.editing import EditorKind, RecordEditor
from tracker.records.models import RecordKind

editor = RecordEditor(
    EditorKind(
        kind=RecordKind.PAPER,
        model=Paper,
        blueprint="papers",
        noun="policy paper",
        plural="policy papers",
        form=forms.PaperForm,
        load_choices=forms.load_choices,
        form_data=forms.form_data,
        template_dir="papers",
        public_endpoint="papers.detail",
        problems=forms.publication_problems,
    )
)


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.EDIT)
def new() -> Any:
    return editor.new()


@bp.route("/<int:record_id>/edit", methods=["GET", "POST"])
@requires(Permission.EDIT)
def edit(record_id: int) -> Any:
    return editor.edit(record_id)


@bp.get("/<int:record_id>/history")
@requires(Permission.VIEW_DRAFTS)
def history(record_id: int) -> Any:
    return editor.history(record_id)


@bp.get("/<int:record_id>/history/compare")
@requires(Permission.VIEW_DRAFTS)
def compare(record_id: int) -> Any:
    return editor.compare(record_id)


@bp.post("/<int:record_id>/history/<int:number>/restore")
@requires(Permission.EDIT)
def restore_revision(record_id: int, number: int) -> Any:
    return editor.restore_revision(record_id, number)


@bp.route("/<int:record_id>/delete", methods=["GET", "POST"])
@requires(Permission.DELETE)
def delete(record_id: int) -> Any:
    return editor.delete(record_id)


@bp.post("/<int:record_id>/undelete")
@requires(Permission.DELETE)
def undelete(record_id: int) -> Any:
    return editor.undelete(record_id)


@bp.get("/deleted")
@requires(Permission.DELETE)
def deleted() -> Any:
    return editor.deleted()
