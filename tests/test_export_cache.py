"""Streamed exports kept as files per data version, day and address
(tracker/opendata/exportcache.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tracker.extensions import db
from tracker.records.models import Record
from tracker.review import workflow


@pytest.fixture
def folder(app: Any, tmp_path: Path) -> Path:
    app.config["EXPORT_CACHE"] = True
    app.config["EXPORT_CACHE_DIR"] = str(tmp_path / "exports")
    return tmp_path / "exports"


class Download:
    """A response read whole and closed (a kept export is an open file until then)."""

    def __init__(self, client: Any, path: str, **kwargs: Any) -> None:
        response = client.get(path, **kwargs)
        self.data = response.get_data()
        self.status_code = response.status_code
        self.headers = response.headers
        response.close()


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_whole_download_is_kept_and_served_from_its_file(app, folder) -> None:
    client = app.test_client()
    first = Download(client, "/export/measures.csv")
    assert (first.status_code, first.headers["X-Page-Cache"]) == (200, "miss")
    assert [n.rsplit(".", 1)[1] for n in _files(folder)] == ["csv"]
    second = Download(client, "/export/measures.csv")
    assert (second.status_code, second.headers["X-Page-Cache"]) == (200, "hit")
    assert second.data == first.data
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    assert second.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    assert second.headers["Cache-Control"] == first.headers["Cache-Control"]
    # a browser or a download manager: revalidation and ranges
    again = Download(
        client, "/export/measures.csv", headers={"If-None-Match": second.headers["ETag"]}
    )
    assert again.status_code == 304
    part = Download(client, "/export/measures.csv", headers={"Range": "bytes=0-9"})
    assert (part.status_code, part.data) == (206, first.data[:10])


def test_each_format_and_filter_has_its_own_file(app, folder) -> None:
    client = app.test_client()
    whole = Download(client, "/export/measures.json").data
    de = Download(client, "/export/measures.json?jurisdiction=DE").data
    assert whole != de
    assert len(_files(folder)) == 2
    assert Download(client, "/export/measures.json?jurisdiction=DE").data == de


def test_a_publication_writes_a_new_file(app, folder, make_measure) -> None:
    client = app.test_client()
    before = Download(client, "/export/measures.csv?jurisdiction=DE")
    make_measure(title_original="Exported after publication")
    after = Download(client, "/export/measures.csv?jurisdiction=DE")
    assert after.headers["X-Page-Cache"] == "miss"
    assert b"Exported after publication" in after.data
    assert b"Exported after publication" not in before.data


def test_a_withdrawn_measure_leaves_the_export(app, folder, make_measure) -> None:
    measure = make_measure(title_original="Withdrawn before the next download")
    client = app.test_client()
    assert b"Withdrawn before the next download" in Download(client, "/export/measures.csv").data
    with app.app_context():
        workflow.withdraw_unreviewed(db.session.get(Record, measure.record_id))
        db.session.commit()
    assert (
        b"Withdrawn before the next download" not in Download(client, "/export/measures.csv").data
    )


def test_signed_in_readers_are_neither_served_nor_recorded(app, folder, login, make_measure):
    make_measure(published=False, title_original="Draft only staff export")
    staff = app.test_client()
    login(staff, "editor")
    mine = Download(staff, "/export/measures.csv?drafts=1")
    assert "X-Page-Cache" not in mine.headers
    assert b"Draft only staff export" in mine.data
    plain = Download(staff, "/export/measures.csv")
    assert "X-Page-Cache" not in plain.headers
    assert _files(folder) == []
    public = app.test_client().get("/export/measures.csv?drafts=1")
    assert public.headers["X-Page-Cache"] == "miss"
    assert b"Draft only staff export" not in public.data


def test_a_download_cut_short_leaves_no_file(app, folder, make_measure) -> None:
    for n in range(3):
        make_measure(title_original=f"Row {n} of a long export")
    response = app.test_client().get("/export/measures.csv", buffered=False)
    chunks = iter(response.response)
    assert next(chunks)
    response.close()  # the reader went away
    assert _files(folder) == []


def test_xlsx_is_kept_once_built(app, folder) -> None:
    client = app.test_client()
    first = Download(client, "/export/measures.xlsx")
    assert (first.status_code, first.headers["X-Page-Cache"]) == (200, "miss")
    assert first.data.startswith(b"PK")
    second = Download(client, "/export/measures.xlsx")
    assert (second.headers["X-Page-Cache"], second.data) == ("hit", first.data)
    assert second.headers["Content-Type"] == first.headers["Content-Type"]


def test_the_folder_keeps_at_most_its_budget(app, folder) -> None:
    client = app.test_client()
    size = len(Download(client, "/export/measures.csv").data)
    app.config["EXPORT_CACHE_MAX_BYTES"] = size + 10
    smaller = Download(client, "/export/measures.csv?jurisdiction=DE").data
    assert 0 < len(smaller) < size
    [kept] = _files(folder)  # the older, whole export went
    assert (folder / kept).read_bytes() == smaller


def test_a_selections_citations_are_kept_like_the_exports(app, folder) -> None:
    client = app.test_client()
    first = Download(client, "/export/citations.bib?jurisdiction=US")
    assert (first.status_code, first.headers["X-Page-Cache"]) == (200, "miss")
    second = Download(client, "/export/citations.bib?jurisdiction=US")
    assert (second.headers["X-Page-Cache"], second.data) == ("hit", first.data)
    assert second.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
