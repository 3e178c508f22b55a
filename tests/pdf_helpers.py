"""Helpers for the PDF tests: text and fonts through poppler, a private cache per test."""

from __future__ import annotations

import subprocess
import tempfile


def pdf_text(data: bytes, *, page: int | None = None, layout: bool = False) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        args = ["pdftotext", "-enc", "UTF-8"]
        if layout:
            args.append("-layout")
        if page is not None:
            args += ["-f", str(page), "-l", str(page)]
        return subprocess.run(
            [*args, f.name, "-"], capture_output=True, text=True, check=True
        ).stdout


def pdf_fonts(data: bytes) -> list[dict[str, str]]:
    """pdffonts rows: name, type, emb (yes/no)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        out = subprocess.run(
            ["pdffonts", f.name], capture_output=True, text=True, check=True
        ).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type [type2] encoding emb sub uni object ID
        rows.append({"name": parts[0], "emb": parts[-5]})
    return rows


def flat(text: str) -> str:
    """Text with line breaks removed, so wrapped URLs and titles can be found whole."""
    return "".join(text.split())
