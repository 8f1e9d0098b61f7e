"""The wording check on real sentences, English and Chinese, including ones it must leave alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evidence_desk.core.rules import RulesError
from evidence_desk.core.wording import (
    CODES,
    Flag,
    check_wording,
    default_wording_file,
    load_word_lists,
    word_lists,
)

EXHIBITS = {"A-1", "A-2", "B-1", "D-1", "H-1"}
DEMAND = "Refund USD 500 and restrict the buyer's account."


def flags(text: str, lang: str = "en", *, demand: str = DEMAND,
          exhibits: set[str] = EXHIBITS) -> list[Flag]:
    return check_wording(text, lang=lang, exhibit_numbers=exhibits, demand=demand)


def hits(text: str, code: str, lang: str = "en", *, demand: str = DEMAND) -> list[str]:
    """The words each flag of `code` points at."""
    return [text[f.start:f.end] for f in flags(text, lang, demand=demand) if f.code == code]


def codes(text: str, lang: str = "en", *, demand: str = DEMAND) -> set[str]:
    return {f.code for f in flags(text, lang, demand=demand)}


# Clean sentences raise nothing --------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "The buyer placed 12 fake orders, see Exhibit A-1.",
    "We reported the fraud to the police on 3 May (Exhibit H-1).",
    "DHL tracking shows delivery on 3 May, see Exhibit D-1.",
    "This was a scam: the buyer used a false identity to commit fraud (Exhibit A-2).",
    "The buyer cheated us out of USD 500, as the chat shows (Exhibit B-1).",
    "Shipped FOB Ningbo by DHL EMS UPS, USD 500, PDF invoice attached (A-1).",
    "Order 20240503123456789 was paid by TT; see A-1 and A-2.",
    "I sent the PI and the PO to the buyer's ID on 2 May (B-1).",
    "The buyer said he will sue us if we do not refund, see Exhibit B-1.",
    "If you need more information, we will gladly provide it. See A-1.",
    "We will provide the original invoice if needed (A-1).",
    "Please check the order page (Exhibit A-1). Thank you!",
])
def test_clean_english_is_not_flagged(text: str) -> None:
    assert flags(text) == []


@pytest.mark.parametrize("text", [
    "买家下单后一直未付款,见证据 A-1。",
    "我们已于5月3日向公安机关报案,报案回执见证据 H-1。",
    "买家曾威胁说要起诉我们,见聊天记录 B-1。",
    "买家以虚假身份下单,属于交易欺诈和诈骗行为,见证据 A-1、A-2。",
    "DHL 物流信息显示已于5月3日签收(见证据 D-1)。",
    "我们将按平台要求补充物流信息(见证据 D-1)。",
    "我要求平台扣除买家信用积分,见证据 A-1。",
])
def test_clean_chinese_is_not_flagged(text: str) -> None:
    assert flags(text, "zh", demand="退款500美元并限制买家交易") == []


# Demand --------------------------------------------------------------------------------------------


def test_no_demand() -> None:
    found = flags("See Exhibit A-1.", demand="  ")
    assert [(f.code, f.start, f.end) for f in found] == [("no_demand", 0, 0)]
    assert "诉求" in found[0].message_zh


@pytest.mark.parametrize("demand", [
    "please help", "Please handle it.", "We want justice", "do something", "请处理", "看着办",
    "请平台主持公道", "希望平台严肃处理",
])
def test_vague_demand(demand: str) -> None:
    assert "vague_demand" in codes("See A-1.", "zh", demand=demand)


@pytest.mark.parametrize("demand", [
    "Refund USD 500", "Please restrict the buyer's trading", "Deduct the buyer's credit points",
    "USD 1,200", "1200 dollars", "退款500美元", "请扣除买家信用积分并限制交易", "请平台封禁该账号",
    "赔偿 3000 元",
])
def test_concrete_demand(demand: str) -> None:
    assert "vague_demand" not in codes("See A-1.", "zh", demand=demand)


def test_vague_demand_points_at_the_demand_in_the_text() -> None:
    text = "The buyer never paid (A-1).\nOur request:\nPlease help us.\n"
    [f] = [f for f in flags(text, demand="Please help us.") if f.code == "vague_demand"]
    assert text[f.start:f.end] == "Please help us."


# Insults -------------------------------------------------------------------------------------------


def test_english_insults_point_at_each_word() -> None:
    text = "The buyer is a liar and an IDIOT, a scammer and a stupid fraudster (A-1)."
    assert hits(text, "insult") == ["liar", "IDIOT", "scammer", "stupid", "fraudster"]


def test_words_inside_other_words_are_not_insults() -> None:
    # "stupidity"? is matched by stupid*, but "liar" inside "familiar" and "crook" inside
    # "crooked" are not words on their own.
    assert hits("The familiar supplier shipped a crooked box (A-1).", "insult") == []
    assert hits("The buyer was stupidly rude (A-1).", "insult") == ["stupidly"]


def test_chinese_insults() -> None:
    text = "这个买家就是骗子,简直是垃圾,混蛋!见证据 A-1"
    assert hits(text, "insult", "zh") == ["骗子", "垃圾", "混蛋"]
    # An English insult glued to Chinese text is still found.
    assert hits("买家是liar,见 A-1", "insult", "zh") == ["liar"]
    # Longest entry wins: 他妈的 is one flag, not two.
    assert hits("他妈的,见 A-1", "insult", "zh") == ["他妈的"]


# Shouting and exclamations ----------------------------------------------------------------------


def test_shouting() -> None:
    text = "I DID NOT RECEIVE ANY PAYMENT for order 12345 (A-1)."
    assert hits(text, "shouting") == ["DID NOT RECEIVE ANY PAYMENT"]
    # Short words and order numbers carry the run on; it is still one flag.
    text = "THE BUYER IS A LIAR AND 12345 WAS NEVER PAID (A-1)"
    assert hits(text, "shouting") == ["THE BUYER IS A LIAR AND 12345 WAS NEVER PAID"]


@pytest.mark.parametrize("text", [
    "DHL tracking shows delivery (A-1).",
    "Paid USD 500 via TT, FOB Shenzhen, PDF and XLSX attached (A-1).",
    "Sent by DHL EMS UPS TNT FEDEX (A-1).",
    "The buyer wrote: PAY NOW (A-1).",
    "Order AB-2024-0503 and SKU XY-77 (A-1).",
])
def test_not_shouting(text: str) -> None:
    assert hits(text, "shouting") == []


def test_exclamations() -> None:
    text = "We shipped on time!! The buyer never paid!!! Why!?! (A-1) 太过分了！！"
    assert hits(text, "exclamations", "zh") == ["!!", "!!!", "!?!", "！！"]
    assert hits("Thank you! See A-1.", "exclamations") == []


# Threats -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "words"), [
    ("Pay the balance or else. See A-1.", "or else"),
    ("If you do not pay, we will sue you (A-1).", "we will sue"),
    ("I'll take you to court (A-1).", "I'll take you to court"),
    ("We are going to expose you online (A-1).", "We are going to expose you"),
    ("You will regret this (A-1).", "You will regret"),
    ("See you in court (A-1).", "See you in court"),
    ("You had better pay today (A-1).", "You had better"),
])
def test_english_threats(text: str, words: str) -> None:
    assert hits(text, "threat") == [words]


@pytest.mark.parametrize(("text", "words"), [
    ("如果不付款,我会起诉你。见 A-1", "我会起诉"),
    ("我们一定会报警(A-1)", "我们一定会报警"),
    ("三天内不付款,否则后果自负。A-1", "否则后果"),
    ("你等着瞧!见 A-1", "等着瞧"),
    ("你会后悔的,见 A-1", "你会后悔"),
    ("我们要曝光你,见 A-1", "我们要曝光"),
])
def test_chinese_threats(text: str, words: str) -> None:
    got = hits(text, "threat", "zh")
    assert len(got) == 1 and words in got[0]


@pytest.mark.parametrize("text", [
    "We reported the fraud to the police on 3 May. See A-1.",
    "We have filed a police report (case 2024-518), see Exhibit H-1.",
    "A court case is pending at the Shenzhen Futian court, see H-1.",
    "The buyer threatened that he will expose us online, see B-1.",
])
def test_facts_about_police_and_court_are_not_threats(text: str) -> None:
    assert hits(text, "threat") == []


# Non-English characters ---------------------------------------------------------------------------


def test_non_english_points_at_each_run() -> None:
    text = "The buyer 王小明 said “OK” (A-1)."
    assert hits(text, "non_english") == ["王小明", "“", "”"]
    # A Chinese statement may of course be Chinese.
    assert hits("买家王小明,见 A-1", "non_english", "zh") == []


# Exhibits --------------------------------------------------------------------------------------------


def test_unknown_exhibit() -> None:
    text = "See Exhibit A-1, Exhibit X-9 and A-9."
    assert hits(text, "unknown_exhibit") == ["X-9", "A-9"]
    assert hits("见证据 C-3", "unknown_exhibit", "zh") == ["C-3"]


def test_no_exhibit() -> None:
    found = [f for f in flags("The buyer never paid.") if f.code == "no_exhibit"]
    assert [(f.start, f.end) for f in found] == [(0, 0)]
    assert "no_exhibit" in codes("买家一直未付款。", "zh")
    # Order numbers and model names are not citations.
    assert "no_exhibit" in codes("Order 2024-0503 for model X-1000 was never paid.")


def test_placeholder_markers() -> None:
    text = "Reason: [please translate: what happened]. See A-1. [请填写:诉求]"
    assert hits(text, "placeholder", "zh") == ["[please translate: what happened]",
                                               "[请填写:诉求]"]


# Shape of the result ---------------------------------------------------------------------------------


def test_flags_are_in_reading_order_and_explain_themselves() -> None:
    text = "THE BUYER IS A LIAR!!! 王 or else. See Z-1."
    found = flags(text, demand="please help")
    assert [f.start for f in found] == sorted(f.start for f in found)
    assert {f.code for f in found} == {"vague_demand", "shouting", "insult", "exclamations",
                                       "non_english", "threat", "unknown_exhibit"}
    for f in found:
        assert f.code in CODES and f.message and f.message_zh
        assert f.text("zh") == f.message_zh


def test_word_lists_are_data(tmp_path: Path) -> None:
    path = tmp_path / "wording.toml"
    shutil.copy(default_wording_file(), path)
    text = path.read_text(encoding="utf-8").replace('"idiot*",', '"idiot*", "nincompoop",', 1)
    path.write_text(text, encoding="utf-8")
    lists = word_lists(path)
    found = check_wording("A nincompoop (A-1).", lang="en", exhibit_numbers={"A-1"},
                          demand=DEMAND, lists=lists)
    assert [f.code for f in found] == ["insult"]


def test_bad_word_list_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "wording.toml"
    text = default_wording_file().read_text(encoding="utf-8")
    text = text.replace("'\\bor else\\b',", "'(or else',", 1)
    path.write_text(text, encoding="utf-8")
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "'(or else'" in s)
    with pytest.raises(RulesError, match=rf"wording\.toml, line {line}: \[threat\] bad regular"):
        load_word_lists(path)
