"""Test fixtures: one migrated, seeded database per test session (and per xdist worker);
each test runs inside a transaction that is rolled back, so tests never see each
other's writes.

SQLite by default; set TRACKER_TEST_DATABASE_URL (e.g.
postgresql://postgres@127.0.0.1:5432/test) to run the same suite on PostgreSQL.
The given database is only used to create and drop a fresh database per session.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from tracker import create_app
from tracker.config import normalise_database_url
from tracker.extensions import db
from tracker.reports import jobs, sandbox
from tracker.review import workflow

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
TEST_SECRET = "test-secret-key-" + "x" * 32


def pg_admin_url() -> str | None:
    url = os.environ.get("TRACKER_TEST_DATABASE_URL")
    return normalise_database_url(url) if url else None


def create_database(tmp_dir: Path, label: str) -> str:
    """A new, empty database for this session (PostgreSQL) or a new SQLite file."""
    admin = pg_admin_url()
    if admin is None:
        return f"sqlite:///{tmp_dir / (label + '.db')}"
    name = f"tracker_{label}_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return str(sa.engine.make_url(admin).set(database=name).render_as_string(hide_password=False))


def drop_database(url: str) -> None:
    admin = pg_admin_url()
    if admin is None or not url.startswith("postgresql"):
        return
    name = sa.engine.make_url(url).database
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


def make_app(database_url: str, **overrides: Any) -> Any:
    config = {
        "TESTING": True,
        "ENV": "development",
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_URL": database_url,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SERVER_NAME": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "REDIS_URL": None,
        "PASSWORD_HASH_PROFILE": "CHEAPEST",
        # Other domains' tests publish records: they must not queue pre-renders of briefs.
        "REPORTS_PRERENDER": False,
        # Whether a brief renders inline depends on the render speed measured on this machine
        # (tracker/reports/speed.py): tests say which path they test (0 = background).
        "REPORTS_INLINE_SECONDS": 1000,
    }
    config.update(overrides)
    app = create_app(config)
    # Test apps share one connection inside a rolled-back transaction: no job may run in
    # another thread, so background briefs wait until a test drains them.
    jobs.use_executor(app, ManualExecutor(app))
    return app


class ManualExecutor:
    """Background brief jobs wait until ``drain()``: tests drive rendering step by step."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.pending: list[tuple[jobs.JobSpec, str, str | None]] = []
        #: pre-render tasks (what a publication touched), run by ``run_tasks()``
        self.tasks: list[list[dict[str, Any]]] = []

    def submit(self, spec: jobs.JobSpec, key: str, html: str | None) -> None:
        self.pending.append((spec, key, html))

    def submit_task(self, seeds: list[dict[str, Any]]) -> None:
        self.tasks.append(seeds)

    def run_tasks(self) -> int:
        done = 0
        while self.tasks:
            seeds = self.tasks.pop(0)
            with self.app.app_context():
                jobs.prerender(seeds)
            done += 1
        return done

    def drain(self) -> int:
        done = 0
        while self.pending:
            spec, key, html = self.pending.pop(0)
            with self.app.app_context():
                jobs.run(spec, key, html)
            done += 1
        return done


class RenderCounter:
    """Wraps ``sandbox.render`` and counts the renders started (the cache tests need it)."""

    def __init__(self, render: Callable[..., bytes]) -> None:
        self.render = render
        self.count = 0

    def __call__(self, *args: Any, **kwargs: Any) -> bytes:
        self.count += 1
        return self.render(*args, **kwargs)


@contextmanager
def standalone_app(database_url: str, **overrides: Any) -> Iterator[Any]:
    """An app on a real database (no rolled-back transaction), its pool closed afterwards."""
    app = make_app(database_url, **overrides)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def seed(app: Any, *, demo: bool = True) -> None:
    """Migrate, then load jurisdictions, the framework files and (optionally) the demo data."""
    runner = app.test_cli_runner()
    commands = [
        ["db", "upgrade"],
        ["jurisdictions", "sync"],
        ["norms", "load"],
        ["catalogues", "load"],
    ]
    if demo:
        commands.append(["demo", "load"])
    for args in commands:
        result = runner.invoke(args=args)
        assert result.exit_code == 0, (
            f"{' '.join(args)} failed:\n{result.output}\n{result.exception!r}"
        )


def worker_label(config: pytest.Config) -> str:
    return getattr(config, "workerinput", {}).get("workerid", "main")


@pytest.fixture(scope="session")
def database_url(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[str]:
    url = create_database(tmp_path_factory.mktemp("db"), worker_label(pytestconfig))
    app = make_app(url)
    with app.app_context():
        seed(app)
        db.engine.dispose()
    yield url
    drop_database(url)


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database (no tables) of the session's kind, for migration and restore tests."""
    url = create_database(tmp_path, "fresh")
    yield url
    drop_database(url)


@pytest.fixture
def app(database_url: str) -> Iterator[Any]:
    """The app bound to one connection whose transaction is rolled back after the test."""
    app = make_app(database_url)
    with app.app_context():
        engine = db.engine
        connection = engine.connect()
        transaction = connection.begin()
        db.engines[None] = connection  # Flask-SQLAlchemy 3.1 joins this external transaction
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
        transaction.rollback()
        connection.close()
        engine.dispose()


@pytest.fixture
def app_ctx(app: Any) -> Iterator[Any]:
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def runner(app: Any) -> Any:
    return app.test_cli_runner()


def csrf_token(app: Any, client: Any) -> str:
    """A valid CSRF token for this client's session (as Flask-WTF would put in a form)."""
    with client.session_transaction() as session:
        raw = session.get("csrf_token")
        if raw is None:
            raw = session["csrf_token"] = secrets.token_hex(20)
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


@pytest.fixture
def make_user(app: Any) -> Callable[..., Any]:
    from tracker.accounts.models import Role, User

    counter = iter(range(1, 10_000))

    def _make(role: str = "editor", email: str | None = None, **fields: Any) -> Any:
        with app.app_context():
            user = User(
                email=email or f"{role}{next(counter)}@example.org",
                role=Role(role),
                name=fields.pop("name", role.title()),
                **fields,
            )
            db.session.add(user)
            db.session.commit()
            return user

    return _make


@pytest.fixture
def login(app: Any, make_user: Callable[..., Any]) -> Callable[..., Any]:
    """Sign a test client in as a new user of ``role`` (without going through the form)."""

    def _login(client: Any, role: str = "editor", **fields: Any) -> Any:
        user = make_user(role, **fields)
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    return _login


@pytest.fixture
def make_measure(app: Any) -> Callable[..., Any]:
    """Create a measure record; ``published=True`` makes it live. Returns the content row."""
    from tracker.measures import services
    from tracker.measures.models import Measure
    from tracker.records import services as records
    from tracker.records.models import Record, RecordKind

    counter = iter(range(1, 1_000_000))

    def _make(published: bool = True, key: str | None = None, **overrides: Any) -> Measure:
        n = next(counter)
        data: dict[str, Any] = {
            "jurisdiction_code": "DE",
            "title_original": f"Test measure {n}",
            "title_lang": "en",
            "title_en": None,
            "short_name": f"TM{n}",
            "type": "law",
            "issuing_body": "Test body",
            "status": "in_force",
            "status_note": None,
            "official_identifier": None,
            "official_url": None,
            "description": "A measure made by the test suite.",
            "verification": "unverified",
            "verification_note": None,
            "events": [{"kind": "adopted", "date": "2024-01-15", "note": None}],
            "sources": [
                {"url": "https://example.org/source", "title": "Example source", "accessed": None}
            ],
            "topics": ["sbom"],
            "relations": [],
            "mappings": [
                {
                    "norm": "i",
                    "commitment": None,
                    "locator": "Art. 1",
                    "rationale": "Test",
                    "basis": "inferred",
                }
            ],
        }
        data.update(overrides)
        with app.app_context():
            record = Record(kind=RecordKind.MEASURE, key=key)
            db.session.add(record)
            db.session.flush()
            measure = Measure(record_id=record.id, is_draft=True, is_live=False)
            db.session.add(measure)
            services.apply(measure, data)
            db.session.flush()
            if published:
                workflow.publish_unreviewed(record)
            records.write_revision(record, measure, action="create", summary="Created by test")
            db.session.commit()
            return measure

    return _make


@pytest.fixture
def make_paper(app: Any) -> Callable[..., Any]:
    """Create a fictional paper record through the editor's create path (records.changes);
    ``published=True`` then publishes it as the demo loaders do. Returns the content row."""
    from tracker.records import changes
    from tracker.records import services as records
    from tracker.records.models import RecordKind

    counter = iter(range(1, 1_000_000))

    def _make(published: bool = True, key: str | None = None, **overrides: Any) -> Any:
        n = next(counter)
        data: dict[str, Any] = {
            "title": f"Test paper {n}",
            "working_group": None,
            "publication_date": "2024-05",
            "abstract": "A paper made by the test suite.",
            "url": "https://example.org/papers/test",
            "verification": "unverified",
            "verification_note": None,
            "authors": [{"name": "Test Author", "affiliation": "Example Org"}],
            "sources": [
                {
                    "url": "https://example.org/papers/test",
                    "title": "Example source",
                    "accessed": None,
                }
            ],
            "recommendations": [
                {
                    "number": "1",
                    "text": f"Test recommendation 1 of paper {n}",
                    "addressee": "national governments",
                    "norms": ["j"],
                    "commitments": [],
                    "topics": ["vulnerability-disclosure"],
                },
                {
                    "number": "2",
                    "text": f"Test recommendation 2 of paper {n}",
                    "addressee": "national governments",
                    "norms": ["i"],
                    "commitments": [],
                    "topics": ["sbom"],
                },
            ],
        }
        data.update(overrides)
        with app.app_context():
            record = changes.new_record(RecordKind.PAPER, author_id=None, key=key)
            changes.create(RecordKind.PAPER, data, author_id=None, record=record)
            live = workflow.publish_unreviewed(record) if published else None
            paper = live if live is not None else records.working_copy(record)
            db.session.commit()
            return paper

    return _make


def implementation(
    *,
    action: str | None = None,
    recommendation_id: int | None = None,
    degree: str = "full",
    catalogue: str = "gge-2021-guidance",
) -> dict[str, Any]:
    """One link in the measure snapshot format, for ``make_measure(implementations=[...])``."""
    return {
        "catalogue": catalogue if action else None,
        "action": action,
        "recommendation_id": recommendation_id,
        "degree": degree,
        "basis": "explicit",
        "locator": "Art. 1",
        "rationale": "Test link",
    }


@pytest.fixture
def reports(app: Any, tmp_path: Path) -> Any:
    """The app with a private PDF cache and step-by-step background jobs."""
    app.config["REPORTS_CACHE_DIR"] = str(tmp_path / "reports")
    app.extensions.pop("reports_store", None)
    jobs.use_executor(app, ManualExecutor(app))
    return app


@pytest.fixture
def render_counter(monkeypatch: pytest.MonkeyPatch) -> RenderCounter:
    """Counts the sandboxed renders this test starts."""
    counter = RenderCounter(sandbox.render)
    monkeypatch.setattr(sandbox, "render", counter)
    return counter
