"""The engine for real, offline: generated screenshots under neutral names are read by
`evidence-desk ocr` (a worker process, network blocked in both processes), and what they say
reaches the checklist, search, the dossier and bundles.

Each picture costs the engine about 2 CPU-seconds, so one library is read once for the module;
the same order screenshot in two cases is one original, read once.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from factories import truncated_jpeg
from ocr_screens import order_page, wechat_chat
from ocr_support import NO_NETWORK_SITE, needs_ocr, site_dir

from evidence_desk import cli
from evidence_desk.library.service import Library

pytestmark = [needs_ocr, pytest.mark.sqlite_only]

ROOT = Path(__file__).resolve().parents[2]
ORDER_SHOWN = "281734650021987"
ORDER_OTHER = "160023001122334"
PHRASE = "顺丰寄出"
CHAT = ["你好，样品什么时候寄出？", "明天顺丰寄出，请放心", "收到货后我们马上确认付款"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = cli.main(list(args))
    return code, capsys.readouterr().out


def new_case(lib_dir: Path, order: str) -> int:
    with Library.open(lib_dir) as lib:
        return lib.create_case("fake_transaction", order, completed_on=None).id


@pytest.fixture(scope="module")
def read(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    tmp = tmp_path_factory.mktemp("ocr")
    lib_dir = tmp / "lib"
    for sub in ("a", "b", "c"):
        (tmp / sub).mkdir()
    order_page(tmp / "a" / "image.png", ORDER_SHOWN)
    shutil.copyfile(tmp / "a" / "image.png", tmp / "b" / "image.png")
    wechat_chat(tmp / "c" / "image.png", CHAT)
    with Library.open(lib_dir) as lib:
        wrong = lib.create_case("fake_transaction", ORDER_OTHER).id
        right = lib.create_case("fake_transaction", ORDER_SHOWN).id
        chat = lib.create_case("fake_transaction", ORDER_SHOWN, title="chat").id
        for case_id, sub in ((wrong, "a"), (right, "b"), (chat, "c")):
            [added] = lib.add_paths(case_id, [tmp / sub / "image.png"])
            assert added.status == "added"
        kinds = {i.kind for c in (wrong, chat) for i in lib.list_evidence(c)}
        assert kinds == {"order_screenshot", "chat_record"}  # from the pictures' shapes
        # One picture the engine cannot decode: it must not take the run down.
        lib.add_paths(right, [truncated_jpeg(tmp / "broken.jpg", keep=0.3)], kind="chat_record")
    net_log = tmp / "net.log"
    env = {**os.environ, "EVIDENCE_DESK_TEST_NET_LOG": str(net_log),
           "PYTHONPATH": os.pathsep.join([str(site_dir(tmp / "site", NO_NETWORK_SITE)),
                                          str(ROOT)])}
    done = subprocess.run([sys.executable, "-m", "evidence_desk.cli", "--library",
                           str(lib_dir), "ocr"], capture_output=True, text=True, env=env,
                          cwd=tmp, timeout=600)
    return SimpleNamespace(tmp=tmp, lib=lib_dir, wrong=wrong, right=right, chat=chat, run=done,
                           net_log=net_log)


def test_ocr_reads_what_is_pending_offline(read: SimpleNamespace, no_network: list,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    # Three originals: the order page (used by two cases), the chat and the broken picture.
    assert read.run.returncode == 3, read.run.stderr
    lines = read.run.stdout.splitlines()
    progress = [ln for ln in lines if ln.startswith("ocr ")]
    assert [ln.split()[1] for ln in progress] == ["1/3", "2/3", "3/3"]
    assert sum(" image.png: " in ln and ln.endswith(" line(s)") for ln in progress) == 2
    [broken] = [ln for ln in progress if " broken.jpg: " in ln]
    assert "not read: the picture cannot be read" in broken
    assert lines[-1] == "read 2, not readable 1, still pending 0"
    assert read.run.stderr == ""
    assert not read.net_log.exists(), read.net_log.read_text()
    code, out = run(capsys, "--library", str(read.lib), "ocr")
    assert code == 0 and "nothing to read" in out
    assert no_network == []


def test_order_number_in_the_screenshot_is_checked(read: SimpleNamespace, no_network: list,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run(capsys, "--library", str(read.lib), "check", str(read.wrong), "--json")
    data = json.loads(out)
    [warning] = [w for w in data["warnings"] if w["code"] == "order_mismatch"]
    assert ORDER_SHOWN in warning["message"] and ORDER_OTHER in warning["message"]
    assert ORDER_SHOWN in warning["message_zh"]
    offered = {(s["field"], s["value"]) for s in data["suggestions"]}
    assert ("amount", "USD 2450.00") in offered
    assert ("paid_on", "2026-11-02") in offered

    _, out = run(capsys, "--library", str(read.lib), "check", str(read.right), "--json")
    assert "order_mismatch" not in [w["code"] for w in json.loads(out)["warnings"]]


def test_wechat_screenshot_is_an_outside_chat(read: SimpleNamespace, no_network: list,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run(capsys, "--library", str(read.lib), "check", str(read.chat), "--json")
    data = json.loads(out)
    [warning] = [w for w in data["warnings"] if w["code"] == "off_platform_chat"]
    assert "WeChat" in warning["message"] and "微信" in warning["message_zh"]
    chat_req = next(r for r in data["requirements"] if r["kind"] == "chat_record")
    assert chat_req["count"] == 0  # the platform does not count it


def test_search_and_dossier_find_a_chinese_phrase(read: SimpleNamespace, no_network: list,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "--library", str(read.lib), "search", PHRASE, "--json")
    assert code == 0
    data = json.loads(out)
    [item] = data["items"]
    assert item["case_id"] == read.chat and item["fields"] == ["recognised_text"]
    assert any(PHRASE in line["text"] for line in item["lines"])
    assert [c["case_id"] for c in data["cases"]] == [read.chat]

    pdf = read.tmp / "dossier.pdf"
    code, _ = run(capsys, "--library", str(read.lib), "export", str(read.chat), "-o", str(pdf))
    assert code == 0
    pages = []
    n = 1
    while True:
        done = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
                              capture_output=True, text=True)
        if done.returncode != 0 or n > 50:
            break
        pages.append(done.stdout)
        n += 1
    found = [i for i, text in enumerate(pages) if PHRASE in text]
    assert len(found) == 1, found
    exhibit_page = pages[found[0]]
    assert "image.png" in exhibit_page and "SHA-256" in exhibit_page  # its caption block


def test_bundle_carries_the_text(read: SimpleNamespace, no_network: list,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    bundle = read.tmp / "chat.edbundle"
    assert run(capsys, "--library", str(read.lib), "bundle", "export", str(read.chat), "-o",
               str(bundle))[0] == 0
    other = read.tmp / "other-lib"
    code, out = run(capsys, "--library", str(other), "bundle", "import", str(bundle))
    assert code == 0
    with Library.open(other) as lib:
        assert lib.ocr_pending() == []  # nothing to read again
        hits = lib.search(PHRASE)
        assert [i.case_id for i in hits.items] == [int(out.strip())]


def test_a_cancelled_run_stops_the_worker_and_resumes_later(read: SimpleNamespace,
                                                            no_network: list) -> None:
    from evidence_desk.ocr.worker import run_pending

    picture = order_page(read.tmp / "late.png", "990011223344556")
    with Library.open(read.lib) as lib:
        lib.add_paths(read.right, [picture])
        assert len(lib.ocr_pending(read.right)) == 1
        start = time.monotonic()
        report = run_pending(lib, read.right, cancel=lambda: time.monotonic() - start > 1.0)
        assert report.cancelled and report.read == 0
        assert time.monotonic() - start < 10
        assert multiprocessing.active_children() == []
        assert len(lib.ocr_pending(read.right)) == 1
    # The engine only ever ran in the worker: the desk's own process never loads it.
    assert not {"rapidocr", "onnxruntime", "cv2"} & set(sys.modules)
