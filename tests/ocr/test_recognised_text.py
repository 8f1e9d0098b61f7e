"""Recognised text without the engine: what the words say (core.recognised), the checks built on
them, the library's store and search, bundles and the dossier's text layer. These run on every
desk, with or without the [ocr] extra, from text given as the engine would give it."""

from __future__ import annotations

import json
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import pytest
from ocr_screens import order_page, wechat_chat

from evidence_desk.core.checklist import evaluate
from evidence_desk.core.recognised import (
    RecognisedLine,
    RecognisedText,
    chat_channel,
    field_suggestions,
    normalise,
    order_numbers,
    suggested_kind,
)
from evidence_desk.core.rules import load_rules
from evidence_desk.core.types import BuyerInfo, CaseInfo, EvidenceInfo
from evidence_desk.library.bundle import BundleError, export_bundle, import_bundle
from evidence_desk.library.service import Library
from evidence_desk.paths import RULES_DIR

TODAY = date(2026, 11, 20)
SHA_A = "a" * 64
SHA_B = "b" * 64


def rec(lines: list[tuple[str, float]], sha: str = SHA_A, width: int = 720,
        height: int = 1280) -> RecognisedText:
    """Lines at the given top y, 40 px tall, across most of the width."""
    return RecognisedText(sha, tuple(
        RecognisedLine(text, ((40.0, y), (600.0, y), (600.0, y + 40), (40.0, y + 40)), 0.98)
        for text, y in lines), width, height, "test")


def as_lines(r: RecognisedText) -> list[dict]:
    return [{"text": ln.text, "box": [list(p) for p in ln.box], "score": ln.score}
            for ln in r.lines]


@pytest.fixture(scope="module")
def rules():  # type: ignore[no-untyped-def]
    return load_rules(RULES_DIR)


def item(id_: int, kind: str, sha: str, **kw: object) -> EvidenceInfo:
    return EvidenceInfo(id=id_, case_id=1, kind=kind, sha256=sha, size=10, mime="image/png",
                        original_name="image.png", position=id_, **kw)  # type: ignore[arg-type]


def case(**kw: object) -> CaseInfo:
    fields = {"id": 1, "type_key": "fake_transaction", "order_no": "2410762415855894",
              "completed_on": date(2026, 11, 10), "demand": "restrict the buyer"} | kw
    return CaseInfo(**fields)  # type: ignore[arg-type]


# ---- what the words say -------------------------------------------------------------------------

def test_order_numbers_are_read_only_where_labelled() -> None:
    text = ("订单详情\n订单号：2410 7624 1585 5894\nOrder No. 123-456-789012\n"
            "Tracking No: SF1234567890\n电话 13800138000")
    assert order_numbers(text) == ("2410762415855894", "123456789012")
    # The number on the line under its label (a table).
    assert order_numbers("Order number\n88776655443322") == ("88776655443322",)
    assert order_numbers("金额 USD 1,280.00 订单金额") == ()


def test_the_chat_app_counts_in_the_title_bar_not_in_a_message() -> None:
    assert chat_channel(rec([("微信", 30), ("你好", 200)])) == "wechat"
    assert chat_channel(rec([("Buyer", 30), ("WhatsApp me please", 600)])) == ""
    assert chat_channel(rec([("Alibaba.com Messenger", 30), ("加我微信", 200)])) == ""
    assert chat_channel(rec([("Telegram", 20)])) == "telegram"
    assert chat_channel(rec([("LINE", 20), ("hello", 300)])) == "line"
    assert chat_channel(rec([("QQ", 20)])) == "qq"
    assert chat_channel(rec([("Please check the line below", 20)])) == ""
    mail = rec([("From: buyer@example.com", 300), ("To: sales@example.cn", 340),
                ("Subject: refund", 380)])
    assert chat_channel(mail) == "email"


def test_suggested_kind_needs_clear_words() -> None:
    assert suggested_kind(rec([("订单详情", 10), ("订单号 123456789", 60)])) == "order_screenshot"
    assert suggested_kind(rec([("运单号 SF123456789", 10), ("已签收", 60)])) == "logistics_record"
    assert suggested_kind(rec([("转账成功", 10), ("收款人 Nordic AB", 60)])) == \
        "transaction_record"
    assert suggested_kind(rec([("微信", 10)])) == "chat_record"
    assert suggested_kind(rec([("hello", 10)])) == ""


def test_values_are_offered_only_for_empty_fields() -> None:
    r = rec([("订单号 Order No.: 2410762415855894", 100), ("金额 Amount: USD 1,280.00", 150),
             ("付款时间 Paid: 2026-11-02 09:30", 200), ("运单号 SF1234567890", 250),
             ("会员ID: nordic_trade01", 300)])
    items = [item(1, "order_screenshot", SHA_A)]
    got = {(s.field, s.slot, s.value) for s in field_suggestions(case(), items, {SHA_A: r})}
    assert ("amount", "amount", "USD 1280.00") in got
    assert ("paid_on", "date", "2026-11-02") in got
    assert ("", "tracking_no", "SF1234567890") in got
    assert ("buyer.member_id", "member_id", "nordic_trade01") in got
    full = case(amount=1280, paid_on=date(2026, 11, 2),
                buyer=BuyerInfo(1, "Nordic", member_id="nordic_trade01"))
    got = {(s.field, s.slot) for s in field_suggestions(full, items, {SHA_A: r})}
    assert ("amount", "amount") not in got and ("", "amount") in got
    assert ("paid_on", "date") not in got and ("buyer.member_id", "member_id") not in got


def test_normalise_folds_width_case_and_spaces() -> None:
    assert normalise("订单号：ＡＢ 12") == normalise("订单号:ab12") == "订单号:ab12"


# ---- checks ---------------------------------------------------------------------------------------

def test_order_mismatch_and_its_dismissal(rules) -> None:  # type: ignore[no-untyped-def]
    page = rec([("订单号 Order No.: 999888777666", 100)])
    items = [item(1, "order_screenshot", SHA_A), item(2, "chat_record", SHA_B)]
    result = evaluate(case(), items, rules, TODAY, {SHA_A: page})
    [w] = [w for w in result.warnings if w.code == "order_mismatch"]
    assert w.item_ids == (1,) and "999888777666" in w.message
    assert result.ready  # a warning, not a block
    same = rec([("订单号 Order No.: 2410-7624-1585-5894", 100)])
    assert "order_mismatch" not in evaluate(case(), items, rules, TODAY,
                                            {SHA_A: same}).warning_codes()
    checked = [item(1, "order_screenshot", SHA_A, flags=("order_ok",)), items[1]]
    assert "order_mismatch" not in evaluate(case(), checked, rules, TODAY,
                                            {SHA_A: page}).warning_codes()
    # A chat that mentions another order is no order screenshot.
    assert "order_mismatch" not in evaluate(case(), items, rules, TODAY,
                                            {SHA_B: page}).warning_codes()


def test_recognised_chat_app_feeds_the_outside_channel_warning(rules) -> None:  # type: ignore[no-untyped-def]
    chat = rec([("微信", 30), ("你好", 200)], sha=SHA_B)
    items = [item(1, "order_screenshot", SHA_A), item(2, "chat_record", SHA_B)]
    result = evaluate(case(), items, rules, TODAY, {SHA_B: chat})
    [w] = [w for w in result.warnings if w.code == "off_platform_chat"]
    assert w.item_ids == (2,) and "WeChat" in w.message
    assert not result.ready  # the chat does not count
    agreed = evaluate(case(other_channel_agreed=True), items, rules, TODAY, {SHA_B: chat})
    assert "off_platform_chat" not in agreed.warning_codes() and agreed.ready
    # The seller's own word on the source wins over the picture.
    said = [items[0], item(2, "chat_record", SHA_B, source="alibaba_chat")]
    assert evaluate(case(), said, rules, TODAY, {SHA_B: chat}).ready


def test_kind_suggestion_and_its_dismissal(rules) -> None:  # type: ignore[no-untyped-def]
    waybill = rec([("运单号 SF1234567890", 100), ("已签收", 150)], sha=SHA_B)
    items = [item(1, "order_screenshot", SHA_A), item(2, "chat_record", SHA_B)]
    result = evaluate(case(), items, rules, TODAY, {SHA_B: waybill})
    [w] = [w for w in result.warnings if w.code == "kind_suggestion"]
    assert w.item_ids == (2,) and "Logistics" in w.message and "物流" in w.message_zh
    kept = [items[0], item(2, "chat_record", SHA_B, flags=("kind_ok",))]
    assert "kind_suggestion" not in evaluate(case(), kept, rules, TODAY,
                                             {SHA_B: waybill}).warning_codes()


# ---- the library --------------------------------------------------------------------------------

@pytest.fixture
def lib(tmp_path: Path):  # type: ignore[no-untyped-def]
    with Library.open(tmp_path / "lib") as library:
        yield library


def _two_items(lib: Library, tmp_path: Path) -> tuple[int, str, str]:
    case_id = lib.create_case("fake_transaction", "2410762415855894", title="Nordic").id
    order_page(tmp_path / "order.png", "2410762415855894")
    wechat_chat(tmp_path / "chat.png", ["明天顺丰寄出，请放心"])
    lib.add_paths(case_id, [tmp_path / "order.png", tmp_path / "chat.png"])
    by_name = {i.original_name: i.sha256 for i in lib.list_evidence(case_id)}
    return case_id, by_name["order.png"], by_name["chat.png"]


def test_pending_results_search_and_purge(lib: Library, tmp_path: Path) -> None:
    case_id, order_sha, chat_sha = _two_items(lib, tmp_path)
    assert {t.sha256 for t in lib.ocr_pending()} == {order_sha, chat_sha}
    chat = rec([("微信", 30), ("明天顺丰 寄出，请放心", 200)], sha=chat_sha)
    assert lib.save_recognised(chat_sha, lines=as_lines(chat), width=720, height=1280,
                               engine="test")
    assert lib.save_recognised(order_sha, error="the picture cannot be read")
    assert lib.ocr_pending() == []  # a failure is not retried on every run
    status = lib.ocr_status(case_id)
    assert (status.done, status.failed, status.pending) == (1, 1, 0)
    assert not lib.save_recognised(chat_sha, lines=[], replace=False)
    assert lib.recognised_texts([chat_sha, order_sha]).keys() == {chat_sha}

    hits = lib.search("顺丰寄出")  # OCR's stray space does not hide the phrase
    assert [(i.sha256, i.fields) for i in hits.items] == [(chat_sha, ("recognised_text",))]
    assert hits.items[0].lines[0]["box"][0] == [40.0, 200.0]
    assert [c.case_id for c in hits.cases] == [case_id]
    assert lib.search("nordic").cases[0].fields == ("title",)
    assert lib.search("100%").cases == ()  # % is a character, not a wildcard
    assert lib.case_ids(search="顺丰寄出") == [case_id]
    assert "off_platform_chat" in lib.check(case_id).warning_codes()

    lib.delete_case(case_id)
    lib.purge_case(case_id)
    assert lib.recognised_texts([chat_sha]) == {}


def test_bundle_refuses_bad_recognised_text(lib: Library, tmp_path: Path) -> None:
    case_id, order_sha, chat_sha = _two_items(lib, tmp_path)
    chat = rec([("明天顺丰寄出", 200)], sha=chat_sha)
    lib.save_recognised(chat_sha, lines=as_lines(chat), width=720, height=1280)
    good = tmp_path / "good.zip"
    export_bundle(lib, case_id, good)
    with zipfile.ZipFile(good) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        members = {n: zf.read(n) for n in zf.namelist()}
    assert [r["sha256"] for r in manifest["recognised_text"]] == [chat_sha]

    def bundle_with(records: object, name: str) -> Path:
        out = tmp_path / name
        with zipfile.ZipFile(out, "w") as zf:
            for n, data in members.items():
                if n == "manifest.json":
                    data = json.dumps({**manifest, "recognised_text": records}).encode()
                zf.writestr(n, data)
        return out

    bad_box = [{**manifest["recognised_text"][0],
                "lines": [{"text": "x", "box": [[0, 0]], "score": 0.5}]}]
    with pytest.raises(BundleError, match=r"recognised_text\[0\]\.lines\[0\]\.box"):
        import_bundle(lib, bundle_with(bad_box, "bad1.zip"))
    stranger = [{**manifest["recognised_text"][0], "sha256": "c" * 64}]
    with pytest.raises(BundleError, match="must name a file of the bundle"):
        import_bundle(lib, bundle_with(stranger, "bad2.zip"))
    new_id = import_bundle(lib, good)
    assert lib.search("明天顺丰寄出").items[-1].case_id == new_id


def test_dossier_text_layer_is_searchable_and_respects_redaction(lib: Library,
                                                                 tmp_path: Path) -> None:
    from evidence_desk.export.jobs import export_dossier

    case_id, order_sha, chat_sha = _two_items(lib, tmp_path)
    chat = rec([("微信", 30), ("明天顺丰寄出", 200), ("电话 13800138000", 300)], sha=chat_sha)
    lib.save_recognised(chat_sha, lines=as_lines(chat), width=720, height=1280)
    chat_item = next(i for i in lib.list_evidence(case_id) if i.sha256 == chat_sha)
    lib.update_evidence(chat_item.id, marks=[{"kind": "redact", "x": 30, "y": 290, "w": 600,
                                              "h": 60}])
    pdf = tmp_path / "d.pdf"
    export_dossier(lib, case_id, pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "明天顺丰寄出" in text
    assert "13800138000" not in text  # under the redaction box


def test_one_order_mismatch_per_item_whether_name_or_picture_says_it(rules) -> None:  # type: ignore[no-untyped-def]
    page = rec([("订单号 Order No.: 999888777666", 100)])
    named = EvidenceInfo(id=1, case_id=1, kind="order_screenshot", sha256=SHA_A, size=10,
                         mime="image/png", position=1,
                         original_name="order_999888777666_20241121100946.png")
    result = evaluate(case(), [named], rules, TODAY, {SHA_A: page})
    assert [w.code for w in result.warnings].count("order_mismatch") == 1
    checked = EvidenceInfo(**{**named.__dict__, "flags": ("order_ok",)})
    assert "order_mismatch" not in evaluate(case(), [checked], rules, TODAY,
                                            {SHA_A: page}).warning_codes()
