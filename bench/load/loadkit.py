"""Pure helpers shared by the load scenario (locustfile.py), its driver (run.py) and the
tests: reading forms, grouping and summarising samples, checking that no save was lost.

Nothing here imports locust (which monkey-patches the standard library through gevent on
import), so the test suite can import this module safely.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

#: the groups the closing table reports, in this order
GROUPS = ("public", "search", "api", "pdf", "pdf-progress", "login", "edit-open", "edit-save")


class _Forms(HTMLParser):
    """Each <form>'s successful controls, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: dict[str, Any] | None = None
        self._textarea: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "fields": []}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        fields = self._form["fields"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if "name" not in a or kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            fields.append(
                (a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else ""))
            )
        elif tag == "textarea" and "name" in a:
            self._textarea = [a["name"], ""]
        elif tag == "select" and "name" in a:
            self._select = {
                "name": a["name"],
                "first": None,
                "selected": [],
                "multiple": "multiple" in a,
            }
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["selected"].append(value)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None and self._form is not None:
            value = self._textarea[1]
            for newline in ("\r\n", "\n"):  # browsers drop one leading newline
                if value.startswith(newline):
                    value = value[len(newline) :]
                    break
            self._form["fields"].append((self._textarea[0], value))
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            s = self._select
            if s["multiple"]:
                self._form["fields"].extend((s["name"], v) for v in s["selected"])
            else:
                value = s["selected"][-1] if s["selected"] else s["first"]
                if value is not None:
                    self._form["fields"].append((s["name"], value))
            self._select = None
        elif tag == "form":
            self._form = None


def form_fields(html: str, action: str) -> list[tuple[str, str]]:
    """The (name, value) pairs the form posting to ``action`` would submit; KeyError if none."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if form["action"] == action:
            return list(form["fields"])
    raise KeyError(f"no form posting to {action!r} on the page")


def csrf_token(html: str, action: str) -> str:
    """The CSRF token of the form posting to ``action`` (ValueError when it has none)."""
    for name, value in form_fields(html, action):
        if name == "csrf_token" and value:
            return value
    raise ValueError(f"the form posting to {action!r} carries no csrf_token")


def replace(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """``fields`` with the named controls set to the given values (kept in page order)."""
    out: list[tuple[str, str]] = []
    done: set[str] = set()
    for name, value in fields:
        if name in values:
            if name not in done:
                out.append((name, values[name]))
                done.add(name)
            continue
        out.append((name, value))
    out.extend((k, v) for k, v in values.items() if k not in done)
    return out


def refresh_seconds(headers: Mapping[str, str], default: float = 3.0) -> float:
    """The delay a progress page (202) asks for in its Refresh header."""
    raw = str(headers.get("Refresh") or "").split(";")[0].strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        return default


# --------------------------------------------------------------------------- summaries


def group_of(name: str) -> str:
    """Requests are named "<group>: <endpoint>"; the group is what the table reports."""
    return name.split(":", 1)[0].strip()


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass
class GroupStats:
    requests: int = 0
    failures: int = 0
    server_errors: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    times_ms: list[float] = field(default_factory=list)

    def row(self, seconds: float) -> dict[str, Any]:
        times = sorted(self.times_ms)
        return {
            "requests": self.requests,
            "rps": round(self.requests / seconds, 2) if seconds > 0 else 0.0,
            "p50_ms": round(percentile(times, 0.50), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "max_ms": round(times[-1], 1) if times else 0.0,
            "failures": self.failures,
            "5xx": self.server_errors,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


def summarise(samples: Iterable[tuple[str, float, int, bool]], seconds: float) -> dict[str, Any]:
    """Per-group and total figures from (name, response ms, status, failed) samples.

    A status of 0 means no response (connection refused or reset): a failure, not a 5xx.
    """
    groups: dict[str, GroupStats] = defaultdict(GroupStats)
    total = GroupStats()
    for name, ms, status, failed in samples:
        for g in (groups[group_of(name)], total):
            g.requests += 1
            g.failures += int(failed)
            g.server_errors += int(status >= 500)
            g.statuses[status] += 1
            g.times_ms.append(ms)
    order = [g for g in GROUPS if g in groups] + sorted(set(groups) - set(GROUPS))
    return {
        "seconds": round(seconds, 1),
        "groups": {g: groups[g].row(seconds) for g in order},
        "total": total.row(seconds),
    }


# --------------------------------------------------------------------------- lost saves


@dataclass(frozen=True)
class Save:
    """One save the server confirmed (302 to the history page) to an Editor user."""

    record_id: int
    marker: str
    editor: str
    seq: int


def read_saves(path: str | Path) -> list[Save]:
    """The JSON lines the Editor users appended, one per confirmed save."""
    p = Path(path)
    if not p.exists():
        return []
    saves = []
    for line in p.read_text().splitlines():
        if line.strip():
            d = json.loads(line)
            saves.append(Save(int(d["record_id"]), d["marker"], d["editor"], int(d["seq"])))
    return saves


def marker_in(text: str | None) -> str | None:
    """The load marker (``[load:<editor>:<seq>:<hex>]``) in a description, if any."""
    found = re.findall(r"\[load:[^\]]+\]", text or "")
    return found[-1] if found else None


def lost_saves(saves: Iterable[Save], records: Mapping[int, Mapping[str, Any]]) -> list[str]:
    """Every way the database disagrees with the confirmed saves (empty: nothing was lost).

    ``records`` maps each load record id to {"description": <current working copy text>,
    "revisions": [<description of each revision, oldest first>]}. A confirmed save must
    appear as exactly one revision; revisions = 1 (created) + confirmed saves; and the
    current text carries the marker of the newest revision, which must be a confirmed one.
    """
    problems: list[str] = []
    by_record: dict[int, list[Save]] = defaultdict(list)
    for s in saves:
        by_record[s.record_id].append(s)
    for record_id, confirmed in sorted(by_record.items()):
        state = records.get(record_id)
        if state is None:
            problems.append(
                f"record {record_id}: not in the database ({len(confirmed)} confirmed saves)"
            )
            continue
        in_revisions = Counter(marker_in(d) for d in state["revisions"])
        for s in confirmed:
            if in_revisions[s.marker] == 0:
                problems.append(
                    f"record {record_id}: confirmed save {s.marker} is in no revision (lost)"
                )
            elif in_revisions[s.marker] > 1:
                problems.append(
                    f"record {record_id}: save {s.marker} written {in_revisions[s.marker]} times"
                )
        expected = 1 + len(confirmed)
        if len(state["revisions"]) != expected:
            problems.append(
                f"record {record_id}: {len(state['revisions'])} revisions, expected "
                f"{expected} (1 + confirmed saves)"
            )
        newest = marker_in(state["revisions"][-1]) if state["revisions"] else None
        current = marker_in(state["description"])
        if current != newest:
            problems.append(
                f"record {record_id}: current text has {current}, newest revision has {newest}"
            )
        if newest not in {s.marker for s in confirmed}:
            problems.append(
                f"record {record_id}: newest revision {newest} was never confirmed to an editor"
            )
        # One editor per record: its last confirmed save must be what the record says now.
        editors = {s.editor for s in confirmed}
        if len(editors) == 1:
            last = max(confirmed, key=lambda s: s.seq)
            if current != last.marker:
                problems.append(
                    f"record {record_id}: current text has {current}, the editor's last "
                    f"confirmed save was {last.marker}"
                )
    return problems
