"""Helpers for the team tests: role names, URLs per role, and another desk in its own process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
REVIEWER = "edt_reviewer"
EDITOR = "edt_editor"


def as_user(url: str, user: str) -> str:
    # The test cluster trusts loopback connections, so a role needs no password here.
    return make_url(url).set(username=user, password=None).render_as_string(hide_password=False)


class Desk:
    """Another desk: a Library in its own process."""

    def __init__(self, folder: Path, url: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "desk.py"), str(folder), url],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")
        assert self._read() == {"ok": "ready"}

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, "the desk process died"
        return json.loads(line)

    def send(self, **cmd: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()

    def answer(self) -> dict[str, Any]:
        return self._read()

    def ask(self, **cmd: Any) -> Any:
        self.send(**cmd)
        answer = self._read()
        assert "ok" in answer, answer
        return answer["ok"]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.send(op="quit")
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
