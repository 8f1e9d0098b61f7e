"""The Library service on real SQLite files and a real blob store."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import date
from pathlib import Path

import factories
import pytest
from alembic import command
from sqlalchemy import text

from evidence_desk.library.db import LibraryOpenError, _alembic_config, make_engine
from evidence_desk.library.service import Library, LibraryError, StaleEdit


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    library = Library.open(tmp_path / "lib")
    yield library
    library.close()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    src = tmp_path / "src"
    src.mkdir()
    return {
        "chat": factories.chat_screenshot(src / "聊天.png", ["你好,请付款", "Please pay first"]),
        "order": factories.order_screenshot(src / "order.png", "2026110500123"),
        "photo": factories.photo(src / "goods.jpg"),
    }


@pytest.mark.sqlite_only
def test_new_library_is_private_sqlite_in_wal_mode(lib: Library) -> None:
    db = lib.folder / "library.sqlite3"
    assert db.is_file()
    assert stat.S_IMODE(lib.folder.stat().st_mode) == 0o700
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        con.close()
    assert {"cases", "buyers", "evidence", "stored_files", "audit_log"} <= tables


def test_originals_stored_once_byte_for_byte_and_read_only(lib: Library,
                                                           files: dict[str, Path]) -> None:
    a = lib.create_case("fake_transaction", "A1")
    b = lib.create_case("fake_transaction", "B1")
    [r1] = lib.add_paths(a.id, [files["chat"]])
    [r2] = lib.add_paths(b.id, [files["chat"]])
    [r3] = lib.add_paths(a.id, [files["chat"]])
    assert (r1.status, r2.status, r3.status) == ("added", "added", "duplicate")
    item = lib.get_evidence(r1.item_id)
    blob = lib.blob_path(item.sha256)
    assert blob.read_bytes() == files["chat"].read_bytes()
    assert blob.name == item.sha256 and blob.parent.name == item.sha256[:2]
    assert not os.access(blob, os.W_OK) or os.geteuid() == 0
    assert not stat.S_IMODE(blob.stat().st_mode) & 0o222
    assert len(lib.blobs.all_hashes()) == 1
    assert item.original_name == "聊天.png"


def test_removing_an_item_keeps_a_file_another_case_uses(lib: Library,
                                                         files: dict[str, Path]) -> None:
    a = lib.create_case("fake_transaction", "A1")
    b = lib.create_case("fake_transaction", "B1")
    [ra] = lib.add_paths(a.id, [files["order"]])
    lib.add_paths(b.id, [files["order"]])
    sha = lib.get_evidence(ra.item_id).sha256
    lib.delete_case(a.id)
    lib.purge_case(a.id)
    assert lib.blob_path(sha).is_file()
    lib.delete_case(b.id)
    lib.purge_case(b.id)
    assert not lib.blob_path(sha).exists()


def test_bad_files_refused_one_by_one(lib: Library, tmp_path: Path,
                                      files: dict[str, Path]) -> None:
    case = lib.create_case("fake_transaction", "A1")
    fake = tmp_path / "src" / "fake.png"
    fake.write_text("this is just text", encoding="utf-8")
    empty = tmp_path / "src" / "empty.jpg"
    empty.write_bytes(b"")
    results = lib.add_paths(case.id, [tmp_path / "src"])
    by_name = {Path(r.path).name: r for r in results}
    assert by_name["fake.png"].status == "rejected" and by_name["fake.png"].reason
    assert by_name["empty.jpg"].status == "rejected" and "empty" in by_name["empty.jpg"].reason
    assert by_name["聊天.png"].status == "added"
    assert by_name["goods.jpg"].status == "added"
    assert len(lib.list_evidence(case.id)) == 3


def test_checklist_ready_for_fake_transaction_not_for_quality(lib: Library,
                                                              files: dict[str, Path]) -> None:
    case = lib.create_case("fake_transaction", "2026110500123", completed_on=date(2026, 11, 1),
                           demand="Restrict the buyer's trading.")
    lib.add_paths(case.id, [files["chat"]], kind="chat_record", source="alibaba_chat")
    lib.add_paths(case.id, [files["order"]], kind="order_screenshot")
    check = lib.check(case.id, today=date(2026, 11, 5))
    assert check.ready
    assert check.deadline == date(2026, 11, 16)
    lib.update_case(case.id, type_key="quality_dispute")
    check = lib.check(case.id, today=date(2026, 11, 5))
    assert not check.ready
    missing = {r.kind for r in check.requirements if r.required and not r.satisfied}
    assert missing == {"product_photo", "logistics_record", "return_record"}


def test_stale_edit_is_refused(lib: Library) -> None:
    case = lib.create_case("fake_transaction", "A1")
    lib.update_case(case.id, expected_version=case.version, reason="first")
    with pytest.raises(StaleEdit):
        lib.update_case(case.id, expected_version=case.version, reason="second")
    assert lib.get_case(case.id).reason == "first"


def test_unknown_type_kind_and_bad_amount_are_clear(lib: Library) -> None:
    with pytest.raises(LibraryError, match="Unknown complaint type 'nope'"):
        lib.create_case("nope", "A1")
    with pytest.raises(LibraryError, match="order number"):
        lib.create_case("fake_transaction", "   ")
    with pytest.raises(LibraryError, match="not a number"):
        lib.create_case("fake_transaction", "A1", amount="12,3x")
    case = lib.create_case("fake_transaction", "A1")
    with pytest.raises(LibraryError, match="Unknown evidence kind"):
        lib.add_paths(case.id, [], kind="selfie")


@pytest.mark.folder_blobs
def test_verify_names_an_altered_and_a_missing_original(lib: Library,
                                                        files: dict[str, Path]) -> None:
    case = lib.create_case("fake_transaction", "A1")
    [chat] = lib.add_paths(case.id, [files["chat"]])
    [order] = lib.add_paths(case.id, [files["order"]])
    assert lib.verify().ok
    blob = lib.blob_path(lib.get_evidence(chat.item_id).sha256)
    os.chmod(blob, 0o600)
    data = bytearray(blob.read_bytes())
    data[100] ^= 0xFF
    blob.write_bytes(bytes(data))
    lib.blob_path(lib.get_evidence(order.item_id).sha256).unlink()
    report = lib.verify()
    assert not report.ok
    kinds = {p.kind: p for p in report.problems}
    assert chat.item_id in kinds["altered"].item_ids
    assert order.item_id in kinds["missing"].item_ids
    assert any(e.action == "verify" for e in lib.audit_log(case.id))


def test_audit_log_is_chained_and_tamper_evident(lib: Library) -> None:
    case = lib.create_case("fake_transaction", "A1")
    lib.update_case(case.id, reason="one")
    lib.update_case(case.id, reason="two")
    entries = lib.audit_log()
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert lib.verify().ok
    with lib.engine.begin() as con:
        con.execute(text("UPDATE audit_log SET actor='someone else' WHERE id=:id"),
                    {"id": entries[1].id})
    report = lib.verify()
    assert not report.ok
    assert any(p.kind == "audit" and "edited" in p.message for p in report.problems)


def test_audit_log_detects_a_removed_entry(lib: Library) -> None:
    case = lib.create_case("fake_transaction", "A1")
    lib.update_case(case.id, reason="one")
    lib.update_case(case.id, reason="two")
    middle = lib.audit_log()[1]
    with lib.engine.begin() as con:
        con.execute(text("DELETE FROM audit_log WHERE id=:id"), {"id": middle.id})
    assert any("removed" in p.message for p in lib.verify().problems)


def test_audit_log_detects_its_newest_entries_removed(lib: Library) -> None:
    case = lib.create_case("fake_transaction", "A1")
    lib.update_case(case.id, reason="one")
    lib.update_case(case.id, reason="two")
    assert lib.verify().ok
    newest = lib.audit_log()[-1]
    with lib.engine.begin() as con:
        con.execute(text("DELETE FROM audit_log WHERE id >= :id"), {"id": newest.id - 1})
    report = lib.verify()
    assert not report.ok
    assert any(p.kind == "audit" and "ends early" in p.message for p in report.problems)


@pytest.mark.sqlite_only
def test_foreign_and_corrupt_files_are_refused_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "notalib"
    folder.mkdir()
    db = folder / "library.sqlite3"
    db.write_bytes(b"PK\x03\x04 this is a zip, not a database" * 10)
    before = db.read_bytes()
    with pytest.raises(LibraryOpenError, match="not an SQLite database"):
        Library.open(folder)
    assert db.read_bytes() == before

    other = tmp_path / "other"
    other.mkdir()
    con = sqlite3.connect(other / "library.sqlite3")
    con.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    con.commit()
    con.close()
    with pytest.raises(LibraryOpenError, match="another program"):
        Library.open(other)

    file_not_folder = tmp_path / "plainfile"
    file_not_folder.write_text("x")
    with pytest.raises(LibraryOpenError, match="is a file"):
        Library.open(file_not_folder)


@pytest.mark.sqlite_only
def test_migration_backs_up_an_existing_library_first(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    engine = make_engine(f"sqlite:///{folder / 'library.sqlite3'}")
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.exec_driver_sql(
            "INSERT INTO cases (type_key, order_no, title, currency, reason, demand, notes, "
            "state, state_reason, other_channel_agreed, carrier_changed, statement_en, "
            "statement_zh, statement_composed_sha256, attempt_no, submitted_dossier_sha256, "
            "submitted_pack_sha256, archived, created_at, updated_at, version) VALUES "
            "('fake_transaction', 'OLD-1', '', 'USD', '', '', '', 'draft', '', 0, 0, '', '', "
            "'', 1, '', '', 0, '2026-01-01', '2026-01-01', 1)")
    engine.dispose()
    lib = Library.open(folder)
    try:
        backups = list((folder / "backups").glob("before-migration-0001-*.sqlite3"))
        assert len(backups) == 1
        con = sqlite3.connect(backups[0])
        assert con.execute("SELECT order_no FROM cases").fetchone()[0] == "OLD-1"
        con.close()
        assert [c.order_no for c in lib.list_cases()] == ["OLD-1"]
    finally:
        lib.close()


def test_trash_and_restore(lib: Library) -> None:
    case = lib.create_case("fake_transaction", "A1", buyer_name="Lucas")
    lib.delete_case(case.id)
    assert lib.case_ids() == []
    assert lib.case_ids(deleted=True) == [case.id]
    lib.restore_case(case.id)
    assert lib.case_ids() == [case.id]


def test_search_covers_order_buyer_and_captions(lib: Library, files: dict[str, Path]) -> None:
    a = lib.create_case("fake_transaction", "ORD-777", buyer_name="Lucas Meyer")
    b = lib.create_case("quality_dispute", "ORD-888", buyer_name="Ahmed")
    lib.add_paths(b.id, [files["photo"]], caption="破损的纸箱 damaged carton")
    assert lib.case_ids(search="777") == [a.id]
    assert lib.case_ids(search="meyer") == [a.id]
    assert lib.case_ids(search="纸箱") == [b.id]
    assert lib.case_ids(type_keys=["quality_dispute"]) == [b.id]


def test_move_and_reorder_within_a_kind(lib: Library, files: dict[str, Path]) -> None:
    case = lib.create_case("fake_transaction", "A1")
    ids = [r.item_id for r in lib.add_paths(case.id, list(files.values()), kind="other")]
    lib.move_evidence(ids[2], "other", 0)
    order = [e.id for e in lib.list_evidence(case.id) if e.kind == "other"]
    assert order == [ids[2], ids[0], ids[1]]
    lib.move_evidence(ids[0], "chat_record", 0)
    kinds = {e.id: e.kind for e in lib.list_evidence(case.id)}
    assert kinds[ids[0]] == "chat_record"


def test_remove_is_undoable(lib: Library, files: dict[str, Path]) -> None:
    case = lib.create_case("fake_transaction", "A1")
    [r] = lib.add_paths(case.id, [files["chat"]])
    lib.remove_evidence(r.item_id)
    assert lib.list_evidence(case.id) == []
    lib.restore_evidence(r.item_id)
    assert [e.id for e in lib.list_evidence(case.id)] == [r.item_id]


def test_case_summaries_count_readiness(lib: Library, files: dict[str, Path]) -> None:
    case = lib.create_case("fake_transaction", "A1", completed_on=date(2026, 11, 1))
    lib.add_paths(case.id, [files["chat"]], kind="chat_record")
    [row] = lib.case_summaries([case.id], today=date(2026, 11, 14))
    assert (row.met, row.required, row.days_left) == (1, 2, 2)


def test_a_kind_takes_only_the_file_types_its_rule_accepts(lib: Library, tmp_path: Path) -> None:
    case = lib.create_case("quality_dispute", "A1")
    csv = factories.tracking_csv(tmp_path / "track.csv")
    [r] = lib.add_paths(case.id, [csv], kind="product_photo")
    assert r.status == "rejected" and "not accepted as Product photo" in r.reason
    [r] = lib.add_paths(case.id, [csv], kind="logistics_record")
    assert r.status == "added"
    [r] = lib.add_paths(case.id, [csv])
    assert r.status == "duplicate"


@pytest.mark.sqlite_only
def test_a_library_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "newer"
    Library.open(folder).close()
    con = sqlite3.connect(folder / "library.sqlite3")
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    before = (folder / "library.sqlite3").read_bytes()
    with pytest.raises(LibraryOpenError, match="newer Evidence Desk"):
        Library.open(folder)
    assert (folder / "library.sqlite3").read_bytes() == before
    assert not list((folder / "backups").glob("before-migration-*"))


def test_an_evidence_edit_based_on_a_stale_value_is_refused(lib: Library,
                                                            files: dict[str, Path]) -> None:
    case = lib.create_case("fake_transaction", "A1")
    [r] = lib.add_paths(case.id, [files["chat"]], caption="first")
    lib.update_evidence(r.item_id, expected={"caption": "first"}, caption="desk A")
    with pytest.raises(StaleEdit, match="changed elsewhere"):
        lib.update_evidence(r.item_id, expected={"caption": "first"}, caption="desk B")
    assert lib.get_evidence(r.item_id).caption == "desk A"
