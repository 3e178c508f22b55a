"""The measure editor: create and edit through the real form, validation next to each
field, rows without JavaScript, copy on write, revisions and their summaries, publishing."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token
from tests.pages import as_data, form_fields, replace
from tests.review_helpers import make_member, publish_through_review
from tracker.extensions import db
from tracker.measures import queries, services
from tracker.measures.models import Measure
from tracker.records import services as records
from tracker.records.forms import field_texts
from tracker.records.models import Record, Revision, WorkflowState


def open_form(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return form_fields(response.get_data(as_text=True), path)


def post(client, path, fields, **values):
    return client.post(path, data=as_data(replace(fields, **values)))


def revisions(app, record_id):
    with app.app_context():
        return db.session.scalars(
            sa.select(Revision).where(Revision.record_id == record_id).order_by(Revision.number)
        ).all()


def errors_of(html: str, field_id: str) -> str:
    """The error list rendered right after a field (empty string when none)."""
    marker = f'id="{field_id}-errors"'
    if marker not in html:
        return ""
    start = html.index(marker)
    return html[start : html.index("</ul>", start)]


NEW = {
    "jurisdiction_code": "DE",
    "title_original": "Testgesetz über die Lieferkette",
    "title_lang": "de",
    "title_en": "Test act on the supply chain",
    "short_name": "TestG",
    "type": "law",
    "status": "adopted",
    "verification": "unverified",
    "events-0-kind": "adopted",
    "events-0-date": "2024-03",
    "sources-0-title": "Example gazette",
    "sources-0-url": "https://example.org/gazette",
    "sources-0-accessed": "2024-04-02",
    "mappings-0-target": "norm:i",
    "mappings-0-locator": "§ 3",
    "mappings-0-rationale": "Requires suppliers to document components.",
    "mappings-0-basis": "inferred",
    "topics": ["sbom", "procurement-requirements"],
}


# --- Create -------------------------------------------------------------------------


def test_create_writes_a_draft_record_its_working_copy_and_revision_1(app, client, login):
    editor = login(client, "editor")
    with app.app_context():
        before = queries.count_measures()
    fields = open_form(client, "/measures/new")
    response = post(client, "/measures/new", fields, **NEW)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    record_id = int(response.headers["Location"].split("/")[2].split("?")[0])
    with app.app_context():
        record = db.session.get(Record, record_id)
        assert record.state is WorkflowState.DRAFT and record.created_by_id == editor.id
        measure = records.working_copy(record)
        assert measure.is_draft and not measure.is_live
        assert (
            measure.title_original == "Testgesetz über die Lieferkette"
            and measure.title_lang == "de"
        )
        assert [(e.kind.value, e.date, e.precision.value) for e in measure.events] == [
            ("adopted", dt.date(2024, 3, 1), "month")
        ]
        assert measure.year == 2024
        assert [s.url for s in measure.sources] == ["https://example.org/gazette"]
        assert [t.slug for t in measure.topics] == ["sbom", "procurement-requirements"]
        assert [(m.norm.letter, m.locator) for m in measure.mappings] == [("i", "§ 3")]
        # The public sees nothing of it.
        assert queries.count_measures() == before
        assert queries.get_measure(record_id) is None
    history = revisions(app, record_id)
    assert [(r.number, r.action, r.author_id, r.state) for r in history] == [
        (1, "create", editor.id, WorkflowState.DRAFT)
    ]
    assert history[0].snapshot["title_en"] == "Test act on the supply chain"


def test_blank_form_shows_errors_next_to_fields_and_saves_nothing(app, client, login):
    login(client, "editor")
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Record))
    fields = open_form(client, "/measures/new")
    response = post(client, "/measures/new", fields, title_lang="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Give the official title." in errors_of(html, "title_original")
    assert "Choose the jurisdiction." in errors_of(html, "jurisdiction_code")
    assert "Choose the type." in errors_of(html, "type")
    assert "Choose the status." in errors_of(html, "status")
    assert "Give the language code" in errors_of(html, "title_lang")
    assert "problems to fix before saving" in html and 'href="#title_original"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Record)) == count


@pytest.mark.parametrize(
    ("values", "field_id", "message"),
    [
        ({"events-0-date": "2021-02-30"}, "events-0-date", "is not a real date"),
        ({"events-0-date": "2021-13"}, "events-0-date", "is not a real date"),
        ({"events-0-date": "21"}, "events-0-date", "is not in a date format"),
        (
            {"events-0-date": "25/03/2025"},
            "events-0-date",
            "looks like a day-month-year date: dates are written year first, "
            "YYYY-MM-DD, YYYY-MM or YYYY (2025-03-25)",
        ),
        ({"events-0-date": "1850"}, "events-0-date", "between 1900 and 2100"),
        (
            {"events-1-kind": "in_force", "events-1-date": "2024-02-29"},
            "events-1-date",
            "cannot be before the adoption",
        ),
        (
            {"events-1-kind": "rescinded", "events-1-date": "2023"},
            "events-1-date",
            "cannot be before the adoption",
        ),
        (
            {"events-1-kind": "announced", "events-1-date": "2024-05-01"},
            "events-1-date",
            "cannot be after the adoption",
        ),
        ({"events-1-date": "2024-05-01"}, "events-1-kind", "Choose what happened"),
        ({"events-1-kind": "published"}, "events-1-date", "Give the date"),
        ({"official_url": "javascript:alert(1)"}, "official_url", "http:// or https://"),
        ({"official_url": "ftp://example.org/file"}, "official_url", "http:// or https://"),
        ({"official_url": "https://exa mple.org"}, "official_url", "cannot contain spaces"),
        ({"sources-0-url": "data:text/html,x"}, "sources-0-url", "http:// or https://"),
        (
            {"sources-1-url": "https://example.org/only-a-url"},
            "sources-1-title",
            "Give the source a title",
        ),
        ({"sources-0-accessed": "2024-04"}, "sources-0-accessed", "is not a real date"),
        (
            {"sources-0-accessed": (dt.date.today() + dt.timedelta(days=2)).isoformat()},
            "sources-0-accessed",
            "cannot be in the future",
        ),
        ({"title_original": "x" * 1001}, "title_original", "at most 1000 characters"),
        ({"short_name": "x" * 201}, "short_name", "at most 200 characters"),
        ({"description": "x" * 20_001}, "description", "at most 20000 characters"),
        ({"mappings-0-rationale": "x" * 5001}, "mappings-0-rationale", "at most 5000 characters"),
        ({"events-0-note": "x" * 501}, "events-0-note", "at most 500 characters"),
        ({"title_lang": "english!"}, "title_lang", "language code"),
        ({"mappings-0-target": ""}, "mappings-0-target", "Choose the norm or commitment"),
        ({"relations-0-kind": "amends"}, "relations-0-target", "Choose the other measure"),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field_and_keeps_the_input(
    app, client, login, values, field_id, message
):
    login(client, "editor")
    fields = open_form(client, "/measures/new")
    response = post(client, "/measures/new", fields, **{**NEW, **values})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in errors_of(html, field_id), errors_of(html, field_id) or html[:500]
    # Everything typed comes back.
    kept = dict(form_fields(html, "/measures/new"))
    assert kept["title_en"] == NEW["title_en"]
    for name, value in values.items():
        if len(value) < 1000:
            assert kept.get(name, "") == value


@pytest.mark.parametrize(
    "values",
    [
        {
            "events-1-kind": "in_force",
            "events-1-date": "2024",
        },  # same year as a month: may be in order
        {"events-1-kind": "in_force", "events-1-date": "2024-03-31"},
        {"events-1-kind": "announced", "events-1-date": "2024-03-01"},
        {"events-0-date": "2024"},
        {"events-0-date": "2024-02-29"},
        {"official_url": "http://example.org/law"},
        {"sources-0-url": "", "sources-0-accessed": ""},  # a printed source: a title is enough
    ],
)
def test_good_input_is_accepted(app, client, login, values):
    login(client, "editor")
    fields = open_form(client, "/measures/new")
    response = post(client, "/measures/new", fields, **{**NEW, **values})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]


def test_add_another_row_works_without_javascript_and_keeps_everything(app, client, login):
    login(client, "editor")
    fields = open_form(client, "/measures/new")
    sources_before = len(
        {k for k, _ in fields if k.startswith("sources-") and k.endswith("-title")}
    )
    typed = {**NEW, "sources-1-title": "Half-typed second source"}
    response = post(client, "/measures/new", fields, **typed, add_row="sources")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "problems to fix" not in html  # adding a row is not a save: no validation errors
    again = dict(form_fields(html, "/measures/new"))
    assert (
        len({k for k in again if k.startswith("sources-") and k.endswith("-title")})
        == sources_before + 1
    )
    assert again["sources-1-title"] == "Half-typed second source"
    assert again["title_original"] == NEW["title_original"]
    assert "formnovalidate" in html and 'name="add_row" value="sources"' in html
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Record)
                .where(Record.created_by_id.is_not(None))
            )
            == 0
        )


def test_blank_and_removed_rows_are_dropped(app, client, login):
    login(client, "editor")
    fields = open_form(client, "/measures/new")
    response = post(
        client,
        "/measures/new",
        fields,
        **NEW,
        **{
            "sources-1-title": "Dropped source",
            "sources-1-url": "not even a url",
            "sources-1-remove": "y",
        },
    )
    assert response.status_code == 302
    record_id = int(response.headers["Location"].split("/")[2].split("?")[0])
    with app.app_context():
        measure = records.working_copy(db.session.get(Record, record_id))
        assert [s.title for s in measure.sources] == ["Example gazette"]
        assert len(measure.events) == 1 and len(measure.mappings) == 1 and measure.relations == []


def test_selects_offer_grouped_jurisdictions_and_visible_measures(app, client, login, make_measure):
    login(client, "editor")
    gone = make_measure(short_name="Deleted one")
    with app.app_context():
        record = db.session.get(Record, gone.record_id)
        record.deleted_at = dt.datetime.now(dt.UTC)
        db.session.commit()
    draft = make_measure(published=False, short_name="Draft one")
    html = client.get(f"/measures/{draft.record_id}/edit").get_data(as_text=True)
    assert (
        '<optgroup label="Regional organisations">' in html
        and '<optgroup label="States and territories">' in html
    )
    assert 'value="EU"' in html and "European Union (EU)" in html
    assert html.count('<option value="') > 250  # every jurisdiction, plus the other selects
    relation_select = html[html.index('id="relations-0-target"') :]
    relation_select = relation_select[: relation_select.index("</select>")]
    assert "Deleted one" not in relation_select
    assert "Draft one" not in relation_select  # not itself
    assert "EO 14028" in relation_select  # a demo measure
    assert 'value="norm:j"' in html and "Norm (j)" in html


# --- Edit ---------------------------------------------------------------------------


def test_editing_a_published_measure_keeps_the_public_copy(
    app, client, login, make_measure, make_user
):
    editor = login(client, "editor")
    measure = make_measure(status="in_force", short_name="Published measure")
    rid = measure.record_id
    path = f"/measures/{rid}/edit"
    response = post(
        client,
        path,
        open_form(client, path),
        status="amended",
        **{"sources-1-title": "New source", "sources-1-url": "https://example.org/new"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        record = db.session.get(Record, rid)
        assert record.state is WorkflowState.DRAFT and record.updated_by_id == editor.id
        live, draft = records.live_copy(record), records.working_copy(record)
        assert live.id != draft.id
        assert live.status.value == "in_force" and len(live.sources) == 1
        assert draft.status.value == "amended" and len(draft.sources) == 2
        public = queries.get_measure(rid)
        assert public.status.value == "in_force"
    last = revisions(app, rid)[-1]
    assert (last.action, last.summary, last.author_id, last.state) == (
        "edit",
        "Changed status; added 1 source",
        editor.id,
        WorkflowState.DRAFT,
    )

    # Publishing (after review) makes the working copy live, in one step.
    publish_through_review(app, rid, editor.id, make_member(app, make_user).id)
    with app.app_context():
        assert queries.get_measure(rid).status.value == "amended"
        assert db.session.get(Record, rid).state is WorkflowState.PUBLISHED
    assert revisions(app, rid)[-1].action == "publish"


def test_change_summary_names_fields_and_counts_rows(app, client, login, make_measure):
    login(client, "editor")
    rid = make_measure(published=False).record_id
    path = f"/measures/{rid}/edit"
    response = post(
        client,
        path,
        open_form(client, path),
        status="adopted",
        description="A new description.",
        **{
            "events-0-date": "2024-01-16",
            "events-1-kind": "in_force",
            "events-1-date": "2024-06",
            "sources-0-remove": "y",
            "sources-1-title": "Replacement",
            "sources-1-url": "https://example.org/r",
            "mappings-1-target": "norm:j",
            "mappings-1-locator": "Art. 2",
            "mappings-1-rationale": "A mapping needs a pinpoint and a rationale.",
        },
        topics=["sbom", "vulnerability-disclosure"],
    )
    assert response.status_code == 302
    assert revisions(app, rid)[-1].summary == (
        "Changed status, description, events, sources; added 1 event, 1 mapping, topic "
        "Vulnerability disclosure"
    )


def test_saving_an_unchanged_form_writes_no_revision(app, client, login, make_measure):
    login(client, "editor")
    rid = make_measure().record_id
    path = f"/measures/{rid}/edit"
    before = len(revisions(app, rid))
    response = post(client, path, open_form(client, path))
    assert response.status_code == 302
    assert len(revisions(app, rid)) == before
    with app.app_context():
        record = db.session.get(Record, rid)
        assert record.state is WorkflowState.PUBLISHED  # nothing diverged
        assert not records.has_unpublished_changes(record)
    assert "Nothing had changed" in client.get(f"/measures/{rid}/history").get_data(as_text=True)


def test_deleted_measure_cannot_be_edited(app, client, login, make_measure):
    login(client, "editor")
    rid = make_measure().record_id
    with app.app_context():
        db.session.get(Record, rid).deleted_at = dt.datetime.now(dt.UTC)
        db.session.commit()
    assert client.get(f"/measures/{rid}/edit").status_code == 409


# --- Publishing needs a source ---------------------------------------------------------


def test_publication_problems(app_ctx, make_measure):
    without = make_measure(published=False, sources=[])
    measure = db.session.get(Measure, without.id)
    assert services.publication_problems(measure) == [
        "Add at least one source, so that readers can check the measure."
    ]
    with_source = db.session.get(Measure, make_measure(published=False).id)
    assert services.publication_problems(with_source) == []


def test_a_measure_without_sources_cannot_be_published(app, client, login, make_measure, make_user):
    login(client, "editor")
    rid = make_measure(published=False, sources=[]).record_id
    # The publishing checks run at submission: it never reaches the reviewers (publishing
    # re-runs them: tests/test_workflow_preconditions.py).
    response = client.post(f"/review/{rid}/submit", data={"csrf_token": csrf_token(app, client)})
    assert response.status_code == 409
    assert "Not ready for review: Add at least one source" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Record, rid).state is WorkflowState.DRAFT
        assert queries.get_measure(rid) is None
    # The edit page says so before anyone tries.
    assert "Before this can be published" in client.get(f"/measures/{rid}/edit").get_data(
        as_text=True
    )


def test_field_texts_gives_a_blank_for_a_missing_or_empty_value() -> None:
    snapshot = {"title": "T", "url": None, "note": "", "extra": "not asked for"}
    assert field_texts(snapshot, ("title", "url", "note", "accessed")) == {
        "title": "T",
        "url": "",
        "note": "",
        "accessed": "",
    }
