"""Moving a desk's library up into a team database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import factories
import pytest

from evidence_desk.library.db import libpq_conninfo
from evidence_desk.library.push import PushError, push
from evidence_desk.library.service import Library

pytestmark = pytest.mark.postgresql
# The driver is the `team` extra: pip install -e '.[test,team]'.
psycopg = pytest.importorskip("psycopg")


def _local(tmp_path: Path) -> Library:
    # The desk's own library, whatever backend this test run uses for the others.
    lib = Library(tmp_path / "local", db_url=f"sqlite:///{tmp_path / 'local' / 'library.sqlite3'}")
    case = lib.create_case("quality_dispute", "P-1", buyer_name="Lucas Meyer", amount="12.5",
                           title="破损 damaged")
    lib.add_paths(case.id, [factories.photo(tmp_path / "goods.jpg"),
                            factories.chat_screenshot(tmp_path / "chat.png", ["你好"])])
    big = tmp_path / "big.pdf"
    big.write_bytes(factories.pdf_waybill(tmp_path / "w.pdf", "SF1").read_bytes())
    lib.add_paths(case.id, [big])
    other = lib.duplicate_case(case.id, as_attempt=True)
    lib.update_case(other.id, demand="refund refused")
    lib.update_evidence(lib.list_evidence(case.id)[0].id, caption="买家承认",
                        marks=[{"type": "redact", "x": 1, "y": 2, "w": 3, "h": 4}])
    return lib


def _snapshot(lib: Library) -> tuple:
    cases = [(c.id, c.order_no, c.title, c.amount, c.demand, c.parent_id, c.state)
             for c in lib.list_cases(include_deleted=True)]
    items = [(e.id, e.case_id, e.sha256, e.kind, e.caption, e.marks)
             for c in lib.list_cases(include_deleted=True) for e in lib.list_evidence(c.id)]
    log = [(e.id, e.action, e.hash) for e in lib.audit_log()]
    return cases, items, log


def _drop_empty(url: str) -> None:
    # Push into a database without the schema: what a new team starts with.
    with psycopg.connect(libpq_conninfo(url), autocommit=True) as con:
        con.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")


def test_push_copies_cases_audit_log_and_files_and_verifies(
        pg_database: str, tmp_path: Path) -> None:
    _drop_empty(pg_database)
    local = _local(tmp_path)
    before = _snapshot(local)
    result = push(local, pg_database)
    assert (result.cases, result.items, result.files) == (2, 6, 3)
    with Library(tmp_path / "team-desk", db_url=pg_database) as team:
        cases, items, log = _snapshot(team)
        assert (cases, items) == before[:2]
        assert log[:-1] == before[2]  # verbatim: same ids, same hashes
        assert log[-1][1] == "library.push"
        report = team.verify()
        assert report.ok and report.checked == 3, report.problems
        for _, _, sha, *_ in items:
            assert team.blobs.rehash(sha) == sha
            assert team.blob_path(sha).read_bytes() == local.blob_path(sha).read_bytes()
        # New rows continue after the copied ids.
        assert team.create_case("fake_transaction", "P-2").id == max(c[0] for c in cases) + 1
    assert local.audit_log()[-1].action == "library.push"
    local.close()


def test_a_refused_push_leaves_both_sides_as_they_were(pg_database: str, tmp_path: Path) -> None:
    with Library(tmp_path / "team-desk", db_url=pg_database) as team:
        team.create_case("fake_transaction", "ALREADY-THERE")
        team_before = _snapshot(team)
    local = _local(tmp_path)
    local_before = _snapshot(local)
    with pytest.raises(PushError, match="not empty"):
        push(local, pg_database)
    assert _snapshot(local) == local_before
    with Library(tmp_path / "team-desk", db_url=pg_database) as team:
        assert _snapshot(team) == team_before
    local.close()


@pytest.mark.parametrize("damage", ["altered", "missing"])
def test_a_push_failing_half_way_undoes_everything_even_the_schema(
        pg_database: str, tmp_path: Path, damage: str) -> None:
    _drop_empty(pg_database)
    local = _local(tmp_path)
    items = local.list_evidence(1)
    blob = local.blob_path(items[-1].sha256)
    os.chmod(blob, 0o600)
    if damage == "altered":
        blob.write_bytes(blob.read_bytes()[:-1] + b"!")
    else:
        blob.unlink()
    local_before = _snapshot(local)
    with pytest.raises(PushError, match=damage):
        push(local, pg_database)
    assert _snapshot(local) == local_before
    with psycopg.connect(libpq_conninfo(pg_database)) as con:
        tables = con.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                             ).fetchall()
    assert tables == []
    local.close()


def test_push_from_the_command_line(pg_database: str, tmp_path: Path) -> None:
    _drop_empty(pg_database)
    _local(tmp_path).close()
    env = {k: v for k, v in os.environ.items() if k != "EVIDENCE_DESK_DB_URL"}
    env["EVIDENCE_DESK_LOG_DIR"] = str(tmp_path / "logs")
    proc = subprocess.run([sys.executable, "-m", "evidence_desk.cli", "--library",
                           str(tmp_path / "local"), "library", "push", "--to", pg_database],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "pushed 2 case(s), 6 item(s), 3 file(s)" in proc.stdout
    again = subprocess.run([sys.executable, "-m", "evidence_desk.cli", "--library",
                            str(tmp_path / "local"), "library", "push", "--to", pg_database],
                           capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 1 and "not empty" in again.stderr
    assert "Traceback" not in again.stderr
