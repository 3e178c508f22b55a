"""Reading an uploaded CSV or XLSX file into rows of text cells, safely.

Nothing here touches the database. ``parse`` checks, in this order, and stops at
the first problem with an ``ImportFileError`` whose message is shown next to the
file field:

* the size (``TRACKER_IMPORT_MAX_BYTES``) and that the file is not empty;
* that the content is what the extension says: an ``.xlsx`` must be a ZIP holding
  ``[Content_Types].xml`` and ``xl/workbook.xml``; a ``.csv`` must be UTF-8 text
  (a byte-order mark is fine) without NUL bytes. A workbook named ``.csv``, a PDF
  named ``.xlsx`` and so on are named for what they are;
* for XLSX, before openpyxl opens it: the number of parts, their total unpacked
  size (``TRACKER_IMPORT_MAX_UNPACKED_BYTES``) and each part's compression ratio,
  from the ZIP directory. Python's zipfile never inflates a part past the size the
  directory declares, so these figures bound the work. Then the prolog of every XML part
  (``.xml``, ``.rels``, ``.vml``): a document type declaration (DTD, where entities are
  declared) in any part is refused. openpyxl itself reads worksheets and shared strings
  with defusedxml, but the other parts (workbook, styles, content types, relationships)
  with lxml, which accepts a DTD and only leaves entities unexpanded: hence the check;
* the header: every column must be one of the export's columns (``id``,
  ``jurisdiction_name``, ``year``, ``url``, ``published_at``, ``draft`` and ``state``
  are accepted and ignored), none twice, and the required ones present;
* every cell's text as at every edge (tracker/inputs.py): NFC, LF line breaks, and a
  control character other than tab and newline is refused with its row, column and name;
* the number of rows (``TRACKER_IMPORT_MAX_ROWS``), blank rows not counted toward it but
  bounded too (``blank_rows_allowed``): a file of two million blank lines is refused after a
  few thousand, without keeping them. A CSV is decoded as it is read, not copied whole.

Cells come back as text exactly as the export wrote them (still neutralised); the
validation step decodes them with the export's own column formats.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from tracker.inputs import ControlCharacterError, clean
from tracker.opendata.rows import DRAFT_COLUMNS, MEASURES

#: columns of the export that describe the row for readers; an import ignores them
IGNORED_COLUMNS = (
    "id",
    "jurisdiction_name",
    "year",
    "url",
    "published_at",
    "standing_as_of",
    "standing",
    "standing_sentence",
    *(c.name for c in DRAFT_COLUMNS),
)
KNOWN_COLUMNS = tuple(MEASURES.header()) + tuple(c.name for c in DRAFT_COLUMNS)
IMPORTED_COLUMNS = tuple(c for c in MEASURES.header() if c not in IGNORED_COLUMNS)
REQUIRED_COLUMNS = ("jurisdiction", "title_original", "type", "status")
#: the sheet read from a workbook (the export's and the template's); else the first sheet
SHEET_NAME = "measures"
#: a ZIP part that inflates more than this many times its packed size is refused
MAX_RATIO = 100
MAX_PARTS = 200
#: a cell longer than this is refused (the longest column, description, allows 20,000)
MAX_CELL_CHARS = 100_000
#: the prolog of an XML part (declaration, comments) is never longer than this
MAX_PROLOG_BYTES = 64 * 1024
XML_PART_SUFFIXES = (".xml", ".rels", ".vml")


def blank_rows_allowed(max_rows: int) -> int:
    """Blank rows a file may have (between and after its rows) before it is refused."""
    return max(1000, 10 * max_rows)


class ImportFileError(ValueError):
    """The file cannot be read as an import; the message says why, for the person uploading."""


@dataclass
class ParsedFile:
    format: str
    header: list[str]
    #: [{"row": spreadsheet row number, "cells": {column: text}, "formulas": [column]}];
    #: ignored columns and empty cells are left out ("formulas" only when a workbook
    #: row had formula cells, which are never read)
    rows: list[dict[str, Any]] = field(default_factory=list)


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KiB"


def describe(data: bytes) -> str:
    """What the bytes look like, in words, for a mismatch message."""
    if data.startswith(b"PK\x03\x04"):
        if _is_workbook(data):
            return "an Excel workbook (.xlsx)"
        return "a ZIP archive"
    if data.startswith(b"%PDF"):
        return "a PDF document"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old-style Excel 97-2003 workbook (.xls) or Word document"
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "an image"
    if b"\x00" in data[:4096]:
        return "a binary file"
    return "text"


def _is_workbook(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


def parse(
    filename: str, data: bytes, *, max_bytes: int, max_rows: int, max_unpacked: int
) -> ParsedFile:
    """The rows of an uploaded file, or an ImportFileError saying what is wrong with it."""
    if not data:
        raise ImportFileError("The file is empty.")
    if len(data) > max_bytes:
        # (The caller reads one byte past the limit, so the real size is not known here.)
        raise ImportFileError(
            f"The file is larger than {_mib(max_bytes)}, the limit. Split it into smaller files."
        )
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    rows: list[tuple[int, list[str | None]]]
    formulas: list[tuple[int, str]] = []
    if extension == "xlsx":
        if not _is_workbook(data):
            raise ImportFileError(
                f"The file is named .xlsx but it is {describe(data)}, not an Excel workbook. "
                "Save it from your spreadsheet program as an Excel workbook (.xlsx) or as "
                "CSV UTF-8 (.csv)."
            )
        header, rows, formulas = _read_xlsx(data, max_rows=max_rows, max_unpacked=max_unpacked)
    elif extension == "csv":
        kind = describe(data)
        if kind != "text":
            raise ImportFileError(
                f"The file is named .csv but it is {kind}. "
                + (
                    "Rename it to .xlsx, or save it as CSV UTF-8."
                    if "xlsx" in kind
                    else "Upload a CSV or XLSX file."
                )
            )
        header, rows = _read_csv(data, max_rows=max_rows)
    else:
        shown = f".{extension}" if extension else "no extension"
        raise ImportFileError(f"Upload a .csv or .xlsx file (this one has {shown}).")
    parsed = ParsedFile(format=extension, header=header)
    names = _check_header(header)
    formula_rows: dict[int, list[str]] = {}
    for number, column in formulas:
        formula_rows.setdefault(number, []).append(column)
    for number, cells in rows:
        kept = {}
        for index, value in enumerate(cells):
            name = names[index] if index < len(names) else None
            if name is None or name in IGNORED_COLUMNS or value is None or value == "":
                continue
            try:
                kept[name] = clean(value)
            except ControlCharacterError as exc:
                raise ImportFileError(f"Row {number}, {name}: the text {exc}.") from None
        formula_columns = formula_rows.get(number, [])
        if kept or formula_columns:
            row: dict[str, Any] = {"row": number, "cells": kept}
            if formula_columns:
                row["formulas"] = formula_columns
            parsed.rows.append(row)
    if not parsed.rows:
        raise ImportFileError("The file has a header row but no rows of measures under it.")
    if len(parsed.rows) > max_rows:
        raise ImportFileError(
            f"The file has more than {max_rows} rows; split it into smaller files."
        )
    return parsed


def _check_header(header: list[str]) -> list[str | None]:
    """The column name of each position (None for a blank heading over empty cells)."""
    names: list[str | None] = []
    unknown, seen, twice = [], set(), []
    for heading in header:
        name = (heading or "").strip().lower()
        if not name:
            names.append(None)
            continue
        if name not in KNOWN_COLUMNS:
            unknown.append(heading.strip())
        elif name in seen:
            twice.append(name)
        seen.add(name)
        names.append(name)
    if unknown:
        raise ImportFileError(
            "The first row must hold the column names of the template. Unknown column"
            + ("s" if len(unknown) > 1 else "")
            + ": "
            + ", ".join(repr(u[:40]) for u in unknown[:10])
            + ". Download the template to see the columns."
        )
    if twice:
        raise ImportFileError(f"The column {twice[0]!r} appears twice in the first row.")
    missing = [c for c in REQUIRED_COLUMNS if c not in seen]
    if missing:
        raise ImportFileError(
            "The first row lacks the required column"
            + ("s " if len(missing) > 1 else " ")
            + ", ".join(missing)
            + "."
        )
    return names


# --- CSV ----------------------------------------------------------------------------------------


NOT_UTF8 = (
    "The file is not UTF-8 text ({where} cannot be read). "
    'In Excel choose "CSV UTF-8 (comma delimited)" when saving, or upload the .xlsx file.'
)


def _too_many_blank(allowed: int) -> ImportFileError:
    return ImportFileError(
        f"The file has more than {allowed:,} blank rows; delete them and upload it again."
    )


def _read_csv(
    data: bytes, *, max_rows: int
) -> tuple[list[str], list[tuple[int, list[str | None]]]]:
    # Decoded while it is read (no second copy of the file as one string).
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    try:
        first_line = stream.readline()
    except UnicodeDecodeError as exc:
        raise ImportFileError(NOT_UTF8.format(where=f"byte {exc.start + 1}")) from None
    stream.seek(0)
    # Spreadsheet programs in many locales save "CSV" with semicolons; accept that.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str | None]]] = []
    header: list[str] | None = None
    number = 1
    blank, allowed_blank = 0, blank_rows_allowed(max_rows)
    old_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_CELL_CHARS)
    try:
        for values in reader:
            if header is None:
                header = values
                continue
            # The spreadsheet row number: the header is row 1 (cells with line breaks
            # span several lines of the file but one row of the sheet).
            number += 1
            if not any(v != "" for v in values):
                # Blank rows are not kept, and a file of them stops early.
                blank += 1
                if blank > allowed_blank:
                    raise _too_many_blank(allowed_blank)
                continue
            rows.append((number, list(values)))
            if len(rows) > max_rows:
                raise ImportFileError(
                    f"The file has more than {max_rows} rows; split it into smaller files."
                )
    except UnicodeDecodeError:
        raise ImportFileError(NOT_UTF8.format(where=f"a byte near row {number + 1}")) from None
    except csv.Error as exc:
        raise ImportFileError(f"The CSV cannot be read near row {number + 1}: {exc}.") from None
    finally:
        csv.field_size_limit(old_limit)
    if header is None:
        raise ImportFileError("The file is empty.")
    return header, rows


# --- XLSX ---------------------------------------------------------------------------------------


def _check_archive(data: bytes, *, max_unpacked: int) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise ImportFileError(
                f"The workbook has {len(parts)} parts; a spreadsheet of measures has far fewer."
            )
        unpacked = sum(p.file_size for p in parts)
        if unpacked > max_unpacked:
            raise ImportFileError(
                f"The workbook unpacks to {_mib(unpacked)}; the limit is "
                f"{_mib(max_unpacked)}. Split it into smaller files."
            )
        for part in parts:
            if part.file_size > 1024 * 1024 and part.file_size > MAX_RATIO * max(
                part.compress_size, 1
            ):
                raise ImportFileError(
                    f"The workbook part {part.filename[:60]!r} is compressed "
                    f"{part.file_size // max(part.compress_size, 1)} "
                    "to 1, which a spreadsheet never is. It was not opened."
                )
        for part in parts:
            if part.filename.lower().endswith(XML_PART_SUFFIXES):
                with archive.open(part) as stream:
                    head = stream.read(MAX_PROLOG_BYTES)
                if _declares_doctype(head):
                    raise ImportFileError(
                        "The workbook cannot be opened: its XML declares entities or a document "
                        f"type (in {part.filename[:60]!r}), which spreadsheet programs never "
                        "write and the import refuses for safety."
                    )


PROLOG_ITEM = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)


def _declares_doctype(head: bytes) -> bool:
    """Whether an XML part's prolog (what comes before the root element) holds a DTD, or
    cannot be read far enough to tell (which a spreadsheet program never writes)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    elif head[:2] in (b"<\x00", b"\x00<"):
        text = head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    position = 0
    while True:
        match = PROLOG_ITEM.match(text, position)
        if match is None or match.end() == position:
            break
        position = match.end()
    rest = text[position:]
    if rest.startswith("<!"):
        return True  # <!DOCTYPE (or another declaration) before the root element
    return not rest.startswith("<") and len(head) >= MAX_PROLOG_BYTES


def _cell_text(value: Any) -> str | None:
    """A cell's value as the text the export would have written."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        # A typed date becomes a date-time in Excel; the tracker's dates are days.
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _unreadable(exc: BaseException) -> ImportFileError:
    """The message for a workbook openpyxl cannot read; defusedxml's refusals are named."""
    from defusedxml import DefusedXmlException

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return ImportFileError(
                "The workbook cannot be opened: its XML declares entities or a document type, "
                "which spreadsheet programs never write and the import refuses for safety."
            )
        seen = seen.__cause__ or seen.__context__
    return ImportFileError(
        f"The workbook cannot be opened ({type(exc).__name__}). Save it again as .xlsx."
    )


def _read_xlsx(
    data: bytes, *, max_rows: int, max_unpacked: int
) -> tuple[list[str], list[tuple[int, list[str | None]]], list[tuple[int, str]]]:
    _check_archive(data, max_unpacked=max_unpacked)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise _unreadable(exc) from None
    try:
        sheet = (
            workbook[SHEET_NAME] if SHEET_NAME in workbook.sheetnames else workbook.worksheets[0]
        )
        header: list[str] | None = None
        rows: list[tuple[int, list[str | None]]] = []
        formulas: list[tuple[int, str]] = []
        non_blank = 0
        blank, allowed_blank = 0, blank_rows_allowed(max_rows)
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            if header is None:
                header = [_cell_text(c.value) or "" for c in cells]
                while header and not header[-1].strip():
                    header.pop()
                if not header:
                    raise ImportFileError(
                        "The first row of the sheet must hold the column names of the template."
                    )
                continue
            values: list[str | None] = []
            for index, cell in enumerate(cells[: len(header)]):
                if getattr(cell, "data_type", None) == "f":
                    formulas.append((number, header[index].strip().lower()))
                    values.append(None)
                    continue
                text = _cell_text(cell.value)
                if text is not None and len(text) > MAX_CELL_CHARS:
                    raise ImportFileError(
                        f"Row {number} has a cell of {len(text)} characters; the limit is "
                        f"{MAX_CELL_CHARS}."
                    )
                values.append(text)
            if not any(v not in (None, "") for v in values) and not (
                formulas and formulas[-1][0] == number
            ):
                blank += 1
                if blank > allowed_blank:
                    raise _too_many_blank(allowed_blank)
                continue
            rows.append((number, values))
            non_blank += 1
            if non_blank > max_rows:
                raise ImportFileError(
                    f"The file has more than {max_rows} rows; split it into smaller files."
                )
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
        if isinstance(exc, ImportFileError):
            raise
        raise _unreadable(exc) from None
    finally:
        workbook.close()
    if header is None:
        raise ImportFileError("The sheet is empty.")
    return header, rows, formulas
