"""Opening the database: engine set-up, refusing foreign files, and migrating with a backup first."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from evidence_desk.i18n import Message

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_MAGIC = b"SQLite format 3\x00"
OUR_TABLES = {"cases", "evidence", "stored_files", "audit_log", "buyers"}
MIGRATE_LOCK_KEY = 0x45564D494752  # "EVMIGR"


class LibraryOpenError(RuntimeError):
    """The library cannot be opened; the message says why in words a user understands."""


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head() or ""


TEAM_INSTALL = "pip install 'evidence-desk[team]'"

def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database, or is one that is damaged."""
    if not path.exists():
        return
    if not path.is_file():
        raise LibraryOpenError(Message("{path} is not a file, so it cannot be the library "
                                       "database.", path=path))
    if path.stat().st_size == 0:
        return
    with path.open("rb") as fh:
        if fh.read(16) != SQLITE_MAGIC:
            raise LibraryOpenError(Message(
                "{path} is not an Evidence Desk library (it is not an SQLite database). "
                "Nothing was changed; choose another folder.", path=path))
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("PRAGMA quick_check").fetchone()
            tables = {r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise LibraryOpenError(Message("The library database {path} is damaged ({why}).",
                                       path=path, why=exc)) from None
    if not row or row[0] != "ok":
        raise LibraryOpenError(Message("The library database {path} is damaged ({why}).",
                                       path=path, why=row[0] if row else "no answer"))
    # Decided here, read-only: opening it for real would switch it to WAL, altering its header.
    if tables and "alembic_version" not in tables:
        if tables & OUR_TABLES:
            raise LibraryOpenError(Message("The database holds tables Evidence Desk did not "
                                           "create; it was left untouched."))
        raise LibraryOpenError(Message("The database belongs to another program (it has "
                                       "tables of its own); it was left untouched."))


def _on_sqlite_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _check_driver(url: str) -> None:
    """Refuse, in one sentence, a server URL whose Python driver is not installed.

    A single desk needs no PostgreSQL driver, so the wheel leaves it to the `team` extra."""
    u = make_url(url)
    try:
        u.get_dialect().import_dbapi()
    except ImportError:
        driver = u.get_driver_name()
        if u.get_backend_name() == "postgresql" and driver == "psycopg":
            how = Message("install it with: {command}", command=TEAM_INSTALL)
        elif u.get_backend_name() == "postgresql":
            how = Message("use a postgresql+psycopg:// URL and install the driver with: "
                          "{command}", command=TEAM_INSTALL)
        else:
            how = Message("install the Python driver {driver!r}", driver=driver)
        raise LibraryOpenError(Message("This installation cannot reach a team database: the "
                                       "{driver} driver is missing; {how}", driver=driver,
                                       how=how)) from None
    except Exception:  # an unknown dialect: create_engine names it below
        return


def make_engine(url: str) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        # NullPool: connections never outlive an operation, so threads never share one.
        engine = create_engine(url, poolclass=NullPool)
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    _check_driver(url)
    # A desk holds few connections; pre-ping survives a server restart between two clicks.
    return create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=4,
                         connect_args={"connect_timeout": 10,
                                       "application_name": "evidence-desk"})


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def server_unreachable(url: str) -> Message:
    """The one sentence for a team database that cannot be reached (instead of driver text)."""
    u = make_url(url)
    where = u.host or "localhost"
    if u.port:
        where = f"{where}:{u.port}"
    return Message("The team database at {where} is not answering; nothing was changed.",
                   where=where)


def is_connection_failure(exc: BaseException) -> bool:
    """Whether `exc` means the server went away or never answered (not a refused statement)."""
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError)):
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover - the driver ships with the app
        return False
    return isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError))


def libpq_conninfo(url: str) -> str:
    """The SQLAlchemy URL as a libpq URI (for psycopg connections made outside SQLAlchemy)."""
    u = make_url(url)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


# One key for the whole library: every writing transaction on PostgreSQL takes it first.
WRITE_LOCK_KEY = 0x45564445534B  # "EVDESK"


def serialize_writes(session: Session) -> None:
    """Take the library's write lock for the rest of this transaction (PostgreSQL only).

    The audit log chains each entry to the one before, so two desks writing at once must not
    both read the same "last" entry; and two desks storing the same original must not both
    insert its chunks. Taking one advisory lock before any row is written orders every writing
    transaction, which also rules out deadlocks between them. A team's write rate is tiny, so
    waiting here costs nothing a person notices.
    """
    if session.info.get("write_locked"):
        return
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.connection().execute(text("SELECT pg_advisory_xact_lock(:k)"),
                                     {"k": WRITE_LOCK_KEY})
    session.info["write_locked"] = True


def notify_case(session: Session, case_id: int | None) -> None:
    """Tell other desks (LISTEN evidence_desk) a case changed; sent when the transaction commits.

    The payload is the case id, or empty for a change that touches no one case (a buyer)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(text("SELECT pg_notify(:ch, :payload)"),
                                     {"ch": NOTIFY_CHANNEL,
                                      "payload": "" if case_id is None else str(case_id)})


NOTIFY_CHANNEL = "evidence_desk"


def current_db_user(engine: Engine) -> str | None:
    """The database role this desk connected as (PostgreSQL); None for SQLite."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT current_user")).scalar())


def can_write(engine: Engine) -> bool:
    """Whether this connection's role may change cases (a reviewer's may not)."""
    if engine.dialect.name != "postgresql":
        return True
    with engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT has_table_privilege(current_user, 'cases', 'UPDATE')")).scalar())


def backup_sqlite(db_path: Path, dest: Path) -> Path:
    """A consistent copy through SQLite's online backup, safe while the library is in use."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    src = sqlite3.connect(str(db_path))
    try:
        out = sqlite3.connect(str(tmp))
        try:
            src.backup(out)
        finally:
            out.close()
    finally:
        src.close()
    tmp.replace(dest)
    return dest


def _known_revision(rev: str) -> bool:
    try:
        return ScriptDirectory.from_config(_alembic_config()).get_revision(rev) is not None
    except Exception:  # alembic raises its own errors for unknown ids
        return False


def migrate(engine: Engine, sqlite_path: Path | None, backups_dir: Path | None) -> None:
    """Bring the schema to head. An existing library is backed up before anything changes."""
    head = head_revision()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        tables = set(inspect(conn).get_table_names())
    if current == head:
        return
    if current is None and tables & OUR_TABLES:
        raise LibraryOpenError(Message("The database holds tables Evidence Desk did not "
                                       "create; it was left untouched."))
    if current is None and tables - {"alembic_version"}:
        raise LibraryOpenError(Message("The database belongs to another program (it has "
                                       "tables of its own); it was left untouched."))
    if current is not None and not _known_revision(current):
        raise LibraryOpenError(Message(
            "This library was written by a newer Evidence Desk (schema {schema}); "
            "update the app to open it. Nothing was changed.", schema=current))
    if current is not None and sqlite_path is not None and backups_dir is not None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        dest = backups_dir / f"before-migration-{current}-to-{head}-{stamp}.sqlite3"
        backup_sqlite(sqlite_path, dest)
        log.info("backed up the library before migrating from %s to %s", current, head)
    cfg = _alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Two desks opening a fresh team database at once: the second waits, then finds
            # the schema at head (PostgreSQL's DDL is transactional, so this is all or nothing).
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATE_LOCK_KEY})
            if MigrationContext.configure(conn).get_current_revision() == head:
                return
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
