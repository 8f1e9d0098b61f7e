"""A complaint in English from phrases alone, driven from the command line: for each of the five
case types, two facts and one demand with their slots set give an ASCII English statement that
says every value and cites exhibits that exist; the Chinese version holds the phrases' twins;
the English dossier's statement page holds no Chinese, the bilingual one both."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from evidence_desk import cli
from evidence_desk.paths import PHRASES_DIR

CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
LETTERS = {"order_screenshot": "A", "chat_record": "B", "product_photo": "C",
           "logistics_record": "D", "return_record": "E", "identity_document": "F",
           "transaction_record": "G", "other": "H"}
CARRIERS = {c["key"]: c for c in tomllib.loads(
    (PHRASES_DIR / "carriers.toml").read_text(encoding="utf-8"))["carrier"]}

# type -> (evidence kinds to add, [(phrase id, {slot: value})]: two facts and one demand)
CASES: dict[str, tuple[list[str], list[tuple[str, dict[str, str]]]]] = {
    "fake_transaction": (["order_screenshot", "chat_record"], [
        ("fake.cancelled_unpaid", {"order_no": "2024050312345", "ordered_on": "2024-05-01",
                                   "cancelled_on": "2024-05-02"}),
        ("fake.reminded", {"reminded_on": "2024-05-04", "chat": "B-1"}),
        ("fake.demand_restrict", {"member_id": "br7654321"}),
    ]),
    "quality_dispute": (["product_photo", "chat_record", "logistics_record"], [
        ("quality.photos_match", {"photo": "C-1"}),
        ("quality.claim_defective", {"claimed_on": "2024-06-11", "count": "12"}),
        ("quality.demand_return_shipping", {"amount": "USD 35.00"}),
    ]),
    "service_failure": (["order_screenshot", "logistics_record"], [
        ("service.shipped_before_due", {"order_no": "SO-2024-778", "shipped_on": "2024-04-02",
                                        "due_on": "2024-04-05", "tracking": "D-1"}),
        ("service.carrier_contacted", {"carrier": "dhl", "contacted_on": "2024-04-09"}),
        ("service.demand_extend", {"order_no": "SO-2024-778", "days": "10"}),
    ]),
    "transaction_fraud": (["identity_document", "transaction_record"], [
        ("fraud.identity_of_another", {"member_id": "us5550001", "identity": "F-1"}),
        ("fraud.fake_orders", {"from_on": "2024-03-01", "until_on": "2024-03-20",
                               "count": "7", "records": "G-1"}),
        ("fraud.demand_ban", {"member_id": "us5550001"}),
    ]),
    "logistics_service_dispute": (["transaction_record", "chat_record"], [
        ("logistics.ordered_and_paid", {"order_no": "LG88001", "ordered_on": "2024-07-01",
                                        "amount": "USD 1,200.00", "paid_on": "2024-07-02",
                                        "payment": "G-1"}),
        ("logistics.negotiated", {"from_on": "2024-07-10", "until_on": "2024-07-15",
                                  "chat": "B-1"}),
        ("logistics.demand_full_refund", {"amount": "USD 1,200.00"}),
    ]),
}


def run(lib: Path, capsys: pytest.CaptureFixture[str], *args: str,
        code: int = 0) -> tuple[str, str]:
    """The real command line, in this process (the same `main` the console script calls)."""
    got = cli.main(["--library", str(lib), *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err, err
    assert got == code, (args, out, err)
    return out, err


def _picture(path: Path, shade: int) -> Path:
    Image.new("RGB", (320, 200), (shade, shade, 255 - shade)).save(path)
    return path


def _zh_value(name: str, value: str, phrases: dict[str, dict], pid: str) -> str:
    slot = next(s for s in phrases[pid]["slots"] if s["name"] == name)
    if slot["type"] == "date":
        d = date.fromisoformat(value)
        return f"{d.year}年{d.month}月{d.day}日"
    if slot["type"] == "carrier":
        return CARRIERS[value]["zh"]
    return value


def _en_value(name: str, value: str, phrases: dict[str, dict], pid: str) -> str:
    slot = next(s for s in phrases[pid]["slots"] if s["name"] == name)
    return CARRIERS[value]["en"] if slot["type"] == "carrier" else value


def _build(lib: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], type_key: str) -> str:
    kinds, picks = CASES[type_key]
    out, _ = run(lib, capsys, "case", "new", "--type", type_key, "--order", "ORD-" + type_key[:4],
                 "--buyer", "Lucas Meyer", "--reason", "买家下单后取消订单,拒不付款。",
                 "--demand", "请平台处理", "--completed", "2024-07-20", "--paid", "2024-07-02",
                 "--amount", "1200", "--title", "Note to self: chase Lucas")
    case_id = out.strip()
    # The frame states the case's own facts; a logistics dispute also needs the refund date.
    run(lib, capsys, "case", "edit", case_id, "--refund-requested", "2024-07-08")
    for i, kind in enumerate(kinds):
        run(lib, capsys, "add", case_id, str(_picture(tmp_path / f"{type_key}-{kind}.png",
                                                      40 * i)), "--kind", kind)
    for pid, slots in picks:
        args = [a for name, value in slots.items() for a in ("--set", f"{name}={value}")]
        run(lib, capsys, "case", "phrase", case_id, pid, *args)
    return case_id


def _statement_pages(pdf: Path) -> list[str]:
    pages = [p.extract_text() for p in PdfReader(str(pdf)).pages]
    start = next(i for i, t in enumerate(pages) if "Statement in English" in t)
    end = next(i for i, t in enumerate(pages) if i >= start and "Evidence checklist" in t)
    return pages[start:end + 1]


@pytest.mark.parametrize("type_key", list(CASES))
def test_a_case_made_only_of_phrases_gives_a_complete_english_statement(
        type_key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lib = tmp_path / "library"
    bank_out, _ = run(lib, capsys, "phrases", "--type", type_key, "--json")
    phrases = {p["id"]: p for p in json.loads(bank_out)}
    case_id = _build(lib, tmp_path, capsys, type_key)
    kinds, picks = CASES[type_key]

    en, _ = run(lib, capsys, "case", "statement", case_id, "--lang", "en")
    assert en.isascii() and "[please" not in en and "买家" not in en
    for pid, slots in picks:
        for name, value in slots.items():
            assert _en_value(name, value, phrases, pid) in en, (pid, name)
    existing = {f"{LETTERS[k]}-1" for k in kinds}
    cited = set(re.findall(r"(?<![A-Za-z0-9-])[A-Z]-\d+(?![A-Za-z0-9-])", en))
    assert cited and cited <= existing, (cited, existing)

    zh, _ = run(lib, capsys, "case", "statement", case_id, "--lang", "zh")
    for pid, slots in picks:
        twin = phrases[pid]["zh"]
        for name, value in slots.items():
            twin = twin.replace("{" + name + "}", _zh_value(name, value, phrases, pid))
        assert twin in zh, (pid, twin)
    # The Chinese reason the case also holds is not in the English, so not in its reading either.
    assert "拒不付款" not in zh

    shown = json.loads(run(lib, capsys, "case", "show", case_id, "--json")[0])
    assert shown["statement_en"] == en and shown["statement_zh"] == zh
    assert [p["phrase"] for p in shown["statement_phrases"]] == [p for p, _ in picks]

    pdf = tmp_path / "en.pdf"
    _, err = run(lib, capsys, "export", case_id, "-o", str(pdf), "--lang", "en")
    assert "warning" not in err
    pages = _statement_pages(pdf)
    assert all(not CJK.search(t) for t in pages), [CJK.findall(t) for t in pages]
    text = "\n".join(pages)
    assert phrases[picks[2][0]]["en"].split("{")[0].strip() in text
    # The case title is the seller's note to themselves: never on the dossier.
    reader = PdfReader(str(pdf))
    assert not any("chase Lucas" in p.extract_text() for p in reader.pages)
    assert "chase Lucas" not in str(reader.metadata)

    both = tmp_path / "both.pdf"
    run(lib, capsys, "export", case_id, "-o", str(both), "--lang", "both")
    text = re.sub(r"\s+", "", "\n".join(_statement_pages(both)))
    assert "StatementinEnglish" in text and "中文阅读版" in text
    assert re.sub(r"\s+", "", phrases[picks[0][0]]["en"].split("{")[0]) in text
    assert re.sub(r"\s+", "", phrases[picks[2][0]]["zh"].split("{")[0]) in text


def test_list_remove_and_refusals_in_one_line(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    lib = tmp_path / "library"
    case_id = _build(lib, tmp_path, capsys, "fake_transaction")
    listed = json.loads(run(lib, capsys, "case", "phrase", case_id, "--list", "--json")[0])
    assert [r["position"] for r in listed] == [1, 2, 3]
    assert listed[1]["slots"] == {"reminded_on": "2024-05-04", "chat": "B-1"}
    _, err = run(lib, capsys, "case", "phrase", case_id, "fake.reminded",
                 "--set", "reminded_on=2024-02-30", code=1)
    assert err.count("\n") == 1 and "'reminded_on'" in err and "not a date" in err
    _, err = run(lib, capsys, "case", "phrase", case_id, "fake.reminded", "--set", "chat=C-1",
                 code=1)
    assert "no exhibit C-1" in err and "A-1, B-1" in err
    _, err = run(lib, capsys, "case", "phrase", case_id, "quality.photos_match", code=1)
    assert "No phrase 'quality.photos_match' for a fake_transaction case" in err
    _, err = run(lib, capsys, "case", "phrase", case_id, "fake.prepared_goods",
                 "--set", "count=40")
    assert "relies on evidence the case does not have (Product photo)" in err
    run(lib, capsys, "case", "phrase", case_id, "--remove", "2")
    listed = json.loads(run(lib, capsys, "case", "phrase", case_id, "--list", "--json")[0])
    assert [r["phrase"] for r in listed] == ["fake.cancelled_unpaid", "fake.demand_restrict",
                                            "fake.prepared_goods"]
    _, err = run(lib, capsys, "case", "phrase", case_id, "--remove", "9", code=1)
    assert "There is no sentence 9" in err
    en, _ = run(lib, capsys, "case", "statement", case_id)
    assert "We reminded the buyer" not in en and "prepared 40 units" in en


def test_show_json_never_holds_a_stale_statement(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    lib = tmp_path / "library"
    case_id = run(lib, capsys, "case", "new", "--type", "fake_transaction", "--order", "A1",
                  "--reason", "The buyer cancelled.", "--demand", "Deduct credit points.")[0].strip()
    first, _ = run(lib, capsys, "case", "statement", case_id)
    assert "No exhibits are attached yet" in first
    run(lib, capsys, "add", case_id, str(_picture(tmp_path / "o.png", 9)), "--kind",
        "order_screenshot")
    shown = json.loads(run(lib, capsys, "case", "show", case_id, "--json")[0])
    assert "No exhibits are attached yet" not in shown["statement_en"]
    assert "(see Exhibit A-1)" in shown["statement_en"]
    assert "【由您填写，未经核对】The buyer cancelled." in shown["statement_zh"]


def test_export_and_pack_name_what_the_platform_would_refuse(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lib = tmp_path / "library"
    case_id = run(lib, capsys, "case", "new", "--type", "fake_transaction", "--order", "A2",
                  "--reason", "买家下单后取消订单")[0].strip()
    run(lib, capsys, "add", case_id, str(_picture(tmp_path / "o.png", 9)), "--kind",
        "order_screenshot")
    run(lib, capsys, "case", "phrase", case_id, "fake.demand_credit")
    _, err = run(lib, capsys, "export", case_id, "-o", str(tmp_path / "d.pdf"), "--lang", "en")
    assert "[please translate: what happened]" in err
    check = json.loads(run(lib, capsys, "check", case_id, "--json", code=1)[0])
    codes = {w["code"] for w in check["warnings"]}
    assert "statement_placeholder" in codes and "no_demand" not in codes
    run(lib, capsys, "case", "phrase", case_id, "fake.cancelled_unpaid")
    _, err = run(lib, capsys, "pack", case_id, "-o", str(tmp_path / "pack"))
    assert "[please fill in: ordered on]" in err and "[please fill in: cancelled on]" in err
    assert "Sentence 2 (fake.cancelled_unpaid) still has blanks: ordered_on, cancelled_on" in err
    statement = (tmp_path / "pack" / "statement_en.txt").read_text(encoding="ascii")
    assert "[please translate" not in statement and "[please fill in: ordered on]" in statement


def test_phrases_survive_a_bundle_and_the_console_script(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    lib = tmp_path / "library"
    case_id = _build(lib, tmp_path, capsys, "transaction_fraud")
    bundle = tmp_path / "case.edbundle"
    run(lib, capsys, "bundle", "export", case_id, "-o", str(bundle))
    other = tmp_path / "other"
    new_id = run(other, capsys, "bundle", "import", str(bundle))[0].strip()
    a = run(lib, capsys, "case", "statement", case_id)[0]
    b = run(other, capsys, "case", "statement", new_id)[0]
    assert a == b and "us5550001" in b
    # The same command line as a separate process, as a script would run it.
    proc = subprocess.run([sys.executable, "-m", "evidence_desk.cli", "--library", str(other),
                           "phrases", "--type", "transaction_fraud"],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 0 and "fraud.demand_ban" in proc.stdout and "恳请平台" in proc.stdout
