"""Parallel recursive listing over key ranges: the machinery of :func:`dumont_nb.inventory`.

Pure contract: it calls :meth:`FileSystem.list_after` (one request a page; or
:meth:`~FileSystem.list_after_columns`, pages in columns, when ``columns=True``) from a bounded pool of
threads, cutting a range whose page came back full into :data:`SPLIT` pieces
(:class:`~.ranges.KeySpace`), and returns the pages in key order. See
:mod:`dumont_nb.inventories` for the algorithm, its request budget and Ctrl-C.
"""

from __future__ import annotations

import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Callable

from .base import FileSystem, PageColumns
from .ranges import KeySpace

__all__ = ["list_pages", "plan_ranges", "Lister", "PAGE", "SPLIT"]

#: keys per ListObjectsV2 request (the S3 maximum)
PAGE = 1000
#: a full page cuts the rest of its range into this many pieces (see the budget)
SPLIT = 3


@dataclass
class _Range:
    start_after: str | None
    stop: str | None
    pages: list[Any] = field(default_factory=list)  # what ``consume`` made of each page


class Lister:
    """Adaptive parallel listing of one key range of ``path`` (threads, one request each)."""

    def __init__(self, fs: FileSystem, path: str, prefix: str, concurrency: int, tick: Callable[[int], None],
                 consume: Callable[[Any], Any] = lambda page: page, columns: bool = False):
        self.fs, self.path, self.prefix, self.consume, self.columns = fs, path, prefix, consume, columns
        self.concurrency, self.tick = max(1, concurrency), tick
        self.ranges: list[_Range] = []
        self.requests = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self.live = 0  # ranges submitted and not finished
        self._space: KeySpace | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def _page(self, r: _Range, cursor: str | None) -> tuple[Any, str | None]:
        with self._lock:
            self.requests += 1
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            list_after = self.fs.list_after_columns if self.columns else self.fs.list_after
            return list_after(self.path, start_after=cursor, stop=r.stop, limit=PAGE)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _work(self, r: _Range, cursor: str | None, submit: Callable[[_Range, str | None], None]) -> None:
        """List ``r`` from ``cursor``: one page; then either the range is done, or (while fewer
        ranges than ``concurrency`` are being listed) its rest is cut and the pieces go on in
        parallel (this call keeps the first)."""
        try:
            self._pages(r, cursor, submit)
        finally:
            with self._lock:
                self.live -= 1

    def _pages(self, r: _Range, cursor: str | None, submit: Callable[[_Range, str | None], None]) -> None:
        while not self._stop.is_set():
            entries, cursor = self._page(r, cursor)
            r.pages.append(self.consume(entries))  # no FileInfo is kept past its page
            self.tick(len(entries))
            if cursor is None:
                return
            with self._lock:
                if self._space is None:
                    paths = entries.paths if self.columns else [e.path for e in entries]
                    self._space = KeySpace(p.split("/", 1)[1] for p in paths)
                space, busy = self._space, self.live >= self.concurrency
            if busy:  # every slot has a range: cutting would only add last pages (requests)
                continue
            cuts = space.cuts(cursor, r.stop, SPLIT, self.prefix)
            if cuts:
                bounds = [cursor, *cuts, r.stop]
                r.stop = cuts[0]
                for lo, hi in zip(bounds[1:-1], bounds[2:]):
                    piece = _Range(lo, hi)
                    with self._lock:
                        self.ranges.append(piece)
                    submit(piece, lo)

    def run(self, start_after: str | None = None, stop: str | None = None) -> list[Any]:
        """Every page of ``(start_after, stop)``, in key order. Ctrl-C stops every thread: no new
        request starts, the ones in flight finish their page, nothing half-built is returned."""
        first = _Range(start_after, stop)
        self.ranges.append(first)
        pending: set[Future] = set()
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="dumont-inventory")
        pending_lock = threading.Lock()

        def submit(r: _Range, cursor: str | None) -> None:
            with self._lock:
                self.live += 1
            fut = pool.submit(self._work, r, cursor, submit)
            with pending_lock:
                pending.add(fut)

        try:
            submit(first, start_after)
            while True:
                with pending_lock:
                    live = set(pending)
                if not live:
                    break
                done, _ = wait(live, timeout=0.2, return_when=FIRST_COMPLETED)
                for fut in done:
                    with pending_lock:
                        pending.discard(fut)
                    fut.result()  # the first error stops the inventory (below)
        finally:  # done, failed or interrupted: no new request starts, every thread ends
            self._stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
        self.ranges.sort(key=lambda r: (r.start_after is not None, (r.start_after or "").encode("utf-8", "surrogatepass")))
        return [p for r in self.ranges for p in r.pages]




def list_pages(fs: FileSystem, path: str, start_after: str | None = None, stop: str | None = None, *,
               concurrency: int = 32, tick: Callable[[int], None] = lambda n: None,
               consume: Callable[[Any], Any] = lambda page: page, columns: bool = False) -> tuple[list[Any], Lister]:
    """``consume(page)`` of every page of the keys of the directory ``path`` in
    ``(start_after, stop)``, in key order, with own recent writes reconciled; and the lister
    (``requests``, ``peak_in_flight``). A page is a list of ``FileInfo``, or :class:`PageColumns`
    with ``columns=True`` (no object per key). ``consume`` runs as each page arrives (say, into
    columns), so no per-key object outlives its page; where recent own writes must be reconciled,
    the pages are listed as ``FileInfo`` and kept until then.

    Raises:
        whatever :meth:`FileSystem.list_after` raises; KeyboardInterrupt after every thread ended.
    """
    _, _, key = path.partition("/")
    prefix = f"{key.rstrip('/')}/" if key.rstrip("/") else ""
    recent = fs.has_recent_writes(path)  # own writes under the prefix: reconcile before consuming
    lister = Lister(fs, path, prefix, concurrency, tick, consume=(lambda page: page) if recent else consume,
                    columns=columns and not recent)
    pages = lister.run(start_after, stop)
    if recent:
        pages = [consume(PageColumns.of(page) if columns else page) for page in fs.reconcile_recursive(path, pages)]
    return pages, lister


def plan_ranges(first_keys: list[str], cursor: str, prefix: str, pieces: int) -> list[tuple[str, str | None]]:
    """``(start_after, stop)`` ranges covering everything after ``cursor`` under ``prefix``,
    ``pieces`` of them where the key space allows (for Dask partitions)."""
    cuts = KeySpace(first_keys).cuts(cursor, None, pieces, prefix)
    bounds = [cursor, *cuts, None]
    return list(zip(bounds[:-1], bounds[1:]))
