"""Library warnings during an export go to the log, never to the seller's screen.

Pillow warns through `warnings` ("Invalid APNG", decompression-bomb sizes), pypdf through the
`pypdf` logger, which without a handler of its own falls through to Python's last-resort
handler and prints on stderr. Both are routed to the desk's log for the duration of a job, and
worker processes start with the same rule (`quiet_worker`).
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator

log = logging.getLogger("evidence_desk.export.libs")
_LIBRARY_LOGGERS = ("pypdf", "PIL", "reportlab")


class _Forward(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        log.info("%s: %s", record.name, record.getMessage()[:500])


_FORWARD = _Forward(logging.WARNING)


def route_library_logs() -> None:
    """Send the libraries' own log records to the desk's log instead of stderr (idempotent)."""
    for name in _LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if _FORWARD not in logger.handlers:
            logger.addHandler(_FORWARD)
        logger.propagate = False


@contextlib.contextmanager
def quiet_libraries() -> Iterator[None]:
    """Within the block, library warnings are logged instead of printed."""
    route_library_logs()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            seen: set[str] = set()
            for w in caught:
                text = f"{w.category.__name__}: {w.message}"[:300]
                if text not in seen:
                    seen.add(text)
                    log.info("library warning: %s", text)


def quiet_worker() -> None:
    """Initializer of worker processes: ignore warnings, route library logs to nowhere loud."""
    warnings.simplefilter("ignore")
    for name in _LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = [logging.NullHandler()]
        logger.propagate = False
