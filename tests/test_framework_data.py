"""data/norms.yaml: the norm texts, idempotent loading and clear rejection of bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from tracker.extensions import db
from tracker.norms.models import Commitment, FrameworkDocument, Norm, Topic

ROOT = Path(__file__).resolve().parents[1]
FACTS = ROOT / "data" / "reference" / "facts.yaml"
SHARED_FACTS = ROOT.parent / "shared" / "reference" / "facts.yaml"
NORMS_FILE = ROOT / "data" / "norms.yaml"


def facts_norms() -> dict[str, str]:
    facts = yaml.safe_load(FACTS.read_text(encoding="utf-8"))
    return {n["letter"]: n["official_text"] for n in facts["gge_2015_norms"]}


def test_reference_copy_matches_the_shared_fact_sheet() -> None:
    """data/reference/facts.yaml is a verbatim snapshot; where the shared sheet is beside
    this checkout (the team's machines), the two must be identical."""
    assert FACTS.exists()
    if SHARED_FACTS.exists():
        assert FACTS.read_bytes() == SHARED_FACTS.read_bytes(), (
            "data/reference/facts.yaml drifted from shared/"
        )


def test_norm_texts_equal_facts_word_for_word() -> None:
    ours = {
        n["letter"]: n["official_text"] for n in yaml.safe_load(NORMS_FILE.read_text())["norms"]
    }
    theirs = facts_norms()
    assert sorted(ours) == list("abcdefghijk")
    for letter, text in theirs.items():
        assert ours[letter] == text, f"norm ({letter}) differs from facts.yaml"


def test_loaded_norm_texts_match_the_file(app_ctx) -> None:
    expected = {
        n["letter"]: n["official_text"] for n in yaml.safe_load(NORMS_FILE.read_text())["norms"]
    }
    loaded = {n.letter: n.official_text for n in db.session.scalars(sa.select(Norm))}
    assert loaded == expected


def table_counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (FrameworkDocument, Norm, Commitment, Topic)
    }


def test_loading_twice_changes_nothing(app_ctx, runner) -> None:
    before = table_counts()
    result = runner.invoke(args=["norms", "load", str(NORMS_FILE)])
    assert result.exit_code == 0, result.output
    assert "nothing changed" in result.output
    assert table_counts() == before


BAD_FILES = {
    "syntax": ("version: 1\nnorms:\n\t- letter: a\n", 3, "YAML syntax error"),
    "bad_letter": (
        "version: 1\nframework_documents: []\nnorms:\n  - letter: z\n    reference: x\n    "
        "short_title: x\n    official_text: x\n    verification: secondary\n",
        4,
        "'z' is not a norm letter a-k",
    ),
    "bad_verification": (
        "version: 1\nframework_documents: []\nnorms:\n  - letter: a\n    reference: x\n    "
        "short_title: x\n    official_text: x\n    verification: maybe\n",
        8,
        "'maybe' is not one of",
    ),
    "unknown_field": ("version: 1\ncolour: blue\n", 2, "unknown field"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_malformed_file_is_rejected_with_line_and_loads_nothing(
    app_ctx, runner, tmp_path, name
) -> None:
    text, line, reason = BAD_FILES[name]
    path = tmp_path / "norms.yaml"
    path.write_text(text)
    # Change the stored texts first, so a partial load would be visible.
    norm = db.session.scalar(sa.select(Norm).where(Norm.letter == "a"))
    norm.short_title = "Changed by the test"
    db.session.commit()
    before = table_counts()

    result = runner.invoke(args=["norms", "load", str(path)])

    assert result.exit_code != 0
    assert f"{path}:{line}" in result.output
    assert reason in result.output
    assert "nothing was loaded" in result.output
    assert table_counts() == before
    assert (
        db.session.scalar(sa.select(Norm.short_title).where(Norm.letter == "a"))
        == "Changed by the test"
    )


def test_partial_file_with_late_error_writes_nothing(app_ctx, runner, tmp_path) -> None:
    """A valid first half must not be written when the second half is bad."""
    data = yaml.safe_load(NORMS_FILE.read_text())
    data["topics"].append({"slug": "new-topic", "name": "New", "definition": "d"})
    data["commitments"][-1]["norm"] = "q"
    path = tmp_path / "norms.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    result = runner.invoke(args=["norms", "load", str(path)])
    assert result.exit_code != 0
    assert "'q' is not a norm letter" in result.output
    assert db.session.scalar(sa.select(Topic).where(Topic.slug == "new-topic")) is None


def test_a_record_without_sources_is_marked_unverified(app_ctx) -> None:
    from tracker.modelbase import Verification

    for model in (FrameworkDocument, Norm, Commitment):
        for obj in db.session.scalars(sa.select(model)):
            name = f"{model.__name__} {getattr(obj, 'key', None) or getattr(obj, 'letter', '')}"
            assert obj.verification is not None, name
            if not obj.sources:
                assert obj.verification is Verification.UNVERIFIED, f"{name} has no sources"
