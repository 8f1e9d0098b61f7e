"""The phrase bank: every entry checked (same slots in both languages, ASCII English that passes
the app's own wording check, slot values rendered per type, known evidence kinds), the loader's
errors naming file and line, slot values refused per type, and the reading version marking what
the seller wrote."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from evidence_desk.core import phrase_choice as pc
from evidence_desk.core import phrase_slots as ps
from evidence_desk.core.phrase_choice import Chosen
from evidence_desk.core.phrase_slots import Slot, SlotError
from evidence_desk.core.phrases import PhraseBank, load_bank
from evidence_desk.core.rules import Rules, RulesError, load_rules
from evidence_desk.core.statement import ExhibitRef, compose_parts, reading_version
from evidence_desk.core.types import BuyerInfo, CaseInfo
from evidence_desk.core.wording import check_wording

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
PHRASES = RESOURCES / "phrases"
STATEMENTS = RESOURCES / "statements"
TYPES = ("fake_transaction", "quality_dispute", "service_failure", "transaction_fraud",
         "logistics_service_dispute")
# Flags about a whole statement (its demand, its citations), not about one sentence's wording.
_STATEMENT_LEVEL = {"no_demand", "no_exhibit", "unknown_exhibit"}


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules(RESOURCES / "rules")


@pytest.fixture(scope="module")
def bank(rules: Rules) -> PhraseBank:
    return load_bank(PHRASES, rules)


def _case(type_key: str = "fake_transaction", **changes: object) -> CaseInfo:
    base = CaseInfo(id=1, type_key=type_key, order_no="2024050312345",
                    buyer=BuyerInfo(id=1, name="Bob", member_id="br1234567"),
                    completed_on=date(2024, 5, 10), paid_on=date(2024, 4, 20),
                    amount=Decimal("480.00"), currency="EUR")
    return replace(base, **changes)


# Every entry ------------------------------------------------------------------------------------


def test_every_type_has_15_to_30_phrases_with_facts_and_demands(bank: PhraseBank) -> None:
    for key in TYPES:
        groups = bank.grouped(key)
        total = len(groups["facts"]) + len(groups["demand"])
        assert 15 <= total <= 30, (key, total)
        assert len(groups["facts"]) >= 8 and len(groups["demand"]) >= 3, key


def test_every_entry_has_the_same_slots_on_both_sides_and_ascii_english(
        bank: PhraseBank, rules: Rules) -> None:
    assert len(bank.phrases) > 80
    for p in bank.phrases.values():
        en_slots = re.findall(r"\{(\w+)\}", p.en)
        zh_slots = re.findall(r"\{(\w+)\}", p.zh)
        assert sorted(en_slots) == sorted(zh_slots) == sorted(s.name for s in p.slots), p.id
        assert p.en.isascii(), p.id
        assert re.search(r"[\u4e00-\u9fff]", p.zh), p.id
        assert p.section in ("facts", "demand")
        for k in p.kinds:
            assert k in rules.kinds, (p.id, k)
        for s in p.slots:
            assert s.type in ps.SLOT_TYPES
            assert not s.kind or s.kind in rules.kinds


def test_every_entry_renders_its_slot_values_and_passes_the_wording_check(
        bank: PhraseBank, rules: Rules) -> None:
    exhibits = [ExhibitRef(f"{rules.kinds[k].letter}-1", k) for k in rules.kinds]
    for p in bank.phrases.values():
        values = {}
        for s in p.slots:
            sample = ps.sample_value(s, bank.carriers)
            if s.type == "exhibit":
                sample = f"{rules.kinds[s.kind].letter}-1" if s.kind else "A-1"
            values[s.name] = ps.parse_value(s, sample, carriers=bank.carriers)
        item = Chosen(p.id, tuple(values.items()), p.section)
        [sentence] = pc.render([item], bank, exhibits)
        assert sentence.missing_slots == (), p.id
        for lang, text in (("en", sentence.en), ("zh", sentence.zh)):
            assert "{" not in text and "[please" not in text and "[请填写" not in text, p.id
            for s in p.slots:
                assert ps.render_value(s, values[s.name], lang, bank.carriers) in text, (p.id, s)
        assert sentence.en.isascii(), p.id
        numbers = [e.number for e in exhibits]
        demand = sentence.en if p.section == "demand" else "refund USD 1.00"
        flags = check_wording(sentence.en, lang="en", exhibit_numbers=numbers, demand=demand)
        bad = [f for f in flags if f.code not in _STATEMENT_LEVEL]
        assert bad == [], (p.id, [(f.code, sentence.en[f.start:f.end]) for f in bad])


def test_the_seeds_reasons_and_outcomes_are_covered(bank: PhraseBank) -> None:
    ids = set(bank.phrases)
    for needed in ("fake.cancelled_unpaid", "fake.never_paid", "quality.claim_not_as_described",
                   "quality.claim_defective", "service.tracking_not_updated",
                   "service.shipped_before_due", "fraud.identity_of_another",
                   "fraud.fake_orders", "logistics.refund_requested", "logistics.negotiated",
                   "logistics.intervention_requested", "common.order_placed",
                   "common.payment_due", "common.shipped", "common.delivered",
                   "common.first_complaint", "common.return_agreed_not_sent",
                   "fake.demand_credit", "fake.demand_restrict",
                   "quality.demand_return_shipping", "quality.demand_compensate_units",
                   "fraud.demand_ban"):
        assert needed in ids, needed


def test_json_lists_slots_with_carrier_choices(bank: PhraseBank) -> None:
    entries = {e["id"]: e for e in bank.to_json("service_failure")}
    assert "common.shipped" in entries and "quality.inspected" not in entries
    shipped = entries["common.shipped"]
    assert set(shipped) == {"id", "type", "section", "zh", "en", "slots", "kinds"}
    carrier = next(s for s in shipped["slots"] if s["type"] == "carrier")
    assert "dhl" in carrier["choices"] and "sf_express" in carrier["choices"]
    assert entries["common.shipped"]["type"] == "common"


# Slot values ----------------------------------------------------------------------------------


@pytest.mark.parametrize("slot_type, given, stored, en, zh", [
    ("date", "2024-05-03", "2024-05-03", "2024-05-03", "2024年5月3日"),
    ("amount", "1250", "EUR 1,250.00", "EUR 1,250.00", "EUR 1,250.00"),
    ("amount", "usd 12,500.5", "USD 12,500.50", "USD 12,500.50", "USD 12,500.50"),
    ("amount", "99.9 GBP", "GBP 99.90", "GBP 99.90", "GBP 99.90"),
    ("count", "1,200", "1200", "1200", "1200"),
    ("days", "0", "0", "0", "0"),
    ("order_no", "2024050312345", "2024050312345", "2024050312345", "2024050312345"),
    ("tracking_no", "SF1234567890", "SF1234567890", "SF1234567890", "SF1234567890"),
    ("member_id", "br1234567", "br1234567", "br1234567", "br1234567"),
    ("carrier", "SF Express", "sf_express", "SF Express", "顺丰速运"),
    ("carrier", "顺丰速运", "sf_express", "SF Express", "顺丰速运"),
    ("exhibit", "b-1", "B-1", "B-1", "B-1"),
])
def test_slot_values_are_stored_and_rendered_per_type(bank: PhraseBank, slot_type: str,
                                                      given: str, stored: str, en: str,
                                                      zh: str) -> None:
    slot = Slot("x", slot_type)
    value = ps.parse_value(slot, given, carriers=bank.carriers, exhibits=["A-1", "B-1"],
                           currency="EUR")
    assert value == stored
    assert ps.render_value(slot, value, "en", bank.carriers) == en
    assert ps.render_value(slot, value, "zh", bank.carriers) == zh


@pytest.mark.parametrize("slot_type, given, says", [
    ("date", "2024-13-01", "not a date"),
    ("date", "3 May", "not a date"),
    ("amount", "一千", "not an amount"),
    ("amount", "USD 10 EUR", "not an amount"),
    ("count", "0", "whole number"),
    ("count", "-3", "whole number"),
    ("days", "9999", "whole number"),
    ("order_no", "订单123", "Latin letters"),
    ("order_no", "12 34", "Latin letters"),
    ("tracking_no", "AB", "Latin letters"),
    ("member_id", "买家", "Latin letters"),
    ("carrier", "Pigeon Post", "not a known carrier"),
    ("exhibit", "A-9", "no exhibit A-9"),
    ("exhibit", "first", "not an exhibit number"),
    ("date", " ", "empty"),
])
def test_bad_slot_values_are_refused_naming_the_slot(bank: PhraseBank, slot_type: str,
                                                     given: str, says: str) -> None:
    with pytest.raises(SlotError, match=says) as info:
        ps.parse_value(Slot("shipped_on", slot_type), given, carriers=bank.carriers,
                       exhibits=["A-1"])
    assert "'shipped_on'" in str(info.value) and "\n" not in str(info.value)
    assert "shipped_on" in info.value.message_zh


# Choosing and composing ---------------------------------------------------------------------


def test_prefill_takes_what_the_case_knows(bank: PhraseBank) -> None:
    refs = [ExhibitRef("A-1", "order_screenshot"), ExhibitRef("B-1", "chat_record"),
            ExhibitRef("B-2", "chat_record")]
    case = _case()
    order = pc.prefill(bank.get("common.order_placed"), case, refs, bank)
    assert order == {"order_no": "2024050312345", "order_page": "A-1"}
    assert pc.prefill(bank.get("common.paid"), case, refs, bank) == {
        "amount": "EUR 480.00", "paid_on": "2024-04-20"}
    assert pc.prefill(bank.get("fake.demand_restrict"), case, refs, bank) == {
        "member_id": "br1234567"}
    assert pc.prefill(bank.get("fake.reminded"), case, refs, bank) == {"chat": "B-1"}
    # A Chinese member id cannot fill an ASCII slot: it is left for the seller.
    chinese = _case(buyer=BuyerInfo(id=1, name="王", member_id="王小明"))
    assert pc.prefill(bank.get("fake.demand_restrict"), chinese, refs, bank) == {}


def test_add_move_remove_and_set_slots(bank: PhraseBank) -> None:
    refs = [ExhibitRef("B-1", "chat_record")]
    case = _case()
    a = pc.make_chosen(bank.get("fake.reminded"), {"reminded_on": "2024-05-04"}, case, refs, bank)
    b = pc.make_chosen(bank.get("fake.demand_credit"), {}, case, refs, bank)
    items = pc.add(pc.add([], a), b, at=0)
    assert [c.phrase_id for c in items] == ["fake.demand_credit", "fake.reminded"]
    items = pc.move(items, 0, 5)
    assert [c.phrase_id for c in items] == ["fake.reminded", "fake.demand_credit"]
    items = pc.set_slot(items, 0, "reminded_on", "2024-05-06", bank, refs)
    assert items[0].values == {"reminded_on": "2024-05-06", "chat": "B-1"}
    with pytest.raises(SlotError, match="'chat'"):
        pc.set_slot(items, 0, "chat", "C-3", bank, refs)
    with pytest.raises(SlotError, match="no slot 'nope'"):
        pc.make_chosen(bank.get("fake.reminded"), {"nope": "1"}, case, refs, bank)
    items = pc.remove(items, 1)
    assert [c.phrase_id for c in items] == ["fake.reminded"]
    assert pc.chosen_from_json(pc.chosen_to_json(items)) == items
    with pytest.raises(IndexError):
        pc.remove(items, 3)


def _with(case: CaseInfo, bank: PhraseBank, refs: list[ExhibitRef],
          *picks: tuple[str, dict[str, str]]) -> CaseInfo:
    items = [pc.make_chosen(bank.get(pid), given, case, refs, bank) for pid, given in picks]
    return replace(case, statement_phrases=tuple(pc.chosen_to_json(items)))


def test_phrases_replace_the_case_text_in_both_languages(bank: PhraseBank,
                                                         rules: Rules) -> None:
    refs = [ExhibitRef("A-1", "order_screenshot"), ExhibitRef("B-1", "chat_record")]
    case = _with(_case(reason="买家下单后取消", demand="请处理"), bank, refs,
                 ("fake.cancelled_unpaid", {"ordered_on": "2024-05-01", "cancelled_on": "2024-05-02"}),
                 ("fake.demand_restrict", {}))
    comp = compose_parts(case, refs, rules, STATEMENTS, bank)
    en, zh = comp.text("en"), comp.text("zh")
    assert en.isascii() and "[please" not in en
    assert "cancelled it on 2024-05-02 without paying" in en
    assert "restrict the buyer account br1234567 from trading" in en
    assert "并于 2024年5月2日 取消订单" in zh and "恳请平台限制买家账号 br1234567 的交易" in zh
    assert "买家下单后取消" not in zh and "请处理" not in zh
    assert comp.section("demand", "en") == ("We ask the platform to restrict the buyer account "
                                            "br1234567 from trading.")
    assert comp.warnings == ()


def test_a_phrase_citing_missing_evidence_is_flagged(bank: PhraseBank, rules: Rules) -> None:
    refs = [ExhibitRef("B-1", "chat_record")]
    case = _with(_case("quality_dispute"), bank, refs,
                 ("quality.return_received", {"received_on": "2024-05-20",
                                              "tracking_no": "SF1234567890"}))
    comp = compose_parts(case, refs, rules, STATEMENTS, bank)
    codes = [w.code for w in comp.warnings]
    assert codes == ["phrase_missing_evidence", "phrase_unfilled"]
    assert rules.kinds["return_record"].en in comp.warnings[0].message
    assert rules.kinds["return_record"].zh in comp.warnings[0].message_zh
    # The unfilled exhibit slot is a visible gap, never an invented exhibit number.
    assert "[please fill in: return doc]" in comp.text("en")
    # And the template no longer claims a return record the case does not have.
    assert "return and exchange record" not in comp.text("en")


def test_hand_edits_are_marked_in_the_chinese_reading_version(bank: PhraseBank,
                                                              rules: Rules) -> None:
    refs = [ExhibitRef("A-1", "order_screenshot"), ExhibitRef("B-1", "chat_record")]
    case = _with(_case(), bank, refs,
                 ("fake.cancelled_unpaid", {"ordered_on": "2024-05-01", "cancelled_on": "2024-05-02"}),
                 ("fake.reminded", {"reminded_on": "2024-05-04"}))
    comp = compose_parts(case, refs, rules, STATEMENTS, bank)
    en = comp.text("en")
    edited = en.replace("We reminded the buyer to pay on 2024-05-04",
                        "We reminded the buyer twice, on 2024-05-04")
    own = "The buyer also asked for a free sample."
    edited = edited.replace("What happened:\n", "What happened:\n" + own + "\n")
    segments = reading_version(edited, comp)
    zh = "\n".join(s.zh for s in segments)
    assert "并于 2024年5月2日 取消订单" in zh                        # untouched phrase: its twin
    assert pc.OWN_MARK_ZH + own in zh                                # typed by hand: marked
    assert pc.OWN_MARK_ZH + "We reminded the buyer twice" in zh      # edited phrase: marked
    assert "我们于 2024年5月4日 提醒买家付款" not in zh             # its old twin is gone
    facts = [s.en for s in segments if s.section == "facts"]
    assert facts[0] == own and facts[-1].startswith("We reminded the buyer twice")
    # Moving a vetted line keeps its twin.
    lines = en.split("\n")
    i = lines.index(next(x for x in lines if x.startswith("The buyer placed order")))
    j = lines.index(next(x for x in lines if x.startswith("We reminded")))
    lines[i], lines[j] = lines[j], lines[i]
    moved = "\n".join(s.zh for s in reading_version("\n".join(lines), comp))
    assert pc.OWN_MARK_ZH not in moved


def test_the_sellers_english_reason_is_marked_as_theirs(bank: PhraseBank, rules: Rules) -> None:
    case = _case(reason="The buyer never paid.", demand="Deduct the buyer's credit points.")
    comp = compose_parts(case, [], rules, STATEMENTS, bank)
    zh = comp.text("zh")
    assert pc.OWN_MARK_ZH + "The buyer never paid." in zh
    assert pc.OWN_MARK_ZH + "Deduct the buyer's credit points." in zh


# Loader errors --------------------------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "phrases"
    shutil.copytree(PHRASES, dst)
    return dst


@pytest.mark.parametrize("file, old, new, says", [
    ("fake_transaction.toml", "cancelled it on {cancelled_on} without",
     "cancelled it without", r"must use \{cancelled_on\} exactly once"),
    ("fake_transaction.toml", 'ordered_on = "date", cancelled_on = "date" }',
     'ordered_on = "date", cancelled_on = "text" }', "unknown type 'text'"),
    ("quality_dispute.toml", 'kinds = ["return_record"]', 'kinds = ["refund_slip"]',
     "unknown evidence kind 'refund_slip'"),
    ("service_failure.toml", "We ask the platform to extend", "We ask the platform\u2019s help to extend",
     "non-English character"),
    ("transaction_fraud.toml", 'section = "demand"', 'section = "wish"', "`section` must be"),
    ("common.toml", 'id = "common.paid"', 'id = "common.order_amount"', "defined twice"),
    ("carriers.toml", 'en = "SF Express"', 'en = "顺丰 Express"', "plain ASCII"),
])
def test_a_broken_phrase_file_names_file_and_line(rules: Rules, tmp_path: Path, file: str,
                                                  old: str, new: str, says: str) -> None:
    folder = _copy(tmp_path)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    line = text[:text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    # The line of the faulty field (for a duplicate id: of the second definition).
    with pytest.raises(RulesError, match=rf"{re.escape(file)}, line {line}: .*{says}"):
        load_bank(folder, rules)


def test_a_file_for_no_known_type_is_refused(rules: Rules, tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "fake_transactoin.toml").write_text("[[phrase]]\n", encoding="utf-8")
    with pytest.raises(RulesError, match="fake_transactoin.toml: no complaint type"):
        load_bank(folder, rules)
