"""The measured render speed: seconds per kilobyte of brief HTML, as the last renders took.

Each render records how long it took (an exponential moving average in the cache store, so
that every worker and the background renderers share it); the progress page's estimate is
the size of the brief at that speed. Before the first render the fixed estimate of
``tracker.reports.pdf.estimate_seconds`` applies.
"""

from __future__ import annotations

from typing import Any

from tracker.reports import pdf

KEY = "render-speed"
#: weight of the newest render in the average
WEIGHT = 0.3
#: kept a week; the speed is measured again by the next render anyway
TTL = 7 * 24 * 3600


def record(store: Any, html: str, seconds: float) -> None:
    kb = max(1.0, len(html.encode()) / 1024)
    measured = max(0.0, seconds - pdf.SECONDS_FIXED) / kb
    before = (store.get_state(KEY) or {}).get("seconds_per_kb")
    speed = measured if before is None else WEIGHT * measured + (1 - WEIGHT) * float(before)
    store.set_state(KEY, {"seconds_per_kb": speed, "renders": 1}, ttl=TTL)


def estimate(store: Any, html: str) -> float:
    """Seconds the brief should take at the measured speed (the fixed guess before any)."""
    speed = (store.get_state(KEY) or {}).get("seconds_per_kb")
    if speed is None:
        return pdf.estimate_seconds(html)
    return pdf.SECONDS_FIXED + float(speed) * len(html.encode()) / 1024
