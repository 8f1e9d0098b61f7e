"""Helpers of the OCR tests: the skip marker for tests that need the engine, and
sitecustomize sources that block the network or hide the engine in processes a test starts."""

from __future__ import annotations

import socket
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence_desk.ocr import missing_modules

_MISSING = missing_modules()
needs_ocr = pytest.mark.skipif(
    bool(_MISSING),
    reason=f"OCR extra not installed (no {', '.join(_MISSING)}): pip install 'evidence-desk[ocr]'")

# Started by Python in every process (parent and OCR worker) whose path holds its folder: no
# socket may connect, and each attempt is written down so a test can show there was none.
NO_NETWORK_SITE = textwrap.dedent('''
    import os, socket

    def _refuse(self, *args, **kwargs):
        with open(os.environ["EVIDENCE_DESK_TEST_NET_LOG"], "a") as fh:
            fh.write(f"{os.getpid()} {args!r}\\n")
        raise OSError("network blocked by the test")

    socket.socket.connect = _refuse
    socket.socket.connect_ex = _refuse
''')

# Hides the OCR packages, as on a desk installed without the extra.
NO_OCR_SITE = textwrap.dedent('''
    import sys

    class _HideOcr:
        HIDDEN = ("rapidocr", "onnxruntime", "cv2")

        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in self.HIDDEN:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, _HideOcr())
''')


def site_dir(folder: Path, source: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(source, encoding="utf-8")
    return folder


def no_network_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple]]:
    """No socket of this process can connect; the attempts are listed."""
    attempts: list[tuple] = []

    def refuse(self: socket.socket, *args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network blocked by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts
