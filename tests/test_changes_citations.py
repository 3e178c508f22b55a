"""The public changelog and its Atom feed; citations in BibTeX, RIS and CSL-JSON."""

from __future__ import annotations

import json
import re

import bibtexparser
import defusedxml.ElementTree as ET
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware

from tracker.extensions import db
from tracker.records import services as records
from tracker.review import workflow

ATOM = "{http://www.w3.org/2005/Atom}"


def feed_entries(client) -> list[dict]:
    response = client.get("/changes.atom")
    assert response.status_code == 200
    assert response.content_type.startswith("application/atom+xml")
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}id").startswith("tag:")
    entries = []
    for e in root.findall(f"{ATOM}entry"):
        link = e.find(f"{ATOM}link")
        entries.append(
            {
                "id": e.findtext(f"{ATOM}id"),
                "title": e.findtext(f"{ATOM}title"),
                "updated": e.findtext(f"{ATOM}updated"),
                "link": link.get("href") if link is not None else None,
            }
        )
    return entries


def test_changelog_lists_publications_newest_first_with_links(app, make_measure, client) -> None:
    measure = make_measure(short_name="TCHG1", title_original="Test changelog measure")
    page = client.get("/changes").get_data(as_text=True)
    assert "TCHG1" in page
    assert f'href="/measures/{measure.record_id}"' in page
    # Newest first: the measure just published comes before every demo publication.
    assert page.index("TCHG1") < page.index("EO 14028")


def test_changelog_hides_drafts_and_deleted_records(app, make_measure, client) -> None:
    make_measure(published=False, short_name="TCHGDRAFT")
    deleted = make_measure(short_name="TCHGDELETED")
    withdrawn = make_measure(short_name="TCHGWITHDRAWN")
    with app.app_context():
        records.soft_delete(db.session.get(type(deleted), deleted.id).record)
        workflow.withdraw_unreviewed(db.session.get(type(withdrawn), withdrawn.id).record)
        db.session.commit()
    page = client.get("/changes").get_data(as_text=True)
    assert "TCHGDRAFT" not in page and "TCHGDELETED" not in page
    assert "Withdrawn" in page and "TCHGWITHDRAWN" in page
    # A withdrawn record is no longer linked.
    assert f'href="/measures/{withdrawn.record_id}"' not in page
    titles = [e["title"] for e in feed_entries(client)]
    assert "Withdrawn: TCHGWITHDRAWN" in titles and "Published: TCHGWITHDRAWN" in titles
    assert not any("TCHGDRAFT" in t or "TCHGDELETED" in t for t in titles)


def test_feed_parses_and_entry_ids_are_stable(app, make_measure, client) -> None:
    make_measure(short_name="TFEED1")
    first = feed_entries(client)
    assert first[0]["title"] == "Published: TFEED1"
    assert re.fullmatch(r"tag:localhost,2026:publication-\d+", first[0]["id"])
    assert first[0]["link"].startswith("http://localhost/measures/")
    make_measure(short_name="TFEED2")
    second = feed_entries(client)
    assert second[0]["title"] == "Published: TFEED2"
    assert {e["id"] for e in first[:10]} <= {e["id"] for e in second}
    assert len({e["id"] for e in second}) == len(second)


def test_changelog_pagination_and_bad_pages(client) -> None:
    assert client.get("/changes?page=abc").status_code == 400
    assert client.get("/changes?page=999").status_code == 404
    assert client.get("/changes?page=1").status_code == 200


# --- Citations -----------------------------------------------------------------------------------

TRICKY = {
    "title_original": "Test Act on {Braces} & 100% $ecure #1_of_2 ~ ^ \\ code",
    "title_lang": "en",
    "short_name": "T&A",
    "type": "law",
    "status": "in_force",
    "official_identifier": "BGBl. I Nr. 1_2",
    "official_url": "https://example.org/law?a=1&b=50%25#part_2",
    "issuing_body": "Test Parliament",
    "verification": "secondary",
    "events": [
        {"kind": "adopted", "date": "2023-07", "note": None},
        {"kind": "published", "date": "2023-08-02", "note": None},
    ],
    "sources": [
        {"url": "https://example.org/a", "title": "A", "accessed": "2024-02-01"},
        {"url": "https://example.org/b", "title": "B", "accessed": "2024-03-05"},
    ],
}


def _unbrace(value: str) -> str:
    return value[1:-1] if value.startswith("{") and value.endswith("}") else value


def test_bibtex_parses_back_with_the_same_fields(app, make_measure, client) -> None:
    measure = make_measure(key="test-cite-tricky", jurisdiction_code="DE", **TRICKY)
    response = client.get(f"/measures/{measure.record_id}/cite.bib")
    assert response.status_code == 200
    assert response.content_type.startswith("application/x-bibtex")
    assert response.headers["Content-Disposition"] == 'attachment; filename="test-cite-tricky.bib"'
    library = bibtexparser.parse_string(
        response.get_data(as_text=True), append_middleware=[LatexDecodingMiddleware()]
    )
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.entry_type == "misc" and entry.key == "test-cite-tricky"
    fields = {f.key: f.value for f in entry.fields}
    # pylatexenc decodes \textasciicircum{} (the LaTeX for ^) as U+02C6, its look-alike.
    assert _unbrace(fields["title"]).replace("\u02c6", "^") == TRICKY["title_original"]
    assert fields["entrysubtype"] == "legislation"
    assert fields["author"] == "Test Parliament" and fields["organization"] == "Germany"
    assert fields["howpublished"] == "BGBl. I Nr. 1_2"
    assert fields["date"] == "2023-07" and "year" not in fields and "month" not in fields
    assert fields["urldate"] == "2024-03-05"
    assert fields["langid"] == "english"
    assert "Secondary sources only" in fields["note"]
    # The URL is verbatim (biblatex url field), not TeX-escaped.
    raw = response.get_data(as_text=True)
    assert "url = {https://example.org/law?a=1&b=50%25#part_2}" in raw
    # Corporate names stay braced in the raw text: one name each.
    assert "author = {{Test Parliament}}" in raw and "organization = {{Germany}}" in raw
    # Specials are escaped in the raw text.
    assert r"\{Braces\} \& 100\% \$ecure \#1\_of\_2" in raw


def test_ris_parses_back_with_the_same_fields(app, make_measure, client) -> None:
    measure = make_measure(key="test-cite-ris", jurisdiction_code="FR", **TRICKY)
    text = client.get(f"/measures/{measure.record_id}/cite.ris").get_data(as_text=True)
    (entry,) = rispy.loads(text)
    assert entry["type_of_reference"] == "STAT"
    assert entry["title"] == TRICKY["title_original"]
    assert entry["authors"] == ["Test Parliament"]
    assert entry["place_published"] == "France"
    # The identifier is M1 for a statute (Zotero), never IS; no "1." line before the record.
    assert entry["note"] == "BGBl. I Nr. 1_2" and "number" not in entry
    assert text.startswith("TY  - STAT")
    assert entry["date"] == "2023/07//"
    assert entry["year"] == "2023"
    assert entry["urls"] == [TRICKY["official_url"]]
    assert entry["access_date"] == "2024/03/05"
    assert "Verification: Secondary sources only." in entry["notes"][0]


def test_csl_json_types_and_dates(app, make_measure, client) -> None:
    bill = make_measure(
        key="test-cite-bill",
        type="law",
        status="proposed",
        events=[{"kind": "announced", "date": "2025-03-04", "note": None}],
    )
    report = make_measure(
        key="test-cite-report",
        type="strategy",
        status="adopted",
        events=[{"kind": "published", "date": "2022", "note": None}],
        official_url=None,
    )
    items = {
        i["id"]: i
        for rid in (bill.record_id, report.record_id)
        for i in json.loads(client.get(f"/measures/{rid}/cite.json").data)
    }
    assert items["test-cite-bill"]["type"] == "bill"
    assert items["test-cite-bill"]["issued"] == {"date-parts": [[2025, 3, 4]]}
    assert items["test-cite-report"]["type"] == "report"
    assert items["test-cite-report"]["issued"] == {"date-parts": [[2022]]}
    assert "URL" not in items["test-cite-report"]
    assert items["test-cite-bill"]["authority"] == "Germany"
    assert "Unverified" in items["test-cite-bill"]["note"]


def test_selection_citations_follow_the_list_filters(client) -> None:
    text = client.get("/export/citations.bib?jurisdiction=US&type=executive_order").get_data(
        as_text=True
    )
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    keys = {e.key for e in library.entries}
    assert "us-eo-14028" in keys
    assert all(e.entry_type == "misc" for e in library.entries)
    assert all(e.fields_dict["entrysubtype"].value == "legislation" for e in library.entries)
    ris = rispy.loads(
        client.get("/export/citations.ris?jurisdiction=US&type=executive_order").get_data(
            as_text=True
        )
    )
    assert len(ris) == len(library.entries)
    csl = json.loads(client.get("/export/citations.json?jurisdiction=US&type=executive_order").data)
    assert {i["id"] for i in csl} == keys
    eo = next(i for i in csl if i["id"] == "us-eo-14028")
    assert eo["issued"] == {"date-parts": [[2021, 5, 12]]}
    assert eo["URL"] == "https://www.federalregister.gov/d/2021-10460"


def test_citations_of_drafts_are_404_for_the_public(app, make_measure, client, login) -> None:
    draft = make_measure(published=False, key="test-cite-draft")
    assert client.get(f"/measures/{draft.record_id}/cite.bib").status_code == 404
    assert client.get(f"/measures/{draft.record_id}/cite.bib?drafts=1").status_code == 404
    assert client.get("/measures/999999/cite.ris").status_code == 404
    login(client, "editor")
    response = client.get(f"/measures/{draft.record_id}/cite.bib?drafts=1")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store, private"


def test_measure_page_links_its_citations_only_when_published(
    app, make_measure, client, login
) -> None:
    published = make_measure(short_name="Cited measure").record_id
    page = client.get(f"/measures/{published}").get_data(as_text=True)
    for fmt in ("bib", "ris", "json"):
        assert f'href="/measures/{published}/cite.{fmt}"' in page
    draft = make_measure(published=False).record_id
    login(client, "editor")
    page = client.get(f"/measures/{draft}").get_data(as_text=True)
    assert f"/measures/{draft}/cite." not in page
