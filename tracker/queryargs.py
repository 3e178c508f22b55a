"""Query arguments shared by every list, filter form and API: repeated and comma lists, and
the highest page number a list answers (a larger one is a 400, not a database overflow)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: the highest ``page`` a list or API accepts: beyond it the row offset would overflow the
#: database's integer (a 500), and no list here is that long
MAX_PAGE = 1_000_000


def list_arg(args: Mapping[str, Any], *names: str, spaces: bool = False) -> list[str]:
    """The values of the arguments ``names``, repeated or comma-separated (``j=DE&j=FR`` and
    ``j=DE,FR`` both give ``["DE", "FR"]``), stripped, blanks dropped. With ``spaces``, a
    space separates values too (``j=DE FR``).

    ``args`` is a request's MultiDict or any mapping (a plain dict holds one value a name).
    """
    getlist = getattr(args, "getlist", None)
    out: list[str] = []
    for name in names:
        raw = getlist(name) if getlist else ([args[name]] if name in args else [])
        for item in raw:
            text = str(item).replace(" ", ",") if spaces else str(item)
            out.extend(v.strip() for v in text.split(",") if v.strip())
    return out
