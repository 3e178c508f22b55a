"""Download names built from data: no header injection (CR LF), no path traversal, no
quote that ends the file name early. Every Content-Disposition goes through
tracker.opendata.formats.content_disposition (RFC 6266: an ASCII ``filename`` and,
for names with other letters, a UTF-8 ``filename*``).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from tracker.opendata.formats import content_disposition

HOSTILE_KEY = '../../etc/passwd\r\nSet-Cookie: session=stolen; Path=/\r\n"x'
NAMES = [
    "../../etc/passwd.bib",
    "..\\..\\windows\\system32\\x.ris",
    "cite\r\nSet-Cookie: session=stolen.json",
    "cite\nContent-Type: text/html.bib",
    'a"; filename="evil.exe',
    "/absolute/path.csv",
    "....//....//x.csv",
    "%0d%0aSet-Cookie:x.bib",
    "Gesetz über Straße – 2024.pdf",
    "法律.pdf",
    "\u202eexe.pdf",  # right-to-left override
    "",
]


def parse(header: str) -> tuple[str, str, str | None]:
    disposition, rest = header.split(";", 1)
    plain = re.search(r'filename="([^"]*)"', rest)
    star = re.search(r"filename\*=UTF-8''([^;]*)", rest)
    assert plain, header
    return disposition, plain.group(1), unquote(star.group(1)) if star else None


def assert_safe(header: str) -> None:
    assert "\r" not in header and "\n" not in header
    _, plain, full = parse(header)
    for name in (plain, full):
        if name is None:
            continue
        assert "/" not in name and "\\" not in name and ".." not in name and '"' not in name, name
        assert not name.startswith("."), name
        assert all(ord(c) >= 32 and c != "\u202e" for c in name), name
    assert plain.isascii()


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("disposition", ["attachment", "inline"])
def test_content_disposition_is_safe_for_any_name(name, disposition):
    header = content_disposition(name, disposition)
    assert header.startswith(disposition + ";")
    assert_safe(header)


def test_other_letters_survive_in_filename_star():
    _, plain, full = parse(content_disposition("Gesetz über Straße – 2024.pdf"))
    assert plain == "Gesetz-uber-Strae-2024.pdf"
    assert full == "Gesetz über Straße – 2024.pdf"
    assert parse(content_disposition("cyber-norms-measures-2024-01-01.csv"))[2] is None


@pytest.mark.parametrize("fmt", ["bib", "ris", "json"])
def test_a_citation_of_a_record_with_a_hostile_key_downloads_safely(app, client, make_measure, fmt):
    measure = make_measure(key=HOSTILE_KEY[:120], short_name="../x\r\nSet-Cookie: a=b")
    response = client.get(f"/measures/{measure.record_id}/cite.{fmt}")
    assert response.status_code == 200
    header = response.headers["Content-Disposition"]
    assert_safe(header)
    assert parse(header)[1].endswith(f".{fmt}")
    assert "Set-Cookie" not in response.headers
    assert "stolen" not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize(
    "path",
    [
        "/export/measures.csv",
        "/export/measures.xlsx",
        "/export/measures.json",
        "/export/attributions.csv",
        "/export/citations.bib?jurisdiction=DE",
        "/data/codebook.json",
    ],
)
def test_every_export_names_its_file_safely(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_safe(response.headers["Content-Disposition"])
    assert response.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("code", ["de", "EU"])
def test_pdf_brief_names_are_safe(app, code):
    from tracker.reports import params
    from tracker.reports.views import _pdf_response

    with app.test_request_context():
        p = params.parse_jurisdiction_brief(code, {"as_of": "2024-01-01"})
        header = _pdf_response(b"%PDF-1.7", "etag", p, drafts=True).headers["Content-Disposition"]
    assert_safe(header)
    assert parse(header)[:2] == ("inline", f"cyber-norms-brief-{code.lower()}-2024-01-01-DRAFT.pdf")
