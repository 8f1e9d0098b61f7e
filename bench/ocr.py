"""OCR cost, and what it does to an import the seller waits for.

    python bench/ocr.py [--chats 3] [--orders 3] [--batch 20] [--rounds 3]

1. OCR: phone chat screenshots (1080x2400) and order pages (1920x1080) read through the worker
   process (ocr.worker.run_pending): CPU-seconds a screenshot (the worker's own CPU time) and the
   worker's peak resident memory.
2. Import with OCR off and on: the wall time of Library.add_paths for a batch of screenshots,
   alone ("off"), and while the OCR worker reads an earlier batch at low priority ("on", the
   worst case: the desk starts OCR after an import, so a second import may overlap it). Rounds
   alternate off and on; medians are compared. OCR on must stay within 10 % of off.
3. Start-up: the time to import the desk's modules (command line, library, OCR job API) with the
   extra installed and with it hidden: the engine is never loaded by the desk itself.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "ocr"))


def chat_lines(i: int) -> list[str]:
    base = ["您好，请问这批货什么时候发出？", "Hello, the goods will ship tomorrow.",
            "订单号 2410762415855894 已付款", "Please confirm the tracking number.",
            "运单号 SF1234567890，请查收", "Thank you, I received the parcel.",
            "质量有问题，我要退款", "Please send photos of the damage.",
            "好的，我们马上处理", f"Message {i}: 金额 USD 1,280.00"]
    return base * 2


def make_pictures(folder: Path, chats: int, orders: int, tag: str) -> tuple[list[Path],
                                                                             list[Path]]:
    import factories

    folder.mkdir(parents=True, exist_ok=True)
    chat_paths = [factories.chat_screenshot(folder / f"{tag}chat{i}.png", chat_lines(i),
                                            width=1080, height=2400) for i in range(chats)]
    order_paths = [factories.order_screenshot(folder / f"{tag}order{i}.png",
                                              f"24107624158{55894 + i:05d}", width=1920,
                                              height=1080) for i in range(orders)]
    return chat_paths, order_paths


def bench_ocr(tmp: Path, chats: int, orders: int) -> dict[str, float]:
    from evidence_desk.library.service import Library
    from evidence_desk.ocr.worker import run_pending

    chat_paths, order_paths = make_pictures(tmp / "ocr-in", chats, orders, "o")
    out: dict[str, float] = {}
    with Library.open(tmp / "ocr-lib") as lib:
        chat_case = lib.create_case("fake_transaction", "C1").id
        order_case = lib.create_case("fake_transaction", "O1").id
        lib.add_paths(chat_case, chat_paths, kind="chat_record")
        lib.add_paths(order_case, order_paths, kind="order_screenshot")
        for label, case_id, n in (("chat", chat_case, chats), ("order", order_case, orders)):
            if not n:
                continue
            start = time.monotonic()
            report = run_pending(lib, case_id)
            wall = time.monotonic() - start
            assert report.read == n, report
            out[f"{label}_cpu_s"] = report.cpu_seconds / n
            out[f"{label}_wall_s"] = wall / n
            out[f"{label}_peak_mb"] = report.peak_rss_mb
    return out


def bench_import(tmp: Path, batch: int, rounds: int) -> dict[str, float]:
    from evidence_desk.library.service import Library
    from evidence_desk.ocr.worker import run_pending

    times: dict[str, list[float]] = {"off": [], "on": [], "overlap": []}
    # The same files each time: every round and mode imports them into a library of its own.
    earlier, _ = make_pictures(tmp / "imp-earlier", batch, 0, "e")
    now, _ = make_pictures(tmp / "imp-now", batch, 0, "n")
    for r in range(rounds):
        for mode in ("off", "on", "overlap"):
            folder = tmp / f"imp-{r}-{mode}"
            with Library.open(folder / "lib") as lib:
                case_id = lib.create_case("fake_transaction", f"R{r}").id
                lib.add_paths(case_id, earlier, kind="chat_record")
                stop = threading.Event()
                importing = threading.Event()
                reader = None
                if mode != "off":
                    # "on" as the desk runs it: OCR yields while an import is running;
                    # "overlap" for comparison: the worker only at low priority.
                    yield_to = importing.is_set if mode == "on" else None
                    reader = threading.Thread(
                        target=run_pending, args=(lib, case_id),
                        kwargs={"cancel": stop.is_set, "yield_to": yield_to}, daemon=True)
                    reader.start()
                    time.sleep(3.0)  # the worker has loaded its engine and is reading
                start = time.monotonic()
                importing.set()
                lib.add_paths(case_id, now, kind="chat_record")
                importing.clear()
                times[mode].append(time.monotonic() - start)
                stop.set()
                if reader is not None:
                    reader.join(30)
    m = {mode: statistics.median(t) for mode, t in times.items()}
    return {"import_off_s": m["off"], "import_on_s": m["on"], "ratio": m["on"] / m["off"],
            "import_overlap_s": m["overlap"], "overlap_ratio": m["overlap"] / m["off"],
            "rounds": rounds, "batch": batch}


def bench_startup(tmp: Path, rounds: int = 7) -> dict[str, float]:
    from ocr_support import NO_OCR_SITE, site_dir

    code = "import evidence_desk.cli, evidence_desk.library.service, evidence_desk.ocr.worker"
    hidden = site_dir(tmp / "no-ocr-site", NO_OCR_SITE)
    times: dict[str, list[float]] = {"with": [], "without": []}
    for _ in range(rounds):  # alternating, so a busy moment weighs on both alike
        for label, path in (("with", [str(ROOT)]), ("without", [str(hidden), str(ROOT)])):
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
            start = time.monotonic()
            subprocess.run([sys.executable, "-c", code], env=env, check=True)
            times[label].append(time.monotonic() - start)
    return {label: statistics.median(t) for label, t in times.items()}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chats", type=int, default=3)
    ap.add_argument("--orders", type=int, default=3)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    from evidence_desk.ocr import install_hint, ocr_available

    if not ocr_available():
        print(install_hint("en"))
        return 1
    with tempfile.TemporaryDirectory(prefix="ed-bench-ocr-") as d:
        tmp = Path(d)
        o = bench_ocr(tmp, args.chats, args.orders)
        for label in ("chat", "order"):
            if f"{label}_cpu_s" in o:
                print(f"OCR {label:<5} screenshot: {o[f'{label}_cpu_s']:.2f} CPU-s each "
                      f"({o[f'{label}_wall_s']:.2f} s wall), worker peak "
                      f"{o[f'{label}_peak_mb']:.0f} MB")
        i = bench_import(tmp, args.batch, args.rounds)
        print(f"import of {i['batch']} screenshots: OCR off {i['import_off_s']:.2f} s, "
              f"OCR on {i['import_on_s']:.2f} s (median of {i['rounds']}), "
              f"on/off = {i['ratio']:.2f}")
        print(f"  (for comparison, OCR only at low priority, not yielding: "
              f"{i['import_overlap_s']:.2f} s, {i['overlap_ratio']:.2f} of off)")
        engine_here = [m for m in ("onnxruntime", "rapidocr", "cv2") if m in sys.modules]
        print("engine imported in the desk's own process: "
              + (", ".join(engine_here) if engine_here else "no"))
        s = bench_startup(tmp)
        print(f"start-up imports: {s['with']:.2f} s with the OCR extra, {s['without']:.2f} s "
              "without it (median of 7)")
        ok = i["ratio"] <= 1.10
        print("within 10 %: " + ("yes" if ok else "NO"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
