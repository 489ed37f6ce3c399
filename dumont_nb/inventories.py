"""``inventory``: every object under a prefix, listed with many requests in flight.

One ListObjectsV2 stream tops out near one page (1,000 keys) per round trip. Here key ranges
``(start_after, stop)`` are listed at once, at most ``concurrency`` requests in flight:

1. The first page is listed. If the store says there is no more, that is the answer (1 request).
2. Otherwise the rest, ``(last key, end)``, is cut into pieces of similar size in the alphabet the
   keys use (:class:`~dumont_nb.vfs.ranges.KeySpace`): hex hashes cut as base-16 numbers, dates and
   sequential names likewise. Each piece is listed page by page.
3. Whenever a page comes back full and its range goes on, the rest of that range is cut in three
   and the two new pieces are listed in parallel: a dense range splits again, a sparse one ends
   after its first page. Keys read past a range's stop are dropped (the next range lists them).

Budget: every request is either a full page of new keys or the last page of a range, and a
range is only cut after a full page into three, so a prefix of N keys costs at most
``3 × ceil(N / 1000)`` listing requests (worst case: every cut lands in empty key space). The
result has the columns and dtypes of ``listing(url, recursive=True)``, in key order, with own
recent writes reconciled the same way.

On Dask (``dask=`` a ``distributed.Client``, or ``True`` for the current one) the notebook lists
the first page and plans the ranges; each range is listed by a worker (with the same adaptive
splitting inside it), and the result is a ``dask.dataframe.DataFrame`` with one partition per
range, so 100M keys never have to fit in the notebook. Credentials travel as references.
"""

from __future__ import annotations

import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from .tables import SCHEMA, StatFrame, _Columns
from .urls import parse_url
from .vfs.base import FileInfo, FileSystem
from .vfs.ranges import KeySpace
from .vfs.registry import filesystem

if TYPE_CHECKING:
    from .config import Config

__all__ = ["inventory", "inventory_range", "plan_ranges", "PAGE", "SPLIT"]

#: keys per ListObjectsV2 request (the S3 maximum)
PAGE = 1000
#: a full page cuts the rest of its range into this many pieces (see the budget above)
SPLIT = 3


@dataclass
class _Range:
    start_after: str | None
    stop: str | None
    pages: list[list[FileInfo]] = field(default_factory=list)


class _Lister:
    """Adaptive parallel listing of one key range of ``path`` (threads, one request each)."""

    def __init__(self, fs: FileSystem, path: str, prefix: str, concurrency: int, tick: Callable[[int], None]):
        self.fs, self.path, self.prefix = fs, path, prefix
        self.concurrency, self.tick = max(1, concurrency), tick
        self.ranges: list[_Range] = []
        self.requests = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self._space: KeySpace | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def _page(self, r: _Range, cursor: str | None) -> tuple[list[FileInfo], str | None]:
        with self._lock:
            self.requests += 1
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            return self.fs.list_after(self.path, start_after=cursor, stop=r.stop, limit=PAGE)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _work(self, r: _Range, cursor: str | None, submit: Callable[[_Range, str | None], None]) -> None:
        """List ``r`` from ``cursor``: one page; then either the range is done, or its rest is
        cut and the pieces go on in parallel (this call keeps the first)."""
        while not self._stop.is_set():
            entries, cursor = self._page(r, cursor)
            r.pages.append(entries)
            self.tick(len(entries))
            if cursor is None:
                return
            with self._lock:
                if self._space is None:
                    self._space = KeySpace(e.path.split("/", 1)[1] for e in entries)
                space = self._space
            cuts = space.cuts(cursor, r.stop, SPLIT, self.prefix)
            if cuts:
                bounds = [cursor, *cuts, r.stop]
                r.stop = cuts[0]
                for lo, hi in zip(bounds[1:-1], bounds[2:]):
                    piece = _Range(lo, hi)
                    with self._lock:
                        self.ranges.append(piece)
                    submit(piece, lo)

    def run(self, start_after: str | None = None, stop: str | None = None) -> list[list[FileInfo]]:
        """Every page of ``(start_after, stop)``, in key order. Ctrl-C stops every thread: no new
        request starts, the ones in flight finish their page, nothing half-built is returned."""
        first = _Range(start_after, stop)
        self.ranges.append(first)
        pending: set[Future] = set()
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="dumont-inventory")
        pending_lock = threading.Lock()

        def submit(r: _Range, cursor: str | None) -> None:
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


def _split_url(url: str, config: "Config | None") -> tuple[FileSystem, str, str]:
    parsed = parse_url(url).require_bucket()
    fs = filesystem(parsed.remote, config=config)
    key = parsed.key.rstrip("/")
    return fs, parsed.path, f"{key}/" if key else ""


def _frame(fs: FileSystem, path: str, pages: list[list[FileInfo]]) -> StatFrame:
    cols = _Columns(fs.name, SCHEMA)
    for page in fs.reconcile_recursive(path, pages):  # own recent writes, as listing() has them
        cols.add(page)
    return cols.frame()


def inventory_range(fs: FileSystem, path: str, start_after: str | None = None, stop: str | None = None, *,
                    concurrency: int = 32, tick: Callable[[int], None] = lambda n: None) -> tuple[StatFrame, _Lister]:
    """The stat table of the keys of ``path`` in ``(start_after, stop)``, listed adaptively with
    ``concurrency`` requests in flight; also the lister (``requests``, ``peak_in_flight``)."""
    bucket, _, key = path.partition("/")
    prefix = f"{key.rstrip('/')}/" if key.rstrip("/") else ""
    lister = _Lister(fs, path, prefix, concurrency, tick)
    pages = lister.run(start_after, stop)
    return _frame(fs, path, pages), lister


def plan_ranges(first_keys: list[str], cursor: str, prefix: str, pieces: int) -> list[tuple[str, str | None]]:
    """``(start_after, stop)`` ranges covering everything after ``cursor`` under ``prefix``,
    ``pieces`` of them where the key space allows (for Dask partitions)."""
    cuts = KeySpace(first_keys).cuts(cursor, None, pieces, prefix)
    bounds = [cursor, *cuts, None]
    return list(zip(bounds[:-1], bounds[1:]))


def inventory(url: str, *, concurrency: int = 32, dask: Any = None, config: "Config | None" = None,
              progress: bool = True) -> Any:
    """Every object under ``url``: a stat table with the columns and dtypes of
    ``listing(url, recursive=True)`` (markers hidden, key order), listed with up to
    ``concurrency`` requests in flight (see the module docstring for how, and its request
    budget). ``progress`` shows a tqdm bar of keys listed (and keys a second). ``dask=`` a
    ``distributed.Client`` (or ``True``: the current one) lists the ranges on the cluster and
    returns a ``dask.dataframe.DataFrame``, one partition per range.

    Raises:
        InvalidURLError, UnknownRemoteError, FileNotFoundError (no such bucket), PermissionError,
        StoreError; KeyboardInterrupt after stopping every listing thread (nothing is returned).
    """
    fs, path, prefix = _split_url(url, config)
    if dask is not None and dask is not False:
        from ._inventory_dask import inventory_on_dask
        from .vfs.registry import active_config

        settings = (config if config is not None else active_config()).remote(fs.name).to_dict(literal_secrets=True)
        return inventory_on_dask(fs, path, prefix, dask, concurrency, settings)
    from tqdm.auto import tqdm

    bar = tqdm(unit=" keys", unit_scale=True, desc=f"listing {fs.url(path)}", disable=not progress)
    lock = threading.Lock()

    def tick(n: int) -> None:
        with lock:
            bar.update(n)

    try:
        frame, _ = inventory_range(fs, path, concurrency=concurrency, tick=tick)
    finally:
        bar.close()
    return frame
