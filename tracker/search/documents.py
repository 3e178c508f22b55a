"""What each kind of content contributes to the index: its text and its facet values.

One ``IndexSource`` per *owner* (the content row an entry is built from). A measure,
attribution or norm gives one entry; a paper gives one for itself and one per
recommendation; a commitment gives one. Reviewable owners (measure, paper,
attribution) are filtered by visibility at query time; norms and commitments
are reference data that everyone sees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.attribution.models import (
    Attribution,
    AttributionFormRow,
    AttributionStatement,
    InvokedNorm,
    StatementParty,
)
from tracker.measures.models import Mapping, Measure
from tracker.norms.models import CONTESTED_NOTE, Commitment, Norm
from tracker.papers.models import Paper, PaperAuthor, PaperRecommendation
from tracker.search.synonyms import expansions
from tracker.search.text import fold, index_text

#: the status facet of a contested commitment (labelled by tracker.search.labels)
CONTESTED_STATUS = "draft_under_discussion"

#: the facets, in the order the search page shows them
FACETS = ("kind", "jurisdiction", "norm", "topic", "type", "status", "year")


@dataclass
class Doc:
    kind: str
    title: str
    alt: list[str | None] = field(default_factory=list)
    body: list[str | None] = field(default_factory=list)
    record_id: int | None = None
    ref: str | None = None
    verification: str | None = None
    facets: dict[str, set[str]] = field(default_factory=dict)
    #: labels of the topics and norms the thing is tagged with (searchable, shown in snippets)
    labels: list[str] = field(default_factory=list)

    def label(self, *values: str | None) -> None:
        for value in values:
            if value and value not in self.labels:
                self.labels.append(value)

    def add(self, facet: str, *values: Any) -> None:
        for value in values:
            if value is not None and value != "":
                self.facets.setdefault(facet, set()).add(str(value)[:80])

    def columns(self) -> dict[str, Any]:
        title = index_text(self.title)
        # " · " keeps fields apart in snippets (the engines ignore the dot).
        alt = index_text(" · ".join(v for v in self.alt if v))
        tags = ["Topics and norms: " + "; ".join(sorted(self.labels))] if self.labels else []
        body = index_text(" · ".join(v for v in [*self.body, *tags] if v))
        joined = "\n".join((title, alt, body))
        folded = fold(joined)
        folded = folded if folded != joined else ""
        # Synonyms are searchable but never shown: the folded column has no snippet.
        synonyms = expansions(joined, self.labels)
        if synonyms:
            folded = "\n".join(v for v in (folded, " · ".join(synonyms)) if v)
        return {
            "kind": self.kind,
            "record_id": self.record_id,
            "ref": self.ref,
            "title": title,
            "alt": alt,
            "body": body,
            "folded": folded,
            "verification": self.verification,
        }


@dataclass(frozen=True)
class IndexSource:
    owner: str
    model: Any
    build: Callable[[Any], list[Doc]]
    #: eager loading for a batch of owners
    options: Callable[[sa.Select[Any]], sa.Select[Any]]
    #: reviewable content: entries are shown only when the owner row is visible
    reviewable: bool


def _measure(m: Measure) -> list[Doc]:
    doc = Doc(
        kind="measure",
        title=m.title,
        record_id=m.record_id,
        verification=m.verification.value,
        alt=[
            m.title_original if m.title_original != m.title else None,
            m.short_name,
            m.official_identifier,
            f"{m.jurisdiction.name} {m.jurisdiction_code}"
            if m.jurisdiction
            else m.jurisdiction_code,
        ],
        body=[m.description, m.issuing_body, m.status_note]
        + [mp.rationale for mp in m.mappings]
        + [mp.locator for mp in m.mappings],
    )
    doc.add("kind", "measure")
    doc.add("jurisdiction", m.jurisdiction_code)
    doc.add("norm", *(mp.norm.letter for mp in m.mappings if mp.norm))
    doc.add(
        "norm",
        *(mp.commitment.norm.letter for mp in m.mappings if mp.commitment and mp.commitment.norm),
    )
    doc.add("topic", *(t.slug for t in m.topics))
    doc.label(*(t.name for t in m.topics))
    doc.label(*(f"Norm ({mp.norm.letter}) {mp.norm.short_title}" for mp in m.mappings if mp.norm))
    doc.add("type", m.type.value)
    doc.add("status", m.status.value)
    doc.add("year", m.year)
    return [doc]


def _measure_options(stmt: sa.Select[Any]) -> sa.Select[Any]:
    return stmt.options(
        selectinload(Measure.jurisdiction),
        selectinload(Measure.topics),
        selectinload(Measure.mappings).selectinload(Mapping.norm),
        selectinload(Measure.mappings)
        .selectinload(Mapping.commitment)
        .selectinload(Commitment.norm),
    )


def _paper(p: Paper) -> list[Doc]:
    year = p.publication_date.year if p.publication_date else None
    doc = Doc(
        kind="paper",
        title=p.title,
        record_id=p.record_id,
        verification=p.verification.value,
        alt=[*(a.name for a in p.authors), p.working_group.name if p.working_group else None],
        body=[p.abstract] + [a.affiliation for a in p.authors],
    )
    doc.add("kind", "paper")
    doc.add("year", year)
    docs = [doc]
    for rec in p.recommendations:
        letters = [n.letter for n in rec.norms] + [c.norm.letter for c in rec.commitments if c.norm]
        slugs = [t.slug for t in rec.topics]
        doc.add("norm", *letters)
        doc.add("topic", *slugs)
        item = Doc(
            kind="recommendation",
            title=f"Recommendation {rec.number}: {p.title}",
            record_id=p.record_id,
            ref=rec.number,
            verification=p.verification.value,
            alt=[rec.addressee],
            body=[rec.text],
        )
        item.add("kind", "recommendation")
        item.add("norm", *letters)
        item.add("topic", *slugs)
        item.label(*(t.name for t in rec.topics))
        item.label(*(f"Norm ({n.letter}) {n.short_title}" for n in rec.norms))
        item.add("year", year)
        docs.append(item)
    return docs


def _paper_options(stmt: sa.Select[Any]) -> sa.Select[Any]:
    return stmt.options(
        selectinload(Paper.authors),
        selectinload(Paper.working_group),
        selectinload(Paper.recommendations).selectinload(PaperRecommendation.norms),
        selectinload(Paper.recommendations).selectinload(PaperRecommendation.topics),
        selectinload(Paper.recommendations)
        .selectinload(PaperRecommendation.commitments)
        .selectinload(Commitment.norm),
    )


def _attribution(a: Attribution) -> list[Doc]:
    parties = [
        f"{p.jurisdiction.name} {p.jurisdiction_code}"
        for s in a.statements
        for p in s.parties
        if p.jurisdiction
    ]
    doc = Doc(
        kind="attribution",
        title=a.operation,
        record_id=a.record_id,
        verification=a.verification.value,
        alt=[
            a.attributed_actor,
            a.attributed_state.name if a.attributed_state else None,
            *parties,
            *a.attributing_orgs,
            *a.supporting_orgs,
        ],
        body=[a.basis_note, a.follow_up, a.legal_basis, a.notes]
        + [s.passage for s in a.statements]
        + [i.passage for i in a.invoked_norms],
    )
    doc.add("kind", "attribution")
    doc.add("jurisdiction", *(p.jurisdiction_code for p in a.attributing))
    doc.add("norm", *(i.norm.letter for i in a.invoked_norms))
    doc.add("type", *(f.value for f in a.forms))
    doc.add("year", a.date.year)
    return [doc]


def _attribution_options(stmt: sa.Select[Any]) -> sa.Select[Any]:
    return stmt.options(
        selectinload(Attribution.statements)
        .selectinload(AttributionStatement.parties)
        .selectinload(StatementParty.jurisdiction),
        selectinload(Attribution.statements)
        .selectinload(AttributionStatement.invoked_norms)
        .selectinload(InvokedNorm.norm),
        selectinload(Attribution.form_rows),
        selectinload(Attribution.attributed_state),
    )


def _norm(n: Norm) -> list[Doc]:
    doc = Doc(
        kind="norm",
        title=f"Norm ({n.letter}): {n.short_title}",
        ref=n.letter,
        verification=n.verification.value,
        alt=[n.reference],
        body=[n.official_text, n.summary],
    )
    doc.add("kind", "norm")
    doc.add("norm", n.letter)
    return [doc]


def _commitment(c: Commitment) -> list[Doc]:
    doc = Doc(
        kind="commitment",
        title=c.title,
        ref=c.key,
        verification=c.verification.value,
        alt=[c.instrument, c.paragraph, c.key],
        body=[CONTESTED_NOTE if c.contested else None, c.text],
    )
    doc.add("kind", "commitment")
    doc.add("norm", c.norm.letter if c.norm else None)
    doc.add("type", c.kind.value)
    # A contested item is a draft under discussion, never a plain commitment in the results.
    doc.add("status", CONTESTED_STATUS if c.contested else None)
    return [doc]


SOURCES: dict[str, IndexSource] = {
    s.owner: s
    for s in (
        IndexSource("measure", Measure, _measure, _measure_options, True),
        IndexSource("paper", Paper, _paper, _paper_options, True),
        IndexSource("attribution", Attribution, _attribution, _attribution_options, True),
        IndexSource("norm", Norm, _norm, lambda stmt: stmt, False),
        IndexSource(
            "commitment",
            Commitment,
            _commitment,
            lambda stmt: stmt.options(selectinload(Commitment.norm)),
            False,
        ),
    )
}


def owners_of(obj: Any) -> Iterable[tuple[str, int | None]]:
    """The (owner, id) pairs whose entries change when ``obj`` changes (empty if none)."""
    fn = _OWNER_OF.get(type(obj))
    return fn(obj) if fn else ()


def _one(owner: str, attr: str) -> Callable[[Any], Iterable[tuple[str, int | None]]]:
    return lambda obj: ((owner, getattr(obj, attr, None)),)


_OWNER_OF: dict[type, Callable[[Any], Iterable[tuple[str, int | None]]]] = {
    # content rows
    Measure: _one("measure", "id"),
    Paper: _one("paper", "id"),
    Attribution: _one("attribution", "id"),
    Norm: _one("norm", "id"),
    Commitment: _one("commitment", "id"),
    # children whose text or facets the entries hold (events, sources and relations
    # are not indexed; a year change shows on the measure row itself)
    Mapping: _one("measure", "measure_id"),
    PaperAuthor: _one("paper", "paper_id"),
    PaperRecommendation: _one("paper", "paper_id"),
    AttributionStatement: _one("attribution", "attribution_id"),
    AttributionFormRow: _one("attribution", "attribution_id"),
}
