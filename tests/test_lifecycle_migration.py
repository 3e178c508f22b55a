"""Migration 0012 (lifecycle) goes down and up again with the demo records present."""

from __future__ import annotations

import sqlalchemy as sa

from tests.conftest import seed, standalone_app
from tracker.extensions import db

EVENTS = sa.text(
    "SELECT r.key, e.kind, e.note FROM measure_events e"
    " JOIN measures m ON m.id = e.measure_id JOIN records r ON r.id = m.record_id"
    " WHERE m.is_live ORDER BY r.key, e.date, e.id"
)
STAGED = sa.text(
    "SELECT r.key, e.kind, e.stage, e.note, s.key FROM measure_events e"
    " JOIN measures m ON m.id = e.measure_id JOIN records r ON r.id = m.record_id"
    " LEFT JOIN records s ON s.id = e.successor_record_id"
    " WHERE m.is_live ORDER BY r.key, e.date, e.id"
)


def test_0012_round_trip_keeps_stages_proposals_and_rescissions(fresh_database_url) -> None:
    with standalone_app(fresh_database_url) as app:
        seed(app)
        runner = app.test_cli_runner()
        result = runner.invoke(args=["db", "downgrade", "0011"])
        assert result.exit_code == 0, result.output
        with app.app_context(), db.engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("measure_events")}
            assert "stage" not in columns and "successor_record_id" not in columns
            old = connection.execute(EVENTS).all()
        kinds = {kind for _key, kind, _note in old}
        assert kinds <= {
            "announced",
            "adopted",
            "published",
            "in_force",
            "applies_from",
            "rescinded",
        }
        # a stage label went back into the note; a proposal became an announcement
        assert ("eu-cra", "applies_from", "Art. 14 reporting obligations") in old
        assert (
            "ca-bill-c-8",
            "announced",
            "Introduced (first reading); enactment not verified",
        ) in old
        # the supersession of IT-SiG 2.0 is kept as the old schema's end of life
        assert any(k == "de-itsig-2-0" and kind == "rescinded" for k, kind, _n in old)

        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with app.app_context(), db.engine.connect() as connection:
            new = connection.execute(STAGED).all()
        assert ("eu-cra", "applies_from", "Art. 14 reporting obligations", None, None) in new
        assert (
            "ca-bill-c-8",
            "proposed",
            None,
            "Introduced (first reading); enactment not verified",
            None,
        ) in new
        # rescissions are linked again to the measure that rescinds them (its relation)
        assert ("us-omb-m-22-18", "rescinded", None, None, "us-omb-m-26-05") in new
        # a single entry into force keeps its note: it is not a stage
        assert ("us-fcc-cyber-trust-mark", "in_force", None, "Rule effective", None) in new
