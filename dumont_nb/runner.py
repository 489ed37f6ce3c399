"""Transfer jobs in a bounded thread pool under two tqdm bars (bytes, files), into a summary.

Used by :func:`dumont_nb.copy` and :func:`dumont_nb.move`; each job is ``job(tick) -> bytes``,
calling ``tick(n)`` as bytes move. On an interrupt (Ctrl-C) nothing new starts and the running
transfers finish cleanly (each is a whole-object write: committed or discarded, never partial).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TYPE_CHECKING, Callable

from .formatting import one_line

if TYPE_CHECKING:
    from .transfers import CopySummary

__all__ = ["Job", "Planned", "run_jobs"]

Job = Callable[[Callable[[int], None]], int]  # job(tick) -> bytes copied
Planned = tuple[str, int, Job, str, bool]  # (source shown, size, job, source path, is a folder)


def run_jobs(jobs: list[Planned], summary: "CopySummary", workers: int, progress: bool, *, files_bar: bool, raise_errors: bool = False) -> None:
    """Run the jobs (a bounded pool when ``workers`` > 1) under a bytes bar and a files bar."""
    from tqdm.auto import tqdm

    lock = threading.Lock()
    bbar = tqdm(total=sum(j[1] for j in jobs), unit="B", unit_scale=True, unit_divisor=1024, desc="bytes", disable=not progress)
    fbar = tqdm(total=sum(1 for j in jobs if not j[4]), unit="file", desc="files", disable=not (progress and files_bar))

    def tick(n: int) -> None:
        with lock:
            bbar.update(n)

    def done(planned: Planned, n: int | None, exc: Exception | None) -> None:
        shown, _, _, source, folder = planned
        with lock:
            if exc is not None:
                summary.failed.append((shown, one_line(exc)))
                return
            summary.done.append(source)
            if folder:
                summary.folders += 1
                return
            summary.files += 1
            summary.bytes += n or 0
        fbar.update(1)

    try:
        if workers <= 1 or len(jobs) <= 1:
            for planned in jobs:
                try:
                    n = planned[2](tick)
                except Exception as exc:
                    if raise_errors:
                        raise
                    done(planned, None, exc)
                else:
                    done(planned, n, None)
            return
        pool = ThreadPoolExecutor(max_workers=min(workers, len(jobs)), thread_name_prefix="dumont-copy")
        try:
            futures = {pool.submit(p[2], tick): p for p in jobs}
            for fut in as_completed(futures):
                exc = fut.exception()
                done(futures[fut], None if exc else fut.result(), exc)  # type: ignore[arg-type]
        finally:  # on an interrupt: start nothing new, let running transfers finish cleanly
            pool.shutdown(wait=True, cancel_futures=True)
    finally:
        bbar.close()
        fbar.close()
