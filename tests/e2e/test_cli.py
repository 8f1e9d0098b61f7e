"""The command line as a user runs it: a real process, a real library folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import factories
import pytest


def run(lib: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, EVIDENCE_DESK_LOG_DIR=str(lib.parent / "logs"))
    proc = subprocess.run([sys.executable, "-m", "evidence_desk.cli", "--library", str(lib), *args],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    return tmp_path / "library"


def test_rules_json_lists_the_seed_table(lib: Path) -> None:
    data = json.loads(run(lib, "rules", "--json", check=True).stdout)
    required = {t["key"]: set(t["required_kinds"]) for t in data["complaint_types"]}
    assert required == {
        "fake_transaction": {"order_screenshot", "chat_record"},
        "quality_dispute": {"product_photo", "logistics_record", "return_record"},
        "service_failure": {"order_screenshot", "logistics_record"},
        "transaction_fraud": {"identity_document", "transaction_record"},
        "logistics_service_dispute": {"transaction_record", "chat_record"},
    }
    zh = {t["key"]: t["zh"] for t in data["complaint_types"]}
    assert zh["fake_transaction"] == "虚假交易" and zh["transaction_fraud"] == "交易欺诈"
    assert data["platform"]["zip_max_bytes"] == 2 * 1024 * 1024
    assert {k["key"] for k in data["evidence_kinds"]} == {
        "order_screenshot", "chat_record", "product_photo", "logistics_record", "return_record",
        "identity_document", "transaction_record", "other"}


def test_case_from_the_command_line_is_ready_only_as_fake_transaction(
        lib: Path, tmp_path: Path) -> None:
    chat = factories.chat_screenshot(tmp_path / "chat.png", ["请先付款", "I will not pay"])
    order = factories.order_screenshot(tmp_path / "order.png", "2026110500123")
    today = date.today()
    completed = (today - timedelta(days=6)).isoformat()
    out = run(lib, "case", "new", "--type", "fake_transaction", "--order", "2026110500123",
              "--buyer", "Lucas Meyer", "--completed", completed,
              "--demand", "Restrict the buyer's trading", check=True)
    case_id = out.stdout.strip()
    assert case_id.isdigit()
    added = run(lib, "add", case_id, str(chat), "--kind", "chat_record", check=True)
    assert added.stdout.startswith("added")
    run(lib, "add", case_id, str(order), "--kind", "order_screenshot", check=True)

    ready = run(lib, "check", case_id, "--json", "--today", today.isoformat())
    assert ready.returncode == 0, ready.stdout
    data = json.loads(ready.stdout)
    assert data["ready"] is True
    assert data["deadline"] == (today + timedelta(days=9)).isoformat()
    assert data["days_left"] == 9
    assert all({"kind", "required", "satisfied", "count"} <= set(r) for r in data["requirements"])

    out = run(lib, "case", "new", "--type", "quality_dispute", "--order", "2026110500123",
              "--completed", completed, check=True)
    other = out.stdout.strip()
    run(lib, "add", other, str(chat), str(order), check=True)
    not_ready = run(lib, "check", other, "--today", today.isoformat())
    assert not_ready.returncode == 1
    for label in ("Product photo", "Logistics record", "Return/exchange record"):
        assert label in not_ready.stdout

    shown = json.loads(run(lib, "case", "show", case_id, "--json", check=True).stdout)
    assert shown["order_no"] == "2026110500123"
    assert shown["state"] == "ready"
    assert len(shown["evidence"]) == 2
    assert all(len(e["sha256"]) == 64 for e in shown["evidence"])
    assert shown["attempts"][0]["id"] == int(case_id)


def test_add_reports_each_file_and_exits_3_on_a_rejection(lib: Path, tmp_path: Path) -> None:
    case_id = run(lib, "case", "new", "--type", "fake_transaction", "--order", "X1",
                  check=True).stdout.strip()
    good = factories.order_screenshot(tmp_path / "order.png", "X1")
    bad = tmp_path / "notes.png"
    bad.write_text("just some text", encoding="utf-8")
    again = tmp_path / "order-copy.png"
    again.write_bytes(good.read_bytes())
    out = run(lib, "add", case_id, str(good), str(bad), str(again))
    assert out.returncode == 3
    lines = out.stdout.splitlines()
    assert len(lines) == 3
    assert sum(line.startswith("added") for line in lines) == 1
    assert sum(line.startswith("duplicate") for line in lines) == 1
    assert any(line.startswith("rejected") and "notes.png" in line for line in lines)
    # A screenshot carries no EXIF time: the file's own date is used, and the line says so.
    added = next(line for line in lines if line.startswith("added"))
    assert "modification time is used" in added


@pytest.mark.folder_blobs
def test_verify_exits_1_and_names_the_altered_item(lib: Path, tmp_path: Path) -> None:
    case_id = run(lib, "case", "new", "--type", "fake_transaction", "--order", "X1",
                  check=True).stdout.strip()
    photo = factories.photo(tmp_path / "p.jpg")
    run(lib, "add", case_id, str(photo), check=True)
    assert run(lib, "verify").returncode == 0
    shown = json.loads(run(lib, "case", "show", case_id, "--json", check=True).stdout)
    item = shown["evidence"][0]
    blob = lib / "blobs" / item["sha256"][:2] / item["sha256"]
    os.chmod(blob, 0o600)
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x01
    blob.write_bytes(bytes(data))
    out = run(lib, "verify")
    assert out.returncode == 1
    assert f"item {item['id']}" in out.stdout and "altered" in out.stdout


@pytest.mark.parametrize("args, message", [
    (["case", "show", "999"], "There is no case 999"),
    (["case", "new", "--type", "nope", "--order", "1"], "Unknown complaint type"),
    (["case", "new", "--type", "fake_transaction", "--order", "1", "--completed", "26/11/2026"],
     "not a date"),
    (["check", "abc"], "not a case id"),
    (["frobnicate"], "invalid choice"),
])
def test_errors_are_one_line_without_traceback(lib: Path, args: list[str], message: str) -> None:
    out = run(lib, *args)
    assert out.returncode != 0
    assert message in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_demo_fills_a_library(tmp_path: Path) -> None:
    lib = tmp_path / "demo"
    out = run(lib, "demo", check=True)
    assert "Demo library ready" in out.stdout
    rows = json.loads(run(lib, "case", "list", "--json", check=True).stdout)
    assert len(rows) >= 4
    assert {r["type_key"] for r in rows} >= {"fake_transaction", "quality_dispute"}
    ready = [r for r in rows if r["met"] == r["required"]]
    assert ready, "the demo should show at least one ready case"


def test_submit_result_resubmit_from_the_command_line(lib: Path, tmp_path: Path) -> None:
    today = date.today()
    friday = today - timedelta(days=(today.weekday() - 4) % 7)  # the latest Friday, or today
    completed = (friday - timedelta(days=2)).isoformat()
    case_id = run(lib, "case", "new", "--type", "fake_transaction", "--order", "77",
                  "--completed", completed, "--demand", "Restrict trading",
                  check=True).stdout.strip()
    run(lib, "add", case_id, str(factories.chat_screenshot(tmp_path / "c.png", ["付款"])),
        "--kind", "chat_record", check=True)
    early = run(lib, "case", "submit", case_id)
    assert early.returncode == 1 and "not ready" in early.stderr
    run(lib, "add", case_id, str(factories.order_screenshot(tmp_path / "o.png", "77")),
        "--kind", "order_screenshot", check=True)
    future = run(lib, "case", "submit", case_id, "--on", (today + timedelta(days=1)).isoformat())
    assert future.returncode == 1 and "in the future" in future.stderr
    out = run(lib, "case", "submit", case_id, "--on", friday.isoformat(), check=True)
    # One to three working days after a Friday: Monday to Wednesday.
    monday, wednesday = friday + timedelta(days=3), friday + timedelta(days=5)
    assert f"result expected {monday} to {wednesday}" in out.stdout
    shown = json.loads(run(lib, "case", "show", case_id, "--json", check=True).stdout)
    assert shown["state"] == "submitted"
    assert shown["expected_result"] == {"earliest": monday.isoformat(),
                                        "latest": wednesday.isoformat()}
    before = run(lib, "case", "result", case_id, "rejected", "--on",
                 (friday - timedelta(days=1)).isoformat())
    assert before.returncode == 1 and "cannot come before the submission" in before.stderr
    run(lib, "case", "result", case_id, "rejected", check=True)
    new_id = run(lib, "case", "resubmit", case_id, check=True).stdout.strip()
    again = json.loads(run(lib, "case", "show", new_id, "--json", check=True).stdout)
    assert [a["id"] for a in again["attempts"]] == [int(case_id), int(new_id)]
    assert {e["sha256"] for e in again["evidence"]} == {e["sha256"] for e in shown["evidence"]}
    statement = run(lib, "case", "statement", new_id, check=True).stdout
    assert "77" in statement and statement.isascii()
    shown = json.loads(run(lib, "case", "show", new_id, "--json", check=True).stdout)
    assert shown["statement_en"] == statement


def test_export_and_pack_from_the_command_line(lib: Path, tmp_path: Path) -> None:
    case_id = run(lib, "case", "new", "--type", "fake_transaction", "--order", "2026110500123",
                  "--completed", date.today().isoformat(), "--reason", "买家 <b>不付款</b> & 取消",
                  check=True).stdout.strip()
    run(lib, "add", case_id, str(factories.chat_screenshot(tmp_path / "c.png", ["请先付款"])),
        str(factories.photo(tmp_path / "p.jpg", orientation=6)), check=True)
    pdf = tmp_path / "out" / "dossier.pdf"
    pdf.parent.mkdir()
    out = run(lib, "export", case_id, "-o", str(pdf), "--lang", "both", check=True)
    assert pdf.is_file() and "pages" in out.stdout
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(" yes " in line for line in fonts)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "2026110500123" in text and "虚假交易" in text and "<b>" in text
    shown = json.loads(run(lib, "case", "show", case_id, "--json", check=True).stdout)
    for item in shown["evidence"]:
        assert item["sha256"] in text.replace("\n", "")

    pack = tmp_path / "pack"
    run(lib, "pack", case_id, "-o", str(pack), check=True)
    zips = sorted(pack.glob("*.zip"))
    assert zips and all(z.stat().st_size <= 2 * 1024 * 1024 for z in zips)
    assert all(z.name.isascii() for z in zips)
    assert (pack / "statement_en.txt").read_text(encoding="ascii")

    bad = run(lib, "export", case_id, "-o", str(tmp_path / "dossier.txt"))
    assert bad.returncode != 0 and ".pdf" in bad.stderr


@pytest.mark.folder_blobs
def test_export_refuses_an_altered_original_and_keeps_the_old_dossier(
        lib: Path, tmp_path: Path) -> None:
    case_id = run(lib, "case", "new", "--type", "fake_transaction", "--order", "9",
                  check=True).stdout.strip()
    run(lib, "add", case_id, str(factories.photo(tmp_path / "p.jpg")), check=True)
    pdf = tmp_path / "d.pdf"
    run(lib, "export", case_id, "-o", str(pdf), check=True)
    before = pdf.read_bytes()
    item = json.loads(run(lib, "case", "show", case_id, "--json", check=True).stdout)["evidence"][0]
    blob = lib / "blobs" / item["sha256"][:2] / item["sha256"]
    os.chmod(blob, 0o600)
    blob.write_bytes(blob.read_bytes()[:-10] + b"0123456789")
    out = run(lib, "export", case_id, "-o", str(pdf))
    assert out.returncode == 1
    assert "no longer matches its SHA-256" in out.stderr and "p.jpg" in out.stderr
    assert pdf.read_bytes() == before


def test_case_edit_sets_the_logistics_dates_and_the_refund_window_is_checked(
        lib: Path) -> None:
    today = date.today()
    case_id = run(lib, "case", "new", "--type", "logistics_service_dispute", "--order", "LM1",
                  "--paid", (today - timedelta(days=9)).isoformat(), check=True).stdout.strip()
    out = run(lib, "case", "edit", case_id, "--accepted", (today - timedelta(days=5)).isoformat(),
              "--refund-requested", (today - timedelta(days=2)).isoformat(),
              "--buyer", "Fast Freight", "--demand", "Refund USD 420", check=True)
    assert out.stdout.startswith(f"case {case_id}:")
    data = json.loads(run(lib, "check", case_id, "--json").stdout)
    assert "refund_window" in {w["code"] for w in data["warnings"]}
    shown = json.loads(run(lib, "case", "show", case_id, "--json", check=True).stdout)
    assert shown["buyer"]["name"] == "Fast Freight" and shown["demand"] == "Refund USD 420"
    nothing = run(lib, "case", "edit", case_id)
    assert nothing.returncode == 2 and "nothing to change" in nothing.stderr
