"""Feed the command line bad values, argument by argument, and count what happens.

Each value must be refused cleanly: a non-zero exit, one line on stderr that names the argument,
no traceback and no "unexpected error", and nothing stored (no case, no audit entry added).
Run as a script for the figures: `python tests/integrity/fuzz_cli.py [LIBRARY_DIR]`.
"""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

BAD_NUMBERS = ["1e309", "-1e309", "NaN", "nan", "sNaN", "-sNaN", "Infinity", "-inf",
               "123456789012345678901234567", "1e20", "-5", "1,2,3e400", "0x10", "１２",
               " ", "1.5e3", "+5", "١٢", "12.3.4", "1e-400000000", "9" * 400, "1_000", "--", "\x00", "12\x00"]
BAD_DATES = ["9999-12-31", "0001-01-01", "1900-01-01", "20260105", "2026-W01-1", "2026-1-5",
             "2026-02-30", "2026-13-01", "+2026-01-01", "2026-01-01T00:00", "26-01-05",
             "٢٠٢٦-٠١-٠٥", "2026-01-05\x00", "", "2100-01-01", "2000-12-31"]
BAD_IDS = ["99999999999999999999", "2147483648", "-1", "0", "1e3", "1.0", "0x1", "", "NaN",
           "١", "9" * 300]
BAD_TEXT_BYTES = [b"A\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"ok\x80"]
BAD_BUDGETS = ["nan", "inf", "-inf", "1e309", "0", "-1", "1e9", "", "x"]
BAD_ZIP_KB = ["-1", "0", "1", "63", "1e3", "99999999999999999999", "nan", ""]
BAD_CURRENCIES = ["EURO_DOLLAR", "US", "USDD", "U$D", "12 3", "", "\x00\x00\x00", "€€€"]


def _surrogate(raw: bytes) -> str:
    """What Python hands a program for argv bytes that are not UTF-8."""
    return raw.decode("utf-8", "surrogateescape")


def cases() -> list[tuple[str, list[str]]]:
    """(argument name the message must mention, argv) for every bad value."""
    out: list[tuple[str, list[str]]] = []
    new = ["case", "new", "--type", "fake_transaction", "--order", "F-1"]
    for v in BAD_NUMBERS:
        out.append(("--amount", [*new, "--amount", v]))
        out.append(("--amount", ["case", "edit", "1", "--amount", v]))
    for v in BAD_DATES:
        out.append(("--completed", [*new, f"--completed={v}"]))
        out.append(("--completed", ["case", "edit", "1", f"--completed={v}"]))
        out.append(("--paid", [*new, f"--paid={v}"]))
        out.append(("--on", ["case", "submit", "1", f"--on={v}"]))
    for v in BAD_IDS:
        for cmd in (["case", "show"], ["verify"], ["check"], ["case", "edit"], ["add"],
                    ["bundle", "export"]):
            tail = {"case edit": ["--title", "x"], "add": ["/nonexistent"],
                    "bundle export": ["-o", "/tmp/x.bundle"]}.get(" ".join(cmd), [])
            out.append(("ID", [*cmd, v, *tail]))
    for raw in BAD_TEXT_BYTES:
        text = _surrogate(raw)
        for opt in ("--order", "--title", "--reason", "--demand", "--buyer"):
            argv = ["case", "new", "--type", "fake_transaction", "--order", "F-1"]
            if opt == "--order":
                argv[-1] = text
            else:
                argv += [opt, text]
            out.append((opt, argv))
        for opt in ("--reason", "--notes", "--title", "--buyer"):
            out.append((opt, ["case", "edit", "1", opt, text]))
        out.append(("--caption", ["add", "1", "/nonexistent", "--caption", text]))
        out.append(("--reason", ["case", "move", "1", "withdrawn", "--reason", text]))
    for length, opt in ((101, "--order"), (301, "--title"), (201, "--buyer"),
                        (100_001, "--reason"), (100_001, "--demand")):
        argv = [*new] if opt != "--order" else new[:-1] + ["x" * length]
        if opt != "--order":
            argv += [opt, "x" * length]
        out.append((opt, argv))
    for opt in ("--order", "--title", "--buyer", "--reason"):
        argv = new[:-1] + ["F\x00"] if opt == "--order" else [*new, opt, "a\x00b"]
        out.append((opt, argv))
    for v in BAD_CURRENCIES:
        out.append(("--currency", [*new, "--currency", v]))
    for v in BAD_BUDGETS:
        out.append(("--budget-mb", ["export", "1", "-o", "/tmp/fuzz.pdf", f"--budget-mb={v}"]))
    for v in BAD_ZIP_KB:
        out.append(("--zip-max-kb", ["pack", "1", "-o", "/tmp/fuzz-pack", f"--zip-max-kb={v}"]))
    return out


@dataclass
class Counts:
    tried: int = 0
    refused_cleanly: int = 0
    crashes: int = 0
    failures: list[str] = field(default_factory=list)


def _state(lib: Path) -> tuple[int, int, str]:
    con = sqlite3.connect(lib / "library.sqlite3")
    try:
        cases = con.execute("SELECT count(*) FROM cases").fetchone()[0]
        entries = con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        fields = repr(con.execute("SELECT * FROM cases ORDER BY id").fetchall())
    finally:
        con.close()
    return cases, entries, fields


def fuzz(lib: Path) -> Counts:
    from evidence_desk import cli

    lib = Path(lib)
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli.main(["--library", str(lib), "case", "new", "--type", "fake_transaction",
                         "--order", "BASE"]) == 0
    counts = Counts()
    for name, argv in cases():
        counts.tried += 1
        before = _state(lib)
        err, out = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
                code = cli.main(["--library", str(lib), *argv])
        except BaseException as exc:  # a crash: anything escaping main
            counts.crashes += 1
            counts.failures.append(f"{argv!r}: {type(exc).__name__}")
            continue
        message = err.getvalue().strip()
        shown = repr(argv)[:160]
        if "unexpected error" in message or "Traceback" in message:
            counts.crashes += 1
            counts.failures.append(f"{shown}: {message}")
        elif code == 0 or len(message.splitlines()) != 1 or name not in message \
                or _state(lib) != before:
            counts.failures.append(f"{shown}: exit {code}, {message!r}")
        else:
            counts.refused_cleanly += 1
    return counts


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("EVIDENCE_DESK_LOG_DIR", tempfile.mkdtemp())
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "lib"
    result = fuzz(folder)
    print(f"bad values tried: {result.tried}; refused cleanly: {result.refused_cleanly}; "
          f"crashes: {result.crashes}; other failures: "
          f"{result.tried - result.refused_cleanly - result.crashes}")
    for line in result.failures:
        print("  " + line)
    sys.exit(0 if result.refused_cleanly == result.tried else 1)
