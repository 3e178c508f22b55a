"""The attribution demo loader: validated whole, file and line in errors, all or nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from tracker.attribution import demo
from tracker.attribution.models import Attribution
from tracker.datafiles import DataFileError
from tracker.extensions import db
from tracker.records.models import Record, Revision

ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = ROOT / "data" / "demo"

GOOD = """\
- key: test-statement-one
  date: '2019-06'
  operation: Test operation one
  attributed_actor: Test actor
  attributed_state: null
  forms: [statement]
  statements:
  - role: attributing
    parties: [IS]
    un_framework_invoked: 'unknown'
    passage_kind: summary
  verification: unverified
  sources:
  - url: https://example.org/one
    title: Example one
"""
NORM = "    passage_kind: summary\n    invoked_norms:\n    - norm: {}\n      basis: {}\n"

BAD = {
    "bare_no": (GOOD.replace("'unknown'", "no"), 10, "write 'yes', 'no' or 'unknown' in quotes"),
    "unknown_code": (GOOD.replace("[IS]", "[IS, QQ]"), 9, "unknown jurisdiction code 'QQ'"),
    "bad_date": (GOOD.replace("'2019-06'", "'2019-13'"), 2, "is not a real date"),
    "unknown_norm": (
        GOOD.replace("    passage_kind: summary\n", NORM.format("z", "implicit")),
        13,
        "unknown norm 'z'",
    ),
    "bad_basis": (
        GOOD.replace("    passage_kind: summary\n", NORM.format("i", "maybe")),
        14,
        "'maybe' is not one of: explicit, implicit, unknown",
    ),
    "verbatim_without_source": (
        GOOD.replace(
            "    passage_kind: summary\n", "    passage: Some words\n    passage_kind: verbatim\n"
        ),
        8,
        "a verbatim passage needs the source that gives it",
    ),
    "no_party": (GOOD.replace("[IS]", "[]"), 9, "a statement needs at least one party"),
    "no_sources": (
        GOOD.split("  sources:")[0],
        1,
        "a published statement needs at least one source",
    ),
    "bad_form": (GOOD.replace("[statement]", "[tweet]"), 6, "'tweet' is not one of"),
    "unknown_field": (GOOD + "  colour: blue\n", 16, "unknown field"),
    "javascript_url": (
        GOOD.replace("https://example.org/one", "javascript:alert(1)"),
        14,
        "is not an http(s) URL",
    ),
}


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(Record)),
        db.session.scalar(sa.select(sa.func.count()).select_from(Attribution)),
        db.session.scalar(sa.select(sa.func.count()).select_from(Revision)),
    )


def demo_dir_with(tmp_path: Path, text: str) -> Path:
    """A demo directory with the real measures file (already loaded: skipped) and ours."""
    shutil.copy(DEMO_DIR / "measures.yaml", tmp_path / "measures.yaml")
    (tmp_path / "attributions.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_good_file_loads_published_and_loading_twice_changes_nothing(
    app_ctx, runner, tmp_path
) -> None:
    directory = demo_dir_with(tmp_path, GOOD)
    before = counts()
    result = runner.invoke(args=["demo", "load", str(directory)])
    assert result.exit_code == 0, result.output
    assert "attributions.yaml: 1 attributions created" in result.output
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)
    row = db.session.scalar(
        sa.select(Attribution).where(Attribution.operation == "Test operation one")
    )
    assert row.is_live and row.is_draft and row.date_text == "June 2019"
    result = runner.invoke(args=["demo", "load", str(directory)])
    assert result.exit_code == 0 and "nothing changed" in result.output
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)


@pytest.mark.parametrize("name", sorted(BAD))
def test_malformed_file_is_rejected_with_file_and_line_and_loads_nothing(
    app_ctx, runner, tmp_path, name
) -> None:
    text, line, reason = BAD[name]
    directory = demo_dir_with(tmp_path, text)
    before = counts()
    result = runner.invoke(args=["demo", "load", str(directory)])
    assert result.exit_code != 0
    assert f"{directory / 'attributions.yaml'}:{line}:" in result.output
    assert reason in result.output
    assert "nothing was loaded" in result.output
    assert counts() == before


def test_a_late_error_writes_nothing_of_the_good_entries(app_ctx, tmp_path) -> None:
    second = GOOD.replace("test-statement-one", "test-statement-two").replace("[IS]", "[XX]")
    path = tmp_path / "attributions.yaml"
    path.write_text(GOOD + second, encoding="utf-8")
    before = counts()
    with pytest.raises(DataFileError) as info:
        demo.load(path)
    assert info.value.line == 24 and "unknown jurisdiction code 'XX'" in str(info.value)
    assert counts() == before


def test_a_key_used_by_another_kind_of_record_is_refused(app_ctx, tmp_path) -> None:
    path = tmp_path / "attributions.yaml"
    path.write_text(GOOD.replace("test-statement-one", "us-eo-14028"), encoding="utf-8")
    with pytest.raises(DataFileError, match="already used by a measure record"):
        demo.load(path)


def test_the_shipped_demo_file_is_valid_and_already_loaded(app_ctx) -> None:
    statements = demo.parse(DEMO_DIR / "attributions.yaml")
    assert len(statements) == 13
    assert str(demo.load(DEMO_DIR / "attributions.yaml")) == "nothing changed"
