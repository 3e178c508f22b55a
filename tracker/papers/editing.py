"""Editor routes for policy papers: create, edit, history, compare, restore, delete.

Registered on the papers blueprint (``tracker.papers.views.bp``); its pages and
their permissions come from the generic editor (tracker.records.editing.ROUTES).
Publishing belongs to the review workflow.
"""

from __future__ import annotations

from tracker.papers import forms, services
from tracker.papers import history as _history  # noqa: F401  (registers the paper diff)
from tracker.papers.models import Paper
from tracker.papers.views import bp
from tracker.records.editing import EditorKind, RecordEditor, register_routes
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
        problems=services.publication_problems,
    )
)
register_routes(bp, editor)
