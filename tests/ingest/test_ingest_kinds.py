"""Suggested evidence kinds: file names first, then content, then the picture's shape."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import factories as f
import pytest

from evidence_desk.ingest import probe
from evidence_desk.ingest.kinds import Clues, shipped_kinds, suggest_kind
from evidence_desk.ingest.sniff import CSV, PDF, PNG

NEUTRAL: list[tuple[str, Callable[[Path], Path], str]] = [
    ("Screenshot_1.png", lambda p: f.chat_screenshot(p, ["你好", "发货了吗?"]), "chat_record"),
    ("Screenshot_2.png", lambda p: f.order_screenshot(p, "2024030112345"), "order_screenshot"),
    ("IMG_0001.jpg", f.photo, "product_photo"),
    ("IMG_0002.jpg", lambda p: f.photo(p, make=None, megapixels=2.5), "product_photo"),
    ("IMG_0003.heic", f.heic_photo, "product_photo"),
    ("scan001.pdf", lambda p: f.pdf_waybill(p, "1Z999"), "logistics_record"),
    ("scan002.pdf", f.plain_pdf, "other"),
    ("export.csv", f.tracking_csv, "logistics_record"),
    ("export2.csv", f.payments_csv, "transaction_record"),
    ("export3.xlsx", f.xlsx, "logistics_record"),
    ("export4.xlsx", lambda p: f.xlsx(p, [["Date", "Amount"], ["2024-03-01", "12"]]),
     "transaction_record"),
    ("mail.eml", f.eml, "chat_record"),
    ("mail.msg", f.outlook_msg, "chat_record"),
]


@pytest.mark.parametrize(("name", "make", "kind"), NEUTRAL, ids=[n for n, _, _ in NEUTRAL])
def test_content_decides_when_the_name_says_nothing(tmp_path: Path, name: str,
                                                    make: Callable[[Path], Path],
                                                    kind: str) -> None:
    assert probe(make(tmp_path / name)).suggested_kind == kind


@pytest.mark.parametrize(("name", "kind"), [
    ("聊天记录.png", "chat_record"), ("WhatsApp Image.png", "chat_record"),
    ("订单详情.png", "order_screenshot"), ("my_orders.png", "order_screenshot"),
    ("退货申请.png", "return_record"), ("return waybill.png", "return_record"),
    ("身份证 正面.png", "identity_document"), ("buyer_id.png", "identity_document"),
    ("运单.png", "logistics_record"), ("DHL tracking.png", "logistics_record"),
    ("付款流水.png", "transaction_record"), ("商品实拍.png", "product_photo"),
])
def test_file_name_overrides_content(tmp_path: Path, name: str, kind: str) -> None:
    path = f.order_screenshot(tmp_path / name, "1")
    assert probe(path).suggested_kind == kind


def _clues(name: str, filetype=PNG, **kw: object) -> Clues:  # type: ignore[no-untyped-def]
    return Clues(name=name, filetype=filetype, **kw)  # type: ignore[arg-type]


def test_words_must_start_a_word() -> None:
    wide = {"width": 1200, "height": 800}
    assert suggest_kind(_clues("border.png", **wide)) == "order_screenshot"  # shape, not name
    assert suggest_kind(_clues("video_still.png", width=800, height=1200)) == "other"
    assert suggest_kind(_clues("android.png", width=800, height=1200)) == "other"


def test_hint_the_kind_cannot_accept_is_skipped() -> None:
    # chat_record does not accept spreadsheets in the shipped rules.
    assert suggest_kind(_clues("chat export.csv", CSV)) == "transaction_record"


def test_rules_in_force_decide() -> None:
    no_chat = {k: v for k, v in shipped_kinds().items() if k != "chat_record"}
    assert suggest_kind(_clues("聊天.png", width=1080, height=2340), no_chat) == "other"
    only = {"misc": ("pdf",)}
    assert suggest_kind(_clues("waybill.pdf", PDF), only) == "misc"


def test_payment_status_column_is_not_tracking() -> None:
    clues = _clues("x.csv", CSV, content_text="Date,Payment status,Amount")
    assert suggest_kind(clues) == "transaction_record"
    clues = _clues("x.csv", CSV, content_text="Time,Status,Location")
    assert suggest_kind(clues) == "logistics_record"


def test_rules_object_kinds_are_accepted(tmp_path: Path) -> None:
    from evidence_desk.core.rules import load_rules
    from evidence_desk.paths import RULES_DIR

    rules = load_rules(RULES_DIR)
    path = f.chat_screenshot(tmp_path / "c.png", ["你好"])
    assert probe(path, kinds=rules.kinds).suggested_kind == "chat_record"
