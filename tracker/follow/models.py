"""An e-mail alert subscription: only what sending a digest needs.

No account, no name, no address of the client: the address, the followed filters, how
often, when it was confirmed, and how far the digests have got (the last publication sent).
Unsubscribing deletes the row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.modelbase import Base, LabelledEnum, enum_type, utcnow


class Frequency(LabelledEnum):
    DAILY = ("daily", "Daily")
    WEEKLY = ("weekly", "Weekly")


class Subscription(Base):
    __tablename__ = "alert_subscriptions"
    __table_args__ = (sa.UniqueConstraint("email", "query"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    #: the followed filters as query arguments ({"jurisdiction": ["GB"]})
    filters: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    #: the same filters as a canonical query string (one subscription per address and filter)
    query: Mapped[str] = mapped_column(sa.String(2000))
    frequency: Mapped[Frequency] = mapped_column(enum_type(Frequency, 16))
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    #: set when the reader follows the link in the confirmation mail; no digest before
    confirmed_at: Mapped[Optional[dt.datetime]] = mapped_column(sa.DateTime(timezone=True))
    last_sent_at: Mapped[Optional[dt.datetime]] = mapped_column(sa.DateTime(timezone=True))
    #: the newest publication a digest has covered (the next digest lists later ones)
    last_publication_id: Mapped[Optional[int]] = mapped_column()
