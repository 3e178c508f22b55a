"""The vocabulary of the index and "Did you mean ...?" suggestions for misspelled words.

Every reindex records the words of the entries it writes in ``search_vocab``
(tracker.search.models.SearchWord). When a search finds nothing, each query word
the vocabulary lacks is compared with a bounded set of candidates:

* PostgreSQL with pg_trgm (migration 0016): the words most similar by trigrams,
  found through the trigram GIN index (``%`` operator), at most ``CANDIDATES``;
* otherwise (SQLite, or PostgreSQL without the extension): the words sharing the
  first two letters and of about the same length, a range scan of the primary
  key capped at ``PREFIX_CANDIDATES``.

The closest candidate by ``difflib`` ratio (at least ``CUTOFF``) replaces the word,
keeping the reader's capitals. A suggestion is offered only if the corrected query
finds something this reader may see, so words of drafts never surface.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tracker.search.models import SearchWord
from tracker.search.schema import PG_VOCAB_TRGM_INDEX
from tracker.search.text import ParsedQuery, display_text

MIN_LENGTH = 4
MAX_LENGTH = 40
CANDIDATES = 12
PREFIX_CANDIDATES = 5000
CUTOFF = 0.75
#: at most this many misspelled words are looked up per query
MAX_WORDS = 5

_WORD = re.compile(r"[^\W\d_]{" + str(MIN_LENGTH) + ",}")


def words_of(*texts: str | None) -> set[str]:
    """The vocabulary words of some texts (index form): lower case, letters only, 4 to 40 of
    them. Migration 0016 applies the same rule to the entries it finds."""
    found: set[str] = set()
    for text in texts:
        # Index text: CJK characters stay apart (tracker.search.text), so they make no words.
        found.update(w for w in _WORD.findall((text or "").lower()) if len(w) <= MAX_LENGTH)
    return found


def record(session: Session, words: Iterable[str]) -> None:
    """Add these words to the vocabulary (words already there are left alone)."""
    ordered = sorted(set(words))
    if not ordered:
        return
    name = session.get_bind().dialect.name
    insert = postgresql.insert if name == "postgresql" else sqlite.insert
    table = sa.table("search_vocab", sa.column("word", sa.String(MAX_LENGTH)))
    for start in range(0, len(ordered), 500):
        rows = [{"word": w} for w in ordered[start : start + 500]]
        session.execute(insert(table).on_conflict_do_nothing(), rows)


def clear(session: Session) -> None:
    session.execute(sa.delete(SearchWord).execution_options(synchronize_session=False))


def _has_trigram_index(session: Session) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return False
    found = session.scalar(sa.select(sa.func.to_regclass(PG_VOCAB_TRGM_INDEX)))
    return found is not None


def _candidates(session: Session, word: str, trigram: bool) -> list[str]:
    if trigram:
        stmt = (
            sa.select(SearchWord.word)
            .where(SearchWord.word.op("%")(word))
            .order_by(sa.func.similarity(SearchWord.word, word).desc(), SearchWord.word)
            .limit(CANDIDATES)
        )
        return list(session.scalars(stmt))
    prefix = word[:2]
    # The next string after every word that starts with ``prefix``.
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    stmt = (
        sa.select(SearchWord.word)
        .where(SearchWord.word >= prefix, SearchWord.word < upper)
        .where(sa.func.length(SearchWord.word).between(len(word) - 2, len(word) + 2))
        .limit(PREFIX_CANDIDATES)
    )
    return list(session.scalars(stmt))


def _cased_like(typed: str, word: str) -> str:
    if typed.isupper():
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def suggest(
    session: Session, typed: str, parsed: ParsedQuery, finds: Callable[[str], bool]
) -> str | None:
    """``typed`` with its misspelled words corrected, or None. ``finds(query)`` says whether
    a corrected query finds anything the reader may see."""
    wanted: list[str] = []
    for group in parsed.groups:
        for term in group:
            if term.negated:
                continue
            for word in display_text(term.text).split():
                lower = word.lower()
                if _WORD.fullmatch(lower) and len(lower) <= MAX_LENGTH and lower not in wanted:
                    wanted.append(lower)
    if not wanted:
        return None
    known = set(session.scalars(sa.select(SearchWord.word).where(SearchWord.word.in_(wanted))))
    unknown = [w for w in wanted if w not in known][:MAX_WORDS]
    if not unknown:
        return None
    trigram = _has_trigram_index(session)
    corrected = typed
    changed = False
    for word in unknown:
        best = difflib.get_close_matches(word, _candidates(session, word, trigram), 1, CUTOFF)
        if not best:
            continue
        pattern = re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)", re.IGNORECASE)
        replacement = best[0]

        def recased(match: re.Match[str], replacement: str = replacement) -> str:
            return _cased_like(match.group(0), replacement)

        corrected = pattern.sub(recased, corrected)
        changed = True
    if not changed or corrected == typed or not finds(corrected):
        return None
    return corrected
