"""A library's own rules (`<library>/rules/`) are the rules in force everywhere: ingest suggests
their kinds, the checklist counts by them, exports label with them, and a library that carries its
own copy needs nothing of the shipped rules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from factories import pdf_waybill
from pypdf import PdfReader

from evidence_desk import paths, rules_source
from evidence_desk.cli import main as cli
from evidence_desk.library.service import Library

SHIPPED = paths.RULES_DIR


def _own_rules(library: Path, rename: tuple[str, str] | None = None) -> Path:
    """Give `library` its own copy of the shipped rules, with one kind key renamed if asked."""
    own = library / "rules"
    shutil.copytree(SHIPPED, own)
    if rename:
        for toml in own.glob("*.toml"):
            toml.write_text(toml.read_text(encoding="utf-8").replace(*rename), encoding="utf-8")
    return own


@pytest.fixture
def no_shipped_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped rules are out of reach, as in an installation that lost them."""
    gone = tmp_path / "nowhere" / "rules"
    monkeypatch.setattr(paths, "RULES_DIR", gone)
    monkeypatch.setattr(rules_source, "RULES_DIR", gone)
    rules_source.shipped_rules.cache_clear()
    yield
    rules_source.shipped_rules.cache_clear()


def test_a_library_with_its_own_rules_needs_nothing_shipped(
        tmp_path: Path, no_shipped_rules: None, capsys: pytest.CaptureFixture[str]) -> None:
    lib_dir = tmp_path / "lib"
    lib_dir.mkdir()
    _own_rules(lib_dir)
    assert cli(["--library", str(lib_dir), "demo"]) == 0
    lib = Library.open(lib_dir)
    try:
        cases = lib.list_cases()
        assert cases and all(lib.list_evidence(c.id) for c in cases), "demo added no evidence"
        waybill = pdf_waybill(tmp_path / "waybill.pdf", "SF1234567890")
        case_id = cases[0].id
    finally:
        lib.close()
    capsys.readouterr()
    assert cli(["--library", str(lib_dir), "add", str(case_id), str(waybill)]) == 0
    out = capsys.readouterr().out
    assert "added" in out and "damaged" not in out
    # Without a library of its own the shipped rules are needed, and their absence is named.
    assert cli(["--library", str(tmp_path / "plain"), "rules"]) == 1
    assert "rules" in capsys.readouterr().err


def test_ingest_checklist_and_export_follow_the_library_rules(tmp_path: Path) -> None:
    lib_dir = tmp_path / "lib"
    lib_dir.mkdir()
    # This library's own rules take chat records as spreadsheets too (a chat tool's CSV export).
    _own_rules(lib_dir, rename=('accepts = ["image", "pdf", "email", "text", "document", "video"]',
                                'accepts = ["image", "pdf", "email", "text", "document", "video", '
                                '"spreadsheet"]'))
    chats = tmp_path / "chat with buyer.csv"
    chats.write_text("time,from,message\n2024-03-01 09:00,buyer,Where is my order?\n"
                     "2024-03-01 09:05,seller,Shipped today.\n", encoding="utf-8")
    lib = Library.open(lib_dir)
    try:
        assert "spreadsheet" in lib.rules.kinds["chat_record"].accepts
        assert "spreadsheet" not in rules_source.shipped_rules().kinds["chat_record"].accepts
        case_id = lib.create_case(type_key="fake_transaction", order_no="2024030112345").id
        [added] = lib.add_paths(case_id, [chats])
        assert added.status == "added", added
        [item] = lib.list_evidence(case_id)
        assert item.kind == "chat_record"  # under the shipped rules: a transaction record
        chat_req = next(r for r in lib.check(case_id).requirements if "chat_record" in r.kinds)
        assert chat_req.satisfied and chat_req.item_ids == (item.id,)
        from evidence_desk.export.jobs import export_dossier

        out = tmp_path / "case.pdf"
        export_dossier(lib, case_id, out, lang="en")
        text = "".join(page.extract_text() or "" for page in PdfReader(out).pages)
        assert "Chat record" in text and "Shipped today." in text
    finally:
        lib.close()


def test_rules_is_read_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lib_dir = tmp_path / "lib"
    lib_dir.mkdir()
    own = _own_rules(lib_dir)
    kinds = own / "evidence_kinds.toml"
    kinds.write_text(kinds.read_text(encoding="utf-8").replace(
        'en = "Chat record"', 'en = "Chat with the buyer"'), encoding="utf-8")
    assert cli(["--library", str(lib_dir), "rules"]) == 0
    assert "Chat with the buyer" in capsys.readouterr().out
    assert sorted(p.name for p in lib_dir.iterdir()) == ["rules"]
    missing = tmp_path / "not-yet"
    assert cli(["--library", str(missing), "rules", "--json"]) == 0
    assert not missing.exists()
    assert cli(["rules"]) == 0  # the default library (conftest: a fresh folder) stays unmade
    assert not paths.default_library_dir().exists()
    assert cli(["--help"]) == 0
    assert not paths.default_library_dir().exists()
