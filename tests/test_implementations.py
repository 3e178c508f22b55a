"""Links from measures to catalogue actions and recommendations: part of the measure's content."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from tests.conftest import implementation
from tracker.datafiles import DataFileError
from tracker.extensions import db
from tracker.measures import implementations, services
from tracker.measures.models import ImplementationDegree, Measure, MeasureImplementation
from tracker.records import services as records
from tracker.records.models import Record
from tracker.review import workflow

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"


def test_links_are_copied_on_write_and_published_with_the_measure(app, make_measure) -> None:
    measure = make_measure(implementations=[implementation(action="j-1", degree="partial")])
    with app.app_context():
        record = db.session.get(Record, measure.record_id)
        draft = records.editable_copy(record)
        live = records.live_copy(record)
        assert draft.id != live.id
        assert [(link.action.key, link.degree) for link in draft.implementations] == [
            ("j-1", ImplementationDegree.PARTIAL)
        ]
        data = services.snapshot(draft)
        assert data["implementations"][0]["catalogue"] == "gge-2021-guidance"
        data["implementations"].append(implementation(action="i-3"))
        services.apply(draft, data)
        db.session.commit()
        assert [link.action.key for link in records.live_copy(record).implementations] == ["j-1"]
        workflow.publish_unreviewed(record)
        db.session.commit()
        live = records.live_copy(record)
        assert sorted(link.action.key for link in live.implementations) == ["i-3", "j-1"]
        records.write_revision(record, live, action="publish")
        db.session.flush()
        assert len(record.revisions[-1].snapshot["implementations"]) == 2


def test_restoring_an_old_snapshot_without_links_removes_them(app, make_measure) -> None:
    measure = make_measure(implementations=[implementation(action="j-1")])
    with app.app_context():
        measure = db.session.get(Measure, measure.id)
        data = services.snapshot(measure)
        del data["implementations"]  # a revision written before links existed
        services.apply(measure, data)
        db.session.flush()
        assert measure.implementations == []


def test_unknown_targets_are_refused(app, make_measure) -> None:
    measure = make_measure()
    with app.app_context():
        measure = db.session.get(Measure, measure.id)
        data = services.snapshot(measure)
        data["implementations"] = [implementation(action="z-9")]
        with pytest.raises(ValueError, match="unknown catalogue action"):
            services.apply(measure, data)
        data["implementations"] = [implementation(recommendation_id=987654)]
        with pytest.raises(ValueError, match="unknown recommendation"):
            services.apply(measure, data)


def test_a_link_targets_exactly_one_of_recommendation_or_action(
    app, make_measure, make_paper
) -> None:
    measure = make_measure()
    paper = make_paper()
    with app.app_context():
        action_id = db.session.scalar(sa.text("SELECT id FROM catalogue_actions WHERE key = 'j-1'"))
        both = MeasureImplementation(
            measure_id=measure.id,
            action_id=action_id,
            recommendation_id=paper.recommendations[0].recommendation_id,
            degree=ImplementationDegree.FULL,
            rationale="x",
        )
        db.session.add(both)
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()
        db.session.add(
            MeasureImplementation(
                measure_id=measure.id, degree=ImplementationDegree.FULL, rationale="x"
            )
        )
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()


# --- Demo links: the rule in the header of data/demo/implementations.yaml -------------------


def demo_links() -> list[dict]:
    return yaml.safe_load((DEMO / "implementations.yaml").read_text(encoding="utf-8"))


def test_every_demo_link_follows_the_rule() -> None:
    measures = {
        m["key"]: m for m in yaml.safe_load((DEMO / "measures.yaml").read_text(encoding="utf-8"))
    }
    (catalogue,) = yaml.safe_load((ROOT / "data" / "catalogues.yaml").read_text(encoding="utf-8"))
    actions = {a["key"]: a for a in catalogue["actions"]}
    for link in demo_links():
        measure, action = measures[link["measure"]], actions[link["action"]]
        assert link["basis"] == "inferred"
        # 1. the measure carries the action's topic
        assert action["topics"], f"{link['action']} has no topic: no link may be made"
        assert set(action["topics"]) & set(measure["topics"]), link
        assert f'Topics include "{action["topics"][0]}"' in link["rationale"]
        # 2. every quoted passage is the measure's own text, verbatim
        own = [measure["title_original"], measure.get("description") or ""]
        own += [m.get("rationale") or "" for m in measure["mappings"]]
        quotes = re.findall(
            r'(?:title|description|mapping to norm \([a-k]\)): "([^"]+)"', link["rationale"]
        )
        assert quotes, link
        for quote in quotes:
            assert any(quote in text for text in own), (link["measure"], quote)
        if link["degree"] == "partial":
            assert "Partial: " in link["rationale"]


def test_demo_links_are_loaded_on_published_measures(app_ctx) -> None:
    expected = sorted((link["measure"], link["action"], link["degree"]) for link in demo_links())
    stmt = (
        sa.select(Record.key, MeasureImplementation)
        .join(Measure, Measure.record_id == Record.id)
        .join(MeasureImplementation, MeasureImplementation.measure_id == Measure.id)
        .where(Measure.is_live)
    )
    loaded = sorted(
        (key, link.action.key, link.degree.value) for key, link in db.session.execute(stmt)
    )
    assert loaded == expected
    assert len(loaded) == 29


def test_demo_loader_twice_changes_nothing(app_ctx) -> None:
    report = implementations.load_demo(DEMO / "implementations.yaml")
    assert str(report) == "nothing changed"


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (
            "- measure: no-such-measure\n  catalogue: gge-2021-guidance\n  action: i-1\n  "
            "degree: full\n  basis: inferred\n  rationale: x\n",
            1,
            "unknown measure key 'no-such-measure'",
        ),
        (
            "- measure: eu-cra\n  catalogue: gge-2021-guidance\n  action: i-9\n  degree: "
            "full\n  basis: inferred\n  rationale: x\n",
            3,
            "unknown action 'i-9'",
        ),
        (
            "- measure: eu-cra\n  catalogue: gge-2021-guidance\n  action: i-1\n  degree: "
            "most\n  basis: inferred\n  rationale: x\n",
            4,
            "'most' is not one of",
        ),
        (
            "- measure: eu-cra\n  catalogue: gge-2021-guidance\n  action: i-1\n  degree: "
            "full\n  basis: inferred\n",
            1,
            "rationale: is required",
        ),
    ],
)
def test_demo_loader_rejects_bad_files_with_line_and_writes_nothing(
    app_ctx, tmp_path, text, line, reason
) -> None:
    path = tmp_path / "implementations.yaml"
    # A valid first link, so that a partial load would show.
    path.write_text(
        (
            "- measure: jp-meti-sbom-guide\n  catalogue: gge-2021-guidance\n  action: i-6\n  "
            "degree: full\n  basis: inferred\n  rationale: x\n"
        )
        + text
    )
    count = sa.select(sa.func.count()).select_from(MeasureImplementation)
    before = db.session.scalar(count)
    with pytest.raises(DataFileError) as info:
        implementations.load_demo(path)
    assert f"{path}:{line + 6}" in str(info.value)
    assert reason in str(info.value)
    assert db.session.scalar(count) == before


def test_demo_load_cli_reports_the_error_and_loads_nothing(app_ctx, runner, tmp_path) -> None:
    for name in ("measures.yaml", "working_groups.yaml"):
        (tmp_path / name).write_text((DEMO / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "implementations.yaml").write_text("- measure: eu-cra\n  colour: blue\n")
    result = runner.invoke(args=["demo", "load", str(tmp_path)])
    assert result.exit_code != 0
    assert "implementations.yaml:2" in result.output and "unknown field" in result.output
    assert "nothing was loaded" in result.output
