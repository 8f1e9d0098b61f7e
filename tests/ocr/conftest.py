"""OCR tests: the engine runs only where the [ocr] extra is installed; tests that need it carry
`needs_ocr` (ocr_support) and are skipped, with the reason, elsewhere. The rest run everywhere."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ocr_support import no_network_fixture  # noqa: E402


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple]]:
    """No socket of this process can connect; the attempts are listed."""
    yield from no_network_fixture(monkeypatch)
