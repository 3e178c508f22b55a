"""Issue 13 items 4-6: quotation marks mean verbatim, the mapping rules, and no internal
provenance notes on any public surface (pages, API, exports, feed, PDFs)."""

from __future__ import annotations

import io
import itertools
import re
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.conftest import csrf_token
from tests.pages import as_data, replace
from tests.pdf_helpers import flat, pdf_text
from tests.review_helpers import take
from tests.test_editing import NEW, errors_of, open_form
from tracker.accounts.permissions import PUBLIC, policy_of
from tracker.attribution.models import Attribution
from tracker.catalogues.models import CatalogueAction
from tracker.extensions import db
from tracker.measures import services
from tracker.measures.models import Mapping, Measure
from tracker.norms.models import Commitment, Norm
from tracker.records.models import Record, WorkflowState
from tracker.records.queries import visible
from tracker.reports import jobs
from tracker.review import workflow

#: words that only internal provenance notes use (case-insensitive)
FORBIDDEN = ("facts.yaml", "seed file", "facts lists")


def get_pdf(app: Any, client: Any, url: str) -> bytes:
    response = client.get(url)
    if response.status_code == 202:
        jobs.executor(app).drain()
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.data


def body_text(response: Any) -> str:
    """What a reader gets: the text of a page or file (XLSX cells read out)."""
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(response.data), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return response.get_data(as_text=True)


def public_urls(app: Any) -> list[str]:
    """Every public GET route of the url map, filled in from the demo data (PDFs aside)."""
    with app.app_context():
        letters = list(db.session.scalars(sa.select(Norm.letter)))
        measures = list(db.session.scalars(visible(Measure).with_only_columns(Measure.record_id)))
        codes = sorted(
            set(db.session.scalars(visible(Measure).with_only_columns(Measure.jurisdiction_code)))
        )
        statements = list(
            db.session.scalars(visible(Attribution).with_only_columns(Attribution.record_id))
        )
        values: dict[str, list[Any]] = {"letter": letters, "code": codes}
        urls = []
        with app.test_request_context():
            for rule in app.url_map.iter_rules():
                if "GET" not in (rule.methods or ()) or policy_of(rule.endpoint) != PUBLIC:
                    continue
                if rule.endpoint.endswith("static") or rule.rule.endswith(".pdf"):
                    continue
                choices: dict[str, list[Any]] = {}
                for name in rule.arguments:
                    if name == "record_id":
                        if rule.endpoint.startswith("attribution."):
                            choices[name] = statements
                        elif "measure" in rule.endpoint or rule.rule.startswith("/measures"):
                            choices[name] = measures
                        else:
                            choices[name] = []  # the demo data has no papers
                    elif name == "token":
                        # signed e-mail tokens: the alert pages show no record content
                        choices[name] = []
                    elif name in values:
                        choices[name] = values[name]
                    else:
                        converter = rule._converters[name]
                        items = getattr(converter, "items", None)
                        assert items, f"no demo values for <{name}> in {rule.rule}"
                        choices[name] = sorted(items)
                names = list(choices)
                for combo in itertools.product(*(choices[n] for n in names)):
                    urls.append(rule.build(dict(zip(names, combo, strict=True)))[1])
    return sorted(set(urls))


def test_no_public_surface_shows_internal_provenance_notes(reports, client) -> None:
    urls = public_urls(reports)
    # Lists in full, searches that reach the notes' old wording, and the API pages.
    urls += [
        "/api/v1/measures?per_page=100",
        "/api/v1/jurisdictions?per_page=100",
        "/search/?q=seed",
        "/search/?q=public+repos",
        "/search/?q=checklist",
        "/changes.atom",
    ]
    assert len(urls) > 150, len(urls)
    read = 0
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            continue
        read += 1
        text = body_text(response).lower()
        for word in FORBIDDEN:
            assert word not in text, f"{url} shows {word!r}"
        assert "provenance (" not in text, f"{url} shows a staff note"
    assert read > 150, read
    # Briefs: the norm (i) brief lists the norm's sources; the country brief lists the
    # measures' sources, where the staff notes of EO 14028 and the CRA used to be titles.
    for url in ("/norms/i/brief.pdf", "/jurisdictions/DE/brief.pdf"):
        text = pdf_text(get_pdf(reports, client, url)).lower()
        for word in (*FORBIDDEN, "public repos"):
            assert word not in text, f"{url} shows {word!r}"


def test_staff_see_the_provenance_notes(app, client, login) -> None:
    anonymous = app.test_client()
    assert "seed file" not in anonymous.get("/norms/i").get_data(as_text=True)
    with app.app_context():
        rid = db.session.scalar(sa.select(Record.id).where(Record.key == "eu-cra"))
    assert "public repos" not in anonymous.get(f"/measures/{rid}").get_data(as_text=True)
    login(client, "editor")
    assert "seed file" in client.get("/norms/i").get_data(as_text=True)
    page = client.get(f"/measures/{rid}").get_data(as_text=True)
    assert "public repos with CELEX 32024R2847" in page
    # The facts survive as followable sources.
    assert "https://eur-lex.europa.eu/eli/reg/2024/2847/oj" in page


# --- Quotation marks mean verbatim -----------------------------------------------------


def action_cells(html: str) -> dict[str, str]:
    """Row heading HTML of each catalogue action on a gap page, by number."""
    cells = {}
    for match in re.finditer(r'<span class="row-number">([ij]\.\d)</span>(.*?)</th>', html, re.S):
        cells[match.group(1)] = match.group(2)
    return cells


def test_paraphrased_actions_are_labelled_summary_and_never_quoted(client, app_ctx) -> None:
    actions = {a.number: a for a in db.session.scalars(sa.select(CatalogueAction))}
    assert {n for n, a in actions.items() if a.verbatim} == {"i.1", "j.2"}
    for url in ("/jurisdictions/DE/gaps", "/gaps?j=DE&j=FR"):
        html = client.get(url).get_data(as_text=True)
        cells = action_cells(html)
        assert set(cells) == set(actions), url
        for number, cell in cells.items():
            if actions[number].verbatim:
                assert '<q class="verbatim">' in cell and ">verbatim</span>" in cell
            else:
                assert "<q" not in cell and "“" not in cell and "&#34;" not in cell, cell
                assert ">summary</span>" in cell, cell
        assert "not its text" in html  # the note that explains the labels
    # A measure page that implements a summarised action (j.1) labels it too.
    rid = db.session.scalar(sa.select(Record.id).where(Record.key == "us-eo-14028"))
    html = client.get(f"/measures/{rid}").get_data(as_text=True)
    j1 = html[html.index('<span class="row-number">j.1</span>') :][:800]
    assert ">summary</span>" in j1 and "<q" not in j1


@pytest.mark.slow
def test_brief_quotes_only_verbatim_actions(reports, client) -> None:
    text = flat(pdf_text(get_pdf(reports, client, "/jurisdictions/DE/brief.pdf")))
    assert "i.2policiespromotinggoodpracticesbysuppliersandvendors(summary)" in text
    assert "“policiespromoting" not in text
    assert "j.2“impartiallegalframeworks" in text and "distribution”(verbatim)" in text


@pytest.mark.slow
def test_norm_brief_labels_the_short_title(reports, client) -> None:
    text = " ".join(pdf_text(get_pdf(reports, client, "/norms/i/brief.pdf")).split())
    assert (
        "Short title (the tracker’s, not the official text): Ensure ICT supply-chain integrity"
        in text
    )
    assert "A/70/174, para. 13(i), official text:" in text


def test_norm_short_titles_are_labelled_as_the_trackers(client) -> None:
    html = client.get("/norms/i").get_data(as_text=True)
    assert "the tracker’s short title for this norm, not the official wording" in html
    data = client.get("/api/v1/norms/i").get_json()
    assert data["short_title"] == "Ensure ICT supply-chain integrity"
    assert "not the official text" in data["short_title_note"]
    spec = client.get("/api/v1/openapi.json").get_json()
    norm = spec["components"]["schemas"]["Norm"]["properties"]["short_title"]
    assert "not the official text" in norm["description"]


# --- The contested checklist is a draft under discussion everywhere ---------------------


def test_contested_checklist_is_a_draft_under_discussion_on_every_surface(reports, client) -> None:
    html = client.get("/search/?q=checklist").get_data(as_text=True)
    hit = html[html.index('class="search-hit') :][:1500]
    assert "Draft under discussion" in hit
    assert "Draft under discussion" in client.get("/norms/").get_data(as_text=True)
    with reports.app_context():
        checklist = db.session.scalar(
            sa.select(Commitment).where(Commitment.key == "norms-checklist")
        )
        assert checklist.contested
    # Not linked to a norm, so the API lists it with the commitments of no norm page; the
    # serialiser is shared, so check it directly on the JSON of a commitment.
    from tracker.api.views import commitment_json

    with reports.test_request_context():
        checklist = db.session.get(Commitment, checklist.id)
        data = commitment_json(checklist)
    assert data["standing"] == "Draft under discussion" and data["contested"] is True
    assert "not an adopted commitment" in data["standing_note"]


# --- Mapping rules -----------------------------------------------------------------------


def test_mapping_problems() -> None:
    rows = [
        {"norm": "i", "locator": "Art. 1", "rationale": "Why", "whole_instrument": False},
        {"norm": "j", "locator": None, "rationale": "Why", "whole_instrument": True},
        {"norm": "g", "locator": None, "rationale": " ", "whole_instrument": False},
    ]
    assert [(i, f) for i, f, _m in services.mapping_problems(rows)] == [
        (2, "rationale"),
        (2, "locator"),
    ]


@pytest.mark.parametrize(
    ("values", "field_id", "message"),
    [
        ({"mappings-0-locator": ""}, "mappings-0-locator", "or mark the mapping as concerning"),
        ({"mappings-0-rationale": ""}, "mappings-0-rationale", "say why the measure implements"),
    ],
)
def test_the_form_refuses_a_mapping_without_pinpoint_or_rationale(
    client, login, values, field_id, message
) -> None:
    login(client, "editor")
    fields = open_form(client, "/measures/new")
    response = client.post("/measures/new", data=as_data(replace(fields, **{**NEW, **values})))
    assert response.status_code == 422
    assert message in errors_of(response.get_data(as_text=True), field_id)


def test_whole_instrument_replaces_the_pinpoint(app, client, login) -> None:
    login(client, "editor")
    fields = open_form(client, "/measures/new")
    values = {**NEW, "mappings-0-locator": "", "mappings-0-whole_instrument": "y"}
    response = client.post("/measures/new", data=as_data(replace(fields, **values)))
    assert response.status_code == 302, errors_of(
        response.get_data(as_text=True), "mappings-0-locator"
    )
    with app.app_context():
        mapping = db.session.scalars(
            sa.select(Mapping).join(Measure).where(Measure.title_en == NEW["title_en"])
        ).one()
        assert mapping.whole_instrument and mapping.locator is None
        assert mapping.where == "Whole instrument"


def test_publication_is_refused_for_a_mapping_without_pinpoint(
    app, client, login, make_measure, make_user
) -> None:
    editor = login(client, "editor")
    mapping = {"norm": "i", "commitment": None, "locator": None, "basis": "inferred"}
    rid = make_measure(published=False, mappings=[{**mapping, "rationale": None}]).record_id
    # The publishing checks run at submission (publishing re-runs them:
    # tests/test_workflow_preconditions.py), so reviewers never see it.
    response = client.post(f"/review/{rid}/submit", data={"csrf_token": csrf_token(app, client)})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "Not ready for review:" in text
    assert "Mapping to norm (i): say why" in text and "give the pinpoint" in text
    with app.app_context():
        assert db.session.get(Record, rid).state is WorkflowState.DRAFT
    with pytest.raises(workflow.TransitionError, match="Mapping to norm"):
        take(app, rid, "submit", editor.id)


@pytest.mark.slow
def test_whole_instrument_mapping_on_page_and_in_the_pdf(reports, client, make_measure) -> None:
    mapping = {
        "norm": "i",
        "commitment": None,
        "locator": None,
        "whole_instrument": True,
        "rationale": "The whole code concerns supplier security.",
        "basis": "inferred",
    }
    measure = make_measure(jurisdiction_code="DE", short_name="WholeCode", mappings=[mapping])
    html = client.get(f"/measures/{measure.record_id}").get_data(as_text=True)
    assert "<dt>Where</dt><dd>Whole instrument</dd>" in html
    assert "Whole instrument" in client.get("/norms/i").get_data(as_text=True)
    text = flat(pdf_text(get_pdf(reports, client, "/jurisdictions/DE/brief.pdf?annex=1")))
    assert "(i)wholeinstrument" in text


def test_home_page_says_what_holds_for_mappings(client, app_ctx) -> None:
    mappings = db.session.scalars(
        sa.select(Mapping).join(Measure, Measure.id == Mapping.measure_id).where(Measure.is_live)
    ).all()
    pinpointed = sum(1 for m in mappings if m.locator)
    html = client.get("/").get_data(as_text=True)
    assert "with a pinpoint citation" not in html
    assert f"Of the {len(mappings)} mappings shown" in html
    assert f"{pinpointed} give a pinpoint" in html
    assert f"{len(mappings) - pinpointed} say “no pinpoint recorded”" in html


# --- Migration 0014 ----------------------------------------------------------------------


def test_migration_0014_downgrades_and_upgrades_with_data(fresh_database_url) -> None:
    from tests.conftest import seed, standalone_app

    with standalone_app(fresh_database_url) as fresh:
        runner = fresh.test_cli_runner()
        seed(fresh, demo=True)
        with fresh.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Mapping)) == 68
        result = runner.invoke(args=["db", "downgrade", "0011"])
        assert result.exit_code == 0, result.output
        with fresh.app_context(), db.engine.connect() as connection:
            inspector = sa.inspect(connection)
            assert "wording" not in {c["name"] for c in inspector.get_columns("catalogue_actions")}
            assert "staff_note" not in {c["name"] for c in inspector.get_columns("sources")}
            assert connection.execute(sa.text("SELECT count(*) FROM mappings")).scalar() == 68
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        with fresh.app_context(), db.engine.connect() as connection:
            # Existing rows come back as summaries and as mappings with a pinpoint to give.
            rows = connection.execute(sa.text("SELECT DISTINCT wording FROM catalogue_actions"))
            assert rows.scalars().all() == ["summary"]
            whole = connection.execute(
                sa.text("SELECT count(*) FROM mappings WHERE whole_instrument")
            )
            assert whole.scalar() == 0
        # Loading the framework again restores the verbatim flags.
        assert runner.invoke(args=["catalogues", "load"]).exit_code == 0
        with fresh.app_context():
            verbatim = db.session.scalars(
                sa.select(CatalogueAction.key).where(CatalogueAction.wording == "verbatim")
            )
            assert sorted(verbatim) == ["i-1", "j-2"]


def test_whole_instrument_in_api_and_exports(client, make_measure) -> None:
    mapping = {
        "norm": "j",
        "commitment": None,
        "locator": None,
        "whole_instrument": True,
        "rationale": "The whole policy is a disclosure programme.",
        "basis": "inferred",
    }
    measure = make_measure(short_name="WholePolicy", mappings=[mapping])
    api = client.get(f"/api/v1/measures/{measure.record_id}").get_json()
    assert api["mappings"][0]["whole_instrument"] is True
    exported = client.get("/export/measures.json").get_json()
    items = exported["items"] if isinstance(exported, dict) else exported
    row = next(m for m in items if m["short_name"] == "WholePolicy")
    assert row["mappings"][0]["scope"] == "whole_instrument"
    csv = client.get("/export/measures.csv").get_data(as_text=True)
    assert "j |  | inferred | The whole policy is a disclosure programme. | whole_instrument" in csv
