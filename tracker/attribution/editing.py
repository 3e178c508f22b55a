"""Editor routes for attribution statements: create, edit, history, compare, restore, delete.

Registered on the attribution blueprint (``tracker.attribution.views.bp``); each route
declares its permission and hands over to the generic editor (tracker.records.editing).
Publishing belongs to the review workflow.
"""

from __future__ import annotations

from typing import Any

from tracker.accounts.permissions import Permission, requires
from tracker.attribution import forms
from tracker.attribution import history as _history  # noqa: F401  (registers the attribution diff)
from tracker.attribution.models import Attribution
from tracker.attribution.views import bp
from tracker.records.editing import EditorKind, RecordEditor
from tracker.records.models import RecordKind

editor = RecordEditor(
    EditorKind(
        kind=RecordKind.ATTRIBUTION,
        model=Attribution,
        blueprint="attribution",
        noun="attribution statement",
        plural="attribution statements",
        form=forms.AttributionEditForm,
        load_choices=forms.load_choices,
        form_data=forms.form_data,
        template_dir="attribution",
        public_endpoint="attribution.detail",
        problems=forms.publication_problems,
    )
)


@bp.route("/attributions/new", methods=["GET", "POST"])
@requires(Permission.EDIT)
def new() -> Any:
    return editor.new()


@bp.route("/attributions/<int:record_id>/edit", methods=["GET", "POST"])
@requires(Permission.EDIT)
def edit(record_id: int) -> Any:
    return editor.edit(record_id)


@bp.get("/attributions/<int:record_id>/history")
@requires(Permission.VIEW_DRAFTS)
def history(record_id: int) -> Any:
    return editor.history(record_id)


@bp.get("/attributions/<int:record_id>/history/compare")
@requires(Permission.VIEW_DRAFTS)
def compare(record_id: int) -> Any:
    return editor.compare(record_id)


@bp.post("/attributions/<int:record_id>/history/<int:number>/restore")
@requires(Permission.EDIT)
def restore_revision(record_id: int, number: int) -> Any:
    return editor.restore_revision(record_id, number)


@bp.route("/attributions/<int:record_id>/delete", methods=["GET", "POST"])
@requires(Permission.DELETE)
def delete(record_id: int) -> Any:
    return editor.delete(record_id)


@bp.post("/attributions/<int:record_id>/undelete")
@requires(Permission.DELETE)
def undelete(record_id: int) -> Any:
    return editor.undelete(record_id)


@bp.get("/attributions/deleted")
@requires(Permission.DELETE)
def deleted() -> Any:
    return editor.deleted()
