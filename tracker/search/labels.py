"""Human labels for facet values, and links from a hit to its public page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import current_app, request, url_for

from tracker.attribution.models import AttributionForm
from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction
from tracker.measures.models import MeasureStatus, MeasureType
from tracker.norms.models import CONTESTED_LABEL, CommitmentKind, Norm, Topic
from tracker.search.models import SearchEntry

KINDS = {
    "measure": ("Measure", "Measures"),
    "paper": ("Policy paper", "Policy papers"),
    "recommendation": ("Recommendation", "Recommendations"),
    "attribution": ("Attribution", "Attributions"),
    "norm": ("Norm", "Norms"),
    "commitment": ("Commitment", "Commitments and CBMs"),
}

FACET_TITLES = {
    "kind": "What",
    "jurisdiction": "Jurisdiction",
    "norm": "Norm",
    "topic": "Topic",
    "type": "Type",
    "status": "Recorded status",
    "year": "Year",
}

_ENUM_LABELS = {
    "type": {m.value: m.label for e in (MeasureType, AttributionForm, CommitmentKind) for m in e},
    "status": {
        **{m.value: m.label for m in MeasureStatus},
        "draft_under_discussion": CONTESTED_LABEL,
    },
}


class Labels:
    """Looks up labels for the facet values of one page (a fixed number of queries)."""

    def __init__(self, values: Mapping[str, Iterable[str]]) -> None:
        self._labels: dict[str, dict[str, str]] = {
            "kind": {k: plural for k, (_, plural) in KINDS.items()},
            **_ENUM_LABELS,
        }
        codes = sorted(set(values.get("jurisdiction", [])))
        if codes:
            rows = db.session.execute(
                sa.select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(codes))
            )
            self._labels["jurisdiction"] = {code: name for code, name in rows}
        if values.get("norm"):
            rows = db.session.execute(sa.select(Norm.letter, Norm.short_title))
            self._labels["norm"] = {letter: f"({letter}) {title}" for letter, title in rows}
        if values.get("topic"):
            rows = db.session.execute(sa.select(Topic.slug, Topic.name))
            self._labels["topic"] = {slug: name for slug, name in rows}

    def __call__(self, facet: str, value: str) -> str:
        return self._labels.get(facet, {}).get(value, value)


def kind_label(kind: str) -> str:
    return KINDS.get(kind, (kind, kind))[0]


def endpoint_url(
    endpoint: str,
    fallback: str,
    anchor: str | None = None,
    *,
    external: bool = False,
    **values: Any,
) -> str:
    """``url_for(endpoint)`` once that page exists; until then the path it will have
    (the measure and norm pages come with the public-pages branch)."""
    if endpoint in current_app.view_functions:
        return url_for(endpoint, _anchor=anchor, _external=external, **values)
    args = {k: v for k, v in values.items() if v is not None and "{" + k + "}" not in fallback}
    path = fallback.format(**values)
    if external:
        path = request.host_url.rstrip("/") + path
    return (
        path
        + (f"?{urlencode(args, doseq=True)}" if args else "")
        + (f"#{anchor}" if anchor else "")
    )


def hit_url(entry: SearchEntry, facets: dict[str, list[str]], *, drafts: bool = False) -> str:
    flag = 1 if drafts else None
    if entry.kind == "measure":
        return endpoint_url(
            "measures.detail", "/measures/{record_id}", record_id=entry.record_id, drafts=flag
        )
    if entry.kind == "paper":
        return endpoint_url(
            "papers.detail", "/papers/{record_id}", record_id=entry.record_id, drafts=flag
        )
    if entry.kind == "recommendation":
        return endpoint_url(
            "papers.detail",
            "/papers/{record_id}",
            anchor=f"rec-{entry.ref}",
            record_id=entry.record_id,
            drafts=flag,
        )
    if entry.kind == "attribution":
        return endpoint_url(
            "attribution.detail",
            "/attributions/{record_id}",
            record_id=entry.record_id,
            drafts=flag,
        )
    if entry.kind == "norm":
        return endpoint_url("norms.detail", "/norms/{letter}", letter=entry.ref)
    if entry.kind == "commitment":
        letters = facets.get("norm")
        if letters:
            return endpoint_url("norms.detail", "/norms/{letter}", letter=letters[0])
        return endpoint_url("norms.index", "/norms/")
    return "#"
