"""A desk installed without the [ocr] extra: simulated by hiding rapidocr, onnxruntime and cv2
from every process started here (an import hook in sitecustomize). The desk says OCR is not
installed, in both languages, and everything else works: the tests around OCR pass, those that
need the engine are skipped with the reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ocr_support import NO_OCR_SITE, site_dir

ROOT = Path(__file__).resolve().parents[2]
INNER = "EVIDENCE_DESK_TEST_WITHOUT_OCR"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    if os.environ.get(INNER):
        pytest.skip("already running without the OCR extra")
    site = site_dir(tmp_path / "site", NO_OCR_SITE)
    # The inner pytest makes its own pytest-of-<user> folder in the temporary folder: one of
    # this test's, not the outer run's (which must be left empty).
    inner_tmp = tmp_path / "tmp"
    inner_tmp.mkdir()
    return {**os.environ, INNER: "1", "TMPDIR": str(inner_tmp), "TEMP": str(inner_tmp),
            "TMP": str(inner_tmp), "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}


def test_the_desk_says_ocr_is_not_installed(env: dict[str, str], tmp_path: Path) -> None:
    probe = subprocess.run(
        [sys.executable, "-c", "import importlib.util, evidence_desk.ocr as o;"
         "print(o.ocr_available(), importlib.util.find_spec('evidence_desk') is not None)"],
        capture_output=True, text=True, env=env, timeout=60)
    assert probe.stdout.split() == ["False", "True"], probe.stderr
    lib = tmp_path / "lib"
    done = subprocess.run([sys.executable, "-m", "evidence_desk.cli", "--library", str(lib),
                           "ocr"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1
    assert "OCR) is not installed" in done.stderr and "pip install 'evidence-desk[ocr]'" in \
        done.stderr
    assert "未安装文字识别" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    # Search needs no engine.
    found = subprocess.run([sys.executable, "-m", "evidence_desk.cli", "--library", str(lib),
                            "search", "订单"], capture_output=True, text=True, env=env,
                           timeout=120)
    assert found.returncode == 1 and "nothing matches" in found.stdout, found.stderr


def test_the_tests_pass_without_the_extra(env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
         "tests/ocr", "tests/core", "tests/library/test_library.py"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=900)
    tail = done.stdout[-3000:]
    assert done.returncode == 0, tail
    assert "OCR extra not installed (no rapidocr, onnxruntime, cv2)" in done.stdout, tail
    assert " passed" in tail and " failed" not in tail
