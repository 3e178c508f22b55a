"""data/demo/attributions.yaml says what shared/reference/facts.yaml says, and nothing more."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo" / "attributions.yaml"
# Beside the checkout (/work/main -> /work/shared) or beside a worktree (/work/wt/x -> /work/shared).
FACTS = ROOT / "data" / "reference" / "facts.yaml"
CONFIDENCE = {"verified": "verified", "verified_secondary": "secondary", "recalled": "unverified"}
#: attributing parties in facts that are organisations, not jurisdictions
ORGS = {"NATO"}


def framework(value: object) -> str:
    # facts.yaml writes yes/no bare, which YAML reads as booleans.
    return {True: "yes", False: "no"}.get(value, value)  # type: ignore[arg-type]


def test_demo_attributions_match_facts() -> None:
    facts = yaml.safe_load(FACTS.read_text(encoding="utf-8"))["attributions"]
    demo = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    assert [f["id"] for f in facts] == [d["key"] for d in demo]
    for f, d in zip(facts, demo, strict=True):
        where = f["id"]
        assert d["date"] == f["date"], where
        assert d["operation"] == f["operation"], where
        assert d["attributing"] == [c for c in f["attributing_states"] if c not in ORGS], where
        assert d["attributing_orgs"] == [c for c in f["attributing_states"] if c in ORGS], where
        supported = f.get("supported_by") or []
        assert d["supported_by"] == [c for c in supported if c not in ORGS], where
        assert d["supported_by_orgs"] == [c for c in supported if c in ORGS], where
        assert d["other_states_recalled"] == (f.get("other_states_recalled") or []), where
        assert d["attributed_actor"] == f["attributed_to"], where
        assert d["forms"] == f["form"], where
        assert d["un_framework_invoked"] == framework(f["un_framework_invoked"]), where
        assert d["verification"] == CONFIDENCE[f["confidence"]], where
        assert [s["title"] for s in d["sources"]] == f["sources"], where
        assert all(s["url"] is None for s in d["sources"]), where  # facts gives no URLs here
        assert d["follow_up"] == f.get("follow_up"), where
        for field in ("notes", "un_framework_note"):
            if f.get(field):
                assert f[field] in (d["notes"] or ""), f"{where}: {field}"
        if d["passage"]:
            assert d["passage"] in f["un_framework_note"], where
        if d["basis_note"]:
            assert d["basis_note"].split(": ", 1)[-1] in f["notes"], where
        # A norm is recorded only where facts' note names its letter.
        for item in d["invoked_norms"]:
            assert (
                f"13({item['norm']})" in f["un_framework_note"]
                or f"({item['norm']})" in f["un_framework_note"]
            ), where
            assert item["basis"] == "implicit", where
