"""The screen a widget is on, in device pixels: no window shows more of a picture than that."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget


def device_size(widget: QWidget) -> QSize:
    """The size of `widget`'s screen (else the primary one) in device pixels."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return QSize(1920, 1080)
    ratio = screen.devicePixelRatio()
    size = screen.size()
    return QSize(round(size.width() * ratio), round(size.height() * ratio))
