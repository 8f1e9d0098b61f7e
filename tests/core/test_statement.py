"""The statement composer: exhibit numbering, every template in both languages, ASCII-only English,
and never overwriting the seller's edits."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from evidence_desk.core.rules import Rules, RulesError, load_rules
from evidence_desk.core.statement import (
    FACTS,
    KEPT_EDITS,
    OUTDATED,
    REPLACED,
    UNCHANGED,
    ComposeResult,
    ExhibitRef,
    compose,
    exhibit_numbers,
    exhibit_refs,
    is_edited,
    load_template,
    refresh,
    text_hash,
    to_ascii,
)
from evidence_desk.core.types import BuyerInfo, CaseInfo, EvidenceInfo
from evidence_desk.core.wording import check_wording

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
STATEMENTS = RESOURCES / "statements"


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules(RESOURCES / "rules")


def _item(id: int, kind: str, position: int, caption: str = "") -> EvidenceInfo:
    return EvidenceInfo(id=id, case_id=1, kind=kind, sha256=f"{id:064x}", size=100,
                        mime="image/png", original_name=f"f{id}.png", caption=caption,
                        position=position)


def _case(type_key: str, **changes: object) -> CaseInfo:
    base = CaseInfo(
        id=1, type_key=type_key, order_no="20240503123456789",
        buyer=BuyerInfo(id=1, name="John Smith", company="Smith Imports Ltd", country="Brazil",
                        member_id="br1234567"),
        completed_on=date(2024, 5, 3), paid_on=date(2024, 4, 20),
        refund_requested_on=date(2024, 4, 25),
        amount=Decimal("12500.5"), currency="USD",
        reason="The buyer confirmed the order on 28 April and has not paid since.",
        demand="Deduct the buyer's credit points and restrict the account from trading.",
    )
    return replace(base, **changes)


def _exhibits_for(type_key: str, rules: Rules) -> list[ExhibitRef]:
    """Two exhibits of every kind the type asks for, plus one 'other'."""
    kinds = [k for r in rules.type(type_key).requirements for k in r.kinds] + ["other"]
    items = [_item(i * 2 + j, k, i * 2 + j, f"{k} {j}") for i, k in enumerate(kinds)
             for j in range(2)]
    return exhibit_refs(items, rules)


# Exhibit numbering --------------------------------------------------------------------------------


def test_exhibit_numbers_per_kind_in_order_of_position(rules: Rules) -> None:
    items = [
        _item(10, "chat_record", 3), _item(11, "order_screenshot", 5),
        _item(12, "chat_record", 1), _item(13, "order_screenshot", 2),
        _item(14, "logistics_record", 0), _item(15, "chat_record", 1),
    ]
    assert exhibit_numbers(items, rules) == {
        14: "D-1", 12: "B-1", 15: "B-2", 13: "A-1", 10: "B-3", 11: "A-2",
    }
    assert [r.number for r in exhibit_refs(items, rules)] == [
        "A-1", "A-2", "B-1", "B-2", "B-3", "D-1"]


def test_exhibit_numbers_sort_numerically_and_survive_unknown_kinds(rules: Rules) -> None:
    items = [_item(i, "chat_record", i) for i in range(1, 12)] + [_item(99, "retired_kind", 0)]
    refs = exhibit_refs(items, rules)
    assert [r.number for r in refs][-3:] == ["B-10", "B-11", "H-1"]
    assert exhibit_numbers(items, rules)[99] == "H-1"


# Every template, both languages -----------------------------------------------------------------


def test_every_complaint_type_has_a_template(rules: Rules) -> None:
    for key in rules.types:
        for lang in ("en", "zh"):
            assert load_template(STATEMENTS, key, lang, rules)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("type_key", [
    "fake_transaction", "quality_dispute", "service_failure", "transaction_fraud",
    "logistics_service_dispute",
])
def test_compose_each_type(rules: Rules, type_key: str, lang: str) -> None:
    case = _case(type_key)
    exhibits = _exhibits_for(type_key, rules)
    text = compose(case, exhibits, rules, lang, STATEMENTS)
    if lang == "en":
        assert text.isascii()
        assert "Smith Imports Ltd" in text and "John Smith" in text
    assert "20240503123456789" in text
    assert "USD 12,500.50" in text
    assert case.reason in text and case.demand in text
    for e in exhibits:
        assert e.number in text
    assert rules.type(type_key).label(lang) in text
    assert "${" not in text and "[please" not in text and "[请填写" not in text
    # Exhibits are listed grouped by kind, under the kind's label, in exhibit order.
    for key in {e.kind for e in exhibits}:
        assert rules.kind(key).label(lang) in text
    numbers = re.findall(r"^- ([A-Z]-\d+)", text, re.MULTILINE)
    assert numbers == [e.number for e in exhibits]
    # The composed statement passes its own wording check.
    flags = check_wording(text, lang=lang, exhibit_numbers={e.number for e in exhibits},
                          demand=case.demand)
    assert flags == []


def test_dates_in_each_language(rules: Rules) -> None:
    case = _case("logistics_service_dispute")
    en = compose(case, [], rules, "en", STATEMENTS)
    zh = compose(case, [], rules, "zh", STATEMENTS)
    assert "paid on 2024-04-20" in en and "requested a refund on 2024-04-25" in en
    assert "2024年4月20日" in zh and "2024年4月25日" in zh
    assert "No exhibits are attached yet." in en
    assert "尚未附上证据" in zh


def test_citations_point_at_the_right_kind(rules: Rules) -> None:
    refs = [ExhibitRef("C-1", "product_photo"), ExhibitRef("C-2", "product_photo"),
            ExhibitRef("D-1", "logistics_record")]
    text = compose(_case("quality_dispute"), refs, rules, "en", STATEMENTS)
    assert "as shipped (see Exhibits C-1, C-2)" in text
    assert "logistics record (see Exhibit D-1)" in text
    # No return record: the statement does not claim one (the template line is left out).
    assert "return and exchange record" not in text
    assert "\n\n\n" not in text
    zh = compose(_case("quality_dispute"), refs, rules, "zh", STATEMENTS)
    assert "(见证据 C-1、C-2)" in zh


# Non-English user text in the English statement --------------------------------------------------


def test_chinese_user_text_becomes_translate_markers_in_english(rules: Rules) -> None:
    case = _case(
        "fake_transaction",
        buyer=BuyerInfo(id=1, name="王小明", company="深圳某某贸易有限公司", country="中国",
                        member_id="cn1500"),
        reason="买家下单后一直不付款,多次催促无果。",
        demand="扣除买家信用积分并限制交易",
    )
    refs = [ExhibitRef("A-1", "order_screenshot", "订单详情页"),
            ExhibitRef("B-1", "chat_record", "Chat on 2 May")]
    en = compose(case, refs, rules, "en", STATEMENTS)
    assert en.isascii()
    for marker in ("[please translate: buyer name]", "[please translate: buyer company]",
                   "[please translate: buyer country]", "[please translate: what happened]",
                   "[please translate: what you ask the platform to do]"):
        assert marker in en
    assert "member ID cn1500" in en
    # A caption that cannot be written in ASCII is left out; the kind heading still says what
    # the file is, and an ASCII caption stays.
    assert "- A-1\n" in en and "- B-1: Chat on 2 May" in en
    flags = check_wording(en, lang="en", exhibit_numbers={"A-1", "B-1"}, demand=case.demand)
    assert [f.code for f in flags].count("placeholder") == 5
    assert all(en[f.start:f.end].startswith("[please translate:")
               for f in flags if f.code == "placeholder")
    assert "non_english" not in {f.code for f in flags}
    # The Chinese statement keeps the seller's own words where the English marks them for
    # translation; a caption the English left out is left out of the reading version too.
    zh = compose(case, refs, rules, "zh", STATEMENTS)
    assert "王小明" in zh and case.reason in zh
    assert "订单详情页" not in zh and "- A-1\n" in zh and "- B-1:Chat on 2 May" in zh


def test_folding_keeps_meaning_where_ascii_can(rules: Rules) -> None:
    assert to_ascii("José Müller") == "Jose Muller"
    assert to_ascii("ＡＢＣ１２３") == "ABC123"
    assert to_ascii("“quoted” – it’s…") == "\"quoted\" - it's..."
    assert to_ascii("Straße Ørsted Łódź") == "Strasse Orsted Lodz"
    assert to_ascii("王") is None
    assert to_ascii("Иван") is None
    case = _case("fake_transaction",
                 buyer=BuyerInfo(id=1, name="José Müller", company="Ａｃｍｅ GmbH",
                                 country="España"),
                 reason="The buyer’s “order” was cancelled – twice…")
    en = compose(case, [], rules, "en", STATEMENTS)
    assert en.isascii()
    assert "Jose Muller (Acme GmbH, Espana)" in en
    assert "The buyer's \"order\" was cancelled - twice..." in en


def test_missing_facts_become_fill_in_markers(rules: Rules) -> None:
    case = CaseInfo(id=2, type_key="transaction_fraud", order_no="", currency="USD")
    en = compose(case, [], rules, "en", STATEMENTS)
    for what in ("order number", "order amount", "date the transaction was completed",
                 "buyer name", "what happened", "what you ask the platform to do"):
        assert f"[please fill in: {what}]" in en
    zh = compose(case, [], rules, "zh", STATEMENTS)
    assert "[请填写:订单号]" in zh and "[请填写:诉求]" in zh


def test_ascii_rule_follows_the_platform_profile(rules: Rules) -> None:
    relaxed = replace(rules, platform=replace(rules.platform, statement_ascii_only=False))
    case = _case("fake_transaction", reason="买家未付款")
    assert "买家未付款" in compose(case, [], relaxed, "en", STATEMENTS)


# Template problems name the file and line ---------------------------------------------------------


def _copy_templates(tmp_path: Path) -> Path:
    dst = tmp_path / "statements"
    shutil.copytree(STATEMENTS, dst)
    return dst


def test_unknown_placeholder_names_file_and_line(rules: Rules, tmp_path: Path) -> None:
    folder = _copy_templates(tmp_path)
    path = folder / "fake_transaction.toml"
    text = path.read_text(encoding="utf-8").replace("${demand}", "${wish}", 1)
    path.write_text(text, encoding="utf-8")
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "${wish}" in s)
    with pytest.raises(RulesError, match=rf"fake_transaction\.toml, line {line}: .*\$\{{wish\}}"):
        compose(_case("fake_transaction"), [], rules, "en", folder)


def test_non_ascii_english_template_is_refused(rules: Rules, tmp_path: Path) -> None:
    folder = _copy_templates(tmp_path)
    path = folder / "service_failure.toml"
    text = path.read_text(encoding="utf-8").replace("Our request:", "Our request\uff1a", 1)
    path.write_text(text, encoding="utf-8")
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "\uff1a" in s)
    with pytest.raises(RulesError, match=rf"service_failure\.toml, line {line}: .*non-English"):
        compose(_case("service_failure"), [], rules, "en", folder)


def test_missing_template_is_a_rules_error(rules: Rules, tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="no statement template for complaint type"):
        compose(_case("fake_transaction"), [], rules, "en", tmp_path)


def test_facts_list_is_documented_in_common_toml() -> None:
    common = (STATEMENTS / "common.toml").read_text(encoding="utf-8")
    for name in FACTS:
        assert "${" + name + "}" in common


# Seller edits are never overwritten silently --------------------------------------------------------


def test_hash_ignores_line_endings_and_trailing_space() -> None:
    assert text_hash("a\nb\n") == text_hash("a \r\nb")
    assert text_hash("a\nb") != text_hash("a\nc")


def test_refresh_replaces_unedited_text(rules: Rules) -> None:
    first = ComposeResult.of(compose(_case("fake_transaction"), [], rules, "en", STATEMENTS))
    assert not is_edited(first.text, first.composed_hash)
    second = ComposeResult.of(compose(_case("fake_transaction", order_no="999"), [], rules, "en",
                                      STATEMENTS))
    r = refresh(first.text, first.composed_hash, second)
    assert (r.action, r.text, r.composed_hash) == (REPLACED, second.text, second.composed_hash)
    assert refresh(second.text, second.composed_hash, second).action == UNCHANGED
    # Nothing saved yet: the composition is simply taken.
    assert refresh("", "", second).action == REPLACED


def test_refresh_keeps_edits_and_says_when_facts_changed(rules: Rules) -> None:
    first = ComposeResult.of(compose(_case("fake_transaction"), [], rules, "en", STATEMENTS))
    edited = first.text.replace("Dear", "Hello")
    assert is_edited(edited, first.composed_hash)
    same_facts = refresh(edited, first.composed_hash, first)
    assert (same_facts.action, same_facts.text) == (KEPT_EDITS, edited)
    new_facts = ComposeResult.of(
        compose(_case("fake_transaction", amount=Decimal("99")), [], rules, "en", STATEMENTS))
    r = refresh(edited, first.composed_hash, new_facts)
    assert (r.action, r.text, r.composed_hash) == (OUTDATED, edited, first.composed_hash)
    # Text saved with no composition on record can only be the seller's own.
    assert is_edited("typed by hand", "")
    assert refresh("typed by hand", "", new_facts).action == OUTDATED
