"""Policy papers: records with draft and live copies, recommendations, and their implementers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import implementation
from tracker.extensions import db
from tracker.measures.models import ImplementationDegree, MeasureImplementation
from tracker.papers import queries, services
from tracker.papers.briefs import paper_brief_data
from tracker.papers.models import Paper, PaperRecommendation, Recommendation
from tracker.records import services as records
from tracker.records.models import Record, RecordKind, WorkflowState
from tracker.review import workflow


def rec_id(paper: Paper, number: str) -> int:
    return next(r.recommendation_id for r in paper.recommendations if r.number == number)


def test_published_paper_lists_recommendations_with_implementing_measures(
    client, make_paper, make_measure
) -> None:
    paper = make_paper(title="Test paper on disclosure", working_group="wg-software-supply-chain")
    make_measure(
        jurisdiction_code="BR",
        short_name="BR test law",
        implementations=[implementation(recommendation_id=rec_id(paper, "1"))],
    )
    make_measure(
        jurisdiction_code="EU",
        short_name="EU test act",
        implementations=[implementation(recommendation_id=rec_id(paper, "1"), degree="partial")],
    )

    listing = client.get("/papers/").get_data(as_text=True)
    assert "Test paper on disclosure" in listing
    assert "2 recommendations, 1 with implementing measures" in listing

    response = client.get(f"/papers/{paper.record_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Test recommendation 1 of paper" in page and "To national governments" in page
    assert "BR test law" in page and "Brazil" in page
    assert "EU test act" in page and "applies to its 27 member States" in page
    assert "Government’s Role in Increasing Software Supply Chain Security" in page
    assert "No measure has been linked to this recommendation yet." in page  # recommendation 2


def test_paper_brief_data_lists_jurisdictions_per_recommendation(
    app, make_paper, make_measure
) -> None:
    paper = make_paper()
    make_measure(
        jurisdiction_code="BR",
        implementations=[implementation(recommendation_id=rec_id(paper, "1"), degree="partial")],
    )
    make_measure(
        jurisdiction_code="BR",
        status="rescinded",
        implementations=[implementation(recommendation_id=rec_id(paper, "1"))],
    )
    make_measure(
        jurisdiction_code="EU",
        implementations=[implementation(recommendation_id=rec_id(paper, "1"))],
    )
    with app.app_context():
        brief = paper_brief_data(paper.record_id)
    assert brief is not None and brief.title == paper.title
    first, second = brief.recommendations
    assert [j.code for j in first.jurisdictions] == ["BR", "EU"]
    brazil, eu = first.jurisdictions
    # The rescinded measure is listed but does not raise Brazil's degree to full.
    assert brazil.degree is ImplementationDegree.PARTIAL
    assert len(brazil.measures) == 2 and not all(m.current for m in brazil.measures)
    assert eu.degree is ImplementationDegree.FULL and "DE" in eu.members and len(eu.members) == 27
    assert second.jurisdictions == []
    assert first.norms == ["Norm (j)"] and first.topics == ["Vulnerability disclosure"]


def test_drafts_are_never_public(app, client, login, make_paper) -> None:
    draft = make_paper(published=False, title="Secret draft paper")
    assert "Secret draft paper" not in client.get("/papers/").get_data(as_text=True)
    assert client.get(f"/papers/{draft.record_id}").status_code == 404
    assert client.get(f"/papers/{draft.record_id}?drafts=1").status_code == 404
    assert "Secret draft paper" not in client.get("/gaps?j=DE&j=FR").get_data(as_text=True)
    assert client.get(f"/gaps?j=DE&j=FR&paper={draft.record_id}").status_code == 400
    assert "Secret draft paper" not in client.get("/jurisdictions/DE/gaps").get_data(as_text=True)
    with app.app_context():
        assert queries.count_papers() == 0
        assert queries.count_papers(include_drafts=True) == 1
        assert paper_brief_data(draft.record_id) is None
    # Reviewers see a draft only once it is submitted to their working group (and never in lists).
    reviewer = app.test_client()
    login(reviewer, "reviewer")
    assert reviewer.get(f"/papers/{draft.record_id}?drafts=1").status_code == 404
    assert "Secret draft paper" not in reviewer.get("/papers/?drafts=1").get_data(as_text=True)
    login(client, "editor")
    assert client.get(f"/papers/{draft.record_id}?drafts=1").status_code == 200
    assert "Secret draft paper" in client.get("/papers/?drafts=1").get_data(as_text=True)
    # Staff following a plain link see the working copy, marked unpublished (as for
    # measures and attribution statements); the public list still holds published papers only.
    page = client.get(f"/papers/{draft.record_id}")
    assert (
        page.status_code == 200
        and "Unpublished (draft): do not share this page." in page.get_data(as_text=True)
    )
    assert "Secret draft paper" not in client.get("/papers/").get_data(as_text=True)


def test_deleted_papers_vanish(app, client, make_paper) -> None:
    paper = make_paper(title="Paper to delete")
    assert client.get(f"/papers/{paper.record_id}").status_code == 200
    with app.app_context():
        records.soft_delete(db.session.get(Record, paper.record_id))
        db.session.commit()
        assert queries.count_papers() == 0
    assert client.get(f"/papers/{paper.record_id}").status_code == 404
    assert "Paper to delete" not in client.get("/papers/").get_data(as_text=True)


def test_links_survive_a_new_copy_of_the_paper(app, client, make_paper, make_measure) -> None:
    paper = make_paper()
    make_measure(
        jurisdiction_code="BR",
        short_name="BR linked law",
        implementations=[implementation(recommendation_id=rec_id(paper, "2"))],
    )
    with app.app_context():
        record = db.session.get(Record, paper.record_id)
        draft = records.editable_copy(record)
        assert draft.id != paper.id and draft.is_draft and not draft.is_live
        data = services.snapshot(draft)
        data["recommendations"][1]["text"] = "Reworded recommendation 2"
        data["recommendations"].insert(
            0,
            {
                "number": "0",
                "text": "A new first recommendation",
                "addressee": None,
                "norms": [],
                "commitments": [],
                "topics": [],
            },
        )
        services.apply(draft, data)
        db.session.commit()
        # The public still sees the old wording until publication.
        assert "Reworded" not in client.get(f"/papers/{paper.record_id}").get_data(as_text=True)
        workflow.publish_unreviewed(record)
        db.session.commit()
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Paper).where(Paper.record_id == record.id)
            )
            == 1
        )
    page = client.get(f"/papers/{paper.record_id}").get_data(as_text=True)
    assert "Reworded recommendation 2" in page and "A new first recommendation" in page
    assert page.index("Reworded recommendation 2") < page.index("BR linked law")


def test_snapshot_and_apply_round_trip(app, make_paper) -> None:
    paper = make_paper(working_group="wg-attribution", publication_date="2023")
    with app.app_context():
        paper = db.session.get(Paper, paper.id)
        before = services.snapshot(paper)
        assert before["working_group"] == "wg-attribution" and before["publication_date"] == "2023"
        # the copy becomes the working copy, as in records.services.editable_copy (a row
        # that is neither working nor live copy is refused by the database)
        copy = services.clone(paper)
        paper.is_draft = False
        db.session.flush()
        copy.is_draft, copy.is_live = True, False
        db.session.add(copy)
        db.session.flush()
        assert services.snapshot(copy) == before
        services.apply(paper, before)
        db.session.flush()
        assert services.snapshot(paper) == before
        records.write_revision(paper.record, paper, action="edit")
        db.session.flush()
        assert (
            paper.record.revisions[-1].snapshot["recommendations"][0]["id"]
            == before["recommendations"][0]["id"]
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["recommendations"][0].update(norms=["z"]), "unknown norm: z"),
        (lambda d: d["recommendations"][0].update(topics=["nope"]), "unknown topic: nope"),
        (
            lambda d: d["recommendations"][1].update(number="1"),
            "recommendation numbers appear twice: 1",
        ),
        (lambda d: d.update(working_group="no-such-group"), "unknown working group"),
        (lambda d: d.update(url="javascript:alert(1)"), r"not an http\(s\) URL"),
        (lambda d: d.update(publication_date="2024-13"), "not a real date"),
    ],
)
def test_apply_refuses_bad_content(app, make_paper, change, message) -> None:
    paper = make_paper()
    with app.app_context():
        paper = db.session.get(Paper, paper.id)
        data = services.snapshot(paper)
        change(data)
        with pytest.raises(ValueError, match=message):
            services.apply(paper, data)


def test_apply_refuses_a_recommendation_of_another_paper(app, make_paper) -> None:
    one, other = make_paper(), make_paper()
    with app.app_context():
        paper = db.session.get(Paper, one.id)
        data = services.snapshot(paper)
        data["recommendations"][0]["id"] = rec_id(other, "1")
        with pytest.raises(ValueError, match="does not belong to this paper"):
            services.apply(paper, data)


def test_deleting_a_paper_record_removes_its_recommendations_and_links(
    app, make_paper, make_measure
) -> None:
    paper = make_paper()
    make_measure(implementations=[implementation(recommendation_id=rec_id(paper, "1"))])
    with app.app_context():
        db.session.delete(db.session.get(Record, paper.record_id))
        db.session.commit()
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Recommendation)
                .where(Recommendation.record_id == paper.record_id)
            )
            == 0
        )
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PaperRecommendation)) == 0
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(MeasureImplementation)
                .where(MeasureImplementation.recommendation_id.is_not(None))
            )
            == 0
        )


def test_abstract_markdown_is_sanitised(client, make_paper) -> None:
    paper = make_paper(
        abstract=(
            "<script>alert(1)</script> **bold** [x](javascript:alert(1)) <img src=x "
            "onerror=alert(1)>"
        )
    )
    page = client.get(f"/papers/{paper.record_id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img" not in page
    assert 'href="javascript:' not in page
    assert "<strong>bold</strong>" in page


def test_paper_record_kind_and_state(app, make_paper) -> None:
    paper = make_paper()
    with app.app_context():
        record = db.session.get(Record, paper.record_id)
        assert record.kind is RecordKind.PAPER and record.state is WorkflowState.PUBLISHED
        workflow.withdraw_unreviewed(record)
        db.session.commit()
        assert queries.get_paper(paper.record_id) is None
        assert queries.get_paper(paper.record_id, include_drafts=True) is not None


def test_empty_list_says_so(client) -> None:
    page = client.get("/papers/").get_data(as_text=True)
    assert "No policy papers have been published yet." in page


def test_implemented_by_hides_recommendations_of_unpublished_papers(
    app, make_paper, make_measure
) -> None:
    public, draft = (
        make_paper(title="Public paper"),
        make_paper(published=False, title="Draft paper"),
    )
    measure = make_measure(
        implementations=[
            implementation(action="i-6", degree="partial"),
            implementation(recommendation_id=rec_id(public, "2")),
            implementation(recommendation_id=rec_id(draft, "1")),
        ]
    )
    with app.app_context():
        items = queries.implemented_by([measure.id])[measure.id]
        assert [(i.kind, i.number, i.source_title) for i in items] == [
            ("action", "i.6", "2021 GGE report (A/76/135): guidance under norms 13(i) and 13(j)"),
            ("recommendation", "2", "Public paper"),
        ]
        assert items[0].context == "recommendations to suppliers on"
        staff = queries.implemented_by([measure.id], include_drafts=True)[measure.id]
        assert "Draft paper" in [i.source_title for i in staff]
        with app.test_request_context():
            html = app.jinja_env.get_template("gaps/_implements.html").module.implements_list(items)
        assert "recommendations to suppliers on:</span> asset inventories" in html
        assert "Draft paper" not in html
