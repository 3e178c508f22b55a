"""A dated truth table: what the tracker says a measure is on a date, on every surface.

Each case names a demo measure, a date and the exact standing and sentence; the test checks
the comparison page, the API, the CSV export and the PDF brief's text, so the four cannot
drift apart. The expected values are written out from shared/reference/facts.yaml:

* CRA (Regulation (EU) 2024/2847): adopted 23 October 2024, in force 10 December 2024,
  applies in stages: Chapter IV notification of conformity assessment bodies 11 June 2026,
  Art. 14 reporting obligations 11 September 2026, general application 11 December 2027;
* NIS2: in force 16 January 2023, Member States apply their transposition from 18 October 2024
  (Art. 41);
* IT-SiG 2.0: in force 28 May 2021, carried into the new BSIG by the NIS2 implementation act
  in force 6 December 2025;
* Australia's Cyber Security Act 2024: Parts 1, 6, 7 in force 30 November 2024, the
  smart-device standard (Rules Part 2 & Sch. 1) 4 March 2026;
* OMB M-22-18 and M-23-16: rescinded 23 January 2026 by M-26-05;
* Canada's Bill C-8: introduced 18 June 2025, enactment not verified.

Each PDF is rendered once per (jurisdictions, date) group, not once per case.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from tests.pdf_helpers import pdf_text
from tracker.extensions import db
from tracker.measures import lifecycle
from tracker.modelbase import DatePrecision, format_partial_date
from tracker.records.models import Record

TODAY = lifecycle.today()
TODAY_TEXT = format_partial_date(TODAY, DatePrecision.DAY)


@dataclass(frozen=True)
class Case:
    key: str
    title: str  # the official title's start, to find the measure on the page
    standing: str
    sentence: str
    #: listed in the comparison page and the PDF on that date (not-yet-adopted ones are not)
    listed: bool = True


CRA = "Regulation (EU) 2024/2847"
NIS2 = "Directive (EU) 2022/2555"

#: (jurisdictions compared, as-of date) -> the cases checked on that page and PDF
TABLE: dict[tuple[tuple[str, ...], str], list[Case]] = {
    (("DE", "FR"), "2023-01-01"): [
        Case(
            "eu-cra",
            CRA,
            "not yet adopted",
            "Not yet adopted: adopted 23 October 2024.",
            listed=False,
        ),
    ],
    (("DE", "FR"), "2025-01-01"): [
        Case(
            "eu-cra",
            CRA,
            "in force, no obligation applies yet",
            "In force since 10 December 2024: no obligation applies yet (first stage: "
            "Chapter IV notification of conformity assessment bodies from 11 June 2026).",
        ),
        Case(
            "eu-nis2",
            NIS2,
            "fully applicable",
            "Fully applicable: in force since 16 January 2023; Member States' transposition "
            "measures (Art. 41) since 18 October 2024.",
        ),
    ],
    (("DE", "FR"), "2026-10-01"): [
        Case(
            "eu-cra",
            CRA,
            "in force, partly applicable",
            "In force since 10 December 2024, partly applicable: Chapter IV notification of "
            "conformity assessment bodies since 11 June 2026; Art. 14 reporting obligations "
            "since 11 September 2026; main obligations (general application) from "
            "11 December 2027.",
        ),
    ],
    (("DE", "FR"), "2028-01-01"): [
        Case(
            "eu-cra",
            CRA,
            "fully applicable",
            "Fully applicable: in force since 10 December 2024; Chapter IV notification of "
            "conformity assessment bodies since 11 June 2026; Art. 14 reporting obligations "
            "since 11 September 2026; main obligations (general application) since "
            "11 December 2027.",
        ),
    ],
    (("DE", "FR"), "2023-06-01"): [
        Case(
            "eu-nis2",
            NIS2,
            "in force, no obligation applies yet",
            "In force since 16 January 2023: no obligation applies yet (first stage: Member "
            "States' transposition measures (Art. 41) from 18 October 2024).",
        ),
    ],
    (("DE", "FR"), "2024-01-01"): [
        Case(
            "eu-nis2",
            NIS2,
            "in force, no obligation applies yet",
            "In force since 16 January 2023: no obligation applies yet (first stage: Member "
            "States' transposition measures (Art. 41) from 18 October 2024).",
        ),
    ],
    (("DE", "FR"), "2024-06-01"): [
        Case(
            "de-itsig-2-0",
            "Zweites Gesetz zur Erhöhung der Sicherheit",
            "in force",
            "In force since 28 May 2021 (adopted 18 May 2021).",
        ),
    ],
    (("DE", "FR"), "2026-06-01"): [
        Case(
            "de-itsig-2-0",
            "Zweites Gesetz zur Erhöhung der Sicherheit",
            "ended",
            "Ended: superseded by NIS2UmsuCG on 6 December 2025.",
        ),
    ],
    (("AU", "NZ"), "2025-06-01"): [
        Case(
            "au-cyber-security-act-2024",
            "Cyber Security Act 2024",
            "in force, partly applicable",
            "In force since 30 November 2024, partly applicable: Parts 1, 6, 7 since "
            "30 November 2024; smart-device standard (Rules Part 2 & Sch. 1) from 4 March 2026.",
        ),
    ],
    (("AU", "NZ"), "2026-06-01"): [
        Case(
            "au-cyber-security-act-2024",
            "Cyber Security Act 2024",
            "fully applicable",
            "Fully applicable: in force since 30 November 2024; Parts 1, 6, 7 since "
            "30 November 2024; smart-device standard (Rules Part 2 & Sch. 1) since "
            "4 March 2026.",
        ),
    ],
    (("US", "CA"), TODAY.isoformat()): [
        Case(
            "us-omb-m-22-18",
            "OMB Memorandum M-22-18",
            "ended",
            "Ended: rescinded by M-26-05 on 23 January 2026.",
        ),
        Case(
            "us-omb-m-23-16",
            "OMB Memorandum M-23-16",
            "ended",
            "Ended: rescinded by M-26-05 on 23 January 2026.",
        ),
        Case(
            "ca-bill-c-8",
            "Bill C-8",
            "pending (proposed, never adopted)",
            "Pending (proposed, never adopted): introduced 18 June 2025; no adoption recorded "
            f"by {TODAY_TEXT}.",
        ),
    ],
}


def normal(text: str) -> str:
    """Text without tags, entities or line breaks, ligatures unfolded, for comparison."""
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    text = text.replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&")
    text = unicodedata.normalize("NFKC", text).replace("’", "'")
    return re.sub(r"\s+", " ", text)


def squeezed(text: str) -> str:
    """PDF text wraps anywhere: compare without any whitespace."""
    return "".join(normal(text).split())


FOOTER = re.compile(r"^(As of \d+ \w+ \d{4} · data version [0-9a-f]+|Page \d+ of \d+)$")


def pdf_body(data: bytes) -> str:
    """The PDF's text without running footers, and without the running header (the brief's
    title and the section name) that opens every page after the first: a page break may fall
    mid-sentence."""
    kept: list[str] = []
    for number, page in enumerate(pdf_text(data).split("\f")):
        lines = [line for line in page.splitlines() if line.strip()]
        if number > 0 and lines and lines[0].startswith("Comparison:"):
            lines = lines[2:]
        kept += [line for line in lines if not FOOTER.match(line.strip())]
    return squeezed("\n".join(kept))


def record_id(key: str) -> int:
    found = db.session.scalar(sa.select(Record.id).where(Record.key == key))
    assert found is not None, key
    return found


def csv_rows(client, code: str, as_of: str) -> dict[str, dict[str, str]]:
    response = client.get(f"/export/measures.csv?jurisdiction={code}&as_of={as_of}")
    assert response.status_code == 200
    reader = csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")))
    return {row["key"]: row for row in reader}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("codes", "as_of"), list(TABLE), ids=lambda v: "-".join(v) if isinstance(v, tuple) else v
)
def test_every_surface_states_the_same_standing(reports, client, app_ctx, codes, as_of) -> None:
    query = "&".join(f"j={c}" for c in codes) + f"&as_of={as_of}"
    page_response = client.get(f"/compare?{query}")
    assert page_response.status_code == 200
    page = normal(page_response.get_data(as_text=True))
    pdf_response = client.get(f"/compare.pdf?{query}")
    assert pdf_response.status_code == 200 and pdf_response.data.startswith(b"%PDF")
    pdf = pdf_body(pdf_response.data)
    # the rule is stated on both, from the same definitions
    assert lifecycle.RULE_TEXT in page
    assert squeezed(lifecycle.RULE_TEXT) in pdf

    for case in TABLE[(codes, as_of)]:
        # API
        body = client.get(f"/api/v1/measures/{record_id(case.key)}?as_of={as_of}").get_json()
        assert body["standing"] == {
            "as_of": as_of,
            "value": lifecycle.Standing(body["standing"]["value"]).value,
            "label": case.standing,
            "sentence": case.sentence,
        }, case.key
        # CSV export
        jurisdiction = body["jurisdiction"]["code"]
        row = csv_rows(client, jurisdiction, as_of)[case.key]
        assert (row["standing_as_of"], row["standing"], row["standing_sentence"]) == (
            as_of,
            case.standing,
            case.sentence,
        ), case.key
        # comparison page and PDF
        if case.listed:
            assert case.sentence in page, case.key
            assert case.standing in page, case.key
            assert squeezed(case.sentence) in pdf, case.key
        else:
            assert case.title not in page, case.key
            assert squeezed(case.title) not in pdf, case.key


def test_api_and_exports_refuse_a_bad_as_of_date(client) -> None:
    for bad in ("2025-13-01", "yesterday", "1800-01-01", "2025-01-01&as_of=2025-01-02"):
        for path in ("/api/v1/measures", "/export/measures.csv"):
            response = client.get(f"{path}?as_of={bad}")
            assert response.status_code == 400, (path, bad)
    assert client.get("/api/v1/measures?standing=nonsense").status_code == 400


def test_ended_and_pending_measures_are_never_counted_as_applying(client, app_ctx) -> None:
    """Rescinded, superseded and never-enacted measures: not in force on any surface today."""
    for code, keys in (("US", {"us-omb-m-22-18", "us-omb-m-23-16"}), ("CA", {"ca-bill-c-8"})):
        for standing in ("adopted", "in_force", "applying"):
            listed = client.get(
                f"/api/v1/measures?jurisdiction={code}&standing={standing}&per_page=100"
            ).get_json()["items"]
            assert not keys & {i["url"].rsplit("/", 1)[1] for i in listed}
            ids = {str(record_id(k)) for k in keys}
            assert not ids & {str(i["id"]) for i in listed}
    de = client.get("/api/v1/jurisdictions/DE").get_json()
    in_force = client.get("/api/v1/measures?jurisdiction=DE&standing=in_force&per_page=100")
    assert de["standing_counts"]["measures in force"] == in_force.get_json()["total"]
    home = normal(client.get("/").get_data(as_text=True))
    assert "measures in force today" in home


def test_citations_state_todays_standing_from_the_lifecycle(client, app_ctx) -> None:
    """BibTeX, RIS and CSL notes say what the API says today (not the recorded status)."""
    for key in ("us-omb-m-22-18", "ca-bill-c-8", "eu-cra"):
        rid = record_id(key)
        sentence = client.get(f"/api/v1/measures/{rid}").get_json()["standing"]["sentence"]
        for fmt in ("bib", "ris", "json"):
            text = " ".join(
                client.get(f"/measures/{rid}/cite.{fmt}").get_data(as_text=True).split()
            )
            assert squeezed(sentence) in squeezed(text), (key, fmt)
            assert "Status: " not in text, (key, fmt)
