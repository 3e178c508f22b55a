"""Words that mean the same thing to the people who search the tracker (one list, here).

Each group is a set of equivalent phrases. When an entry is indexed, every group
one of whose phrases occurs in the entry's text (or in the label of a topic it is
tagged with) adds all the phrases of the group to the entry's hidden
search text (``SearchEntry.folded``). A search for any phrase of a group therefore
finds the same entries as a search for any other, on both engines, without
rewriting the query. Topic names of the form "Long name (ABBR)" (data/norms.yaml)
give a group of their own, so a new abbreviated topic needs no entry here.

These are vocabulary, not facts about records: no group says anything about what
a measure does, only that two phrases name the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tracker.search.text import fold

#: equivalent phrases (lower case); the first is the abbreviation where there is one
GROUPS: tuple[tuple[str, ...], ...] = (
    ("sbom", "software bill of materials"),
    ("cvd", "coordinated vulnerability disclosure"),
    ("vdp", "vulnerability disclosure programme"),
    ("ssdf", "secure software development framework"),
    ("iot", "internet of things", "connected devices"),
    ("ict", "information and communications technology"),
)

_ABBREVIATED = re.compile(r"^\s*(?P<long>[^()]+?)\s*\((?P<short>[A-Za-z0-9-]{2,12})\)\s*$")


def label_groups(labels: Iterable[str]) -> list[tuple[str, ...]]:
    """Groups read from labels such as "Software bill of materials (SBOM)"."""
    groups: list[tuple[str, ...]] = []
    for label in labels:
        match = _ABBREVIATED.match(label or "")
        if match:
            groups.append((match["short"].lower(), match["long"].lower()))
    return groups


def _word(word: str) -> str:
    # Roughly what the engines' stemmers do: "connectable devices" is found by "connected
    # device", so it should get the synonyms of "connected devices" too.
    if len(word) < 6:
        return re.escape(word)
    return re.escape(word[: max(len(word) - 3, 4)]) + r"\w*"


def _pattern(phrase: str) -> re.Pattern[str]:
    words = (_word(w) for w in phrase.split())
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


_PATTERNS = {phrase: _pattern(phrase) for group in GROUPS for phrase in group}


def expansions(text: str, labels: Iterable[str] = ()) -> list[str]:
    """The phrases to add to an entry whose text is ``text``: every phrase of each group that
    occurs in the text (sorted, for a stable index). The phrases found are repeated on their
    own because an engine may read them differently in context (PostgreSQL reads
    "IoT/consumer" as one token)."""
    haystack = fold(text).lower()
    added: set[str] = set()
    for group in (*GROUPS, *label_groups(labels)):
        present = [p for p in group if (_PATTERNS.get(p) or _pattern(p)).search(haystack)]
        if present:
            added.update(group)
    return sorted(added)
