"""Editor routes for attribution statements: create, edit, history, compare, restore, delete.

Registered on the attribution blueprint (``tracker.attribution.views.bp``); its pages
and their permissions come from the generic editor (tracker.records.editing.ROUTES).
Publishing belongs to the review workflow.
"""

from __future__ import annotations

from tracker.attribution import forms, services
from tracker.attribution import history as _history  # noqa: F401  (registers the attribution diff)
from tracker.attribution.models import Attribution
from tracker.attribution.views import bp
from tracker.records.editing import EditorKind, RecordEditor, register_routes
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
        problems=services.publication_problems,
    )
)
register_routes(bp, editor, "/attributions")
