"""Access, decided in one place: every route with every role gets exactly the status the
table below says. A route without an entry fails the suite, so a new route needs a
decision. Also: CSRF on every POST, reviewers cannot edit, drafts do not exist for the public.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import url_for

from tests.conftest import csrf_token
from tests.review_helpers import ATTRIBUTION, group_id, make_member, sign_in, take
from tracker.accounts.models import AuditEvent
from tracker.accounts.permissions import policy_of
from tracker.extensions import db
from tracker.records.models import Record, Revision

ROLES = ("anonymous", "reviewer", "editor", "admin")

#: (endpoint, method) -> expected status for (anonymous, reviewer, editor, admin).
#: Staff routes send the signed-out to the sign-in page on GET (302) and answer 401 to
#: other methods; 403 is a signed-in user without the permission; 422 is a form sent back
#: with errors (the walk posts nothing but the CSRF token and the version).
EXPECTED: dict[tuple[str, str], tuple[int, int, int, int]] = {
    ("static", "GET"): (200, 200, 200, 200),
    ("site.index", "GET"): (200, 200, 200, 200),
    ("site.healthz", "GET"): (200, 200, 200, 200),
    ("api.index", "GET"): (200, 200, 200, 200),
    ("accounts.login", "GET"): (200, 302, 302, 302),
    ("accounts.login", "POST"): (200, 302, 302, 302),
    ("accounts.logout", "POST"): (302, 302, 302, 302),
    ("accounts.audit_log", "GET"): (302, 403, 403, 200),
    ("measures.new", "GET"): (302, 403, 200, 200),
    ("measures.new", "POST"): (401, 403, 422, 422),
    ("measures.edit", "GET"): (302, 403, 200, 200),
    ("measures.edit", "POST"): (401, 403, 422, 422),
    # A reviewer sees the staff pages only of records submitted to their working group.
    ("measures.history", "GET"): (302, 403, 200, 200),
    ("measures.compare", "GET"): (302, 403, 200, 200),
    ("measures.restore_revision", "POST"): (401, 403, 302, 302),
    ("measures.delete", "GET"): (302, 403, 200, 200),
    ("measures.delete", "POST"): (401, 403, 302, 302),
    ("measures.undelete", "POST"): (404, 404, 302, 302),
    ("measures.deleted", "GET"): (302, 403, 200, 200),
    ("site.readyz", "GET"): (200, 200, 200, 200),
    ("norms.index", "GET"): (200, 200, 200, 200),
    ("norms.detail", "GET"): (200, 200, 200, 200),
    ("jurisdictions.index", "GET"): (200, 200, 200, 200),
    ("jurisdictions.detail", "GET"): (200, 200, 200, 200),
    ("measures.index", "GET"): (200, 200, 200, 200),
    ("measures.detail", "GET"): (200, 200, 200, 200),
    ("measures.related", "GET"): (200, 200, 200, 200),
    ("api.norms", "GET"): (200, 200, 200, 200),
    ("api.norm", "GET"): (200, 200, 200, 200),
    ("api.jurisdictions", "GET"): (200, 200, 200, 200),
    ("api.jurisdiction", "GET"): (200, 200, 200, 200),
    ("api.measures", "GET"): (200, 200, 200, 200),
    ("api.measure", "GET"): (200, 200, 200, 200),
    ("search.index", "GET"): (200, 200, 200, 200),
    ("opendata.changes", "GET"): (200, 200, 200, 200),
    ("opendata.changes_feed", "GET"): (200, 200, 200, 200),
    # Following changes: public; the walk's POST to /alerts has no address (400), and its
    # tokens are not signed ones (400). The one-click unsubscribe (RFC 8058, from mail
    # clients, no form) is outside CSRF and wants List-Unsubscribe=One-Click (400).
    ("follow.calendar", "GET"): (200, 200, 200, 200),
    ("follow.subscribe", "GET"): (200, 200, 200, 200),
    ("follow.subscribe", "POST"): (400, 400, 400, 400),
    ("follow.confirm", "GET"): (400, 400, 400, 400),
    ("follow.confirm", "POST"): (400, 400, 400, 400),
    ("follow.unsubscribe", "GET"): (400, 400, 400, 400),
    ("follow.unsubscribe", "POST"): (400, 400, 400, 400),
    ("follow_mail.one_click_unsubscribe", "POST"): (400, 400, 400, 400),
    ("opendata.cite_measure", "GET"): (200, 200, 200, 200),
    ("opendata.cite_selection", "GET"): (200, 200, 200, 200),
    ("opendata.codebook", "GET"): (200, 200, 200, 200),
    ("opendata.codebook_json", "GET"): (200, 200, 200, 200),
    ("opendata.export_attributions", "GET"): (200, 200, 200, 200),
    ("opendata.export_measures", "GET"): (200, 200, 200, 200),
    ("opendata.openapi_document", "GET"): (200, 200, 200, 200),
    ("attribution.index", "GET"): (200, 200, 200, 200),
    ("attribution.detail", "GET"): (200, 200, 200, 200),
    ("attribution.states", "GET"): (200, 200, 200, 200),
    ("attribution.by_state", "GET"): (200, 200, 200, 200),
    ("attribution.against", "GET"): (200, 200, 200, 200),
    ("attribution.norms", "GET"): (200, 200, 200, 200),
    ("attribution.api_list", "GET"): (200, 200, 200, 200),
    ("attribution.api_detail", "GET"): (200, 200, 200, 200),
    ("papers.index", "GET"): (200, 200, 200, 200),
    ("papers.detail", "GET"): (200, 200, 200, 200),
    ("gaps.jurisdiction", "GET"): (200, 200, 200, 200),
    ("gaps.compare", "GET"): (200, 200, 200, 200),
    ("workinggroups.index", "GET"): (200, 200, 200, 200),
    ("review.queue", "GET"): (302, 200, 200, 200),
    ("review.record", "GET"): (302, 403, 200, 200),
    # The walk submits a draft nobody has been asked to review yet.
    ("review.step", "POST"): (404, 404, 302, 302),
    ("review.comment", "POST"): (401, 403, 422, 422),
    ("review.resolve", "POST"): (401, 403, 302, 302),
    ("review.notifications", "GET"): (302, 200, 200, 200),
    ("review.mark_read", "POST"): (401, 302, 302, 302),
    # comparison and briefs: public; drafts=1 only widens what staff see
    ("reports.compare", "GET"): (200, 200, 200, 200),
    ("reports.compare_preview", "GET"): (200, 200, 200, 200),
    ("reports.compare_pdf", "GET"): (200, 200, 200, 200),
    ("reports.jurisdiction_preview", "GET"): (200, 200, 200, 200),
    ("reports.jurisdiction_pdf", "GET"): (200, 200, 200, 200),
    ("reports.norm_preview", "GET"): (200, 200, 200, 200),
    ("reports.norm_pdf", "GET"): (200, 200, 200, 200),
    ("reports.paper_preview", "GET"): (200, 200, 200, 200),
    ("reports.paper_pdf", "GET"): (200, 200, 200, 200),
    # Editing papers and attribution statements (issue 6 item 5, issue 7 item 4).
    ("papers.new", "GET"): (302, 403, 200, 200),
    ("papers.new", "POST"): (401, 403, 422, 422),
    ("papers.edit", "GET"): (302, 403, 200, 200),
    ("papers.edit", "POST"): (401, 403, 422, 422),
    ("papers.history", "GET"): (302, 403, 200, 200),
    ("papers.compare", "GET"): (302, 403, 200, 200),
    ("papers.restore_revision", "POST"): (401, 403, 302, 302),
    ("papers.delete", "GET"): (302, 403, 200, 200),
    ("papers.delete", "POST"): (401, 403, 302, 302),
    ("papers.undelete", "POST"): (404, 404, 302, 302),
    ("papers.deleted", "GET"): (302, 403, 200, 200),
    ("attribution.new", "GET"): (302, 403, 200, 200),
    ("attribution.new", "POST"): (401, 403, 422, 422),
    ("attribution.edit", "GET"): (302, 403, 200, 200),
    ("attribution.edit", "POST"): (401, 403, 422, 422),
    ("attribution.history", "GET"): (302, 403, 200, 200),
    ("attribution.compare", "GET"): (302, 403, 200, 200),
    ("attribution.restore_revision", "POST"): (401, 403, 302, 302),
    ("attribution.delete", "GET"): (302, 403, 200, 200),
    ("attribution.delete", "POST"): (401, 403, 302, 302),
    ("attribution.undelete", "POST"): (404, 404, 302, 302),
    ("attribution.deleted", "GET"): (302, 403, 200, 200),
    # Spreadsheet import (issue 8 item 3): editors and administrators only. The walk's
    # upload (ARGS upload_id) holds one valid row; posting the form without a file is a 422.
    ("imports.index", "GET"): (302, 403, 200, 200),
    ("imports.upload", "POST"): (401, 403, 422, 422),
    ("imports.template", "GET"): (302, 403, 200, 200),
    ("imports.preview", "GET"): (302, 403, 200, 200),
    ("imports.commit", "POST"): (401, 403, 302, 302),
}

#: which measure a route's <record_id> names (default: a published one)
RECORD_FOR = {
    "measures.undelete": "deleted",
    "review.step": "draft",
    "attribution.detail": "attribution",
    "attribution.api_detail": "attribution",
    "papers.detail": "paper",
    "reports.paper_pdf": "paper",
    "reports.paper_preview": "paper",
    **{
        f"papers.{name}": "paper"
        for name in ("edit", "history", "compare", "restore_revision", "delete")
    },
    "papers.undelete": "deleted paper",
    **{
        f"attribution.{name}": "attribution"
        for name in ("edit", "history", "compare", "restore_revision", "delete")
    },
    "attribution.undelete": "deleted attribution",
}
#: other route arguments and query strings the walk uses
ARGS = {
    "filename": "css/site.css",
    "number": 1,
    "letter": "i",
    "code": "DE",
    "fmt": "json",
    "action": "submit",
    "comment_id": 0,
    "sheet_format": "xlsx",
    "upload_id": 0,
    "token": "not-a-signed-token",
}
#: (briefs as of 1990 hold no measure, so the walk's PDFs are small and render inline)
QUERY = {
    "measures.compare": {"a": 1, "b": 1},
    "papers.compare": {"a": 1, "b": 1},
    "attribution.compare": {"a": 1, "b": 1},
    "reports.compare_pdf": {"j": ["DE", "FR"], "as_of": "1990-01-01"},
    "reports.compare_preview": {"j": ["DE", "FR"]},
    "reports.jurisdiction_pdf": {"as_of": "1990-01-01"},
    "reports.norm_pdf": {"as_of": "1990-01-01"},
}


def routes(app):
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_has_an_expectation_and_a_policy(app):
    actual = routes(app)
    missing = sorted(actual - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - actual)
    assert not missing, f"routes without an expected status per role: {missing}"
    assert not stale, f"expectations for routes that do not exist: {stale}"
    with app.test_request_context():
        undeclared = sorted(e for e, _ in actual if policy_of(e) is None)
    assert not undeclared, f"views that declare no access policy: {undeclared}"


class LazyRecords(dict):
    """Record ids by role, each made on first use: a walk test needs one, not all seven."""

    def __init__(self, makers):
        super().__init__()
        self.makers = makers

    def __missing__(self, key):
        value = self[key] = self.makers[key]()
        return value


@pytest.fixture
def records_for_walk(app, make_measure, make_paper):
    """A published measure with a comment, a draft with a source, a deleted measure, a
    published paper, a published (demo) attribution statement, and a deleted paper and
    attribution statement (each made on first use)."""
    from tests.attribution_helpers import create_attribution

    def deleted(make):
        def _make():
            rid = make().record_id
            with app.app_context():
                db.session.get(Record, rid).deleted_at = sa.func.now()
                db.session.commit()
            return rid

        return _make

    def demo_attribution():
        with app.app_context():
            return db.session.scalar(sa.select(Record.id).where(Record.key == "wannacry-2017"))

    records = LazyRecords(
        {
            "published": lambda: make_measure(published=True).record_id,
            "draft": lambda: make_measure(published=False).record_id,
            "deleted": deleted(lambda: make_measure(published=True)),
            "paper": lambda: make_paper(published=True).record_id,
            "attribution": demo_attribution,
            "deleted paper": deleted(lambda: make_paper(published=True)),
            "deleted attribution": deleted(lambda: create_attribution(app, published=True)),
        }
    )
    from tracker.review.models import Comment

    with app.app_context():
        # A comment on the published measure, for the resolve route.
        comment = Comment(
            record_id=records["published"], revision_number=1, body="A comment to resolve"
        )
        db.session.add(comment)
        db.session.commit()
        ARGS["comment_id"] = comment.id
        # An upload of one valid row, for the import preview and commit.
        from tracker.imports.models import ImportUpload

        row = {
            "jurisdiction": "DE",
            "title_original": "Access walk import",
            "type": "law",
            "status": "adopted",
        }
        upload = ImportUpload(
            filename="walk.csv",
            format="csv",
            sha256="0" * 64,
            header=list(row),
            rows=[{"row": 2, "cells": row}],
            created=[],
        )
        db.session.add(upload)
        db.session.commit()
        ARGS["upload_id"] = upload.id
    return records


def request_as(app, client, login, role, endpoint, method, record_id):
    if role != "anonymous":
        login(client, role)
    rule = next(
        r for r in app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods
    )
    args = {name: record_id if name == "record_id" else ARGS[name] for name in rule.arguments}
    with app.test_request_context():
        url = url_for(endpoint, **args, **QUERY.get(endpoint, {}))
    if method == "GET":
        response = client.get(url)
    else:
        with app.app_context():
            version = db.session.get(Record, record_id).version if record_id else ""
        response = client.open(
            url, method=method, data={"csrf_token": csrf_token(app, client), "version": version}
        )
    response.get_data()
    response.close()  # static files are streamed from an open file
    return response


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("endpoint", "method"), sorted(EXPECTED))
def test_route_status_per_role(app, client, login, records_for_walk, endpoint, method, role):
    record_id = records_for_walk[RECORD_FOR.get(endpoint, "published")]
    response = request_as(app, client, login, role, endpoint, method, record_id)
    expected = EXPECTED[(endpoint, method)][ROLES.index(role)]
    assert response.status_code == expected, (
        f"{method} {endpoint} as {role}: {response.status_code}, expected {expected}\n"
        f"{response.get_data(as_text=True)[:400]}"
    )
    if expected == 302 and role == "anonymous" and method == "GET":
        assert response.headers["Location"].startswith("/login?next=")


# --- CSRF ---------------------------------------------------------------------------


def state_of_everything(app):
    """What a POST could change: records (versions, deletion, state), revisions, audit."""
    with app.app_context():
        return (
            db.session.execute(
                sa.select(Record.id, Record.version, Record.state, Record.deleted_at).order_by(
                    Record.id
                )
            ).all(),
            db.session.scalar(sa.select(sa.func.count()).select_from(Revision)),
            db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)),
        )


def post_routes(app):
    from tracker.extensions import csrf

    # Flask-WTF keeps the exempt Blueprint objects; rules name their blueprint.
    exempt = {getattr(bp, "name", bp) for bp in getattr(csrf, "_exempt_blueprints", set())}
    # Only the API (no POST routes) and the RFC 8058 one-click unsubscribe, which mail
    # clients post without a form, are exempt; a new exemption needs a decision here.
    assert exempt == {"api", "follow_mail"}, exempt
    return sorted(
        (rule.endpoint, rule)
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and rule.endpoint.split(".")[0] not in exempt
    )


def test_every_post_without_csrf_token_is_400_and_changes_nothing(
    app, login, records_for_walk, make_user
):
    checked = []
    for endpoint, rule in post_routes(app):
        for role in ("editor", "admin"):
            client = app.test_client()
            login(client, role)
            record_id = records_for_walk[RECORD_FOR.get(endpoint, "published")]
            args = {
                name: record_id if name == "record_id" else ARGS[name] for name in rule.arguments
            }
            with app.test_request_context():
                url = url_for(endpoint, **args)
            with app.app_context():
                version = db.session.get(Record, record_id).version
            before = state_of_everything(app)
            data = {
                "version": version,
                "title_original": "Changed without a token",
                "jurisdiction_code": "DE",
                "type": "law",
                "status": "adopted",
                "verification": "verified",
                "title_lang": "en",
                "email": "x@example.org",
                "password": "whatever password",
            }
            response = client.post(url, data=data)
            assert response.status_code == 400, (endpoint, role, response.status_code)
            assert "security token is missing or has expired" in response.get_data(as_text=True)
            assert "Nothing was saved" in response.get_data(as_text=True)
            assert state_of_everything(app) == before, endpoint
            # A wrong token is refused the same way.
            response = client.post(url, data={**data, "csrf_token": "not-a-token"})
            assert response.status_code == 400 and state_of_everything(app) == before
            checked.append(endpoint)
    assert {
        "measures.edit",
        "measures.new",
        "measures.delete",
        "accounts.login",
        "accounts.logout",
    } <= set(checked)


# --- Reviewers ----------------------------------------------------------------------


def test_reviewer_post_to_an_edit_route_is_403_and_changes_nothing(
    app, client, login, make_user, records_for_walk
):
    rid = records_for_walk["published"]
    assert client.get(f"/measures/{rid}/history").status_code == 302
    outsider = login(client, "reviewer")
    assert client.get(f"/measures/{rid}/history").status_code == 403  # not their group's record
    before = state_of_everything(app)
    token = csrf_token(app, client)
    for url in (f"/review/{rid}/withdraw", f"/review/{rid}/approve"):
        response = client.post(url, data={"csrf_token": token})
        assert response.status_code == 403, url
        assert "not assigned to a working group you belong to" in response.get_data(as_text=True)
    assert state_of_everything(app) == before and outsider.role.value == "reviewer"
    # A member of the group the record was submitted to reads its history, but edits nothing.
    sign_in(client, make_member(app, make_user))
    with app.app_context():
        db.session.get(Record, rid).working_group_id = group_id()
        db.session.commit()
    page = client.get(f"/measures/{rid}/history")
    assert page.status_code == 200  # reviewers may read drafts and history
    before = state_of_everything(app)
    with app.app_context():
        version = db.session.get(Record, rid).version
    token = csrf_token(app, client)
    data = {
        "csrf_token": token,
        "version": version,
        "title_original": "Reviewer was here",
        "jurisdiction_code": "DE",
        "type": "law",
        "status": "adopted",
        "verification": "verified",
        "title_lang": "en",
    }
    for url in (
        f"/measures/{rid}/edit",
        "/measures/new",
        f"/measures/{rid}/history/1/restore",
        f"/measures/{rid}/delete",
    ):
        response = client.post(url, data=data)
        assert response.status_code == 403, url
        assert "does not have permission" in response.get_data(as_text=True)
    response = client.post(f"/review/{rid}/withdraw", data=data)
    assert response.status_code == 403 and "Only editors can withdraw it" in response.get_data(
        as_text=True
    )
    assert state_of_everything(app) == before


# --- Drafts do not exist for the public ------------------------------------------------


def test_anonymous_request_for_a_draft_is_404(app, client, records_for_walk):
    draft = records_for_walk["draft"]
    # The public measure page (from the public-pages branch) and every route naming a record.
    urls = [f"/measures/{draft}"]
    for rule in app.url_map.iter_rules():
        if "record_id" in rule.arguments:
            args = {name: draft if name == "record_id" else ARGS[name] for name in rule.arguments}
            with app.test_request_context():
                urls.append(
                    (url_for(rule.endpoint, **args), sorted(rule.methods - {"HEAD", "OPTIONS"}))
                )
    token = csrf_token(app, client)
    assert client.get(urls[0]).status_code == 404
    for url, methods in urls[1:]:
        for method in methods:
            response = client.open(
                url, method=method, data={"csrf_token": token} if method == "POST" else None
            )
            assert response.status_code == 404, (method, url, response.status_code)
            assert "Not found" in response.get_data(as_text=True)
    # The same answer as for a record that does not exist at all: nothing to learn.
    assert client.get("/measures/987654/history").status_code == 404
    # A published record's staff pages send the public to sign in instead.
    assert client.get(f"/measures/{records_for_walk['published']}/history").status_code == 302


def test_signed_in_staff_see_drafts(app, client, login, make_user, records_for_walk):
    draft = records_for_walk["draft"]
    login(client, "editor")
    assert client.get(f"/measures/{draft}/history").status_code == 200
    # A reviewer sees a draft once it is submitted to their working group; a reviewer of
    # another group gets the same 404 as the public, on every route naming it.
    member, outsider = app.test_client(), app.test_client()
    sign_in(member, make_member(app, make_user))
    sign_in(outsider, make_member(app, make_user, ATTRIBUTION))
    assert member.get(f"/measures/{draft}/history").status_code == 404
    take(app, draft, "submit", make_user("editor").id)
    for path in (f"/measures/{draft}/history", f"/measures/{draft}", f"/review/{draft}"):
        assert member.get(path).status_code == 200, path
        response = outsider.get(path)
        assert response.status_code == 404, path
        assert "There is no published" in response.get_data(as_text=True)
