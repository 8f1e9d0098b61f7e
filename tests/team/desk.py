"""One desk as its own process, driven over stdin/stdout with one JSON object per line.

    python desk.py LIBRARY_DIR DB_URL
Commands: {"op": "case", "id": 1} · {"op": "update", "id": 1, "expected_version": 2,
"changes": {...}, "at": <time.time() to wait for>} · {"op": "add", "id": 1, "path": "..."} ·
{"op": "evidence", "id": 1} · {"op": "listen"} · {"op": "heard"} · {"op": "quit"}.
Each answer is {"ok": ...} or {"error": "<exception class>", "message": "..."}.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from evidence_desk.library.service import Library
from evidence_desk.library.team import TeamListener


def main() -> None:
    lib = Library(Path(sys.argv[1]), db_url=sys.argv[2])
    heard: list[tuple[float, int | None]] = []
    lock = threading.Lock()
    listener: TeamListener | None = None

    def on_change(case_id: int | None, _pid: int) -> None:
        with lock:
            heard.append((time.time(), case_id))

    print(json.dumps({"ok": "ready"}), flush=True)
    for line in sys.stdin:
        cmd: dict[str, Any] = json.loads(line)
        op = cmd["op"]
        try:
            if op == "quit":
                break
            if "at" in cmd:  # both desks act at the same moment
                time.sleep(max(0.0, cmd["at"] - time.time()))
            if op == "case":
                result: Any = asdict(lib.get_case(cmd["id"]))
            elif op == "update":
                result = asdict(lib.update_case(cmd["id"], expected_version=cmd["expected_version"],
                                                **cmd["changes"]))
            elif op == "add":
                result = [asdict(r) for r in lib.add_paths(cmd["id"], [cmd["path"]])]
            elif op == "evidence":
                result = [asdict(e) for e in lib.list_evidence(cmd["id"])]
            elif op == "listen":
                listener = TeamListener(lib.db_url, on_change).start()
                result = listener.wait_listening(10)
            elif op == "heard":
                with lock:
                    result = list(heard)
            else:
                raise ValueError(f"unknown op {op}")
            answer = {"ok": result}
        except Exception as exc:
            answer = {"error": type(exc).__name__, "message": str(exc)}
        print(json.dumps(answer, default=str), flush=True)
    if listener is not None:
        listener.stop()
    lib.close()


if __name__ == "__main__":
    main()
