"""``inventory``: every object under a prefix, listed with many requests in flight.

One ListObjectsV2 stream tops out near one page (1,000 keys) per round trip. Here key ranges
``(start_after, stop)`` are listed at once, at most ``concurrency`` requests in flight:

1. The first page is listed. If the store says there is no more, that is the answer (1 request).
2. Otherwise the rest, ``(last key, end)``, is cut into pieces of similar size in the alphabet the
   keys use (:class:`~dumont_nb.vfs.ranges.KeySpace`): hex hashes cut as base-16 numbers, dates and
   sequential names likewise. Each piece is listed page by page.
3. Whenever a page comes back full and its range goes on, and fewer than ``concurrency`` ranges
   are being listed, the rest of that range is cut in three and the two new pieces are listed in
   parallel: a dense range splits again, a sparse one ends after its first page. Once every slot
   has a range, a range goes on page by page (a cut then would only add last pages: requests),
   and cutting resumes as ranges finish. Keys read past a range's stop are dropped (the next
   range lists them).

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

import fnmatch
import threading
from typing import TYPE_CHECKING, Any, Callable

from .tables import SCHEMA, StatFrame, _Columns, frame_from_pages
from .urls import parse_url
from .vfs.base import FileSystem, PageColumns
from .vfs.parallel import PAGE, SPLIT, Lister, list_pages
from .vfs.registry import filesystem

if TYPE_CHECKING:
    from .config import Config

__all__ = ["inventory", "inventory_range", "PAGE", "SPLIT"]


def _split_url(url: str, config: "Config | None") -> tuple[FileSystem, str, str]:
    parsed = parse_url(url).require_bucket()
    fs = filesystem(parsed.remote, config=config)
    key = parsed.key.rstrip("/")
    return fs, parsed.path, f"{key}/" if key else ""


def inventory_range(fs: FileSystem, path: str, start_after: str | None = None, stop: str | None = None, *,
                    concurrency: int = 32, tick: Callable[[int], None] = lambda n: None,
                    glob: str | None = None) -> tuple[StatFrame, Lister]:
    """The stat table of the keys of ``path`` in ``(start_after, stop)``, listed adaptively with
    ``concurrency`` requests in flight (``glob``: only names, or paths below ``path`` when the
    pattern has a ``/``, that match); also the lister (``requests``, ``peak_in_flight``)."""
    keep = _glob(glob, path)

    def columns(page: PageColumns) -> _Columns:  # each page into the table's columns as it arrives
        chunk = _Columns(fs.name, SCHEMA)
        chunk.add_columns(page if keep is None else _only(page, keep))
        return chunk

    chunks, lister = list_pages(fs, path, start_after, stop, concurrency=concurrency, tick=tick, consume=columns,
                                columns=True)
    cols = _Columns(fs.name, SCHEMA)
    for chunk in chunks:
        cols.extend(chunk)
    return cols.frame(), lister


def _glob(pattern: str | None, path: str) -> Callable[[str], bool] | None:
    """Whether a listed path (``bucket/key``) matches ``pattern`` (None: no pattern)."""
    if pattern is None:
        return None
    base = path.rstrip("/") + "/"
    if "/" in pattern:
        return lambda p: fnmatch.fnmatchcase(p[len(base):], pattern)
    return lambda p: fnmatch.fnmatchcase(p.rsplit("/", 1)[-1], pattern)


def _only(page: PageColumns, keep: Callable[[str], bool]) -> PageColumns:
    rows = [i for i, p in enumerate(page.paths) if keep(p)]
    return PageColumns(*([column[i] for i in rows] for column in (
        page.paths, page.is_dir, page.sizes, page.mtimes, page.etags, page.storage_classes)))


def inventory(url: str, *, concurrency: int = 32, dask: Any = None, config: "Config | None" = None,
              progress: bool = True, glob: str | None = None) -> Any:
    """Every object under ``url``: a stat table with the columns and dtypes of
    ``listing(url, recursive=True)`` (markers hidden, key order), listed with up to
    ``concurrency`` requests in flight (see the module docstring for how, and its request
    budget). ``progress`` shows a tqdm bar of keys listed (and keys a second); ``glob`` keeps
    names (or, with a ``/``, paths below ``url``) that match, as ``listing`` does. ``dask=`` a
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
        frame, _ = inventory_range(fs, path, concurrency=concurrency, tick=tick, glob=glob)
    finally:
        bar.close()
    if not len(frame) and parse_url(url).key and not url.endswith("/"):
        info = fs.stat(path)  # FileNotFoundError when nothing is there; an object URL gives its row
        if not info.is_dir and (glob is None or _glob(glob, path.rsplit("/", 1)[0])(info.path)):
            frame = frame_from_pages([[info]], fs.name)
    return frame
