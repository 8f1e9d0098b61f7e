"""Hearing other desks: a thread that LISTENs on the team database and reports changed cases.

Every writing transaction sends `NOTIFY evidence_desk, '<case id>'` (empty for a change to no one
case) as it commits (see Library._audit), so a listener hears only committed changes. The
listener owns its own psycopg connection (SQLAlchemy's pool is not for long waits), reconnects
with a growing pause when the server goes away, and calls back on its own thread: a GUI must hop
to its own thread before touching widgets (ui.team_sync does).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from evidence_desk.library.db import NOTIFY_CHANNEL, is_postgres, libpq_conninfo

log = logging.getLogger(__name__)

# (case id or None, the PostgreSQL backend pid of the session that made the change)
OnChange = Callable[[int | None, int], None]
OnStatus = Callable[[bool], None]


class TeamListener:
    """Calls `on_change(case_id, pid)` for each change (case_id None: not tied to one case).

    `pid` lets a desk skip its own changes (Library.own_backend_pids), which it shows already."""

    def __init__(self, db_url: str, on_change: OnChange, *, on_status: OnStatus | None = None,
                 poll: float = 0.5) -> None:
        if not is_postgres(db_url):
            raise ValueError("Only a PostgreSQL library tells other desks about changes.")
        self._conninfo = libpq_conninfo(db_url)
        self._on_change = on_change
        self._on_status = on_status
        self._poll = poll
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> TeamListener:
        self._thread = threading.Thread(target=self._run, name="team-listener", daemon=True)
        self._thread.start()
        return self

    def wait_listening(self, timeout: float = 10.0) -> bool:
        """True once LISTEN is in place (changes committed after this are heard)."""
        return self._listening.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _status(self, up: bool) -> None:
        if up:
            self._listening.set()
        else:
            self._listening.clear()
        if self._on_status is not None:
            try:
                self._on_status(up)
            except Exception:
                log.exception("team status callback failed")

    def _run(self) -> None:
        import psycopg

        pause = 1.0
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=10,
                                     application_name="evidence-desk listener") as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self._status(True)
                    pause = 1.0
                    while not self._stop.is_set():
                        # Returns after `poll` seconds without news, so stop() is honoured.
                        for note in conn.notifies(timeout=self._poll):
                            self._deliver(note.payload, note.pid)
            except psycopg.Error as exc:
                log.warning("team listener lost the server (%s); retrying in %.0f s",
                            type(exc).__name__, pause)
                self._status(False)
                self._stop.wait(pause)
                pause = min(pause * 2, 30.0)
        self._listening.clear()

    def _deliver(self, payload: str, pid: int) -> None:
        case_id = int(payload) if payload.isdigit() else None
        try:
            self._on_change(case_id, pid)
        except Exception:  # a failing refresh must not silence every later one
            log.exception("team change callback failed")
