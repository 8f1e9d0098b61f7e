"""Bad values on the command line are refused in one line naming the argument, and a library an
older version let hold an absurd date still works and can be put right."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from fuzz_cli import fuzz


def run(lib: Path, *args: str | bytes) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, EVIDENCE_DESK_LOG_DIR=str(lib.parent / "logs"))
    argv = [os.fsencode(a) if isinstance(a, str) else a for a in args]
    proc = subprocess.run([sys.executable.encode(), b"-m", b"evidence_desk.cli", b"--library",
                           os.fsencode(lib), *argv], capture_output=True, env=env, timeout=120)
    out = subprocess.CompletedProcess(proc.args, proc.returncode,
                                      proc.stdout.decode("utf-8", "replace"),
                                      proc.stderr.decode("utf-8", "replace"))
    assert "Traceback" not in out.stderr and "unexpected error" not in out.stderr, out.stderr
    return out


@pytest.mark.sqlite_only
def test_every_bad_value_is_refused_cleanly(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVIDENCE_DESK_LOG_DIR", str(tmp_path / "logs"))
    counts = fuzz(tmp_path / "lib")
    print(f"bad values tried: {counts.tried}, refused cleanly: {counts.refused_cleanly}, "
          f"crashes: {counts.crashes}")
    assert counts.crashes == 0, counts.failures
    assert counts.refused_cleanly == counts.tried, counts.failures
    assert counts.tried > 250


def test_invalid_utf8_names_the_argument_in_a_real_process(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    out = run(lib, "case", "new", "--type", "fake_transaction", "--order", b"A\xff")
    assert out.returncode == 2
    assert out.stderr.strip() == ("evidence-desk: the value of --order is not valid text (it "
                                  "holds bytes that are not UTF-8)")
    out = run(lib, "case", "new", "--type", "fake_transaction", "--order", "A",
              b"--reason=\xc3\x28")
    assert "--reason" in out.stderr and out.returncode == 2
    # A file name is any bytes on disk: `add` still takes it and says what became of it.
    assert run(lib, "case", "new", "--type", "fake_transaction", "--order", "A").returncode == 0
    out = run(lib, "add", "1", os.fsencode(tmp_path) + b"/\xffmissing.png")
    assert out.returncode == 3 and "rejected" in out.stdout


@pytest.mark.parametrize("args", [
    ("--amount", "1e309"), ("--amount", "NaN"), ("--amount", "sNaN"),
    ("--amount", "123456789012345678901234567"), ("--completed", "20260105"),
    ("--completed", "2026-W01-1"), ("--completed", "9999-12-31"),
    ("--currency", "EURO_DOLLAR"), ("--title", "x" * 301),
])
def test_case_new_refuses_and_stores_nothing(tmp_path: Path, args: tuple[str, str]) -> None:
    lib = tmp_path / "lib"
    out = run(lib, "case", "new", "--type", "fake_transaction", "--order", "N-1", *args)
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1 and args[0] in out.stderr
    assert run(lib, "case", "list").stdout.startswith("No cases yet")


def test_huge_ids_and_sizes_are_refused(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    for args in (("case", "show", "99999999999999999999"), ("verify", "99999999999999999999"),
                 ("export", "1", "-o", str(tmp_path / "x.pdf"), "--budget-mb", "nan"),
                 ("export", "1", "-o", str(tmp_path / "x.pdf"), "--budget-mb", "inf"),
                 ("export", "1", "-o", str(tmp_path / "x.pdf"), "--budget-mb", "1e309"),
                 ("pack", "1", "-o", str(tmp_path / "p"), "--zip-max-kb", "-1"),
                 ("pack", "1", "-o", str(tmp_path / "p"), "--zip-max-kb", "0")):
        out = run(lib, *args)
        assert out.returncode == 2, args
        assert len(out.stderr.strip().splitlines()) == 1
        assert ("ID" if "9999" in args[-1] else args[-2]) in out.stderr
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "p").exists()


@pytest.mark.sqlite_only
def test_a_library_holding_9999_12_31_still_works_and_can_be_fixed(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    assert run(lib, "case", "new", "--type", "quality_dispute", "--order", "F-9").returncode == 0
    assert run(lib, "case", "new", "--type", "logistics_service_dispute",
               "--order", "L-9").returncode == 0
    # As an older version would have stored them.
    con = sqlite3.connect(lib / "library.sqlite3")
    con.execute("UPDATE cases SET completed_on = '9999-12-31', submitted_on = '9999-12-31', "
                "state = 'submitted' WHERE id = 1")
    con.execute("UPDATE cases SET paid_on = '9999-12-31', accepted_on = '9999-12-31' "
                "WHERE id = 2")
    con.commit()
    con.close()
    listed = run(lib, "case", "list")
    assert listed.returncode == 0 and "F-9" in listed.stdout and "L-9" in listed.stdout
    assert json.loads(run(lib, "case", "list", "--json").stdout)[0]["deadline"] == "9999-12-31"
    for cid in ("1", "2"):
        shown = run(lib, "case", "show", cid)
        assert shown.returncode == 0, shown.stderr
        assert run(lib, "check", cid).returncode in (0, 1)
        assert json.loads(run(lib, "check", cid, "--json").stdout)["deadline"]
    assert json.loads(run(lib, "case", "show", "1", "--json").stdout)["expected_result"]
    # The same date given again is refused, and nothing is saved.
    out = run(lib, "case", "edit", "1", "--completed", "9999-12-31", "--title", "new title")
    assert out.returncode == 2 and "--completed" in out.stderr
    assert json.loads(run(lib, "case", "show", "1", "--json").stdout)["title"] == ""
    # The seller puts it right.
    assert run(lib, "case", "edit", "1", "--completed", "2026-01-05").returncode == 0
    assert run(lib, "case", "edit", "2", "--paid", "2026-01-05", "--accepted",
               "2026-01-20").returncode == 0
    shown = json.loads(run(lib, "case", "show", "1", "--json").stdout)
    assert shown["completed_on"] == "2026-01-05"
    # A case still holding a date no desk accepts says so instead of writing a bad bundle.
    out = run(lib, "bundle", "export", "1", "-o", str(tmp_path / "c.bundle"))
    assert out.returncode == 1 and "submitted_on" in out.stderr and "case edit" in out.stderr
    assert not (tmp_path / "c.bundle").exists()
    out = run(lib, "bundle", "export", "2", "-o", str(tmp_path / "l.bundle"))
    assert out.returncode == 0, out.stderr
