"""Operations: readiness, backups with a restore drill, migrations down and up again."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from tests.conftest import seed, standalone_app
from tracker.cli import alembic_config
from tracker.extensions import db
from tracker.modelbase import Base
from tracker.models import import_all


def row_counts(url: str) -> dict[str, int]:
    import_all()
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return {
                table.name: connection.execute(
                    sa.select(sa.func.count()).select_from(table)
                ).scalar_one()
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def test_healthz_and_readyz(client) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["migrations"] == "current"


def test_readyz_reports_pending_migrations(fresh_database_url) -> None:
    with standalone_app(fresh_database_url) as app:
        runner = app.test_cli_runner()
        assert runner.invoke(args=["db", "upgrade", "0001"]).exit_code == 0
        heads = ScriptDirectory.from_config(alembic_config()).get_heads()
        response = app.test_client().get("/readyz")
    if heads == ["0001"]:
        assert response.status_code == 200
    else:
        assert response.status_code == 503
        assert response.get_json()["migrations"] == "pending"


def test_readyz_when_database_unreachable(tmp_path) -> None:
    with standalone_app(f"sqlite:///{tmp_path}/missing-dir/nope/db.sqlite") as app:
        response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


#: the briefs the drill renders from the original and from the restored database
DRILL_BRIEFS = ("/jurisdictions/DE/brief.pdf", "/compare.pdf?j=FR&j=US&norms=j")


def drill_config(tmp_path: Path, name: str) -> dict[str, object]:
    """Renders inline into a cache of its own, so each side really renders."""
    return {
        "REPORTS_CACHE_DIR": str(tmp_path / name),
        "REPORTS_INLINE_SECONDS": 600,
    }


@pytest.mark.slow
def test_backup_restore_drill(database_url, fresh_database_url, tmp_path: Path) -> None:
    """Back up the seeded session database, restore into an empty one: same rows, and the
    same briefs byte for byte."""
    backup_file = tmp_path / "tracker.backup"
    with standalone_app(database_url, **drill_config(tmp_path, "source")) as source:
        result = source.test_cli_runner().invoke(args=["backup", str(backup_file)])
        client = source.test_client()
        before = {url: client.get(url) for url in DRILL_BRIEFS}
    assert result.exit_code == 0, result.output
    assert backup_file.stat().st_size > 0

    with standalone_app(fresh_database_url, **drill_config(tmp_path, "target")) as target:
        result = target.test_cli_runner().invoke(args=["restore", str(backup_file)])
        assert result.exit_code == 0, result.output
        client = target.test_client()
        # The restored database is usable and current.
        assert client.get("/readyz").status_code == 200
        after = {url: client.get(url) for url in DRILL_BRIEFS}
    for url in DRILL_BRIEFS:
        assert before[url].status_code == after[url].status_code == 200, url
        assert before[url].mimetype == "application/pdf", url
        assert (
            hashlib.sha256(after[url].data).hexdigest()
            == hashlib.sha256(before[url].data).hexdigest()
        ), url

    expected = row_counts(database_url)
    assert expected["measures"] > 0 and expected["norms"] == 11
    assert row_counts(fresh_database_url) == expected


def test_backup_refuses_to_overwrite_and_restore_refuses_non_empty(database_url, tmp_path) -> None:
    existing = tmp_path / "exists.backup"
    existing.write_bytes(b"keep me")
    with standalone_app(database_url) as app:
        result = app.test_cli_runner().invoke(args=["backup", str(existing)])
        assert result.exit_code != 0 and "already exists" in result.output
        assert existing.read_bytes() == b"keep me"
        result = app.test_cli_runner().invoke(args=["restore", str(existing)])
        assert result.exit_code != 0 and "not empty" in result.output


def test_restore_rejects_a_file_that_is_not_a_backup(fresh_database_url, tmp_path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database")
    with standalone_app(fresh_database_url) as app:
        result = app.test_cli_runner().invoke(args=["restore", str(bogus)])
    assert result.exit_code != 0
    assert "is not" in result.output


def test_migrations_round_trip_with_data(fresh_database_url) -> None:
    """Upgrade to head and load data; step down revision by revision to base and back."""
    with standalone_app(fresh_database_url) as app, app.app_context():
        runner = app.test_cli_runner()
        seed(app)
        script = ScriptDirectory.from_config(alembic_config())
        revisions = [r.revision for r in script.walk_revisions()]  # head first
        for revision in revisions:
            down = script.get_revision(revision).down_revision or "base"
            result = runner.invoke(args=["db", "downgrade", str(down)])
            assert result.exit_code == 0, f"downgrade {revision} -> {down}: {result.output}"
        assert sa.inspect(db.engine).get_table_names() in ([], ["alembic_version"])
        db.session.remove()
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        seed(app)
        assert db.session.scalar(sa.text("SELECT count(*) FROM norms")) == 11


def test_each_migration_steps_down_and_up_keeping_what_references_an_account(
    fresh_database_url,
) -> None:
    """Batch migrations copy and drop tables on SQLite: with foreign keys enforced, dropping
    ``users`` would fail on (or cascade into) the rows that reference an account. Each step
    down and up again must keep those references and lose no row."""
    with standalone_app(fresh_database_url) as app, app.app_context():
        runner = app.test_cli_runner()
        seed(app)
        result = runner.invoke(
            args=["users", "create", "steps@example.org", "--role", "editor", "--password-stdin"],
            input="a-long-password-for-steps\n",
        )
        assert result.exit_code == 0, result.output
        uid = db.session.scalar(sa.text("SELECT id FROM users WHERE email = 'steps@example.org'"))
        db.session.execute(sa.text("UPDATE revisions SET author_id = :u"), {"u": uid})
        db.session.execute(
            sa.text("UPDATE records SET created_by_id = :u, updated_by_id = :u"), {"u": uid}
        )
        db.session.execute(sa.text("UPDATE audit_log SET actor_id = :u"), {"u": uid})
        db.session.commit()
        authored = db.session.scalar(
            sa.text("SELECT count(*) FROM revisions WHERE author_id = :u"), {"u": uid}
        )
        acted = db.session.scalar(
            sa.text("SELECT count(*) FROM audit_log WHERE actor_id = :u"), {"u": uid}
        )
        assert authored > 30 and acted >= 1
        db.session.remove()
        script = ScriptDirectory.from_config(alembic_config())
        # The steps that touch tables other tables refer to, from the newest.
        for revision in [r.revision for r in script.walk_revisions()][:3]:
            down = script.get_revision(revision).down_revision
            for args in (["db", "downgrade", str(down)], ["db", "upgrade", "head"]):
                db.session.remove()  # no open transaction may hold locks on the tables
                result = runner.invoke(args=args)
                assert result.exit_code == 0, f"{args}: {result.output}"
                db.session.remove()
                assert (
                    db.session.scalar(
                        sa.text("SELECT count(*) FROM revisions WHERE author_id = :u"), {"u": uid}
                    )
                    == authored
                ), args
                assert (
                    db.session.scalar(
                        sa.text("SELECT count(*) FROM audit_log WHERE actor_id = :u"), {"u": uid}
                    )
                    == acted
                ), args


@pytest.mark.parametrize("key", [None, "", "dev", "change-me", "secret"])
def test_production_refuses_to_start_without_a_real_secret_key(key, monkeypatch) -> None:
    from tracker import create_app
    from tracker.config import ConfigError

    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    monkeypatch.delenv("TRACKER_ENV", raising=False)
    config = {"DATABASE_URL": "sqlite://", "ENV": "production"}
    if key is not None:
        config["SECRET_KEY"] = key
    with pytest.raises(ConfigError, match="TRACKER_SECRET_KEY is missing or is a placeholder"):
        create_app(config)


def test_production_starts_with_a_real_secret_key_and_development_without_one(monkeypatch) -> None:
    from tracker import create_app

    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    app = create_app({"DATABASE_URL": "sqlite://", "ENV": "production", "SECRET_KEY": "k" * 64})
    assert app.config["SECRET_KEY"] == "k" * 64 and app.config["SESSION_COOKIE_SECURE"] is True
    dev = create_app({"DATABASE_URL": "sqlite://", "ENV": "development"})
    assert len(dev.config["SECRET_KEY"]) == 64  # a per-process key, never a fixed one


@pytest.mark.parametrize("key", ["k", "x" * 31, "é" * 15])
def test_production_refuses_a_secret_key_shorter_than_32_bytes(key, monkeypatch) -> None:
    from tracker import create_app
    from tracker.config import ConfigError

    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="too short"):
        create_app({"DATABASE_URL": "sqlite://", "ENV": "production", "SECRET_KEY": key})
    # 32 bytes is enough (16 two-byte characters count as 32 bytes).
    create_app({"DATABASE_URL": "sqlite://", "ENV": "production", "SECRET_KEY": "é" * 16})


@pytest.mark.parametrize("env", ["prod", "dev", "Production", "test", ""])
def test_unknown_tracker_env_is_a_start_up_error(env, monkeypatch) -> None:
    from tracker import create_app
    from tracker.config import ConfigError

    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    monkeypatch.setenv("TRACKER_ENV", env)
    with pytest.raises(ConfigError, match="TRACKER_ENV must be one of development, production"):
        create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "k" * 64})
