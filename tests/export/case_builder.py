"""Build a DossierData from files made by tests/factories.py, the way the library layer will."""

from __future__ import annotations

import hashlib
import mimetypes
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import factories

from evidence_desk.core.checklist import evaluate
from evidence_desk.core.rules import Rules, load_rules
from evidence_desk.core.statement import exhibit_numbers
from evidence_desk.core.timeline import build_timeline
from evidence_desk.core.types import BuyerInfo, CaseInfo, EvidenceInfo
from evidence_desk.export.dossier_model import DossierData, Exhibit
from evidence_desk.paths import RULES_DIR

ORDER_NO = "2024030112345"
CHAT_LINES = [
    "你好,订单什么时候发货?",
    "已经发货了,运单号 SF1234567890",
    "我没有收到货,要退款",
    "物流显示三月五日已签收,请查看签收记录",
    "我不会付款的",
    "根据平台规则,我们将提交投诉",
] * 6


def rules() -> Rules:
    return load_rules(RULES_DIR)


def info_for(path: Path, item_id: int, kind: str, position: int, caption: str = "",
             captured_at: datetime | None = None, orientation: int = 1) -> EvidenceInfo:
    data = path.read_bytes()
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return EvidenceInfo(
        id=item_id, case_id=1, kind=kind, sha256=hashlib.sha256(data).hexdigest(),
        size=len(data), mime=mime, original_name=path.name, caption=caption,
        captured_at=captured_at, position=position, orientation=orientation,
        added_at=datetime(2024, 3, 6, 9, 0),
    )


def make_case(folder: Path, *, reason: str = "买家签收后拒绝付款。", demand: str = "请平台扣除买家信用积分",
              type_key: str = "fake_transaction",
              files: list[tuple[Path, str, str]] | None = None) -> DossierData:
    """A case over `files` ([(path, kind, caption)]) or, by default, the standard mixed set."""
    folder.mkdir(parents=True, exist_ok=True)
    if files is None:
        files = standard_files(folder)
    items = [
        info_for(p, i + 1, kind, i, caption, datetime(2024, 3, 1 + i % 9, 10, i))
        for i, (p, kind, caption) in enumerate(files)
    ]
    case = CaseInfo(
        id=1, type_key=type_key, order_no=ORDER_NO, title="Order 2024030112345 – buyer refuses",
        buyer=BuyerInfo(id=1, name="ACME GmbH <buyer>", country="DE", member_id="de123"),
        completed_on=date(2024, 3, 5), paid_on=date(2024, 3, 1), amount=Decimal("1280.00"),
        reason=reason, demand=demand,
        statement_en="The buyer received the goods on 5 March 2024 and refuses to pay.",
    )
    r = rules()
    numbers = exhibit_numbers(items, r)
    exhibits = tuple(
        Exhibit(info=it, path=p, number=numbers[it.id])
        for it, (p, _k, _c) in sorted(zip(items, files, strict=True),
                                      key=lambda x: _sort(numbers[x[0].id]))
    )
    return DossierData(
        case=case, exhibits=exhibits,
        checklist=evaluate(case, items, r, date(2024, 3, 10)),
        timeline=tuple(build_timeline(case, items, r)), rules=r,
        generated_at=datetime(2024, 3, 10, 12, 0), audit_head="ab" * 32,
    )


def _sort(number: str) -> tuple[str, int]:
    letter, _, n = number.partition("-")
    return letter, int(n)


def standard_files(folder: Path) -> list[tuple[Path, str, str]]:
    """Photos (one with EXIF orientation 6), tall Chinese chat screenshots, a PDF waybill,
    a GBK CSV, as the issue asks."""
    return [
        (factories.order_screenshot(folder / "order.png", ORDER_NO), "order_screenshot",
         "订单详情 Order details"),
        (factories.chat_screenshot(folder / "chat1.png", CHAT_LINES, width=1080, height=6000),
         "chat_record", "聊天记录 chat <b>bold</b> & more"),
        (factories.chat_screenshot(folder / "chat2.png", CHAT_LINES[:4], width=1170,
                                   height=2532), "chat_record", "短聊天"),
        (factories.photo(folder / "photo_rot6.jpg", orientation=6, megapixels=0.5,
                         color=(30, 160, 60)), "product_photo", "Rotated photo"),
        (factories.photo(folder / "photo.jpg", megapixels=0.5), "product_photo", "Photo"),
        (factories.pdf_waybill(folder / "waybill.pdf", "SF1234567890", pages=2),
         "logistics_record", "Waybill"),
        (factories.tracking_csv(folder / "tracking.csv", encoding="gbk"), "logistics_record",
         "物流轨迹 (GBK)"),
    ]
