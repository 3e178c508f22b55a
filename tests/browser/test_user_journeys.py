"""The journeys of issue 16, in a real browser.

(a) A newcomer runs ``flask setup`` on an empty database in development, signs in with the
    printed editor password and lands on the review queue.
(b) Policy staff record a measure through the form: "Add another source" brings the page
    back at the new row, and "Create draft" lands on the record.
(c) A working-group reviewer requests changes; after the editor revises, the review page
    shows "Changes since your last review"; after publishing it says what happened.
(d) The diplomat's journey (browse, compare, download a brief) is test_public_journey.py and
    test_brief_journey.py.

Screenshots go to TRACKER_SCREENSHOTS (a folder) when that is set.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Any

from tests.browser.conftest import BROWSER, DESKTOP, PHONE, LiveServer
from tests.browser.test_review_journey import create_account, sign_in
from tests.conftest import standalone_app

pytestmark = BROWSER

DEMO_LINE = re.compile(r"^\s+(admin|editor|reviewer)\s+(\S+@demo\.test)\s+password: (\S+)$", re.M)


def shoot(page: Any, name: str) -> None:
    folder = os.environ.get("TRACKER_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=f"{folder}/{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def test_newcomer_signs_in_with_the_printed_demo_account(
    browser: Any, fresh_database_url: str
) -> None:
    from playwright.sync_api import expect

    with standalone_app(fresh_database_url) as app:
        result = app.test_cli_runner().invoke(args=["setup"])
        assert result.exit_code == 0, result.output
        accounts = {role: (email, pw) for role, email, pw in DEMO_LINE.findall(result.output)}
        email, password = accounts["editor"]
        server = LiveServer(app)
        server.start()
        context = browser.new_context(base_url=server.url, viewport=DESKTOP)
        try:
            page = context.new_page()
            page.goto("/login")
            # The sign-in page says that demo accounts exist (never their passwords).
            expect(page.locator("main")).to_contain_text(email)
            assert password not in page.content()
            shoot(page, "first-sign-in")
            page.get_by_label("E-mail address").fill(email)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            expect(page).to_have_url(re.compile(r"/review/$"))
            expect(page.get_by_role("heading", level=1)).to_have_text("Review")
        finally:
            context.close()
            server.stop()


def test_staff_record_a_measure_and_a_reviewer_sees_the_changes_since_their_review(
    browser: Any, live_server: Any
) -> None:
    from playwright.sync_api import expect

    editor_email = create_account(live_server, "editor", "Test Journey Editor")
    reviewer_email = create_account(live_server, "reviewer", "Test Journey Reviewer")
    short = f"TestJourney{uuid.uuid4().hex[:6]}"
    contexts = []

    def new_page() -> Any:
        context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    try:
        # (b) The editor records a measure through the form.
        editor = new_page()
        sign_in(editor, editor_email)
        editor.goto("/measures/new")
        editor.select_option("#jurisdiction_code", "DE")
        editor.select_option("#type", "standard_guidance")
        editor.fill("#title_original", f"Test guidance for the journey {short}")
        editor.fill("#title_lang", "en")
        editor.fill("#short_name", short)
        editor.select_option("#status", "adopted")
        editor.select_option("#verification", "unverified")
        editor.select_option("#events-0-kind", "adopted")
        editor.fill("#events-0-date", "2025-02")
        editor.fill("#sources-0-title", "Example source for the journey")
        editor.fill("#sources-0-url", "https://example.org/journey")
        rows = editor.locator("fieldset.row-sources").count()
        editor.get_by_role("button", name="Add another source").click()
        # The page comes back at the new row, with what was typed kept.
        expect(editor).to_have_url(re.compile(rf"#sources-{rows + 1}$"))
        expect(editor.locator(f"#sources-{rows + 1}")).to_be_in_viewport()
        assert editor.evaluate("window.scrollY") > 500
        expect(editor.locator("#sources-0-title")).to_have_value("Example source for the journey")
        editor.fill(f"#sources-{rows}-title", "Second example source")
        editor.fill(f"#sources-{rows}-url", "https://example.org/journey-2")
        editor.select_option("#mappings-0-target", "norm:j")
        editor.check("#mappings-0-whole_instrument")
        editor.fill("#mappings-0-rationale", "Test rationale: the guidance as a whole.")
        editor.get_by_role("button", name="Create draft").click()
        expect(editor.locator(".flash-success")).to_contain_text("Measure created as a draft")
        # It lands on the record, not on its history.
        expect(editor).to_have_url(re.compile(r"/measures/\d+\?drafts=1$"))
        expect(editor.get_by_role("heading", level=1)).to_contain_text("Test guidance")
        record_id = re.search(r"/measures/(\d+)", editor.url).group(1)
        review_url = f"/review/{record_id}"
        editor.goto(review_url)
        # A new record shows only what is filled in: no "(empty)" boxes.
        expect(editor.locator("#changes + .diff-options")).to_contain_text("fields filled in")
        expect(editor.locator(".diff .side.old")).to_have_count(0)
        editor.get_by_role("button", name="Submit for review").click()
        expect(editor.locator(".flash-success")).to_contain_text("for review")

        # (c) The reviewer asks for a change.
        reviewer = new_page()
        sign_in(reviewer, reviewer_email)
        expect(reviewer).to_have_url(re.compile(r"/review/$"))
        reviewer.goto(review_url)
        reviewer.select_option("#request_changes-field", "title_en")
        reviewer.fill("#request_changes-message", "Please give the English title.")
        reviewer.get_by_role("button", name="Request changes").click()
        expect(reviewer.locator(".flash-success")).to_contain_text("Changes requested")

        # The editor revises and submits again.
        editor.goto(f"/measures/{record_id}/edit")
        editor.fill("#title_en", f"Test English title {short}")
        editor.get_by_role("button", name="Save changes").click()
        expect(editor).to_have_url(re.compile(rf"/measures/{record_id}\?drafts=1$"))
        editor.goto(review_url)
        editor.get_by_role("button", name="Submit for review").click()
        expect(editor.locator(".flash-success")).to_contain_text("for review")

        # The reviewer comes back: the changes since their last review, and only those.
        reviewer.goto(review_url)
        expect(reviewer.locator("#changes")).to_have_text("Changes since your last review")
        expect(reviewer.locator("#field-title_en")).to_contain_text("Test English title")
        expect(reviewer.locator("#field-short_name")).to_have_count(0)
        shoot(reviewer, "changes-since-last-review")
        # The whole draft is one click away.
        reviewer.get_by_role("link", name="Show the whole draft instead").click()
        expect(reviewer.locator("#changes")).to_have_text("What changed")
        expect(reviewer.locator("#field-short_name")).to_contain_text(short)
        reviewer.get_by_role("button", name=re.compile(r"^Approve revision \d+$")).click()
        expect(reviewer.locator(".flash-success")).to_contain_text("Approved")

        # The editor publishes; the review page says what happened.
        editor.goto(review_url)
        editor.get_by_role("button", name="Publish").click()
        summary = editor.locator("#published-summary")
        expect(summary).to_contain_text("by Test Journey Editor")
        expect(summary).to_contain_text("1 of 1 approval")
        expect(editor.locator("main")).not_to_contain_text("Revision under review")
        shoot(editor, "review-after-publishing")
    finally:
        for context in contexts:
            context.close()
