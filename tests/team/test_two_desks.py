"""Two desks, two processes, one PostgreSQL database."""

from __future__ import annotations

import time
from pathlib import Path

import factories
import pytest

from evidence_desk.library.service import Library

pytestmark = pytest.mark.postgresql


def test_concurrent_edits_refuse_exactly_one_stale_write_and_lose_nothing(
        team_url: str, tmp_path: Path, desks) -> None:  # type: ignore[no-untyped-def]
    with Library(tmp_path / "setup", db_url=team_url) as lib:
        case = lib.create_case("fake_transaction", "T-1", title="first")
    a, b = desks(team_url, "a"), desks(team_url, "b")
    for round_no in range(3):
        version_a = a.ask(op="case", id=case.id)["version"]
        version_b = b.ask(op="case", id=case.id)["version"]
        assert version_a == version_b
        at = time.time() + 0.5
        a.send(op="update", id=case.id, expected_version=version_a,
               changes={"title": f"by a {round_no}"}, at=at)
        b.send(op="update", id=case.id, expected_version=version_b,
               changes={"title": f"by b {round_no}"}, at=at)
        answers = {"a": a.answer(), "b": b.answer()}
        won = [k for k, v in answers.items() if "ok" in v]
        lost = [k for k, v in answers.items() if "error" in v]
        assert len(won) == 1 and len(lost) == 1, answers
        assert answers[lost[0]]["error"] == "StaleEdit"
        assert "changed elsewhere" in answers[lost[0]]["message"]
        # The winner's edit is what both desks now read: nothing lost, nothing mixed.
        final = a.ask(op="case", id=case.id)
        assert final["title"] == f"by {won[0]} {round_no}"
        assert final["version"] == version_a + 1
        assert b.ask(op="case", id=case.id)["title"] == final["title"]
    with Library(tmp_path / "setup", db_url=team_url) as lib:
        updates = [e for e in lib.audit_log(case.id) if e.action == "case.update"]
        assert len(updates) == 3  # one per round: the refused write left no trace
        assert lib.verify().ok  # the audit chain survived two writers


def test_evidence_added_on_one_desk_is_heard_and_seen_on_the_other(
        team_url: str, tmp_path: Path, desks) -> None:  # type: ignore[no-untyped-def]
    with Library(tmp_path / "setup", db_url=team_url) as lib:
        case = lib.create_case("fake_transaction", "T-2")
    a, b = desks(team_url, "a"), desks(team_url, "b")
    assert b.ask(op="listen") is True
    assert b.ask(op="evidence", id=case.id) == []
    photo = factories.chat_screenshot(tmp_path / "chat.png", ["请先付款", "pay first"])
    sent = time.time()
    [added] = a.ask(op="add", id=case.id, path=str(photo))
    assert added["status"] == "added"
    deadline = time.time() + 5
    heard: list = []
    while time.time() < deadline:
        heard = [h for h in b.ask(op="heard") if h[1] == case.id]
        if heard:
            break
        time.sleep(0.05)
    assert heard, "desk b heard nothing within 5 s"
    assert heard[0][0] - sent < 5
    [item] = b.ask(op="evidence", id=case.id)
    assert item["id"] == added["item_id"] and item["kind"] == "chat_record"


def test_audit_log_names_the_database_user(team_url: str, tmp_path: Path) -> None:
    from teamkit import EDITOR, as_user

    with Library(tmp_path / "desk", db_url=as_user(team_url, EDITOR)) as lib:
        case = lib.create_case("fake_transaction", "T-3")
        assert lib.actor == EDITOR
        assert {e.actor for e in lib.audit_log(case.id)} == {EDITOR}
