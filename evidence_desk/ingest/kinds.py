"""Guess which evidence kind a file is, so the user mostly just confirms.

The guess is one pass over small tables: words in the file name first (the seller named the file
for a reason), then what the content says, then the file's shape. A guess the rules in force would
not accept for that file category is skipped, and "other" is the last resort.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from evidence_desk.core.rules import EvidenceKind
from evidence_desk.ingest.sniff import FileType


@dataclass(frozen=True)
class Clues:
    name: str
    filetype: FileType
    width: int | None = None  # as shown, after orientation
    height: int | None = None
    camera: bool = False  # EXIF names a make or model
    has_exif: bool = False
    content_text: str = ""  # spreadsheet headers, words found in a PDF or a Word document


def _words(*latin: str, cjk: str = "") -> re.Pattern[str]:
    # Latin words must start at a word boundary ("order" not in "border") but may run on
    # ("orders", "ChatScreenshot"); CJK has no spaces, so any occurrence counts.
    parts = [rf"(?<![a-z]){w}" for w in latin]
    if cjk:
        parts.append(cjk)
    return re.compile("|".join(parts), re.IGNORECASE)


# Order matters: the more specific kinds come first ("return waybill" is a return record).
NAME_HINTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("return_record", _words("return", r"rma(?![a-z])", "exchange", cjk="退货|退换|换货|退回")),
    ("identity_document", _words("passport", "identity", r"id[-_ ]?card", "licen[cs]e",
                                 r"id(?![a-z])", cjk="身份证|证件|营业执照|护照")),
    ("logistics_record", _words("waybill", "awb", "tracking", "track", "logistic", "shipping",
                                "shipment", "deliver", "courier", "consignment",
                                r"bill[-_ ]?of[-_ ]?lading", "dhl", "fedex",
                                r"ups(?![a-z])", r"ems(?![a-z])",
                                cjk="运单|物流|快递|轨迹|发货|签收")),
    ("chat_record", _words("chat", "message", "conversation", "whatsapp", "wechat",
                           "trademanager", "messenger", cjk="聊天|对话|消息|沟通")),
    ("transaction_record", _words("payment", "transaction", "refund", "invoice", "receipt",
                                  "statement", "bank", cjk="交易|付款|支付|流水|退款|转账|发票")),
    ("order_screenshot", _words("order", cjk="订单")),
    ("product_photo", _words("product", "goods", "packing", "package",
                             cjk="商品|产品|实拍|包装|货物")),
)

# What a carrier's table or document says about itself.
CONTENT_HINTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("logistics_record", _words("tracking", "waybill", "awb", "carrier", "courier",
                                "consignee", "consignment", r"bill of lading",
                                # "status" alone also heads payment tables; with a place it
                                # is a tracking history.
                                r"status.{0,80}(location|地点|位置)",
                                cjk="运单|物流|轨迹|快递|承运|签收|(状态|status).{0,80}(地点|位置)")),
    ("transaction_record", _words("invoice", "payment", "receipt", "transaction",
                                  cjk="发票|付款|支付|交易|流水")),
    ("order_screenshot", _words(r"order (no|number|details|id)", "purchase order",
                                cjk="订单号|订单详情")),
)

PHONE_ASPECT = 1.6
PHOTO_PIXELS = 2_000_000
SCREENSHOT_EXTS = ("png", "webp", "gif")

DEFAULT_BY_CATEGORY = {
    "email": "chat_record",
    "text": "chat_record",
    "spreadsheet": "transaction_record",
    "pdf": "other",
    "document": "other",
    # An unboxing or inspection video is the classic video evidence.
    "video": "product_photo",
}


def _image_guess(c: Clues) -> str:
    w, h = c.width or 0, c.height or 0
    ext = c.filetype.ext
    if c.camera:
        return "product_photo"
    if w and h / w >= PHONE_ASPECT:
        return "chat_record"
    if ext == "heic" or (ext == "jpg" and w * h >= PHOTO_PIXELS):
        return "product_photo"
    if w >= h and (ext in SCREENSHOT_EXTS or not c.has_exif):
        return "order_screenshot"
    return "other"


def _guesses(c: Clues) -> list[str]:
    """Candidate kinds, best first."""
    stem = Path(c.name).stem
    found = [kind for kind, pattern in NAME_HINTS if pattern.search(stem)]
    category = c.filetype.category
    if category in ("pdf", "spreadsheet", "document") and c.content_text:
        found += [kind for kind, pattern in CONTENT_HINTS if pattern.search(c.content_text)]
    if category == "image":
        found.append(_image_guess(c))
    else:
        found.append(DEFAULT_BY_CATEGORY.get(category, "other"))
    return found


def _accepts(kinds: KindsArg) -> dict[str, tuple[str, ...]]:
    return {key: tuple(getattr(value, "accepts", value)) for key, value in kinds.items()}


@lru_cache(maxsize=1)
def shipped_kinds() -> dict[str, tuple[str, ...]]:
    from evidence_desk.core.rules import load_rules
    from evidence_desk.paths import RULES_DIR

    return {k.key: k.accepts for k in load_rules(RULES_DIR).kinds.values()}


KindsArg = Mapping[str, "Sequence[str] | EvidenceKind"]


def suggest_kind(clues: Clues, kinds: KindsArg | None = None) -> str:
    """The best evidence kind key for a file.

    `kinds` is `Rules.kinds`, or any mapping of kind keys to the file categories they accept;
    the shipped rules when None.
    """
    kinds = _accepts(kinds) if kinds is not None else shipped_kinds()
    category = clues.filetype.category
    for kind in [*_guesses(clues), "other"]:
        if category in kinds.get(kind, ()):
            return kind
    return next((k for k, acc in kinds.items() if category in acc), "other")
