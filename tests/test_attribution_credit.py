"""Who said what (issue 13 item 3): no State is credited with an invocation that the reference
facts give to another party, on the per-State page or in the API; "joint" only for a single
joint text; the OPCW record shows no passage from somebody else's statement."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tracker.attribution.models import Attribution
from tracker.extensions import db
from tracker.records.models import Record

ROOT = Path(__file__).resolve().parents[1]
FACTS = yaml.safe_load((ROOT / "data" / "reference" / "facts.yaml").read_text(encoding="utf-8"))[
    "attributions"
]
ORGS = {"NATO"}
#: how facts' notes name a party when they say whose words they quote
SPEAKER_NAMES = {"EU": ("EU",), "GB": ("UK",), "US": ("US", "FBI")}


def speakers(item: dict) -> set[str]:
    """The parties facts names as having used the language its framework note describes."""
    note = item.get("un_framework_note") or ""
    parties = [c for c in item["attributing_states"] if c not in ORGS]
    if len(parties) == 1:
        return set(parties)
    return {
        c
        for c in parties
        if any(
            note.startswith(n) or f"{n} " in note or f"{n}:" in note
            for n in SPEAKER_NAMES.get(c, (c,))
        )
    }


def credited_in_facts(code: str) -> dict[str, int]:
    """The framework values facts allows for ``code``'s own statements: only where facts names
    it as the speaker (or it attributed alone) is a value other than "unknown" possible."""
    allowed = {"yes": 0, "no": 0}
    for item in FACTS:
        if code in speakers(item) and item["un_framework_invoked"] in (True, False):
            allowed["yes" if item["un_framework_invoked"] else "no"] += 1
    return allowed


def framework_counts(html: str, heading: str) -> dict[str, int]:
    """The yes/no/unknown counts listed under one heading of a by-state page."""
    if heading not in html:
        return {"yes": 0, "no": 0, "unknown": 0}
    part = html.split(heading, 1)[1].split("</ul>", 1)[0]
    found = re.findall(r'framework-(yes|no|unknown)">[^<]*</span> <strong>(\d+)</strong>', part)
    return {value: int(n) for value, n in found}


def every_party() -> list[str]:
    codes: list[str] = []
    for item in FACTS:
        for key in ("attributing_states", "supported_by", "other_states_recalled"):
            codes += [c for c in item.get(key) or [] if c not in ORGS and c not in codes]
    return codes


def test_no_state_is_credited_with_another_partys_invocation(client) -> None:
    listed = client.get("/api/v1/attributions?per_page=100").get_json()["items"]
    assert len(listed) == len(FACTS)
    for code in every_party():
        allowed = credited_in_facts(code)
        html = client.get(f"/attributions/by-state/{code}").get_data(as_text=True)
        own = framework_counts(html, "s own statements</h2>")
        assert own.get("yes", 0) <= allowed["yes"], (code, own, allowed)
        assert own.get("no", 0) <= allowed["no"], (code, own, allowed)
        # the API: every statement of this party says only what facts lets it say
        yes = no = 0
        norms: list[str] = []
        for item in listed:
            for s in item["statements"]:
                if code in [p["code"] for p in s["parties"]]:
                    yes += s["un_framework_invoked"] == "yes"
                    no += s["un_framework_invoked"] == "no"
                    norms += [n["norm"] for n in s["invoked_norms"]]
        assert (yes, no) == (own.get("yes", 0), own.get("no", 0)), code
        assert yes <= allowed["yes"] and no <= allowed["no"], code
        if norms:
            named = {
                f"({letter})"
                for item in FACTS
                if code in speakers(item)
                for letter in "abcdefghijk"
                if f"({letter})" in (item.get("un_framework_note") or "")
                or f"13({letter}" in (item.get("un_framework_note") or "")
                or f"/({letter})" in (item.get("un_framework_note") or "")
            }
            assert {f"({n})" for n in norms} <= named, (code, norms, named)


def test_canada_is_not_said_to_have_invoked_the_un_framework(client) -> None:
    html = client.get("/attributions/by-state/CA").get_data(as_text=True)
    own = framework_counts(html, "s own statements</h2>")
    assert own == {"yes": 0, "no": 0, "unknown": 6}
    assert 'class="tag norm-tag"' not in html  # no norm credited to Canada
    data = client.get("/api/v1/attributions?attributing=CA&per_page=100").get_json()["items"]
    for item in data:
        for s in item["statements"]:
            if "CA" in [p["code"] for p in s["parties"]]:
                assert s["un_framework_invoked"] == "unknown" and s["invoked_norms"] == []


def test_the_eu_keeps_its_own_invocations_and_members_see_them_through_the_eu(client) -> None:
    eu = client.get("/attributions/by-state/EU").get_data(as_text=True)
    assert framework_counts(eu, "s own statements</h2>")["yes"] == 2  # Hafnium and Viasat
    de = client.get("/attributions/by-state/DE").get_data(as_text=True)
    assert framework_counts(de, "s own statements</h2>").get("yes", 0) == 0
    through = framework_counts(de, "made through an organisation it belongs to</h2>")
    assert through["yes"] == 2
    assert "Through the EU" in de


def test_joint_only_for_a_single_joint_text(client) -> None:
    """A statement has several parties only where facts says they issued one text."""
    joint_in_facts = {
        item["id"]
        for item in FACTS
        if "co-sealed" in (item.get("notes") or "") or "joint" in (item.get("notes") or "")
    }
    assert joint_in_facts == {"apt40-2024", "opcw-gru-2018"}
    with client.application.app_context():
        keys = dict(
            db.session.execute(
                db.select(Attribution.record_id, Record.key).join(
                    Record, Record.id == Attribution.record_id
                )
            ).all()
        )
    listed = client.get("/api/v1/attributions?per_page=100").get_json()["items"]
    for item in listed:
        joint = [s for s in item["statements"] if s["joint"]]
        if keys[item["id"]] in joint_in_facts:
            assert len(joint) == 1, keys[item["id"]]
        else:
            assert joint == [], keys[item["id"]]
        html = client.get(f"/attributions/{item['id']}").get_data(as_text=True)
        assert html.count("Joint text of") == len(joint)
    apt40 = next(i for i in listed if keys[i["id"]] == "apt40-2024")
    assert len(apt40["statements"][0]["parties"]) == 8


def test_the_opcw_record_quotes_no_passage_from_another_statement(client) -> None:
    listed = client.get("/api/v1/attributions?per_page=100").get_json()["items"]
    opcw = next(i for i in listed if i["operation"].startswith("GRU close-access operation"))
    assert all(s["passage"] is None for s in opcw["statements"])
    html = client.get(f"/attributions/{opcw['id']}").get_data(as_text=True)
    assert "attr-passage" not in html
    assert "“the rules-based international system" not in html


def test_verbatim_passages_are_quoted_with_their_source_and_summaries_never_are(
    app, client
) -> None:
    from tests.attribution_helpers import create_attribution

    a = create_attribution(
        app,
        statements=[
            {
                "parties": ["IS"],
                "passage": "Test summary of what Iceland said",
                "passage_kind": "summary",
            },
            {
                "parties": ["NO"],
                "passage": "Test words of Norway",
                "passage_kind": "verbatim",
                "passage_source": "Test source quoting Norway",
            },
        ],
    )
    html = client.get(f"/attributions/{a.record_id}").get_data(as_text=True)
    assert '<span class="badge summary">Summary</span> Test summary of what Iceland said' in html
    assert "“Test summary" not in html
    assert "“Test words of Norway”" in html
    assert "Verbatim, as given by Test source quoting Norway" in html
    data = client.get(f"/api/v1/attributions/{a.record_id}").get_json()
    assert [s["passage"]["kind"] for s in data["statements"]] == ["summary", "verbatim"]
