"""Run `pdf_normalize` on each PDF exhibit in worker processes whose memory and time are bounded.

One PDF (JBIG2 images declaring giant sizes, a content stream that inflates without end) can
take gigabytes and minutes; the export must neither die nor hang with it. Each worker is a
spawned process (spawn, not fork: the app exports from a thread of a Qt process) that limits its
own address space (RLIMIT_AS, where the platform has it; pdftoppm inherits the limit), and the
parent waits at most `timeout_s` for an answer before killing the worker and starting another.
A PDF that runs out of either is reported with its reason and gets a "could not be drawn" page.

Workers are reused across exhibits (starting one costs about a third of a second); their own
log records come back with each answer and go to the log, never to stderr.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence_desk.export.pdf_normalize import Normalized

log = logging.getLogger("evidence_desk.export.pdf")

MEMORY_BYTES = 1536 * 1024 * 1024
TIMEOUT_S = 90.0
WORKERS = 2


@dataclass(frozen=True)
class PdfJob:
    key: int
    src: Path
    dst: Path
    work: Path
    label: str
    # Placeholder tokens for this exhibit's large images start with this ("" keeps them in).
    prefix: str = ""


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.lines) < 50:
            self.lines.append(f"{record.levelname} {record.name}: {record.getMessage()}"[:300])


def _worker_main(conn: Any, memory_bytes: int, timeout_s: float) -> None:
    """The worker process: answers (Normalized as JSON, log lines) for each request."""
    import signal
    import warnings

    from evidence_desk.export import pdf_normalize as pn

    if memory_bytes and sys.platform != "win32":
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    # Whatever a library prints must not reach the seller's terminal.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    warnings.simplefilter("ignore")
    handler = _ListHandler()
    for name in ("pypdf", "PIL", "reportlab", "evidence_desk"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(logging.WARNING if name != "evidence_desk" else logging.INFO)
        logger.propagate = False
    alarm = hasattr(signal, "SIGALRM")
    if alarm:
        signal.signal(signal.SIGALRM, pn._on_alarm)
    while True:
        try:
            req = conn.recv()
        except EOFError:
            return
        if req is None:
            return
        handler.lines = []
        if alarm:  # a clean answer a little before the parent would kill us
            signal.alarm(max(1, int(timeout_s) - 5))
        try:
            res = pn.normalize(Path(req["src"]), Path(req["dst"]), Path(req["work"]),
                               req["label"], req.get("prefix", ""))
        except pn._Timeout:
            res = pn.Normalized(error="it takes longer to read than an exhibit may take")
        except MemoryError:
            res = pn.Normalized(error="it needs more memory than an exhibit may use")
        except Exception as exc:  # noqa: BLE001 - reported to the parent, never a crash
            res = pn.Normalized(error=f"it cannot be read ({type(exc).__name__})")
        finally:
            if alarm:
                signal.alarm(0)
        try:
            conn.send((res.to_json(), handler.lines))
        except MemoryError:
            conn.send((pn.Normalized(error="it needs more memory than an exhibit may use")
                       .to_json(), []))


class _Worker:
    def __init__(self, memory_bytes: int, timeout_s: float) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, memory_bytes, timeout_s),
                                daemon=True)
        self.proc.start()
        child.close()

    def ask(self, job: PdfJob, timeout_s: float) -> tuple[Normalized, list[str]]:
        self.conn.send({"src": str(job.src), "dst": str(job.dst), "work": str(job.work),
                        "label": job.label, "prefix": job.prefix})
        if not self.conn.poll(timeout_s):
            raise TimeoutError
        text, lines = self.conn.recv()
        return Normalized.from_json(text), lines

    def stop(self, kill: bool = False) -> None:
        if not kill:
            try:
                self.conn.send(None)
            except OSError:
                kill = True
        if kill:
            self.proc.kill()
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)
        self.conn.close()


class PdfGuard:
    """Normalizes PDF exhibits in bounded worker processes; use as a context manager."""

    def __init__(self, workers: int = WORKERS, memory_bytes: int = MEMORY_BYTES,
                 timeout_s: float = TIMEOUT_S) -> None:
        self.n = workers
        self.memory_bytes = memory_bytes
        self.timeout_s = timeout_s
        self._local = threading.local()
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()

    def __enter__(self) -> PdfGuard:
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            workers, self._workers = self._workers, []
        for w in workers:
            w.stop()

    def _worker(self) -> _Worker:
        w = getattr(self._local, "worker", None)
        if w is None or not w.proc.is_alive():
            w = _Worker(self.memory_bytes, self.timeout_s)
            self._local.worker = w
            with self._lock:
                self._workers.append(w)
        return w

    def _drop(self, w: _Worker) -> None:
        self._local.worker = None
        with self._lock:
            if w in self._workers:
                self._workers.remove(w)
        w.stop(kill=True)

    def run(self, job: PdfJob) -> Normalized:
        job.work.mkdir(parents=True, exist_ok=True)
        w = self._worker()
        try:
            res, lines = w.ask(job, self.timeout_s)
        except TimeoutError:
            self._drop(w)
            return Normalized(error=f"it took longer than {self.timeout_s:g} s to read, "
                              "the most an exhibit may take")
        except (EOFError, OSError, BrokenPipeError):
            code = w.proc.exitcode
            self._drop(w)
            log.warning("PDF worker ended (exit %s) on %s", code, job.label)
            return Normalized(error="it needed more memory than an exhibit may use"
                              if code is not None and code < 0 else
                              "its reader stopped unexpectedly")
        for line in lines:
            log.info("%s: %s", job.label, line)
        return res

    def run_all(self, jobs: Iterable[PdfJob], cancelled: Callable[[], bool] | None = None
                ) -> Iterator[tuple[PdfJob, Normalized]]:
        """(job, result) for each job, in completion order."""
        jobs = list(jobs)
        if not jobs:
            return
        with cf.ThreadPoolExecutor(max_workers=min(self.n, len(jobs))) as pool:
            pending = {pool.submit(self.run, j): j for j in jobs}
            try:
                for fut in cf.as_completed(pending):
                    yield pending[fut], fut.result()
                    if cancelled is not None and cancelled():
                        break
            finally:
                for fut in pending:
                    fut.cancel()
