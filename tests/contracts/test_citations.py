"""Citation files as readers' tools read them: pybtex and biber's data-model validator for
BibTeX/biblatex, citeproc-py for CSL-JSON, rispy for RIS.

The files are the whole selection export (the demo data plus the measures made here), so
every entry the tracker writes is checked, not a hand-picked one.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import pybtex.database
import pytest
import rispy
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON

NIST = "National Institute of Standards and Technology (NIST)"


@pytest.fixture
def cited(make_measure) -> dict[str, Any]:
    """One measure of each citation kind, with the names and numbers that broke readers."""
    return {
        "law": make_measure(
            key="contract-law",
            jurisdiction_code="US",
            type="law",
            status="in_force",
            issuing_body="Senate and House of Representatives",
            official_identifier="Pub. L. 117-58",
            title_original="Contract Test Act",
        ),
        "bill": make_measure(
            key="contract-bill",
            jurisdiction_code="CA",
            type="law",
            status="proposed",
            issuing_body="House of Commons",
            official_identifier="Bill C-8",
            title_original="An Act respecting cyber security (contract test)",
            events=[{"kind": "announced", "date": "2025-06-18", "note": None}],
        ),
        "guidance": make_measure(
            key="contract-guidance",
            jurisdiction_code="US",
            type="standard_guidance",
            status="adopted",
            issuing_body=NIST,
            official_identifier="SP 800-218",
            title_original="Contract Test Framework",
        ),
        "strategy": make_measure(
            key="contract-strategy",
            jurisdiction_code="DE",
            type="strategy",
            status="adopted",
            issuing_body=None,
            title_original="Contract test strategy",
        ),
    }


def export(client, fmt: str) -> str:
    response = client.get(f"/export/citations.{fmt}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- BibTeX / biblatex ---------------------------------------------------------------------------


def test_pybtex_reads_one_corporate_author_per_entry(cited, client) -> None:
    data = pybtex.database.parse_string(export(client, "bib"), "bibtex")
    assert {"contract-law", "contract-bill", "contract-guidance", "contract-strategy"} <= set(
        data.entries
    )
    for key, entry in data.entries.items():
        assert entry.type in {"misc", "report"}, key
        authors = entry.persons["author"]
        # One name, kept whole: " and " inside a body does not split it, and no part of it
        # is taken for a given name.
        assert len(authors) == 1, (key, [str(p) for p in authors])
        assert not authors[0].first_names and len(authors[0].last_names) == 1, key
        if entry.type == "report":
            assert entry.fields["type"] and entry.fields["institution"].startswith("{"), key
        else:
            assert entry.fields["entrysubtype"] in {"legislation", "bill"}, key
    law = data.entries["contract-law"]
    assert str(law.persons["author"][0]) == "{Senate and House of Representatives}"
    assert law.fields["entrysubtype"] == "legislation"
    assert law.fields["howpublished"] == "Pub. L. 117-58"
    guidance = data.entries["contract-guidance"]
    assert guidance.type == "report" and guidance.fields["number"] == "SP 800-218"
    assert guidance.fields["institution"] == "{" + NIST + "}"
    bill = data.entries["contract-bill"]
    assert bill.fields["entrysubtype"] == "bill" and bill.fields["howpublished"] == "Bill C-8"
    # The identifier already says "Bill": no type field to print it twice.
    assert "type" not in bill.fields


def test_biber_validates_every_entry_against_its_data_model(cited, client, tmp_path) -> None:
    biber = shutil.which("biber")
    assert biber, "biber is needed (Debian: apt-get install biber)"
    text = export(client, "bib")
    bib = tmp_path / "export.bib"
    bib.write_text(text, encoding="utf-8")
    undated = {
        key
        for key, entry in pybtex.database.parse_string(text, "bibtex").entries.items()
        if "date" not in entry.fields
    }
    result = subprocess.run(
        [biber, "--tool", "--validate-datamodel", bib.name],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    problems = [line for line in log.splitlines() if re.match(r"(WARN|ERROR)", line)]
    # Every entry type of the data model requires a date; a record whose date is not known
    # has none (the tracker never invents one), and that is the only warning allowed.
    no_date = re.compile(
        r"WARN - Datamodel: Entry '([^']+)' \(export\.bib\): "
        r"Missing mandatory field - one of 'date, year' must be defined"
    )
    warned_undated = {m.group(1) for line in problems if (m := no_date.fullmatch(line))}
    assert [line for line in problems if not no_date.fullmatch(line)] == [], "\n".join(
        problems[:20]
    )
    assert warned_undated == undated
    assert "contract-bill" in (tmp_path / "export_bibertool.bib").read_text(encoding="utf-8")


# --- CSL-JSON -----------------------------------------------------------------------------------


def render_bibliography(items: list[dict[str, Any]]) -> dict[str, str]:
    """Each item as citeproc-py renders it in the Harvard style it ships."""
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return {
        key: str(text)
        for key, text in zip(bibliography.keys, bibliography.bibliography(), strict=True)
    }


def test_citeproc_renders_bodies_as_authors_with_the_right_types(cited, client) -> None:
    items = json.loads(export(client, "json"))
    by_id = {i["id"]: i for i in items}
    assert by_id["contract-law"]["type"] == "legislation"
    assert by_id["contract-bill"]["type"] == "bill"
    assert by_id["contract-guidance"]["type"] == "report"
    assert by_id["contract-strategy"]["type"] == "report"
    for item in items:
        assert {"legislation", "bill", "report"} >= {item["type"]}
        (author,) = item["author"]
        assert set(author) == {"literal"} and author["literal"], item["id"]
    assert by_id["contract-guidance"]["author"] == [{"literal": NIST}]
    # Without an issuing body, the jurisdiction is the author.
    assert by_id["contract-strategy"]["author"] == [{"literal": "Germany"}]
    rendered = render_bibliography(items)
    assert set(rendered) == set(by_id)
    for text in rendered.values():
        assert "Bill Bill" not in text, text
    assert rendered["contract-guidance"].startswith(NIST), rendered["contract-guidance"]
    assert "Senate and House of Representatives" in rendered["contract-law"]
    assert rendered["contract-bill"].count("Bill C-8") <= 1, rendered["contract-bill"]
    assert rendered["contract-strategy"].startswith("Germany"), rendered["contract-strategy"]


# --- RIS ----------------------------------------------------------------------------------------


def test_ris_types_and_number_tags_as_zotero_reads_them(cited, client) -> None:
    text = export(client, "ris")
    assert text.startswith("TY  - ")
    # Only tag lines and the blank line between records: no "1." line before a record.
    for line in text.splitlines():
        assert line == "" or re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line), line
    assert not re.search(r"^IS  - ", text, flags=re.M)
    entries = {e["id"]: e for e in rispy.loads(text)}
    assert {e["type_of_reference"] for e in entries.values()} <= {"STAT", "BILL", "GOVDOC", "RPRT"}
    law, bill = entries["contract-law"], entries["contract-bill"]
    guidance, strategy = entries["contract-guidance"], entries["contract-strategy"]
    assert (law["type_of_reference"], law["note"]) == ("STAT", "Pub. L. 117-58")
    assert (bill["type_of_reference"], bill["note"]) == ("BILL", "Bill C-8")
    assert (guidance["type_of_reference"], guidance["issn"]) == ("RPRT", "SP 800-218")
    assert strategy["type_of_reference"] == "GOVDOC"
    assert guidance["authors"] == [NIST] and strategy["authors"] == ["Germany"]
