"""The attribution editor (issue 7 item 4; statements as rows, issue 13 item 3): create and
edit through the real form, errors next to each field, the statements' order of parties and
forms kept, "unknown" never turned into "no", conflicts, history, restore, delete and restore,
and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.attribution_helpers import create_attribution
from tests.conftest import csrf_token
from tests.pages import as_data, form_fields, replace, response_text
from tests.test_delete import public_pages
from tracker.accounts.models import AuditAction, AuditEvent
from tracker.attribution import forms, queries, sections
from tracker.extensions import db
from tracker.records import services as records
from tracker.records.models import Record, Revision, WorkflowState
from tracker.review import workflow

NEW = {
    "date": "2019-06",
    "operation": "Test operation Form-made",
    # one joint text of Norway and Iceland
    "statements-0-role": "attributing",
    "statements-0-parties": ["NO", "IS"],
    "attributed_actor": "Test actor of the form",
    "attributed_state": "AQ",
    "forms": ["statement"],
    "invoked_norms-0-statement": "1",
    "invoked_norms-0-norm": "j",
    "invoked_norms-0-basis": "implicit",
    "invoked_norms-0-passage": "A test passage echoing norm (j).",
    "invoked_norms-0-locator": "para. 2",
    "basis_note": "high confidence (test)",
    "verification": "unverified",
    "sources-0-title": "Example statement",
    "sources-0-url": "https://example.org/statement",
    "sources-0-accessed": "2019-07-01",
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
    response = post(
        client, "/attributions/new", open_form(client, "/attributions/new"), **{**NEW, **values}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(response.headers["Location"].split("/")[2].split("?")[0])


def edit(client, rid, **values):
    path = f"/attributions/{rid}/edit"
    response = post(client, path, open_form(client, path), **values)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return response


def demo_record(app, key):
    with app.app_context():
        return db.session.scalar(sa.select(Record.id).where(Record.key == key))


def working_snapshot(app, rid):
    with app.app_context():
        record = db.session.get(Record, rid)
        return records.ops_for(record).snapshot(records.working_copy(record))


# --- Create and edit -----------------------------------------------------------------


def test_new_form_defaults_to_unknown_and_says_what_unknown_means(app, client, login):
    login(client, "editor")
    html = client.get("/attributions/new").get_data(as_text=True)
    assert "unknown = its full text was not seen" in html
    fields = dict(form_fields(html, "/attributions/new"))
    assert fields["statements-0-un_framework_invoked"] == "unknown"
    assert fields["statements-0-passage_kind"] == "summary"
    assert "Unknown — full text not seen" in html


def test_create_through_the_form_writes_a_draft_in_the_statement_order(app, client, login):
    editor = login(client, "editor")
    with app.app_context():
        public_before = queries.count_attributions()
    rid = create(client)
    snapshot = working_snapshot(app, rid)
    assert snapshot["date"] == "2019-06" and snapshot["operation"] == NEW["operation"]
    (statement,) = snapshot["statements"]
    assert statement["parties"] == ["NO", "IS"]  # as chosen, not alphabetical
    assert statement["un_framework_invoked"] == "unknown"
    assert statement["invoked_norms"] == [
        {
            "norm": "j",
            "basis": "implicit",
            "passage": "A test passage echoing norm (j).",
            "locator": "para. 2",
        }
    ]
    assert snapshot["sources"] == [
        {
            "url": "https://example.org/statement",
            "title": "Example statement",
            "accessed": "2019-07-01",
        }
    ]
    with app.app_context():
        record = db.session.get(Record, rid)
        assert record.state is WorkflowState.DRAFT and record.created_by_id == editor.id
        assert (
            queries.count_attributions() == public_before and queries.get_attribution(rid) is None
        )
    assert [(r.number, r.action, r.author_id) for r in history(app, rid)] == [
        (1, "create", editor.id)
    ]
    # The edit form lists the chosen parties first, in that order; saving it unchanged changes
    # nothing.
    fields = open_form(client, f"/attributions/{rid}/edit")
    assert [v for k, v in fields if k == "statements-0-parties"] == ["NO", "IS"]
    edit(client, rid)
    assert len(history(app, rid)) == 1
    # Staff see the working copy as a page; unknown shows as unknown, never as "no".
    page = client.get(f"/attributions/{rid}").get_data(as_text=True)
    assert (
        "Working copy." in page
        and "Unknown — full text not seen" in page
        and "it is not the same as “no”" in page
    )


@pytest.mark.parametrize(
    ("values", "field_id", "message"),
    [
        ({"date": ""}, "date", "Give the date of the statement."),
        ({"date": "2019-02-30"}, "date", "is not a real date"),
        ({"date": "19 June 2019"}, "date", "is not in a date format"),
        (
            {"date": (dt.date.today() + dt.timedelta(days=40)).strftime("%Y-%m")},
            "date",
            "in the future",
        ),
        ({"operation": ""}, "operation", "Name the operation or incident attributed."),
        ({"operation": "x" * 1001}, "operation", "at most 1000 characters"),
        ({"attributed_actor": ""}, "attributed_actor", "Give the actor as the statement names it."),
        (
            {"statements-0-parties": []},
            "statements-0-parties",
            "Add at least one attributing statement",
        ),
        (
            {"statements-0-parties": ["ZZ"]},
            "statements-0-parties",
            "ZZ is not an ISO 3166-1 alpha-2 code",
        ),
        (
            {"attributed_state": "IS"},
            "attributed_state",
            "cannot also be a party of one of its statements",
        ),
        (
            {"attributed_state": "EU"},
            "attributed_state",
            "European Union (EU) cannot be chosen here",
        ),
        ({"statements-0-orgs": "x" * 201}, "statements-0-orgs", "at most 200 characters"),
        ({"statements-0-orgs": "NATO\nnato"}, "statements-0-orgs", "Listed twice"),
        ({"forms": []}, "forms", "Tick at least one form."),
        ({"forms": ["joint_statement"]}, "forms", "is not a valid choice"),
        (
            {"statements-0-un_framework_invoked": "no", "invoked_norms-0-basis": "explicit"},
            "statements-0-un_framework_invoked",
            "choose Yes, or mark the norm implicit",
        ),
        (
            {"statements-0-un_framework_invoked": "maybe"},
            "statements-0-un_framework_invoked",
            "Not a valid choice",
        ),
        (
            {"statements-0-passage": "Test words", "statements-0-passage_kind": "verbatim"},
            "statements-0-passage_source",
            "A verbatim passage needs the source that gives its wording",
        ),
        (
            {"invoked_norms-0-statement": "2"},
            "invoked_norms-0-statement",
            "Statement 2 is removed or empty",
        ),
        (
            {"invoked_norms-0-statement": ""},
            "invoked_norms-0-statement",
            "Choose the statement that invokes the norm.",
        ),
        (
            {"invoked_norms-0-basis": ""},
            "invoked_norms-0-basis",
            "Say whether the statement names the norm",
        ),
        (
            {"invoked_norms-0-norm": ""},
            "invoked_norms-0-norm",
            "Choose the norm the statement invokes.",
        ),
        (
            {
                "invoked_norms-1-statement": "1",
                "invoked_norms-1-norm": "j",
                "invoked_norms-1-basis": "implicit",
                "invoked_norms-1-passage": NEW["invoked_norms-0-passage"],
            },
            "invoked_norms-1-norm",
            "listed twice",
        ),
        (
            {"invoked_norms-0-locator": "x" * 301},
            "invoked_norms-0-locator",
            "at most 300 characters",
        ),
        (
            {"statements-0-passage": "x" * 20_001},
            "statements-0-passage",
            "at most 20000 characters",
        ),
        ({"basis_note": "x" * 5001}, "basis_note", "at most 5000 characters"),
        ({"sources-0-url": "javascript:alert(1)"}, "sources-0-url", "http:// or https://"),
        (
            {"sources-0-accessed": "2019-05-31"},
            "sources-0-accessed",
            "before the statement was made",
        ),
        (
            {"sources-1-url": "https://example.org/only-a-url"},
            "sources-1-title",
            "Give the source a title",
        ),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field_and_keeps_the_input(
    app, client, login, values, field_id, message
):
    login(client, "editor")
    response = post(
        client, "/attributions/new", open_form(client, "/attributions/new"), **{**NEW, **values}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in errors_of(html, field_id), errors_of(html, field_id) or html[:800]
    kept = form_fields(html, "/attributions/new")
    assert dict(kept)["attributed_actor"] == values.get("attributed_actor", NEW["attributed_actor"])
    if "statements-0-parties" not in values:
        assert [v for k, v in kept if k == "statements-0-parties"] == NEW["statements-0-parties"]


def test_organisations_and_other_roles_round_trip(app, client, login):
    login(client, "editor")
    # rows 2 and 3 as two presses of "Add another statement" would have added them
    rid = create(
        client,
        **{
            "statements-1-role": "attributing",
            "statements-1-orgs": "NATO\n\n  Test Alliance  ",
            "statements-2-role": "supporting",
            "statements-2-parties": ["EU", "CZ"],
            "statements-2-orgs": "Test Organisation",
            "statements-2-form": "",
            "statements-3-role": "recalled",
            "statements-3-parties": ["DK"],
            "statements-3-form": "",
            "statements-3-un_framework_invoked": "unknown",
            "statements-3-passage_kind": "summary",
        },
        forms=["statement", "indictment"],
    )
    snapshot = working_snapshot(app, rid)
    assert [(s["role"], s["parties"], s["orgs"]) for s in snapshot["statements"]] == [
        ("attributing", ["NO", "IS"], []),
        ("attributing", [], ["NATO", "Test Alliance"]),
        ("supporting", ["EU", "CZ"], ["Test Organisation"]),
        ("recalled", ["DK"], []),
    ]
    assert snapshot["forms"] == ["statement", "indictment"]
    edit(client, rid)
    assert len(history(app, rid)) == 1


def test_editing_a_demo_statement_keeps_its_order_of_parties_and_forms(app, client, login):
    """APT10 lists six States in a given order and its forms as indictment, statement."""
    login(client, "editor")
    rid = demo_record(app, "apt10-cloud-hopper-2018")
    before = working_snapshot(app, rid)
    assert before["forms"] == ["indictment", "statement"] and len(before["statements"]) == 6
    edit(client, rid, operation="APT10 (test rename)")
    after = working_snapshot(app, rid)
    assert after == {**before, "operation": "APT10 (test rename)"}
    assert history(app, rid)[-1].summary == "Changed operation or incident"
    with app.app_context():
        assert queries.get_attribution(rid).operation == before["operation"]  # the public copy


def test_joint_statement_counts_follow_an_edit_only_once_published(app, client, login):
    login(client, "editor")
    rid = create_attribution(app, attributing=["IS"], operation="Test joint count").record_id
    with app.app_context():
        public = queries.Totals.of(queries.list_attributions())
    edit(client, rid, **{"statements-0-parties": ["IS", "NO"]})
    with app.app_context():
        assert queries.Totals.of(queries.list_attributions()) == public  # the draft is not public
        drafts = queries.Totals.of(queries.list_attributions(include_drafts=True))
        assert (
            drafts.statements == public.statements
            and drafts.state_attributions == public.state_attributions + 1
        )
        workflow.publish_unreviewed(db.session.get(Record, rid))
        db.session.commit()
        now = queries.Totals.of(queries.list_attributions())
        assert (now.statements, now.state_attributions) == (
            public.statements,
            public.state_attributions + 1,
        )
        assert queries.get_attribution(rid).statements[0].is_joint


def test_staff_links_on_the_public_pages(app, client, login):
    rid = demo_record(app, "wannacry-2017")
    anonymous = app.test_client()
    assert f"/attributions/{rid}/edit" not in anonymous.get(f"/attributions/{rid}").get_data(
        as_text=True
    )
    assert "New attribution statement" not in anonymous.get("/attributions/").get_data(as_text=True)
    reviewer = app.test_client()
    login(reviewer, "reviewer")
    page = reviewer.get(f"/attributions/{rid}").get_data(as_text=True)
    assert f"/attributions/{rid}/history" in page and f"/attributions/{rid}/edit" not in page
    login(client, "editor")
    page = client.get(f"/attributions/{rid}").get_data(as_text=True)
    assert (
        f'href="/attributions/{rid}/edit"' in page and f'href="/attributions/{rid}/delete"' in page
    )
    assert "/publish" not in page and ">Publish<" not in page
    assert 'href="/attributions/new"' in client.get("/attributions/").get_data(as_text=True)
    edit(client, rid, notes="A staff note not yet published.")
    assert "unpublished changes" in client.get(f"/attributions/{rid}").get_data(as_text=True)
    assert "A staff note not yet published." not in anonymous.get(f"/attributions/{rid}").get_data(
        as_text=True
    )


# --- Conflicts -------------------------------------------------------------------------


def test_two_editors_save_the_same_statement(app, login):
    rid = create_attribution(app, operation="Test operation original").record_id
    path = f"/attributions/{rid}/edit"
    alice, bob = app.test_client(), app.test_client()
    alice_user = login(alice, "editor", name="Alice Editor")
    bob_user = login(bob, "editor", name="Bob Editor")
    alice_form, bob_form = open_form(alice, path), open_form(bob, path)
    assert (
        post(alice, path, alice_form, **{"statements-0-un_framework_invoked": "yes"}).status_code
        == 302
    )
    after_alice = history(app, rid)

    response = post(bob, path, bob_form, attributed_actor="Bob's actor")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone saved this attribution statement while you were editing it" in html
    assert "Alice Editor saved revision" in html and "Bob&#39;s actor" in html
    assert "changed by them since you opened the form" in html and "changed by you" in html
    assert len(history(app, rid)) == len(after_alice)
    assert working_snapshot(app, rid)["attributed_actor"] != "Bob's actor"

    assert bob.post(path, data=as_data(form_fields(html, path))).status_code == 302
    revisions = history(app, rid)
    alice_rev, bob_rev = revisions[-2], revisions[-1]
    assert (alice_rev.author_id, alice_rev.snapshot["statements"][0]["un_framework_invoked"]) == (
        alice_user.id,
        "yes",
    )
    assert (
        bob_rev.author_id,
        bob_rev.snapshot["attributed_actor"],
        bob_rev.snapshot["statements"][0]["un_framework_invoked"],
    ) == (bob_user.id, "Bob's actor", "unknown")
    assert bob_rev.summary == "Changed attributed actor, statements"


def test_stale_delete_does_nothing(app, client, login):
    login(client, "editor")
    rid = create_attribution(app).record_id
    with app.app_context():
        old = db.session.get(Record, rid).version
    edit(client, rid, notes="Someone else's note")
    response = client.post(
        f"/attributions/{rid}/delete", data={"csrf_token": csrf_token(app, client), "version": old}
    )
    assert response.status_code == 409 and "changed after you opened the page" in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.get(Record, rid).deleted_at is None


# --- History ---------------------------------------------------------------------------


def test_compare_and_restore(app, client, login):
    editor = login(client, "editor")
    rid = create_attribution(
        app, published=False, attributing=["IS"], basis_note="The old words stay here."
    ).record_id
    edit(
        client,
        rid,
        basis_note="The new words stay here.",
        forms=["statement", "sanctions"],
        **{
            "statements-0-parties": ["IS", "NO"],
            "statements-0-un_framework_invoked": "yes",
            "invoked_norms-0-statement": "1",
            "invoked_norms-0-norm": "i",
            "invoked_norms-0-basis": "explicit",
            "invoked_norms-0-passage": "Test passage",
        },
    )
    assert history(app, rid)[-1].summary == (
        "Changed statements, basis or confidence given; added form Sanctions"
    )
    html = client.get(f"/attributions/{rid}/history/compare?a=1&b=2").get_data(as_text=True)
    assert (
        "<del>old</del><ins>new</ins>" in html
        and "Iceland (IS), Norway (NO)" in html
        and "(i) explicit: “Test passage”" in html
    )
    assert "Yes" in html and "Unknown — full text not seen" in html
    page = client.get(f"/attributions/{rid}/history").get_data(as_text=True)
    response = client.post(
        f"/attributions/{rid}/history/1/restore",
        data=as_data(form_fields(page, f"/attributions/{rid}/history/1/restore")),
    )
    assert response.status_code == 302
    revisions = history(app, rid)
    assert (revisions[-1].action, revisions[-1].author_id) == ("restore", editor.id)
    assert revisions[-1].summary.startswith("Restored revision 1: changed statements")
    assert working_snapshot(app, rid) == revisions[0].snapshot


# --- Delete and restore ----------------------------------------------------------------

SECRET = "Test operation DELETED-AND-BACK"


def test_deleted_statement_is_gone_everywhere_and_comes_back_with_its_history(app, client, login):
    anonymous = app.test_client()
    with app.app_context():
        before = (
            queries.count_attributions(),
            queries.Totals.of(queries.list_attributions()).state_attributions,
        )
    rid = create_attribution(
        app,
        operation=SECRET,
        statements=[
            {
                "parties": ["IS", "NO"],
                "un_framework_invoked": "yes",
                "invoked_norms": [{"norm": "j", "basis": "explicit", "passage": "Test passage"}],
            }
        ],
    ).record_id
    for path in (
        "/attributions/",
        "/attributions/by-state/IS",
        "/attributions/norms",
        "/jurisdictions/IS",
        "/api/v1/attributions?per_page=200",
    ):
        assert SECRET in anonymous.get(path).get_data(as_text=True), path
    assert f'href="/attributions/{rid}"' in anonymous.get("/search/?q=DELETED-AND-BACK").get_data(
        as_text=True
    )
    editor = login(client, "editor")
    confirm = client.get(f"/attributions/{rid}/delete").get_data(as_text=True)
    assert (
        client.post(
            f"/attributions/{rid}/delete",
            data=as_data(form_fields(confirm, f"/attributions/{rid}/delete")),
        ).status_code
        == 302
    )

    with app.app_context():
        assert (
            queries.count_attributions(),
            queries.Totals.of(queries.list_attributions()).state_attributions,
        ) == before
        assert sections.attributions_beside_measures("IS").empty
        assert queries.get_attribution(rid, include_drafts=True) is None
    for path in [
        "/attributions/",
        "/attributions/?drafts=1",
        "/attributions/states",
        "/attributions/norms",
        "/attributions/by-state/IS",
        "/attributions/against/AQ",
        "/jurisdictions/IS",
        "/jurisdictions/NO",
        "/api/v1/attributions?per_page=200",
        "/search/?q=DELETED-AND-BACK",
        *public_pages(app, rid),
    ]:
        body = response_text(anonymous.get(path))
        assert SECRET not in body and f'href="/attributions/{rid}"' not in body, path
    assert anonymous.get(f"/attributions/{rid}").status_code == 404
    assert anonymous.get(f"/api/v1/attributions/{rid}").status_code == 404
    assert SECRET not in client.get("/attributions/?drafts=1").get_data(as_text=True)
    assert "This attribution statement is deleted" in client.get(
        f"/attributions/{rid}/history"
    ).get_data(as_text=True)
    deleted_page = client.get("/attributions/deleted").get_data(as_text=True)
    assert SECRET in deleted_page

    assert (
        client.post(
            f"/attributions/{rid}/undelete",
            data=as_data(form_fields(deleted_page, f"/attributions/{rid}/undelete")),
        ).status_code
        == 302
    )
    with app.app_context():
        assert queries.count_attributions() == before[0] + 1
        assert not sections.attributions_beside_measures("IS").empty
        events = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.subject == f"record:{rid}")
            .order_by(AuditEvent.id)
        ).all()
        assert [e.action for e in events] == [
            AuditAction.RECORD_DELETED,
            AuditAction.RECORD_RESTORED,
        ]
    assert [(r.action, r.author_id) for r in history(app, rid)] == [
        ("create", None),
        ("delete", editor.id),
        ("undelete", editor.id),
    ]
    assert SECRET in anonymous.get("/jurisdictions/IS").get_data(as_text=True)


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


def test_reviewer_outside_the_group_may_not_read_history_and_every_post_is_403(app, client, login):
    rid = demo_record(app, "wannacry-2017")
    login(client, "reviewer")
    assert client.get(f"/attributions/{rid}/history").status_code == 403
    before = state_of_everything(app)
    with app.app_context():
        version = db.session.get(Record, rid).version
    data = {
        "csrf_token": csrf_token(app, client),
        "version": version,
        "date": "2019",
        "operation": "Reviewer was here",
    }
    for url in (
        "/attributions/new",
        f"/attributions/{rid}/edit",
        f"/attributions/{rid}/history/1/restore",
        f"/attributions/{rid}/delete",
        f"/attributions/{rid}/undelete",
    ):
        assert client.post(url, data=data).status_code == 403, url
    assert client.get(f"/attributions/{rid}/edit").status_code == 403
    assert state_of_everything(app) == before


def test_anonymous_request_for_a_draft_statement_is_404_everywhere(app, client):
    rid = create_attribution(app, published=False).record_id
    token = csrf_token(app, client)
    for url in (
        f"/attributions/{rid}",
        f"/attributions/{rid}/edit",
        f"/attributions/{rid}/history",
        f"/attributions/{rid}/history/compare?a=1&b=1",
        f"/attributions/{rid}/delete",
        f"/api/v1/attributions/{rid}",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/attributions/{rid}/edit",
        f"/attributions/{rid}/history/1/restore",
        f"/attributions/{rid}/delete",
        f"/attributions/{rid}/undelete",
    ):
        assert client.post(url, data={"csrf_token": token}).status_code == 404, url


def test_posts_without_csrf_token_are_400_and_change_nothing(app, client, login):
    rid = demo_record(app, "wannacry-2017")
    login(client, "editor")
    before = state_of_everything(app)
    with app.app_context():
        version = db.session.get(Record, rid).version
    data = {"version": version, **{k: v for k, v in NEW.items() if isinstance(v, str)}}
    for url in (
        "/attributions/new",
        f"/attributions/{rid}/edit",
        f"/attributions/{rid}/history/1/restore",
        f"/attributions/{rid}/delete",
        f"/attributions/{rid}/undelete",
    ):
        response = client.post(url, data=data)
        assert response.status_code == 400 and "security token is missing" in response.get_data(
            as_text=True
        ), url
    assert state_of_everything(app) == before


def test_edit_form_data_numbers_norm_rows_by_their_statement_and_fills_defaults() -> None:
    snapshot = {
        "date": "2019-06",
        "operation": "Op",
        "attributed_actor": "APT",
        "attributed_state": None,
        "forms": ["indictment", "statement"],
        "notes": None,
        "statements": [
            {
                "role": "attributing",
                "parties": ["NO", "IS"],
                "orgs": ["NATO"],
                "passage": "q",
                "invoked_norms": [{"norm": "c", "basis": "explicit", "passage": None}],
            },
            {"role": None, "parties": [], "orgs": ["EU Council", "G7"], "invoked_norms": []},
            {"role": "supporting", "parties": ["FR"], "invoked_norms": [{"norm": "f"}]},
        ],
        "sources": [{"title": "T", "url": None}],
    }
    data = forms.form_data(snapshot)
    assert (data["operation"], data["attributed_state"], data["notes"]) == ("Op", "", "")
    assert data["forms"] == ["indictment", "statement"]
    assert data["forms_order"] == "indictment,statement"
    assert data["verification"] == "unverified"
    first, second, third = data["statements"]
    assert first["parties"] == ["NO", "IS"] and first["orgs"] == "NATO"
    assert (first["passage"], first["note"], first["form"]) == ("q", "", "")
    # what a snapshot leaves out is the form's default, never "no"
    assert (second["role"], second["un_framework_invoked"], second["passage_kind"]) == (
        "attributing",
        "unknown",
        "summary",
    )
    assert second["orgs"] == "EU Council\nG7" and third["role"] == "supporting"
    assert data["invoked_norms"] == [
        {"statement": "1", "norm": "c", "basis": "explicit", "passage": "", "locator": ""},
        {"statement": "3", "norm": "f", "basis": "", "passage": "", "locator": ""},
    ]
    assert data["sources"] == [{"title": "T", "url": "", "accessed": ""}]


def test_edit_form_data_reads_the_old_layout_as_statements() -> None:
    data = forms.form_data(
        {
            "date": "2018",
            "attributing": ["GB"],
            "un_framework_invoked": "yes",
            "invoked_norms": [{"norm": "c", "basis": "implicit"}],
        }
    )
    assert [(s["role"], s["parties"]) for s in data["statements"]] == [("attributing", ["GB"])]
    assert data["statements"][0]["un_framework_invoked"] == "yes"
    assert data["invoked_norms"][0]["statement"] == "1"
    assert data["forms"] == [] and data["sources"] == []
