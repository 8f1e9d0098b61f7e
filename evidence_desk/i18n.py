"""Translations of the app's own text: English message ids, Simplified Chinese in a data file.

Kept free of Qt so the same catalogue serves the window and the dossier. Placeholders use
`{name}`; a test checks every message used in the code has a translation with the same
placeholders.
"""

from __future__ import annotations

import locale
import os
import tomllib
from functools import lru_cache
from pathlib import Path

from evidence_desk.paths import I18N_DIR

LANGUAGES = ("zh", "en")
_state = {"lang": "en"}


@lru_cache(maxsize=4)
def catalog(lang: str, folder: Path = I18N_DIR) -> dict[str, str]:
    if lang == "en":
        return {}
    # One file per area (zh.toml, zh-board.toml ...) so translators and screens don't collide.
    merged: dict[str, str] = {}
    for path in sorted(folder.glob(f"{lang}.toml")) + sorted(folder.glob(f"{lang}-*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        merged.update({str(k): str(v) for k, v in data.get("messages", {}).items()})
    return merged


def system_language() -> str:
    """'zh' when the system speaks Chinese, else 'en'."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        code = locale.getlocale()[0] or ""
    except ValueError:
        code = ""
    return "zh" if code.lower().startswith("zh") else "en"


def set_language(lang: str) -> None:
    _state["lang"] = lang if lang in LANGUAGES else "en"


def current_language() -> str:
    return _state["lang"]


def tr(text: str, /, **values: object) -> str:
    """The text in the current language, with `{name}` placeholders filled in."""
    out = catalog(_state["lang"]).get(text, text) if _state["lang"] != "en" else text
    return out.format(**values) if values else out


def tr_in_context(lang: str, context: str, text: str, /, **values: object) -> str:
    """As tr_in, preferring the translation given for `text` in `context` (a key
    "context|text" in the catalogue), for a word one place means differently."""
    if lang != "en":
        found = catalog(lang).get(f"{context}|{text}")
        if found is not None:
            return found.format(**values) if values else found
    return tr_in(lang, text, **values)


def tr_in(lang: str, text: str, /, **values: object) -> str:
    """The text in a given language, whatever the app's language is (for exports)."""
    out = catalog(lang).get(text, text) if lang != "en" else text
    return out.format(**values) if values else out


class Message(str):
    """A message for the user: English as a string (so logs, the command line and comparisons
    see plain English), carrying its catalogue id and parameters so a window can show it in
    the seller's language. Parameters may be messages themselves (a reason inside a reason)."""

    msgid: str
    params: dict[str, object]

    def __new__(cls, msgid: str, /, **params: object) -> Message:
        obj = super().__new__(cls, msgid.format(**params) if params else msgid)
        obj.msgid = msgid
        obj.params = params
        return obj

    def __reduce__(self) -> tuple[object, ...]:
        return _rebuild, (self.msgid, self.params)

    def in_language(self, lang: str) -> str:
        values = {k: v.in_language(lang) if isinstance(v, Message) else v
                  for k, v in self.params.items()}
        return tr_in(lang, self.msgid, **values)


def _rebuild(msgid: str, params: dict[str, object]) -> Message:
    return Message(msgid, **params)


def localized(value: object, lang: str | None = None) -> str:
    """A message, or an error carrying one, in `lang` (the app's language by default).

    Plain text is shown as it is: what has no message id was never meant for translation
    (a name, a path, an error from outside the app).
    """
    lang = lang or current_language()
    if isinstance(value, BaseException):
        zh = getattr(value, "message_zh", None)
        if lang == "zh" and isinstance(zh, str) and zh:
            return zh
        value = value.args[0] if len(value.args) == 1 else str(value)
    if isinstance(value, Message):
        return value.in_language(lang)
    return str(value)
