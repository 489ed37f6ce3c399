"""The S3 backend's columnar listing: ListObjectsV2 pages straight into :class:`PageColumns`.

A listing of a million keys is a thousand pages read one after another (each page's token asks
for the next). Here each page is parsed by :func:`.listparse.parse_rows` into columns (no dict
and no ``FileInfo`` per key), and the next page is requested as soon as the current one's token
is known, so the consumer's work on page N overlaps the round trip of page N+1. Own recent
writes under the prefix send the listing through :meth:`iterdir`, which reconciles them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import queue
from datetime import timezone
from itertools import repeat
from typing import Any, Iterator
from urllib.parse import unquote_plus

from .base import FileInfo, FileSystem, PageColumns
from .client import parse_timestamp, whole_seconds
from .listparse import ROWS, Rows

__all__ = ["S3ColumnOps"]


class S3ColumnOps:
    """Mixed into ``S3Backend``: listing pages into entries and columns (uses its ``client``,
    ``journal``, ``split``, ``_need_bucket``)."""

    def iter_columns(self, path: str, *, recursive: bool = False) -> Iterator[PageColumns]:
        """:meth:`FileSystem.iter_columns`: one ListObjectsV2 a page, the next one in flight
        while this one is consumed (one request beyond the pages read if the consumer stops early).

        Raises:
            NotFoundError: no such bucket. PermissionError and the like: as :meth:`iterdir`.
        """
        bucket, key, _ = self.split(path)
        self._need_bucket(bucket, path)
        prefix = f"{key}/" if key else ""
        if self.journal.under(f"{bucket}/{prefix}"):  # own recent writes: iterdir reconciles them
            yield from FileSystem.iter_columns(self, path, recursive=recursive)
            return
        kw: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": 1000}
        if not recursive:
            kw["Delimiter"] = "/"
        chain = _Chain(self, self.client.url(bucket, key), kw)
        try:
            while True:
                rows = chain.next()
                if rows is None:
                    return
                yield _columns(bucket, prefix, rows)
        finally:
            chain.close()

    def list_after_columns(self, path: str, *, start_after: str | None = None, stop: str | None = None,
                           limit: int = 1000) -> tuple[PageColumns, str | None]:
        """:meth:`FileSystem.list_after_columns`: what ``list_after`` gives (one ListObjectsV2,
        ``StartAfter``, keys at or past ``stop`` dropped and ending the range), parsed by our page
        parser into columns. Own recent writes are not reconciled here (as in ``list_after``).

        Raises:
            NotFoundError: no such bucket. PermissionError and the like: as :meth:`list_after`.
        """
        bucket, prefix, url, kw = self._range_request(path, start_after, limit)
        rows = self._read_page(self.client.run(self._rows_page, url, kw))
        keys = rows.keys
        cursor = keys[-1] if keys and rows.top.get("IsTruncated") else None
        if stop is not None and keys and keys[-1] >= stop:
            keep = [i for i, k in enumerate(keys) if k < stop]
            rows = rows._replace(**{f: [getattr(rows, f)[i] for i in keep]
                                    for f in ("keys", "modified", "etags", "sizes", "storage")})
            cursor = None
        return _columns(bucket, prefix, rows._replace(prefixes=[])), cursor

    def _range_request(self, path: str, start_after: str | None, limit: int) -> tuple[str, str, str, dict]:
        """``(bucket, prefix, url, ListObjectsV2 arguments)`` for a page of a key range of ``path``.

        Raises: NotFoundError (no such bucket)."""
        bucket, key, _ = self.split(path)
        self._need_bucket(bucket, path)
        prefix = f"{key}/" if key else ""
        kw: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": limit}
        if start_after is not None and start_after >= prefix:
            kw["StartAfter"] = start_after
        return bucket, prefix, self.client.url(bucket, key), kw

    def _page_entries(self, bucket: str, prefix: str, resp: dict, markers: bool = False) -> list[FileInfo]:
        out = []
        for cp in resp.get("CommonPrefixes", ()):
            name = cp["Prefix"][len(prefix):].rstrip("/")
            if name:
                out.append(self._dir(bucket, cp["Prefix"].rstrip("/")))
        cut, utc = len(prefix), timezone.utc
        for c in resp.get("Contents", ()):  # the hot loop of every listing: what _info does, inline
            k = c["Key"]
            if k.endswith("/"):  # a directory marker
                if markers:  # name "" is the marker of the listed directory itself
                    out.append(FileInfo(k[cut:-1], f"{bucket}/{k[:-1]}", 0, None, True))
                continue
            m = c.get("LastModified")
            if m is not None and not (m.tzinfo is utc and not m.microsecond):
                m = whole_seconds(m)
            e = c.get("ETag")
            out.append(FileInfo(k[cut:], f"{bucket}/{k}", int(c.get("Size", 0)), m, False, e.strip('"') if e else None,
                                c.get("StorageClass") or "STANDARD"))
        return out

    async def _rows_page(self, url: str, kw: dict, on_token: Any = True) -> Rows:
        """One page as :class:`Rows` with keys and prefixes URL-decoded (``EncodingType=url`` is
        asked for explicitly, so botocore leaves the decoding to us: ``unquote_plus``, as botocore)."""
        mark = ROWS.set(on_token)
        try:
            resp = await self.client.acall("list_objects_v2", url=url, EncodingType="url", **kw)
        finally:
            ROWS.reset(mark)
        return resp

    @staticmethod
    def _read_page(resp: dict) -> Rows:
        """A response of :meth:`_rows_page` as :class:`Rows` (parsed here, by the consumer)."""
        deferred = resp.get("Page")
        rows, parsed = deferred.rows() if deferred is not None else (None, resp)
        if rows is None:  # a page our parser left to botocore: the same columns from its dict
            contents = parsed.get("Contents", ())
            rows = Rows({k: v for k, v in parsed.items() if k not in ("Contents", "CommonPrefixes")},
                        [c["Key"] for c in contents], [c.get("LastModified") for c in contents],
                        [c.get("ETag") for c in contents], [int(c.get("Size", 0)) for c in contents],
                        [c.get("StorageClass") for c in contents], [p["Prefix"] for p in parsed.get("CommonPrefixes", ())])
        if rows.top.get("EncodingType") == "url":
            rows = rows._replace(keys=_decoded(rows.keys), prefixes=_decoded(rows.prefixes))
        return rows


class _Chain:
    """The pages of one listing, each requested as soon as the previous page's token is known
    (from its raw body, before it is parsed), at most :data:`AHEAD` pages not yet consumed.
    Futures are queued in page order by the event loop; the consumer takes them in turn."""

    AHEAD = 2

    def __init__(self, fs: Any, url: str, kw: dict) -> None:
        self.fs, self.url, self.kw = fs, url, kw
        self.loop = fs.client.loop
        self.futures: queue.SimpleQueue = queue.SimpleQueue()
        self.tasks: list[asyncio.Task] = []
        self.closed = False
        self.room = asyncio.Semaphore(self.AHEAD)  # bound to the loop on first use, there
        self.loop.call_soon_threadsafe(self._start, None)

    def _start(self, token: str | None) -> None:
        """On the loop: queue the future of the page after ``token`` (None: the first page)."""
        done: concurrent.futures.Future = concurrent.futures.Future()
        self.futures.put(done)
        started = []

        def on_token(next_token: str | None) -> None:
            if next_token and not started and not self.closed:
                started.append(next_token)
                self._start(next_token)

        async def fetch() -> None:
            try:
                await self.room.acquire()  # released by the consumer when it takes a page
                kw = self.kw if token is None else {**self.kw, "ContinuationToken": token}
                resp = await self.fs._rows_page(self.url, kw, on_token)
            except BaseException as exc:  # cancelled, or the request failed: the consumer raises it
                done.set_exception(exc)
                self.futures.put(None)
                if not isinstance(exc, Exception):
                    raise
                return
            done.started = started  # type: ignore[attr-defined]
            done.set_result(resp)

        self.tasks.append(asyncio.ensure_future(fetch()))

    def next(self) -> Rows | None:
        """The next page (None after the last), waiting for it.

        Raises:
            what the page's request raised.
        """
        done = self.futures.get()
        if done is None:
            return None
        rows = self.fs._read_page(done.result())
        self.loop.call_soon_threadsafe(self.room.release)
        following = rows.top.get("NextContinuationToken") if rows.top.get("IsTruncated") else None
        if not following:
            self.futures.put(None)
        elif not done.started:  # the raw body did not tell: ask for the next page now
            done.started.append(following)
            self.loop.call_soon_threadsafe(self._start, following)
        return rows

    def close(self) -> None:
        self.closed = True
        for task in self.tasks:
            self.loop.call_soon_threadsafe(task.cancel)


def _decoded(values: list[str]) -> list[str]:
    """``unquote_plus`` of each value (as botocore decodes), the usual ``%2F`` replaced first:
    a ``/`` cannot complete another escape, so the result is the same."""
    if "%2F" in "".join(values):
        values = [v.replace("%2F", "/") for v in values]
    return [unquote_plus(v) if ("%" in v or "+" in v) else v for v in values]


def _seconds(value: Any) -> int | None:
    if value is None:
        return None
    when = whole_seconds(parse_timestamp(value) if isinstance(value, str) else value)
    return int(when.timestamp())


def _columns(bucket: str, prefix: str, rows: Rows) -> PageColumns:
    """What ``_page_entries`` + :meth:`PageColumns.of` give for the page, column by column."""
    cut = len(prefix)
    dirs = [f"{bucket}/{p.rstrip('/')}" for p in rows.prefixes if p[cut:].rstrip("/")]
    keys, modified, etags, sizes, storage = rows.keys, rows.modified, rows.etags, rows.sizes, rows.storage
    if any(map(str.endswith, keys, repeat("/"))):  # directory markers are not listed
        keep = [i for i, k in enumerate(keys) if not k.endswith("/")]
        keys, modified, etags = [keys[i] for i in keep], [modified[i] for i in keep], [etags[i] for i in keep]
        sizes, storage = [sizes[i] for i in keep], [storage[i] for i in keep]
    stamps = {m: _seconds(m) for m in set(modified)}
    n, d = len(keys), len(dirs)
    return PageColumns(
        dirs + [f"{bucket}/{k}" for k in keys],
        [True] * d + [False] * n,
        [0] * d + sizes,
        [None] * d + [stamps[m] for m in modified],
        [None] * d + [e.strip('"') if e else None for e in etags],
        [None] * d + [c or "STANDARD" for c in storage],
    )
