"""The review workflow end to end: the full path through the real forms, drafts invisible to
the public everywhere (pages, counts, grid, API), who may see and approve what, approvals
reset by edits, comments, queues, notifications and e-mail, and the other record kinds."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token
from tests.pages import as_data, form_fields, replace
from tests.review_helpers import (
    ATTRIBUTION,
    group_id,
    make_member,
    publish_through_review,
    sign_in,
    take,
)
from tracker.accounts.models import AuditAction, AuditEvent, User
from tracker.extensions import db
from tracker.measures import queries
from tracker.records import services as records
from tracker.records.models import Publication, Record, Revision, WorkflowState
from tracker.review import notify, workflow
from tracker.review.models import Approval, Comment, Notification

S = WorkflowState

NEW = {
    "jurisdiction_code": "DE",
    "title_original": "Testgesetz über die Prüfung der Lieferkette",
    "title_lang": "de",
    "title_en": "Test act on supply-chain review",
    "short_name": "TestPrüfG",
    "type": "law",
    "status": "adopted",
    "verification": "unverified",
    "events-0-kind": "adopted",
    "events-0-date": "2024-03",
    "sources-0-title": "Example gazette",
    "sources-0-url": "https://example.org/gazette",
    "mappings-0-target": "norm:i",
    "mappings-0-locator": "§ 3",
    "mappings-0-rationale": "Requires suppliers to document components.",
    "mappings-0-basis": "inferred",
    "topics": ["sbom"],
}

#: public pages and API responses that must never show draft content
PUBLIC = [
    "/",
    "/measures/",
    "/norms/i",
    "/jurisdictions/DE",
    "/jurisdictions/",
    "/api/v1/measures?per_page=200",
    "/api/v1/norms/i",
    "/api/v1/jurisdictions/DE",
]


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def post_form(client: Any, page_url: str, action: str, **values: Any) -> Any:
    """Submit the form posting to ``action`` as shown on ``page_url``, with some values changed."""
    fields = form_fields(text(client.get(page_url)), action)
    return client.post(action, data=as_data(replace(fields, **values)))


def edit(client: Any, rid: int, **values: Any) -> Any:
    path = f"/measures/{rid}/edit"
    response = post_form(client, path, path, **values)
    assert response.status_code == 302, text(response)[:2000]
    return response


def state(app: Any, rid: int) -> WorkflowState:
    with app.app_context():
        return db.session.get(Record, rid).state


def public_text(app: Any) -> str:
    """Everything the public sees on the pages and API responses that count and list measures."""
    anonymous = app.test_client()
    return "\n".join(text(anonymous.get(path)) for path in PUBLIC)


def section(html: str, element_id: str) -> str:
    """The HTML of the <section> with this id."""
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


# --- (2) The full path ------------------------------------------------------------------


def test_full_path_through_the_forms(app, client, login, make_user, make_measure) -> None:
    editor = login(client, "editor", name="Edith Editor")
    rita = make_member(app, make_user, name="Rita Reviewer")
    reviewer = app.test_client()
    sign_in(reviewer, rita)
    anonymous = app.test_client()

    # Meanwhile: an edit to an already published measure stays invisible.
    live = make_measure(
        published=True, short_name="Test live name", title_original="Test live measure"
    )
    pid = live.record_id
    edit(client, pid, short_name="Test edited live name")
    assert "Test edited live name" not in public_text(app) and "Test live name" in public_text(app)
    assert "Test edited live name" not in text(anonymous.get(f"/measures/{pid}"))

    # 1. The editor drafts a new measure through the real form and submits it.
    response = post_form(client, "/measures/new", "/measures/new", **NEW)
    assert response.status_code == 302
    rid = int(re.search(r"/measures/(\d+)", response.headers["Location"]).group(1))
    assert "TestPrüfG" not in public_text(app)
    review_page = f"/review/{rid}"
    submit = form_fields(text(client.get(review_page)), f"/review/{rid}/submit")
    with app.app_context():
        assert ("submit-working_group", str(group_id())) in submit  # the group whose topic fits
    assert client.post(f"/review/{rid}/submit", data=as_data(submit)).status_code == 302
    assert state(app, rid) is S.IN_REVIEW

    # The reviewer is told, and finds it in their queue with no approval yet.
    home = text(reviewer.get("/review/"))
    assert re.search(r'Notifications <span class="badge count-badge">1<', home)
    assert "Edith Editor submitted “TestPrüfG” for review" in home
    waiting = section(home, "to-review")
    assert "TestPrüfG" in waiting and "0 of 1 approval" in waiting

    # 2. The reviewer requests changes with a comment on one field.
    response = post_form(
        reviewer,
        review_page,
        f"/review/{rid}/request_changes",
        **{
            "request_changes-field": "official_identifier",
            "request_changes-message": "Please give the official identifier of the act.",
        },
    )
    assert response.status_code == 302
    assert state(app, rid) is S.CHANGES_REQUESTED
    queue = text(client.get("/review/"))
    assert "TestPrüfG" in section(queue, "came-back")
    assert "Rita Reviewer requested changes to “TestPrüfG”" in queue
    page = text(client.get(review_page))
    # The comment sits beside its field, which is shown although nothing changed in it.
    field = section(page, "field-official_identifier")
    assert (
        "Please give the official identifier of the act." in field and "Requested changes" in field
    )

    # 3. The editor revises, replies, resolves the thread and submits again.
    edit(client, rid, official_identifier="Test-ID 2024/1")
    assert state(app, rid) is S.CHANGES_REQUESTED  # an edit does not resubmit by itself
    with app.app_context():
        thread = db.session.scalar(sa.select(Comment).where(Comment.record_id == rid))
    token = csrf_token(app, client)
    assert (
        client.post(
            f"/review/{rid}/comments",
            data={"csrf_token": token, "body": "Added.", "parent_id": thread.id},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/review/{rid}/comments/{thread.id}/resolve",
            data={"csrf_token": token, "resolved": "1"},
        ).status_code
        == 302
    )
    assert post_form(client, review_page, f"/review/{rid}/submit").status_code == 302
    assert state(app, rid) is S.IN_REVIEW

    # 4. The reviewer approves (the revision they saw).
    page = text(reviewer.get(review_page))
    for html in (page, text(client.get(review_page))):
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
        labelled = set(re.findall(r'<label for="([^"]+)"', html))
        controls = set(re.findall(r'<(?:textarea|select)[^>]*\sid="([^"]+)"', html))
        assert controls <= labelled, controls - labelled  # every control has its label
    assert "Resolved" in page and "Added." in page and "Test-ID 2024/1" in page
    assert post_form(reviewer, review_page, f"/review/{rid}/approve").status_code == 302
    assert state(app, rid) is S.APPROVED
    assert "TestPrüfG" in section(text(client.get("/review/")), "ready")
    assert "TestPrüfG" not in public_text(app)

    # 5. The editor publishes, with a public note.
    response = post_form(
        client, review_page, f"/review/{rid}/publish", **{"publish-summary": "New test act"}
    )
    assert response.status_code == 302
    assert state(app, rid) is S.PUBLISHED

    # 6. Anonymous sees it.
    assert "TestPrüfG" in public_text(app)
    assert "Test-ID 2024/1" in text(anonymous.get(f"/measures/{rid}"))
    with app.app_context():
        log = db.session.scalars(sa.select(Publication).where(Publication.record_id == rid)).all()
        assert [(p.action, p.summary) for p in log] == [("published", "New test act")]
        actions = [
            r.action
            for r in db.session.scalars(
                sa.select(Revision).where(Revision.record_id == rid).order_by(Revision.number)
            )
        ]
        assert actions == [
            "create",
            "submit",
            "request_changes",
            "edit",
            "submit",
            "approve",
            "publish",
        ]
        audited = {
            e.action
            for e in db.session.scalars(
                sa.select(AuditEvent).where(AuditEvent.subject == f"record:{rid}")
            )
        }
        assert {
            AuditAction.RECORD_SUBMITTED,
            AuditAction.CHANGES_REQUESTED,
            AuditAction.RECORD_APPROVED,
            AuditAction.RECORD_PUBLISHED,
        } <= audited

    # The edit of the live measure is still not public; once reviewed and published, it is.
    assert "Test edited live name" not in public_text(app)
    publish_through_review(app, pid, editor.id, rita.id)
    assert "Test edited live name" in public_text(app) and "Test live name" not in public_text(app)


# --- (3) Counts, grid and API ignore drafts --------------------------------------------


def test_counts_grid_and_api_ignore_drafts_in_every_state(app, make_user, make_measure) -> None:
    """Drafts in every state before publication (one in a jurisdiction with no measure) and an
    approved, unpublished edit of a published measure (new name, a new mapping to norm (j)):
    every public page and API response is byte for byte what it was before."""
    editor = make_user("editor")
    rita = make_member(app, make_user)
    live = make_measure(published=True, short_name="Test live DE")
    anonymous = app.test_client()
    paths = [
        *PUBLIC,
        "/norms/j",
        "/jurisdictions/BR",
        "/jurisdictions/FR",
        f"/measures/{live.record_id}",
        f"/api/v1/measures/{live.record_id}",
        "/api/v1/measures?jurisdiction=DE&norm=j",
    ]
    before = {path: (anonymous.get(path).status_code, text(anonymous.get(path))) for path in paths}

    rids = [
        make_measure(
            published=False, short_name=f"Test hidden {n}", jurisdiction_code=code
        ).record_id
        for n, code in enumerate(["BR", "DE", "DE", "FR"])
    ]
    take(app, rids[1], "submit", editor.id)
    take(app, rids[2], "submit", editor.id)
    take(app, rids[2], "approve", rita.id)
    take(app, rids[3], "submit", editor.id)
    take(app, rids[3], "request_changes", rita.id, message="Test: not yet.")
    with app.app_context():
        from tracker.records import changes

        record = db.session.get(Record, live.record_id)
        data = records.ops_for(record).snapshot(records.working_copy(record))
        mappings = data["mappings"] + [
            {
                "norm": "j",
                "commitment": None,
                "locator": "Art. 9",
                "rationale": "Test",
                "basis": "inferred",
            }
        ]
        changes.update(
            record,
            {**data, "short_name": "Test live DE edited", "mappings": mappings},
            expected_version=record.version,
            author_id=editor.id,
        )
        db.session.commit()
    take(app, live.record_id, "submit", editor.id)
    take(app, live.record_id, "approve", rita.id)
    assert [state(app, r) for r in [*rids, live.record_id]] == [
        S.DRAFT,
        S.IN_REVIEW,
        S.APPROVED,
        S.CHANGES_REQUESTED,
        S.APPROVED,
    ]

    for path in paths:
        response = anonymous.get(path)
        assert (response.status_code, text(response)) == before[path], path
    # The same holds for staff who did not ask for drafts, and the API whoever asks.
    staff = app.test_client()
    sign_in(staff, editor)
    assert (
        text(staff.get("/api/v1/measures?per_page=200&drafts=1"))
        == before["/api/v1/measures?per_page=200"][1]
    )
    assert "Test hidden 0" in text(
        staff.get("/measures/?drafts=1")
    )  # they exist, for staff who ask
    with app.app_context():
        assert (
            queries.get_measure(rids[2]) is None
            and queries.get_measure(live.record_id).short_name == "Test live DE"
        )


# --- (4) Who sees and who approves --------------------------------------------------------


def test_a_reviewer_of_another_working_group_gets_404_for_the_draft(
    app, make_user, make_measure
) -> None:
    editor = make_user("editor")
    rid = make_measure(published=False, short_name="Test secret draft").record_id
    take(app, rid, "submit", editor.id)
    member, outsider, unlinked = app.test_client(), app.test_client(), app.test_client()
    sign_in(member, make_member(app, make_user))
    sign_in(outsider, make_member(app, make_user, ATTRIBUTION))
    sign_in(unlinked, make_user("reviewer"))
    for client in (outsider, unlinked):
        for path in (
            f"/review/{rid}",
            f"/measures/{rid}",
            f"/measures/{rid}/history",
            f"/measures/{rid}?drafts=1",
        ):
            response = client.get(path)
            assert response.status_code == 404, path
            assert "Test secret draft" not in text(response)
        for path in (f"/review/{rid}/approve", f"/review/{rid}/comments"):
            assert (
                client.post(
                    path, data={"csrf_token": csrf_token(app, client), "body": "x"}
                ).status_code
                == 404
            )
        assert "Test secret draft" not in text(client.get("/review/"))
        # The same answer as for an identifier that does not exist at all.
        assert client.get("/review/987654").status_code == 404
    assert member.get(f"/review/{rid}").status_code == 200
    assert "Test secret draft" in section(text(member.get("/review/")), "to-review")


def test_approvals_bind_to_a_revision_and_an_edit_resets_them(
    app, client, login, make_user, make_measure
) -> None:
    editor = login(client, "editor")
    rita = make_member(app, make_user, name="Rita Reviewer")
    reviewer = app.test_client()
    sign_in(reviewer, rita)
    rid = make_measure(published=False).record_id
    take(app, rid, "submit", editor.id)
    page_before_edit = text(reviewer.get(f"/review/{rid}"))
    take(app, rid, "approve", rita.id)
    assert state(app, rid) is S.APPROVED
    with app.app_context():
        assert workflow.review_status(rid).revision == 1

    edit(client, rid, status="amended")
    assert state(app, rid) is S.IN_REVIEW  # back in the queue
    with app.app_context():
        status = workflow.review_status(rid)
        assert (
            status.revision == 4
            and status.valid == []
            and [a.revision_number for a in status.outdated] == [1]
        )
        note = db.session.scalar(
            sa.select(Notification).where(
                Notification.user_id == rita.id, Notification.event == "approvals_reset"
            )
        )
        assert "changed “TM" in note.message and "your approval no longer counts" in note.message
    page = text(client.get(f"/review/{rid}"))
    assert "0 of 1 approval" in page and "No longer counting" in page
    # Publishing is refused now, with the reason.
    response = client.post(f"/review/{rid}/publish", data={"csrf_token": csrf_token(app, client)})
    assert response.status_code == 409
    assert "You cannot publish it now. It is in review" in text(response)
    # An approval sent from the page shown before the edit is refused: the reviewer did not see
    # revision 4.
    fields = form_fields(page_before_edit, f"/review/{rid}/approve")
    response = reviewer.post(f"/review/{rid}/approve", data=as_data(fields))
    assert response.status_code == 409
    assert (
        "changed after you opened the page: it is now at revision 4 (you saw revision 1)"
        in text(response)
    )
    # Approving the new revision counts again.
    assert post_form(reviewer, f"/review/{rid}", f"/review/{rid}/approve").status_code == 302
    assert state(app, rid) is S.APPROVED


def test_an_author_cannot_approve_their_own_change(
    app, client, login, make_user, make_measure
) -> None:
    admin = login(client, "admin")
    rid = make_measure(published=True).record_id
    edit(client, rid, status="amended")  # the administrator wrote this change
    take(app, rid, "submit", admin.id)
    with app.app_context():
        approvals = db.session.scalar(sa.select(sa.func.count()).select_from(Approval))
    page = text(client.get(f"/review/{rid}"))
    assert (
        "Approve revision" not in page and "You wrote part of this change" in page
    )  # said, not offered
    response = client.post(
        f"/review/{rid}/approve",
        data={"csrf_token": csrf_token(app, client), "approve-revision": 3},
    )
    assert response.status_code == 403
    assert (
        "You wrote part of this change, so you cannot approve it: another reviewer must."
        in text(response)
    )
    with pytest.raises(workflow.NotPermitted):
        take(app, rid, "approve", admin.id)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Approval)) == approvals
    assert state(app, rid) is S.IN_REVIEW
    # Someone else's approval counts; the administrator may then publish.
    take(app, rid, "approve", make_member(app, make_user).id)
    take(app, rid, "publish", admin.id)
    assert state(app, rid) is S.PUBLISHED


def test_publishing_needs_as_many_approvals_as_configured(app, make_user, make_measure) -> None:
    app.config["REVIEW_APPROVALS_REQUIRED"] = 2
    editor = make_user("editor")
    first, second = make_member(app, make_user), make_member(app, make_user)
    rid = make_measure(published=False).record_id
    take(app, rid, "submit", editor.id)
    assert take(app, rid, "approve", first.id) is S.IN_REVIEW  # one of two
    with pytest.raises(workflow.TransitionError, match="You cannot publish it now"):
        take(app, rid, "publish", editor.id)
    with pytest.raises(workflow.TransitionError, match="You have approved revision 1 already"):
        take(app, rid, "approve", first.id)
    assert take(app, rid, "approve", second.id) is S.APPROVED
    assert take(app, rid, "publish", editor.id) is S.PUBLISHED


def test_the_number_of_approvals_must_be_at_least_one() -> None:
    from tracker import create_app
    from tracker.config import ConfigError

    for bad in (0, -1, "many"):
        with pytest.raises(ConfigError, match="TRACKER_REVIEW_APPROVALS_REQUIRED"):
            create_app(
                {
                    "TESTING": True,
                    "SECRET_KEY": "x" * 40,
                    "DATABASE_URL": "sqlite://",
                    "REVIEW_APPROVALS_REQUIRED": bad,
                }
            )


def test_deleted_and_unchanged_records_cannot_move(app, make_user, make_measure) -> None:
    editor = make_user("editor")
    rid = make_measure(published=True).record_id
    with pytest.raises(
        workflow.TransitionError, match="You cannot submit it for review now. It is published"
    ):
        take(app, rid, "submit", editor.id)
    other = make_measure(published=False).record_id
    with app.app_context():
        db.session.get(Record, other).deleted_at = sa.func.now()
        db.session.commit()
    with pytest.raises(workflow.TransitionError, match="This measure is deleted"):
        take(app, other, "submit", editor.id)
    with pytest.raises(workflow.TransitionError, match="nothing to withdraw"):
        take(app, make_measure(published=False).record_id, "withdraw", editor.id)


# --- Right of reply -----------------------------------------------------------------------


def test_government_contact_may_see_and_comment_but_not_approve(
    app, client, login, make_user, make_measure
) -> None:
    editor = login(client, "editor")
    # A contact for Germany from the *other* group, and one for France.
    de, fr = app.test_client(), app.test_client()
    de_user = make_member(app, make_user, ATTRIBUTION, contact="DE", name="Dana Contact")
    sign_in(de, de_user)
    sign_in(fr, make_member(app, make_user, ATTRIBUTION, contact="FR"))
    rid = make_measure(published=False, short_name="Test German draft").record_id
    assert de.get(f"/review/{rid}").status_code == 404  # not before it is submitted
    take(app, rid, "submit", editor.id)
    with app.app_context():
        note = db.session.scalar(sa.select(Notification).where(Notification.user_id == de_user.id))
        assert note.event == "right_of_reply" and "concerns Germany" in note.message
    page = text(de.get(f"/review/{rid}"))
    assert "the right of reply" in page and "Approve revision" not in page
    assert "Test German draft" in section(text(de.get("/review/")), "reply")
    response = de.post(
        f"/review/{rid}/comments",
        data={
            "csrf_token": csrf_token(app, de),
            "body": "The act entered into force earlier.",
            "field": "events",
        },
    )
    assert response.status_code == 302
    response = de.post(
        f"/review/{rid}/approve", data={"csrf_token": csrf_token(app, de), "approve-revision": 1}
    )
    assert response.status_code == 403
    assert (
        "As government contact for Germany you may comment on this measure (the right of "
        "reply), but not approve it"
    ) in text(response)
    assert fr.get(f"/review/{rid}").status_code == 404
    assert state(app, rid) is S.IN_REVIEW
    # The editors hear of the reply.
    assert "Dana Contact commented on “Test German draft” (Dated events): The act entered" in text(
        client.get("/review/notifications")
    )


# --- Comments -----------------------------------------------------------------------------


def test_comments_thread_anchor_and_resolve(app, client, login, make_user, make_measure) -> None:
    editor = login(client, "editor")
    rita, otto = (
        make_member(app, make_user, name="Rita Reviewer"),
        make_member(app, make_user, name="Otto Other"),
    )
    reviewer, other = app.test_client(), app.test_client()
    sign_in(reviewer, rita)
    sign_in(other, otto)
    rid = make_measure(published=False).record_id
    take(app, rid, "submit", editor.id)

    def comment(client, **data):
        return client.post(
            f"/review/{rid}/comments", data={"csrf_token": csrf_token(app, client), **data}
        )

    assert comment(reviewer, body="Is this the right source?", field="sources").status_code == 302
    assert comment(reviewer, body="Looks good overall.").status_code == 302
    with app.app_context():
        root = db.session.scalar(
            sa.select(Comment).where(Comment.field == "sources", Comment.record_id == rid)
        )
    assert comment(client, body="Yes, the official gazette.", parent_id=root.id).status_code == 302
    with app.app_context():
        reply = db.session.scalar(sa.select(Comment).where(Comment.parent_id == root.id))
    # A reply to a reply joins the same thread.
    assert comment(other, body="Agreed.", parent_id=reply.id).status_code == 302
    with app.app_context():
        thread = db.session.get(Comment, root.id)
        assert [r.body for r in thread.replies] == ["Yes, the official gazette.", "Agreed."]
        assert all(r.field == "sources" for r in thread.replies)
    page = text(client.get(f"/review/{rid}"))
    sources = section(page, "field-sources")
    assert (
        "Is this the right source?" in sources
        and "Agreed." in sources
        and "Looks good overall." not in sources
    )
    assert "Looks good overall." in section(page, "general-title")
    assert "Rita Reviewer" in sources and "on revision 1" in sources

    # Bad comments are refused with a reason; nothing is written.
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Comment))
    for data, message in (
        ({"body": "   "}, "Write a comment first: it is empty."),
        ({"body": "x" * 5001}, "at most 5000 characters"),
        (
            {"body": "Fine", "field": "no_such_field"},
            "This record has no field &#39;no_such_field&#39;",
        ),
        ({"body": "Fine", "parent_id": "999999"}, "does not exist on this record"),
    ):
        response = comment(reviewer, **data)
        assert response.status_code == 422 and message in text(response), message
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == count

    # Resolving: not by another reviewer; by the commenter or an editor; a reply reopens.
    resolve = f"/review/{rid}/comments/{root.id}/resolve"
    response = other.post(resolve, data={"csrf_token": csrf_token(app, other), "resolved": "1"})
    assert (
        response.status_code == 403
        and "Only an editor or the person who wrote the comment" in text(response)
    )
    assert (
        reviewer.post(
            resolve, data={"csrf_token": csrf_token(app, reviewer), "resolved": "1"}
        ).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(Comment, root.id).resolved_by_id == rita.id
    assert comment(other, body="One more thing.", parent_id=root.id).status_code == 302
    with app.app_context():
        assert db.session.get(Comment, root.id).resolved_at is None
    assert (
        client.post(
            resolve, data={"csrf_token": csrf_token(app, client), "resolved": "1"}
        ).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(Comment, root.id).resolved_by_id == editor.id
    assert state(app, rid) is S.IN_REVIEW  # comments never move the record


# --- Queue and notifications -----------------------------------------------------------------


def test_queues_for_reviewers_and_editors(app, client, login, make_user, make_measure) -> None:
    editor = login(client, "editor")
    rita = make_member(app, make_user)
    reviewer = app.test_client()
    sign_in(reviewer, rita)
    other_editor = make_user("editor")
    names = [
        "Test back",
        "Test ready",
        "Test waiting",
        "Test mine draft",
        "Test theirs",
        "Test attribution group",
    ]
    rids = {n: make_measure(published=False, short_name=n).record_id for n in names}
    for name in names[:3] + names[4:5]:
        take(app, rids[name], "submit", (other_editor if name == "Test theirs" else editor).id)
    with app.app_context():
        wg = group_id(ATTRIBUTION)
    take(app, rids["Test attribution group"], "submit", other_editor.id, working_group_id=wg)
    take(app, rids["Test back"], "request_changes", rita.id, message="Test: please fix.")
    take(app, rids["Test ready"], "approve", rita.id)
    edit(client, rids["Test mine draft"], status="amended")

    mine = text(client.get("/review/"))
    assert "Test back" in section(mine, "came-back")
    assert "Test ready" in section(mine, "ready")
    assert "Test waiting" in section(mine, "in-review")
    assert "Test mine draft" in section(mine, "drafts")
    assert "Test theirs" in section(mine, "others") and "Test theirs" not in section(
        mine, "in-review"
    )

    queue = text(reviewer.get("/review/"))
    waiting = section(queue, "to-review")
    assert "Test waiting" in waiting and "Test ready" in waiting and "Test theirs" in waiting
    assert "You approved revision 1" in waiting and "1 of 1 approval" in waiting
    assert "Test attribution group" not in queue and "Test mine draft" not in queue
    assert "Test back" in section(queue, "sent-back")
    assert 'id="came-back"' not in queue  # reviewers have no editor sections


def test_notifications_unread_count_and_mark_read(
    app, client, login, make_user, make_measure
) -> None:
    editor = login(client, "editor")
    rita = make_member(app, make_user)
    reviewer = app.test_client()
    sign_in(reviewer, rita)
    first, second = make_measure(published=False).record_id, make_measure(published=False).record_id
    take(app, first, "submit", editor.id)
    take(app, second, "submit", editor.id)
    assert re.search(r'Notifications <span class="badge count-badge">2<', text(reviewer.get("/")))
    # Opening a review page reads its notifications.
    reviewer.get(f"/review/{first}")
    assert re.search(r'Notifications <span class="badge count-badge">1<', text(reviewer.get("/")))
    with app.app_context():
        note = db.session.scalar(
            sa.select(Notification).where(
                Notification.user_id == rita.id, Notification.record_id == second
            )
        )
    # One user cannot mark another's notifications.
    response = client.post(
        "/review/notifications/read",
        data={"csrf_token": csrf_token(app, client), "notification": note.id},
    )
    assert response.status_code == 302 and "Nothing was unread." in text(
        client.get(response.headers["Location"])
    )
    assert re.search(r'Notifications <span class="badge count-badge">1<', text(reviewer.get("/")))
    response = reviewer.post(
        "/review/notifications/read",
        data={"csrf_token": csrf_token(app, reviewer), "notification": note.id},
    )
    assert response.status_code == 302
    assert 'Notifications <span class="badge count-badge">' not in text(reviewer.get("/"))
    page = text(reviewer.get("/review/notifications"))
    assert "submitted “TM" in page and "Unread" not in page
    # Anonymous visitors have no notifications link.
    assert "Notifications" not in text(app.test_client().get("/"))


class FakeSMTP:
    """Stands in for smtplib.SMTP: records what would have been sent."""

    sent: list[Any] = []
    calls: list[str] = []
    fail = False

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.calls.append(f"connect {host}:{port}")

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.calls.append("quit")

    def starttls(self, context: Any = None) -> None:
        self.calls.append("starttls")

    def login(self, user: str, password: str) -> None:
        self.calls.append(f"login {user}")

    def send_message(self, msg: Any) -> None:
        if self.fail:
            raise OSError("connection refused by the test")
        self.sent.append(msg)


@pytest.fixture
def smtp(app, monkeypatch) -> type[FakeSMTP]:
    FakeSMTP.sent, FakeSMTP.calls, FakeSMTP.fail = [], [], False
    monkeypatch.setattr(notify.smtplib, "SMTP", FakeSMTP)
    app.config.update(
        SMTP_HOST="smtp.example.org",
        SMTP_PORT=587,
        SMTP_USER="tracker",
        SMTP_PASSWORD="test-secret",
        SMTP_FROM="Tracker <tracker@example.org>",
    )
    return FakeSMTP


def test_email_is_sent_after_commit_with_starttls(
    app, client, login, make_user, make_measure, smtp
) -> None:
    editor = login(client, "editor")
    make_member(app, make_user, email="rita@example.org")
    rid = make_measure(published=False, short_name="Test mailed").record_id
    # A refused step e-mails nobody.
    response = client.post(f"/review/{rid}/approve", data={"csrf_token": csrf_token(app, client)})
    assert response.status_code == 403 and smtp.sent == []
    response = post_form(client, f"/review/{rid}", f"/review/{rid}/submit")
    assert response.status_code == 302
    assert [m["To"] for m in smtp.sent] == ["rita@example.org"]
    message = smtp.sent[0]
    assert message["Subject"] == "[Cyber Norms Tracker] Review requested: Test mailed"
    assert message["From"] == "Tracker <tracker@example.org>"
    assert f"http://localhost/review/{rid}" in message.get_content()
    assert smtp.calls[:3] == ["connect smtp.example.org:587", "starttls", "login tracker"]
    assert editor.email not in [m["To"] for m in smtp.sent]  # never the one who acted


def test_email_failure_is_logged_and_changes_nothing(
    app, client, login, make_user, make_measure, smtp, caplog
) -> None:
    login(client, "editor")
    make_member(app, make_user, email="rita@example.org")
    rid = make_measure(published=False).record_id
    smtp.fail = True
    response = post_form(client, f"/review/{rid}", f"/review/{rid}/submit")
    assert response.status_code == 302
    assert state(app, rid) is S.IN_REVIEW  # the step stands
    assert (
        "E-mail to rita@example.org could not be sent (OSError: connection refused by the test)"
        in caplog.text
    )


def test_without_smtp_the_email_is_logged(
    app, client, login, make_user, make_measure, caplog
) -> None:
    login(client, "editor")
    make_member(app, make_user, email="rita@example.org")
    rid = make_measure(published=False, short_name="Test logged").record_id
    caplog.set_level("INFO", logger="tracker.review.notify")
    assert post_form(client, f"/review/{rid}", f"/review/{rid}/submit").status_code == 302
    assert "E-mail not sent (TRACKER_SMTP_HOST is not set) to rita@example.org" in caplog.text
    assert "Review requested: Test logged" in caplog.text


# --- Other record kinds ------------------------------------------------------------------------


def test_papers_and_attributions_go_through_the_same_workflow(app, make_user, make_paper) -> None:
    from tests.attribution_helpers import create_attribution

    editor = make_user("editor")
    supply, attribution = make_member(app, make_user), make_member(app, make_user, ATTRIBUTION)
    anonymous = app.test_client()

    paper = make_paper(published=False, title="Test reviewed paper")
    assert anonymous.get(f"/papers/{paper.record_id}").status_code == 404
    take(app, paper.record_id, "submit", editor.id)
    with app.app_context():
        assert db.session.get(Record, paper.record_id).working_group_id == group_id()
    take(app, paper.record_id, "approve", supply.id)
    take(app, paper.record_id, "publish", editor.id)
    assert "Test reviewed paper" in text(anonymous.get(f"/papers/{paper.record_id}"))

    # The publishing preconditions are checked at submission: reviewers never see it.
    bare = make_paper(published=False, title="Test paper without sources", url=None, sources=[])
    with pytest.raises(
        workflow.TransitionError,
        match="Not ready for review: Add the paper's address or at least one source",
    ):
        take(app, bare.record_id, "submit", editor.id)

    statement = create_attribution(app, published=False, operation="Test reviewed operation")
    rid = statement.record_id
    take(app, rid, "submit", editor.id)
    with app.app_context():
        assert db.session.get(Record, rid).working_group_id == group_id(ATTRIBUTION)
    with pytest.raises(
        workflow.NotPermitted, match="Only members of the working group reviewing this statement"
    ):
        take(app, rid, "approve", supply.id)
    take(app, rid, "approve", attribution.id)
    take(app, rid, "publish", editor.id)
    assert "Test reviewed operation" in text(anonymous.get(f"/attributions/{rid}"))
    take(app, rid, "withdraw", editor.id)
    assert anonymous.get(f"/attributions/{rid}").status_code == 404
    # The review page shows any kind's fields, compared with the last published version.
    staff = app.test_client()
    sign_in(staff, editor)
    page = text(staff.get(f"/review/{rid}"))
    assert (
        "Last published version" in page
        and "Test reviewed operation" in page
        and "Attributed actor" in page
    )


def test_transitions_appear_in_the_audit_log(app, client, login, make_user, make_measure) -> None:
    login(client, "admin")
    editor = make_user("editor", name="Edith Editor")
    rid = make_measure(published=False).record_id
    take(app, rid, "submit", editor.id)
    take(app, rid, "reopen", editor.id)
    page = text(client.get("/admin/audit?action=record_submitted"))
    assert "Submitted for review" in page and f"record:{rid}" in page and "Edith Editor" in page
    assert f"record:{rid}" in text(client.get("/admin/audit?action=record_reopened"))
    with app.app_context():
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == AuditAction.RECORD_REOPENED)
        )
        assert event.details["from_state"] == "in_review" and event.details["to_state"] == "draft"
        assert db.session.get(User, editor.id).display_name == "Edith Editor"


def test_groups_cli_links_accounts_and_contacts(app, runner, make_user) -> None:
    user = make_user("reviewer", email="cli.reviewer@example.org", name="Test CLI Reviewer")
    result = runner.invoke(args=["groups", "link", "wg-attribution", "cli.reviewer@example.org"])
    assert result.exit_code == 0, result.output
    assert "is now Test CLI Reviewer in wg-attribution" in result.output
    result = runner.invoke(
        args=["groups", "contact", "wg-attribution", "cli.reviewer@example.org", "jp"]
    )
    assert result.exit_code == 0 and "government contact for JP" in result.output
    listing = runner.invoke(args=["groups", "list"]).output
    assert (
        "Test CLI Reviewer — account cli.reviewer@example.org, government contact for JP" in listing
    )
    editor = make_user("editor", email="cli.editor@example.org")
    result = runner.invoke(
        args=["groups", "link", "wg-software-supply-chain", editor.email, "--member", "Sven Herpig"]
    )
    assert result.exit_code != 0 and "only reviewer accounts can be linked" in result.output
    result = runner.invoke(args=["groups", "link", "wg-nope", user.email])
    assert result.exit_code != 0 and "No working group 'wg-nope'" in result.output
    assert runner.invoke(args=["groups", "unlink", "wg-attribution", user.email]).exit_code == 0
    assert "cli.reviewer@example.org" not in runner.invoke(args=["groups", "list"]).output


def test_queue_and_review_page_queries_do_not_grow_with_the_records(
    app, make_user, make_measure
) -> None:
    """/review/ and /review/<id> cost a fixed number of SQL statements, for 3 or 12 records
    in review and for 1 or 8 comment threads."""
    from tests.test_query_counts import counting

    editor = make_user("editor")
    rita = make_member(app, make_user)
    reviewer, staff = app.test_client(), app.test_client()
    sign_in(reviewer, rita)
    sign_in(staff, editor)

    def add(n: int) -> list[int]:
        rids = [make_measure(published=False).record_id for _ in range(n)]
        for rid in rids:
            take(app, rid, "submit", editor.id)
        return rids

    def cost(client: Any, path: str) -> int:
        with app.app_context():
            connection = db.engine
        client.get(path)  # the first request of a client loads its session; count the second
        with counting(connection) as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    def comment(rid: int, n: int, parent: int | None = None) -> int:
        from tracker.review import comments

        with app.test_request_context():
            new = comments.add(
                db.session.get(Record, rid),
                db.session.get(User, rita.id),
                f"Test comment {n}",
                field="sources" if n % 2 else None,
                parent_id=parent,
            )
            db.session.commit()
            return new.id

    def costs() -> dict[tuple[str, str], int]:
        return {
            (name, path): cost(c, path)
            for name, c in (("reviewer", reviewer), ("editor", staff))
            for path in ("/review/", f"/review/{first[1]}")
        }

    first = add(3)
    take(app, first[0], "approve", rita.id)
    comment(first[1], 1, comment(first[1], 0))
    small = costs()
    add(9)
    for n in range(2, 9):
        comment(first[1], n, comment(first[1], 100 + n))
    large = costs()
    assert large == small
    assert max(small.values()) <= 40, small


def test_editing_an_approved_paper_or_statement_voids_its_approvals(
    app, make_user, make_paper
) -> None:
    """The generic editor (papers, statements) follows the same rule as measures."""
    from tests.attribution_helpers import create_attribution
    from tracker.records import changes as record_changes
    from tracker.records import services as records

    editor = make_user("editor")
    supply, attribution = make_member(app, make_user), make_member(app, make_user, ATTRIBUTION)
    paper_rid = make_paper(published=False, title="Test paper to amend").record_id
    statement_rid = create_attribution(
        app, published=False, operation="Test operation to amend"
    ).record_id
    for rid, reviewer, field, value in (
        (paper_rid, supply, "title", "Test paper, amended"),
        (statement_rid, attribution, "operation", "Test operation, amended"),
    ):
        take(app, rid, "submit", editor.id)
        take(app, rid, "approve", reviewer.id)
        assert state(app, rid) is S.APPROVED
        with app.test_request_context():
            record = db.session.get(Record, rid)
            data = records.ops_for(record).snapshot(records.working_copy(record))
            data[field] = value
            record_changes.update(
                record, data, expected_version=record.version, author_id=editor.id
            )
            db.session.commit()
        assert state(app, rid) is S.IN_REVIEW
        with app.app_context():
            status = workflow.review_status(rid)
            assert status.valid == [] and len(status.outdated) == 1
        with pytest.raises(workflow.TransitionError):
            take(app, rid, "publish", editor.id)
