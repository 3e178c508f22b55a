"""Publish latency: how long an editor waits when publishing a measure, through the real
HTTP path (Flask test client, signed-in editor, the review page's form with its CSRF token),
with the background task (briefs to re-render, the standings of the new version) queued
after the response as in production.

Run it on a COPY of a large database: it writes (users, an edit, a review round, the
publication).

    .venv/bin/python -m bench.scale publish --database-url sqlite:////tmp/copy-40k.db --runs 3
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import sqlalchemy as sa

from tests.pages import as_data, form_fields, replace


def _app(url: str) -> Any:
    from tracker import create_app

    return create_app(
        {
            "ENV": "development",
            "DATABASE_URL": url,
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": False,
            "REPORTS_PRERENDER": True,
            "REPORTS_JOB_MODE": "thread",
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "bench-scale",
        }
    )


def _sign_in(client: Any, user_id: str) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True


def _post_form(client: Any, page: str, action: str, **values: Any) -> Any:
    html = client.get(page).get_data(as_text=True)
    fields = form_fields(html, action)
    return client.post(action, data=as_data(replace(fields, **values)))


def _accounts(app: Any) -> tuple[str, str]:
    """A fictional editor and a reviewer who is a member of the supply-chain group."""
    from tracker.accounts.models import Role, User
    from tracker.extensions import db
    from tracker.workinggroups import services as wg
    from tracker.workinggroups.models import WorkingGroup, WorkingGroupMember

    stamp = int(time.time())
    with app.app_context():
        editor = User(email=f"bench-editor-{stamp}@example.org", role=Role("editor"), name="Bench")
        reviewer = User(
            email=f"bench-reviewer-{stamp}@example.org", role=Role("reviewer"), name="Bench R"
        )
        db.session.add_all([editor, reviewer])
        db.session.flush()
        group = db.session.scalar(sa.select(WorkingGroup).order_by(WorkingGroup.id).limit(1))
        assert group is not None, "no working group: run `flask setup` first"
        member = WorkingGroupMember(group_id=group.id, name="Bench reviewer", position=9999)
        db.session.add(member)
        wg.link_account(member, reviewer)
        db.session.commit()
        return editor.get_id(), reviewer.get_id()


def _targets(app: Any, n: int) -> list[int]:
    """Published measures of the United States with no working copy pending, that the
    editor's form accepts as they are."""
    from tracker.extensions import db

    with app.app_context():
        return list(
            db.session.scalars(
                sa.text(
                    "SELECT r.id FROM records r JOIN measures m ON m.record_id = r.id "
                    "WHERE r.kind = 'measure' AND r.state = 'published' AND m.is_live "
                    "AND m.is_draft AND m.jurisdiction_code = 'US' AND r.deleted_at IS NULL "
                    # the editor's form refuses a mapping with neither pinpoint nor
                    # 'whole instrument' (some demo records, and so their clones, have one)
                    "AND NOT EXISTS (SELECT 1 FROM mappings p WHERE p.measure_id = m.id "
                    "AND COALESCE(TRIM(p.locator), '') = '' AND NOT p.whole_instrument) "
                    "ORDER BY r.id DESC LIMIT :n"
                ),
                {"n": n},
            )
        )


def publish(url: str, runs: int = 3) -> dict[str, Any]:
    """Edit, submit, approve, then time the editor's publish request ``runs`` times."""
    from tracker import gc_guard

    with gc_guard.between_requests():  # a worker's guard: see bench.scale.pages
        return _publish(url, runs)


def _publish(url: str, runs: int) -> dict[str, Any]:
    from tracker import gc_guard

    app = _app(url)
    editor_id, reviewer_id = _accounts(app)
    editor, reviewer = app.test_client(), app.test_client()
    _sign_in(editor, editor_id)
    _sign_in(reviewer, reviewer_id)
    times, statuses = [], []
    for rid in _targets(app, runs):
        edit = f"/measures/{rid}/edit"
        response = _post_form(
            editor, edit, edit, description=f"Changed by bench.scale publish at {time.time()}."
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        page = f"/review/{rid}"
        response = _post_form(editor, page, f"{page}/submit")
        assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
        response = _post_form(reviewer, page, f"{page}/approve")
        assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
        html = editor.get(page).get_data(as_text=True)
        data = as_data(form_fields(html, f"{page}/publish"))
        t0 = time.perf_counter()
        response = editor.post(f"{page}/publish", data=data)
        times.append(time.perf_counter() - t0)
        statuses.append(response.status_code)
        time.sleep(10)  # let the background task of this publication end before the next
        gc_guard.collect_if_due()
    return {
        "runs": len(times),
        "median": statistics.median(times) if times else None,
        "max": max(times) if times else None,
        "statuses": statuses,
    }
