"""Reading an object: ranged GETs pinned to the ETag, with read-ahead only for sequential reads.

- Every GET carries ``Range`` and ``If-Match: <etag at open>``, so a read never mixes bytes of two
  versions; if the object changes, the next fetch raises :class:`~dumont_nb.errors.ConflictError`.
- The size is known from the HEAD at open: reading at or past the end sends no request.
- A read that continues where the previous one ended grows a read-ahead window (64 KiB doubling
  up to 8 MiB); a read after a seek elsewhere fetches exactly the bytes asked for, so random
  access never fetches much more than it reads (``bytes_fetched`` counts what came over the wire).
- Once reading is a sustained stream (a sequential read past the start that spans 8 MiB, or a
  full window), the next :data:`PREFETCH` blocks of 8 MiB are fetched concurrently in the
  background, as boto3's download_fileobj does: memory stays bounded by a few blocks, and a seek
  elsewhere cancels them.
"""

from __future__ import annotations

import io
from collections import deque
from typing import TYPE_CHECKING

from ..errors import NotSupportedError
from .base import FileInfo

if TYPE_CHECKING:
    from .s3 import S3Backend

__all__ = ["S3Reader", "MIN_READAHEAD", "MAX_READAHEAD", "PREFETCH"]

MIN_READAHEAD = 64 * 2**10
MAX_READAHEAD = 8 * 2**20
#: blocks of MAX_READAHEAD fetched ahead, concurrently, while streaming
PREFETCH = 3


class S3Reader(io.BufferedIOBase):
    """A read-only, seekable binary file over one object version."""

    def __init__(self, fs: "S3Backend", bucket: str, key: str, info: FileInfo):
        self._client = fs.client
        self.bucket, self.key = bucket, key
        self.name = fs.client.url(bucket, key)
        self.info = info
        self.size = info.size
        self.etag = info.etag
        self.version_id = info.version_id  # every GET is pinned to it when set
        self.mode = "rb"
        self._pos = 0
        self._buf = b""
        self._buf_start = 0
        self._window = 0
        self._last_end = 0  # where the previous read ended: a read starting here is sequential
        self._ahead: deque = deque()  # (start, end, future) of blocks being prefetched, contiguous
        #: bytes received from the store / GET requests sent, for tests and benchmarks
        self.bytes_fetched = 0
        self.requests = 0

    def __repr__(self) -> str:
        return f"<S3Reader {self.name} size={self.size}>"

    readable = seekable = staticmethod(lambda: True)  # a read-only, seekable file
    writable = staticmethod(lambda: False)

    def tell(self) -> int:
        self._check()
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._check()
        if whence == io.SEEK_SET:
            pos = offset
        elif whence == io.SEEK_CUR:
            pos = self._pos + offset
        elif whence == io.SEEK_END:
            pos = self.size + offset
        else:
            raise ValueError(f"invalid whence {whence!r}")
        if pos < 0:
            raise ValueError(f"negative seek position {pos}")
        self._pos = pos
        return pos

    def _check(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file.")

    def _buffered(self) -> memoryview:
        # a view, not a slice: slicing bytes would copy the rest of the buffer on every read
        # (quadratic in the read-ahead window for small sequential reads)
        off = self._pos - self._buf_start
        if 0 <= off < len(self._buf):
            return memoryview(self._buf)[off:]
        return memoryview(b"")

    def _fill(self, want_end: int, sequential: bool) -> None:
        """Fetch from ``_pos`` to at least ``want_end`` (more when reading sequentially)."""
        if sequential and self._pos > 0 and (self._window >= MAX_READAHEAD or want_end - self._pos >= MAX_READAHEAD):
            self._stream(want_end)
            return
        self._drop_ahead()
        if sequential:
            self._window = min(max(self._window * 2, MIN_READAHEAD), MAX_READAHEAD)
        else:
            self._window = 0
        end = min(self.size, max(want_end, self._pos + self._window))
        data = self._client.run(self._client.aread_range, self.bucket, self.key, self._pos, end, self.etag,
                                self.version_id)
        self.requests += 1
        self.bytes_fetched += len(data)
        self._buf, self._buf_start = data, self._pos

    def _stream(self, want_end: int) -> None:
        """Cover ``[_pos, want_end)`` from blocks fetched concurrently, keeping PREFETCH more in flight."""
        self._window = MAX_READAHEAD
        if self._ahead and self._ahead[0][0] != self._pos:
            self._drop_ahead()
        nxt = self._ahead[-1][1] if self._ahead else self._pos
        beyond = sum(1 for start, _, _ in self._ahead if start >= want_end)
        while nxt < self.size and (nxt < want_end or beyond < PREFETCH):
            end = min(self.size, nxt + MAX_READAHEAD)
            coro = self._client.aread_range(self.bucket, self.key, nxt, end, self.etag, self.version_id)
            self._ahead.append((nxt, end, self._client.submit(coro)))
            beyond += nxt >= want_end
            nxt = end
        parts = []
        while self._ahead and self._ahead[0][0] < want_end:
            _, _, fut = self._ahead.popleft()
            data = fut.result()  # the store's error, translated, if the block failed
            self.requests += 1
            self.bytes_fetched += len(data)
            parts.append(data)
        self._buf = parts[0] if len(parts) == 1 else b"".join(parts)
        self._buf_start = self._pos

    def _drop_ahead(self) -> None:
        """Forget prefetched blocks (a seek elsewhere, or close); count what already arrived."""
        while self._ahead:
            _, _, fut = self._ahead.popleft()
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                self.requests += 1
                self.bytes_fetched += len(fut.result())
            else:
                fut.cancel()

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes (all that remain if ``size`` is negative); at most one request.

        Raises:
            ConflictError: the object changed since it was opened.
            NotFoundError: it was deleted since.
        """
        self._check()
        if size is None or size < 0:
            size = self.size - self._pos
        end = min(self._pos + size, self.size)
        if end <= self._pos:
            return b""
        sequential = self._pos == self._last_end
        first = self._buffered()[: end - self._pos]
        self._pos += len(first)
        if self._pos < end:
            self._fill(end, sequential)
            more = self._buffered()[: end - self._pos]
            out = bytes(first) + bytes(more) if len(first) else bytes(more)
            self._pos += len(more)
        else:
            out = bytes(first)
        self._last_end = self._pos
        return out

    read1 = read

    def readinto(self, b) -> int:
        data = self.read(len(b))
        n = len(data)
        memoryview(b).cast("B")[:n] = data
        return n

    readinto1 = readinto

    def peek(self, size: int = 0) -> bytes:
        """Buffered bytes at the current position without moving it (fetching if none)."""
        self._check()
        if self._pos >= self.size:
            return b""
        if not len(self._buffered()):
            self._fill(self._pos + max(size, 1), self._pos == self._last_end)
        return bytes(self._buffered())

    def readall(self) -> bytes:
        return self.read(-1)

    def write(self, b) -> int:
        raise NotSupportedError(f"{self.name}: opened for reading", self.name)

    def truncate(self, size: int | None = None) -> int:
        raise NotSupportedError(f"{self.name}: opened for reading; truncate needs emulate: true and mode r+b", self.name)

    def close(self) -> None:
        self._drop_ahead()
        self._buf = b""
        super().close()
