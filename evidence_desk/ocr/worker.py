"""OCR in a worker process: one picture at a time, at low priority, with bounded memory.

The engine (~600-850 MB while reading, ~2 CPU-s a screenshot) never runs in the desk's own
process: a picture that exhausts memory or crashes onnxruntime ends the worker, not the desk, and
the run goes on with the next picture in a fresh worker. Nothing is held in memory between runs:
what is pending is what the library has no result for, so a run cut short (cancelled, the desk
closed, the machine switched off) resumes where it stopped.

`run_pending` is the job API the command line and the GUI's task runner call: it reports
progress after each picture and stops within a fraction of a second when `cancel()` turns true.
It does not import Qt, and it does not import the engine in the calling process.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from evidence_desk.ocr import install_hint, ocr_available

log = logging.getLogger(__name__)

# Lower than the desk, so an import or an export the seller waits for keeps the cores.
NICENESS = 10
# Address space the worker may use. The engine peaks near 850 MB on a 1080x2400 screenshot;
# onnxruntime and its thread pools reserve more than they touch, so leave room.
MEMORY_LIMIT_MB = 4096
# A picture that takes longer than this is given up on (a pathological image, a stuck engine).
READ_TIMEOUT_S = 300.0
# How often a waiting parent looks at cancel() and yield_to(): often enough that an import
# gets the machine within a few hundredths of a second.
POLL_S = 0.02


class OcrError(RuntimeError):
    """OCR cannot run (not installed, or the worker cannot start); message for the seller."""


@dataclass(frozen=True)
class OcrProgress:
    done: int
    total: int
    name: str
    ok: bool
    lines: int = 0
    reason: str = ""


@dataclass
class OcrReport:
    read: int = 0
    failed: int = 0
    cancelled: bool = False
    # CPU time the worker spent reading, and its largest resident set, for the benchmark.
    cpu_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)


# ---- the child ------------------------------------------------------------------------------


def _limit_resources(memory_limit_mb: int | None) -> None:
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(NICENESS)
    if memory_limit_mb:
        try:
            import resource

            limit = memory_limit_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):
            pass  # not on this platform; the parent still survives a crash of the worker


def _peak_rss_mb() -> float:
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except ImportError:
        return 0.0
    # Kilobytes on Linux, bytes on macOS.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _child_main(conn: Any, threads: int, memory_limit_mb: int | None,
                scratch: str | None = None) -> None:
    """The worker: load the engine once, then answer ("read", path) requests until told to stop
    or the pipe closes. Errors go back as ("error", message); nothing reaches the console."""
    _limit_resources(memory_limit_mb)
    if scratch:
        # onnxruntime writes a session file (.ses) into the temporary folder, telemetry off or
        # not: it goes into the worker's own folder, which the parent removes afterwards.
        for key in ("TMPDIR", "TEMP", "TMP"):
            os.environ[key] = scratch
        tempfile.tempdir = scratch
    # onnxruntime and OpenCV may write to the console; the seller must not see it.
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    try:
        from evidence_desk.ocr.engine import OcrEngine, OcrUnavailable

        engine = OcrEngine(threads=threads)
    except OcrUnavailable as exc:
        conn.send(("fatal", str(exc)))
        return
    except Exception as exc:
        conn.send(("fatal", f"the text recognition engine could not start "
                            f"({type(exc).__name__}: {str(exc)[:200]})"))
        return
    conn.send(("ready", engine.name))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request[0] != "read":
            return
        start = time.process_time()
        try:
            result = engine.read(request[1])
            conn.send(("ok", {"lines": result.lines, "width": result.width,
                              "height": result.height, "engine": result.engine,
                              "cpu": time.process_time() - start, "rss": _peak_rss_mb()}))
        except MemoryError:
            conn.send(("error", "the picture needs more memory than text recognition may use"))
        except ValueError as exc:
            conn.send(("error", str(exc)[:300]))
        except Exception as exc:
            conn.send(("error", f"text recognition failed ({type(exc).__name__}: "
                                f"{str(exc)[:200]})"))


# ---- the parent -----------------------------------------------------------------------------


class WorkerDied(RuntimeError):
    pass


class Cancelled(RuntimeError):
    pass


class OcrWorker:
    """A running worker process; `read(path)` blocks (checking `cancel`) until it answers."""

    def __init__(self, threads: int | None = None,
                 memory_limit_mb: int | None = MEMORY_LIMIT_MB) -> None:
        from evidence_desk.ocr.engine import default_threads  # light: no engine import

        self.threads = threads or default_threads()
        self.memory_limit_mb = memory_limit_mb
        self.engine_name = ""
        self._proc: Any = None
        self._conn: Any = None
        self._scratch: str | None = None

    def start(self, cancel: Callable[[], bool] | None = None) -> None:
        # spawn, not fork: the desk calls this from a thread of a Qt process.
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe(duplex=True)
        self._scratch = tempfile.mkdtemp(prefix="evidence-desk-ocr-")
        self._proc = ctx.Process(target=_child_main, name="evidence-desk-ocr",
                                 args=(child, self.threads, self.memory_limit_mb, self._scratch),
                                 daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent
        try:
            kind, payload = self._wait(cancel, READ_TIMEOUT_S)
        except WorkerDied as exc:
            raise OcrError(f"The text recognition process could not start ({exc}).") from None
        if kind == "fatal":
            self.stop()
            raise OcrError(payload)
        self.engine_name = payload

    def _wait(self, cancel: Callable[[], bool] | None, timeout: float,
              yield_to: Callable[[], bool] | None = None) -> tuple[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            if cancel is not None and cancel():
                self.kill()
                raise Cancelled()
            if yield_to is not None and yield_to():
                # Something the seller waits for (an import) is running: the worker stops
                # where it is, holding its memory but no CPU, and goes on afterwards.
                paused = time.monotonic()
                self._suspend()
                try:
                    while yield_to() and not (cancel is not None and cancel()):
                        time.sleep(POLL_S)
                finally:
                    self._resume()
                deadline += time.monotonic() - paused
                continue
            try:
                if self._conn.poll(POLL_S):
                    return self._conn.recv()
            except (EOFError, OSError):
                self.kill()
                raise WorkerDied("the text recognition process stopped") from None
            if not self._proc.is_alive() and not self._conn.poll(0):
                code = self._proc.exitcode
                self.kill()
                raise WorkerDied("the text recognition process stopped"
                                 + (" (out of memory?)" if code and code < 0 else ""))
            if time.monotonic() > deadline:
                self.kill()
                raise WorkerDied(f"text recognition took longer than {int(timeout)} s")

    def _suspend(self) -> None:
        if self._proc is not None and hasattr(signal, "SIGSTOP"):
            with contextlib.suppress(OSError):
                os.kill(self._proc.pid, signal.SIGSTOP)

    def _resume(self) -> None:
        if self._proc is not None and hasattr(signal, "SIGCONT"):
            with contextlib.suppress(OSError):
                os.kill(self._proc.pid, signal.SIGCONT)

    def read(self, path: str, cancel: Callable[[], bool] | None = None,
             timeout: float = READ_TIMEOUT_S,
             yield_to: Callable[[], bool] | None = None) -> dict[str, Any]:
        """The result for one picture; ValueError with a reason when it cannot be read.

        While `yield_to()` is true the worker is held (suspended where the platform allows,
        else between pictures), so an import the seller waits for keeps the machine."""
        if self._proc is None:
            self.start(cancel)
        self._conn.send(("read", str(path)))
        kind, payload = self._wait(cancel, timeout, yield_to)
        if kind == "ok":
            return payload
        raise ValueError(payload)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    def stop(self) -> None:
        """Ask the worker to finish, and make sure it has."""
        if self._proc is None:
            return
        with contextlib.suppress(Exception):
            self._conn.send(("stop",))
        self._proc.join(5)
        self.kill()

    def kill(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if proc is not None and proc.is_alive():
            proc.kill()
            proc.join(5)
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()
        scratch, self._scratch = self._scratch, None
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)

    def __enter__(self) -> OcrWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_pending(lib: Any, case_id: int | None = None, *,
                progress: Callable[[OcrProgress], None] | None = None,
                cancel: Callable[[], bool] | None = None,
                yield_to: Callable[[], bool] | None = None,
                worker: OcrWorker | None = None, limit: int | None = None) -> OcrReport:
    """Read every pending picture (of one case, or all), one at a time, storing each result as
    it comes. A picture that cannot be read is recorded as failed and the run goes on.

    `yield_to()` true holds the run (the desk passes "an import is running"): OCR comes after
    what the seller waits for. Raises OcrError when OCR is not installed or cannot start."""
    if not ocr_available():
        raise OcrError(install_hint("en"))
    if getattr(lib, "read_only", False):
        raise OcrError("This desk is read-only (reviewer role): it cannot store recognised "
                       "text; an editor's desk reads the screenshots.")
    tasks = lib.ocr_pending(case_id)
    if limit is not None:
        tasks = tasks[:limit]
    report = OcrReport()
    if not tasks:
        return report
    own = worker is None
    worker = worker or OcrWorker()
    try:
        for n, task in enumerate(tasks, 1):
            while yield_to is not None and yield_to():
                if cancel is not None and cancel():
                    break
                time.sleep(POLL_S)
            if cancel is not None and cancel():
                report.cancelled = True
                break
            try:
                path = lib.blob_path(task.sha256)
                result = worker.read(str(path), cancel, yield_to=yield_to)
            except Cancelled:
                report.cancelled = True
                break
            except OcrError:
                raise
            except (ValueError, WorkerDied, OSError) as exc:
                reason = str(exc) or type(exc).__name__
                log.warning("OCR of %s failed: %s", task.sha256[:12], reason)
                lib.save_recognised(task.sha256, error=reason)
                report.failed += 1
                report.failures.append((task.name, reason))
                if progress is not None:
                    progress(OcrProgress(n, len(tasks), task.name, False, reason=reason))
                continue
            report.cpu_seconds += result.pop("cpu", 0.0)
            report.peak_rss_mb = max(report.peak_rss_mb, result.pop("rss", 0.0))
            lib.save_recognised(task.sha256, lines=result["lines"], width=result["width"],
                                height=result["height"], engine=result["engine"])
            report.read += 1
            if progress is not None:
                progress(OcrProgress(n, len(tasks), task.name, True, len(result["lines"])))
    finally:
        if own:
            worker.stop()
    return report
