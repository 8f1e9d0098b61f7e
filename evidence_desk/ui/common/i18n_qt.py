"""Qt's side of the language: its own dialogs' words (qtbase), and the CJK fallback font."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from evidence_desk.i18n import set_language
from evidence_desk.paths import CJK_FONT

_installed: dict[str, QTranslator] = {}
_font_family: list[str] = []


def apply_language(lang: str) -> None:
    """Switch our catalogue and Qt's standard texts (OK, Cancel, Yes ...) to `lang`."""
    set_language(lang)
    app = QCoreApplication.instance()
    if app is None:
        return
    old = _installed.pop("qtbase", None)
    if old is not None:
        QCoreApplication.removeTranslator(old)
    if lang == "zh":
        translator = QTranslator(app)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        # PySide6 wheels ship qtbase_zh_CN.qm; without it Qt's buttons simply stay English.
        if translator.load("qtbase_zh_CN", folder):
            QCoreApplication.installTranslator(translator)
            _installed["qtbase"] = translator
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China) if lang == "zh"
                       else QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))


def install_cjk_fallback() -> str:
    """Load the shipped CJK font and put it behind the UI font, so Chinese renders everywhere."""
    if _font_family:
        return _font_family[0]
    font_id = QFontDatabase.addApplicationFont(str(CJK_FONT))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        return ""
    family = families[0]
    _font_family.append(family)
    app = QGuiApplication.instance()
    if isinstance(app, QGuiApplication):
        font = QFont(app.font())
        # Qt falls back family by family per glyph: Latin stays in the system font.
        font.setFamilies([*font.families(), family])
        QGuiApplication.setFont(font)
    return family
