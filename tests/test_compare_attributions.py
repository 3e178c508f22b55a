"""Attribution statements beside the measures: opt-in on /compare and /compare.pdf, always in
the country and norm briefs; published statements only for the public; a fixed number of
queries whatever the number of jurisdictions or statements."""

from __future__ import annotations

import pytest

from tests.attribution_helpers import create_attribution
from tests.pdf_helpers import flat, pdf_text
from tests.test_query_counts import counting
from tracker.extensions import db
from tracker.reports import jobs

COMPARE = "/compare?j=DE&j=FR&j=US"


def get_pdf(app, client, url: str) -> bytes:
    response = client.get(url)
    if response.status_code == 202:  # queued: run the job as the worker would
        jobs.executor(app).drain()
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.data


def test_compare_page_adds_attributions_only_when_asked(client) -> None:
    plain = client.get(COMPARE).get_data(as_text=True)
    assert 'name="attributions"' in plain  # the form's checkbox
    assert 'id="attributions"' not in plain and "SolarWinds" not in plain

    page = client.get(COMPARE + "&attributions=1").get_data(as_text=True)
    assert 'id="attributions"' in page and "Attribution statements" in page
    assert 'name="attributions" value="1" checked' in page
    # the PDF and preview links keep the choice
    assert "/compare.pdf?j=DE&amp;j=FR&amp;j=US&amp;attributions=1" in page
    section = page[page.index('id="attributions"') :]
    groups = dict(
        (part.split("<")[0].strip(), part) for part in section.split('<h3 class="minor">')[1:]
    )
    # SolarWinds: the EU's declaration echoes norm (i); Germany sees it through the EU...
    solarwinds = groups["Germany"][groups["Germany"].index("SolarWinds Orion") :]
    solarwinds = solarwinds[: solarwinds.index("</li>")]
    assert "Made through the EU, which Germany belongs to" in solarwinds
    assert "Attributed to Russian Federation" in solarwinds
    assert "(i) implicit" in solarwinds and "joint" not in solarwinds
    # ...while the United States' own statement is not credited with the EU's language.
    us_solarwinds = groups["United States"][groups["United States"].index("SolarWinds Orion") :]
    us_solarwinds = us_solarwinds[: us_solarwinds.index("</li>")]
    assert "(i)" not in us_solarwinds and "Norms invoked: unknown." in us_solarwinds
    assert "Made through" not in us_solarwinds
    # WannaCry: the full text was not seen: unknown, never "no"
    wannacry = section[section.index("WannaCry ransomware") :]
    wannacry = wannacry[: wannacry.index("</li>")]
    assert (
        "Norms invoked: unknown." in wannacry
        and "UN framework unknown: full text not seen" in wannacry
    )
    assert "not invoked" not in wannacry and "Norms invoked: none" not in wannacry
    # Sony (2014): the text was seen and does not invoke the framework
    sony = section[section.index("Sony Pictures Entertainment hack") :]
    sony = sony[: sony.index("</li>")]
    assert "UN framework not invoked" in sony and "Norms invoked: none." in sony
    # each chosen jurisdiction has its group; France's own statements and DE's via the EU
    for name in ("Germany", "France", "United States"):
        assert f'<h3 class="minor">{name}' in section
    assert "Made through the EU, which Germany belongs to; counted apart from its own." in section
    assert "0 own statements, 4 through the EU" in groups["France"]


def test_drafts_never_appear_in_the_public_section(app, client, login) -> None:
    create_attribution(
        app, published=False, attributing=["FR"], operation="Unpublished test operation"
    )
    assert "Unpublished test operation" not in client.get(COMPARE + "&attributions=1").get_data(
        as_text=True
    )
    assert "Unpublished test operation" not in client.get("/jurisdictions/FR/brief").get_data(
        as_text=True
    )
    staff = app.test_client()
    login(staff, "editor")
    assert "Unpublished test operation" in staff.get(COMPARE + "&attributions=1&drafts=1").get_data(
        as_text=True
    )


@pytest.mark.slow
def test_compare_pdf_with_attributions(reports, client) -> None:
    text = pdf_text(get_pdf(reports, client, "/compare.pdf?j=DE&j=FR&j=US&attributions=1"))
    body = flat(text)
    assert "Attribution statements" in text
    start = body.index("Publicstatementsattributingacyberoperation")  # the section's note
    assert "SolarWindsOrionsupply-chaincompromise(SUNBURST)" in body[start:]
    assert "Normsinvoked:(i)implicit" in body[start:]
    assert "Normsinvoked:unknown" in body[start:]
    assert "HackoftheGermanBundestag" in body[start:]
    # without the option the comparison stays as it was
    plain = pdf_text(get_pdf(reports, client, "/compare.pdf?j=DE&j=FR&j=US"))
    assert "SolarWinds" not in plain and "Attribution statements" not in plain


@pytest.mark.slow
def test_country_and_norm_briefs_carry_their_attributions(reports, client) -> None:
    de = flat(pdf_text(get_pdf(reports, client, "/jurisdictions/DE/brief.pdf")))
    start = de.index("Publicstatementsattributingacyberoperation")
    assert "HackoftheGermanBundestag(April-May2015)" in de[start:]
    assert "MadethroughtheEU,whichGermanybelongsto" in de[start:]
    norm = pdf_text(get_pdf(reports, client, "/norms/i/brief.pdf"))
    body = flat(norm)
    start = body.index("Publicattributionstatementsthatinvokethenorm")
    section = body[start:]
    assert (
        "SolarWindsOrionsupply-chaincompromise(SUNBURST)" in section
        and "Normsinvoked:(i)implicit" in section
    )
    assert "WannaCry" not in section  # it invokes no norm


def test_norm_brief_preview_lists_only_statements_invoking_the_norm(client) -> None:
    page = client.get("/norms/h/brief").get_data(as_text=True)
    section = page[page.index('id="attributions"') :]
    assert "Attribution statements invoking norm (h)" in section
    assert "(c) implicit, (h) implicit" in section
    assert "SolarWinds" not in section


def _statements(app, client, url: str) -> int:
    with app.app_context():
        connection = db.engine
    with counting(connection) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_attribution_section_costs_a_fixed_number_of_queries(app, client) -> None:
    few, many = "/compare?j=DE&j=FR", "/compare?j=DE&j=FR&j=US&j=GB&j=AU&j=JP&j=NL&j=CA"
    client.get(few)  # the first request of a data version keeps the standings (one time cost)
    extra_few = _statements(app, client, few + "&attributions=1") - _statements(app, client, few)
    extra_many = _statements(app, client, many + "&attributions=1") - _statements(app, client, many)
    # the attributions, their statements, the statements' parties and invoked norms, forms and
    # sources; the version's stamp query
    assert extra_few <= 7, extra_few
    assert extra_many == extra_few, "the section ran queries per jurisdiction"
    for n in range(15):
        create_attribution(
            app,
            statements=[
                {
                    "role": "attributing",
                    "parties": ["GB", "AU"],
                    "un_framework_invoked": "yes",
                    "invoked_norms": [{"norm": "i", "basis": "explicit"}],
                },
                {"role": "attributing", "parties": ["NL"]},
            ],
            operation=f"Bulk test operation {n}",
        )
    assert (
        _statements(app, client, many + "&attributions=1") - _statements(app, client, many)
        == extra_few
    )
    assert "Bulk test operation 14" in client.get(many + "&attributions=1").get_data(as_text=True)
