"""Import routes: the upload form and template, the dry-run preview, the commit.

Editors and administrators only (``Permission.EDIT``). An upload is parsed and
stored, never written as measures; the preview checks its rows against the
database as it is at that moment; the commit writes every row or none.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy.orm import selectinload
from wtforms import BooleanField

from tracker.accounts.permissions import Permission, requires
from tracker.engine import analyze
from tracker.extensions import db
from tracker.imports import services
from tracker.imports.models import ImportUpload
from tracker.imports.parsing import IMPORTED_COLUMNS, REQUIRED_COLUMNS, ImportFileError, parse
from tracker.imports.template import template_csv, template_xlsx
from tracker.measures.models import Measure
from tracker.opendata.formats import attachment, safe_filename
from tracker.opendata.views import MEDIA_TYPES

bp = Blueprint("imports", __name__, url_prefix="/import")

RECENT = 10


class UploadForm(FlaskForm):
    file = FileField("Spreadsheet (.csv or .xlsx)")


class CommitForm(FlaskForm):
    allow_duplicates = BooleanField("Import the likely duplicates too")


def _limits() -> dict[str, int]:
    config = current_app.config
    return {
        "max_bytes": int(config["IMPORT_MAX_BYTES"]),
        "max_rows": int(config["IMPORT_MAX_ROWS"]),
        "max_unpacked": int(config["IMPORT_MAX_UNPACKED_BYTES"]),
    }


def _index_page(form: UploadForm, status: int = 200) -> Any:
    recent = db.session.scalars(
        sa.select(ImportUpload)
        .options(selectinload(ImportUpload.uploader))
        .order_by(ImportUpload.created_at.desc(), ImportUpload.id.desc())
        .limit(RECENT)
    ).all()
    return render_template(
        "imports/index.html",
        form=form,
        recent=recent,
        limits=_limits(),
        required=REQUIRED_COLUMNS,
        imported=IMPORTED_COLUMNS,
    ), status


@bp.get("/")
@requires(Permission.EDIT)
def index() -> Any:
    return _index_page(UploadForm())


@bp.post("/")
@requires(Permission.EDIT)
def upload() -> Any:
    form = UploadForm()
    if not form.validate():
        return _index_page(form, 422)
    storage = form.file.data
    if storage is None or not getattr(storage, "filename", ""):
        form.file.errors = ["Choose a .csv or .xlsx file to upload."]
        return _index_page(form, 422)
    limits = _limits()
    # Read at most one byte past the limit: a larger file is refused without reading it all.
    try:
        data = storage.stream.read(limits["max_bytes"] + 1)
    finally:
        storage.close()
    filename = safe_filename(storage.filename, "upload")
    try:
        parsed = parse(storage.filename, data, **limits)
    except ImportFileError as exc:
        form.file.errors = [str(exc)]
        return _index_page(form, 422)
    upload = services.store(parsed, filename=filename, data=data, uploader_id=current_user.id)
    db.session.commit()
    return redirect(url_for("imports.preview", upload_id=upload.id))


@bp.get("/template.<any(csv, xlsx):sheet_format>")
@requires(Permission.EDIT)
def template(sheet_format: str) -> Response:
    fmt = sheet_format
    body = template_csv() if fmt == "csv" else template_xlsx()
    response = Response(body, content_type=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = attachment(f"cyber-norms-measures-template.{fmt}")
    return response


def _upload(upload_id: int) -> ImportUpload:
    upload = db.session.get(ImportUpload, upload_id)
    if upload is None:
        abort(404, "There is no upload with this number.")
    return upload


def _preview_page(
    upload: ImportUpload,
    form: CommitForm,
    *,
    check: Any = None,
    refused: str | None = None,
    status: int = 200,
) -> Any:
    created = []
    if upload.is_committed:
        ids = [c["record_id"] for c in upload.created]
        copies = (
            {
                m.record_id: m
                for m in db.session.scalars(
                    sa.select(Measure).where(Measure.record_id.in_(ids), Measure.is_draft)
                )
            }
            if ids
            else {}
        )
        created = [(c["row"], c["record_id"], copies.get(c["record_id"])) for c in upload.created]
    elif check is None:
        check = services.check(upload)
    return render_template(
        "imports/preview.html",
        upload=upload,
        check=check,
        form=form,
        refused=refused,
        created=created,
    ), status


@bp.get("/<int:upload_id>")
@requires(Permission.EDIT)
def preview(upload_id: int) -> Any:
    return _preview_page(_upload(upload_id), CommitForm())


@bp.post("/<int:upload_id>/commit")
@requires(Permission.EDIT)
def commit(upload_id: int) -> Any:
    upload = _upload(upload_id)
    form = CommitForm()
    if not form.validate():
        return _preview_page(upload, form, status=422)
    try:
        outcome = services.commit(
            upload, user_id=current_user.id, allow_duplicates=bool(form.allow_duplicates.data)
        )
        db.session.commit()
        analyze()  # an import can change the tables' sizes: keep the planner's statistics current
    except services.AlreadyCommitted:
        db.session.rollback()
        flash("This file was imported already; nothing more was done.", "info")
        return redirect(url_for("imports.preview", upload_id=upload_id))
    except services.CommitRefused as exc:
        db.session.rollback()
        return _preview_page(
            _upload(upload_id), form, check=exc.check, refused=str(exc), status=422
        )
    except sa.exc.IntegrityError:
        # A key taken between the check and the commit (another import or edit).
        db.session.rollback()
        return _preview_page(
            _upload(upload_id),
            form,
            status=409,
            refused=(
                "Nothing was imported: a measure with one of these keys was saved meanwhile. "
                "Review the rows below and try again."
            ),
        )
    n = len(outcome.record_ids)
    flash(
        f"Imported {n} measure{'s' if n != 1 else ''} as draft{'s' if n != 1 else ''}. "
        "Only staff see them until each is reviewed and published.",
        "success",
    )
    return redirect(url_for("imports.preview", upload_id=upload_id))
