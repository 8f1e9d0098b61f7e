"""Offline OCR of screenshots and document photos (the optional `evidence-desk[ocr]` extra).

Importing this package is cheap and never imports the engine: `ocr_available()` only asks
whether the engine's packages are installed, so the desk can say how to turn OCR on without
paying for onnxruntime at start-up. The engine runs in a worker process (ocr.worker).
"""

from __future__ import annotations

import importlib.util

# The engine's three packages: rapidocr (the PP-OCR models ship in its wheel), onnxruntime,
# and the headless OpenCV build (the GUI build sets QT_QPA_PLATFORM_PLUGIN_PATH for every
# program the desk starts, which breaks them).
REQUIRED_MODULES = ("rapidocr", "onnxruntime", "cv2")

INSTALL_HINT_EN = (
    "Text recognition (OCR) is not installed. To let the desk read chat and order screenshots "
    "(search by what they say, check order numbers, spot outside chat apps), install the OCR "
    "extra: pip install 'evidence-desk[ocr]' - it works offline and downloads nothing "
    "afterwards.")
INSTALL_HINT_ZH = (
    "未安装文字识别(OCR)。安装 OCR 扩展后,本软件可以读取聊天和订单截图(按截图内容搜索、"
    "核对订单号、识别站外聊天工具):pip install 'evidence-desk[ocr]'。识别完全离线,"
    "安装后不再下载任何内容。")


def missing_modules() -> tuple[str, ...]:
    """Which of the engine's packages cannot be imported here (none: OCR is available)."""
    missing = []
    for name in REQUIRED_MODULES:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(name)
    return tuple(missing)


def ocr_available() -> bool:
    """Whether the [ocr] extra is installed (checked without importing the engine)."""
    return not missing_modules()


def install_hint(lang: str = "en") -> str:
    """How to turn OCR on, in the seller's language ("zh" or "en"; "both" gives both)."""
    if lang == "zh":
        return INSTALL_HINT_ZH
    if lang == "both":
        return f"{INSTALL_HINT_EN}\n{INSTALL_HINT_ZH}"
    return INSTALL_HINT_EN
