"""A state move is one transaction, checked against the case's version as it was read."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import factories
import pytest
from sqlalchemy import event, text

from evidence_desk.core.checklist import Checklist
from evidence_desk.library.service import Library, StaleEdit


def _ready_case(lib: Library, tmp_path: Path) -> int:
    case = lib.create_case("fake_transaction", "2026110500123", buyer_name="Lucas",
                           completed_on=date.today() - timedelta(days=10),
                           demand="Restrict the buyer's trading")
    lib.add_paths(case.id, [factories.chat_screenshot(tmp_path / "c.png", ["请付款"])],
                  kind="chat_record")
    lib.add_paths(case.id, [factories.order_screenshot(tmp_path / "o.png", "2026110500123")],
                  kind="order_screenshot")
    return case.id


def test_only_one_transaction_writes_during_a_move(tmp_path: Path) -> None:
    with Library.open(tmp_path / "lib") as lib:
        case_id = _ready_case(lib, tmp_path)
        # A draft whose checklist is met (as after a rules update): the move records "ready"
        # and "submitted" together.
        with lib.engine.begin() as conn:
            conn.execute(text("UPDATE cases SET state = 'draft' WHERE id = :id"), {"id": case_id})
        writing: list[int] = []
        current: list[bool] = [False]

        def on_execute(_conn, _cursor, sql: str, *_args: object) -> None:
            if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
                current[0] = True

        def on_commit(_conn) -> None:
            if current[0]:
                writing.append(1)
            current[0] = False

        event.listen(lib.engine, "before_cursor_execute", on_execute)
        event.listen(lib.engine, "commit", on_commit)
        assert lib.move_case(case_id, "submitted").state == "submitted"
        assert len(writing) == 1
        moves = [(e.detail["before"], e.detail["after"]) for e in lib.audit_log(case_id)
                 if e.action == "case.state"]
        assert moves[-2:] == [("draft", "ready"), ("ready", "submitted")]


def test_a_move_on_a_case_changed_meanwhile_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    with Library.open(folder) as first:
        case_id = _ready_case(first, tmp_path)
    other = Library.open(folder)

    class Desk(Library):
        # The other desk changes the case while this one is judging the move.
        def check(self, case_id: int, today: date | None = None) -> Checklist:
            result = super().check(case_id, today)
            other.update_case(case_id, title="changed at the other desk")
            return result

    with Desk(folder) as desk:
        before = desk.get_case(case_id)
        with pytest.raises(StaleEdit):
            desk.move_case(case_id, "submitted")
        after = desk.get_case(case_id)
        assert after.state == before.state == "ready"
        assert after.title == "changed at the other desk"
        assert not [e for e in desk.audit_log(case_id)
                    if e.action == "case.state" and e.detail["after"] == "submitted"]
    other.close()


def test_set_state_is_not_public() -> None:
    assert not hasattr(Library, "set_state")
