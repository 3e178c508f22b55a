"""Working groups: the demo membership as given, the public page, account and contact rules."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from tracker.accounts.models import User
from tracker.datafiles import DataFileError
from tracker.extensions import db
from tracker.workinggroups import demo, queries, services
from tracker.workinggroups.models import WorkingGroup, WorkingGroupMember

DEMO_FILE = Path(__file__).resolve().parents[1] / "data" / "demo" / "working_groups.yaml"


def group(key: str) -> WorkingGroup:
    return db.session.scalar(sa.select(WorkingGroup).where(WorkingGroup.key == key))


def test_demo_groups_are_loaded_exactly_as_in_the_file(app_ctx) -> None:
    expected = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    for item in expected:
        loaded = group(item["key"])
        assert (loaded.name, loaded.topic, loaded.period) == (
            item["name"],
            item["topic"],
            f"{item['period_start']}–{item['period_end']}",
        )
        assert [(m.name, m.affiliation) for m in loaded.members] == [
            (m["name"], m["affiliation"]) for m in item["members"]
        ]
        assert all(m.user_id is None and not m.is_government_contact for m in loaded.members)
    assert [len(group(k).members) for k in ("wg-software-supply-chain", "wg-attribution")] == [
        25,
        12,
    ]
    assert str(demo.load(DEMO_FILE)) == "nothing changed"


def test_public_page_shows_names_and_affiliations_but_no_accounts(app, client, make_user) -> None:
    reviewer = make_user(
        "reviewer", email="hidden.reviewer@example.org", name="Reviewer account name"
    )
    with app.app_context():
        member = group("wg-attribution").members[0]
        services.link_account(member, db.session.get(User, reviewer.id))
        services.set_government_contact(member, "JP")
        db.session.commit()
    response = client.get("/working-groups/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Government’s Role in Increasing Software Supply Chain Security" in page
    assert "Kerstin Zettl-Schabath" in page and "University of Heidelberg" in page
    assert "King’s College London" in page
    assert "hidden.reviewer@example.org" not in page and "Reviewer account name" not in page
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "@" not in main
    assert "SNV team description" in main and "shared/context" not in main


def test_only_active_reviewer_accounts_can_be_linked(app, make_user) -> None:
    editor = make_user("editor")
    reviewer = make_user("reviewer")
    inactive = make_user("reviewer", active=False)
    with app.app_context():
        member = group("wg-software-supply-chain").members[0]
        with pytest.raises(services.MembershipError, match="only reviewer accounts"):
            services.link_account(member, db.session.get(User, editor.id))
        with pytest.raises(services.MembershipError, match="deactivated"):
            services.link_account(member, db.session.get(User, inactive.id))
        assert member.user_id is None
        services.link_account(member, db.session.get(User, reviewer.id))
        db.session.flush()
        assert [m.name for m in queries.memberships_of(reviewer.id)] == [member.name]


def test_government_contact_needs_a_jurisdiction(app) -> None:
    with app.app_context():
        member = group("wg-software-supply-chain").members[1]
        with pytest.raises(services.MembershipError, match="Unknown jurisdiction"):
            services.set_government_contact(member, "ZZ")
        services.set_government_contact(member, "de")
        db.session.flush()
        assert [m.name for m in queries.government_contacts("DE")] == [member.name]
        services.set_government_contact(member, None)
        db.session.flush()
        assert queries.government_contacts("DE") == []
        # The database refuses a flag without a jurisdiction too.
        member.is_government_contact = True
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (
            "- key: g\n  name: G\n  topic: t\n  period_start: 2023\n  period_end: 2022\n",
            5,
            "ends (2022) before it starts (2023)",
        ),
        (
            "- key: g\n  name: G\n  topic: t\n  period_start: 2023\n  members:\n  - "
            "affiliation: X\n",
            6,
            "name: is required",
        ),
        ("- key: g\n  name: G\n  topic: t\n  period_start: twenty\n", 4, "expected a whole number"),
    ],
)
def test_loader_rejects_bad_files_with_line(app_ctx, tmp_path, text, line, reason) -> None:
    path = tmp_path / "working_groups.yaml"
    path.write_text(text)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(WorkingGroupMember))
    with pytest.raises(DataFileError) as info:
        demo.load(path)
    assert f"{path}:{line}" in str(info.value) and reason in str(info.value)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkingGroupMember)) == before


def test_an_account_without_a_name_is_never_listed_under_its_email(app, client, make_user):
    """Issue 15 item 8: linking an account without a name used to add a member named after
    the account's sign-in address, shown on the public page."""
    make_user("reviewer", email="no.name@example.org", name="")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["groups", "link", "wg-attribution", "no.name@example.org"])
    assert result.exit_code != 0
    assert "has no name" in result.output
    # A member stored under an address earlier (before the fix) is not shown either.
    with app.app_context():
        group("wg-attribution").members[0].name = "old.entry@example.org"
        db.session.commit()
    page = client.get("/working-groups/").get_data(as_text=True)
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "old.entry@example.org" not in main and "no.name@example.org" not in main
    assert "@" not in main
    assert "(name not published)" in main


def test_an_account_with_a_name_is_listed_under_its_name(app, make_user):
    make_user("reviewer", email="named@example.org", name="Ada Named")
    result = app.test_cli_runner().invoke(
        args=["groups", "link", "wg-attribution", "named@example.org"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        names = [m.name for m in group("wg-attribution").members]
    assert "Ada Named" in names and "named@example.org" not in names
