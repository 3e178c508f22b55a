"""Attributions and their statements: demo content, counting, the UN framework "unknown",
copies."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from tests.attribution_helpers import create_attribution
from tracker.attribution import queries, sections, services
from tracker.attribution.models import Attribution, FrameworkInvoked
from tracker.extensions import db
from tracker.records import services as records
from tracker.records.models import Record
from tracker.review import workflow

ROOT = Path(__file__).resolve().parents[1]
DEMO = yaml.safe_load((ROOT / "data" / "demo" / "attributions.yaml").read_text(encoding="utf-8"))
#: the attributing statements of the demo file (each a statement of its own parties)
ATTRIBUTING = [st for item in DEMO for st in item["statements"] if st["role"] == "attributing"]


def by_key(key: str) -> Attribution:
    stmt = (
        sa.select(Attribution)
        .join(Record, Record.id == Attribution.record_id)
        .where(Record.key == key, Attribution.is_live)
    )
    return db.session.scalar(stmt)


def test_demo_statements_are_loaded_published_as_in_the_file(app_ctx) -> None:
    assert queries.count_attributions() == len(DEMO) == 13
    wannacry = by_key("wannacry-2017")
    assert [p.jurisdiction_code for p in wannacry.attributing] == [
        "US",
        "GB",
        "AU",
        "CA",
        "NZ",
        "JP",
    ]
    assert wannacry.date == dt.date(2017, 12, 19)
    # Six statements made the same day: six statements, none of them joint, none known to
    # invoke the UN framework.
    assert [s.codes for s in wannacry.statements] == [
        ["US"],
        ["GB"],
        ["AU"],
        ["CA"],
        ["NZ"],
        ["JP"],
    ]
    assert {s.un_framework_invoked for s in wannacry.statements} == {FrameworkInvoked.UNKNOWN}
    assert not any(s.is_joint for s in wannacry.statements)
    assert wannacry.attributed_state_code == "KP"
    notpetya = by_key("notpetya-2018")
    assert [p.jurisdiction_code for p in notpetya.recalled] == ["AU", "CA", "NZ", "DK", "LT", "EE"]
    assert len(notpetya.attributing) == 2  # recalled States are not attributing States
    hafnium = by_key("ms-exchange-hafnium-2021")
    assert hafnium.attributing_orgs == ["NATO"]
    # Only the EU's declaration uses the language of norms (c) and (h).
    assert [
        (s.codes, i.norm.letter, i.basis.value) for s in hafnium.statements for i in s.invoked_norms
    ] == [
        (["EU"], "c", "implicit"),
        (["EU"], "h", "implicit"),
    ]
    assert {s.codes[0]: s.un_framework_invoked.value for s in hafnium.statements if s.codes} == {
        "US": "unknown",
        "EU": "yes",
        "GB": "unknown",
        "AU": "unknown",
        "CA": "unknown",
        "NZ": "unknown",
        "JP": "unknown",
    }
    apt40 = by_key("apt40-2024")
    assert len(apt40.statements) == 1 and apt40.statements[0].is_joint
    for a in db.session.scalars(sa.select(Attribution)):
        assert a.record.revisions, "every demo statement has its import revision"


def test_snapshot_round_trips_through_apply(app_ctx) -> None:
    for key in ("notpetya-2018", "ms-exchange-hafnium-2021", "spd-apt28-2024"):
        original = by_key(key)
        snap = services.snapshot(original)
        # the copy becomes the working copy (a row that is neither working nor live copy is
        # refused by the database)
        original.is_draft = False
        db.session.flush()
        copy = Attribution(record_id=original.record_id, is_draft=True, is_live=False)
        db.session.add(copy)
        services.apply(copy, snap)
        db.session.flush()
        assert services.snapshot(copy) == snap
        # Applying a snapshot to a row that already holds the same children (a restore)
        # replaces them without clashing on their composite keys.
        services.apply(copy, snap)
        db.session.flush()
        db.session.expire(copy)
        assert services.snapshot(copy) == snap


def test_statements_count_once_and_states_once_per_attribution(client) -> None:
    # WannaCry (19 December 2017) is the only attribution of 2017: six States, each with a
    # statement of its own made the same day (not a joint text).
    html = client.get("/attributions/?year=2017").get_data(as_text=True)
    assert "WannaCry ransomware (May 2017)" in html
    assert "<strong>6</strong> statements" in html
    assert "<strong>6</strong> attributions by States" in html
    assert "6 statements · 6 attributions by States" in html  # the year heading says both
    assert "Joint" not in html

    # Against North Korea: Sony (US alone) and WannaCry (six States).
    html = client.get("/attributions/against/KP").get_data(as_text=True)
    assert "<strong>7</strong> statements naming North Korea" in html
    assert "<strong>7</strong> attributions by States" in html

    # The whole timeline: each statement once; each attributing jurisdiction once per attribution.
    html = client.get("/attributions/").get_data(as_text=True)
    assert f"<strong>{len(ATTRIBUTING)}</strong> statements" in html
    per_state = sum(
        len({c for st in item["statements"] if st["role"] == "attributing" for c in st["parties"]})
        for item in DEMO
    )
    assert per_state == 50
    assert f"<strong>{per_state}</strong> attributions by States" in html
    # "Joint" is said of the single joint texts only: APT40 and the Rutte-May statement.
    assert html.count("Joint text of") == 2
    assert "Joint text of 8 parties" in html and "Joint text of 2 parties" in html


def test_counting_functions_on_wannacry(app_ctx) -> None:
    wannacry = by_key("wannacry-2017")
    totals = queries.Totals.of([wannacry])
    assert (totals.statements, totals.state_attributions) == (6, 6)
    against = queries.against_state(queries.get_jurisdiction("KP"))
    counts = {j.code: n for j, n in against.by_party}
    assert counts == {"US": 2, "GB": 1, "AU": 1, "CA": 1, "NZ": 1, "JP": 1}
    us = queries.state_practice(queries.get_jurisdiction("US"))
    assert sum(1 for r in us.attributed if r.attribution.id == wannacry.id) == 1
    partners = {j.code: n for j, n in us.partners}
    assert partners["GB"] == 1 and "US" not in partners  # the APT40 advisory only


def norm_row(stats: queries.NormStats, letter: str) -> queries.NormRow | None:
    return next((r for r in stats.rows if r.norm.letter == letter), None)


def test_per_norm_counts_of_the_demo_data(app_ctx) -> None:
    stats = queries.norm_stats()
    assert stats.letters == ["c", "h", "i"]
    c, i = norm_row(stats, "c"), norm_row(stats, "i")
    # The EU's statements alone invoke the norms: nobody else is credited with them.
    assert (c.count, c.explicit, c.implicit, c.state_attributions) == (1, 0, 1, 1)
    assert {j.code: n for j, n in c.by_party} == {"EU": 1} and c.orgs == []
    assert (i.count, i.explicit, i.implicit, i.state_attributions) == (1, 0, 1, 1)
    assert {j.code: n for j, n in i.by_party} == {"EU": 1}
    assert i.by_year == {2021: 1}
    assert stats.without_norm == len(ATTRIBUTING) - 2  # the EU on Hafnium and on SolarWinds
    expected = {f: 0 for f in FrameworkInvoked}
    for st in ATTRIBUTING:
        expected[FrameworkInvoked(st["un_framework_invoked"])] += 1
    assert stats.totals.framework == expected
    assert expected[FrameworkInvoked.YES] == 2  # the EU on Hafnium and on Viasat
    assert stats.years == list(range(2014, 2025))


def test_per_norm_counts_count_statements_once_and_states_per_statement(app, client) -> None:
    # One joint text invoking norm (i) twice (explicit and implicit passages), by two States.
    create_attribution(
        app,
        date="2023-03",
        statements=[
            {
                "role": "attributing",
                "parties": ["IS", "NO"],
                "un_framework_invoked": "yes",
                "invoked_norms": [
                    {
                        "norm": "i",
                        "basis": "explicit",
                        "passage": "Test passage one",
                        "locator": "para. 2",
                    },
                    {"norm": "i", "basis": "implicit", "passage": "Test passage two"},
                ],
            }
        ],
    )
    with app.app_context():
        i = norm_row(queries.norm_stats(), "i")
        assert (i.count, i.explicit, i.implicit, i.state_attributions) == (2, 1, 1, 3)
        assert i.by_year == {2021: 1, 2023: 1}
        assert {j.code: n for j, n in i.by_party} == {"EU": 1, "IS": 1, "NO": 1}
    html = client.get("/attributions/norms").get_data(as_text=True)
    row = html.split('href="#norm-i">Norm (i)</a>')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="num" data-label="([^"]+)">(\d+)</td>', row)
    assert cells == [
        ("Statements", "2"),
        ("Explicit", "1"),
        ("Implicit", "1"),
        ("Attributions by States", "3"),
    ]


def test_unknown_framework_is_shown_and_counted_as_unknown_never_no(app, client) -> None:
    a = create_attribution(
        app, operation="Test operation framework unknown", un_framework_invoked="unknown"
    )
    html = client.get(f"/attributions/{a.record_id}").get_data(as_text=True)
    assert "Unknown — full text not seen" in html
    assert "framework-unknown" in html
    assert "framework-no" not in html and "UN framework invoked: No" not in html
    assert "it is not the same as “no”." in html

    data = client.get(f"/api/v1/attributions/{a.record_id}").get_json()
    assert [s["un_framework_invoked"] for s in data["statements"]] == ["unknown"]
    assert data["statements"][0]["un_framework_invoked_label"] == "Unknown — full text not seen"

    listed = client.get("/api/v1/attributions?un_framework=no&per_page=200").get_json()
    assert a.record_id not in [item["id"] for item in listed["items"]]
    listed = client.get("/api/v1/attributions?un_framework=unknown&per_page=200").get_json()
    assert a.record_id in [item["id"] for item in listed["items"]]
    assert all(
        any(s["un_framework_invoked"] == "unknown" for s in item["statements"])
        for item in listed["items"]
    )

    with app.app_context():
        framework = queries.norm_stats().totals.framework
    demo_unknown = sum(1 for st in ATTRIBUTING if st["un_framework_invoked"] == "unknown")
    demo_no = sum(1 for st in ATTRIBUTING if st["un_framework_invoked"] == "no")
    assert framework[FrameworkInvoked.NO] == demo_no
    assert framework[FrameworkInvoked.UNKNOWN] == demo_unknown + 1

    timeline = client.get("/attributions/?un_framework=unknown").get_data(as_text=True)
    item = timeline.split("Test operation framework unknown")[1].split("</article>")[0]
    assert "Unknown — full text not seen" in item and ">No<" not in item


def test_unknown_demo_statement_is_not_shown_as_no(client) -> None:
    with client.application.app_context():
        wannacry = by_key("wannacry-2017")
    html = client.get(f"/attributions/{wannacry.record_id}").get_data(as_text=True)
    assert html.count("Unknown — full text not seen") >= 6
    assert "framework-no" not in html
    data = client.get(f"/api/v1/attributions/{wannacry.record_id}").get_json()
    assert {s["un_framework_invoked"] for s in data["statements"]} == {"unknown"}


def test_copy_on_write_keeps_the_public_on_the_published_text(app, client) -> None:
    a = create_attribution(app, operation="Test operation published text")
    with app.app_context():
        record = db.session.get(Record, a.record_id)
        draft = records.editable_copy(record)
        draft.operation = "Test operation edited, not yet published"
        db.session.commit()
    html = client.get(f"/attributions/{a.record_id}").get_data(as_text=True)
    assert "Test operation published text" in html and "not yet published" not in html
    with app.app_context():
        record = db.session.get(Record, a.record_id)
        workflow.publish_unreviewed(record)
        db.session.commit()
    html = client.get(f"/attributions/{a.record_id}").get_data(as_text=True)
    assert "Test operation edited, not yet published" in html
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Attribution).where(Attribution.record_id == a.record_id)
        ).all()
        assert len(rows) == 1 and rows[0].is_live and rows[0].is_draft


def test_beside_measures_groups_statements_by_norm_next_to_measures(app_ctx) -> None:
    from tracker.measures import queries as measure_queries

    # The US made no statement invoking a norm: the EU's language is not credited to it.
    us = sections.attributions_beside_measures("US")
    assert us.groups == []
    assert all(r.role in {"attributing", "recalled"} for r in us.without_norm)
    assert all(r.statement.codes == ["US"] or r.statement.is_joint for r in us.without_norm)

    # Germany sees the EU's statements, through the EU, beside its own and the EU's measures.
    de = sections.attributions_beside_measures("DE")
    assert [g.norm.letter for g in de.groups] == ["c", "h", "i"]
    group_i = next(g for g in de.groups if g.norm.letter == "i")
    assert [(r.attribution.operation, r.role, r.via) for r in group_i.statements] == [
        ("SolarWinds Orion supply-chain compromise (SUNBURST)", "via", "EU")
    ]
    expected = db.session.scalars(
        measure_queries.filtered_measures(
            measure_queries.MeasureFilters(jurisdictions=["DE"], norms=["i"])
        )
    ).all()
    assert {m.id for m in group_i.measures} >= {m.id for m in expected} and expected
    assert {m.jurisdiction_code for m in group_i.measures} == {"DE", "EU"}
    assert sections.attributions_beside_measures("ZZ") is None


def test_beside_measures_partial_renders(app) -> None:
    from flask import render_template

    with app.test_request_context("/"):
        beside = sections.attributions_beside_measures("DE")
        html = render_template("attribution/_beside_measures.html", beside=beside)
    assert "Attributions beside measures: Germany" in html
    assert "Norm (i): Ensure ICT supply-chain integrity" in html
    assert "SolarWinds Orion supply-chain compromise (SUNBURST)" in html
    assert "measures mapped to norm (i)" in html
    assert "through the EU" in html


def test_attribution_section_for_compare_and_briefs(app_ctx) -> None:
    section = sections.attribution_section(["US", "DE"], as_of=dt.date(2020, 12, 31))
    us, de = section.jurisdictions
    assert us.code == "US" and de.code == "DE"
    assert [s.operation for s in us.statements][-1] == "Sony Pictures Entertainment hack"
    assert all(s.date <= "2020-12-31" for s in us.statements)
    assert us.attributed_count == 5  # Sony, WannaCry, NotPetya, OPCW, APT10
    wannacry = next(s for s in us.statements if s.operation.startswith("WannaCry ransomware"))
    assert wannacry.un_framework_invoked == "unknown" and wannacry.attributing == (
        ("US", "United States"),
    )
    assert not wannacry.is_joint
    # Sony (FBI) and NotPetya (Press Secretary) say no; WannaCry, OPCW, APT10 are unknown.
    assert us.framework_counts == {"yes": 0, "no": 2, "unknown": 3}
    assert [(s.operation, s.role) for s in de.statements] == [
        ("WannaCry, NotPetya, Operation Cloud Hopper, attempted OPCW hack", "via"),
        ("Hack of the German Bundestag (April-May 2015)", "attributing"),
    ]
    assert de.attributed_count == 1 and de.via_count == 1
    assert section.statement_count == 7  # distinct statements: 5 of the US, 2 shown for DE
    later = sections.attribution_section(["US", "DE"])
    us, de = later.jurisdictions
    assert later.norms == ("c", "h", "i")  # all three invoked by the EU, shown for Germany
    assert us.norm_counts == {} and de.norm_counts == {}  # neither's own statements invoke one
    assert us.framework_counts["yes"] == 0
    with pytest.raises(ValueError, match="ZZ"):
        sections.attribution_section(["US", "ZZ"])


def test_as_of_uses_the_last_day_a_partial_date_may_mean(app) -> None:
    create_attribution(app, date="2023-05", attributing=["IS"])
    with app.app_context():
        mid_may = sections.attribution_section(["IS"], as_of=dt.date(2023, 5, 15))
        end_may = sections.attribution_section(["IS"], as_of=dt.date(2023, 5, 31))
    assert mid_may.jurisdictions[0].statements == ()
    assert [s.date for s in end_may.jurisdictions[0].statements] == ["2023-05"]
