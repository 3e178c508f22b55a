"""The load test's pure parts (bench/load): reading forms and CSRF tokens, summarising
samples, the Procfile command it starts, and the check that finds lost saves.

The locustfile itself is not imported: importing locust monkey-patches the standard
library through gevent, which would change every other test in this process. Its
helpers live in bench/load/loadkit.py for that reason."""

from __future__ import annotations

import json

import pytest

from bench.load import loadkit, run

LOGIN_PAGE = """<html><body>
<form method="get" action="/search/"><input name="q" value=""></form>
<form method="post" action="/login" class="stacked-form" novalidate>
  <input id="csrf_token" name="csrf_token" type="hidden" value="IjA1ZTk.token">
  <input id="next" name="next" type="hidden" value="">
  <input id="email" name="email" type="email" value="">
  <input id="password" name="password" type="password" value="">
  <button type="submit">Sign in</button>
</form></body></html>"""

EDIT_PAGE = """<form method="post" action="/measures/7/edit">
<input name="csrf_token" type="hidden" value="tok">
<input name="version" type="hidden" value="3">
<select name="status"><option value="draft">Draft</option>
<option value="in_force" selected>In force</option></select>
<select name="topics" multiple><option value="sbom" selected>SBOM</option>
<option value="x">X</option>
<option value="y" selected>Y</option></select>
<textarea name="description">
Old text &amp; more</textarea>
<input type="checkbox" name="flag" value="1">
<input type="checkbox" name="kept" value="1" checked>
<input type="submit" name="go" value="Save">
</form>"""


def test_csrf_token_is_read_from_the_login_form() -> None:
    assert loadkit.csrf_token(LOGIN_PAGE, "/login") == "IjA1ZTk.token"


def test_a_page_without_the_form_or_token_is_an_error() -> None:
    with pytest.raises(KeyError):
        loadkit.csrf_token(LOGIN_PAGE, "/logout")
    with pytest.raises(ValueError):
        loadkit.csrf_token(LOGIN_PAGE, "/search/")


def test_edit_form_fields_are_what_a_browser_submits_and_replace_keeps_order() -> None:
    fields = loadkit.form_fields(EDIT_PAGE, "/measures/7/edit")
    assert fields == [
        ("csrf_token", "tok"),
        ("version", "3"),
        ("status", "in_force"),
        ("topics", "sbom"),
        ("topics", "y"),
        ("description", "Old text & more"),
        ("kept", "1"),
    ]
    changed = loadkit.replace(fields, description="New [load:e:1:ab]")
    assert changed[5] == ("description", "New [load:e:1:ab]")
    assert dict(changed)["version"] == "3"
    assert len(changed) == len(fields)


def test_refresh_header_of_a_progress_page() -> None:
    assert loadkit.refresh_seconds({"Refresh": "4"}) == 4.0
    assert loadkit.refresh_seconds({"Refresh": "2; url=/x"}) == 2.0
    assert loadkit.refresh_seconds({}) == 3.0


def test_summary_groups_requests_counts_5xx_and_percentiles() -> None:
    samples = [("public: /", float(ms), 200, False) for ms in range(1, 101)]
    samples += [
        ("edit-save: /measures/[id]/edit", 50.0, 302, False),
        ("edit-save: /measures/[id]/edit", 70.0, 503, True),
    ]
    samples += [("pdf: /x.pdf", 5.0, 0, True)]  # no response at all: a failure, not a 5xx
    s = loadkit.summarise(samples, seconds=10)
    public = s["groups"]["public"]
    assert (public["requests"], public["rps"], public["p50_ms"], public["p95_ms"]) == (
        100,
        10.0,
        50.0,
        95.0,
    )
    assert s["groups"]["edit-save"]["5xx"] == 1
    assert s["groups"]["edit-save"]["statuses"] == {"302": 1, "503": 1}
    assert s["groups"]["pdf"]["failures"] == 1 and s["groups"]["pdf"]["5xx"] == 0
    assert s["total"]["requests"] == 103 and s["total"]["5xx"] == 1
    assert list(s["groups"]) == ["public", "pdf", "edit-save"]


def saves(*pairs):
    return [
        loadkit.Save(rid, marker, f"ed{rid}", seq) for seq, (rid, marker) in enumerate(pairs, 1)
    ]


def test_no_problem_when_every_confirmed_save_is_in_the_database() -> None:
    confirmed = saves((1, "[load:a:1:x]"), (1, "[load:a:2:y]"))
    db = {
        1: {
            "description": "Text [load:a:2:y]",
            "revisions": ["Initial text.", "Text [load:a:1:x]", "Text [load:a:2:y]"],
        }
    }
    assert loadkit.lost_saves(confirmed, db) == []


def test_a_missing_marker_is_a_lost_save() -> None:
    confirmed = saves((1, "[load:a:1:x]"), (1, "[load:a:2:y]"))
    db = {
        1: {"description": "Text [load:a:1:x]", "revisions": ["Initial text.", "Text [load:a:1:x]"]}
    }
    problems = loadkit.lost_saves(confirmed, db)
    assert any("[load:a:2:y]" in p and "lost" in p for p in problems)
    assert any("2 revisions, expected 3" in p for p in problems)
    assert any("last confirmed save was [load:a:2:y]" in p for p in problems)


def test_an_unconfirmed_revision_or_a_missing_record_is_reported() -> None:
    confirmed = saves((1, "[load:a:1:x]"), (2, "[load:b:1:z]"))
    db = {
        1: {
            "description": "T [load:a:9:q]",
            "revisions": ["Initial.", "T [load:a:1:x]", "T [load:a:9:q]"],
        }
    }
    problems = loadkit.lost_saves(confirmed, db)
    assert any("record 2: not in the database" in p for p in problems)
    assert any("never confirmed" in p for p in problems)


def test_saves_are_read_back_from_json_lines(tmp_path) -> None:
    path = tmp_path / "saves.jsonl"
    path.write_text(
        json.dumps({"record_id": 3, "marker": "[load:e:1:aa]", "editor": "e@x", "seq": 1}) + "\n\n"
    )
    assert loadkit.read_saves(path) == [loadkit.Save(3, "[load:e:1:aa]", "e@x", 1)]
    assert loadkit.read_saves(tmp_path / "none.jsonl") == []


def test_the_procfile_web_command_is_started_on_loopback() -> None:
    procfile = (run.ROOT / "Procfile").read_text()
    argv = run.procfile_command(procfile, "web", {"WEB_CONCURRENCY": "3", "PORT": "8000"})
    assert argv[0] == "gunicorn" and "tracker:create_app()" in argv
    assert argv[argv.index("--workers") + 1] == "3"
    bound = run.bind_loopback(argv, 5123)
    assert bound[bound.index("--bind") + 1] == "127.0.0.1:5123"
    assert run.procfile_command(procfile, "worker", {})[-2:] == ["reports", "worker"]
