"""Exports (CSV, XLSX, JSON), formula neutralisation, round trip, codebook coverage."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from tracker.attribution.models import AttributionForm, FrameworkInvoked, InvocationBasis
from tracker.measures.models import (
    EventKind,
    MappingBasis,
    MeasureStatus,
    MeasureType,
    RelationKind,
)
from tracker.modelbase import DatePrecision, Verification
from tracker.opendata.formats import (
    decode_items,
    decode_list,
    encode_items,
    encode_list,
    neutralise,
    safe_filename,
    unneutralise,
)
from tracker.opendata.rows import ATTRIBUTIONS, MEASURES, read_row

DANGEROUS = [
    '=HYPERLINK("http://evil.example")',
    "+1",
    "-1",
    "@SUM(A1:A2)",
    "\tTAB",
    "\rCR",
    "'quoted",
]


def read_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    return rows[0], rows[1:]


def read_xlsx(data: bytes) -> tuple[list[str], list[list]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return rows[0], rows[1:]


def test_cell_formats_are_exact_inverses() -> None:
    values = ["plain", "with | bar", "back\\slash", "two\nlines", "trailing \\", "a \\| b", ""]
    assert decode_list(encode_list(values)) == [v for v in values if v]
    items = [
        ["adopted", "2021-05-12", None],
        ["published", "2021", "note | with\nbreak \\ and more"],
        ["x", None, "z"],
    ]
    assert decode_items(encode_items(items), 3) == items
    for value in [*DANGEROUS, "normal", "", "''twice"]:
        assert unneutralise(neutralise(value)) == value
    assert neutralise(7) == 7 and neutralise(None) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cyber-norms-measures-2026-01-01.csv", "cyber-norms-measures-2026-01-01.csv"),
        ("../../etc/passwd", "etc-passwd"),
        ('evil"\r\nSet-Cookie: x=1.csv', "evil-Set-Cookie-x-1.csv"),
        ("Gesetz über Sicherheit.bib", "Gesetz-uber-Sicherheit.bib"),
        ("経済", "export"),
    ],
)
def test_safe_filenames(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_measure_exports_are_published_only_and_filtered(app, make_measure, client) -> None:
    make_measure(title_original="Test exported measure", jurisdiction_code="IS")
    make_measure(published=False, title_original="Test secret draft", jurisdiction_code="IS")
    for fmt in ("csv", "xlsx", "json"):
        response = client.get(f"/export/measures.{fmt}?jurisdiction=IS")
        assert response.status_code == 200
        assert response.headers["Cache-Control"].startswith("public")
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith(
            'attachment; filename="cyber-norms-measures-'
        ) and disposition.endswith(f'.{fmt}"')
        if fmt == "csv":
            header, rows = read_csv(response.data)
            titles = [r[header.index("title_original")] for r in rows]
        elif fmt == "xlsx":
            header, rows = read_xlsx(response.data)
            titles = [r[header.index("title_original")] for r in rows]
        else:
            titles = [i["title_original"] for i in response.get_json()["items"]]
        assert titles == ["Test exported measure"], fmt
        assert "draft" not in (response.get_json()["items"][0] if fmt == "json" else header)
    # Anyone asking for drafts without being staff gets the public export.
    assert b"Test secret draft" not in client.get("/export/measures.csv?drafts=1").data


def test_staff_exports_with_drafts_are_marked_and_never_cached(
    app, make_measure, client, login
) -> None:
    make_measure(title_original="Test published one", jurisdiction_code="NO")
    make_measure(published=False, title_original="Test draft one", jurisdiction_code="NO")
    login(client, "editor")
    response = client.get("/export/measures.csv?jurisdiction=NO&drafts=1")
    assert response.headers["Cache-Control"] == "no-store, private"
    assert "with-drafts" in response.headers["Content-Disposition"]
    header, rows = read_csv(response.data)
    marks = {
        r[header.index("title_original")]: (r[header.index("draft")], r[header.index("state")])
        for r in rows
    }
    assert marks == {"Test published one": ("no", "published"), "Test draft one": ("yes", "draft")}
    data = client.get("/export/measures.json?jurisdiction=NO&drafts=1").get_json()
    assert data["includes_drafts"] is True
    assert {i["title_original"]: i["draft"] for i in data["items"]} == {
        "Test published one": False,
        "Test draft one": True,
    }


def test_bad_filters_are_a_400_not_a_500(client) -> None:
    assert client.get("/export/measures.csv?jurisdiction=XX").status_code == 400
    assert client.get("/export/measures.csv?year=abc").status_code == 400
    assert client.get("/export/attributions.json?form=nope").status_code == 400
    assert client.get("/export/measures.pdf").status_code == 404


def test_formula_injection_is_neutralised_in_csv_and_xlsx(app, make_measure, client) -> None:
    make_measure(
        title_original='=HYPERLINK("http://evil.example","click")',
        short_name="+1",
        issuing_body="-1",
        status_note="@SUM(A1:A9)",
        description="\tTAB=1",
        official_identifier="\r=CR",
        verification_note="'already quoted",
        jurisdiction_code="CH",
    )
    expected = {
        "title_original": '\'=HYPERLINK("http://evil.example","click")',
        "short_name": "'+1",
        "issuing_body": "'-1",
        "status_note": "'@SUM(A1:A9)",
        "description": "'\tTAB=1",
        "official_identifier": "'\r=CR",
        "verification_note": "''already quoted",
    }
    header, rows = read_csv(client.get("/export/measures.csv?jurisdiction=CH").data)
    assert {k: rows[0][header.index(k)] for k in expected} == expected
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell

    data = client.get("/export/measures.xlsx?jurisdiction=CH").data
    header, rows = read_xlsx(data)
    assert {k: rows[0][header.index(k)] for k in expected} == expected
    # No cell of the workbook is a formula.
    sheet = load_workbook(io.BytesIO(data)).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    # JSON keeps the values as they are.
    item = client.get("/export/measures.json?jurisdiction=CH").get_json()["items"][0]
    assert item["title_original"] == '=HYPERLINK("http://evil.example","click")'


@pytest.mark.parametrize("dataset", [MEASURES, ATTRIBUTIONS], ids=["measures", "attributions"])
def test_round_trip_csv_and_xlsx_read_back_as_the_json_rows(
    app, make_measure, client, dataset
) -> None:
    if dataset is MEASURES:
        make_measure(
            title_original="Test | tricky\nmeasure \\ with =formula",
            description="Line one\nline two | with bar",
            events=[
                {"kind": "adopted", "date": "2024-01", "note": "a | b"},
                {"kind": "in_force", "date": "2025", "note": None},
            ],
            sources=[
                {
                    "url": "https://example.org/a?x=1|2",
                    "title": "-Example source",
                    "accessed": "2025-02-03",
                }
            ],
            topics=["sbom", "vulnerability-disclosure"],
            mappings=[
                {
                    "norm": "i",
                    "commitment": None,
                    "locator": "Art. 1",
                    "rationale": "r1\nr2",
                    "basis": "explicit",
                },
                {
                    "norm": "j",
                    "commitment": None,
                    "locator": None,
                    "rationale": None,
                    "basis": "inferred",
                },
            ],
        )
    base = f"/export/{dataset.name}"
    items = client.get(f"{base}.json").get_json()["items"]
    assert items
    header, rows = read_csv(client.get(f"{base}.csv").data)
    assert header == dataset.header()
    assert [read_row(dataset, header, r) for r in rows] == items
    header, rows = read_xlsx(client.get(f"{base}.xlsx").data)
    assert [read_row(dataset, header, r) for r in rows] == items


def test_export_rows_carry_stable_keys(app, make_measure, client) -> None:
    make_measure(key="test-keyed-measure", jurisdiction_code="NZ")
    plain = make_measure(jurisdiction_code="NZ")
    items = client.get("/export/measures.json?jurisdiction=NZ").get_json()["items"]
    assert sorted(i["key"] for i in items) == sorted(
        ["test-keyed-measure", f"measure-{plain.record_id}"]
    )
    demo = client.get("/export/measures.json?jurisdiction=US").get_json()["items"]
    assert "us-eo-14028" in {i["key"] for i in demo}
    eo = next(i for i in demo if i["key"] == "us-eo-14028")
    assert eo["events"][0] == {
        "kind": "adopted",
        "date": "2021-05-12",
        "stage": None,
        "note": None,
        "successor": None,
    }


def test_attribution_export_filters(client) -> None:
    everything = client.get("/export/attributions.json").get_json()
    assert everything["count"] == 13
    gb = client.get("/export/attributions.json?attributing=GB").get_json()
    assert 0 < gb["count"] < 13
    assert all("GB" in i["attributing"] for i in gb["items"])
    assert gb["filters"] == {"attributing": ["GB"]}


def test_codebook_documents_every_column_and_taxonomy(app_ctx) -> None:
    from tracker.opendata.codebook import VERSION, codebook

    book = codebook()
    assert book["version"] == VERSION
    for name, dataset in (("measures", MEASURES), ("attributions", ATTRIBUTIONS)):
        fields = [f["name"] for f in book["datasets"][name]["fields"]]
        assert fields == dataset.header(drafts=True)
        assert all(f["description"] for f in book["datasets"][name]["fields"])
    taxonomies = book["taxonomies"]
    for key, enum_cls in {
        "measure_types": MeasureType,
        "measure_statuses": MeasureStatus,
        "event_kinds": EventKind,
        "relation_kinds": RelationKind,
        "mapping_bases": MappingBasis,
        "verification_levels": Verification,
        "date_precisions": DatePrecision,
        "attribution_forms": AttributionForm,
        "un_framework_invoked": FrameworkInvoked,
        "invocation_bases": InvocationBasis,
    }.items():
        assert [v["value"] for v in taxonomies[key]["values"]] == [m.value for m in enum_cls]
        assert all(v["definition"] for v in taxonomies[key]["values"])
    assert {v["value"] for v in taxonomies["topics"]["values"]} >= {
        "sbom",
        "vulnerability-disclosure",
    }
    assert all(v["definition"] for v in taxonomies["topics"]["values"])
    assert len(taxonomies["norms"]["values"]) == 11


def test_codebook_page_and_json(client) -> None:
    page = client.get("/data/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for needle in (
        "Codebook version",
        "title_original",
        "un_framework_invoked",
        "vulnerability-disclosure",
        "apostrophe",
        "/export/measures.csv",
    ):
        assert needle in text, needle
    response = client.get("/data/codebook.json")
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="cyber-norms-codebook-'
    )
    assert json.loads(response.data)["datasets"]["measures"]["fields"][0]["name"] == "id"


def test_exports_never_name_a_draft_in_a_published_measures_relations(
    app, make_measure, client, login
) -> None:
    """Issue 15 item 8: the page and the API hid a draft relation target; the exports
    printed its key."""
    draft = make_measure(published=False, key="secret-draft-key-x1", jurisdiction_code="IS")
    shown = make_measure(key="public-target-key-x1", jurisdiction_code="IS")
    make_measure(
        title_original="Test measure with relations",
        jurisdiction_code="IS",
        relations=[
            {"kind": "amends", "target_record_id": draft.record_id, "note": None},
            {"kind": "implements", "target_record_id": shown.record_id, "note": None},
        ],
    )
    for fmt in ("csv", "xlsx", "json"):
        response = client.get(f"/export/measures.{fmt}?jurisdiction=IS")
        assert response.status_code == 200
        if fmt == "json":
            item = next(
                i
                for i in response.get_json()["items"]
                if i["title_original"] == "Test measure with relations"
            )
            assert [r["target"] for r in item["relations"]] == ["public-target-key-x1"]
            text = response.get_data(as_text=True)
        elif fmt == "csv":
            text = response.get_data(as_text=True)
        else:
            text = json.dumps(read_xlsx(response.data))
        assert "public-target-key-x1" in text, fmt
        assert "secret-draft-key-x1" not in text, fmt
    # Staff asking for drafts see the relation to the draft.
    staff = app.test_client()
    login(staff, "editor")
    assert b"secret-draft-key-x1" in staff.get("/export/measures.csv?drafts=1").data


def test_streamed_exports_are_the_buffered_bytes(client) -> None:
    """CSV and JSON leave in pieces (first byte before the last row is read), and the
    pieces joined are exactly what the buffered writers produce."""
    from tracker.opendata.formats import csv_bytes, csv_chunks, json_bytes, json_chunks

    rows = [["a", None, "=1+1", "ü"], ["b", 2, "x\ny", ""]]
    assert b"".join(csv_chunks(["h1", "h2", "h3", "h4"], [rows[:1], [], rows[1:]])) == (
        csv_bytes(["h1", "h2", "h3", "h4"], rows)
    )
    items = [{"id": 1, "t": "ü", "l": [1, {"k": None}]}, {"id": 2, "t": "", "l": []}, {"id": 3}]
    doc = {"dataset": "x", "filters": {}, "count": 3}
    assert b"".join(json_chunks(doc, [items[:2], [], items[2:]])) == json_bytes(
        {**doc, "items": items}
    )
    for fmt in ("csv", "json"):
        response = client.get(f"/export/measures.{fmt}")
        assert response.status_code == 200 and response.is_streamed
        assert response.get_data()  # read to the end, as a client does
    body = client.get("/export/measures.json").get_json()
    assert body["count"] == len(body["items"]) > 0
