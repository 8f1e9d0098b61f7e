"""Shared test set-up: headless Qt, and no test ever touches the user's real library or settings.

The suite runs against SQLite (the default) or PostgreSQL: with
`EVIDENCE_DESK_TEST_BACKEND=postgresql` and `EVIDENCE_DESK_TEST_PG_URL` naming a server (a superuser
URL, as `.ci/postgres` prints), every test that may open a library gets a database of its own,
cloned from a template that already holds the migrated schema (a clone costs milliseconds, a
migration a second). Tests about the SQLite file itself carry `sqlite_only`; tests that alter
originals in the blob folder carry `folder_blobs` (on PostgreSQL the originals live in the database).
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

PG_URL_ENV = "EVIDENCE_DESK_TEST_PG_URL"
BACKEND_ENV = "EVIDENCE_DESK_TEST_BACKEND"
# Tests below these folders never open a library; they need no database of their own.
NO_LIBRARY = ("core", "ingest")


def _backend() -> str:
    return os.environ.get(BACKEND_ENV, "sqlite").strip().lower() or "sqlite"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: about the SQLite file; skipped on PostgreSQL")
    config.addinivalue_line("markers", "folder_blobs: alters originals in the blob folder; "
                            "skipped where originals live in the database")
    config.addinivalue_line("markers", "postgresql: needs a PostgreSQL server "
                            f"(${PG_URL_ENV})")
    if _backend() not in ("sqlite", "postgresql"):
        raise pytest.UsageError(f"{BACKEND_ENV} must be sqlite or postgresql")
    if _backend() == "postgresql" and not os.environ.get(PG_URL_ENV):
        raise pytest.UsageError(f"{BACKEND_ENV}=postgresql needs {PG_URL_ENV} (see .ci/postgres)")


def pytest_report_header(config: pytest.Config) -> str:
    server = os.environ.get(PG_URL_ENV)
    return (f"evidence-desk database: {_backend()}; PostgreSQL for team tests: "
            f"{server or 'not configured (team tests skip)'}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_pg = _backend() == "postgresql"
    for item in items:
        if on_pg and item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.skip(reason="about the SQLite library file"))
        if on_pg and item.get_closest_marker("folder_blobs"):
            item.add_marker(pytest.mark.skip(reason="originals live in the database here"))
        if item.get_closest_marker("postgresql") and not os.environ.get(PG_URL_ENV):
            item.add_marker(pytest.mark.skip(
                reason=f"no PostgreSQL server: set {PG_URL_ENV} (CI does, see .ci/run)"))


class PgServer:
    """Fresh databases on the test server, cloned from one migrated template."""

    def __init__(self, admin_url: str) -> None:
        from sqlalchemy.engine import make_url

        self.url = make_url(admin_url)
        self.prefix = f"edt_{os.getpid()}"
        self.template = f"{self.prefix}_template"
        self._n = itertools.count(1)
        self._template_ready = False

    def admin(self):  # type: ignore[no-untyped-def]
        import psycopg

        from evidence_desk.library.db import libpq_conninfo

        return psycopg.connect(libpq_conninfo(self.url.render_as_string(hide_password=False)),
                               autocommit=True)

    def url_for(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def _ensure_template(self) -> None:
        if self._template_ready:
            return
        from evidence_desk.library.db import make_engine, migrate

        with self.admin() as con:
            con.execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
            con.execute(f'CREATE DATABASE "{self.template}"')
        engine = make_engine(self.url_for(self.template))
        try:
            migrate(engine, None, None)
        finally:
            engine.dispose()
        self._template_ready = True

    def create(self) -> str:
        self._ensure_template()
        name = f"{self.prefix}_{next(self._n)}"
        with self.admin() as con:
            con.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        import psycopg

        from evidence_desk.library.db import libpq_conninfo

        url = self.url_for(name)
        # Every clone would otherwise share the template's library id.
        with psycopg.connect(libpq_conninfo(url), autocommit=True) as con:
            con.execute("UPDATE library_meta SET value = %s WHERE key = 'library_id'",
                        (uuid.uuid4().hex,))
        return url

    def drop(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        with self.admin() as con:
            con.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        if not self._template_ready:
            return
        with self.admin() as con:
            con.execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')


@pytest.fixture(scope="session", autouse=True)
def _private_temp_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The system's temporary folder, as the desk and every process the tests start see it, is
    one of this run's own, and must be empty at the end: the desk leaves nothing there (a killed
    export's scratch lies in its library, see export.scratch). Own, so that other test runs on the
    machine neither hide nor add leftovers."""
    tmp_path_factory.getbasetemp()  # pytest's own folders stay where they are
    root = Path(tempfile.mkdtemp(prefix="evidence-desk-test-temp-"))
    saved = tempfile.tempdir, {k: os.environ.get(k) for k in ("TMPDIR", "TEMP", "TMP")}
    tempfile.tempdir = str(root)
    for key in saved[1]:
        os.environ[key] = str(root)
    try:
        yield root
    finally:
        tempfile.tempdir = saved[0]
        for key, value in saved[1].items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        left = sorted(p.name for p in root.iterdir())
        shutil.rmtree(root, ignore_errors=True)
    assert not left, f"the tests left these in the temporary folder: {', '.join(left)}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer | None]:
    url = os.environ.get(PG_URL_ENV)
    if not url:
        yield None
        return
    server = PgServer(url)
    yield server
    server.close()


@pytest.fixture
def pg_database(pg_server: PgServer | None) -> Iterator[str]:
    """The URL of a fresh, migrated PostgreSQL database, dropped after the test."""
    if pg_server is None:
        pytest.skip(f"no PostgreSQL server: set {PG_URL_ENV} (CI does, see .ci/run)")
    url = pg_server.create()
    yield url
    pg_server.drop(url)


@pytest.fixture(autouse=True)
def _isolated_home(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("EVIDENCE_DESK_LIBRARY", str(home / "default-library"))
    monkeypatch.delenv("EVIDENCE_DESK_DB_URL", raising=False)
    monkeypatch.delenv("EVIDENCE_DESK_BLOBS", raising=False)
    parts = Path(str(request.node.path)).parts
    needs_db = not any(p in parts for p in NO_LIBRARY)
    if _backend() != "postgresql" or not needs_db:
        yield
        return
    # Set in the environment, so command-line subprocesses the test starts use it too.
    server: PgServer = request.getfixturevalue("pg_server")
    url = server.create()
    monkeypatch.setenv("EVIDENCE_DESK_DB_URL", url)
    yield
    server.drop(url)
