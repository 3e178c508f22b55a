"""Every setting the code reads is documented in README.md as TRACKER_<NAME>: every key
of the configuration defaults, and every key read from ``app.config`` anywhere."""

from __future__ import annotations

import re
from pathlib import Path

from tracker import config, reports

ROOT = Path(__file__).resolve().parents[1]
#: set by the test suite or Flask itself, not by operators
NOT_SETTINGS = {"TESTING"}
READ = re.compile(r"""config(?:\[|\.get\(|\.setdefault\()\s*["']([A-Z][A-Z0-9_]+)["']""")


def settings_read_by_the_code() -> set[str]:
    keys = set(config.DEFAULTS) | set(reports.DEFAULTS)
    for path in (ROOT / "tracker").rglob("*.py"):
        keys |= set(READ.findall(path.read_text(encoding="utf-8")))
    return keys - NOT_SETTINGS


def test_every_setting_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    keys = settings_read_by_the_code()
    assert {"SECRET_KEY", "MAX_CONTENT_LENGTH", "REPORTS_RENDER_RATE", "FEED_TAG_AUTHORITY"} <= keys
    missing = sorted(k for k in keys if not re.search(rf"`TRACKER_{k}`", readme))
    assert missing == [], f"document these in README.md's configuration tables: {missing}"
