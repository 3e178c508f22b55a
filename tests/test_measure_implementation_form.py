"""The measure form's "Implements" rows: links from a measure to the recommendations and
catalogue actions it implements, edited through the form and kept by every other edit."""

from __future__ import annotations

import sqlalchemy as sa

from tests.conftest import implementation
from tests.pages import as_data, form_fields, replace
from tracker.extensions import db
from tracker.measures import services
from tracker.records import services as records
from tracker.records.models import Record, Revision


def open_form(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True), form_fields(response.get_data(as_text=True), path)


def links(app, rid):
    with app.app_context():
        return services.snapshot(records.working_copy(db.session.get(Record, rid)))[
            "implementations"
        ]


def errors_of(html: str, field_id: str) -> str:
    marker = f'id="{field_id}-errors"'
    if marker not in html:
        return ""
    start = html.index(marker)
    return html[start : html.index("</ul>", start)]


def test_editing_a_demo_measure_keeps_its_implementation_links(app, client, login):
    """Before the form had these rows, any save through it dropped the links."""
    with app.app_context():
        rid = db.session.scalar(sa.select(Record.id).where(Record.key == "eu-cra"))
    before = links(app, rid)
    assert before, "the demo data links the CRA to catalogue actions"
    login(client, "editor")
    path = f"/measures/{rid}/edit"
    _html, fields = open_form(client, path)
    response = client.post(path, data=as_data(replace(fields, status_note="A test note.")))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert links(app, rid) == before
    with app.app_context():
        last = db.session.scalars(
            sa.select(Revision).where(Revision.record_id == rid).order_by(Revision.number.desc())
        ).first()
        # (The demo description ends in a newline, which the form trims: that shows as a change
        # too.)
        assert (
            last.summary.startswith("Changed status note") and "implementation" not in last.summary
        )


def test_links_to_actions_and_recommendations_through_the_form(
    app, client, login, make_measure, make_paper
):
    paper = make_paper(title="Test paper with recommendations")
    with app.app_context():
        rec = records.working_copy(db.session.get(Record, paper.record_id)).recommendations[1]
        rec_id, rec_text = rec.recommendation_id, rec.text
    rid = make_measure(published=False).record_id
    login(client, "editor")
    path = f"/measures/{rid}/edit"
    html, fields = open_form(client, path)
    select = html[html.index('id="implementations-0-target"') :]
    select = select[: select.index("</select>")]
    assert 'value="action:gge-2021-guidance/i-3"' in select and f'value="rec:{rec_id}"' in select
    assert (
        '<optgroup label="Paper: Test paper with recommendations">' in select and rec_text in select
    )

    response = client.post(
        path,
        data=as_data(
            replace(
                fields,
                **{
                    "implementations-0-target": "action:gge-2021-guidance/i-3",
                    "implementations-0-degree": "partial",
                    "implementations-0-basis": "explicit",
                    "implementations-0-locator": "Art. 2",
                    "implementations-0-rationale": (
                        "Requires what the action asks, for one sector only."
                    ),
                },
            )
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert links(app, rid) == [
        {
            "catalogue": "gge-2021-guidance",
            "action": "i-3",
            "recommendation_id": None,
            "degree": "partial",
            "basis": "explicit",
            "locator": "Art. 2",
            "rationale": "Requires what the action asks, for one sector only.",
        }
    ]
    html, fields = open_form(client, path)
    assert dict(fields)["implementations-0-target"] == "action:gge-2021-guidance/i-3"
    response = client.post(
        path,
        data=as_data(
            replace(
                fields,
                **{
                    "implementations-1-target": f"rec:{rec_id}",
                    "implementations-1-degree": "full",
                    "implementations-1-rationale": "Does what the recommendation asks.",
                },
            )
        ),
    )
    assert response.status_code == 302
    assert [(i["action"], i["recommendation_id"], i["degree"]) for i in links(app, rid)] == [
        ("i-3", None, "partial"),
        (None, rec_id, "full"),
    ]
    with app.app_context():
        history = db.session.scalars(
            sa.select(Revision).where(Revision.record_id == rid).order_by(Revision.number)
        ).all()
        assert history[-2].summary == "Added 1 implementation link"
    compare = client.get(
        f"/measures/{rid}/history/compare?a={history[-2].number}&b={history[-1].number}"
    ).get_data(as_text=True)
    assert (
        "Implements" in compare
        and "Test paper with recommendations" in compare
        and "Full" in compare
    )


def test_implementation_rows_are_checked(app, client, login, make_measure):
    rid = make_measure(published=False, implementations=[implementation(action="j-1")]).record_id
    login(client, "editor")
    path = f"/measures/{rid}/edit"
    _html, fields = open_form(client, path)
    cases = [
        (
            {
                "implementations-1-target": "action:gge-2021-guidance/j-1",
                "implementations-1-degree": "full",
                "implementations-1-rationale": "x",
            },
            "implementations-1-target",
            "listed twice",
        ),
        (
            {
                "implementations-1-target": "action:gge-2021-guidance/i-1",
                "implementations-1-rationale": "x",
            },
            "implementations-1-degree",
            "fully or in part",
        ),
        (
            {
                "implementations-1-target": "action:gge-2021-guidance/i-1",
                "implementations-1-degree": "full",
            },
            "implementations-1-rationale",
            "Say why",
        ),
        (
            {
                "implementations-1-locator": "Art. 9",
                "implementations-1-degree": "full",
                "implementations-1-rationale": "x",
            },
            "implementations-1-target",
            "Choose the recommendation or action",
        ),
        (
            {
                "implementations-1-target": "rec:987654",
                "implementations-1-degree": "full",
                "implementations-1-rationale": "x",
            },
            "implementations-1-target",
            "Not a valid choice",
        ),
        (
            {"implementations-0-rationale": "x" * 5001},
            "implementations-0-rationale",
            "at most 5000 characters",
        ),
    ]
    for values, field_id, message in cases:
        response = client.post(path, data=as_data(replace(fields, **values)))
        assert response.status_code == 422, values
        assert message in errors_of(response.get_data(as_text=True), field_id), (values, field_id)
    assert [i["action"] for i in links(app, rid)] == ["j-1"]


def test_a_link_to_a_recommendation_of_a_deleted_paper_survives_an_edit(
    app, client, login, make_measure, make_paper
):
    paper = make_paper()
    with app.app_context():
        rec_id = (
            records.working_copy(db.session.get(Record, paper.record_id))
            .recommendations[0]
            .recommendation_id
        )
    rid = make_measure(
        published=False, implementations=[implementation(recommendation_id=rec_id)]
    ).record_id
    with app.app_context():
        records.soft_delete(db.session.get(Record, paper.record_id))
        db.session.commit()
    login(client, "editor")
    path = f"/measures/{rid}/edit"
    html, fields = open_form(client, path)
    assert "its paper is deleted or no longer lists it" in html
    response = client.post(
        path, data=as_data(replace(fields, status_note="Edited after the paper went."))
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert [i["recommendation_id"] for i in links(app, rid)] == [rec_id]
