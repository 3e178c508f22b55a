"""data/demo/attributions.yaml says what shared/reference/facts.yaml says, and nothing more."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo" / "attributions.yaml"
# Beside the checkout (/work/main -> /work/shared) or beside a worktree (/work/wt/x ->
# /work/shared).
FACTS = ROOT / "data" / "reference" / "facts.yaml"
CONFIDENCE = {"verified": "verified", "verified_secondary": "secondary", "recalled": "unverified"}
#: attributing parties in facts that are organisations, not jurisdictions
ORGS = {"NATO"}


#: how facts' notes name a party when they say who used a piece of language
SPEAKER_NAMES = {"EU": ("EU",), "GB": ("UK",), "US": ("US", "FBI"), "NL": ("NL",)}


def framework(value: object) -> str:
    # facts.yaml writes yes/no bare, which YAML reads as booleans.
    return {True: "yes", False: "no"}.get(value, value)  # type: ignore[arg-type]


def union(statements: list[dict], role: str, key: str) -> list[str]:
    out: list[str] = []
    for st in statements:
        if st["role"] == role:
            out += [c for c in st[key] if c not in out]
    return out


def named_as_speaker(code: str, text: str) -> bool:
    """facts' note names this party as the one whose words it quotes or describes."""
    return any(
        text.startswith(name) or f"{name} " in text or f"{name}:" in text
        for name in SPEAKER_NAMES.get(code, (code,))
    )


def test_demo_attributions_match_facts() -> None:
    facts = yaml.safe_load(FACTS.read_text(encoding="utf-8"))["attributions"]
    demo = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    assert [f["id"] for f in facts] == [d["key"] for d in demo]
    for f, d in zip(facts, demo, strict=True):
        where = f["id"]
        statements = d["statements"]
        assert d["date"] == f["date"], where
        assert d["operation"] == f["operation"], where
        assert union(statements, "attributing", "parties") == [
            c for c in f["attributing_states"] if c not in ORGS
        ], where
        assert union(statements, "attributing", "orgs") == [
            c for c in f["attributing_states"] if c in ORGS
        ], where
        supported = f.get("supported_by") or []
        assert union(statements, "supporting", "parties") == [
            c for c in supported if c not in ORGS
        ], where
        assert union(statements, "supporting", "orgs") == [c for c in supported if c in ORGS], where
        assert union(statements, "recalled", "parties") == (f.get("other_states_recalled") or [])
        assert d["attributed_actor"] == f["attributed_to"], where
        assert d["forms"] == f["form"], where
        assert {st["form"] for st in statements} - {None} <= set(f["form"]), where
        assert d["verification"] == CONFIDENCE[f["confidence"]], where
        assert [s["title"] for s in d["sources"]] == f["sources"], where
        assert all(s["url"] is None for s in d["sources"]), where  # facts gives no URLs here
        assert d["follow_up"] == f.get("follow_up"), where
        for field in ("notes", "un_framework_note"):
            if f.get(field):
                assert f[field] in (d["notes"] or ""), f"{where}: {field}"
        if d["basis_note"]:
            assert d["basis_note"].split(": ", 1)[-1] in f["notes"], where
        said = " ".join(filter(None, [f.get("un_framework_note"), f.get("notes")]))
        for st in statements:
            # A passage is verbatim only where facts quotes it, and names its source.
            if st["passage"]:
                assert st["passage_kind"] == "verbatim", where
                assert f"'{st['passage']}'" in said, where
                assert st["passage_source"] in f["sources"] or any(
                    st["passage_source"].startswith(src) for src in f["sources"]
                ), where
            if st["source_title"]:
                assert st["source_title"] in f["sources"], where
            # One statement per party, unless facts says the parties issued one joint text.
            if len(st["parties"]) + len(st["orgs"]) > 1:
                assert "co-sealed" in said or "joint" in said, where
            # What a statement invokes stays with the party facts names as saying it.
            value = st["un_framework_invoked"]
            if value != "unknown" or st["invoked_norms"] or st["passage"]:
                assert len(statements) == 1 or all(
                    named_as_speaker(c, said) for c in st["parties"]
                ), f"{where}: {st['parties']}"
            if value != "unknown":
                assert value == framework(f["un_framework_invoked"]), where
            for item in st["invoked_norms"]:
                note = f["un_framework_note"]
                assert f"13({item['norm']})" in note or f"({item['norm']})" in note, where
                assert item["basis"] == "implicit", where
                assert item["passage"] in note, where
