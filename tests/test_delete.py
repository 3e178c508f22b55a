"""Soft delete and restore: a deleted measure is gone from every public page, list, count
and API response; restoring it brings it back with its whole history."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.pages import as_data, form_fields
from tracker.accounts.models import AuditAction, AuditEvent
from tracker.extensions import db
from tracker.measures import queries
from tracker.records.models import Record, Revision

TITLE = "Unmistakable deletion test measure"
#: values for route arguments when walking every public page
ARGS = {"letter": "i", "code": "DE", "slug": "sbom"}


def pdf_text(data: bytes) -> str:
    from tests.pdf_helpers import pdf_text as extract

    return extract(data)


def public_pages(app, rid):
    """Every public GET page without arguments, or whose arguments we can fill."""
    from tracker.accounts.permissions import PUBLIC, policy_of

    pages = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if (
                "GET" not in rule.methods
                or rule.endpoint == "static"
                or policy_of(rule.endpoint) != PUBLIC
            ):
                continue
            args = {
                name: ARGS.get(name, rid if name == "record_id" else None)
                for name in rule.arguments
            }
            if None in args.values():
                continue
            from flask import url_for

            pages.append(url_for(rule.endpoint, **args))
    return pages


def counts_on_start_page(client):
    html = client.get("/").get_data(as_text=True)
    return {label: int(n) for n, label in re.findall(r"<strong>(\d+)</strong> (\w+)", html)}


def public_view(app, rid):
    with app.app_context():
        filters = queries.parse_filters({"jurisdiction": "DE", "norm": "i"})
        listed = [m.record_id for m in db.session.scalars(queries.filtered_measures(filters))]
        everything = [
            m.record_id
            for m in db.session.scalars(queries.filtered_measures(queries.MeasureFilters()))
        ]
        return {
            "listed": rid in listed,
            "in full list": rid in everything,
            "count": queries.count_measures(),
            "jurisdictions": queries.count_jurisdictions_with_measures(),
            "grid": queries.coverage(["i"]).get("DE", {}).get("i", 0),
            "recent": rid in [m.record_id for m in queries.recently_changed(limit=100)],
            "detail": queries.get_measure(rid) is not None,
        }


def test_deleted_measure_is_gone_everywhere_and_comes_back_with_its_history(
    app, client, login, make_measure
):
    anonymous = app.test_client()
    before = public_view(app, 0)
    start_before = counts_on_start_page(anonymous)

    rid = make_measure(title_original=TITLE, short_name=TITLE, jurisdiction_code="DE").record_id
    shown = public_view(app, rid)
    assert shown["listed"] and shown["in full list"] and shown["recent"] and shown["detail"]
    assert shown["count"] == before["count"] + 1 and shown["grid"] == before["grid"] + 1
    assert counts_on_start_page(anonymous)["measures"] == start_before["measures"] + 1

    editor = login(client, "editor")
    path = f"/measures/{rid}/edit"
    client.post(
        path,
        data=as_data(
            [
                (k, v) if k != "status" else (k, "amended")
                for k, v in form_fields(client.get(path).get_data(as_text=True), path)
            ]
        ),
    )
    with app.app_context():
        history_before = [
            (r.number, r.action)
            for r in db.session.scalars(
                sa.select(Revision).where(Revision.record_id == rid).order_by(Revision.number)
            )
        ]
    assert history_before == [(1, "create"), (2, "edit")]

    # Delete, through the confirmation page.
    confirm = client.get(f"/measures/{rid}/delete")
    assert confirm.status_code == 200 and "disappears from every public page" in confirm.get_data(
        as_text=True
    )
    response = client.post(
        f"/measures/{rid}/delete",
        data=as_data(form_fields(confirm.get_data(as_text=True), f"/measures/{rid}/delete")),
    )
    assert response.status_code == 302

    gone = public_view(app, rid)
    assert gone == {
        **before,
        "listed": False,
        "in full list": False,
        "recent": False,
        "detail": False,
    }
    assert counts_on_start_page(anonymous) == start_before
    for page in public_pages(app, rid):
        response = anonymous.get(page)
        body = (
            pdf_text(response.data)
            if response.mimetype == "application/pdf"
            else response.get_data(as_text=True)
        )
        assert TITLE not in body, page
        # No link to it (a 404 page's own "sign in" link may carry its path in ?next=).
        assert f'href="/measures/{rid}"' not in body and f'"/measures/{rid}",' not in body, page
    api = anonymous.get("/api/v1/")
    assert api.status_code == 200 and TITLE not in api.get_data(as_text=True)
    # Not even its existence shows: its pages are 404 to the public.
    assert anonymous.get(f"/measures/{rid}").status_code == 404
    assert anonymous.get(f"/measures/{rid}/history").status_code == 404
    # Staff still see it, marked deleted, and in the list of deleted measures.
    assert "This measure is deleted" in client.get(f"/measures/{rid}/history").get_data(
        as_text=True
    )
    deleted_page = client.get("/measures/deleted").get_data(as_text=True)
    assert TITLE in deleted_page

    # Restore.
    restore = form_fields(deleted_page, f"/measures/{rid}/undelete")
    assert client.post(f"/measures/{rid}/undelete", data=as_data(restore)).status_code == 302
    back = public_view(app, rid)
    assert (
        back["listed"]
        and back["count"] == shown["count"]
        and back["grid"] == shown["grid"]
        and back["detail"]
    )
    assert counts_on_start_page(anonymous)["measures"] == start_before["measures"] + 1
    with app.app_context():
        history = [
            (r.number, r.action, r.author_id)
            for r in db.session.scalars(
                sa.select(Revision).where(Revision.record_id == rid).order_by(Revision.number)
            )
        ]
        assert [(n, a) for n, a, _ in history] == [*history_before, (3, "delete"), (4, "undelete")]
        assert history[2][2] == history[3][2] == editor.id
        events = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.subject == f"record:{rid}")
            .order_by(AuditEvent.id)
        ).all()
        assert [e.action for e in events] == [
            AuditAction.RECORD_DELETED,
            AuditAction.RECORD_RESTORED,
        ]
        assert events[0].actor_id == editor.id and events[0].details["title"] == TITLE
    page = client.get(f"/measures/{rid}/history").get_data(as_text=True)
    assert (
        "This measure is deleted" not in page
        and "Restored after deletion" in page
        and "Deleted" in page
    )


def test_delete_and_restore_need_the_delete_permission(app, client, login, make_measure):
    from tests.conftest import csrf_token

    login(client, "reviewer")
    rid = make_measure().record_id
    with app.app_context():
        version = db.session.get(Record, rid).version
    token = csrf_token(app, client)
    assert client.get(f"/measures/{rid}/delete").status_code == 403
    assert (
        client.post(
            f"/measures/{rid}/delete", data={"csrf_token": token, "version": version}
        ).status_code
        == 403
    )
    assert client.get("/measures/deleted").status_code == 403
    with app.app_context():
        assert db.session.get(Record, rid).deleted_at is None
