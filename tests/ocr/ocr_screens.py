"""Screenshots for OCR tests, drawn with the desk's own fonts (Droid Sans Fallback for Chinese,
DejaVu Sans for Latin) so no binary test data lives in the repository. Kept small: every picture
costs the engine about a CPU-second per megapixel."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from evidence_desk.textdraw import draw_text, text_size

WECHAT_GREEN = (149, 236, 105)


def order_page(path: Path, order_no: str, width: int = 1280, height: int = 720) -> Path:
    """An order details page as a desktop browser shows it, PNG."""
    im = Image.new("RGB", (width, height), (250, 250, 250))
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 0, width, 64), fill=(255, 106, 0))
    draw_text(draw, (30, 16), "订单详情 Order details", 28, (255, 255, 255))
    rows = [f"订单号 Order No.: {order_no}", "金额 Amount: USD 2,450.00",
            "付款时间 Paid: 2026-11-02 09:30", "买家 Buyer: Nordic Trade AB"]
    for i, row in enumerate(rows):
        draw_text(draw, (60, 110 + 64 * i), row, 28, (30, 30, 30))
    im.save(path, "PNG", compress_level=1)
    return Path(path)


def wechat_chat(path: Path, lines: list[str], width: int = 720, height: int = 1280) -> Path:
    """A WeChat conversation: the grey title bar says 微信, the seller's bubbles are green."""
    im = Image.new("RGB", (width, height), (237, 237, 237))
    draw = ImageDraw.Draw(im)
    size = 30
    draw.rectangle((0, 0, width, 100), fill=(247, 247, 247))
    tw, _ = text_size("微信", 34)
    draw_text(draw, ((width - tw) // 2, 30), "微信", 34, (20, 20, 20))
    y = 150
    pad = 18
    for i, text in enumerate(lines):
        tw, th = text_size(text, size)
        seller = i % 2 == 1
        x = width - tw - 3 * pad if seller else 3 * pad
        fill = WECHAT_GREEN if seller else (255, 255, 255)
        draw.rounded_rectangle((x - pad, y - pad, x + tw + pad, y + th + pad), radius=8,
                               fill=fill)
        draw_text(draw, (x, y), text, size, (0, 0, 0))
        y += th + 4 * pad
    draw.rectangle((0, height - 90, width, height), fill=(247, 247, 247))
    im.save(path, "PNG", compress_level=1)
    return Path(path)
