from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from evidence_desk.core.rules import Rules, RulesError, load_rules
from evidence_desk.paths import RULES_DIR

SEED_TABLE = {
    "fake_transaction": ("虚假交易", ["order_screenshot", "chat_record"]),
    "quality_dispute": ("商品质量问题", ["product_photo", "logistics_record", "return_record"]),
    "service_failure": ("服务不到位", ["order_screenshot", "logistics_record"]),
    "transaction_fraud": ("交易欺诈", ["identity_document", "transaction_record"]),
}


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules(RULES_DIR)


# --- the shipped rules --------------------------------------------------------------------------


def test_shipped_rules_load(rules: Rules) -> None:
    assert list(rules.types) == [*SEED_TABLE, "logistics_service_dispute"]
    assert list(rules.kinds) == [
        "order_screenshot", "chat_record", "product_photo", "logistics_record",
        "return_record", "identity_document", "transaction_record", "other",
    ]
    assert rules.folder == RULES_DIR
    assert json.loads(json.dumps(rules.to_json(), ensure_ascii=False)) == rules.to_json()


@pytest.mark.parametrize("key", list(SEED_TABLE))
def test_seed_types_require_exactly_the_seed_tables_evidence(rules: Rules, key: str) -> None:
    zh, required = SEED_TABLE[key]
    ctype = rules.type(key)
    assert ctype.zh == zh
    assert ctype.flow == "complaint"
    assert [r.kinds for r in ctype.requirements if r.required] == [(k,) for k in required]
    assert all(r.level == "required" and r.min == 1 for r in ctype.requirements)
    # The seed: complaints are possible within 15 days after the transaction completes.
    assert (ctype.window_days, ctype.window_from, ctype.window_working_days) == (
        15, "completed_on", False)


def test_logistics_service_dispute(rules: Rules) -> None:
    ctype = rules.type("logistics_service_dispute")
    assert ctype.flow == "logistics"
    assert [(r.kinds, r.level) for r in ctype.requirements] == [
        (("transaction_record",), "required"),
        (("chat_record",), "required"),
        (("logistics_record",), "recommended"),
    ]
    # Refunds are requested after payment and before acceptance.
    assert (ctype.window_from, ctype.window_until) == ("paid_on", "accepted_on")


def test_kind_labels_match_the_design(rules: Rules) -> None:
    assert {k: v.zh for k, v in rules.kinds.items()} == {
        "order_screenshot": "订单截图", "chat_record": "聊天记录", "product_photo": "商品图片",
        "logistics_record": "物流信息", "return_record": "退换货记录",
        "identity_document": "身份证信息", "transaction_record": "交易记录", "other": "其他",
    }
    assert rules.kind("chat_record").label("en") == "Chat record"


def test_platform_and_sources(rules: Rules) -> None:
    p = rules.platform
    assert p.zip_max_bytes == 2 * 1024 * 1024
    assert (p.result_working_days_min, p.result_working_days_max) == (1, 3)
    assert p.statement_ascii_only and p.visible_to_other_party and p.one_zip_per_kind
    assert "jpg" in p.attachment_extensions and "png" not in p.attachment_extensions
    assert p.window_closing_days == 3
    chat_sources = [s.key for s in rules.sources.values() if s.platform_chat]
    assert chat_sources == ["alibaba_chat"]
    assert {"email", "whatsapp", "wechat", "other"} <= set(rules.sources)


# --- malformed files ----------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "rules"
    shutil.copytree(RULES_DIR, copy)
    return copy


def edit(folder: Path, name: str, old: str, new: str, after: str = "") -> int:
    """Replace the first `old` following `after` in one rules file; return the line `new` starts on."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    start = text.index(after) if after else 0
    at = text.index(old, start)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")
    return text.count("\n", 0, at) + 1


def load_error(folder: Path, name: str) -> str:
    with pytest.raises(RulesError) as caught:
        load_rules(folder)
    message = str(caught.value)
    assert str(folder / name) in message
    return message


def line_in(message: str) -> int:
    found = re.search(r"\bline (\d+)\b", message)
    assert found, message
    return int(found.group(1))


def test_bad_toml_syntax(folder: Path) -> None:
    line = edit(folder, "complaint_types.toml", 'en = "Service failure"', 'en = "Service failure')
    message = load_error(folder, "complaint_types.toml")
    assert line_in(message) == line


def test_unknown_kind_in_requirement(folder: Path) -> None:
    line = edit(folder, "complaint_types.toml", '"return_record"', '"return_recrd"')
    message = load_error(folder, "complaint_types.toml")
    assert "type 'quality_dispute'" in message and "'return_recrd'" in message
    assert line_in(message) == line


def test_unknown_requirement_level(folder: Path) -> None:
    line = edit(folder, "complaint_types.toml", 'level = "required"', 'level = "must"',
                after='kind = "logistics_record"')
    message = load_error(folder, "complaint_types.toml")
    assert "'must'" in message and "type 'quality_dispute'" in message
    assert line_in(message) == line


def test_missing_field_points_at_its_table(folder: Path) -> None:
    key_line = edit(folder, "complaint_types.toml", 'key = "service_failure"',
                    'key = "service_failure"')
    edit(folder, "complaint_types.toml", 'reason_en = "Shipment was late, or the logistics '
         'information was not updated after shipping"\n', "")
    message = load_error(folder, "complaint_types.toml")
    assert "type 'service_failure': missing `reason_en`" in message
    assert line_in(message) == key_line


def test_wrong_type(folder: Path) -> None:
    line = edit(folder, "complaint_types.toml", "window_days = 15", 'window_days = "15"',
                after='key = "transaction_fraud"')
    message = load_error(folder, "complaint_types.toml")
    assert "type 'transaction_fraud': `window_days` must be int, not str" in message
    assert line_in(message) == line


def test_wrong_type_in_platform(folder: Path) -> None:
    line = edit(folder, "platform.toml", "zip_max_bytes = 2097152", 'zip_max_bytes = "2 MB"')
    message = load_error(folder, "platform.toml")
    assert "`zip_max_bytes` must be int" in message
    assert line_in(message) == line


def test_duplicate_toml_key(folder: Path) -> None:
    line = edit(folder, "complaint_types.toml", 'en = "Service failure"\n',
                'en = "Service failure"\nen = "Late shipping"\n')
    message = load_error(folder, "complaint_types.toml")
    assert line_in(message) == line + 1


def test_duplicate_type_key(folder: Path) -> None:
    line = edit(folder, "complaint_types.toml", 'key = "service_failure"',
                'key = "fake_transaction"')
    message = load_error(folder, "complaint_types.toml")
    assert "type 'fake_transaction' is defined twice" in message
    assert line_in(message) == line


def test_duplicate_kind_key(folder: Path) -> None:
    line = edit(folder, "evidence_kinds.toml", 'key = "product_photo"', 'key = "chat_record"')
    message = load_error(folder, "evidence_kinds.toml")
    assert "kind 'chat_record' is defined twice" in message
    assert line_in(message) == line




def test_wrong_type_in_a_kind_whose_key_is_a_common_word(folder: Path) -> None:
    # "other" first appears inside "another" in chat_record's hint.
    line = edit(folder, "evidence_kinds.toml", 'letter = "H"', "letter = 8")
    message = load_error(folder, "evidence_kinds.toml")
    assert line_in(message) == line


def test_missing_field_in_a_kind_whose_key_is_a_common_word(folder: Path) -> None:
    key_line = edit(folder, "evidence_kinds.toml", 'key = "other"', 'key = "other"')
    edit(folder, "evidence_kinds.toml", 'letter = "H"\n', "")
    message = load_error(folder, "evidence_kinds.toml")
    assert "kind 'other': missing `letter`" in message
    assert line_in(message) == key_line


def test_wrong_type_in_a_source_whose_key_is_a_common_word(folder: Path) -> None:
    line = edit(folder, "sources.toml", "platform_chat = false", 'platform_chat = "no"',
                after='key = "other"')
    message = load_error(folder, "sources.toml")
    assert "source 'other'" in message
    assert line_in(message) == line


def test_empty_field_in_a_later_table(folder: Path) -> None:
    line = edit(folder, "complaint_types.toml", 'zh = "商品质量问题"', 'zh = " "')
    message = load_error(folder, "complaint_types.toml")
    assert "type 'quality_dispute': `zh` is empty" in message
    assert line_in(message) == line


def test_bad_min_in_a_later_requirement(folder: Path) -> None:
    line = edit(folder, "complaint_types.toml", '{ kind = "return_record", level = "required", '
                "min = 1 }", '{ kind = "return_record", level = "required", min = 0 }')
    message = load_error(folder, "complaint_types.toml")
    assert "type 'quality_dispute': requirement `min`" in message
    assert line_in(message) == line


def test_wrong_type_when_a_longer_field_name_comes_first(folder: Path) -> None:
    # `reason_zh =` contains `zh =`; a user may well put the reason before the label.
    edit(folder, "complaint_types.toml", 'zh = "服务不到位"\n', "")
    line = edit(folder, "complaint_types.toml", 'reason_en = "Shipment', 'zh = 3\nreason_en = "Shipment')
    message = load_error(folder, "complaint_types.toml")
    assert "type 'service_failure': `zh` must be str, not int" in message
    assert line_in(message) == line
