"""The downloadable template: the export's header row (an export file imports as it is),
and in XLSX a second sheet that says what each column holds and how the import treats it."""

from __future__ import annotations

import io

from tracker.imports.parsing import IGNORED_COLUMNS, REQUIRED_COLUMNS, SHEET_NAME
from tracker.opendata.codebook import codebook
from tracker.opendata.formats import csv_bytes
from tracker.opendata.rows import MEASURES

NOTES = (
    "One row per measure, under the header row. Every row becomes a new draft measure, "
    "which enters the review workflow; nothing is published by the import.",
    "An export (/export/measures.csv or .xlsx) has the same columns and imports as it is.",
    "Lists: one value per line inside the cell. Structured lists (events, mappings, relations, "
    "sources): one item per line, fields separated by ' | ' in the order the column describes.",
    "Blank title_lang means en and blank verification means unverified, as in the editor.",
    "Dates: YYYY-MM-DD, YYYY-MM or YYYY. Codes and taxonomy values: see the codebook at /data/.",
    "Upload the file at /import/: a preview lists every row's errors and likely duplicates, "
    "and nothing is written until you confirm, for all rows at once.",
)


def header() -> list[str]:
    return MEASURES.header()


def template_csv() -> bytes:
    return csv_bytes(header(), [])


def how_imported(name: str) -> str:
    if name in REQUIRED_COLUMNS:
        return "required"
    if name in IGNORED_COLUMNS:
        return "ignored (for readers)"
    return "optional"


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=SHEET_NAME)
    sheet.freeze_panes = "A2"
    cells = []
    for name in header():
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)

    notes = workbook.create_sheet(title="notes")
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["B"].width = 22
    notes.column_dimensions["C"].width = 100
    for text in NOTES:
        cell = WriteOnlyCell(notes, value=text)
        cell.alignment = wrap
        notes.append([None, None, cell])
    notes.append([])
    heading = []
    for text in ("column", "on import", "what it holds"):
        cell = WriteOnlyCell(notes, value=text)
        cell.font = bold
        heading.append(cell)
    notes.append(heading)
    for item in codebook()["datasets"]["measures"]["fields"]:
        if item["name"] not in header():
            continue
        description = WriteOnlyCell(notes, value=item["description"])
        description.alignment = wrap
        notes.append([item["name"], how_imported(item["name"]), description])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
