"""The policy paper editor (issue 6 item 5): create and edit through the real form, errors next
to each field, recommendations that keep their identity (and so the measures' links to
them), conflicts, history, restore, delete and restore, and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token, implementation
from tests.pages import as_data, form_fields, replace, response_text
from tests.test_delete import public_pages
from tracker.accounts.models import AuditAction, AuditEvent
from tracker.extensions import db
from tracker.papers import queries
from tracker.papers.briefs import paper_brief_data
from tracker.records import services as records
from tracker.records.models import Record, Revision, WorkflowState
from tracker.review import workflow

NEW = {
    "title": "Test paper on supply-chain assurance",
    "working_group": "",
    "publication_date": "2024-05",
    "url": "https://example.org/papers/assurance",
    "abstract": "An abstract with **bold** words.",
    "verification": "secondary",
    "authors-0-name": "Test Author",
    "authors-0-affiliation": "Example University",
    "recommendations-0-number": "1",
    "recommendations-0-text": "Test recommendation: publish a vulnerability disclosure policy.",
    "recommendations-0-addressee": "national governments",
    "recommendations-0-norms": ["j"],
    "recommendations-0-commitments": ["sc-norm-13j"],
    "recommendations-0-topics": ["vulnerability-disclosure"],
    "recommendations-1-number": "2",
    "recommendations-1-text": "Test recommendation: require an SBOM in procurement.",
    "recommendations-1-norms": ["i"],
    "sources-0-title": "Example source",
    "sources-0-url": "https://example.org/papers/assurance",
    "sources-0-accessed": "2024-06-01",
}


def open_form(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return form_fields(response.get_data(as_text=True), path)


def post(client, path, fields, **values):
    return client.post(path, data=as_data(replace(fields, **values)))


def history(app, record_id):
    with app.app_context():
        return db.session.scalars(
            sa.select(Revision).where(Revision.record_id == record_id).order_by(Revision.number)
        ).all()


def errors_of(html: str, field_id: str) -> str:
    marker = f'id="{field_id}-errors"'
    if marker not in html:
        return ""
    start = html.index(marker)
    return html[start : html.index("</ul>", start)]


def create(client, **values):
    response = post(client, "/papers/new", open_form(client, "/papers/new"), **{**NEW, **values})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(response.headers["Location"].split("/")[2].split("?")[0])


def edit(client, rid, **values):
    path = f"/papers/{rid}/edit"
    response = post(client, path, open_form(client, path), **values)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return response


# --- Create and edit -----------------------------------------------------------------


def test_create_through_the_form_writes_a_draft_and_revision_1(app, client, login):
    editor = login(client, "editor")
    with app.app_context():
        public_before = queries.count_papers()
    rid = create(client)
    with app.app_context():
        record = db.session.get(Record, rid)
        assert record.state is WorkflowState.DRAFT and record.created_by_id == editor.id
        paper = records.working_copy(record)
        assert paper.title == NEW["title"] and not paper.is_live
        assert (paper.publication_date, paper.publication_date_precision.value) == (
            dt.date(2024, 5, 1),
            "month",
        )
        assert [(a.name, a.affiliation) for a in paper.authors] == [
            ("Test Author", "Example University")
        ]
        recs = paper.recommendations
        assert [(r.number, r.addressee) for r in recs] == [
            ("1", "national governments"),
            ("2", None),
        ]
        assert [n.letter for n in recs[0].norms] == ["j"] and [
            c.key for c in recs[0].commitments
        ] == ["sc-norm-13j"]
        assert [t.slug for t in recs[0].topics] == ["vulnerability-disclosure"]
        assert [s.accessed for s in paper.sources] == [dt.date(2024, 6, 1)]
        # The public sees nothing of it.
        assert queries.count_papers() == public_before and paper_brief_data(rid) is None
    revisions = history(app, rid)
    assert [(r.number, r.action, r.author_id, r.summary) for r in revisions] == [
        (1, "create", editor.id, "Created")
    ]
    assert revisions[0].snapshot["recommendations"][1]["text"] == NEW["recommendations-1-text"]
    assert "Policy paper created as a draft" in client.get(f"/papers/{rid}/history").get_data(
        as_text=True
    )


def test_working_group_select_offers_the_demo_groups(app, client, login):
    login(client, "editor")
    html = client.get("/papers/new").get_data(as_text=True)
    select = html[
        html.index('id="working_group"') : html.index("</select>", html.index('id="working_group"'))
    ]
    with app.app_context():
        from tracker.workinggroups.models import WorkingGroup

        groups = db.session.execute(sa.select(WorkingGroup.key, WorkingGroup.name)).all()
    assert groups and all(f'value="{key}"' in select for key, _ in groups)
    rid = create(client, working_group=groups[0][0])
    with app.app_context():
        assert records.working_copy(db.session.get(Record, rid)).working_group.key == groups[0][0]


def test_blank_form_shows_errors_next_to_fields_and_saves_nothing(app, client, login):
    login(client, "editor")
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Record))
    response = post(client, "/papers/new", open_form(client, "/papers/new"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Give the paper&#39;s title." in errors_of(html, "title")
    assert "problem to fix before saving" in html and 'href="#title"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Record)) == count


@pytest.mark.parametrize(
    ("values", "field_id", "message"),
    [
        ({"publication_date": "2024-02-30"}, "publication_date", "is not a real date"),
        ({"publication_date": "May 2024"}, "publication_date", "is not in a date format"),
        ({"publication_date": "1850"}, "publication_date", "between 1900 and 2100"),
        ({"publication_date": str(dt.date.today().year + 2)}, "publication_date", "in the future"),
        ({"url": "javascript:alert(1)"}, "url", "http:// or https://"),
        ({"url": "ftp://example.org/paper.pdf"}, "url", "http:// or https://"),
        ({"sources-0-url": "data:text/html,x"}, "sources-0-url", "http:// or https://"),
        (
            {"sources-0-accessed": "2024-04-30"},
            "sources-0-accessed",
            "before the paper was published",
        ),
        (
            {"sources-0-accessed": (dt.date.today() + dt.timedelta(days=40)).isoformat()},
            "sources-0-accessed",
            "cannot be in the future",
        ),
        (
            {"sources-1-url": "https://example.org/only-a-url"},
            "sources-1-title",
            "Give the source a title",
        ),
        ({"title": "x" * 1001}, "title", "at most 1000 characters"),
        ({"abstract": "x" * 20_001}, "abstract", "at most 20000 characters"),
        ({"authors-0-name": "x" * 201}, "authors-0-name", "at most 200 characters"),
        ({"authors-0-name": ""}, "authors-0-name", "Give the author"),
        (
            {"recommendations-1-number": "1"},
            "recommendations-1-number",
            "Recommendation 1 is listed twice",
        ),
        ({"recommendations-1-number": ""}, "recommendations-1-number", "Give the number"),
        (
            {"recommendations-1-text": ""},
            "recommendations-1-text",
            "Give the text of the recommendation",
        ),
        (
            {"recommendations-0-number": "x" * 21},
            "recommendations-0-number",
            "at most 20 characters",
        ),
        (
            {"recommendations-0-text": "x" * 10_001},
            "recommendations-0-text",
            "at most 10000 characters",
        ),
        (
            {"recommendations-0-addressee": "x" * 301},
            "recommendations-0-addressee",
            "at most 300 characters",
        ),
        (
            {"recommendations-0-commitments": ["no-such-commitment"]},
            "recommendations-0-commitments",
            "not a valid choice",
        ),
        ({"working_group": "no-such-group"}, "working_group", "Not a valid choice"),
        ({"verification_note": "x" * 2001}, "verification_note", "at most 2000 characters"),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field_and_keeps_the_input(
    app, client, login, values, field_id, message
):
    login(client, "editor")
    response = post(client, "/papers/new", open_form(client, "/papers/new"), **{**NEW, **values})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in errors_of(html, field_id), errors_of(html, field_id) or html[:800]
    kept = dict(form_fields(html, "/papers/new"))
    assert kept["title"] == (values.get("title") if "title" in values else NEW["title"])
    assert kept["recommendations-0-text"] == values.get(
        "recommendations-0-text", NEW["recommendations-0-text"]
    )


def test_a_row_with_only_ticks_is_not_silently_dropped(app, client, login):
    login(client, "editor")
    response = post(
        client,
        "/papers/new",
        open_form(client, "/papers/new"),
        **{
            **NEW,
            "recommendations-1-number": "",
            "recommendations-1-text": "",
            "recommendations-1-norms": ["i"],
        },
    )
    assert response.status_code == 422
    assert "Give the number" in errors_of(
        response.get_data(as_text=True), "recommendations-1-number"
    )


def test_add_another_row_keeps_everything_and_validates_nothing(app, client, login):
    login(client, "editor")
    fields = open_form(client, "/papers/new")
    rows_before = len(
        {k for k, _ in fields if k.startswith("recommendations-") and k.endswith("-number")}
    )
    response = post(
        client, "/papers/new", fields, **{**NEW, "title": ""}, add_row="recommendations"
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "to fix before saving" not in html  # adding a row is not a save: no validation errors
    again = form_fields(html, "/papers/new")
    assert (
        len({k for k, _ in again if k.startswith("recommendations-") and k.endswith("-number")})
        == rows_before + 1
    )
    assert dict(again)["recommendations-1-text"] == NEW["recommendations-1-text"]
    assert [v for k, v in again if k == "recommendations-0-norms"] == ["j"]
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Record)
                .where(Record.created_by_id.is_not(None))
            )
            == 0
        )


def test_editing_keeps_recommendation_identities_and_the_links_to_them(
    app, client, login, make_paper, make_measure
):
    """Measures link to a recommendation's identity: renumbering, rewording and reordering a
    recommendation through the form keeps the link; a new row gets a new identity."""
    paper = make_paper(published=True)
    with app.app_context():
        ids = {
            r["number"]: r["id"]
            for r in records.ops_for(db.session.get(Record, paper.record_id)).snapshot(
                records.working_copy(db.session.get(Record, paper.record_id))
            )["recommendations"]
        }
    measure = make_measure(
        jurisdiction_code="BR",
        short_name="Linked test law",
        implementations=[implementation(recommendation_id=ids["2"])],
    )
    editor = login(client, "editor")
    rid = paper.record_id
    path = f"/papers/{rid}/edit"
    fields = open_form(client, path)
    assert dict(fields)["recommendations-1-identity"] == str(ids["2"])
    # Swap the two rows by their contents, renumber and reword the second, add a third.
    values = dict(fields)
    response = post(
        client,
        path,
        fields,
        **{
            "recommendations-0-identity": values["recommendations-1-identity"],
            "recommendations-0-number": "1",
            "recommendations-0-text": "Reworded test recommendation on SBOMs.",
            "recommendations-0-norms": ["i"],
            "recommendations-0-topics": ["sbom"],
            "recommendations-1-identity": values["recommendations-0-identity"],
            "recommendations-1-number": "2",
            "recommendations-1-text": values["recommendations-0-text"],
            "recommendations-1-norms": ["j"],
            "recommendations-1-topics": ["vulnerability-disclosure"],
            "recommendations-2-number": "3",
            "recommendations-2-text": "A third test recommendation.",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        record = db.session.get(Record, rid)
        draft, live = records.working_copy(record), records.live_copy(record)
        assert (
            draft.id != live.id
            and record.state is WorkflowState.DRAFT
            and record.updated_by_id == editor.id
        )
        assert [(r.number, r.recommendation_id) for r in draft.recommendations][:2] == [
            ("1", ids["2"]),
            ("2", ids["1"]),
        ]
        assert draft.recommendations[2].recommendation_id not in ids.values()
        # The public copy is untouched until the draft is published.
        assert [r.text for r in live.recommendations] == [
            f"Test recommendation {n} of paper {paper.title.split()[-1]}" for n in (1, 2)
        ]
        workflow.publish_unreviewed(record)
        db.session.commit()
        brief = paper_brief_data(rid)
        linked = {
            r.number: [m.label for j in r.jurisdictions for m in j.measures]
            for r in brief.recommendations
        }
        assert linked == {"1": ["Linked test law"], "2": [], "3": []}
    assert measure.record_id
    assert history(app, rid)[-1].summary == "Changed recommendations; added 1 recommendation"


def test_a_forged_recommendation_identity_becomes_a_new_recommendation(
    app, client, login, make_paper
):
    other = make_paper()
    with app.app_context():
        foreign = (
            records.working_copy(db.session.get(Record, other.record_id))
            .recommendations[0]
            .recommendation_id
        )
    rid = make_paper(published=False).record_id
    login(client, "editor")
    edit(
        client,
        rid,
        **{"recommendations-0-identity": str(foreign), "recommendations-0-text": "Changed text"},
    )
    with app.app_context():
        ids = [
            r.recommendation_id
            for r in records.working_copy(db.session.get(Record, rid)).recommendations
        ]
        assert foreign not in ids and len(set(ids)) == 2


def test_saving_an_unchanged_form_writes_no_revision(app, client, login, make_paper):
    login(client, "editor")
    rid = make_paper().record_id
    before = len(history(app, rid))
    edit(client, rid)
    assert len(history(app, rid)) == before
    with app.app_context():
        assert db.session.get(Record, rid).state is WorkflowState.PUBLISHED
    assert "Nothing had changed" in client.get(f"/papers/{rid}/history").get_data(as_text=True)


def test_staff_links_on_the_public_pages(app, client, login, make_paper):
    rid = make_paper().record_id
    anonymous = app.test_client()
    page = anonymous.get(f"/papers/{rid}").get_data(as_text=True)
    assert f"/papers/{rid}/edit" not in page and "New policy paper" not in anonymous.get(
        "/papers/"
    ).get_data(as_text=True)
    reviewer = app.test_client()
    login(reviewer, "reviewer")
    page = reviewer.get(f"/papers/{rid}").get_data(as_text=True)
    assert (
        f"/papers/{rid}/history" in page
        and f"/papers/{rid}/edit" not in page
        and f"/papers/{rid}/delete" not in page
    )
    login(client, "editor")
    page = client.get(f"/papers/{rid}").get_data(as_text=True)
    assert f'href="/papers/{rid}/edit"' in page and f'href="/papers/{rid}/delete"' in page
    assert "/publish" not in page and ">Publish<" not in page  # publishing is the review workflow's
    listing = client.get("/papers/").get_data(as_text=True)
    assert 'href="/papers/new"' in listing and "New policy paper" in listing
    # A pending change is announced on the public page to staff, not to the public.
    edit(client, rid, title="Changed title for the draft")
    assert "unpublished changes" in client.get(f"/papers/{rid}").get_data(as_text=True)
    assert "unpublished changes" not in anonymous.get(f"/papers/{rid}").get_data(as_text=True)
    assert "Changed title for the draft" not in anonymous.get(f"/papers/{rid}").get_data(
        as_text=True
    )


# --- Conflicts -------------------------------------------------------------------------


def test_two_editors_save_the_same_paper(app, login, make_paper):
    rid = make_paper(title="Original title").record_id
    path = f"/papers/{rid}/edit"
    alice, bob = app.test_client(), app.test_client()
    alice_user = login(alice, "editor", name="Alice Editor")
    bob_user = login(bob, "editor", name="Bob Editor")
    alice_form = open_form(alice, path)
    bob_form = open_form(bob, path)
    assert post(alice, path, alice_form, abstract="Alice's abstract.").status_code == 302
    after_alice = history(app, rid)

    response = post(bob, path, bob_form, title="Bob's title")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone saved this policy paper while you were editing it" in html
    assert "Alice Editor saved revision" in html and "Saved by Alice Editor" in html
    assert "Alice&#39;s abstract." in html and "Bob&#39;s title" in html
    assert "changed by them since you opened the form" in html and "changed by you" in html
    assert len(history(app, rid)) == len(after_alice)
    again = dict(form_fields(html, path))
    assert again["title"] == "Bob's title"
    with app.app_context():
        assert again["version"] == str(db.session.get(Record, rid).version)

    # Bob saves his version on purpose: both versions are in the history.
    assert bob.post(path, data=as_data(form_fields(html, path))).status_code == 302
    revisions = history(app, rid)
    assert len(revisions) == len(after_alice) + 1
    alice_rev, bob_rev = revisions[-2], revisions[-1]
    assert (alice_rev.author_id, alice_rev.snapshot["abstract"], alice_rev.snapshot["title"]) == (
        alice_user.id,
        "Alice's abstract.",
        "Original title",
    )
    assert (bob_rev.author_id, bob_rev.snapshot["title"]) == (bob_user.id, "Bob's title")
    assert bob_rev.summary == "Changed title, abstract"
    assert f"/papers/{rid}/history/{alice_rev.number}/restore" in bob.get(
        f"/papers/{rid}/history"
    ).get_data(as_text=True)


def test_a_write_racing_the_version_check_ends_on_the_conflict_page(
    app, client, login, make_paper, monkeypatch
):
    from tracker.records import changes

    login(client, "editor")
    rid = make_paper().record_id
    path = f"/papers/{rid}/edit"
    fields = open_form(client, path)
    before = len(history(app, rid))
    original = changes._check

    def check_then_someone_else_writes(record, expected_version):
        original(record, expected_version)
        db.session.execute(
            sa.text("UPDATE records SET version = version + 1 WHERE id = :id"), {"id": record.id}
        )

    monkeypatch.setattr(changes, "_check", check_then_someone_else_writes)
    response = post(client, path, fields, title="Racing title")
    assert response.status_code == 409 and "while you were editing it" in response.get_data(
        as_text=True
    )
    assert len(history(app, rid)) == before


# --- History ---------------------------------------------------------------------------


def test_compare_and_restore(app, client, login, make_paper):
    editor = login(client, "editor")
    rid = make_paper(published=False, abstract="The old words stay here.").record_id
    edit(
        client,
        rid,
        abstract="The new words stay here.",
        **{"recommendations-1-remove": "y", "authors-1-name": "Second Author"},
    )
    assert [(r.number, r.action, r.summary) for r in history(app, rid)] == [
        (1, "create", "Created"),
        (2, "edit", "Changed abstract; added 1 author; removed 1 recommendation"),
    ]
    response = client.get(f"/papers/{rid}/history/compare?a=1&b=2")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<del>old</del><ins>new</ins>" in html
    assert ">Removed<" in html and ">Added<" in html and "Second Author" in html and "(i)" in html
    assert "field-working_group-title" not in html  # unchanged fields are hidden unless asked for
    assert "field-working_group-title" in client.get(
        f"/papers/{rid}/history/compare?a=1&b=2&all=1"
    ).get_data(as_text=True)
    assert client.get(f"/papers/{rid}/history/compare?a=1&b=9").status_code == 404
    assert client.get(f"/papers/{rid}/history/compare?a=x&b=1").status_code == 400

    page = client.get(f"/papers/{rid}/history").get_data(as_text=True)
    response = client.post(
        f"/papers/{rid}/history/1/restore",
        data=as_data(form_fields(page, f"/papers/{rid}/history/1/restore")),
    )
    assert response.status_code == 302
    revisions = history(app, rid)
    assert (revisions[-1].number, revisions[-1].action, revisions[-1].author_id) == (
        3,
        "restore",
        editor.id,
    )
    assert (
        revisions[-1].summary
        == "Restored revision 1: changed abstract; added 1 recommendation; removed 1 author"
    )
    with app.app_context():
        record = db.session.get(Record, rid)
        assert (
            records.ops_for(record).snapshot(records.working_copy(record)) == revisions[0].snapshot
        )
        event = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == AuditAction.REVISION_RESTORED)
        ).one()
        assert event.subject == f"record:{rid}" and event.details == {
            "revision": 1,
            "new_revision": 3,
        }


def test_restore_with_a_stale_page_changes_nothing(app, client, login, make_paper):
    login(client, "editor")
    rid = make_paper(published=False).record_id
    edit(client, rid, title="Second title")
    page = client.get(f"/papers/{rid}/history").get_data(as_text=True)
    edit(client, rid, title="Third title")
    response = client.post(
        f"/papers/{rid}/history/1/restore",
        data=as_data(form_fields(page, f"/papers/{rid}/history/1/restore")),
    )
    assert response.status_code == 409 and "changed after you opened the page" in response.get_data(
        as_text=True
    )
    assert len(history(app, rid)) == 3


# --- Delete and restore ----------------------------------------------------------------


def test_deleted_paper_is_gone_everywhere_and_comes_back_with_its_history(
    app, client, login, make_paper
):
    title = "Unmistakable deletion test paper"
    anonymous = app.test_client()
    with app.app_context():
        before = queries.count_papers()
    rid = make_paper(title=title).record_id
    assert f'href="/papers/{rid}"' in anonymous.get("/search/?q=Unmistakable").get_data(
        as_text=True
    )
    editor = login(client, "editor")
    edit(client, rid, abstract="Edited before deletion.")
    confirm = client.get(f"/papers/{rid}/delete")
    assert confirm.status_code == 200 and "disappears from every public page" in confirm.get_data(
        as_text=True
    )
    assert (
        client.post(
            f"/papers/{rid}/delete",
            data=as_data(form_fields(confirm.get_data(as_text=True), f"/papers/{rid}/delete")),
        ).status_code
        == 302
    )

    with app.app_context():
        assert queries.count_papers() == before and paper_brief_data(rid) is None
        assert paper_brief_data(rid, include_drafts=True) is None
    for path in (
        "/papers/?drafts=1",
        "/gaps?j=DE&j=FR",
        "/jurisdictions/DE/gaps",
        "/search/?q=Unmistakable",
    ):
        response = anonymous.get(path)
        body = response.get_data(as_text=True)
        assert (
            response.status_code == 200
            and title not in body
            and f'href="/papers/{rid}"' not in body
        ), path
    for path in public_pages(
        app, rid
    ):  # every public page, with this record's number where one is asked for
        body = response_text(anonymous.get(path))
        assert title not in body and f'href="/papers/{rid}"' not in body, path
    assert anonymous.get(f"/papers/{rid}").status_code == 404
    assert anonymous.get(f"/papers/{rid}/history").status_code == 404
    assert title not in client.get("/papers/?drafts=1").get_data(as_text=True)
    assert "This policy paper is deleted" in client.get(f"/papers/{rid}/history").get_data(
        as_text=True
    )
    assert client.get(f"/papers/{rid}/edit").status_code == 409
    deleted_page = client.get("/papers/deleted").get_data(as_text=True)
    assert title in deleted_page

    assert (
        client.post(
            f"/papers/{rid}/undelete",
            data=as_data(form_fields(deleted_page, f"/papers/{rid}/undelete")),
        ).status_code
        == 302
    )
    with app.app_context():
        assert queries.count_papers() == before + 1
        assert paper_brief_data(rid).title == title  # the published copy, not the draft edit
        actions = [(r.action, r.author_id) for r in history(app, rid)]
        assert actions == [
            ("create", None),
            ("edit", editor.id),
            ("delete", editor.id),
            ("undelete", editor.id),
        ]
        events = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.subject == f"record:{rid}")
            .order_by(AuditEvent.id)
        ).all()
        assert [e.action for e in events] == [
            AuditAction.RECORD_DELETED,
            AuditAction.RECORD_RESTORED,
        ]
    assert title in anonymous.get("/papers/").get_data(as_text=True)
    assert f'href="/papers/{rid}"' in anonymous.get("/search/?q=Unmistakable").get_data(
        as_text=True
    )


# --- Who may do what -------------------------------------------------------------------


def state_of_everything(app):
    with app.app_context():
        return (
            db.session.execute(
                sa.select(Record.id, Record.version, Record.state, Record.deleted_at).order_by(
                    Record.id
                )
            ).all(),
            db.session.scalar(sa.select(sa.func.count()).select_from(Revision)),
        )


def test_reviewer_outside_the_group_may_not_read_history_and_every_post_is_403(
    app, client, login, make_paper
):
    rid = make_paper().record_id
    login(client, "reviewer")
    # Not submitted to a working group this reviewer belongs to: no staff pages.
    assert client.get(f"/papers/{rid}/history").status_code == 403
    before = state_of_everything(app)
    with app.app_context():
        version = db.session.get(Record, rid).version
    data = {
        "csrf_token": csrf_token(app, client),
        "version": version,
        **{k: v for k, v in NEW.items() if isinstance(v, str)},
    }
    for url in (
        "/papers/new",
        f"/papers/{rid}/edit",
        f"/papers/{rid}/history/1/restore",
        f"/papers/{rid}/delete",
        f"/papers/{rid}/undelete",
    ):
        response = client.post(url, data=data)
        assert response.status_code == 403, url
    assert client.get(f"/papers/{rid}/edit").status_code == 403
    assert client.get("/papers/deleted").status_code == 403
    assert state_of_everything(app) == before


def test_anonymous_request_for_a_draft_paper_is_404_everywhere(app, client, make_paper):
    rid = make_paper(published=False).record_id
    token = csrf_token(app, client)
    for url in (
        f"/papers/{rid}",
        f"/papers/{rid}/edit",
        f"/papers/{rid}/history",
        f"/papers/{rid}/history/compare?a=1&b=1",
        f"/papers/{rid}/delete",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/papers/{rid}/edit",
        f"/papers/{rid}/history/1/restore",
        f"/papers/{rid}/delete",
        f"/papers/{rid}/undelete",
    ):
        assert client.post(url, data={"csrf_token": token}).status_code == 404, url
    assert client.get("/papers/new").status_code == 302  # sign in first


def test_posts_without_csrf_token_are_400_and_change_nothing(app, client, login, make_paper):
    rid = make_paper().record_id
    login(client, "editor")
    before = state_of_everything(app)
    with app.app_context():
        version = db.session.get(Record, rid).version
    data = {"version": version, **{k: v for k, v in NEW.items() if isinstance(v, str)}}
    for url in (
        "/papers/new",
        f"/papers/{rid}/edit",
        f"/papers/{rid}/history/1/restore",
        f"/papers/{rid}/delete",
        f"/papers/{rid}/undelete",
    ):
        response = client.post(url, data=data)
        assert response.status_code == 400, url
        assert "security token is missing or has expired" in response.get_data(as_text=True)
    assert state_of_everything(app) == before


def test_recommendations_are_compared_by_identity(app_ctx):
    """Reordered rows stay the same recommendation; a removed one and a new one are not a
    'change'."""
    from tracker.records.history import change_summary, compare_snapshots
    from tracker.records.models import RecordKind

    def rec(identity, number, text):
        return {
            "id": identity,
            "number": number,
            "text": text,
            "addressee": None,
            "norms": [],
            "commitments": [],
            "topics": [],
        }

    old = {"recommendations": [rec(1, "1", "First"), rec(2, "2", "Second"), rec(3, "3", "Third")]}
    new = {
        "recommendations": [
            rec(2, "1", "Second"),
            rec(1, "2", "First"),
            rec(None, "3", "Brand new"),
        ]
    }
    change = {c.spec.name: c for c in compare_snapshots(RecordKind.PAPER, old, new)}[
        "recommendations"
    ]
    assert [(r.op, (r.old or r.new)[1]) for r in change.rows] == [
        ("changed", "Second"),
        ("changed", "First"),
        ("added", "Brand new"),
        ("removed", "Third"),
    ]
    assert change.rows[0].changed == [
        True,
        False,
        False,
        False,
        False,
        False,
    ]  # only the number moved
    assert (
        change_summary(RecordKind.PAPER, old, new)
        == "Changed recommendations; added 1 recommendation; removed 1 recommendation"
    )
    assert change_summary(RecordKind.PAPER, old, old) == "No changes"
