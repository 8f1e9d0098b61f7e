"""Cases moving through their flows, recorded by the Library."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import factories
import pytest

from evidence_desk.library.service import Library
from evidence_desk.library.workflow import WorkflowError


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    library = Library.open(tmp_path / "lib")
    yield library
    library.close()


def _ready_case(lib: Library, tmp_path: Path) -> int:
    case = lib.create_case("fake_transaction", "2026110500123", buyer_name="Lucas",
                           completed_on=date.today() - timedelta(days=10),
                           demand="Restrict the buyer's trading")
    lib.add_paths(case.id, [factories.chat_screenshot(tmp_path / "c.png", ["请付款"])],
                  kind="chat_record")
    lib.add_paths(case.id, [factories.order_screenshot(tmp_path / "o.png", "2026110500123")],
                  kind="order_screenshot")
    return case.id


def test_draft_becomes_ready_and_back(lib: Library, tmp_path: Path) -> None:
    case_id = _ready_case(lib, tmp_path)
    assert lib.get_case(case_id).state == "ready"
    chat = next(e for e in lib.list_evidence(case_id) if e.kind == "chat_record")
    lib.remove_evidence(chat.id)
    assert lib.get_case(case_id).state == "draft"
    lib.restore_evidence(chat.id)
    assert lib.get_case(case_id).state == "ready"


def test_a_draft_cannot_be_submitted(lib: Library) -> None:
    case = lib.create_case("fake_transaction", "X1")
    with pytest.raises(WorkflowError, match="not ready to submit") as err:
        lib.move_case(case.id, "submitted")
    assert "草稿" in err.value.message_zh or "未" in err.value.message_zh
    assert lib.get_case(case.id).state == "draft"


def test_submit_reject_resubmit_carries_evidence(lib: Library, tmp_path: Path) -> None:
    case_id = _ready_case(lib, tmp_path)
    lib.record("export.dossier", case_id, sha256="d" * 64)
    lib.record("export.pack", case_id, sha256="p" * 64)
    today = date.today()
    friday = today - timedelta(days=(today.weekday() - 4) % 7)  # the latest Friday, or today
    case = lib.move_case(case_id, "submitted", on=friday)
    assert case.submitted_on == friday
    assert case.submitted_dossier_sha256 == "d" * 64
    assert case.submitted_pack_sha256 == "p" * 64
    with pytest.raises(WorkflowError, match="resubmit"):
        lib.resubmit_case(case_id)
    with pytest.raises(WorkflowError, match="before the submission"):
        lib.move_case(case_id, "rejected", on=friday - timedelta(days=1))
    with pytest.raises(WorkflowError, match="in the future"):
        lib.move_case(case_id, "rejected", on=today + timedelta(days=1))
    lib.move_case(case_id, "rejected", on=today)
    with pytest.raises(WorkflowError, match="cannot be submitted again"):
        lib.move_case(case_id, "submitted")
    second = lib.resubmit_case(case_id)
    assert second.parent_id == case_id and second.attempt_no == 2
    assert second.state == "ready"
    first_hashes = sorted(e.sha256 for e in lib.list_evidence(case_id))
    assert sorted(e.sha256 for e in lib.list_evidence(second.id)) == first_hashes
    moves = [(e.detail["before"], e.detail["after"]) for e in lib.audit_log(case_id)
             if e.action == "case.state"]
    assert ("ready", "submitted") in moves and ("submitted", "rejected") in moves


def test_logistics_dispute_pauses_with_a_reason_and_resumes(lib: Library) -> None:
    case = lib.create_case("logistics_service_dispute", "LM1", paid_on=date(2026, 11, 2))
    assert case.state == "refund_requested"
    lib.move_case(case.id, "negotiating")
    with pytest.raises(WorkflowError, match="reason"):
        lib.move_case(case.id, "paused")
    paused = lib.move_case(case.id, "paused", reason="court_or_police_case: Ningbo court 2026-88")
    assert paused.state == "paused"
    resumed = lib.move_case(case.id, "negotiating")
    assert resumed.state == "negotiating"


def test_composer_never_overwrites_edits(lib: Library, tmp_path: Path) -> None:
    case_id = _ready_case(lib, tmp_path)
    case, action = lib.compose_statement(case_id)
    assert action == "replaced"
    assert "2026110500123" in case.statement_en and case.statement_en.isascii()
    assert "A-1" in case.statement_en and "B-1" in case.statement_en
    assert case.statement_zh and not case.statement_edited
    edited = case.statement_en.replace("Dear", "Hello")
    lib.set_statement(case_id, edited, case.statement_zh, composed=False)
    assert lib.get_case(case_id).statement_edited
    lib.update_case(case_id, amount="99")
    case, action = lib.compose_statement(case_id)
    assert action == "outdated"
    assert case.statement_en == edited
    case, action = lib.compose_statement(case_id, force=True)
    assert action == "replaced" and "99.00" in case.statement_en


def test_check_warns_about_chinese_left_in_the_statement(lib: Library, tmp_path: Path) -> None:
    case_id = _ready_case(lib, tmp_path)
    lib.set_statement(case_id, "The buyer 拒绝付款 never paid. See Exhibit A-1.", "",
                      composed=False)
    codes = {w.code for w in lib.check(case_id).warnings}
    assert "statement_not_english" in codes
    lib.set_statement(case_id, "The buyer never paid. See Exhibit A-1.", "", composed=False)
    assert "statement_not_english" not in {w.code for w in lib.check(case_id).warnings}
