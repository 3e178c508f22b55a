"""Cell formats for the spreadsheet exports, and the writers (CSV, XLSX, JSON).

Multi-valued fields (documented in the codebook, read back by the later import)
    One value per line inside the cell. A structured value (an event, a source, a
    mapping) is one line whose fields are separated by `` | `` in the order the
    codebook gives; empty trailing fields may be left out. Inside a field a
    backslash is written ``\\\\``, a vertical bar ``\\|`` and a line break ``\\n``.
    ``encode_list`` / ``decode_list`` and ``encode_items`` / ``decode_items``
    are exact inverses.

Formula injection
    A spreadsheet program runs a cell that begins with ``=``, ``+``, ``-`` or
    ``@`` as a formula, and tab or carriage return can smuggle one in. Every
    text cell that begins with one of these characters, or with an apostrophe,
    gets one apostrophe in front (``'=HYPERLINK(...)``). A reader removes exactly
    one leading apostrophe (``unneutralise``), which restores every value,
    including one that really began with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import quote

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FIELD_SEPARATOR = " | "

# XML 1.0 (XLSX) cannot hold these control characters; they never belong in the data.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value: Any) -> Any:
    """Make a text cell inert in spreadsheet programs (numbers and None pass through)."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(FORMULA_TRIGGERS) or value.startswith("'"):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """The inverse of ``neutralise`` for text read back from a CSV or XLSX export."""
    return value[1:] if value.startswith("'") else value


def _escape(field: str) -> str:
    return (
        field.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "\n").replace("\n", "\\n")
    )


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append({"n": "\n", "\\": "\\", "|": "|"}.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def encode_list(values: Iterable[Any]) -> str:
    """Simple values, one per line."""
    return "\n".join(_escape(str(v)) for v in values if v is not None and v != "")


def decode_list(cell: str) -> list[str]:
    return [_unescape(line) for line in (cell or "").split("\n") if line != ""]


def encode_items(items: Iterable[Sequence[Any]]) -> str:
    """Structured values, one per line, fields separated by `` | `` (trailing empties dropped)."""
    lines = []
    for item in items:
        fields = ["" if f is None else _escape(str(f)) for f in item]
        while fields and fields[-1] == "":
            fields.pop()
        lines.append(FIELD_SEPARATOR.join(fields))
    return "\n".join(lines)


def decode_items(cell: str, width: int) -> list[list[str | None]]:
    """Structured values back as lists of ``width`` fields (None where a field was empty)."""
    items = []
    for line in (cell or "").split("\n"):
        if line == "":
            continue
        fields, current, i = [], [], 0
        while i < len(line):
            if line[i] == "\\" and i + 1 < len(line):
                current.append(line[i : i + 2])
                i += 2
                continue
            if line.startswith(FIELD_SEPARATOR, i):
                fields.append("".join(current))
                current = []
                i += len(FIELD_SEPARATOR)
                continue
            current.append(line[i])
            i += 1
        fields.append("".join(current))
        decoded: list[str | None] = [_unescape(f) or None for f in fields]
        decoded += [None] * (width - len(decoded))
        items.append(decoded[:width])
    return items


def clean_text(value: Any) -> Any:
    if isinstance(value, str):
        return _ILLEGAL_XML.sub("", value)
    return value


# --- Writers ----------------------------------------------------------------------------------


def csv_bytes(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """UTF-8 with a byte-order mark (so spreadsheet programs pick the encoding), CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else neutralise(clean_text(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_chunks(header: list[str], batches: Iterable[Iterable[list[Any]]]) -> Iterator[bytes]:
    """``csv_bytes`` in pieces, one per batch of rows (the same bytes, joined)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    for rows in batches:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for row in rows:
            writer.writerow(["" if v is None else neutralise(clean_text(v)) for v in row])
        yield buffer.getvalue().encode("utf-8")


def xlsx_bytes(sheet_title: str, header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """One sheet, written in openpyxl's write-only (streaming) mode."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.freeze_panes = "C2"
    bold = Font(bold=True)
    header_cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            value = neutralise(clean_text(value))
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                # Never a formula, even if a future change lets a "=" through.
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def json_bytes(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False).encode("utf-8")


_ITEMS = "\u0000items\u0000"


def json_chunks(document: dict[str, Any], batches: Iterable[list[Any]]) -> Iterator[bytes]:
    """``json_bytes(document)`` in pieces, with ``document["items"]`` (the last key, a
    non-empty list) taken from ``batches`` one batch at a time (the same bytes, joined)."""
    head, tail = json_bytes({**document, "items": [_ITEMS]}).decode().split(json.dumps(_ITEMS), 1)
    yield head.removesuffix("  ").encode("utf-8")
    first = True
    for items in batches:
        parts = []
        for item in items:
            # an item as it sits in the document: two levels deep (the object, its list)
            text = json.dumps({"items": [item]}, ensure_ascii=False, indent=1, sort_keys=False)
            parts.append(text[len('{\n "items": [\n') : -len("\n ]\n}")])
        if parts:
            yield (("" if first else ",\n") + ",\n".join(parts)).encode("utf-8")
            first = False
    yield tail.encode("utf-8")


def safe_filename(name: str, default: str = "export") -> str:
    """An ASCII file name with no path, quotes or line breaks (for Content-Disposition)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = ascii_name.replace("/", "-").replace("\\", "-")
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip(".-_")
    ascii_name = re.sub(r"\.{2,}", ".", ascii_name)
    return ascii_name[:120] or default


def unicode_filename(name: str, default: str = "export") -> str:
    """``name`` without path separators, control characters (CR, LF), quotes or leading dots."""
    name = unicodedata.normalize("NFC", name)
    name = "".join(c if unicodedata.category(c)[0] not in "CZ" or c == " " else "-" for c in name)
    name = re.sub(r'[/\\"\'<>:|?*%;]+', "-", name)
    name = re.sub(r"\.{2,}", ".", name).strip(" .-_")
    return name[:120] or default


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A Content-Disposition header value (RFC 6266): an ASCII ``filename`` every client
    reads, plus ``filename*`` (RFC 8187, UTF-8) when the name has other letters. Names
    built from data cannot add a header (CR LF), climb out of the download folder (../)
    or end the quoted string."""
    ascii_name = safe_filename(filename)
    value = f'{disposition}; filename="{ascii_name}"'
    full = unicode_filename(filename)
    if not full.isascii():
        value += f"; filename*=UTF-8''{quote(full, safe='')}"
    return value


def attachment(filename: str) -> str:
    return content_disposition(filename)
