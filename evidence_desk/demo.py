"""Sample cases with generated evidence, so a new user can try the desk without real data."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw

from evidence_desk.textdraw import draw_text, text_size

if TYPE_CHECKING:
    from evidence_desk.library.service import Library


def _chat(path: Path, lines: Sequence[tuple[bool, str]], title: str) -> Path:
    """A phone-shaped chat screenshot: (from_buyer, text) bubbles."""
    w, h = 720, 1560
    img = Image.new("RGB", (w, h), (237, 237, 237))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, w, 110), fill=(255, 106, 0))
    draw_text(d, (30, 38), title, 34, "white")
    y = 150
    for from_buyer, text in lines:
        tw, th = text_size(text, 30)
        bw, bh = tw + 40, th + 34
        x = 30 if from_buyer else w - bw - 30
        d.rounded_rectangle((x, y, x + bw, y + bh), 16,
                            fill=(255, 255, 255) if from_buyer else (255, 222, 196))
        draw_text(d, (x + 20, y + 14), text, 30, (30, 30, 30))
        y += bh + 28
    img.save(path, "PNG", optimize=False)
    return path


def _order(path: Path, order_no: str, amount: str, status: str) -> Path:
    img = Image.new("RGB", (1280, 720), "white")
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 1280, 80), fill=(255, 106, 0))
    draw_text(d, (30, 22), "Alibaba.com  订单详情 Order details", 32, "white")
    rows = [("订单号 Order No.", order_no), ("金额 Amount", amount), ("状态 Status", status),
            ("下单时间 Placed", "2026-11-05 10:32"), ("付款 Payment", "未付款 Unpaid")]
    for i, (k, v) in enumerate(rows):
        draw_text(d, (60, 130 + i * 90), k, 30, (90, 90, 90))
        draw_text(d, (520, 130 + i * 90), v, 30, (20, 20, 20))
    img.save(path, "PNG")
    return path


def _photo(path: Path, colour: tuple[int, int, int], label: str, when: datetime) -> Path:
    img = Image.new("RGB", (1600, 1200), colour)
    d = ImageDraw.Draw(img)
    d.rectangle((400, 300, 1200, 900), fill=(240, 240, 235), outline=(60, 60, 60), width=8)
    draw_text(d, (480, 560), label, 60, (40, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "Demo Camera"  # Make
    exif[0x0110] = "DC-1"  # Model
    exif.get_ifd(0x8769)[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    img.save(path, "JPEG", quality=85, exif=exif)
    return path


def _tracking_csv(path: Path, tracking_no: str, start: date) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["运单号 Tracking No.", "时间 Time", "地点 Location", "状态 Status"])
        steps = ["已揽收 Picked up", "已出口 Departed", "清关中 In customs", "已签收 Delivered"]
        for i, step in enumerate(steps):
            out.writerow([tracking_no, (start + timedelta(days=2 * i)).isoformat(),
                          ["Shenzhen", "Hong Kong", "Hamburg", "Berlin"][i], step])
    return path


def _phrases(lib: Library, case_id: int, picks: Sequence[tuple[str, dict[str, str]]]) -> None:
    from evidence_desk.library import phrasing

    for phrase_id, slots in picks:
        phrasing.add_phrase(lib, case_id, phrase_id, slots)


def fill_demo(lib: Library, today: date | None = None) -> list[int]:
    """Create the sample cases; returns their ids."""
    today = today or date.today()
    ids: list[int] = []
    with tempfile.TemporaryDirectory(prefix="evidence-desk-demo-") as tmp:
        t = Path(tmp)
        c1 = lib.create_case(
            "fake_transaction", "2026110500123", buyer_name="Lucas Meyer",
            completed_on=today - timedelta(days=5), amount="1280.00", currency="USD",
            title="买家下单后不付款 Ordered, never paid",
            reason="买家下单后一直不付款,多次催促无回应,并要求我们先发货。",
            demand="请平台扣除该买家信用积分并限制其交易。")
        lib.add_paths(c1.id, [_order(t / "order.png", "2026110500123", "USD 1,280.00",
                                     "等待付款 Awaiting payment")], kind="order_screenshot",
                      caption="订单详情:未付款")
        lib.add_paths(c1.id, [_chat(t / "chat.png", [
            (True, "Please ship first, I pay later."),
            (False, "您好,请先付款,我们收到款后立即发货。"),
            (False, "Hello, please pay first; we ship right after."),
            (True, "No. Ship now or I cancel."),
            (False, "订单已保留7天,仍未收到付款。"),
        ], "Lucas Meyer")], kind="chat_record", caption="买家拒绝付款的聊天记录",
                      source="alibaba_chat")
        # The facts and the demand from the phrase bank: an English statement with no gap.
        ordered = (today - timedelta(days=12)).isoformat()
        _phrases(lib, c1.id, [
            ("common.order_placed", {"ordered_on": ordered}),
            ("fake.never_paid", {"due_on": (today - timedelta(days=5)).isoformat()}),
            ("fake.reminded", {"reminded_on": (today - timedelta(days=4)).isoformat()}),
            ("fake.demand_credit", {}),
        ])
        ids.append(c1.id)

        c2 = lib.create_case(
            "quality_dispute", "2026103100456", buyer_name="Ahmed Al-Sayed",
            completed_on=today - timedelta(days=13), amount="3450.00", currency="USD",
            title="买家称货不对板 Buyer claims not as described",
            reason="买家称收到的LED灯与描述不符,但发货前照片显示型号和数量均正确。", demand="")
        shot = datetime.combine(today - timedelta(days=30), datetime.min.time()).replace(hour=9)
        lib.add_paths(c2.id, [_photo(t / "goods1.jpg", (70, 110, 160), "LED-60W x200", shot),
                              _photo(t / "goods2.jpg", (90, 140, 90), "包装 Packing", shot)],
                      kind="product_photo", caption="发货前实拍")
        lib.add_paths(c2.id, [_tracking_csv(t / "tracking.csv", "SF1234567890",
                                            today - timedelta(days=28))],
                      kind="logistics_record", caption="顺丰国际物流轨迹")
        ids.append(c2.id)

        c3 = lib.create_case(
            "transaction_fraud", "2026111800789", buyer_name="Global Buy Ltd",
            completed_on=today - timedelta(days=2),
            title="同一买家多账号刷单 Fake orders from one buyer",
            reason="同一买家以不同身份连续下单12笔后全部取消。",
            demand="请平台核实买家身份并永久封禁其账号。")
        lib.add_paths(c3.id, [_order(t / "orders.png", "2026111800789", "12 orders",
                                     "已取消 Cancelled")], kind="transaction_record",
                      caption="12笔订单全部取消")
        ids.append(c3.id)

        c4 = lib.create_case(
            "logistics_service_dispute", "LM2026111200042", buyer_name="Fast Freight Co.",
            paid_on=today - timedelta(days=9), amount="420.00", currency="USD",
            title="物流服务未履约 Logistics service not delivered",
            reason="服务商收款后未按约定时间提货,我们在验收前申请退款。",
            demand="请平台介入,退还全部服务费 USD 420。")
        lib.update_case(c4.id, refund_requested_on=today - timedelta(days=3))
        lib.add_paths(c4.id, [_chat(t / "chat2.png", [
            (True, "Truck delayed, maybe next week."),
            (False, "约定11月14日提货,至今未到。请退款。"),
        ], "Fast Freight Co.")], kind="chat_record", caption="服务商承认延误",
                      source="alibaba_chat")
        _phrases(lib, c4.id, [
            ("logistics.not_collected", {"due_on": (today - timedelta(days=6)).isoformat()}),
            ("logistics.refund_requested", {}),
            ("logistics.demand_full_refund", {"amount": "USD 420"}),
        ])
        ids.append(c4.id)
    return ids
