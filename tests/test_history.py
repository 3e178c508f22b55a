"""History: every save is a revision; any two can be compared field by field; any one
can be restored, which writes a new revision."""

from __future__ import annotations

import sqlalchemy as sa

from tests.conftest import csrf_token
from tests.pages import as_data, form_fields, replace
from tests.review_helpers import ATTRIBUTION, make_member, sign_in, take
from tracker.extensions import db
from tracker.measures import services
from tracker.measures.history import change_summary, compare_snapshots
from tracker.records import services as records
from tracker.records.diff import text_segments
from tracker.records.models import Record, Revision


def edit(client, rid, **values):
    path = f"/measures/{rid}/edit"
    fields = form_fields(client.get(path).get_data(as_text=True), path)
    response = client.post(path, data=as_data(replace(fields, **values)))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def numbers(app, rid):
    with app.app_context():
        return [
            (r.number, r.action, r.summary)
            for r in db.session.scalars(
                sa.select(Revision).where(Revision.record_id == rid).order_by(Revision.number)
            )
        ]


def test_history_lists_every_revision_with_who_what_and_state(
    app, client, login, make_measure, make_user
):
    editor = login(client, "editor", name="Edith Editor")
    rid = make_measure(published=False).record_id
    edit(client, rid, status="amended")
    edit(
        client,
        rid,
        description="Now with a description.",
        **{"sources-1-title": "Second", "sources-1-url": "https://example.org/2"},
    )
    assert numbers(app, rid) == [
        (1, "create", "Created by test"),
        (2, "edit", "Changed status"),
        (3, "edit", "Changed description; added 1 source"),
    ]
    page = client.get(f"/measures/{rid}/history")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in (
        "Changed status",
        "Changed description; added 1 source",
        "Edith Editor",
        "Edited",
        "Draft",
    ):
        assert text in html
    assert editor.display_name == "Edith Editor"
    # A reviewer of the working group it is submitted to may read the history but gets no
    # restore buttons; a reviewer of another group does not learn that it exists.
    reviewer, outsider = app.test_client(), app.test_client()
    sign_in(reviewer, make_member(app, make_user))
    sign_in(outsider, make_member(app, make_user, ATTRIBUTION))
    take(app, rid, "submit", editor.id)
    html = reviewer.get(f"/measures/{rid}/history").get_data(as_text=True)
    assert "Changed status" in html and ">Restore</button>" not in html
    assert outsider.get(f"/measures/{rid}/history").status_code == 404


def test_compare_two_revisions_field_by_field(app, client, login, make_measure):
    login(client, "editor")
    rid = make_measure(published=False, description="The old words stay here.").record_id
    edit(
        client,
        rid,
        status="amended",
        description="The new words stay here.",
        **{"events-1-kind": "in_force", "events-1-date": "2024-06", "mappings-0-remove": "y"},
    )
    response = client.get(f"/measures/{rid}/history/compare?a=1&b=2")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # Scalars side by side.
    assert "In force" in html and "Amended" in html
    # Text as an inline word diff.
    assert "<del>old</del><ins>new</ins>" in html
    # Rows compared one by one.
    assert "June 2024" in html and ">Added<" in html and ">Removed<" in html and "Norm (i)" in html
    # Unchanged fields are hidden unless asked for.
    assert "Issuing body" not in html
    assert "Issuing body" in client.get(f"/measures/{rid}/history/compare?a=1&b=2&all=1").get_data(
        as_text=True
    )


def test_compare_refuses_bad_revision_numbers(app, client, login, make_measure):
    login(client, "editor")
    rid = make_measure().record_id
    assert client.get(f"/measures/{rid}/history/compare").status_code == 400
    assert client.get(f"/measures/{rid}/history/compare?a=x&b=1").status_code == 400
    missing = client.get(f"/measures/{rid}/history/compare?a=1&b=9")
    assert missing.status_code == 404 and "no revision 9" in missing.get_data(as_text=True)
    assert client.get("/measures/999999/history").status_code == 404


def test_restore_writes_a_new_revision_with_the_old_content(app, client, login, make_measure):
    editor = login(client, "editor")
    rid = make_measure(published=False).record_id
    edit(client, rid, status="rescinded", **{"sources-0-title": "Renamed source"})
    with app.app_context():
        first = db.session.scalar(
            sa.select(Revision.snapshot).where(Revision.record_id == rid, Revision.number == 1)
        )
    page = client.get(f"/measures/{rid}/history").get_data(as_text=True)
    restore = form_fields(page, f"/measures/{rid}/history/1/restore")
    response = client.post(f"/measures/{rid}/history/1/restore", data=as_data(restore))
    assert response.status_code == 302
    assert numbers(app, rid)[-1] == (3, "restore", "Restored revision 1: changed status, sources")
    with app.app_context():
        record = db.session.get(Record, rid)
        assert services.snapshot(records.working_copy(record)) == first
        last = db.session.scalar(
            sa.select(Revision).where(Revision.record_id == rid, Revision.number == 3)
        )
        assert last.author_id == editor.id
        from tracker.accounts.models import AuditAction, AuditEvent

        event = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == AuditAction.REVISION_RESTORED)
        ).one()
        assert event.subject == f"record:{rid}" and event.details == {
            "revision": 1,
            "new_revision": 3,
        }
    # Restoring what is already current changes nothing and writes nothing.
    page = client.get(f"/measures/{rid}/history").get_data(as_text=True)
    client.post(
        f"/measures/{rid}/history/1/restore",
        data=as_data(form_fields(page, f"/measures/{rid}/history/1/restore")),
    )
    assert len(numbers(app, rid)) == 3


def test_restore_with_a_stale_page_changes_nothing(app, client, login, make_measure):
    login(client, "editor")
    rid = make_measure(published=False).record_id
    edit(client, rid, status="rescinded")
    page = client.get(f"/measures/{rid}/history").get_data(as_text=True)
    restore = form_fields(page, f"/measures/{rid}/history/1/restore")
    edit(client, rid, status="amended")  # someone saves after the page was loaded
    response = client.post(f"/measures/{rid}/history/1/restore", data=as_data(restore))
    assert response.status_code == 409
    assert "changed after you opened the page" in response.get_data(as_text=True)
    assert [n for n, *_ in numbers(app, rid)] == [1, 2, 3]
    with app.app_context():
        assert records.working_copy(db.session.get(Record, rid)).status.value == "amended"


def test_restore_needs_the_edit_permission(app, client, login, make_measure):
    login(client, "reviewer")
    rid = make_measure().record_id
    with app.app_context():
        version = db.session.get(Record, rid).version
    response = client.post(
        f"/measures/{rid}/history/1/restore",
        data={"csrf_token": csrf_token(app, client), "version": version},
    )
    assert response.status_code == 403


# --- The comparison itself -----------------------------------------------------------


def test_text_segments_mark_words():
    segments = [
        (s.op, s.text) for s in text_segments("Adopted in May 2021.", "Adopted in June 2021.")
    ]
    assert segments == [
        ("equal", "Adopted in "),
        ("delete", "May"),
        ("insert", "June"),
        ("equal", " 2021."),
    ]


def test_summary_and_rows(app_ctx):
    old = {
        "status": "in_force",
        "topics": ["sbom"],
        "events": [{"kind": "adopted", "date": "2024-01-15", "note": None}],
        "sources": [{"url": "https://example.org/a", "title": "A", "accessed": None}],
        "mappings": [
            {
                "norm": "i",
                "commitment": None,
                "locator": "Art. 1",
                "rationale": "x",
                "basis": "inferred",
            }
        ],
    }
    new = {
        "status": "amended",
        "topics": ["sbom", "vendor-attestation"],
        "events": [
            {"kind": "adopted", "date": "2024-01-15", "note": None},
            {"kind": "in_force", "date": "2024", "note": None},
        ],
        "sources": [],
        "mappings": [
            {
                "norm": "i",
                "commitment": None,
                "locator": "Art. 2",
                "rationale": "x",
                "basis": "explicit",
            }
        ],
    }
    assert (
        change_summary(old, new)
        == "Changed status, mappings; added 1 event, topic Vendor attestation; removed 1 source"
    )
    assert change_summary(old, old) == "No changes"
    mappings = {c.spec.name: c for c in compare_snapshots(old, new)}["mappings"]
    assert [r.op for r in mappings.rows] == ["changed"]
    assert mappings.rows[0].changed == [False, True, False, True]
    assert mappings.rows[0].old == ["Norm (i)", "Art. 1", "x", "Analyst's inference"]
