"""The phrase API the statement tab calls (no Qt): the bank by section, a case's chosen phrases
added, filled, moved and removed on a real library, and the statement read back with each line's
provenance; a seller's hand edit is kept and marked in the Chinese reading version."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import factories
import pytest

from evidence_desk.core.phrase_choice import OWN_MARK_ZH
from evidence_desk.library import phrasing
from evidence_desk.library.service import Library


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    library = Library.open(tmp_path / "lib")
    yield library
    library.close()


@pytest.fixture
def case_id(lib: Library, tmp_path: Path) -> int:
    case = lib.create_case("service_failure", "SO-778", buyer_name="Ana Lima",
                           completed_on=date(2024, 4, 20), amount="800", currency="EUR")
    order = factories.order_screenshot(tmp_path / "order.png", "SO-778")
    lib.add_paths(case.id, [order], kind="order_screenshot")
    return case.id


def test_the_bank_by_section_for_a_type(lib: Library) -> None:
    groups = phrasing.phrases_for(lib, "service_failure")
    assert list(groups) == ["facts", "demand"]
    ids = [p.id for p in groups["facts"]]
    assert "service.tracking_not_updated" in ids and "common.shipped" in ids
    assert all(p.section == "demand" for p in groups["demand"])
    assert not any(p.id.startswith("logistics.") for p in groups["facts"])


def test_add_fill_move_remove_and_read_back(lib: Library, case_id: int) -> None:
    phrasing.add_phrase(lib, case_id, "service.lead_time", {"days": "30"})
    phrasing.add_phrase(lib, case_id, "service.demand_extend", {"days": "10"})
    phrasing.add_phrase(lib, case_id, "service.carrier_contacted", {"carrier": "ups"}, at=1)
    v = phrasing.view(lib, case_id)
    assert [c.phrase_id for c in v.chosen] == ["service.lead_time", "service.carrier_contacted",
                                              "service.demand_extend"]
    # Prefilled: the order page exhibit and the order number; the contact date is still open.
    assert dict(v.chosen[0].slots) == {"days": "30", "order_page": "A-1"}
    assert dict(v.chosen[2].slots) == {"order_no": "SO-778", "days": "10"}
    assert [w.code for w in v.warnings] == ["phrase_missing_evidence", "phrase_unfilled"]
    assert "[please fill in: contacted on]" in v.en
    case = phrasing.set_slot(lib, case_id, 1, "contacted_on", "2024-04-09")
    assert "We contacted UPS on 2024-04-09 about the missing tracking updates." in case.statement_en
    assert "我们于 2024年4月9日 就物流信息未更新一事联系了 UPS 快递。" in case.statement_zh
    with pytest.raises(phrasing.PhraseRefused, match="'contacted_on'.*not a date"):
        phrasing.set_slot(lib, case_id, 1, "contacted_on", "9 April")
    phrasing.move_phrase(lib, case_id, 2, 0)
    phrasing.remove_phrase(lib, case_id, 2)
    v = phrasing.view(lib, case_id)
    assert [c.phrase_id for c in v.chosen] == ["service.demand_extend", "service.lead_time"]
    lines = {s.phrase_id: s for s in v.segments if s.source == "phrase"}
    assert lines["service.lead_time"].section == "facts" and lines["service.lead_time"].index == 1
    assert v.demand_en == "We ask the platform to extend the delivery time of order SO-778 by 10 days."
    assert {s.source for s in v.segments} >= {"frame", "phrase", "exhibits", "blank"}
    assert lib.audit_log(case_id)[-1].action == "case.statement"


def test_own_sentence_and_hand_edit_are_marked_and_kept(lib: Library, case_id: int) -> None:
    phrasing.add_phrase(lib, case_id, "service.lead_time", {"days": "30"})
    case = phrasing.add_own(lib, case_id, "The buyer changed the colour twice.")
    assert OWN_MARK_ZH + "The buyer changed the colour twice." in case.statement_zh
    edited = case.statement_en.replace("What happened:\n", "What happened:\nWe packed on time.\n")
    lib.set_statement(case_id, edited, case.statement_zh, composed=False)
    case = phrasing.add_phrase(lib, case_id, "service.demand_extend", {"days": "5"})
    # The seller's edit stays; the Chinese reading follows it and marks the typed line.
    assert case.statement_edited and "We packed on time." in case.statement_en
    assert OWN_MARK_ZH + "We packed on time." in case.statement_zh
    assert "订单页面载明交期为付款后 30 天" in case.statement_zh
    v = phrasing.view(lib, case_id)
    assert v.edited and v.en == case.statement_en and v.zh == case.statement_zh
    en, zh = phrasing.preview(lib, case_id, "service.demand_extend", {"days": "5"})
    assert en == "We ask the platform to extend the delivery time of order SO-778 by 5 days."
    assert zh == "恳请平台将订单 SO-778 的交货时间延长 5 天。"


def test_a_resubmitted_attempt_carries_the_phrases(lib: Library, case_id: int) -> None:
    phrasing.add_phrase(lib, case_id, "service.lead_time", {"days": "30"})
    copy = lib.duplicate_case(case_id, as_attempt=True)
    assert [p["phrase"] for p in copy.statement_phrases] == ["service.lead_time"]


@pytest.mark.sqlite_only
def test_a_library_from_before_phrases_migrates_with_none_chosen(tmp_path: Path) -> None:
    from alembic import command

    from evidence_desk.library.db import _alembic_config, make_engine

    folder = tmp_path / "old"
    folder.mkdir()
    engine = make_engine(f"sqlite:///{folder / 'library.sqlite3'}")
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
        conn.exec_driver_sql(
            "INSERT INTO cases (type_key, order_no, title, currency, reason, demand, notes, "
            "state, state_reason, other_channel_agreed, carrier_changed, statement_en, "
            "statement_zh, statement_composed_sha256, attempt_no, submitted_dossier_sha256, "
            "submitted_pack_sha256, archived, created_at, updated_at, version) VALUES "
            "('fake_transaction', 'OLD-2', '', 'USD', '', '', '', 'draft', '', 0, 0, "
            "'Old text', '', '', 1, '', '', 0, '2026-01-01', '2026-01-01', 1)")
    engine.dispose()
    lib = Library.open(folder)
    try:
        [case] = lib.list_cases()
        assert case.statement_phrases == () and case.statement_en == "Old text"
        phrasing.add_phrase(lib, case.id, "fake.demand_credit")
        assert lib.get_case(case.id).statement_phrases[0]["phrase"] == "fake.demand_credit"
    finally:
        lib.close()


def test_bundle_manifests_carry_phrases_and_old_ones_have_none(lib: Library,
                                                               case_id: int) -> None:
    import json

    from evidence_desk.library.bundle import (
        BundleError,
        BundleLimits,
        build_manifest,
        parse_manifest,
    )

    phrasing.add_phrase(lib, case_id, "service.lead_time", {"days": "30"})
    manifest = build_manifest(lib, case_id)
    plan = parse_manifest(json.dumps(manifest).encode(), lib.rules, BundleLimits())
    assert plan.case["statement_phrases"] == [
        {"phrase": "service.lead_time", "section": "facts",
         "slots": {"days": "30", "order_page": "A-1"}}]
    del manifest["case"]["statement_phrases"]
    plan = parse_manifest(json.dumps(manifest).encode(), lib.rules, BundleLimits())
    assert plan.case["statement_phrases"] == []
    manifest["case"]["statement_phrases"] = [{"phrase": "x", "slots": "oops"}]
    with pytest.raises(BundleError, match=r"case\.statement_phrases\[0\]"):
        parse_manifest(json.dumps(manifest).encode(), lib.rules, BundleLimits())
