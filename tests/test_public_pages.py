"""Public pages: what they show, how they treat bad input, and that the public never sees
drafts or deleted records."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from tracker.accounts.permissions import PUBLIC, policy_of
from tracker.extensions import db
from tracker.measures.models import Mapping, Measure
from tracker.norms.models import Commitment, Norm
from tracker.records import services as records
from tracker.records.models import Record
from tracker.records.queries import visible

# -- helpers --------------------------------------------------------------------------------


class Page(HTMLParser):
    """A small structural view of an HTML page: headings, landmarks, links, form controls."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.h1_count = 0
        self.links: list[tuple[str, str]] = []
        self._link: list[Any] | None = None
        self.labels_for: set[str] = set()
        self.feed(html)
        self.text = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag == "h1":
            self.h1_count += 1
        if tag == "a":
            self._link = [a.get("href", ""), ""]
        if tag == "label" and a.get("for"):
            self.labels_for.add(a["for"])

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], re.sub(r"\s+", " ", self._link[1]).strip()))
            self._link = None

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]

    def hrefs(self) -> list[str]:
        return [href for href, _ in self.links]


def get_page(client: Any, path: str, status: int = 200) -> tuple[Any, Page]:
    response = client.get(path)
    assert response.status_code == status, (
        path,
        response.status_code,
        response.get_data(as_text=True)[:500],
    )
    return response, Page(response.get_data(as_text=True))


def record_id(key: str) -> int:
    rid = db.session.scalar(sa.select(Record.id).where(Record.key == key))
    assert rid is not None, key
    return rid


def live(key: str) -> Measure:
    return db.session.scalar(visible(Measure).where(Measure.record_id == record_id(key)))


PUBLIC_PAGES = [
    "/",
    "/norms/",
    "/norms/i",
    "/jurisdictions/",
    "/jurisdictions/DE",
    "/jurisdictions/EU",
    "/measures/",
]


# -- every page: structure and accessibility basics -------------------------------------------


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_page_has_one_h1_landmarks_and_labelled_controls(client, path) -> None:
    _, page = get_page(client, path)
    assert page.h1_count == 1
    assert page.find("html", lang="en")
    assert (
        page.find("main", id="main")
        and page.find("nav")
        and page.find("header")
        and page.find("footer")
    )
    for tag in ("select", "input", "textarea"):
        for control in page.find(tag):
            if control.get("type") in ("hidden", "submit"):
                continue
            assert control.get("id") in page.labels_for, f"{tag} {control} has no label"
    # No inline scripts or styles (the CSP forbids them) and no external assets.
    assert not page.find("script") and not any("style" in a for _, a in page.tags)
    for _, attrs in page.tags:
        for name in ("src",):
            assert not attrs.get(name, "/").startswith(("http:", "https:", "//"))


def test_every_public_endpoint_declares_public(app) -> None:
    endpoints = [
        "site.index",
        "site.healthz",
        "norms.index",
        "norms.detail",
        "jurisdictions.index",
        "jurisdictions.detail",
        "measures.index",
        "measures.detail",
        "api.index",
        "api.norms",
        "api.norm",
        "api.jurisdictions",
        "api.jurisdiction",
        "api.measures",
        "api.measure",
    ]
    with app.test_request_context():
        for endpoint in endpoints:
            assert policy_of(endpoint) == PUBLIC, endpoint


# -- start page ----------------------------------------------------------------------------


def test_start_page_counts_and_explains_the_focus(app_ctx, client) -> None:
    _, page = get_page(client, "/")
    n_measures = db.session.scalar(
        sa.select(sa.func.count()).select_from(visible(Measure).subquery())
    )
    n_jurisdictions = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Measure.jurisdiction_code))).where(Measure.is_live)
    )
    assert f"{n_measures} measures" in page.text
    assert f"{n_jurisdictions} jurisdictions with measures" in page.text
    assert "11 norms" in page.text
    assert (
        f"{db.session.scalar(sa.select(sa.func.count()).select_from(Commitment))} commitments"
        in page.text
    )
    assert "supply-chain" in page.text and "norm (i)" in page.text and "norm (j)" in page.text


def test_coverage_grid_counts_match_the_lists_they_link_to(app_ctx, client) -> None:
    """Every number in the grid links to a filtered list showing exactly that many measures."""
    _, page = get_page(client, "/")
    cells = [
        (href, text)
        for href, text in page.links
        if href.startswith("/measures/?") and "norm=" in href
    ]
    # A row per jurisdiction with measures (EU included), a cell per supply-chain norm.
    rows = {parse_qs(urlsplit(h).query)["jurisdiction"][0] for h, _ in cells}
    assert {"EU", "DE", "US", "JP", "GB"} <= rows
    for href, text in cells:
        count = int(text.split()[0])
        _, listed = get_page(client, href)
        shown = re.search(r" (\d+) measures? match these filters", listed.text)
        assert shown and int(shown.group(1)) == count, (href, count)


def test_coverage_grid_marks_gaps(app_ctx, client, make_measure) -> None:
    # A jurisdiction whose only measure serves norm (g): both supply-chain cells are gaps.
    make_measure(
        jurisdiction_code="BR",
        mappings=[
            {
                "norm": "g",
                "commitment": None,
                "locator": None,
                "rationale": "Test",
                "basis": "inferred",
            }
        ],
    )
    response, page = get_page(client, "/")
    html = response.get_data(as_text=True)
    row = html[html.index('href="/jurisdictions/BR"') :]
    row = row[: row.index("</tr>")]
    assert row.count('class="count gap"') == 2
    assert "Gap" in row


def test_recently_changed_lists_the_newest_change_first(app_ctx, client, make_measure) -> None:
    make_measure(title_original="Test measure recently changed", short_name=None)
    _, page = get_page(client, "/")
    recent = page.text[page.text.index("Recently changed measures") :]
    assert recent.index("Test measure recently changed") < 200


# -- norms -------------------------------------------------------------------------------------


def test_norms_index_lists_norms_documents_and_commitments(app_ctx, client) -> None:
    response, page = get_page(client, "/norms/")
    html = response.get_data(as_text=True)
    for norm in db.session.scalars(sa.select(Norm)):
        assert f"/norms/{norm.letter}" in page.hrefs()
        assert norm.short_title in page.text
    assert "A/70/174" in page.text and "A/RES/70/237" in page.text
    assert "Symbol not established" in page.text  # the 2024 APR's symbol is only recalled
    assert "22 July 2015" in page.text
    # Commitments are grouped by kind; doubtful ones say so next to them.
    assert "Global confidence-building measures" in page.text
    checklist = html[html.index('id="commitment-norms-checklist"') :]
    checklist = checklist[: checklist.index("</li>\n")]
    assert "Contested" in checklist
    cbm = html[html.index('id="commitment-cbm-2023-01"') :]
    cbm = cbm[: cbm.index("</li>\n")]
    assert "Unverified" in cbm and "not confirmed" in cbm


def test_norm_page_shows_official_text_source_verification_and_mapped_measures(
    app_ctx, client
) -> None:
    response, page = get_page(client, "/norms/i")
    html = response.get_data(as_text=True)
    norm = db.session.scalar(sa.select(Norm).where(Norm.letter == "i"))
    quote = html[html.index("<blockquote") : html.index("</blockquote>")]
    assert norm.official_text in quote
    assert norm.reference in page.text
    assert norm.verification.label in page.text and norm.verification_note in page.text
    for source in norm.sources:
        assert source["title"] in page.text
    # Every visible measure mapped to (i) is listed, under its jurisdiction's heading.
    stmt = (
        visible(Measure)
        .join(Mapping, Mapping.measure_id == Measure.id)
        .where(Mapping.norm_id == norm.id)
    )
    mapped = list(db.session.scalars(stmt).unique())
    assert len(mapped) > 10
    for measure in mapped:
        assert f"/measures/{measure.record_id}" in page.hrefs()
    eu = html.index('id="j-EU"')
    cra = html.index(f'href="/measures/{record_id("eu-cra")}"')
    assert eu < cra < html.index('id="j-US"')
    # The CRA's mapping: locator, rationale and basis.
    cra_item = html[cra : html.index("</li>\n        </ul>", cra)]
    assert "Annex I" in cra_item and "binding product security requirements" in cra_item
    assert "Analyst&#39;s inference" in cra_item or "Analyst's inference" in cra_item


def test_norm_page_related_commitments(client) -> None:
    _, page = get_page(client, "/norms/j")
    assert "Responsible reporting of ICT vulnerabilities (norm 13(j))" in page.text


def test_norm_letters_are_case_insensitive_and_unknown_ones_are_404(client) -> None:
    response = client.get("/norms/I?drafts=1")
    assert response.status_code == 301
    assert response.headers["Location"] == "/norms/i?drafts=1"
    for bad in ("z", "ab", "1"):
        _, page = get_page(client, f"/norms/{bad}", 404)
        assert page.h1_count == 1
        assert f"There is no norm ({bad})" in page.text and "a to k" in page.text
        assert "/norms/" in page.hrefs()


# -- jurisdictions -------------------------------------------------------------------------------


def test_jurisdictions_index_lists_those_with_measures_first_then_all(app_ctx, client) -> None:
    response, page = get_page(client, "/jurisdictions/")
    html = response.get_data(as_text=True)
    with_measures = html[: html.index('id="orgs-heading"')]
    assert "/jurisdictions/DE" in with_measures and "/jurisdictions/BR" not in with_measures
    assert "Regional organisation" in with_measures
    everyone = html[html.index('id="all-heading"') :]
    assert "/jurisdictions/BR" in everyone and "/jurisdictions/AX" in everyone  # Åland under A
    assert everyone.index("Åland") < everyone.index('id="initial-B"')


def test_member_state_page_includes_eu_measures_via_eu(app_ctx, client) -> None:
    response, page = get_page(client, "/jurisdictions/DE")
    html = response.get_data(as_text=True)
    assert "Measures by norm" in page.text and "Measures by supply-chain topic" in page.text
    assert f"/measures/{record_id('de-itsig-2-0')}" in page.hrefs()
    cra = html.index(f'href="/measures/{record_id("eu-cra")}"')
    assert "via EU" in html[cra : cra + 400]
    # Grouped by norm: norm (i)'s group holds the German and the EU measures.
    group = html[html.index('id="norm-i"') : html.index('id="norm-j"')]
    assert (
        f"/measures/{record_id('eu-cra')}" in group
        and f"/measures/{record_id('de-bsi-tr-03183')}" in group
    )
    # Topics group the same measures.
    assert 'id="topic-sbom"' in html


def test_member_state_without_own_measures_still_shows_eu_measures(app_ctx, client) -> None:
    _, page = get_page(client, "/jurisdictions/AT")
    assert f"/measures/{record_id('eu-cra')}" in page.hrefs()
    assert "via EU" in page.text


def test_eu_page_lists_its_member_states(app_ctx, client) -> None:
    response, page = get_page(client, "/jurisdictions/EU")
    html = response.get_data(as_text=True)
    members = html[html.index('id="members"') :]
    assert "/jurisdictions/DE" in members and "/jurisdictions/GR" in members
    assert "(27)" in members
    assert "Regional organisation" in page.text
    assert (
        "via EU" not in html[: html.index('id="members"')]
    )  # its own measures are not "via" anything


def test_lower_case_codes_redirect_permanently(client) -> None:
    response = client.get("/jurisdictions/de?drafts=1")
    assert response.status_code == 301
    assert response.headers["Location"] == "/jurisdictions/DE?drafts=1"


@pytest.mark.parametrize(
    ("code", "suggested", "label"),
    [
        ("UK", "GB", "United Kingdom (GB)"),
        ("EL", "GR", "Greece (GR)"),
        ("uk", "GB", "United Kingdom (GB)"),
        ("DEU", "DE", "Germany (DE)"),
    ],
)
def test_common_mistaken_codes_suggest_the_right_one(client, code, suggested, label) -> None:
    _, page = get_page(client, f"/jurisdictions/{code}", 404)
    assert "Did you mean" in page.text
    assert (f"/jurisdictions/{suggested}", label) in page.links


def test_code_outside_iso_3166_is_a_404_that_says_so(client) -> None:
    _, page = get_page(client, "/jurisdictions/XK", 404)
    assert "XK is not an ISO 3166-1 alpha-2 code" in page.text
    assert "/jurisdictions/" in page.hrefs()
    _, page = get_page(client, "/jurisdictions/NOPE", 404)
    assert "no jurisdiction with the code" in page.text


# -- measure list --------------------------------------------------------------------------------


def test_measure_list_filters_keep_their_values_and_can_be_cleared(app_ctx, client) -> None:
    response, page = get_page(client, "/measures/?jurisdiction=DE&norm=i&type=law")
    html = response.get_data(as_text=True)
    assert page.find("option", value="DE", selected="")
    assert page.find("option", value="i", selected="")
    assert page.find("option", value="law", selected="")
    assert page.find("form", method="get")
    assert ("/measures/", "Clear filters") in page.links
    # Results: German and EU laws mapped to norm (i).
    assert f"/measures/{record_id('de-itsig-2-0')}" in page.hrefs()
    assert f"/measures/{record_id('eu-nis2')}" in page.hrefs()
    assert f"/measures/{record_id('eu-cra')}" not in page.hrefs()  # a regulation
    assert f"/measures/{record_id('us-eo-14028')}" not in page.hrefs()
    # Each active filter can be removed on its own.
    assert "/measures/?jurisdiction=DE&amp;norm=i" in html
    assert "Jurisdiction: Germany (DE)" in page.text


def test_several_values_of_one_filter_are_all_kept(client) -> None:
    _, page = get_page(client, "/measures/?type=law&type=regulation")
    assert page.find("select", id="f-type", multiple="")
    assert page.find("option", value="law", selected="") and page.find(
        "option", value="regulation", selected=""
    )
    assert "Type: Law" in page.text and "Type: Regulation" in page.text


@pytest.mark.parametrize(
    ("query", "included", "excluded"),
    [
        ("topic=sbom", "jp-meti-sbom-guide", "fr-5g-law-2019"),
        ("status=rescinded", "us-omb-m-22-18", "eu-cra"),
        ("year=2024", "eu-cra", "eu-nis2"),
        ("norm=j", "nl-ncsc-cvd-guideline", "fr-5g-law-2019"),
        ("jurisdiction=jp", "jp-meti-sbom-guide", "eu-cra"),
        ("type=standard_guidance&type=law", "jp-meti-sbom-guide", "eu-cra"),
    ],
)
def test_each_filter_narrows_the_list(app_ctx, client, query, included, excluded) -> None:
    _, page = get_page(client, f"/measures/?{query}")
    assert f"/measures/{record_id(included)}" in page.hrefs()
    assert f"/measures/{record_id(excluded)}" not in page.hrefs()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("norm=q", "Unknown norm: q. Norms are the letters a to k."),
        ("jurisdiction=UK", "Unknown jurisdiction code: UK (for UK use GB (United Kingdom))"),
        ("topic=nonsense", "Unknown topic: nonsense. Topics are: sbom,"),
        ("type=treaty", "Invalid type: 'treaty' is not one of: law, regulation"),
        ("status=enacted", "Invalid status: 'enacted' is not one of: proposed, adopted"),
        ("year=20x", "Invalid year '20x': give one year as four digits"),
        ("page=0", "Invalid page '0': give a whole number"),
        ("page=99999999999999999999", "Invalid page"),
    ],
)
def test_malformed_filters_are_a_400_page_that_says_what_is_allowed(client, query, message) -> None:
    _, page = get_page(client, f"/measures/?{query}", 400)
    assert message in page.text
    assert page.h1_count == 1 and "Bad request" in page.text
    assert "/measures/" in page.hrefs()


def test_page_past_the_end_is_a_404(client) -> None:
    _, page = get_page(client, "/measures/?page=50", 404)
    assert "There is no page 50" in page.text


def test_measure_list_paginates_and_keeps_filters(app, client, make_measure) -> None:
    app.config["PAGE_SIZE"] = 5
    with app.app_context():
        n = db.session.scalar(
            sa.select(sa.func.count()).select_from(
                visible(Measure).where(Measure.jurisdiction_code.in_(["US"])).subquery()
            )
        )
    assert n > 5
    _, first = get_page(client, "/measures/?jurisdiction=US")
    assert f"{n} measures match these filters, page 1 of 2" in first.text
    nxt = [href for href, text in first.links if text.startswith("Next")]
    assert nxt == ["/measures/?page=2&jurisdiction=US"]
    _, second = get_page(client, nxt[0])
    first_ids = {h for h in first.hrefs() if re.fullmatch(r"/measures/\d+", h)}
    second_ids = {h for h in second.hrefs() if re.fullmatch(r"/measures/\d+", h)}
    assert len(first_ids) == 5 and len(second_ids) == n - 5 and not first_ids & second_ids


# -- one measure ---------------------------------------------------------------------------------


def test_measure_page_shows_every_field(app_ctx, client) -> None:
    measure = live("eu-cra")
    response, page = get_page(client, f"/measures/{measure.record_id}")
    html = response.get_data(as_text=True)
    for value in (
        measure.title_original,
        measure.short_name,
        "European Union",
        "Regulation",
        measure.issuing_body,
        "Partly applicable",
        measure.status_note,
        measure.official_url,
        "Secondary sources only",
        "Software bill of materials (SBOM)",
        "Incident reporting",
    ):
        assert value in page.text, value
    assert "CELEX 32024R2847" in page.text
    assert page.find("a", href=measure.official_url)
    assert "Annex I Part II(1) requires an SBOM" in html  # description, through markdown
    assert html.count("<p>") >= 2
    # Timeline, at the precision recorded; staggered application dates all shown.
    for text in (
        "23 October 2024",
        "20 November 2024",
        "10 December 2024",
        "11 June 2026",
        "11 September 2026",
        "11 December 2027",
    ):
        assert text in page.text
    assert page.find("time", datetime="2027-12-11")
    assert page.text.count("Applies from") == 3
    # Numbered sources.
    assert "sorena.io CRA calendar (Art. 71 dates)" in html[html.index('<ol class="sources">') :]
    # Mappings: target, locator, rationale, basis.
    assert ("/norms/i", "Norm (i): Ensure ICT supply-chain integrity") in page.links
    assert "Art. 14" in page.text and "coordinated vulnerability disclosure" in page.text
    assert "Analyst's inference" in page.text


def test_measure_title_in_another_language_carries_its_lang(app_ctx, client) -> None:
    measure = live("jp-meti-sbom-guide")
    response, page = get_page(client, f"/measures/{measure.record_id}")
    assert page.find("h1", lang="ja")
    assert measure.title_original in page.text
    assert (
        "Guide of Introduction of Software Bill of Materials (SBOM) for Software Management"
        in page.text
    )


def test_lists_mark_the_language_of_official_titles_only(app_ctx, client, make_measure) -> None:
    """An official title carries its language; an (English) short name does not."""
    make_measure(
        jurisdiction_code="BR",
        title_original="Medida de teste",
        title_lang="pt",
        short_name=None,
        title_en="Test measure in Portuguese",
    )
    make_measure(
        jurisdiction_code="BR",
        title_original="Outra medida de teste",
        title_lang="pt",
        short_name="Test short name",
        title_en=None,
    )
    response, _ = get_page(client, "/measures/?jurisdiction=BR")
    html = response.get_data(as_text=True)
    assert '<span lang="pt">Medida de teste</span>' in html
    assert '<p class="full-title">Test measure in Portuguese</p>' in html
    assert "<span>Test short name</span>" in html
    assert '<p class="full-title" lang="pt">Outra medida de teste</p>' in html


def test_partial_dates_are_shown_at_their_precision(app_ctx, client) -> None:
    measure = live("us-nist-sp-800-218")
    _, page = get_page(client, f"/measures/{measure.record_id}")
    assert "February 2022" in page.text
    assert page.find("time", datetime="2022-02")
    assert "1 February 2022" not in page.text


def test_relations_link_both_ways_and_only_to_visible_measures(
    app_ctx, client, make_measure
) -> None:
    nis2 = live("eu-nis2")
    _, page = get_page(client, f"/measures/{nis2.record_id}")
    assert "Transposed by" in page.text
    assert f"/measures/{record_id('de-nis2umsucg')}" in page.hrefs()
    draft = make_measure(
        published=False, title_original="Test draft target", short_name="Test draft target"
    )
    source = make_measure(
        relations=[{"kind": "amends", "target_record_id": draft.record_id, "note": None}]
    )
    _, page = get_page(client, f"/measures/{source.record_id}")
    assert "Amends" in page.text and "a measure that is not published" in page.text
    assert (
        f"/measures/{draft.record_id}" not in page.hrefs() and "Test draft target" not in page.text
    )


def test_description_markdown_is_sanitised(app_ctx, client, make_measure) -> None:
    measure = make_measure(
        description="**Bold** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://example.org/)"
    )
    response, page = get_page(client, f"/measures/{measure.record_id}")
    html = response.get_data(as_text=True)
    assert "<strong>Bold</strong>" in html
    assert "<script>" not in html and 'href="javascript:' not in html
    assert "&lt;script&gt;" in html  # shown as text, not run
    assert page.find("a", href="https://example.org/", rel="nofollow noopener noreferrer")


def test_unknown_measure_is_a_404(client) -> None:
    _, page = get_page(client, "/measures/999999", 404)
    assert "There is no published measure number 999999" in page.text


# -- drafts and deleted records never reach the public ---------------------------------------------


#: Every public view that lists measures, asked for drafts.
DRAFT_PAGES = [
    "/?drafts=1",
    "/measures/?drafts=1",
    "/measures/?drafts=1&jurisdiction=DE&norm=i",
    "/norms/i?drafts=1",
    "/jurisdictions/DE?drafts=1",
    "/jurisdictions/EU?drafts=1",
    "/jurisdictions/?drafts=1",
    "/api/v1/measures?drafts=1&per_page=200",
    "/api/v1/norms/i?drafts=1",
]


def test_anonymous_drafts_flag_never_shows_drafts(app_ctx, client, make_measure) -> None:
    before = client.get("/").get_data(as_text=True)
    draft = make_measure(
        published=False,
        title_original="Test draft measure",
        short_name="Test draft measure",
        jurisdiction_code="BR",
    )
    for path in DRAFT_PAGES:
        body = client.get(path).get_data(as_text=True)
        assert "Test draft measure" not in body, path
        assert f"/measures/{draft.record_id}" not in body, path
    assert client.get(f"/measures/{draft.record_id}?drafts=1").status_code == 404
    assert client.get(f"/api/v1/measures/{draft.record_id}?drafts=1").status_code == 404
    # Counts and the grid are unchanged (BR would be a new row).
    after = client.get("/?drafts=1").get_data(as_text=True)
    assert re.findall(r"<strong>(\d+)</strong>", after) == re.findall(
        r"<strong>(\d+)</strong>", before
    )
    assert "/jurisdictions/BR" not in after


def test_reviewers_never_get_drafts_in_lists(app, client, make_measure, login) -> None:
    """Reviewers see only the records submitted to their working group, one by one."""
    draft = make_measure(
        published=False, title_original="Test draft measure", short_name="Test draft measure"
    )
    login(client, "reviewer")
    for path in (
        "/measures/?drafts=1",
        "/norms/i?drafts=1",
        "/jurisdictions/DE?drafts=1",
        "/?drafts=1",
    ):
        body = client.get(path).get_data(as_text=True)
        assert "Test draft measure" not in body and "Drafts included" not in body, path
    assert client.get(f"/measures/{draft.record_id}").status_code == 404


def test_staff_see_drafts_only_when_they_ask(app_ctx, client, make_measure, login) -> None:
    draft = make_measure(
        published=False, title_original="Test draft measure", short_name="Test draft measure"
    )
    login(client, "editor")
    assert "Test draft measure" not in client.get("/measures/").get_data(as_text=True)
    for path in (
        "/measures/?drafts=1",
        "/norms/i?drafts=1",
        "/jurisdictions/DE?drafts=1",
        "/?drafts=1",
    ):
        body = client.get(path).get_data(as_text=True)
        assert "Test draft measure" in body, path
        assert "Drafts included" in body
    response = client.get(f"/measures/{draft.record_id}")
    assert response.status_code == 200 and "Working copy" in response.get_data(as_text=True)
    # The API serves published records only, whoever asks.
    assert "Test draft measure" not in client.get(
        "/api/v1/measures?drafts=1&per_page=200"
    ).get_data(as_text=True)


def test_unpublished_edits_of_a_published_measure_stay_private(
    app_ctx, client, make_measure
) -> None:
    measure = make_measure(title_original="Test published title", short_name=None)
    record = db.session.get(Record, measure.record_id)
    copy = records.editable_copy(record)
    copy.title_original = "Test edited draft title"
    db.session.commit()
    for path in (
        f"/measures/{measure.record_id}?drafts=1",
        "/measures/?drafts=1",
        "/norms/i?drafts=1",
    ):
        body = client.get(path).get_data(as_text=True)
        assert "Test published title" in body and "Test edited draft title" not in body, path


def test_deleted_records_vanish_everywhere_and_from_counts(app_ctx, client) -> None:
    rid = record_id("eu-cra")
    before = client.get("/").get_data(as_text=True)
    record = db.session.get(Record, rid)
    records.soft_delete(record)  # as the delete button does: the publication stamps move too
    db.session.commit()
    for path in [
        "/",
        "/measures/",
        "/measures/?norm=i",
        "/norms/i",
        "/jurisdictions/DE",
        "/jurisdictions/EU",
        "/api/v1/measures?per_page=200",
        "/api/v1/norms/i",
    ]:
        body = client.get(path).get_data(as_text=True)
        assert f"/measures/{rid}" not in body, path
        assert "2024/2847" not in body, path
    assert client.get(f"/measures/{rid}").status_code == 404
    assert client.get(f"/api/v1/measures/{rid}").status_code == 404
    after = client.get("/").get_data(as_text=True)
    n_before = int(re.search(r"<strong>(\d+)</strong> measures", before).group(1))
    n_after = int(re.search(r"<strong>(\d+)</strong> measures", after).group(1))
    assert n_after == n_before - 1
    # The EU row's norm (i) cell dropped by one too.
    cell = r'href="/measures/\?jurisdiction=EU&amp;norm=i&amp;standing=in_force">(\d+)<'
    assert int(re.search(cell, after).group(1)) == int(re.search(cell, before).group(1)) - 1


def test_stylesheet_blocks_are_balanced() -> None:
    """A lost closing brace (easy to drop when merging CSS sections) silently puts every
    later rule inside the preceding @media block, so desktop pages lose their styles."""
    from pathlib import Path

    css = (Path(__file__).resolve().parents[1] / "static" / "css" / "site.css").read_text()
    depth = 0
    for line_number, line in enumerate(re.sub(r"/\*.*?\*/", "", css, flags=re.S).splitlines(), 1):
        # Inside a block, lines are indented; an unindented rule there means a lost "}".
        unindented = bool(line) and not line[0].isspace() and not line.startswith("}")
        assert not (depth == 1 and unindented), (
            f"line {line_number}: a top-level rule inside an unclosed block"
        )
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"line {line_number}: unbalanced closing brace"
    assert depth == 0
