"""Text for the index, queries from what people type, and safe highlighted snippets.

Index text
    Control characters are removed (so the highlight markers below cannot occur
    in content), and a zero-width space is put between neighbouring Chinese,
    Japanese and Korean characters. Both full-text engines split words at spaces
    and punctuation, so a CJK title would otherwise be one long word that no
    partial query finds; with the separators every character is a token, and a
    query (prepared the same way) becomes a phrase of characters that matches
    anywhere in the title. The separators are invisible and are removed again
    before display.

Queries
    ``parse_query`` accepts anything (unbalanced quotes, ``*``, ``NEAR``, ``-``,
    parentheses, SQL) and keeps only words and quoted phrases, with ``-word`` for
    exclusion and ``or`` between alternatives, like a web search box.
    ``to_fts5`` and ``to_websearch`` render the result for each engine with
    every term quoted, so no user input ever reaches the engine as syntax.

Snippets
    The engines mark hits with the control characters MARK_START / MARK_END.
    ``highlight`` escapes the whole text first and only then turns the markers
    into ``<mark>`` elements, so markup typed into a record shows as text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from markupsafe import Markup, escape

MARK_START = "\x02"
MARK_END = "\x03"
ELLIPSIS = "…"
ZWSP = "\u200b"

MAX_QUERY_LENGTH = 500
MAX_TERMS = 24

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b]")
# Han (incl. extensions and compatibility), kana, Hangul syllables and jamo.
_CJK = (
    "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f"
)
_CJK_PAIR = re.compile(f"([{_CJK}])(?=[{_CJK}])")
_WORD = re.compile(r"\w", re.UNICODE)


def index_text(value: object) -> str:
    """Text as it is stored in the index (see the module doc)."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = _CONTROL.sub(" ", text).replace("\r", " ")
    return _CJK_PAIR.sub(r"\1" + ZWSP, text)


def fold(text: str) -> str:
    """Remove accents (é -> e, ß stays): for engines that cannot ignore them themselves."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def display_text(text: str) -> str:
    return text.replace(ZWSP, "")


def highlight(text: str | None) -> Markup:
    """Escape ``text`` (index form, with hit markers) and mark the hits with <mark>."""
    text = display_text(text or "")
    if text.count(MARK_START) != text.count(MARK_END):
        text = text.replace(MARK_START, "").replace(MARK_END, "")
    escaped = str(escape(text))
    return Markup(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S704 - escaped above


def has_hit(text: str | None) -> bool:
    return bool(text) and MARK_START in text  # type: ignore[operator]


def plain(text: str | None) -> str:
    """Index text without markers or separators (for titles shown without highlight)."""
    return display_text(text or "").replace(MARK_START, "").replace(MARK_END, "")


# --- Queries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    #: the words of the term in index form (a phrase if more than one word)
    text: str
    negated: bool = False
    #: the chunk as typed (index form, no quotes): PostgreSQL's parser reads some
    #: punctuated tokens whole ("2022/2555", "supply-chain"), so it gets these
    raw: str = ""


@dataclass
class ParsedQuery:
    """Alternatives (``or``) of groups of terms that must all match (``-`` terms must not)."""

    groups: list[list[Term]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.groups

    def words(self) -> str:
        """The query as it was understood, for "Results for …"."""
        parts = []
        for group in self.groups:
            parts.append(
                " ".join(("-" if t.negated else "") + _quoted(display_text(t.text)) for t in group)
            )
        return " or ".join(parts)


def _quoted(text: str) -> str:
    return f'"{text}"' if " " in text or ZWSP in text else text


_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


def parse_query(raw: str | None) -> ParsedQuery:
    """Read what someone typed into a search box; never raises."""
    text = index_text((raw or "")[:MAX_QUERY_LENGTH])
    if text.count('"') % 2:
        # An unbalanced quote: drop the last one and read the rest normally.
        cut = text.rfind('"')
        text = text[:cut] + " " + text[cut + 1 :]
    groups: list[list[Term]] = [[]]
    count = 0
    for match in _TOKEN.finditer(text):
        quoted, bare = match.group(1), match.group(2)
        if bare is not None and bare.lower() == "or":
            if groups[-1]:
                groups.append([])
            continue
        negated = False
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negated, bare = True, bare[1:]
        chunk = quoted if quoted is not None else bare
        words = _clean(chunk or "")
        if not words or count >= MAX_TERMS:
            continue
        count += 1
        groups[-1].append(Term(words, negated, (chunk or "").replace('"', " ").strip()))
    # A group needs something that must match; exclusions alone match everything.
    kept = [g for g in groups if any(not t.negated for t in g)]
    return ParsedQuery(kept)


def _clean(chunk: str) -> str:
    """The word characters of a chunk, as space-separated words (keeps CJK separators)."""
    pieces = re.split(r"[^\w\u200b]+", chunk)
    return " ".join(p.strip(ZWSP) for p in pieces if _WORD.search(p))


def to_fts5(query: ParsedQuery) -> str:
    """An FTS5 MATCH expression in which every term is a quoted string."""
    rendered = []
    for group in query.groups:
        positive = [_fts5_string(t.text) for t in group if not t.negated]
        negative = [_fts5_string(t.text) for t in group if t.negated]
        expr = "(" + " AND ".join(positive) + ")"
        for term in negative:
            expr = f"({expr} NOT {term})"
        rendered.append(expr)
    return " OR ".join(rendered)


def _fts5_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def to_websearch(query: ParsedQuery, *, folded: bool = False) -> str:
    """Input for PostgreSQL's websearch_to_tsquery with every term quoted."""
    groups = []
    for group in query.groups:
        terms = []
        for t in group:
            text = t.raw or t.text
            text = fold(text) if folded else text
            terms.append(("-" if t.negated else "") + '"' + text.replace('"', " ") + '"')
        groups.append(" ".join(terms))
    return " or ".join(groups)
