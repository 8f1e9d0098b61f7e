"""What the words recognised in a screenshot say: order numbers, the chat app, the kind of page,
and values a seller could copy into the case.

Pure Python over plain values (the OCR engine and the database live elsewhere), so the checklist,
the command line and the tests all read a screenshot the same way. Every finding is a suggestion
or a warning for the seller to accept or dismiss; nothing here changes a case.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from evidence_desk.core.types import CaseInfo, EvidenceInfo


@dataclass(frozen=True)
class RecognisedLine:
    text: str
    # Four corners (x, y) in pixels of the upright full-resolution picture, clockwise from the
    # top left, as the engine found them (a line may be slightly slanted).
    box: tuple[tuple[float, float], ...]
    score: float

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """The axis-aligned box (left, top, right, bottom) around the line."""
        xs = [p[0] for p in self.box]
        ys = [p[1] for p in self.box]
        return min(xs), min(ys), max(xs), max(ys)


@dataclass(frozen=True)
class RecognisedText:
    """The text an OCR engine read in one original (keyed by its SHA-256)."""

    sha256: str
    lines: tuple[RecognisedLine, ...]
    # The upright picture's size in pixels: the space the boxes are in.
    width: int
    height: int
    engine: str = ""

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def normalise(text: str) -> str:
    """The form text is searched in: compatibility forms folded (full-width ：１ become :1),
    lower case, no white space (OCR puts spaces between Chinese characters at random)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(folded.split())


# --- order numbers ----------------------------------------------------------------------------

_ORDER_LABEL = (r"(?:订单号|订单编号|订单号码|order\s*(?:no\.?|number|id|#)|trade\s*assurance"
                r"\s*order(?:\s*no\.?)?)")
# The label, an optional colon, then the number (possibly on the next line of a table).
_ORDER_RE = re.compile(
    _ORDER_LABEL + r"\s*[:：#]?\s*\n?\s*([A-Za-z]{0,3}[0-9](?:[ \-]?[0-9]){5,40})", re.IGNORECASE)


def order_key(value: str) -> str:
    """An order number without the spaces and dashes a page or a seller may put in it."""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value)).upper()


def order_numbers(text: str) -> tuple[str, ...]:
    """Order numbers the text labels as such ("订单号 ...", "Order No.: ..."), in order."""
    found = [order_key(m.group(1)) for m in _ORDER_RE.finditer(unicodedata.normalize("NFKC", text))]
    return tuple(dict.fromkeys(n for n in found if sum(c.isdigit() for c in n) >= 6))


# --- the chat app -----------------------------------------------------------------------------

# Keys are rules source keys (resources/rules/sources.toml); patterns are what the app's own
# screens show (its name in the title bar, typical UI words).
CHANNEL_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("wechat", re.compile(r"微信|wechat|weixin", re.IGNORECASE)),
    ("whatsapp", re.compile(r"whats\s*app", re.IGNORECASE)),
    ("qq", re.compile(r"(?<![A-Za-z])QQ(?![A-Za-z])")),
    ("telegram", re.compile(r"telegram", re.IGNORECASE)),
    ("line", re.compile(r"^\s*LINE\s*$|(?<![A-Za-z])LINE\s*(?:ID|app)(?![A-Za-z])", re.IGNORECASE)),
)
PLATFORM_MARKERS = re.compile(
    r"alibaba\.com\s*messenger|trade\s*manager|阿里旺旺|旺旺|message\s*center|消息中心", re.IGNORECASE)
_EMAIL_FIELDS = (re.compile(r"^\s*(?:from|发件人)\s*[:：]", re.IGNORECASE | re.MULTILINE),
                 re.compile(r"^\s*(?:to|收件人)\s*[:：]", re.IGNORECASE | re.MULTILINE),
                 re.compile(r"^\s*(?:subject|主题)\s*[:：]", re.IGNORECASE | re.MULTILINE))
# The title bar of a phone or desktop chat: the top part of the picture.
HEADER_FRACTION = 0.15


def chat_channel(rec: RecognisedText) -> str:
    """The source key of the chat app the screenshot shows ("wechat", "email" ...), "" when it
    shows the platform's own chat or says nothing.

    A buyer writing "add me on WhatsApp" inside the platform's chat is not a WhatsApp chat: an
    app counts when its name is in the title bar, or appears twice with no platform marker.
    """
    text = rec.text
    if PLATFORM_MARKERS.search(text):
        return ""
    if sum(1 for p in _EMAIL_FIELDS if p.search(text)) >= 2:
        return "email"
    header_h = rec.height * HEADER_FRACTION if rec.height else 0
    header = "\n".join(line.text for line in rec.lines if line.bbox[1] <= header_h)
    for key, pattern in CHANNEL_MARKERS:
        if pattern.search(header) or len(pattern.findall(text)) >= 2:
            return key
    return ""


# --- the kind of page -------------------------------------------------------------------------

KIND_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("order_screenshot", re.compile(
        r"订单详情|订单号|订单编号|order\s*details|order\s*(?:no\.?|number|id)(?![a-z])|"
        r"trade\s*assurance", re.IGNORECASE)),
    ("logistics_record", re.compile(
        r"运单号|快递单号|物流|轨迹|签收|tracking\s*(?:no|number)|waybill|awb|consignee|"
        r"in\s*transit|delivered", re.IGNORECASE)),
    ("transaction_record", re.compile(
        r"转账|汇款|交易流水|回单|付款凭证|收款人|remittance|beneficiary|swift|"
        r"transaction\s*(?:id|no|details)|bank\s*(?:slip|receipt)", re.IGNORECASE)),
    ("chat_record", re.compile(
        r"发送|输入消息|按住\s*说话|type\s*a\s*message|send\s*message|online|在线|已读|"
        r"messenger|聊天", re.IGNORECASE)),
)
# Fewer distinct hits than this say too little to suggest a kind.
MIN_KIND_HITS = 2


def suggested_kind(rec: RecognisedText) -> str:
    """The evidence kind the words suggest, or "" when they do not say clearly."""
    text = rec.text
    if chat_channel(rec):
        return "chat_record"
    scores = {key: len({m.group(0).lower() for m in p.finditer(text)})
              for key, p in KIND_MARKERS}
    best = max(scores, key=lambda k: scores[k])
    if scores[best] < MIN_KIND_HITS:
        return ""
    if list(scores.values()).count(scores[best]) > 1:
        return ""  # a tie says nothing
    return best


# --- values to offer --------------------------------------------------------------------------

@dataclass(frozen=True)
class Suggestion:
    """A value read in a screenshot that could fill an empty case field or a phrase slot."""

    # The case field it would fill ("amount", "paid_on", "buyer.member_id" ...), "" if none is
    # empty for it; `slot` is the value's type as the phrase bank names slots.
    field: str
    slot: str
    value: str
    item_id: int
    line: str


_AMOUNT_RE = re.compile(
    r"(USD|US\$|CNY|RMB|EUR|GBP|\$|¥|￥|€|£)\s*([0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?|"
    r"[0-9]+(?:\.[0-9]{1,2})?)", re.IGNORECASE)
_CURRENCY = {"US$": "USD", "$": "USD", "RMB": "CNY", "¥": "CNY", "￥": "CNY", "€": "EUR",
             "£": "GBP"}
_DATE_RE = re.compile(r"(20[0-9]{2})\s*[-/.年]\s*([01]?[0-9])\s*[-/.月]\s*([0-3]?[0-9])")
_PAID_WORDS = re.compile(r"付款|支付|paid|payment", re.IGNORECASE)
_COMPLETED_WORDS = re.compile(r"完成|确认收货|completed|finished|delivered|签收", re.IGNORECASE)
_TRACKING_RE = re.compile(
    r"(?:运单号|快递单号|物流单号|tracking\s*(?:no\.?|number|#)|waybill(?:\s*no\.?)?|awb)"
    r"\s*[:：#]?\s*([A-Za-z0-9]{8,30})", re.IGNORECASE)
_MEMBER_RE = re.compile(
    r"(?:会员\s*ID|会员名|买家\s*ID|member\s*id|buyer\s*id|login\s*id)\s*[:：]?\s*"
    r"([A-Za-z0-9][A-Za-z0-9_.\-]{2,40})", re.IGNORECASE)


def _amounts(line: str) -> Iterable[str]:
    for m in _AMOUNT_RE.finditer(line):
        cur = m.group(1).upper()
        cur = _CURRENCY.get(cur, _CURRENCY.get(m.group(1), cur))
        try:
            value = Decimal(m.group(2).replace(",", ""))
        except InvalidOperation:
            continue
        if value > 0:
            yield f"{cur} {value}"


def _dates(line: str) -> Iterable[str]:
    for m in _DATE_RE.finditer(line):
        try:
            yield date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            continue


def field_suggestions(
    case: CaseInfo, items: Sequence[EvidenceInfo], recognised: Mapping[str, RecognisedText]
) -> list[Suggestion]:
    """Values the case's screenshots show, for the seller to accept; each names the empty case
    field it would fill (or "" when the value only suits a phrase slot). One per value."""
    out: list[Suggestion] = []
    seen: set[tuple[str, str]] = set()
    buyer_member = case.buyer.member_id if case.buyer else ""

    def offer(field: str, slot: str, value: str, item: EvidenceInfo, line: str) -> None:
        if (slot, value) in seen:
            return
        seen.add((slot, value))
        out.append(Suggestion(field, slot, value, item.id, line))

    for item in sorted(items, key=lambda i: (i.position, i.id)):
        rec = recognised.get(item.sha256)
        if rec is None:
            continue
        text = unicodedata.normalize("NFKC", rec.text)
        for number in order_numbers(text):
            offer("order_no" if not case.order_no.strip() else "", "order_no", number, item,
                  number)
        for raw in text.splitlines():
            for value in _amounts(raw):
                offer("amount" if case.amount is None else "", "amount", value, item, raw)
            for value in _dates(raw):
                field = ""
                if _PAID_WORDS.search(raw) and case.paid_on is None:
                    field = "paid_on"
                elif _COMPLETED_WORDS.search(raw) and case.completed_on is None:
                    field = "completed_on"
                offer(field, "date", value, item, raw)
        for m in _TRACKING_RE.finditer(text):
            offer("", "tracking_no", m.group(1).upper(), item, m.group(0))
        for m in _MEMBER_RE.finditer(text):
            offer("buyer.member_id" if not buyer_member else "", "member_id", m.group(1),
                  item, m.group(0))
    return out
