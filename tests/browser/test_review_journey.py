"""Review and publish, in a real browser: an editor signs in through the login form, creates
a measure through the real form and submits it; a reviewer of the working group signs in
and approves it; the editor publishes; an anonymous visitor finds it on /measures/."""

from __future__ import annotations

import re
import uuid

from tests.browser.conftest import BROWSER, PHONE

pytestmark = BROWSER

PASSWORD = "test-password-for-review"


def create_account(live_server, role: str, name: str) -> str:
    """An account in the live server's own database, made through the CLI."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
    runner = live_server.app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", email, "--role", role, "--name", name, "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    if role == "reviewer":
        result = runner.invoke(args=["groups", "link", "wg-software-supply-chain", email])
        assert result.exit_code == 0, result.output
    return email


def sign_in(page, email: str) -> None:
    from playwright.sync_api import expect

    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_review_and_publish(browser, live_server) -> None:
    from playwright.sync_api import expect

    editor_email = create_account(live_server, "editor", "Test Browser Editor")
    reviewer_email = create_account(live_server, "reviewer", "Test Browser Reviewer")
    short = f"TestRev{uuid.uuid4().hex[:6]}"
    contexts = []

    def new_page(viewport=None):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport or {"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        return page, errors

    try:
        # The editor creates the measure through the form and submits it for review.
        editor, editor_errors = new_page()
        sign_in(editor, editor_email)
        editor.goto("/measures/new")
        editor.select_option("#jurisdiction_code", "DE")
        editor.select_option("#type", "standard_guidance")
        editor.fill("#title_original", f"Test guidance for the review journey {short}")
        editor.fill("#title_lang", "en")
        editor.fill("#short_name", short)
        editor.select_option("#status", "adopted")
        editor.select_option("#verification", "unverified")
        editor.select_option("#events-0-kind", "adopted")
        editor.fill("#events-0-date", "2025-02")
        editor.fill("#sources-0-title", "Example source for the journey")
        editor.fill("#sources-0-url", "https://example.org/journey")
        editor.select_option("#mappings-0-target", "norm:j")
        editor.fill("#mappings-0-locator", "Section 2")
        editor.fill("#mappings-0-rationale", "Written for the review journey test.")
        editor.get_by_role("button", name="Create draft").click()
        expect(editor.locator(".flash-success")).to_contain_text("Measure created as a draft")
        editor.get_by_role("link", name="Review", exact=True).last.click()
        expect(editor.get_by_role("heading", level=1)).to_have_text(f"Review: {short}")
        expect(editor.get_by_label("Working group that reviews it")).to_have_value(
            re.compile(r"\d+")
        )
        editor.get_by_role("button", name="Submit for review").click()
        expect(editor.locator(".flash-success")).to_contain_text("Submitted for review")
        review_url = editor.url

        # The public sees nothing of it.
        anonymous, anonymous_errors = new_page()
        anonymous.goto("/measures/")
        expect(anonymous.get_by_role("link", name=short)).to_have_count(0)

        # The reviewer finds it in their queue, on a phone, and approves it.
        reviewer, reviewer_errors = new_page(PHONE)
        sign_in(reviewer, reviewer_email)
        expect(reviewer.locator(".notifications-link .count-badge")).to_contain_text("1")
        reviewer.goto("/review/")
        waiting = reviewer.locator(
            "section", has=reviewer.get_by_role("heading", name="Waiting for review")
        )
        expect(waiting.locator(".queue-item", has_text=short)).to_contain_text("0 of 1 approval")
        waiting.get_by_role("link", name=short).click()
        expect(reviewer.locator("#field-short_name")).to_contain_text(
            short
        )  # the diff: every field is new
        assert reviewer.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        reviewer.get_by_role("button", name=re.compile(r"^Approve revision \d+$")).click()
        expect(reviewer.locator(".flash-success")).to_contain_text(
            "Approved. It is ready to publish."
        )

        # The editor publishes.
        editor.goto(review_url)
        expect(editor.get_by_label("Public note on this change")).to_have_value("First publication")
        editor.get_by_role("button", name="Publish").click()
        expect(editor.locator(".flash-success")).to_contain_text("Published")

        # An anonymous visitor finds it on /measures/.
        anonymous.goto("/measures/?jurisdiction=DE&norm=j")
        anonymous.get_by_role("link", name=short).click()
        expect(anonymous.get_by_role("heading", level=1)).to_contain_text(
            "Test guidance for the review journey"
        )
        assert not (editor_errors or reviewer_errors or anonymous_errors)
    finally:
        for context in contexts:
            context.close()
