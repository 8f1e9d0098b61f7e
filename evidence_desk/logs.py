"""Logging to a rotating file in the user's log folder. Tracebacks go here, never to the user.

Log records name ids and hashes, never file names, buyer names or order numbers: the log may be
sent to support, and evidence is personal data.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from platformdirs import user_log_dir

LOG_ENV = "EVIDENCE_DESK_LOG_DIR"


def log_dir() -> Path:
    return Path(os.environ.get(LOG_ENV) or user_log_dir("EvidenceDesk", appauthor=False))


def setup_logging(*, console: bool = False, level: int = logging.INFO) -> Path | None:
    root = logging.getLogger("evidence_desk")
    if any(getattr(h, "_evidence_desk", False) for h in root.handlers):
        return None
    root.setLevel(level)
    path: Path | None = None
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / "evidence-desk.log"
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._evidence_desk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    if console:
        stream = logging.StreamHandler()
        stream.setLevel(logging.WARNING)
        root.addHandler(stream)
    root.propagate = False
    route_library_warnings(handler)
    return path


# Libraries that report on odd input through `warnings` or their own loggers (Pillow on a
# truncated EXIF block, pypdf on a damaged cross-reference table): worth keeping for support,
# never worth showing a seller, and without a handler Python prints them on stderr.
LIBRARY_LOGGERS = ("py.warnings", "PIL", "pypdf", "fontTools", "reportlab")


def route_library_warnings(handler: logging.Handler) -> None:
    """Send Python warnings and the chatter of the imaging and PDF libraries to `handler`."""
    logging.captureWarnings(True)
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if handler not in logger.handlers:
            logger.addHandler(handler)
        logger.setLevel(logging.WARNING)
        logger.propagate = False


def log_failure(logger: logging.Logger, what: str, exc: BaseException) -> None:
    """Where it failed and which error, without the message: messages carry file paths, SQL
    parameters (order numbers, buyer names) and other personal data the log must not hold."""
    import traceback

    errno = getattr(exc, "errno", None)
    logger.error("%s: %s%s\n%s", what, type(exc).__name__,
                 f" (errno {errno})" if errno is not None else "",
                 "".join(traceback.format_tb(exc.__traceback__)).rstrip())
