"""Team tests: real PostgreSQL (a fresh database per test), real processes, real roles."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from teamkit import EDITOR, REVIEWER, Desk  # noqa: E402

from evidence_desk.library.roles import set_up_roles  # noqa: E402


@pytest.fixture
def team_url(pg_database: str) -> str:
    """A fresh team database, with the editor and reviewer roles granted in it."""
    set_up_roles(pg_database, editors=[EDITOR], reviewers=[REVIEWER])
    return pg_database


@pytest.fixture
def desks(tmp_path: Path) -> Iterator[Any]:
    started: list[Desk] = []

    def start(url: str, name: str) -> Desk:
        desk = Desk(tmp_path / name, url)
        started.append(desk)
        return desk

    yield start
    for desk in started:
        desk.close()
