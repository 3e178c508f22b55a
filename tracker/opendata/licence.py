"""The licence of the open data and how to cite the dataset: the team's choice, recorded here
only. The /data/ page, the codebook (HTML and JSON) and every JSON export read it from here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

#: the licence of the data (the tracker's content, not its software)
LICENCE: dict[str, str] = {
    "id": "CC-BY-4.0",
    "name": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "statement": (
        "The data of the Cyber Norms Tracker may be shared and adapted for any purpose, "
        "provided the Cyber Norms Tracker is credited, a link to the licence is given and "
        "changes are indicated."
    ),
}

DATASET_TITLE = "Cyber Norms Tracker dataset"


def citation(url: str, accessed: dt.date | None = None) -> str:
    """How to cite the dataset (the codebook version identifies the file layout)."""
    day = (accessed or dt.datetime.now(dt.UTC).date()).isoformat()
    return f"Cyber Norms Tracker. {DATASET_TITLE}. {url} (accessed {day}). {LICENCE['id']}."


def metadata(url: str) -> dict[str, Any]:
    """The licence block of the codebook and of the JSON exports."""
    return {**LICENCE, "how_to_cite": citation(url)}
