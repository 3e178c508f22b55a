"""Command-line interface: `flask --app tracker <group> <command>`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from tracker.datafiles import DataFileError
from tracker.engine import analyze
from tracker.extensions import db

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

db_cli = AppGroup("db", help="Database schema migrations (Alembic).")
norms_cli = AppGroup("norms", help="The UN framework: documents, norms, commitments, topics.")
jurisdictions_cli = AppGroup(
    "jurisdictions", help="ISO 3166-1 jurisdictions and regional organisations."
)
demo_cli = AppGroup("demo", help="Demo data taken from shared/reference/facts.yaml.")
catalogues_cli = AppGroup(
    "catalogues", help="Catalogues of practical actions from the UN framework."
)


def alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    return cfg


def run_alembic(action: str, revision: str) -> None:
    """Run an Alembic command on the app's own engine.

    On SQLite, Alembic's batch mode changes a table by copying it and dropping the old one.
    With the app's ``PRAGMA foreign_keys=ON`` that drop is an implicit DELETE: it fails on
    rows that reference the table, or worse, cascades or sets their references to NULL. So
    foreign keys are off while migrations run (the pragma is ignored inside a transaction,
    hence before BEGIN) and checked with ``PRAGMA foreign_key_check`` before the commit.
    """
    from alembic import command

    cfg = alembic_config()
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.driver_connection if sqlite else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                cfg.attributes["connection"] = connection
                getattr(command, action)(cfg, revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise click.ClickException(
                            f"the migration would leave {len(broken)} broken references "
                            f"(first: {tuple(broken[0])}); nothing was changed"
                        )
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def migrations_current() -> bool:
    """True when the database is at the newest migration (used by /readyz)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    current = set(MigrationContext.configure(db.session.connection()).get_current_heads())
    return current == heads


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    run_alembic("upgrade", revision)
    click.echo(f"Database upgraded to {revision}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (e.g. base)."""
    run_alembic("downgrade", revision)
    click.echo(f"Database downgraded to {revision}.")


def _touch_site() -> None:
    """Reference or demo data changed outside publishing: the public pages kept for the
    previous data (tracker.pagecache) are not served again, nor the figures kept over every
    measure (tracker.records.kept, per global stamp): an organisation's members decide which
    measures a member's filter counts, the norms and topics what a mapping or topic counts."""
    from tracker.records import stamps

    # the loaders also run on older schemas (the migration tests load data at 0011)
    if sa.inspect(db.session.connection()).has_table("publication_stamps"):
        stamps.bump([stamps.GLOBAL, stamps.SITE], None)


def _commit_or_fail(loader: Any, path: Path, what: str) -> None:
    try:
        report = loader(path)
        _touch_site()
        db.session.commit()
    except DataFileError as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc} (nothing was loaded)") from None
    click.echo(f"{what}: {report}.")


@norms_cli.command("load")
@click.argument(
    "path", type=click.Path(dir_okay=False, path_type=Path), default=DATA / "norms.yaml"
)
def norms_load(path: Path) -> None:
    """Load the framework file (validated whole; loading twice changes nothing)."""
    from tracker.norms import loader

    _commit_or_fail(loader.load, path, str(path))


@jurisdictions_cli.command("sync")
@click.argument(
    "path", type=click.Path(dir_okay=False, path_type=Path), default=DATA / "jurisdictions.yaml"
)
def jurisdictions_sync(path: Path) -> None:
    """Fill jurisdictions from ISO 3166-1 (pycountry) and regional organisations."""
    from tracker.jurisdictions import loader

    _commit_or_fail(loader.sync, path, "jurisdictions")


@catalogues_cli.command("load")
@click.argument(
    "path", type=click.Path(dir_okay=False, path_type=Path), default=DATA / "catalogues.yaml"
)
def catalogues_load(path: Path) -> None:
    """Load the catalogues of practical actions (reference data; needs the norms loaded)."""
    from tracker.catalogues import loader

    _commit_or_fail(loader.load, path, str(path))


def demo_loaders() -> list[tuple[str, object]]:
    """(file name, loader) pairs, in load order; later domains add theirs here."""
    from tracker.attribution import demo as attribution_demo
    from tracker.measures import demo as measures_demo
    from tracker.measures import implementations
    from tracker.workinggroups import demo as workinggroups_demo

    return [
        ("measures.yaml", measures_demo.load),
        ("attributions.yaml", attribution_demo.load),
        ("working_groups.yaml", workinggroups_demo.load),
        ("implementations.yaml", implementations.load_demo),
    ]


@demo_cli.command("load")
@click.argument(
    "directory", type=click.Path(file_okay=False, path_type=Path), default=DATA / "demo"
)
def demo_load(directory: Path) -> None:
    """Load the demo records that are not in the database yet."""
    try:
        for name, loader in demo_loaders():
            if not (directory / name).exists():
                click.echo(f"{name}: no such file in {directory}, skipped.")
                continue
            report = loader(directory / name)  # type: ignore[operator]
            click.echo(f"{name}: {report}.")
        _touch_site()
        db.session.commit()
        analyze()
    except DataFileError as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc} (nothing was loaded)") from None


def database_is_empty() -> bool:
    """No records yet (reference data alone does not count)."""
    from tracker.records.models import Record

    return not db.session.scalar(sa.select(sa.func.count()).select_from(Record))


@click.command("setup")
@with_appcontext
@click.option("--demo/--no-demo", default=True, help="Load the demo data into an empty database.")
def setup_command(demo: bool) -> None:
    """Migrate, then load reference data and (into an empty database) the demo data."""
    run_alembic("upgrade", "head")
    empty = database_is_empty()
    ctx = click.get_current_context()
    ctx.invoke(jurisdictions_sync)
    ctx.invoke(norms_load)
    ctx.invoke(catalogues_load)
    if empty and demo:
        ctx.invoke(demo_load)
    elif not empty:
        click.echo("Database already has data: demo data not loaded.")
    # Saves keep the search index current; this fills it after the upgrade that created it.
    from tracker.search import index as search_index

    click.echo(f"Search index rebuilt: {search_index.rebuild(db.session())} entries.")
    # Brief versions read the publication stamps: fill them after an upgrade or a load.
    from tracker.records import stamps

    click.echo(f"Publication stamps rebuilt: {stamps.rebuild()} scopes.")
    db.session.commit()
    analyze()
    # The public standings of this data version, kept in the report store: a web process
    # that starts reads them instead of computing them in its first request.
    from tracker.measures import standings

    standings.warm()
    click.echo("Standings of the published measures stored.")
    if empty and current_app.config["ENV"] == "development":
        _create_demo_accounts()


def _create_demo_accounts() -> None:
    """Development only, empty database only: one account per role, passwords shown once."""
    import datetime as dt

    from tracker.accounts.demo import create_demo_accounts

    accounts = create_demo_accounts(dt.date.today().year)
    db.session.commit()
    click.echo("")
    click.echo("Demo accounts for this development database (passwords are shown only here):")
    for account in accounts:
        click.echo(f"  {account.role.value:<9} {account.email:<20} password: {account.password}")
    click.echo("Sign in at /login. The reviewer reviews drafts submitted to the demo review group.")
    click.echo("Real accounts: make user EMAIL=you@example.org ROLE=editor")
    click.echo("")


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Back up the database to PATH (SQLite online backup API, or pg_dump)."""
    from tracker.ops.backup import BackupError, backup

    try:
        backup(db.engine.url, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backed up to {path}.")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def restore_command(path: Path) -> None:
    """Restore PATH into the configured database, which must be empty."""
    from tracker.ops.backup import BackupError, restore

    db.engine.dispose()
    try:
        restore(db.engine.url, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored from {path}.")


def init_app(app: Flask) -> None:
    from tracker.accounts.cli import users_cli
    from tracker.workinggroups.cli import groups_cli

    for group in (
        db_cli,
        norms_cli,
        jurisdictions_cli,
        catalogues_cli,
        demo_cli,
        users_cli,
        groups_cli,
    ):
        app.cli.add_command(group)
    app.cli.add_command(setup_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
