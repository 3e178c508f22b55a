"""Markup and script in every text field, on pages and in PDFs.

tests/test_inert_markup.py types <script>, <img onerror> and javascript: links into the
fields it lists, for all three editors, and checks every page that shows them. Here:
a guard that its lists cover every free-text field the forms have (so a new field is not
forgotten), the fields it leaves out, Markdown links to internal addresses, and the PDF.
"""

from __future__ import annotations

import pytest

from tests import test_inert_markup as inert
from tests.bad_input.editors import EDITORS, MEASURES, post_new, record_id_of
from tests.pages import assert_inert
from tests.pdf_helpers import flat, pdf_text
from tests.test_pdf_safety import link_targets
from tracker.text import render_markdown

#: fields with their own format check (dates, language tags, web addresses, lines of names)
#: whose markup handling is checked in test_dates, test_urls and test_inert_markup's values
FORMATTED = {
    "title_lang",
    "events-0-date",
    "sources-0-accessed",
    "publication_date",
    "date",
    "official_url",
    "url",
    "sources-0-url",
    "attributing_orgs",
    "supported_by_orgs",
    "statements-0-orgs",
    "statements-0-date",
    "statements-0-source_url",
}
#: free-text fields test_inert_markup does not type into; covered below
EXTRA = {
    "measures": ["implementations-0-locator", "implementations-0-rationale"],
    "papers": [],
    "attributions": [],
}
COVERED = {
    "measures": inert.TEXT_FIELDS,
    "papers": inert.PAPER_TEXT_FIELDS,
    "attributions": inert.ATTRIBUTION_TEXT_FIELDS,
}


@pytest.mark.parametrize("editor", EDITORS, ids=str)
def test_every_free_text_field_is_typed_into_by_a_markup_test(editor):
    free = set(editor.text_fields()) - FORMATTED
    assert free - set(COVERED[editor.name]) - set(EXTRA[editor.name]) == set()


def test_implementation_rows_show_markup_as_text(app, client, login):
    login(client, "editor")
    values = {name: inert.payload(name) for name in EXTRA["measures"]}
    values.update(
        {
            "implementations-0-target": "action:gge-2021-guidance/i-3",
            "implementations-0-degree": "partial",
            "implementations-0-basis": "explicit",
        }
    )
    rid = record_id_of(post_new(client, MEASURES, **values))
    for path in (
        f"/measures/{rid}/edit",
        f"/measures/{rid}/history/compare?a=1&b=1&all=1",
        f"/review/{rid}?all=1",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_inert(
            response.get_data(as_text=True), shows=[inert.payload("implementations-0-rationale")]
        )


@pytest.mark.parametrize(
    "link",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:8080/",
        "http://2130706433/",
        "http://[::1]/",
        "http://10.0.0.1/",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:text/html,x",
        "http://intranet/",
    ],
)
def test_markdown_links_to_internal_or_non_web_addresses_lose_their_target(link):
    html = str(
        render_markdown(f"See [the source]({link}) and [a real one](https://www.example.org/).")
    )
    assert "the source" in html
    # Only the real one keeps an address (markdown-it leaves file:, javascript: and data:
    # links as plain text; nh3 drops the href of internal addresses).
    assert html.count("href=") == 1 and 'href="https://www.example.org/"' in html
    assert_inert(html)


@pytest.mark.slow
def test_markup_in_every_text_field_is_printed_as_text_in_the_pdf(reports, client, make_measure):
    fields = [
        "title_original",
        "title_en",
        "short_name",
        "issuing_body",
        "status_note",
        "official_identifier",
        "verification_note",
        "description",
    ]
    values = {name: f"<b>{name}</b><script>alert(1)</script>" for name in fields}
    values["description"] += (
        " [internal](http://169.254.169.254/) [public](https://www.example.org/brief)"
    )
    make_measure(
        jurisdiction_code="BR",
        **values,
        sources=[
            {
                "url": "https://example.org/s",
                "title": "<img src=x onerror=alert(1)>",
                "accessed": None,
            }
        ],
    )
    response = client.get("/jurisdictions/BR/brief.pdf?annex=1")
    assert response.status_code == 200
    text = flat(pdf_text(response.data))
    for name in fields:
        assert flat(f"<b>{name}</b><script>alert(1)</script>") in text, name
    assert flat("<img src=x onerror=alert(1)>") in text
    targets = link_targets(response.data)
    assert "https://www.example.org/brief" in targets
    assert all(t.startswith(("https://", "http://")) and "169.254" not in t for t in targets), (
        targets
    )
    assert b"/JavaScript" not in response.data and b"/JS " not in response.data
