"""No lost updates: a stale form is never saved silently.

Two editors open the same measure; the first saves; the second gets a conflict page
(409) with both versions and keeps their input, which they can resubmit on purpose.
The history then holds both saves. The race between the version check and the write
(another transaction committing in between) also ends on the conflict page.
"""

from __future__ import annotations

import sqlalchemy as sa

from tests.pages import as_data, form_fields, replace
from tracker.extensions import db
from tracker.records import changes
from tracker.records import services as records
from tracker.records.models import Record, Revision


def revisions(app, rid):
    with app.app_context():
        return db.session.scalars(
            sa.select(Revision).where(Revision.record_id == rid).order_by(Revision.number)
        ).all()


def test_two_editors_save_the_same_measure(app, login, make_measure):
    rid = make_measure(status="in_force", short_name="Original").record_id
    path = f"/measures/{rid}/edit"
    alice, bob = app.test_client(), app.test_client()
    alice_user = login(alice, "editor", name="Alice Editor")
    bob_user = login(bob, "editor", name="Bob Editor")

    # Both open the edit form of the same version.
    alice_form = form_fields(alice.get(path).get_data(as_text=True), path)
    bob_form = form_fields(bob.get(path).get_data(as_text=True), path)
    assert dict(alice_form)["version"] == dict(bob_form)["version"]

    # Alice saves first.
    response = alice.post(path, data=as_data(replace(alice_form, status="amended")))
    assert response.status_code == 302
    after_alice = revisions(app, rid)
    assert (
        after_alice[-1].author_id == alice_user.id and after_alice[-1].summary == "Changed status"
    )

    # Bob saves his stale form: not saved, a conflict page instead.
    response = bob.post(path, data=as_data(replace(bob_form, short_name="Bob's name")))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone saved this measure while you were editing it" in html
    assert "Your changes are not saved yet." in html
    assert "Alice Editor saved revision" in html
    # Both versions, side by side: Alice's status and Bob's short name.
    assert "Saved by Alice Editor" in html and "Yours (not saved)" in html
    assert "Amended" in html and "In force" in html and "Bob&#39;s name" in html
    assert "changed by them since you opened the form" in html and "changed by you" in html
    assert "also undoes their changes" in html
    assert len(revisions(app, rid)) == len(after_alice)
    with app.app_context():
        assert records.working_copy(db.session.get(Record, rid)).short_name == "Original"

    # The conflict page keeps Bob's input in a form carrying the new version.
    again = dict(form_fields(html, path))
    assert again["short_name"] == "Bob's name" and again["status"] == "in_force"
    with app.app_context():
        assert again["version"] == str(db.session.get(Record, rid).version)

    # Bob resubmits deliberately: his version is saved as a new revision.
    response = bob.post(path, data=as_data(form_fields(html, path)))
    assert response.status_code == 302
    history = revisions(app, rid)
    assert len(history) == len(after_alice) + 1
    alice_rev, bob_rev = history[-2], history[-1]
    assert (
        alice_rev.author_id,
        alice_rev.snapshot["status"],
        alice_rev.snapshot["short_name"],
    ) == (alice_user.id, "amended", "Original")
    assert (bob_rev.author_id, bob_rev.snapshot["status"], bob_rev.snapshot["short_name"]) == (
        bob_user.id,
        "in_force",
        "Bob's name",
    )
    assert bob_rev.summary == "Changed short name, status"
    # Alice's version stays in the history, and can be restored from there.
    page = bob.get(f"/measures/{rid}/history").get_data(as_text=True)
    assert f"/measures/{rid}/history/{alice_rev.number}/restore" in page


def test_bob_may_discard_his_version(app, login, make_measure):
    rid = make_measure().record_id
    path = f"/measures/{rid}/edit"
    alice, bob = app.test_client(), app.test_client()
    login(alice, "editor")
    login(bob, "editor")
    stale = form_fields(bob.get(path).get_data(as_text=True), path)
    alice.post(
        path,
        data=as_data(
            replace(form_fields(alice.get(path).get_data(as_text=True), path), status="amended")
        ),
    )
    html = bob.post(path, data=as_data(replace(stale, status="rescinded"))).get_data(as_text=True)
    assert f'href="{path}"' in html and "Discard mine" in html
    fresh = dict(form_fields(bob.get(path).get_data(as_text=True), path))
    assert fresh["status"] == "amended"


def test_a_write_racing_the_version_check_ends_on_the_conflict_page(
    app, client, login, make_measure, monkeypatch
):
    """Another transaction commits between our version check and our write: SQLAlchemy's
    version_id_col makes the write fail (StaleDataError), and the editor sees the conflict."""
    login(client, "editor")
    rid = make_measure().record_id
    path = f"/measures/{rid}/edit"
    fields = form_fields(client.get(path).get_data(as_text=True), path)
    before = len(revisions(app, rid))
    original_check = changes._check

    def check_then_someone_else_writes(record, expected_version):
        original_check(record, expected_version)
        db.session.execute(
            sa.text("UPDATE records SET version = version + 1 WHERE id = :id"), {"id": record.id}
        )

    raised = []
    original_update = changes.update

    def update(*args, **kwargs):
        try:
            return original_update(*args, **kwargs)
        except Exception as exc:
            raised.append(type(exc))
            raise

    monkeypatch.setattr(changes, "_check", check_then_someone_else_writes)
    monkeypatch.setattr(changes, "update", update)
    response = client.post(path, data=as_data(replace(fields, status="amended")))
    assert raised == [changes.StaleDataError]  # the database refused the write, not our check
    assert response.status_code == 409
    assert "Someone saved this measure while you were editing it" in response.get_data(as_text=True)
    assert len(revisions(app, rid)) == before
    with app.app_context():
        assert records.working_copy(db.session.get(Record, rid)).status.value == "in_force"


def test_stale_delete_and_publish_do_nothing(app, client, login, make_measure):
    login(client, "editor")
    rid = make_measure(published=False).record_id
    with app.app_context():
        old = db.session.get(Record, rid).version
    path = f"/measures/{rid}/edit"
    client.post(
        path,
        data=as_data(
            replace(form_fields(client.get(path).get_data(as_text=True), path), status="amended")
        ),
    )
    from tests.conftest import csrf_token

    response = client.post(
        f"/measures/{rid}/delete", data={"csrf_token": csrf_token(app, client), "version": old}
    )
    assert response.status_code == 409
    # A workflow step sent from a page showing an older revision is refused the same way.
    response = client.post(
        f"/review/{rid}/submit", data={"csrf_token": csrf_token(app, client), "submit-revision": 1}
    )
    assert response.status_code == 409
    assert "changed after you opened the page" in response.get_data(as_text=True)
    with app.app_context():
        record = db.session.get(Record, rid)
        assert record.deleted_at is None and record.published_at is None
