"""Drafts and deleted statements never reach the public: pages, counts, the API, sections."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.attribution_helpers import create_attribution
from tracker.accounts.permissions import PUBLIC, policy_of
from tracker.attribution import queries, sections
from tracker.extensions import db
from tracker.records import services as records
from tracker.records.models import Record
from tracker.review import workflow

SECRET = "Test operation SECRET-DRAFT"

PUBLIC_PAGES = [
    "/attributions/",
    "/attributions/?un_framework=unknown",
    "/attributions/?norm=j",
    "/attributions/?attributing=IS",
    "/attributions/states",
    "/attributions/norms",
    "/attributions/by-state/IS",
    "/attributions/by-state/NO",
    "/attributions/against/AQ",
    "/api/v1/attributions?per_page=200",
    "/api/v1/attributions?norm=j",
    "/api/v1/attributions?attributing=IS",
]


def snapshot_counts(app) -> tuple:
    with app.app_context():
        stats = queries.norm_stats()
        attributing, attributed = queries.state_index()
        return (
            queries.count_attributions(),
            stats.totals.statements,
            stats.totals.state_attributions,
            dict(stats.totals.framework),
            [(r.norm.letter, r.count, r.state_attributions) for r in stats.rows],
            [(r.jurisdiction.code, r.statements) for r in attributing],
            [(r.jurisdiction.code, r.statements) for r in attributed],
        )


def assert_hidden(app, client, record_id: int, before: tuple) -> None:
    for path in PUBLIC_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert SECRET not in response.get_data(as_text=True), path
    assert client.get(f"/attributions/{record_id}").status_code == 404
    assert client.get(f"/attributions/{record_id}?drafts=1").status_code == 404
    assert client.get(f"/api/v1/attributions/{record_id}").status_code == 404
    listed = client.get("/api/v1/attributions?per_page=200").get_json()
    assert record_id not in [item["id"] for item in listed["items"]]
    assert listed["total"] == before[0]
    assert snapshot_counts(app) == before
    with app.app_context():
        for code in ("IS", "NO"):
            beside = sections.attributions_beside_measures(code)
            assert beside.empty, code
            assert sections.attribution_section([code]).jurisdictions[0].statements == ()
        assert queries.get_attribution(record_id) is None


def secret_statement(app, published: bool):
    return create_attribution(
        app,
        published=published,
        operation=SECRET,
        attributing=["IS", "NO"],
        attributed_state="AQ",
        un_framework_invoked="yes",
        invoked_norms=[
            {"norm": "j", "basis": "explicit", "passage": "Test passage", "locator": None}
        ],
    )


def test_a_draft_appears_nowhere_public(app, client, login) -> None:
    before = snapshot_counts(app)
    draft = secret_statement(app, published=False)
    assert_hidden(app, client, draft.record_id, before)

    # Positive control: staff who ask for drafts do see it, so the checks above are not vacuous.
    staff = app.test_client()
    login(staff, "editor")
    assert SECRET in staff.get("/attributions/?drafts=1").get_data(as_text=True)
    assert SECRET in staff.get(f"/attributions/{draft.record_id}?drafts=1").get_data(as_text=True)
    page = staff.get(f"/attributions/{draft.record_id}").get_data(as_text=True)
    assert SECRET in page and "Working copy." in page  # staff following a plain link
    assert SECRET not in staff.get("/attributions/").get_data(as_text=True)
    # The API is published-only, even for staff.
    assert staff.get(f"/api/v1/attributions/{draft.record_id}").status_code == 404


def test_a_deleted_statement_disappears_everywhere(app, client) -> None:
    before = snapshot_counts(app)
    published = secret_statement(app, published=True)
    assert SECRET in client.get(f"/attributions/{published.record_id}").get_data(as_text=True)
    assert snapshot_counts(app) != before
    with app.app_context():
        records.soft_delete(db.session.get(Record, published.record_id))
        db.session.commit()
    assert_hidden(app, client, published.record_id, before)


def test_a_withdrawn_statement_is_gone_and_its_unpublished_edit_never_shows(app, client) -> None:
    before = snapshot_counts(app)
    a = secret_statement(app, published=True)
    with app.app_context():
        record = db.session.get(Record, a.record_id)
        workflow.withdraw_unreviewed(record)
        db.session.commit()
    assert_hidden(app, client, a.record_id, before)


def test_unpublished_edit_of_a_published_statement_stays_private(app, client) -> None:
    a = create_attribution(app, operation="Test operation public version", attributing=["IS"])
    with app.app_context():
        draft = records.editable_copy(db.session.get(Record, a.record_id))
        draft.operation = SECRET
        draft.date = dt.date(2001, 1, 1)
        db.session.commit()
    for path in [
        *PUBLIC_PAGES,
        f"/attributions/{a.record_id}",
        f"/api/v1/attributions/{a.record_id}",
    ]:
        assert SECRET not in client.get(path).get_data(as_text=True), path
    assert "Test operation public version" in client.get("/attributions/by-state/IS").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "endpoint",
    ["index", "detail", "states", "by_state", "against", "norms", "api_list", "api_detail"],
)
def test_every_attribution_view_declares_public(app, endpoint) -> None:
    with app.test_request_context("/"):
        assert policy_of(f"attribution.{endpoint}") == PUBLIC
