"""Publishing preconditions are one list of checks, run at submission and at publication
and shown as a checklist on the review page; the database refuses impossible combinations
of state and copies (migration 0018)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tests.review_helpers import take
from tracker.extensions import db
from tracker.measures.models import Measure
from tracker.records.models import Record, WorkflowState
from tracker.review import workflow

NO_SOURCE_NO_PINPOINT: dict[str, Any] = {
    "sources": [],
    "mappings": [
        {
            "norm": "i",
            "commitment": None,
            "locator": None,
            "rationale": "Test",
            "basis": "inferred",
        }
    ],
}


def test_submit_refused_with_the_failing_checks(app, make_measure, make_user) -> None:
    measure = make_measure(published=False, **NO_SOURCE_NO_PINPOINT)
    editor = make_user("editor")
    with pytest.raises(workflow.TransitionError) as refused:
        take(app, measure.record_id, "submit", editor.id, working_group_id=None)
    message = refused.value.message
    assert message.startswith("Not ready for review: ")
    assert "Add at least one source" in message
    assert "give the pinpoint (article, section)" in message
    with app.app_context():
        record = db.session.get(Record, measure.record_id)
        assert record.state is WorkflowState.DRAFT
        assert record.working_group_id is None


def test_a_valid_draft_is_submitted(app, make_measure, make_user) -> None:
    measure = make_measure(published=False)
    editor = make_user("editor")
    state = take(app, measure.record_id, "submit", editor.id, working_group_id=None)
    assert state is WorkflowState.IN_REVIEW


def test_checklist_on_the_review_page(app, client, login, make_measure) -> None:
    measure = make_measure(published=False, **NO_SOURCE_NO_PINPOINT)
    login(client, "editor")
    page = client.get(f"/review/{measure.record_id}").get_data(as_text=True)
    assert "Before this can be submitted or published" in page
    # each check is listed, passed or failed, and a failed one links to its field
    assert 'class="check check-fail"' in page
    assert f'href="/measures/{measure.record_id}/edit#sources">At least one source</a>' in page
    assert "Events dated in order" in page and 'class="check check-pass"' in page
    assert (
        f'href="/measures/{measure.record_id}/edit#mappings">Every mapping gives a pinpoint' in page
    )
    # the Submit button is not offered; the refusal says why
    assert 'id="step-submit"' not in page
    assert "Submit for review:</strong> Not ready for review: Add at least one source" in page


def test_checklist_passes_for_a_valid_draft(app, client, login, make_measure) -> None:
    measure = make_measure(published=False)
    login(client, "editor")
    page = client.get(f"/review/{measure.record_id}").get_data(as_text=True)
    assert "Ready to publish" in page
    assert 'class="check check-fail"' not in page
    assert 'id="step-submit"' in page


def test_publish_reruns_the_checks(app, make_measure, make_user) -> None:
    """A check that fails after approval (here: written around the editor) stops publication."""
    from tests.review_helpers import make_member

    measure = make_measure(published=False)
    editor = make_user("editor")
    reviewer = make_member(app, make_user)
    take(app, measure.record_id, "submit", editor.id, working_group_id=None)
    take(app, measure.record_id, "approve", reviewer.id)
    with app.app_context():
        row = db.session.get(Measure, measure.id)
        row.sources.clear()
        db.session.commit()
    with pytest.raises(workflow.TransitionError, match="Not published yet: Add at least one"):
        take(app, measure.record_id, "publish", editor.id)


def test_published_record_needs_a_publication_date(app, make_measure) -> None:
    measure = make_measure(published=False)
    with app.app_context():
        record = db.session.get(Record, measure.record_id)
        with pytest.raises(IntegrityError, match="ck_records_published_has_date"):
            with db.session.begin_nested():
                db.session.execute(
                    sa.update(Record).where(Record.id == record.id).values(state="published")
                )


def test_a_copy_is_working_or_live(app, make_measure) -> None:
    measure = make_measure(published=True)
    with app.app_context():
        with pytest.raises(IntegrityError, match="ck_measures_working_or_live"):
            with db.session.begin_nested():
                db.session.execute(
                    sa.update(Measure)
                    .where(Measure.id == measure.id)
                    .values(is_draft=False, is_live=False)
                )


def _checks(connection: Any, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(connection).get_check_constraints(table)}


def test_migration_adds_and_removes_the_constraints(fresh_database_url) -> None:
    """Migration 0018 goes down and up again, on SQLite (batch mode) and PostgreSQL."""
    from tests.conftest import standalone_app

    with standalone_app(fresh_database_url) as app:
        runner = app.test_cli_runner()
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        with app.app_context(), db.engine.connect() as connection:
            assert "ck_records_published_has_date" in _checks(connection, "records")
            assert "ck_attributions_working_or_live" in _checks(connection, "attributions")
            # the enum's own CHECK survives the batch rebuild of the table
            assert "ck_records_workflowstate" in _checks(connection, "records")
        result = runner.invoke(args=["db", "downgrade", "0017"])
        assert result.exit_code == 0, result.output
        with app.app_context(), db.engine.connect() as connection:
            assert "ck_records_published_has_date" not in _checks(connection, "records")
            assert "ck_measures_working_or_live" not in _checks(connection, "measures")
            assert "ck_records_workflowstate" in _checks(connection, "records")
        with app.app_context(), db.engine.begin() as connection:
            # a published record without its date, as older loaders could leave one
            connection.execute(
                sa.text(
                    "INSERT INTO records (kind, state, version, created_at, updated_at)"
                    " VALUES ('paper', 'published', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with app.app_context(), db.engine.begin() as connection:
            dates = connection.execute(sa.text("SELECT published_at FROM records")).scalars()
            assert all(date is not None for date in dates)  # backfilled from its last change
            assert "ck_papers_working_or_live" in _checks(connection, "papers")
            with pytest.raises(IntegrityError, match="ck_records_published_has_date"):
                connection.execute(
                    sa.text(
                        "INSERT INTO records (kind, state, version, created_at, updated_at)"
                        " VALUES ('measure', 'published', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    )
                )
