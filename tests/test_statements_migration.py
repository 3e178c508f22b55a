"""Migration 0013 (statements): old one-statement records are split so that each invocation
stays with the party that made it; downgrade collapses them back; upgrading again gives the
same statements (issue 13 item 3)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from tests.conftest import standalone_app
from tracker.extensions import db

records = sa.table(
    "records",
    sa.column("id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("key", sa.String()),
    sa.column("state", sa.String()),
    sa.column("version", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
attributions = sa.table(
    "attributions",
    sa.column("id", sa.Integer()),
    sa.column("record_id", sa.Integer()),
    sa.column("is_draft", sa.Boolean()),
    sa.column("is_live", sa.Boolean()),
    sa.column("date", sa.Date()),
    sa.column("date_precision", sa.String()),
    sa.column("operation", sa.String()),
    sa.column("attributing_orgs", sa.JSON()),
    sa.column("supporting_orgs", sa.JSON()),
    sa.column("attributed_actor", sa.String()),
    sa.column("un_framework_invoked", sa.String()),
    sa.column("passage", sa.Text()),
    sa.column("verification", sa.String()),
)
parties = sa.table(
    "attribution_parties",
    sa.column("attribution_id", sa.Integer()),
    sa.column("role", sa.String()),
    sa.column("jurisdiction_code", sa.String()),
    sa.column("position", sa.Integer()),
)
forms = sa.table(
    "attribution_forms",
    sa.column("attribution_id", sa.Integer()),
    sa.column("form", sa.String()),
    sa.column("position", sa.Integer()),
)
norms = sa.table(
    "attribution_norms",
    sa.column("attribution_id", sa.Integer()),
    sa.column("norm_id", sa.Integer()),
    sa.column("basis", sa.String()),
    sa.column("passage", sa.Text()),
)

#: old-layout records: key, parties by role, orgs, framework, passage, norms (letter, basis)
OLD: list[dict[str, Any]] = [
    {
        "key": "ms-exchange-hafnium-2021",
        "attributing": ["US", "EU", "GB", "CA"],
        "orgs": ["NATO"],
        "framework": "yes",
        "passage": "Test passage of the EU",
        "norms": [("c", "implicit"), ("h", "implicit")],
    },
    {
        "key": "notpetya-2018",
        "attributing": ["GB", "US"],
        "recalled": ["AU", "DK"],
        "framework": "no",
        "passage": None,
        "norms": [],
    },
    {
        "key": "opcw-gru-2018",
        "attributing": ["NL", "GB"],
        "framework": "unknown",
        "passage": "Test passage of someone else",
        "norms": [],
    },
    {
        "key": "apt40-2024",
        "attributing": ["AU", "US", "DE"],
        "framework": "unknown",
        "passage": None,
        "norms": [],
    },
    {
        "key": None,
        "attributing": ["IS"],
        "supporting": ["NO"],
        "framework": "yes",
        "passage": "Test passage of Iceland",
        "norms": [("j", "explicit")],
    },
]


def _insert_old(connection: sa.Connection) -> None:
    letters = dict(connection.execute(sa.text("SELECT letter, id FROM norms")).all())
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for n, item in enumerate(OLD, start=1):
        connection.execute(
            records.insert().values(
                id=n,
                kind="attribution",
                key=item["key"],
                state="published",
                version=1,
                created_at=now,
                updated_at=now,
            )
        )
        # a published copy and a working copy, as records keep them
        for copy, (draft, live) in enumerate(((False, True), (True, False))):
            a_id = n * 10 + copy
            connection.execute(
                attributions.insert().values(
                    id=a_id,
                    record_id=n,
                    is_draft=draft,
                    is_live=live,
                    date=dt.date(2021, 7, 19),
                    date_precision="day",
                    operation=f"Test operation {n}",
                    attributing_orgs=item.get("orgs", []),
                    supporting_orgs=[],
                    attributed_actor="Test actor",
                    un_framework_invoked=item["framework"],
                    passage=item["passage"],
                    verification="unverified",
                )
            )
            connection.execute(
                forms.insert().values(attribution_id=a_id, form="statement", position=0)
            )
            for role in ("attributing", "supporting", "recalled"):
                for i, code in enumerate(item.get(role, [])):
                    connection.execute(
                        parties.insert().values(
                            attribution_id=a_id, role=role, jurisdiction_code=code, position=i
                        )
                    )
            for letter, basis in item["norms"]:
                connection.execute(
                    norms.insert().values(
                        attribution_id=a_id, norm_id=letters[letter], basis=basis, passage=None
                    )
                )


def _statements(connection: sa.Connection) -> list[tuple[Any, ...]]:
    """(copy, role, parties, orgs, framework, passage, norms) of every statement, in order."""
    rows = connection.execute(
        sa.text(
            "SELECT s.id, s.attribution_id, s.role, s.orgs, s.un_framework_invoked, s.passage"
            " FROM attribution_statements s ORDER BY s.attribution_id, s.position"
        )
    ).all()
    codes: dict[int, list[str]] = {}
    for sid, code in connection.execute(
        sa.text("SELECT statement_id, jurisdiction_code FROM statement_parties ORDER BY position")
    ):
        codes.setdefault(sid, []).append(code)
    invoked: dict[int, list[str]] = {}
    for sid, letter, basis in connection.execute(
        sa.text(
            "SELECT n.statement_id, m.letter, n.basis FROM statement_norms n"
            " JOIN norms m ON m.id = n.norm_id ORDER BY n.id"
        )
    ):
        invoked.setdefault(sid, []).append(f"{letter}:{basis}")
    out = []
    for sid, a_id, role, orgs, framework, passage in rows:
        orgs = orgs if isinstance(orgs, list) else json.loads(orgs)
        out.append((a_id, role, codes.get(sid, []), orgs, framework, passage, invoked.get(sid, [])))
    return out


def _old_layout(connection: sa.Connection) -> list[tuple[Any, ...]]:
    rows = connection.execute(
        sa.text(
            "SELECT id, attributing_orgs, un_framework_invoked, passage FROM attributions "
            "ORDER BY id"
        )
    ).all()
    out = []
    for a_id, orgs, framework, passage in rows:
        orgs = orgs if isinstance(orgs, list) else json.loads(orgs)
        who = connection.execute(
            sa.text(
                "SELECT role, jurisdiction_code FROM attribution_parties WHERE attribution_id = :a"
                " ORDER BY role, position"
            ),
            {"a": a_id},
        ).all()
        letters = connection.execute(
            sa.text(
                "SELECT m.letter, n.basis FROM attribution_norms n JOIN norms m ON m.id = n.norm_id"
                " WHERE n.attribution_id = :a ORDER BY n.id"
            ),
            {"a": a_id},
        ).all()
        out.append(
            (a_id, orgs, framework, passage, [tuple(r) for r in who], [tuple(r) for r in letters])
        )
    return out


def test_0013_splits_statements_and_goes_down_and_up_again(fresh_database_url) -> None:
    with standalone_app(fresh_database_url) as app:
        runner = app.test_cli_runner()
        for args in (["db", "upgrade", "0011"], ["jurisdictions", "sync"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        with app.app_context(), db.engine.begin() as connection:
            # norms as the framework file would load them (only what the migration reads)
            for i, letter in enumerate("abcdefghijk", start=1):
                connection.execute(
                    sa.text(
                        "INSERT INTO norms (id, letter, reference, short_title, official_text,"
                        " verification, sources) VALUES (:i, :l, :r, :t, :o, 'verified', '[]')"
                    ),
                    {
                        "i": i,
                        "l": letter,
                        "r": f"A/70/174 para. 13({letter})",
                        "t": f"Norm {letter}",
                        "o": f"Test text of norm {letter}",
                    },
                )
            _insert_old(connection)
        with app.app_context(), db.engine.connect() as connection:
            before = _old_layout(connection)

        result = runner.invoke(args=["db", "upgrade", "0013"])
        assert result.exit_code == 0, result.output
        with app.app_context(), db.engine.connect() as connection:
            first = _statements(connection)
            tables = set(sa.inspect(connection).get_table_names())
        assert "attribution_parties" not in tables and "attribution_norms" not in tables

        live = {a: [s for s in first if s[0] == a] for a in (10, 20, 30, 40, 50)}
        # Hafnium: the EU keeps the framework, the passage and norms (c) and (h); the US, GB
        # and CA get statements of their own with "unknown", never "yes"; NATO too.
        assert live[10] == [
            (10, "attributing", ["US"], [], "unknown", None, []),
            (
                10,
                "attributing",
                ["EU"],
                [],
                "yes",
                "Test passage of the EU",
                ["c:implicit", "h:implicit"],
            ),
            (10, "attributing", ["GB"], [], "unknown", None, []),
            (10, "attributing", ["CA"], [], "unknown", None, []),
            (10, "attributing", [], ["NATO"], "unknown", None, []),
        ]
        # NotPetya: the quoted UK and US statements say no; recalled States stay unknown.
        assert [(s[2], s[1], s[4]) for s in live[20]] == [
            (["GB"], "attributing", "no"),
            (["US"], "attributing", "no"),
            (["AU"], "recalled", "unknown"),
            (["DK"], "recalled", "unknown"),
        ]
        # OPCW: the passage came from a statement by someone else; it is not anyone's here.
        assert all(s[5] is None for s in live[30])
        # APT40: a single joint text stays one statement of all its parties.
        assert live[40] == [(40, "attributing", ["AU", "US", "DE"], [], "unknown", None, [])]
        # A party alone keeps everything; a supporting party gets its own, unknown.
        assert live[50] == [
            (50, "attributing", ["IS"], [], "yes", "Test passage of Iceland", ["j:explicit"]),
            (50, "supporting", ["NO"], [], "unknown", None, []),
        ]
        # the working copies are split the same way
        assert [s[1:] for s in first if s[0] % 10 == 1] == [s[1:] for s in first if s[0] % 10 == 0]

        result = runner.invoke(args=["db", "downgrade", "0011"])
        assert result.exit_code == 0, result.output
        with app.app_context(), db.engine.connect() as connection:
            after = _old_layout(connection)
        # Collapsed back: the same parties, organisations, framework and norms; only the
        # passage that was nobody's (OPCW) is gone.
        expected = [
            row if row[0] not in (30, 31) else (row[0], row[1], row[2], None, row[4], row[5])
            for row in before
        ]
        assert sorted(after) == sorted(expected)

        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with app.app_context(), db.engine.connect() as connection:
            assert _statements(connection) == first
