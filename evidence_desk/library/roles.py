"""Database roles for a team on PostgreSQL: editors change cases, reviewers only read.

The server enforces this, not the app: a reviewer connecting with psql is refused just the same.
A reviewer may still append to the audit log, because opening, verifying and exporting a case is
recorded there (who exported which dossier matters when a complaint is disputed). Nobody but the
database owner may change or delete an audit entry, editors included.

Run `evidence-desk library roles --url URL` as the database owner (it also brings the schema up to
date); run it again after an upgrade adds tables.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from evidence_desk.library.db import LibraryOpenError, is_postgres, make_engine, migrate

EDITOR = "evidence_desk_editor"
REVIEWER = "evidence_desk_reviewer"

# Table -> privileges, per role. Tables not named get nothing.
EDITOR_GRANTS = {
    "buyers": "SELECT, INSERT, UPDATE, DELETE",
    "cases": "SELECT, INSERT, UPDATE, DELETE",
    "evidence": "SELECT, INSERT, UPDATE, DELETE",
    "stored_files": "SELECT, INSERT, UPDATE, DELETE",
    "blob_chunks": "SELECT, INSERT, DELETE",
    "recognised_text": "SELECT, INSERT, UPDATE, DELETE",
    "audit_log": "SELECT, INSERT",
    # Whoever may append to the log keeps its head current.
    "audit_head": "SELECT, INSERT, UPDATE",
    "library_meta": "SELECT",
    "alembic_version": "SELECT",
}
REVIEWER_GRANTS = {table: "SELECT" for table in EDITOR_GRANTS} | {
    "audit_log": "SELECT, INSERT", "audit_head": "SELECT, INSERT, UPDATE"}
SEQUENCE_TABLES = ("buyers", "cases", "evidence", "audit_log")


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _ensure_role(conn: Connection, name: str, *, login: bool) -> bool:
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
    if exists:
        return False
    conn.execute(text(f"CREATE ROLE {_quote(conn, name)} {'LOGIN' if login else 'NOLOGIN'}"))
    return True


def set_up_roles(url: str, *, editors: Sequence[str] = (), reviewers: Sequence[str] = ()) -> list[str]:
    """Create the two group roles, grant them their privileges in this database, and make the
    named login roles members (creating them, without a password, when missing).

    Returns what was done, line by line, for the command line to print."""
    if not is_postgres(url):
        raise LibraryOpenError("Roles exist only on a PostgreSQL server; an SQLite library is "
                               "protected by its folder's permissions.")
    engine = make_engine(url)
    done: list[str] = []
    try:
        migrate(engine, None, None)
        with engine.begin() as conn:
            db = _quote(conn, make_url(url).database or "postgres")
            for role in (EDITOR, REVIEWER):
                if _ensure_role(conn, role, login=False):
                    done.append(f"created role {role}")
                conn.execute(text(f"GRANT CONNECT ON DATABASE {db} TO {role}"))
                conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
                conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}"))
            for role, grants in ((EDITOR, EDITOR_GRANTS), (REVIEWER, REVIEWER_GRANTS)):
                for table, privileges in grants.items():
                    conn.execute(text(f"GRANT {privileges} ON {_quote(conn, table)} TO {role}"))
                done.append(f"granted {role} its privileges")
            for table in SEQUENCE_TABLES:
                seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"),
                                   {"t": table}).scalar()
                if seq:
                    conn.execute(text(f"GRANT USAGE, SELECT ON SEQUENCE {seq} TO {EDITOR}"))
                    if table == "audit_log":
                        conn.execute(text(f"GRANT USAGE ON SEQUENCE {seq} TO {REVIEWER}"))
            for group, members in ((EDITOR, editors), (REVIEWER, reviewers)):
                for member in members:
                    if _ensure_role(conn, member, login=True):
                        done.append(f"created login role {member} (no password yet: "
                                    f"ALTER ROLE {member} PASSWORD …)")
                    conn.execute(text(f"GRANT {group} TO {_quote(conn, member)}"))
                    done.append(f"{member} is now a member of {group}")
    finally:
        engine.dispose()
    return done
