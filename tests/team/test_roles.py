"""Who may do what: the database refuses a reviewer's writes, and so does the desk, first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import factories
import pytest
from teamkit import EDITOR, REVIEWER, as_user

from evidence_desk.library.db import libpq_conninfo
from evidence_desk.library.service import Library, ReadOnly

pytestmark = pytest.mark.postgresql
# The driver is the `team` extra: pip install -e '.[test,team]'.
psycopg = pytest.importorskip("psycopg")


@pytest.fixture
def seeded(team_url: str, tmp_path: Path) -> int:
    with Library(tmp_path / "editor", db_url=as_user(team_url, EDITOR)) as lib:
        assert not lib.read_only
        case = lib.create_case("fake_transaction", "R-1", buyer_name="Lucas")
        lib.add_paths(case.id, [factories.order_screenshot(tmp_path / "o.png", "R-1")])
        return case.id


def test_reviewer_desk_reads_checks_and_verifies_but_refuses_every_edit(
        team_url: str, tmp_path: Path, seeded: int) -> None:
    with Library(tmp_path / "reviewer", db_url=as_user(team_url, REVIEWER)) as lib:
        assert lib.read_only
        assert lib.get_case(seeded).order_no == "R-1"
        assert len(lib.list_evidence(seeded)) == 1
        lib.check(seeded)
        assert lib.verify(seeded).ok  # recorded in the audit log, which reviewers may append to
        lib.record("export.dossier", seeded, sha256="0" * 64)
        assert lib.audit_log(seeded)[-1].actor == REVIEWER
        item = lib.list_evidence(seeded)[0]
        assert lib.blob_path(item.sha256).is_file()  # originals readable for export
        attempts = [
            lambda: lib.create_case("fake_transaction", "R-2"),
            lambda: lib.update_case(seeded, title="changed"),
            lambda: lib.add_bytes(seeded, b"x", "x.txt"),
            lambda: lib.update_evidence(item.id, caption="changed"),
            lambda: lib.remove_evidence(item.id),
            lambda: lib.delete_case(seeded),
            lambda: lib.move_case(seeded, "submitted"),
        ]
        for attempt in attempts:
            with pytest.raises(ReadOnly, match="read-only"):
                attempt()
        assert lib.get_case(seeded).title == ""


@pytest.mark.parametrize("sql", [
    "UPDATE cases SET title = 'mine'",
    "INSERT INTO buyers (name, company, country, member_id, credit_level, notes, created_at) "
    "VALUES ('x', '', '', '', '', '', now())",
    "DELETE FROM evidence",
    "DELETE FROM audit_log",
    "UPDATE audit_log SET actor = 'nobody'",
    "DELETE FROM blob_chunks",
])
def test_the_database_refuses_a_reviewer_who_bypasses_the_app(
        team_url: str, seeded: int, sql: str) -> None:
    with (psycopg.connect(libpq_conninfo(as_user(team_url, REVIEWER))) as con,
          pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied")):
        con.execute(sql)


def test_editors_cannot_rewrite_the_audit_log_either(team_url: str, seeded: int) -> None:
    with (psycopg.connect(libpq_conninfo(as_user(team_url, EDITOR))) as con,
          pytest.raises(psycopg.errors.InsufficientPrivilege)):
        con.execute("UPDATE audit_log SET actor = 'nobody'")


def test_reviewer_desk_shows_a_case_from_the_command_line(
        team_url: str, tmp_path: Path, seeded: int) -> None:
    # `case show` reads the attempts of the complaint; reading them is not an edit.
    env = dict(os.environ, EVIDENCE_DESK_DB_URL=as_user(team_url, REVIEWER),
               EVIDENCE_DESK_LOG_DIR=str(tmp_path / "logs"))
    proc = subprocess.run([sys.executable, "-m", "evidence_desk.cli", "--library",
                           str(tmp_path / "reviewer"), "case", "show", str(seeded), "--json"],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(proc.stdout)
    assert shown["order_no"] == "R-1"
    assert [a["id"] for a in shown["attempts"]] == [seeded]
    with Library(tmp_path / "reviewer2", db_url=as_user(team_url, REVIEWER)) as lib:
        assert [c.id for c in lib.attempts(seeded)] == [seeded]
