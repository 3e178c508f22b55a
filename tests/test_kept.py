"""Public figures kept per data version (tracker.records.kept): computed once for every
variant of the pages that show them, never stale after a publication, never with drafts."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tracker.extensions import db
from tracker.records import kept, stamps


@dataclass(frozen=True)
class Figure:
    #: the page that shows the figure, and another page (a variant) that shows it too
    path: str
    variant: str
    #: the function that computes the figure (module, name), counted when called
    module: str
    function: str
    #: the figure read from the page
    read: Callable[[Any], int]
    #: the page may show drafts to staff (the API never does)
    drafts: bool = True


def _html(pattern: str) -> Callable[[Any], int]:
    def read(response: Any) -> int:
        found = re.search(pattern, response.get_data(as_text=True))
        assert found, pattern
        return int(found.group(1))

    return read


def _json(name: str) -> Callable[[Any], int]:
    return lambda response: int(response.get_json()[name])


def _years(response: Any) -> int:
    return len(re.findall(r'<option value="\d{4}"', response.get_data(as_text=True)))


TOTAL = r'id="result-count" role="status"><strong>(\d+)</strong>'
COUNT = "tracker.records.kept"

FIGURES = {
    "measure list total": Figure(
        "/measures/", "/api/v1/measures?per_page=10&page=2", COUNT, "count", _html(TOTAL)
    ),
    "filtered total": Figure(
        "/measures/?jurisdiction=DE&norm=i",
        "/api/v1/measures?jurisdiction=DE&norm=i",
        COUNT,
        "count",
        _html(TOTAL),
    ),
    "api total": Figure(
        "/api/v1/measures?norm=i&per_page=5&page=2",
        "/measures/?norm=i",
        COUNT,
        "count",
        _json("total"),
        drafts=False,
    ),
    "standing filter": Figure(
        "/measures/?jurisdiction=DE&standing=in_force",
        "/api/v1/measures?standing=in_force&jurisdiction=DE&page=1",
        "tracker.measures.queries",
        "_with_standing",
        _html(TOTAL),
    ),
    "year options": Figure(
        "/measures/",
        "/measures/?norm=c",
        "tracker.measures.queries",
        "year_options",
        _years,
    ),
    "counts by jurisdiction": Figure(
        "/jurisdictions/",
        "/measures/?topic=sbom",
        "tracker.measures.queries",
        "counts_by_jurisdiction",
        _html(r'href="/measures/\?jurisdiction=DE(?:&amp;drafts=1)?">(\d+)</a>'),
    ),
    "member counts": Figure(
        "/jurisdictions/EU",
        "/jurisdictions/",
        "tracker.measures.queries",
        "counts_by_jurisdiction",
        _html(r'<span class="jcode">DE</span> <span class="badge count-badge">(\d+)<'),
    ),
    "norm counts": Figure(
        "/norms/i",
        "/api/v1/norms/i",
        "tracker.measures.queries",
        "norm_counts_by_jurisdiction",
        _html(r"<p>(\d+) measures? in"),
    ),
    "api norm counts": Figure(
        "/api/v1/norms/i",
        "/norms/i",
        "tracker.measures.queries",
        "norm_counts_by_jurisdiction",
        _json("measures"),
        drafts=False,
    ),
}

#: a measure of DE under norm i, its earliest event in a year no other measure starts in
NEW = {"events": [{"kind": "adopted", "date": "1950-01-15", "note": None}]}
DRAFT = {"events": [{"kind": "adopted", "date": "1951-01-15", "note": None}]}


def _with_drafts(path: str) -> str:
    return path + ("&" if "?" in path else "?") + "drafts=1"


@pytest.mark.parametrize("name", list(FIGURES))
def test_a_kept_figure_serves_every_variant_moves_with_a_publication_and_never_counts_drafts(
    app: Any, client: Any, make_measure: Any, login: Any, monkeypatch: Any, name: str
) -> None:
    figure = FIGURES[name]
    module = __import__(figure.module, fromlist=[figure.function])
    original = getattr(module, figure.function)
    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, figure.function, counted)

    def get(path: str, who: Any = client) -> Any:
        response = who.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response

    before = figure.read(get(figure.path))
    assert len(calls) == 1
    # another page, another page number or the API: the same figure, not computed again
    get(figure.variant)
    assert figure.read(get(figure.path)) == before
    assert len(calls) == 1, f"{name}: computed again for a variant of the same data version"

    # a publication moves the stamp: the page shows the new figure at once
    make_measure(**NEW)
    assert figure.read(get(figure.path)) == before + 1
    assert len(calls) == 2

    # staff asking for drafts: computed with the draft, neither read from nor stored in the
    # kept figures (the API never counts drafts, whoever asks)
    make_measure(published=False, **DRAFT)
    staff = app.test_client()
    login(staff, "admin")
    with_drafts = figure.read(get(_with_drafts(figure.path), staff))
    if figure.drafts:
        assert with_drafts == before + 2
        assert len(calls) == 3
    else:
        assert with_drafts == before + 1
        assert len(calls) == 2
    # the public still gets the published figure, from the kept figures
    assert figure.read(get(figure.path)) == before + 1
    assert len(calls) == (3 if figure.drafts else 2)


def test_kept_figures_follow_the_data_version(app_ctx: Any) -> None:
    computed: list[str] = []

    def compute(value: str) -> Callable[[], str]:
        def run() -> str:
            computed.append(value)
            return value

        return run

    with app_ctx.test_request_context():
        assert kept.kept("kind", "a", compute("first")) == "first"
        assert kept.kept("kind", "a", compute("second")) == "first"
        assert kept.kept("kind", "b", compute("other key")) == "other key"
        assert kept.kept("other kind", "a", compute("other kind")) == "other kind"
        # drafts: computed each time, nothing stored
        assert kept.public_or_kept(True, "kind", "a", compute("drafts")) == "drafts"
        assert kept.kept("kind", "a", compute("third")) == "first"
    # a publication (the global stamp moves): the older figures are forgotten
    stamps.bump({stamps.GLOBAL}, None)
    db.session.commit()
    with app_ctx.test_request_context():
        assert kept.kept("kind", "a", compute("after")) == "after"
        assert kept.kept("kind", "b", compute("after b")) == "after b"
    assert computed == ["first", "other key", "other kind", "drafts", "after", "after b"]


def test_kept_figures_keep_the_most_recently_used(app_ctx: Any) -> None:
    with app_ctx.test_request_context():
        for key in range(3):
            kept.kept("kind", key, lambda key=key: key, size=2)
        assert kept.kept("kind", 0, lambda: "again", size=2) == "again"  # the oldest went
        assert kept.kept("kind", 2, lambda: "again", size=2) == 2
