"""Snapshots, copies and restores of paper content (registered with tracker.records).

A paper is a record of kind ``paper``; everything that works on records (copy on
write, publish, withdraw, soft delete, revisions) works on papers through the
ContentOps registered at the bottom of this module.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import sqlalchemy as sa

from tracker.extensions import db
from tracker.modelbase import Verification, parse_partial_date, partial_date_text
from tracker.norms.models import Commitment, Norm, Topic
from tracker.papers.models import (
    Paper,
    PaperAuthor,
    PaperRecommendation,
    PaperSource,
    Recommendation,
)
from tracker.records import services as records
from tracker.records.models import RecordKind
from tracker.workinggroups.models import WorkingGroup

SCALAR_FIELDS = ("title", "abstract", "url", "verification", "verification_note")


def snapshot(paper: Paper) -> dict[str, Any]:
    """A JSON-ready picture of the paper; children by stable keys, recommendations by identity."""
    return {
        "title": paper.title,
        "working_group": paper.working_group.key if paper.working_group else None,
        "publication_date": partial_date_text(
            paper.publication_date, paper.publication_date_precision
        ),
        "abstract": paper.abstract,
        "url": paper.url,
        "verification": paper.verification.value,
        "verification_note": paper.verification_note,
        "authors": [{"name": a.name, "affiliation": a.affiliation} for a in paper.authors],
        "sources": [
            {
                "url": s.url,
                "title": s.title,
                "accessed": s.accessed.isoformat() if s.accessed else None,
            }
            for s in paper.sources
        ],
        "recommendations": [
            {
                "id": r.recommendation_id,
                "number": r.number,
                "text": r.text,
                "addressee": r.addressee,
                "norms": [n.letter for n in r.norms],
                "commitments": [c.key for c in r.commitments],
                "topics": [t.slug for t in r.topics],
            }
            for r in paper.recommendations
        ],
    }


def clone(paper: Paper) -> Paper:
    """A new, unsaved paper row with the same content; recommendations keep their identity."""
    new = Paper(record_id=paper.record_id)
    for name in SCALAR_FIELDS:
        setattr(new, name, getattr(paper, name))
    new.working_group_id = paper.working_group_id
    new.publication_date = paper.publication_date
    new.publication_date_precision = paper.publication_date_precision
    new.authors = [
        PaperAuthor(position=a.position, name=a.name, affiliation=a.affiliation)
        for a in paper.authors
    ]
    new.sources = [
        PaperSource(position=s.position, url=s.url, title=s.title, accessed=s.accessed)
        for s in paper.sources
    ]
    new.recommendations = [
        PaperRecommendation(
            recommendation_id=r.recommendation_id,
            position=r.position,
            number=r.number,
            text=r.text,
            addressee=r.addressee,
            norms=list(r.norms),
            commitments=list(r.commitments),
            topics=list(r.topics),
        )
        for r in paper.recommendations
    ]
    return new


def _lookup(model: Any, column: Any, values: set[str], what: str) -> dict[str, Any]:
    found = (
        {
            getattr(o, column.key): o
            for o in db.session.scalars(sa.select(model).where(column.in_(values)))
        }
        if values
        else {}
    )
    unknown = sorted(values - set(found))
    if unknown:
        raise ValueError(f"unknown {what}: {', '.join(unknown)}")
    return found


def _http_url(value: Optional[str], what: str) -> Optional[str]:
    if value and not value.startswith(("http://", "https://")):
        raise ValueError(f"{what} {value!r} is not an http(s) URL")
    return value


def apply(paper: Paper, data: dict[str, Any]) -> None:
    """Make ``paper`` hold exactly the content of a snapshot (restore, import, tests).

    Raises ValueError, changing nothing it has not already checked, on unknown
    references, non-http(s) URLs, bad dates or duplicate recommendation numbers.
    """
    items = data.get("recommendations", [])
    numbers = [str(r["number"]) for r in items]
    duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
    if duplicates:
        raise ValueError(f"recommendation numbers appear twice: {', '.join(duplicates)}")
    # Look everything up before touching the row, so a half-filled new paper is never flushed.
    with db.session.no_autoflush:
        norms = _lookup(Norm, Norm.letter, {x for r in items for x in r.get("norms", [])}, "norm")
        commitments = _lookup(
            Commitment,
            Commitment.key,
            {x for r in items for x in r.get("commitments", [])},
            "commitment",
        )
        topics = _lookup(
            Topic, Topic.slug, {x for r in items for x in r.get("topics", [])}, "topic"
        )
        group = None
        if data.get("working_group"):
            group = _lookup(
                WorkingGroup, WorkingGroup.key, {data["working_group"]}, "working group"
            )[data["working_group"]]
    date = precision = None
    if data.get("publication_date"):
        date, precision = parse_partial_date(data["publication_date"])

    paper.title = data["title"]
    paper.abstract = data.get("abstract")
    paper.url = _http_url(data.get("url"), "paper URL")
    paper.verification = Verification(data.get("verification") or "unverified")
    paper.verification_note = data.get("verification_note")
    paper.working_group = group
    paper.publication_date, paper.publication_date_precision = date, precision
    paper.authors = [
        PaperAuthor(position=i, name=a["name"], affiliation=a.get("affiliation"))
        for i, a in enumerate(data.get("authors", []))
    ]
    paper.sources = [
        PaperSource(
            position=i,
            url=_http_url(s.get("url"), "source URL"),
            title=s.get("title") or s.get("url"),
            accessed=dt.date.fromisoformat(s["accessed"]) if s.get("accessed") else None,
        )
        for i, s in enumerate(data.get("sources", []))
    ]
    _apply_recommendations(paper, items, norms, commitments, topics)


def _apply_recommendations(
    paper: Paper,
    items: list[dict[str, Any]],
    norms: dict[str, Norm],
    commitments: dict[str, Commitment],
    topics: dict[str, Topic],
) -> None:
    # Rows are updated in place, matched by identity, so that (paper, recommendation)
    # stays unique while the unit of work runs; identities from another record are refused.
    with db.session.no_autoflush:
        own_ids = set(
            db.session.scalars(
                sa.select(Recommendation.id).where(Recommendation.record_id == paper.record_id)
            )
        )
    current = {r.recommendation_id: r for r in paper.recommendations}
    rows = []
    for position, item in enumerate(items):
        identity = item.get("id")
        if identity is not None and identity not in own_ids:
            raise ValueError(f"recommendation {identity!r} does not belong to this paper")
        row = current.pop(identity, None) if identity is not None else None
        if row is None:
            if identity is None:
                recommendation = Recommendation(record_id=paper.record_id)
                db.session.add(recommendation)
                db.session.flush()
                identity = recommendation.id
            row = PaperRecommendation(recommendation_id=identity)
        row.position = position
        row.number = str(item["number"])
        row.text = item["text"]
        row.addressee = item.get("addressee")
        row.norms = [norms[x] for x in item.get("norms", [])]
        row.commitments = [commitments[x] for x in item.get("commitments", [])]
        row.topics = [topics[x] for x in item.get("topics", [])]
        rows.append(row)
    paper.recommendations = rows


def publication_problems(paper: Paper) -> list[str]:
    """Why this copy may not be published yet (an empty list: it may)."""
    if not paper.sources and not paper.url:
        return ["Add the paper's address or at least one source, so that readers can find it."]
    return []


records.register(
    RecordKind.PAPER,
    records.ContentOps(
        model=Paper,
        snapshot=snapshot,
        clone=clone,
        apply=apply,
        publication_problems=publication_problems,
    ),
)
