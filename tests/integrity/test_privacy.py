"""Privacy at rest: a private library folder, read-only originals, and logs without personal data."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import factories
import pytest

from evidence_desk.library import backup
from evidence_desk.library.service import Library

SECRET_WORD = "Zhangsecretbuyer"
ORDER_NO = "2026110599887"


@pytest.mark.sqlite_only  # the backup it makes is a copy of the SQLite file
@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_library_folder_is_private_and_originals_read_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        lib = Library.open(tmp_path / "deep" / "new" / "lib")
    finally:
        os.umask(old)
    try:
        assert stat.S_IMODE(lib.folder.stat().st_mode) == 0o700
        case = lib.create_case("fake_transaction", ORDER_NO)
        [res] = lib.add_paths(case.id, [factories.photo(tmp_path / "p.jpg")])
        blob = lib.blob_path(lib.get_evidence(res.item_id).sha256)
        assert not stat.S_IMODE(blob.stat().st_mode) & 0o222
        assert not stat.S_IMODE(blob.stat().st_mode) & 0o007  # nothing for other users
        info = backup.backup_now(lib)
        assert stat.S_IMODE(info.path.parent.stat().st_mode) == 0o700
    finally:
        lib.close()


def test_logs_hold_no_file_names_order_numbers_or_buyer_names(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    lib = tmp_path / "lib"
    env = dict(os.environ, EVIDENCE_DESK_LOG_DIR=str(logs))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([sys.executable, "-m", "evidence_desk.cli", "--library", str(lib),
                               *args], capture_output=True, text=True, encoding="utf-8",
                              env=env, timeout=120)
        assert "Traceback" not in proc.stderr
        return proc

    src = tmp_path / f"{SECRET_WORD}-{ORDER_NO}"
    src.mkdir()
    rejected = factories.text_as_png(src / f"{SECRET_WORD} order {ORDER_NO}.png")
    damaged = factories.truncated_jpeg(src / f"{SECRET_WORD}-photo.jpg")
    case_id = run("case", "new", "--type", "fake_transaction", "--order", ORDER_NO,
                  "--buyer", SECRET_WORD).stdout.strip()
    assert run("add", case_id, str(rejected), str(damaged)).returncode == 3
    run("add", case_id, str(src / f"{SECRET_WORD}-missing.png"))
    run("case", "show", case_id, "--json")
    run("bundle", "export", case_id, "-o", str(src / f"{SECRET_WORD}.bundle"))
    # Failures that reach the log with a traceback: a folder that does not exist, a bad bundle.
    run("bundle", "export", case_id, "-o", str(tmp_path / f"no-{SECRET_WORD}" / "x.zip"))
    bad = src / f"{SECRET_WORD}-{ORDER_NO}.zip"
    bad.write_bytes(b"PK\x03\x04" + SECRET_WORD.encode() * 10)
    run("bundle", "import", str(bad))
    run("verify")
    text = "".join(p.read_text(encoding="utf-8", errors="replace")
                   for p in logs.glob("*.log*")) if logs.is_dir() else ""
    for secret in (SECRET_WORD, ORDER_NO, SECRET_WORD.lower()):
        assert secret not in text, f"{secret!r} leaked into the log:\n{text[-2000:]}"


def test_unexpected_failures_are_logged_without_their_message(
        caplog: pytest.LogCaptureFixture) -> None:
    from evidence_desk import cli

    try:
        open(f"/nonexistent/{SECRET_WORD}-{ORDER_NO}.png", "rb")  # noqa: SIM115
    except OSError as exc:
        with caplog.at_level("ERROR", logger="evidence_desk"):
            logger = cli.log
            propagate = logger.propagate
            logger.propagate = True  # setup_logging may have turned it off in this process
            try:
                cli._log_failure(exc)
            finally:
                logger.propagate = propagate
    assert "FileNotFoundError (errno 2)" in caplog.text
    assert SECRET_WORD not in caplog.text and ORDER_NO not in caplog.text
