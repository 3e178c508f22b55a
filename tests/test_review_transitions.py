"""Every (state, action, role) of the review workflow: allowed steps succeed and land in the
state the table says; every other one is refused with a readable message and changes
nothing (state, version, revisions, approvals, comments, notifications, audit, the public
copy). Once through ``workflow.transition`` and once through the HTTP routes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token, make_app
from tests.review_helpers import ATTRIBUTION, link_member, sign_in, take
from tracker.accounts.models import AuditEvent, Role, User
from tracker.extensions import db
from tracker.records import changes
from tracker.records import services as records
from tracker.records.models import Publication, Record, RecordKind, Revision, WorkflowState
from tracker.review import workflow
from tracker.review.models import Approval, Comment, Notification
from tracker.review.workflow import TRANSITIONS, Action

S = WorkflowState
STATES = list(WorkflowState)
ACTIONS = list(Action)
ROLES = ("editor", "admin", "reviewer", "outsider", "contact")
EDITOR_ACTIONS = {Action.SUBMIT, Action.PUBLISH, Action.WITHDRAW, Action.REOPEN}

#: how to bring a published-then-edited measure into each state: (action, who) steps
PATH = {
    S.DRAFT: [],
    S.IN_REVIEW: [("submit", "author")],
    S.CHANGES_REQUESTED: [("submit", "author"), ("request_changes", "second")],
    S.APPROVED: [("submit", "author"), ("approve", "second")],
    S.PUBLISHED: [("submit", "author"), ("approve", "second"), ("publish", "author")],
    S.WITHDRAWN: [
        ("submit", "author"),
        ("approve", "second"),
        ("publish", "author"),
        ("withdraw", "author"),
    ],
}


#: The table, restated here so that a change to the rules must change this test too.
TABLE = {
    (S.DRAFT, Action.SUBMIT): S.IN_REVIEW,
    (S.CHANGES_REQUESTED, Action.SUBMIT): S.IN_REVIEW,
    (S.WITHDRAWN, Action.SUBMIT): S.IN_REVIEW,
    (S.IN_REVIEW, Action.REQUEST_CHANGES): S.CHANGES_REQUESTED,
    (S.APPROVED, Action.REQUEST_CHANGES): S.CHANGES_REQUESTED,
    (S.IN_REVIEW, Action.APPROVE): S.APPROVED,  # with one approval required (the default)
    (S.APPROVED, Action.APPROVE): S.APPROVED,
    (S.APPROVED, Action.PUBLISH): S.PUBLISHED,
    (S.PUBLISHED, Action.WITHDRAW): S.WITHDRAWN,
    (S.DRAFT, Action.WITHDRAW): S.WITHDRAWN,
    (S.IN_REVIEW, Action.WITHDRAW): S.WITHDRAWN,
    (S.CHANGES_REQUESTED, Action.WITHDRAW): S.WITHDRAWN,
    (S.APPROVED, Action.WITHDRAW): S.WITHDRAWN,
    (S.IN_REVIEW, Action.REOPEN): S.DRAFT,
    (S.CHANGES_REQUESTED, Action.REOPEN): S.DRAFT,
    (S.APPROVED, Action.REOPEN): S.DRAFT,
}


def test_the_table_is_the_one_documented() -> None:
    assert TRANSITIONS == TABLE


def allowed(state: WorkflowState, action: Action, role: str) -> bool:
    """The rules, restated: the table, then who takes which step."""
    if (state, action) not in TABLE:
        return False
    if action in EDITOR_ACTIONS:
        return role in ("editor", "admin")
    # Reviewers of the record's own working group (and administrators); a government
    # contact for the record's jurisdiction comments but does not decide.
    return role in ("reviewer", "admin")


def details_for(action: Action) -> dict[str, Any]:
    if action is Action.REQUEST_CHANGES:
        return {"message": "Please add the official identifier.", "field": "official_identifier"}
    if action is Action.PUBLISH:
        return {"summary": "Test publication"}
    return {}


MEASURE = {
    "jurisdiction_code": "DE",
    "title_original": "Test measure for the workflow",
    "title_lang": "en",
    "title_en": None,
    "short_name": "Published name",
    "type": "law",
    "issuing_body": "Test body",
    "status": "in_force",
    "status_note": None,
    "official_identifier": None,
    "official_url": None,
    "description": "A measure made by the test suite.",
    "verification": "unverified",
    "verification_note": None,
    "events": [{"kind": "adopted", "date": "2024-01-15", "note": None}],
    "sources": [{"url": "https://example.org/source", "title": "Example source", "accessed": None}],
    "topics": ["sbom"],
    "relations": [],
    "mappings": [
        {
            "norm": "i",
            "commitment": None,
            "locator": "Art. 1",
            "rationale": "Test",
            "basis": "inferred",
        }
    ],
}


@dataclass
class World:
    app: Any
    connection: Any
    state: WorkflowState
    rid: int
    #: role -> user id: the editor who wrote the change ("author"), a second reviewer of the
    #: group ("second"), and one account per role under test
    cast: dict[str, int]


def build_world(app: Any, state: WorkflowState) -> World:
    """A published measure, edited by its author (so a live copy exists), brought to ``state``
    through the workflow itself."""
    cast: dict[str, int] = {}
    with app.app_context():
        for name, role in (
            ("author", "editor"),
            ("second", "reviewer"),
            ("editor", "editor"),
            ("admin", "admin"),
            ("reviewer", "reviewer"),
            ("outsider", "reviewer"),
            ("contact", "reviewer"),
        ):
            user = User(
                email=f"{name}.{state.value}@example.org", role=Role(role), name=f"Test {name}"
            )
            db.session.add(user)
            db.session.commit()
            cast[name] = user.id
    link_member(app, cast["second"])
    link_member(app, cast["reviewer"])
    link_member(app, cast["outsider"], ATTRIBUTION)
    # Speaks for Germany (the measure's jurisdiction); a member of the other group.
    link_member(app, cast["contact"], ATTRIBUTION, contact="DE")
    with app.app_context():
        record = changes.create(RecordKind.MEASURE, MEASURE, author_id=None)
        workflow.publish_unreviewed(record)
        records.write_revision(
            record, records.working_copy(record), action="publish", summary="Published"
        )
        changes.update(
            record,
            {**MEASURE, "short_name": "Edited name"},
            expected_version=record.version,
            author_id=cast["author"],
        )
        db.session.commit()
        rid = record.id
    for action, who in PATH[state]:
        take(app, rid, action, cast[who], **details_for(Action(action)))
    with app.app_context():
        assert db.session.get(Record, rid).state is state
    return World(app, None, state, rid, cast)


@pytest.fixture(scope="module")
def world(request: pytest.FixtureRequest, database_url: str) -> Iterator[World]:
    """One record per state, built once per module and worker; every test runs inside a
    savepoint that is rolled back (the ``step`` fixture), so each starts from the same state."""
    app = make_app(database_url)
    with app.app_context():
        engine = db.engine
        connection = engine.connect()
        outer = connection.begin()
        db.engines[None] = connection
    try:
        built = build_world(app, request.param)
        built.connection = connection
        yield built
    finally:
        with app.app_context():
            db.session.remove()
        outer.rollback()
        connection.close()
        engine.dispose()


@pytest.fixture
def step(world: World) -> Iterator[World]:
    savepoint = world.connection.begin_nested()
    try:
        yield world
    finally:
        with world.app.app_context():
            db.session.remove()
        if savepoint.is_active:
            savepoint.rollback()


def everything(app, rid: int) -> tuple[Any, ...]:
    """What a step could change."""
    with app.app_context():
        record = db.session.get(Record, rid)

        def count(model: Any, *where: Any) -> int | None:
            return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

        live = records.live_copy(record)
        return (
            record.state,
            record.version,
            record.working_group_id,
            record.published_at,
            count(Revision, Revision.record_id == rid),
            count(Approval, Approval.record_id == rid),
            count(Comment, Comment.record_id == rid),
            count(Notification, Notification.record_id == rid),
            count(AuditEvent),
            count(Publication, Publication.record_id == rid),
            live.short_name if live is not None else None,
        )


def readable(message: str) -> bool:
    """A sentence for a person: capitalised, ends with a full stop, no code or ids."""
    return (
        bool(re.match(r"^[A-Z].{15,}[.]$", message, re.S))
        and "<" not in message
        and "Action." not in message
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.value)
@pytest.mark.parametrize("world", STATES, ids=lambda s: s.value, indirect=True, scope="module")
def test_transition_function(step: World, action: Action, role: str) -> None:
    app, rid, cast, state = step.app, step.rid, step.cast, step.state
    before = everything(app, rid)
    if allowed(state, action, role):
        assert (
            take(app, rid, action.value, cast[role], **details_for(action))
            is TABLE[(state, action)]
        )
        after = everything(app, rid)
        assert after[0] is TABLE[(state, action)]
        assert after[1] > before[1]  # the version moved on
        assert after[4] == before[4] + 1  # one revision, named after the action
        with app.app_context():
            last = db.session.scalars(
                sa.select(Revision)
                .where(Revision.record_id == rid)
                .order_by(Revision.number.desc())
            ).first()
            assert (last.action, last.author_id, last.state) == (
                action.value,
                cast[role],
                TABLE[(state, action)],
            )
            event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
            assert (
                event.action is workflow.AUDIT_ACTIONS[action] and event.subject == f"record:{rid}"
            )
            assert (event.details["from_state"], event.details["to_state"]) == (
                state.value,
                TABLE[(state, action)].value,
            )
        if action is Action.PUBLISH:
            assert after[-1] == "Edited name" and after[9] == before[9] + 1
        if action is Action.WITHDRAW:
            assert after[-1] is None
    else:
        with pytest.raises(workflow.TransitionError) as refused:
            take(app, rid, action.value, cast[role], **details_for(action))
        assert readable(refused.value.message), refused.value.message
        expected = workflow.NotPermitted if (state, action) in TABLE else workflow.TransitionError
        assert isinstance(refused.value, expected)
        assert everything(app, rid) == before


def post_step(app, client, rid: int, action: Action) -> Any:
    with app.app_context():
        revision = workflow.review_status(rid).revision
    data = {"csrf_token": csrf_token(app, client), f"{action.value}-revision": revision}
    data.update({f"{action.value}-{k}": v for k, v in details_for(action).items()})
    return client.post(f"/review/{rid}/{action.value}", data=data)


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.value)
@pytest.mark.parametrize("world", STATES, ids=lambda s: s.value, indirect=True, scope="module")
def test_transition_routes(step: World, action: Action) -> None:
    """The same table through POST /review/<id>/<action>, for every role and the public:
    each refused role first (nothing changes, the page says why), then an allowed one."""
    app, rid, cast, state = step.app, step.rid, step.cast, step.state
    before = everything(app, rid)
    # The record was published before it was edited: it is public unless withdrawn.
    public = state is not S.WITHDRAWN
    anonymous = app.test_client()
    response = post_step(app, anonymous, rid, action)
    # Signed out: sign in first; a record that is not public does not exist.
    assert response.status_code == (401 if public else 404)
    winners = [role for role in ROLES if allowed(state, action, role)]
    for role in [r for r in ROLES if r not in winners]:
        client = app.test_client()
        with app.app_context():
            sign_in(client, db.session.get(User, cast[role]))
        response = post_step(app, client, rid, action)
        html = response.get_data(as_text=True)
        # Reviewers see it once it is submitted to their group (or, for the government
        # contact, once it is submitted at all); the other group never.
        sees = role in ("editor", "admin") or (
            role in ("reviewer", "contact") and state is not S.DRAFT
        )
        if not sees:
            assert response.status_code == (403 if public else 404), (role, html[:500])
        else:
            assert response.status_code in (403, 409), (role, response.status_code, html[:500])
            message = re.search(r'<p class="form-error" role="alert"[^>]*>([^<]+)</p>', html)
            assert message and readable(message.group(1).replace("&#39;", "'")), (role, html[:3000])
        assert everything(app, rid) == before, role
    if winners:
        client = app.test_client()
        with app.app_context():
            sign_in(client, db.session.get(User, cast[winners[0]]))
        response = post_step(app, client, rid, action)
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        assert everything(app, rid)[0] is TABLE[(state, action)]
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert 'class="flash flash-success"' in page
