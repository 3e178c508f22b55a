"""A selection's citations are streamed a batch at a time (tracker.opendata.citations.chunks),
byte for byte what the whole list gives, in every format and at every batch size."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.measures.models import Measure
from tracker.opendata import citations
from tracker.opendata import views as opendata_views
from tracker.records.queries import visible

WHOLE = {"bib": citations.to_bibtex, "ris": citations.to_ris, "json": citations.to_csl_json}


@pytest.fixture
def all_citations(app: Any) -> Any:
    with app.test_request_context("/"):
        measures = list(
            db.session.scalars(opendata_views._full_measures(visible(Measure).order_by(Measure.id)))
        )
        assert len(measures) > 10
        yield opendata_views._citations(measures, drafts=False)


@pytest.mark.parametrize("fmt", sorted(WHOLE))
@pytest.mark.parametrize("size", [1, 2, 7, 500])
def test_batches_give_what_the_whole_list_gives(all_citations, fmt, size) -> None:
    batches = [all_citations[i : i + size] for i in range(0, len(all_citations), size)]
    assert "".join(citations.chunks(fmt, batches)) == WHOLE[fmt](all_citations)


@pytest.mark.parametrize("fmt", sorted(WHOLE))
def test_an_empty_selection(fmt) -> None:
    assert "".join(citations.chunks(fmt, [])) == WHOLE[fmt]([])


def test_the_selection_route_streams_in_batches(app, monkeypatch) -> None:
    """The route reads EXPORT_BATCH measures at a time and answers what a whole build gives."""
    monkeypatch.setattr(opendata_views, "EXPORT_BATCH", 3)
    client = app.test_client()
    with app.test_request_context("/"):
        ids = list(db.session.scalars(sa.select(Measure.id).where(Measure.is_live)))
    assert len(ids) > 3
    for fmt in WHOLE:
        response = client.get(f"/export/citations.{fmt}", buffered=False)
        assert response.is_streamed
        body = response.get_data(as_text=True)
        monkeypatch.setattr(opendata_views, "EXPORT_BATCH", 10_000)
        whole = client.get(f"/export/citations.{fmt}").get_data(as_text=True)
        monkeypatch.setattr(opendata_views, "EXPORT_BATCH", 3)
        assert body == whole
