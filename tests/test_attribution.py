"""Attribution statements: demo content, counting, the UN framework "unknown", copies."""

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

ROOT = Path(__file__).resolve().parents[1]
DEMO = yaml.safe_load((ROOT / "data" / "demo" / "attributions.yaml").read_text(encoding="utf-8"))


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
    assert wannacry.un_framework_invoked is FrameworkInvoked.UNKNOWN
    assert wannacry.attributed_state_code == "KP"
    notpetya = by_key("notpetya-2018")
    assert [p.jurisdiction_code for p in notpetya.recalled] == ["AU", "CA", "NZ", "DK", "LT", "EE"]
    assert len(notpetya.attributing) == 2  # recalled States are not attributing States
    hafnium = by_key("ms-exchange-hafnium-2021")
    assert hafnium.attributing_orgs == ["NATO"]
    assert [(i.norm.letter, i.basis.value) for i in hafnium.invoked_norms] == [
        ("c", "implicit"),
        ("h", "implicit"),
    ]
    for a in db.session.scalars(sa.select(Attribution)):
        assert a.record.revisions, "every demo statement has its import revision"


def test_snapshot_round_trips_through_apply(app_ctx) -> None:
    for key in ("notpetya-2018", "ms-exchange-hafnium-2021", "spd-apt28-2024"):
        original = by_key(key)
        snap = services.snapshot(original)
        copy = Attribution(record_id=original.record_id, is_draft=False, is_live=False)
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


def test_joint_statement_counts_once_per_statement_and_once_per_state(client) -> None:
    # WannaCry (19 December 2017) is the only statement of 2017: six attributing States.
    html = client.get("/attributions/?year=2017").get_data(as_text=True)
    assert "WannaCry ransomware (May 2017)" in html
    assert "<strong>1</strong> statement" in html
    assert "<strong>6</strong> attributions by States" in html
    assert "1 statement · 6 attributions by States" in html  # the year heading says both
    assert "Joint: 6 parties" in html

    # Against North Korea: Sony (US alone) and WannaCry (six States).
    html = client.get("/attributions/against/KP").get_data(as_text=True)
    assert "<strong>2</strong> statements naming North Korea" in html
    assert "<strong>7</strong> attributions by States" in html

    # The whole timeline: each statement once; each attributing jurisdiction once per statement.
    html = client.get("/attributions/").get_data(as_text=True)
    assert f"<strong>{len(DEMO)}</strong> statements" in html
    per_state = sum(len(item["attributing"]) for item in DEMO)
    assert per_state == 50
    assert f"<strong>{per_state}</strong> attributions by States" in html


def test_counting_functions_on_wannacry(app_ctx) -> None:
    wannacry = by_key("wannacry-2017")
    totals = queries.Totals.of([wannacry])
    assert (totals.statements, totals.state_attributions) == (1, 6)
    against = queries.against_state(queries.get_jurisdiction("KP"))
    counts = {j.code: n for j, n in against.by_party}
    assert counts == {"US": 2, "GB": 1, "AU": 1, "CA": 1, "NZ": 1, "JP": 1}
    us = queries.state_practice(queries.get_jurisdiction("US"))
    assert sum(1 for a in us.attributed if a.id == wannacry.id) == 1
    partners = {j.code: n for j, n in us.partners}
    assert partners["GB"] == 9 and "US" not in partners


def norm_row(stats: queries.NormStats, letter: str) -> queries.NormRow | None:
    return next((r for r in stats.rows if r.norm.letter == letter), None)


def test_per_norm_counts_of_the_demo_data(app_ctx) -> None:
    stats = queries.norm_stats()
    assert stats.letters == ["c", "h", "i"]
    c, i = norm_row(stats, "c"), norm_row(stats, "i")
    assert (c.count, c.explicit, c.implicit, c.state_attributions) == (1, 0, 1, 7)
    assert c.orgs == [("NATO", 1)]  # named, not counted among the States
    assert (i.count, i.explicit, i.implicit, i.state_attributions) == (1, 0, 1, 3)
    assert {j.code: n for j, n in i.by_party} == {"US": 1, "GB": 1, "EU": 1}
    assert i.by_year == {2021: 1}
    assert stats.without_norm == 11  # only Hafnium and SolarWinds invoke a norm
    assert stats.totals.framework == {
        FrameworkInvoked.YES: 2,
        FrameworkInvoked.NO: 3,
        FrameworkInvoked.UNKNOWN: 8,
    }
    assert stats.years == list(range(2014, 2025))


def test_per_norm_counts_count_statements_once_and_states_per_statement(app, client) -> None:
    # One statement invoking norm (i) twice (explicit and implicit passages), made by two States.
    create_attribution(
        app,
        date="2023-03",
        attributing=["IS", "NO"],
        invoked_norms=[
            {"norm": "i", "basis": "explicit", "passage": "Test passage one", "locator": "para. 2"},
            {"norm": "i", "basis": "implicit", "passage": "Test passage two", "locator": None},
        ],
    )
    with app.app_context():
        i = norm_row(queries.norm_stats(), "i")
        assert (i.count, i.explicit, i.implicit, i.state_attributions) == (2, 1, 1, 5)
        assert i.by_year == {2021: 1, 2023: 1}
        assert {j.code: n for j, n in i.by_party} == {"US": 1, "GB": 1, "EU": 1, "IS": 1, "NO": 1}
    html = client.get("/attributions/norms").get_data(as_text=True)
    row = html.split('href="#norm-i">Norm (i)</a>')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="num" data-label="([^"]+)">(\d+)</td>', row)
    assert cells == [
        ("Statements", "2"),
        ("Explicit", "1"),
        ("Implicit", "1"),
        ("Attributions by States", "5"),
    ]


def test_unknown_framework_is_shown_and_counted_as_unknown_never_no(app, client) -> None:
    a = create_attribution(
        app, operation="Test operation framework unknown", un_framework_invoked="unknown"
    )
    html = client.get(f"/attributions/{a.record_id}").get_data(as_text=True)
    assert "UN framework invoked: Unknown — full text not seen" in html
    assert "framework-unknown" in html
    assert "framework-no" not in html and "UN framework invoked: No" not in html
    assert "This is not the same as “no”." in html

    data = client.get(f"/api/v1/attributions/{a.record_id}").get_json()
    assert data["un_framework_invoked"] == "unknown"
    assert data["un_framework_invoked_label"] == "Unknown — full text not seen"

    listed = client.get("/api/v1/attributions?un_framework=no&per_page=200").get_json()
    assert a.record_id not in [item["id"] for item in listed["items"]]
    listed = client.get("/api/v1/attributions?un_framework=unknown&per_page=200").get_json()
    assert a.record_id in [item["id"] for item in listed["items"]]
    assert all(item["un_framework_invoked"] == "unknown" for item in listed["items"])

    with app.app_context():
        framework = queries.norm_stats().totals.framework
    assert framework[FrameworkInvoked.NO] == 3 and framework[FrameworkInvoked.UNKNOWN] == 9

    timeline = client.get("/attributions/?un_framework=unknown").get_data(as_text=True)
    item = timeline.split("Test operation framework unknown")[1].split("</article>")[0]
    assert "Unknown — full text not seen" in item and ">No<" not in item


def test_unknown_demo_statement_is_not_shown_as_no(client) -> None:
    with client.application.app_context():
        wannacry = by_key("wannacry-2017")
    html = client.get(f"/attributions/{wannacry.record_id}").get_data(as_text=True)
    assert "UN framework invoked: Unknown — full text not seen" in html
    assert "framework-no" not in html
    assert (
        client.get(f"/api/v1/attributions/{wannacry.record_id}").get_json()["un_framework_invoked"]
        == "unknown"
    )


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
        records.publish(record)
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

    us = sections.attributions_beside_measures("US")
    assert [g.norm.letter for g in us.groups] == ["c", "h", "i"]
    group_i = us.groups[2]
    assert [r.attribution.operation for r in group_i.statements] == [
        "SolarWinds Orion supply-chain compromise (SUNBURST)"
    ]
    expected = db.session.scalars(
        measure_queries.filtered_measures(
            measure_queries.MeasureFilters(jurisdictions=["US"], norms=["i"])
        )
    ).all()
    assert {m.id for m in group_i.measures} == {m.id for m in expected} and expected
    assert all(m.jurisdiction_code == "US" for m in group_i.measures)
    assert len(us.without_norm) == 8  # ten US statements; only Hafnium and SolarWinds invoke norms

    de = sections.attributions_beside_measures("DE")
    group_i = next(g for g in de.groups if g.norm.letter == "i")
    assert [(r.role, r.via) for r in group_i.statements] == [("via", "EU")]
    assert {m.jurisdiction_code for m in group_i.measures} == {"DE", "EU"}
    assert sections.attributions_beside_measures("ZZ") is None


def test_beside_measures_partial_renders(app) -> None:
    from flask import render_template

    with app.test_request_context("/"):
        beside = sections.attributions_beside_measures("US")
        html = render_template("attribution/_beside_measures.html", beside=beside)
    assert "Attributions beside measures: United States" in html
    assert "Norm (i): Ensure ICT supply-chain integrity" in html
    assert "SolarWinds Orion supply-chain compromise (SUNBURST)" in html
    assert "measures mapped to norm (i)" in html


def test_attribution_section_for_compare_and_briefs(app_ctx) -> None:
    section = sections.attribution_section(["US", "DE"], as_of=dt.date(2020, 12, 31))
    us, de = section.jurisdictions
    assert us.code == "US" and de.code == "DE"
    assert [s.operation for s in us.statements][-1] == "Sony Pictures Entertainment hack"
    assert all(s.date <= "2020-12-31" for s in us.statements)
    assert us.attributed_count == 5  # Sony, WannaCry, NotPetya, OPCW, APT10
    wannacry = next(s for s in us.statements if s.operation.startswith("WannaCry ransomware"))
    assert wannacry.un_framework_invoked == "unknown" and len(wannacry.attributing) == 6
    assert us.framework_counts == {"yes": 0, "no": 3, "unknown": 2}
    assert [(s.operation, s.role) for s in de.statements] == [
        ("WannaCry, NotPetya, Operation Cloud Hopper, attempted OPCW hack", "via"),
        ("Hack of the German Bundestag (April-May 2015)", "attributing"),
    ]
    assert de.attributed_count == 1
    assert section.statement_count == 7  # distinct statements: 5 of the US, 2 shown for DE
    later = sections.attribution_section(["US"])
    assert later.norms == ("c", "h", "i") and later.jurisdictions[0].norm_counts == {
        "c": 1,
        "h": 1,
        "i": 1,
    }
    with pytest.raises(ValueError, match="ZZ"):
        sections.attribution_section(["US", "ZZ"])


def test_as_of_uses_the_last_day_a_partial_date_may_mean(app) -> None:
    create_attribution(app, date="2023-05", attributing=["IS"])
    with app.app_context():
        mid_may = sections.attribution_section(["IS"], as_of=dt.date(2023, 5, 15))
        end_may = sections.attribution_section(["IS"], as_of=dt.date(2023, 5, 31))
    assert mid_may.jurisdictions[0].statements == ()
    assert [s.date for s in end_may.jurisdictions[0].statements] == ["2023-05"]
