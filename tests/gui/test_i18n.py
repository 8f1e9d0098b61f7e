"""Every string the window shows has a Chinese translation with the same placeholders."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from evidence_desk.i18n import catalog

PACKAGE = Path(__file__).resolve().parents[2] / "evidence_desk"
SOURCES = sorted((PACKAGE / "ui").rglob("*.py")) + [PACKAGE / "app.py"]


def _tr_calls(path: Path) -> list[tuple[int, ast.expr]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "tr" and node.args:
            calls.append((node.lineno, node.args[0]))
    return calls


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _messages() -> list[tuple[str, int, str]]:
    out = []
    for path in SOURCES:
        for line, arg in _tr_calls(path):
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                out.append((path.name, line, arg.value))
    return out


def test_no_built_text_is_translated() -> None:
    # An f-string or a concatenation can never match a catalogue entry. A plain variable is
    # allowed: it carries a message id declared as a literal elsewhere (a table of messages).
    def built(arg: ast.expr) -> bool:
        if isinstance(arg, (ast.JoinedStr, ast.BinOp)):
            return True
        return isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) \
            and arg.func.attr in ("format", "join", "replace")

    bad = [f"{path.name}:{line}" for path in SOURCES for line, arg in _tr_calls(path)
           if built(arg)]
    assert not bad, f"tr() needs a literal message id, not built text: {bad}"


def test_sources_are_found() -> None:
    assert len(_messages()) > 100


@pytest.mark.parametrize("lang", ["zh"])
def test_every_message_has_a_translation_with_the_same_placeholders(lang: str) -> None:
    merged = catalog(lang)
    missing = sorted({text for _, _, text in _messages() if text not in merged})
    assert not missing, f"{len(missing)} messages lack a {lang} translation:\n" + \
        "\n".join(missing)
    wrong = sorted(f"{text!r} -> {merged[text]!r}" for _, _, text in _messages()
                   if _placeholders(text) != _placeholders(merged[text]))
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


# ---- messages of the library and the import ------------------------------------------------
# The library's errors and the import's refusals are `Message(id, **params)` anywhere in the
# package; the window shows them in the seller's language, so they need translations too.

def _message_ids() -> list[tuple[str, int, str]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "i18n.py":  # where messages are made, not said
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id == "Message" and node.args:
                arg = node.args[0]
                assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), \
                    f"{path.name}:{node.lineno}: Message() needs a literal message id"
                out.append((path.name, node.lineno, arg.value))
    return out


def test_library_and_import_messages_are_found() -> None:
    files = {name for name, _, _ in _message_ids()}
    assert {"probe.py", "walk.py", "sniff.py", "evidence.py", "cases.py"} <= files


@pytest.mark.parametrize("lang", ["zh"])
def test_every_library_message_has_a_translation_with_the_same_placeholders(lang: str) -> None:
    merged = catalog(lang)
    ids = _message_ids()
    missing = sorted({text for _, _, text in ids if text not in merged})
    assert not missing, f"{len(missing)} messages lack a {lang} translation:\n" + \
        "\n".join(missing)
    wrong = sorted(f"{text!r} -> {merged[text]!r}" for _, _, text in ids
                   if _placeholders(text) != _placeholders(merged[text]))
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


# ---- the dossier's fixed texts ---------------------------------------------------------------

def test_every_dossier_label_has_a_chinese_translation_with_the_same_placeholders() -> None:
    from evidence_desk.export.dossier_labels import LABELS, label
    from evidence_desk.i18n import tr_in_context

    same_in_both = {"SHA-256"}
    merged = catalog("zh")
    missing, wrong = [], []
    for key, en in LABELS.items():
        found = merged.get(f"dossier.{key}|{en}", merged.get(en))
        if found is None:
            if en not in same_in_both:
                missing.append(key)
            continue
        if _placeholders(found) != _placeholders(en):
            wrong.append(key)
    assert not missing and not wrong, (missing, wrong)
    # The dossier's own sense wins over the window's word: "Reason" is 原因 in the window,
    # 投诉理由 as the dossier's heading.
    assert merged["Reason"] == "原因" and label("reason", "zh") == "投诉理由"
    assert tr_in_context("zh", "dossier.reason", "Reason") == "投诉理由"
    assert label("reason", "both") == "投诉理由 / Reason"
