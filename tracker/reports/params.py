"""What a report is about: parsed and validated request parameters.

A ``ReportParams`` is immutable and canonical (sorted where order does not matter), so
it can key the PDF cache and rebuild the same URL. Bad input raises ``ParamError``
with one readable message per field, which the views show next to the field (HTML)
or as a 400 page (PDF).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from tracker.extensions import db
from tracker.jurisdictions.models import Jurisdiction
from tracker.jurisdictions.queries import unknown_codes_message
from tracker.norms.models import Norm, Topic
from tracker.queryargs import list_arg

MIN_JURISDICTIONS, MAX_JURISDICTIONS = 2, 30
MAX_BRIEF_JURISDICTIONS = 30
DEFAULT_NORMS = Norm.SUPPLY_CHAIN_LETTERS
NORM_LETTERS = "abcdefghijk"
EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2100, 12, 31)
KINDS = ("compare", "jurisdiction", "norm", "paper")
#: PDF variants: "ua" (tagged PDF/UA-1, the default) and "pdfa" (tagged PDF/A-3u, for archives)
VARIANTS = ("ua", "pdfa")


class ParamError(ValueError):
    """One message per offending field."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@dataclass(frozen=True)
class ReportParams:
    kind: str = "compare"
    #: the jurisdiction code of a jurisdiction brief, the norm letter of a norm brief
    subject: str = ""
    jurisdictions: tuple[str, ...] = ()
    norms: tuple[str, ...] = DEFAULT_NORMS
    topics: tuple[str, ...] = ()
    #: grid columns: "norm" or "topic"
    by: str = "norm"
    #: None means "today" (resolved when the report is built)
    as_of: dt.date | None = None
    #: append the annex (status notes, verification notes, timelines)
    annex: bool = False
    #: the annex describes every measure in scope, not only those the brief describes
    #: (``annex=full``; refused above tracker.reports.selection.FULL_ANNEX_MAX measures)
    annex_full: bool = False
    #: add the attribution statements of each jurisdiction (opt-in on comparisons)
    attributions: bool = False
    #: the PDF variant (see :data:`VARIANTS`); part of the cache key
    variant: str = "ua"

    def resolved(self) -> ReportParams:
        """The same parameters with the as-of date fixed to today when none was given."""
        return self if self.as_of else replace(self, as_of=today())

    def query_args(self) -> dict[str, Any]:
        """URL arguments that rebuild these parameters (for links and the form)."""
        args: dict[str, Any] = {}
        if self.kind == "compare" or (self.kind == "norm" and self.jurisdictions):
            args["j"] = list(self.jurisdictions)
        if tuple(self.norms) != DEFAULT_NORMS and self.kind != "norm":
            args["norms"] = ",".join(self.norms)
        if self.topics:
            args["topics"] = ",".join(self.topics)
        if self.by != "norm":
            args["by"] = self.by
        if self.as_of:
            args["as_of"] = self.as_of.isoformat()
        if self.annex:
            args["annex"] = "full" if self.annex_full else "1"
        if self.attributions and self.kind == "compare":
            args["attributions"] = "1"
        if self.variant != "ua":
            args["variant"] = self.variant
        return args

    def canonical(self) -> str:
        """A stable text form (the as-of date resolved) for cache keys."""
        p = self.resolved()
        assert p.as_of is not None
        parts = [
            p.kind,
            p.subject,
            ",".join(p.jurisdictions),
            ",".join(p.norms),
            ",".join(p.topics),
            p.by,
            p.as_of.isoformat(),
            ("annex=full" if p.annex_full else "annex") if p.annex else "",
        ]
        if p.attributions:
            parts.append("attributions")
        if p.variant != "ua":
            parts.append(f"variant={p.variant}")
        return "|".join(parts)

    def digest(self) -> str:
        return hashlib.sha256(self.canonical().encode()).hexdigest()[:20]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _flag(args: Mapping[str, Any], name: str) -> bool:
    return str(args.get(name) or "").lower() in {"1", "true", "yes", "on"}


def _full_annex(args: Mapping[str, Any]) -> bool:
    """``annex=1``: details of the measures the brief describes; ``annex=full``: of all."""
    return str(args.get("annex") or "").lower() == "full"


def _known_codes(codes: list[str]) -> set[str]:
    if not codes:
        return set()
    return set(db.session.scalars(sa.select(Jurisdiction.code).where(Jurisdiction.code.in_(codes))))


def _jurisdictions(
    args: Mapping[str, Any], errors: dict[str, str], *, low: int, high: int
) -> tuple[str, ...]:
    codes = _unique([c.upper() for c in list_arg(args, "j", "jurisdiction", spaces=True)])
    if any(len(c) > 8 for c in codes):
        errors["j"] = "Jurisdiction codes are two letters (ISO 3166-1 alpha-2, e.g. DE), or EU."
        return ()
    known = _known_codes(codes)
    unknown = [c for c in codes if c not in known]
    if unknown:
        errors["j"] = unknown_codes_message(unknown)
    elif len(codes) < low:
        errors["j"] = f"Choose at least {low} jurisdictions to compare" + (
            f" (you chose {len(codes)})." if codes else "."
        )
    elif len(codes) > high:
        errors["j"] = (
            f"Choose at most {high} jurisdictions (you chose {len(codes)}); a longer brief "
            "would be too long to read."
        )
    return tuple(codes)


def _norms(args: Mapping[str, Any], errors: dict[str, str]) -> tuple[str, ...]:
    letters = _unique([n.lower().strip("()") for n in list_arg(args, "norms", "norm", spaces=True)])
    bad = [n for n in letters if len(n) != 1 or n not in NORM_LETTERS]
    if bad:
        errors["norms"] = (
            f"Unknown norm: {', '.join(bad)}. Norms are the letters a to k of A/70/174 para. 13."
        )
        return DEFAULT_NORMS
    return tuple(sorted(letters)) if letters else DEFAULT_NORMS


def _topics(args: Mapping[str, Any], errors: dict[str, str]) -> tuple[str, ...]:
    slugs = _unique([s.lower() for s in list_arg(args, "topics", "topic", spaces=True)])
    if not slugs:
        return ()
    known = {
        s: p
        for s, p in db.session.execute(
            sa.select(Topic.slug, Topic.position).where(Topic.slug.in_(slugs))
        )
    }
    unknown = [s for s in slugs if s not in known]
    if unknown:
        errors["topics"] = f"Unknown topic: {', '.join(unknown)}."
        return ()
    return tuple(sorted(slugs, key=lambda s: (known[s], s)))


def _as_of(args: Mapping[str, Any], errors: dict[str, str]) -> dt.date | None:
    text = str(args.get("as_of") or "").strip()
    if not text:
        return None
    try:
        value = dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        value = None
    if value is None:
        errors["as_of"] = f"{text[:40]!r} is not a date: write it as YYYY-MM-DD, e.g. 2024-12-31."
    elif not EARLIEST <= value <= LATEST:
        errors["as_of"] = (
            f"Choose an as-of date between {EARLIEST.isoformat()} and {LATEST.isoformat()}."
        )
        value = None
    return value


def _by(args: Mapping[str, Any], errors: dict[str, str]) -> str:
    by = str(args.get("by") or "norm").lower()
    if by not in ("norm", "topic"):
        errors["by"] = "Arrange the grid by norm or by topic."
        return "norm"
    return by


def _variant(args: Mapping[str, Any], errors: dict[str, str]) -> str:
    value = str(args.get("variant") or "ua").strip().lower()
    if value not in VARIANTS:
        errors["variant"] = "Choose the PDF variant ua (accessible, the default) or pdfa (archive)."
        return "ua"
    return value


def parse_compare(args: Mapping[str, Any], *, require_jurisdictions: bool = True) -> ReportParams:
    errors: dict[str, str] = {}
    low = MIN_JURISDICTIONS if require_jurisdictions else 0
    params = ReportParams(
        kind="compare",
        jurisdictions=_jurisdictions(args, errors, low=low, high=MAX_JURISDICTIONS),
        norms=_norms(args, errors),
        topics=_topics(args, errors),
        by=_by(args, errors),
        as_of=_as_of(args, errors),
        annex=_flag(args, "annex") or _full_annex(args),
        annex_full=_full_annex(args),
        attributions=_flag(args, "attributions"),
        variant=_variant(args, errors),
    )
    if errors:
        raise ParamError(errors)
    return params


def parse_jurisdiction_brief(code: str, args: Mapping[str, Any]) -> ReportParams:
    code = code.upper()
    errors: dict[str, str] = {}
    if len(code) > 8 or code not in _known_codes([code]):
        errors["j"] = unknown_codes_message([code])
    params = ReportParams(
        kind="jurisdiction",
        subject=code,
        jurisdictions=(code,),
        norms=_norms(args, errors),
        topics=_topics(args, errors),
        by=_by(args, errors),
        as_of=_as_of(args, errors),
        annex=_flag(args, "annex") or _full_annex(args),
        annex_full=_full_annex(args),
        variant=_variant(args, errors),
    )
    if errors:
        raise ParamError(errors)
    return params


def parse_norm_brief(letter: str, args: Mapping[str, Any]) -> ReportParams:
    letter = letter.lower()
    errors: dict[str, str] = {}
    if len(letter) != 1 or letter not in NORM_LETTERS:
        errors["norms"] = f"Unknown norm {letter[:4]!r}. Norms are the letters a to k."
    params = ReportParams(
        kind="norm",
        subject=letter,
        norms=(letter,),
        jurisdictions=_jurisdictions(args, errors, low=0, high=MAX_BRIEF_JURISDICTIONS),
        topics=_topics(args, errors),
        by="norm",
        as_of=_as_of(args, errors),
        annex=_flag(args, "annex") or _full_annex(args),
        annex_full=_full_annex(args),
        variant=_variant(args, errors),
    )
    if errors:
        raise ParamError(errors)
    return params


def parse_paper_brief(record_id: int, args: Mapping[str, Any] | None = None) -> ReportParams:
    """A paper brief has no options but the PDF variant: the paper's recommendations today."""
    errors: dict[str, str] = {}
    variant = _variant(args or {}, errors)
    if errors:
        raise ParamError(errors)
    return ReportParams(kind="paper", subject=str(int(record_id)), norms=(), variant=variant)


def standard_briefs(jurisdiction_codes: list[str], letters: list[str]) -> list[ReportParams]:
    """The briefs pre-rendered after a publication: default parameters, today's date."""
    briefs = [
        ReportParams(kind="jurisdiction", subject=c, jurisdictions=(c,)) for c in jurisdiction_codes
    ]
    briefs += [ReportParams(kind="norm", subject=n, norms=(n,)) for n in letters]
    return briefs
