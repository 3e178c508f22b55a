"""Defects found reviewing the page, export and figure caches (tracker/pagecache.py,
tracker/opendata/exportcache.py, tracker/records/kept.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from tracker import pagecache

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def kept_app(app: Any) -> Any:
    app.config["PAGE_CACHE"] = True
    pagecache.clear(app)
    return app


def _uncached(app: Any, path: str) -> bytes:
    app.config["PAGE_CACHE"] = False
    try:
        return app.test_client().get(path).data
    finally:
        app.config["PAGE_CACHE"] = True


def test_repeated_arguments_in_another_order_are_another_page(kept_app) -> None:
    """A view reads the first of repeated arguments (``request.args.get``) or keeps their
    order (the columns of /gaps): sorting the arguments in the key serves one reader's page
    for another address."""
    client = kept_app.test_client()
    first = client.get("/search/?q=sbom&q=zzqxv")
    assert first.headers["X-Page-Cache"] == "miss"
    other = client.get("/search/?q=zzqxv&q=sbom")
    assert other.data == _uncached(kept_app, "/search/?q=zzqxv&q=sbom")
    gaps = client.get("/gaps?j=DE&j=FR")
    assert gaps.status_code == 200
    swapped = client.get("/gaps?j=FR&j=DE")
    assert swapped.data == _uncached(kept_app, "/gaps?j=FR&j=DE")


def test_a_new_working_group_member_shows_on_the_public_page(kept_app, make_user) -> None:
    """``flask groups link`` adds a member to the public list of working groups: the page kept
    for the previous data is not served again."""
    client = kept_app.test_client()
    assert client.get("/working-groups/").status_code == 200
    assert client.get("/working-groups/").headers["X-Page-Cache"] == "hit"
    make_user("reviewer", email="new.member@example.org", name="Newly Linked Member")
    result = kept_app.test_cli_runner().invoke(
        args=["groups", "link", "wg-attribution", "new.member@example.org"]
    )
    assert result.exit_code == 0, result.output
    assert b"Newly Linked Member" in client.get("/working-groups/").data


def test_reference_data_loads_move_the_kept_figures_too(kept_app, tmp_path) -> None:
    """A jurisdictions sync that changes an organisation's members changes which measures a
    member's filter lists: the pages are rendered again (the site stamp moved), and the kept
    totals must not be those of the previous membership."""
    client = kept_app.test_client()
    before = client.get("/api/v1/measures?jurisdiction=DE").get_json()["total"]
    text = (ROOT / "data" / "jurisdictions.yaml").read_text()
    assert " DE," in text
    changed = tmp_path / "jurisdictions.yaml"
    changed.write_text(text.replace(" DE,", ""))
    result = kept_app.test_cli_runner().invoke(args=["jurisdictions", "sync", str(changed)])
    assert result.exit_code == 0, result.output
    after = client.get("/api/v1/measures?jurisdiction=DE").get_json()["total"]
    kept_app.extensions.pop("kept_figures", None)
    pagecache.clear(kept_app)
    fresh = client.get("/api/v1/measures?jurisdiction=DE").get_json()["total"]
    assert fresh < before  # EU measures no longer apply to DE
    assert after == fresh


@pytest.fixture
def folder(app: Any, tmp_path: Path) -> Path:
    app.config["EXPORT_CACHE"] = True
    app.config["EXPORT_CACHE_DIR"] = str(tmp_path / "exports")
    return tmp_path / "exports"


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_an_export_folder_that_cannot_be_written_does_not_break_the_download(
    app, tmp_path, fmt
) -> None:
    """The export cache is a cache: a read-only or full disk must not cut every anonymous
    reader's download short (or turn it into a 500)."""
    app.config["EXPORT_CACHE"] = False
    expected = app.test_client().get(f"/export/measures.{fmt}?jurisdiction=DE")
    assert expected.status_code == 200
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the export folder's parent should be")
    app.config["EXPORT_CACHE"] = True
    app.config["EXPORT_CACHE_DIR"] = str(blocker / "exports")
    response = app.test_client().get(f"/export/measures.{fmt}?jurisdiction=DE")
    assert response.status_code == 200
    data = response.get_data()
    response.close()
    if fmt == "xlsx":
        assert data.startswith(b"PK")
    else:
        assert len(data) == len(expected.data)


def test_parts_left_by_a_killed_worker_do_not_accumulate(app, folder) -> None:
    """A worker killed mid-export (gunicorn's timeout) leaves its ``.part`` file: it is not
    counted in the folder's budget, so such files must be cleared once clearly abandoned."""
    folder.mkdir(parents=True)
    orphan = folder / ("0" * 64 + ".csv.deadbeef.part")
    orphan.write_bytes(b"x" * 1000)
    old = time.time() - 2 * 86400
    os.utime(orphan, (old, old))
    response = app.test_client().get("/export/measures.csv")
    response.get_data()
    response.close()
    assert not orphan.exists()


def test_a_new_codebook_version_is_a_new_export_file(app, folder, monkeypatch) -> None:
    """A release that changes the export's columns bumps the codebook's version; the files
    kept by the previous release (on disk, across restarts) must not be served for it."""
    from tracker.opendata import codebook

    client = app.test_client()
    first = client.get("/export/measures.json")
    assert b'"codebook_version": "' + codebook.VERSION.encode() in first.get_data()
    first.close()
    monkeypatch.setattr(codebook, "VERSION", codebook.VERSION + ".1")
    second = client.get("/export/measures.json")
    data = second.get_data()
    second.close()
    assert second.headers["X-Page-Cache"] == "miss"
    assert b'"codebook_version": "' + codebook.VERSION.encode() in data
