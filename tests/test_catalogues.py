"""The A/76/135 catalogue: verbatim texts, idempotent loading, clear rejection of bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from tracker.catalogues.models import Catalogue, CatalogueAction
from tracker.extensions import db

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE_FILE = ROOT / "data" / "catalogues.yaml"


FACTS = ROOT / "data" / "reference" / "facts.yaml"


def test_action_texts_and_phrases_are_verbatim_substrings_of_facts() -> None:
    facts = yaml.safe_load(FACTS.read_text(encoding="utf-8"))["gge_2021_guidance_relevant"]  # type: ignore[union-attr]
    content = {"i": facts["norm_i"]["content"], "j": facts["norm_j"]["content"]}
    (catalogue,) = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    assert len(catalogue["actions"]) == 8
    for action in catalogue["actions"]:
        assert action["text"] in content[action["norm"]], action["key"]
        if action.get("context"):
            assert action["context"] in content[action["norm"]], action["key"]
    for letter, lead_in in catalogue["lead_ins"].items():
        assert lead_in in content[letter]


def test_loaded_catalogue(app_ctx) -> None:
    catalogue = db.session.scalar(sa.select(Catalogue).where(Catalogue.key == "gge-2021-guidance"))
    assert catalogue.document.symbol == "A/76/135"
    assert [a.number for a in catalogue.actions] == [
        "i.1",
        "i.2",
        "i.3",
        "i.4",
        "i.5",
        "i.6",
        "j.1",
        "j.2",
    ]
    actions = {a.key: a for a in catalogue.actions}
    assert actions["i-6"].phrase == "recommendations to suppliers on: asset inventories"
    assert actions["i-3"].phrase == "recommendations to suppliers on secure development"
    assert (
        catalogue.lead_in("i") == "Reasonable steps to ensure supply-chain integrity 'can include'"
    )
    assert catalogue.lead_in("j") is None
    assert [t.slug for t in actions["j-1"].topics] == ["vulnerability-disclosure"]
    # Actions carry the catalogue's verification and sources unless the file says otherwise
    # (facts' third "source", unnamed public reports, is a staff-only provenance note).
    assert actions["j-2"].verification.value == "secondary" and len(actions["j-2"].sources) == 2
    assert "public reports" in catalogue.staff_note
    # Only i.1 and j.2 are the report's wording; the others are the tracker's summaries.
    assert {k for k, a in actions.items() if a.verbatim} == {"i-1", "j-2"}


def snapshot() -> list[tuple]:
    return sorted(
        (a.key, a.number, a.text, a.context, a.verification.value)
        for a in db.session.scalars(sa.select(CatalogueAction))
    )


def test_loading_twice_changes_nothing(app_ctx, runner) -> None:
    before = snapshot()
    result = runner.invoke(args=["catalogues", "load", str(CATALOGUE_FILE)])
    assert result.exit_code == 0, result.output
    assert "nothing changed" in result.output
    assert snapshot() == before


GOOD_HEAD = "- key: gge-2021-guidance\n  title: T\n  verification: secondary\n  actions:\n"
BAD_FILES = {
    "syntax": ("- key: x\n\t- bad\n", 2, "YAML syntax error"),
    "unknown_norm": (
        GOOD_HEAD + "  - key: a\n    number: '1'\n    norm: z\n    text: t\n",
        7,
        "unknown norm 'z'",
    ),
    "unknown_topic": (
        GOOD_HEAD + "  - key: a\n    number: '1'\n    text: t\n    topics: [nope]\n",
        8,
        "unknown topic 'nope'",
    ),
    "duplicate_action": (
        GOOD_HEAD
        + "  - key: a\n    number: '1'\n    text: t\n  - key: a\n    number: '2'\n    text: u\n",
        8,
        "duplicate action key 'a'",
    ),
    "missing_text": (GOOD_HEAD + "  - key: a\n    number: '1'\n", 5, "text: is required"),
    "unknown_document": (
        "- key: c\n  title: T\n  document: nope\n  verification: secondary\n  actions: []\n",
        3,
        "unknown framework document 'nope'",
    ),
    "bad_lead_in": (
        "- key: c\n  title: T\n  verification: secondary\n  lead_ins:\n    q: text\n  "
        "actions: []\n",
        5,
        "'q' is not a norm letter",
    ),
    # The first catalogue is valid (and would rewrite i-1); the second is not: nothing is written.
    "second_bad": (
        GOOD_HEAD
        + (
            "  - key: i-1\n    number: i.1\n    text: rewritten\n- key: other\n  title: T\n  "
            "verification: maybe\n  actions: []\n"
        ),
        10,
        "'maybe' is not one of",
    ),
    "unknown_field": (
        GOOD_HEAD + "  - key: a\n    number: '1'\n    text: t\n    colour: blue\n",
        8,
        "unknown field",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_malformed_file_is_rejected_with_line_and_loads_nothing(
    app_ctx, runner, tmp_path, name
) -> None:
    text, line, reason = BAD_FILES[name]
    path = tmp_path / "catalogues.yaml"
    path.write_text(text)
    # Change a stored text first, so that a partial load would show.
    action = db.session.scalar(sa.select(CatalogueAction).where(CatalogueAction.key == "i-1"))
    action.text = "Changed by the test"
    db.session.commit()
    before = snapshot()
    result = runner.invoke(args=["catalogues", "load", str(path)])
    assert result.exit_code != 0
    assert f"{path}:{line}" in result.output, result.output
    assert reason in result.output
    assert "nothing was loaded" in result.output
    db.session.expire_all()
    assert snapshot() == before
