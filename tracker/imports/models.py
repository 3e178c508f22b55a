"""An uploaded spreadsheet, kept parsed between its preview and its commit."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.modelbase import Base, utcnow

if TYPE_CHECKING:
    from tracker.accounts.models import User


class ImportUpload(Base):
    """One uploaded file: its parsed rows (cells as text), and what its commit created.

    The rows are validated again at every preview and at the commit, against the
    database as it is then, so a preview never goes stale. ``committed_at`` is set
    once, in the commit's transaction: a second commit of the same upload does nothing.
    """

    __tablename__ = "import_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    uploader_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(255))
    #: "csv" or "xlsx"
    format: Mapped[str] = mapped_column(sa.String(8))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int] = mapped_column(default=0)
    #: the header as found in the file
    header: Mapped[list[Any]] = mapped_column(default=list)
    #: [{"row": spreadsheet row number, "cells": {column: text}}], blank rows left out
    rows: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    committed_at: Mapped[Optional[dt.datetime]] = mapped_column(sa.DateTime(timezone=True))
    committed_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: [{"row": n, "record_id": id}] for every measure the commit created
    created: Mapped[list[Any]] = mapped_column(default=list)

    uploader: Mapped[Optional[User]] = relationship(foreign_keys=[uploader_id])
    committed_by: Mapped[Optional[User]] = relationship(foreign_keys=[committed_by_id])

    @property
    def is_committed(self) -> bool:
        return self.committed_at is not None
