"""Derived pictures made in worker processes while the dossier's pages are laid out.

The layout (reportlab, in the exporting process) and the pictures (Pillow, in two worker
processes) do not depend on each other, so the jobs are handed to the workers first and
collected after the layout: on two cores the layout then costs no time of its own.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from collections.abc import Callable

from evidence_desk.export import dossier_images as di
from evidence_desk.export.dossier_model import ExportCancelled
from evidence_desk.export.quiet import quiet_worker

# Fewer jobs than this are derived in the exporting process: starting workers costs more.
POOL_MIN_JOBS = 3
WORKERS = 2


class DerivePool:
    """Jobs submitted with `start`, their results gathered by `results`; close with `close`
    (or use it as a context manager), which also stops whatever was not collected."""

    def __init__(self, cancel: Callable[[], bool] | None = None) -> None:
        self.cancel = cancel
        self._pool: cf.ProcessPoolExecutor | None = None
        self._futures: dict[cf.Future[di.Derived], di.DeriveJob] = {}
        self._local: list[di.DeriveJob] = []

    def __enter__(self) -> DerivePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, jobs: list[di.DeriveJob]) -> None:
        if len(jobs) < POOL_MIN_JOBS:
            self._local.extend(jobs)  # derived in this process when collected
            return
        if self._pool is None:
            # spawn, not fork: the app calls this from a worker thread of a Qt process, and
            # forking a threaded process can deadlock the child.
            self._pool = cf.ProcessPoolExecutor(
                max_workers=WORKERS, mp_context=multiprocessing.get_context("spawn"),
                initializer=quiet_worker)
        for job in jobs:
            self._futures[self._pool.submit(di.derive, job)] = job

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel():
            raise ExportCancelled("export cancelled")

    def results(self, progress: Callable[[str], None],
                done: Callable[[di.Derived], None] | None = None) -> dict[int, di.Derived]:
        """Every started job's result, gathered as they finish: `done` (keeping it, say) is
        called on each while the others are still being made, then `progress`."""
        results: dict[int, di.Derived] = {}

        def arrived(job: di.DeriveJob, d: di.Derived) -> None:
            results[d.index] = d
            if done is not None:
                done(d)
            progress(job.src.name)
            self._check_cancel()

        for job in self._local:
            self._check_cancel()
            arrived(job, di.derive(job))
        self._local = []
        futures, self._futures = self._futures, {}
        for fut in cf.as_completed(futures):
            arrived(futures[fut], fut.result())
        return results

    def derive_all(self, jobs: list[di.DeriveJob],
                   progress: Callable[[str], None]) -> dict[int, di.Derived]:
        self.start(jobs)
        return self.results(progress)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._futures = {}
        self._local = []
