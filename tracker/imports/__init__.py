"""Spreadsheet import of measures: upload, dry-run preview, all-or-nothing commit."""
