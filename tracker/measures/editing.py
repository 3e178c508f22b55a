"""Editor routes for measures: create, edit, history, compare, restore, delete.

Registered on the measures blueprint (``tracker.measures.views.bp``); its pages and
their permissions come from the generic editor (tracker.records.editing.ROUTES;
tracker.accounts.permissions enforces them, and answers 404 to readers who may not see
drafts). Measures register only what differs: their form and its choices, their checks
before publication, and how the shared pages show a measure
(templates/measures/_editor.html). Submitting for review and publishing go through the
review workflow (tracker.review).
"""

from __future__ import annotations

from tracker.measures import forms, services
from tracker.measures import history as _history  # noqa: F401  (registers the measure diff)
from tracker.measures.models import Measure
from tracker.measures.views import bp
from tracker.records import services as records
from tracker.records.editing import EditorKind, RecordEditor, register_routes
from tracker.records.models import Record, RecordKind


def load_choices(record: Record | None) -> forms.Choices:
    """The form's options; an edit keeps the measure's current relation targets even when
    they are no longer listed (deleted or unavailable), and leaves out the measure itself."""
    if record is None:
        return forms.load_choices()
    content = records.working_copy(record) or records.live_copy(record)
    relations = services.snapshot(content)["relations"] if content is not None else []
    return forms.load_choices(
        exclude_record_id=record.id,
        keep_targets=tuple(r["target_record_id"] for r in relations if r.get("target_record_id")),
    )


editor = RecordEditor(
    EditorKind(
        kind=RecordKind.MEASURE,
        model=Measure,
        blueprint="measures",
        noun="measure",
        plural="measures",
        form=forms.MeasureForm,
        load_choices=load_choices,
        form_data=forms.form_data,
        template_dir="measures",
        public_endpoint="measures.detail",
        problems=services.publication_problems,
        macros="measures/_editor.html",
    )
)
register_routes(bp, editor)
