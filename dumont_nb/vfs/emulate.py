"""``emulate: true``: append, random write and truncate by read-modify-write.

Opening reads the whole object into memory (remembering its ETag); reads, writes, seeks and
``truncate`` work on that copy; ``close`` commits it with a conditional write through
:func:`commit`: ``If-Match: <ETag read>``, or ``If-None-Match: *`` when the object did not
exist. If someone else wrote the object in between, the store answers 412 and
:class:`~dumont_nb.errors.ConflictError` is raised: their write is kept, ours is not committed.

A store that ignores If-Match (s3rver does) cannot enforce this; :func:`commit` is the one place
where a probe or a weaker fallback (the remote's ``conditional_writes``) hooks in. Memory use is
the size of the object.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, Callable

from ..errors import ExistsError, IsADirError, NotFoundError
from .writer import CommitOnClose

if TYPE_CHECKING:
    from .s3 import S3Backend

__all__ = ["EmulatedFile", "open_emulated", "commit", "check_update_open"]


def commit(fs: "S3Backend", bucket: str, key: str, data: bytes, etag: str | None) -> str | None:
    """Write ``data`` as the object only if it is still the version ``etag`` (None: only if
    it still does not exist). Returns the new ETag.

    Raises:
        ConflictError: someone else changed (or created) the object since it was read.
        NotSupportedError: the store ignores conditional writes and the remote's
            ``conditional_writes`` is ``require`` (see :mod:`.conditional`).
    """
    from .conditional import guard_commit
    from .writer import S3Writer

    guard_commit(fs.client, bucket, key, etag)  # refuses (or re-checks) on stores that ignore If-Match
    writer = S3Writer(fs, bucket, key, if_match=etag, if_absent_conflict=etag is None)
    try:
        view = memoryview(data)
        for i in range(0, len(view), 2**20):
            writer.write(view[i:i + 2**20])
    except BaseException:
        writer.discard()
        raise
    writer.close()
    return writer.etag


def check_update_open(url: str, base: str, exists: bool, is_dir: Callable[[], bool]) -> None:
    """What every emulating backend checks before opening for update.

    Raises:
        IsADirError: ``r+`` of a directory. NotFoundError: ``r+`` of a missing object.
        ExistsError: ``x+`` of an existing one.
    """
    if not exists and base == "r+":
        if is_dir():
            raise IsADirError(f"{url}: is a directory; open an object key", url)
        raise NotFoundError(f"{url}: no such object (mode 'r+' needs an existing object)", url)
    if exists and base == "x+":
        raise ExistsError(f"{url}: the object exists (mode 'x')", url)


def open_emulated(fs: "S3Backend", bucket: str, key: str, base: str) -> "EmulatedFile":
    """Open for update: ``base`` is ``a``, ``a+``, ``r+``, ``w+`` or ``x+``.

    Raises:
        NotFoundError: ``r+`` of a missing object. ExistsError: ``x+`` of an existing one.
    """
    url = fs.client.url(bucket, key)
    info = fs.head(bucket, key)
    check_update_open(url, base, info is not None, lambda: fs._dir_alive(bucket, key))
    data = b""
    if info is not None and base in ("a", "a+", "r+") and info.size:
        data = fs.client.run(fs.client.aread_range, bucket, key, 0, info.size, info.etag)
    return EmulatedFile(url, base, data, info.etag if info else None, created=info is None,
                        commit=lambda body, etag: commit(fs, bucket, key, body, etag))


class EmulatedFile(CommitOnClose, io.BufferedIOBase):
    """A seekable, readable and writable in-memory copy of an object, committed on close by the
    backend's conditional ``commit`` (so every backend that emulates shares this file)."""

    def __init__(self, name: str, base: str, data: bytes, etag: str | None, created: bool,
                 commit: "Callable[[bytes, str | None], str | None]"):
        """``commit(data, etag)`` writes ``data`` only if the object is still version ``etag``
        (None: still absent) and returns the new ETag, or raises ConflictError (see :func:`commit`)."""
        self._commit = commit
        self.name = name
        self.mode = base + "b" if "+" not in base else base.replace("+", "b+")
        self._append = base.startswith("a")
        self._readable = "+" in base
        self._data = io.BytesIO(data)
        if self._append:
            self._data.seek(0, io.SEEK_END)
        self.etag = etag
        self._dirty = created or base in ("w+", "x+")
        self._discarded = False

    def __repr__(self) -> str:
        return f"<EmulatedFile {self.name} mode={self.mode!r}>"

    def readable(self) -> bool:
        return self._readable

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def _check(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file.")

    def _check_read(self) -> None:
        self._check()
        if not self._readable:
            raise io.UnsupportedOperation(f"{self.name}: not opened for reading (use 'a+b')")

    def read(self, size: int | None = -1) -> bytes:
        self._check_read()
        return self._data.read(size)

    read1 = read

    def readinto(self, b: Any) -> int:
        self._check_read()
        return self._data.readinto(b)

    readinto1 = readinto

    def peek(self, size: int = 0) -> bytes:
        self._check_read()
        pos = self._data.tell()
        return self._data.getbuffer()[pos:].tobytes()

    def write(self, b: Any) -> int:
        self._check()
        if self._append:
            self._data.seek(0, io.SEEK_END)
        self._dirty = True
        return self._data.write(b)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._check()
        return self._data.seek(offset, whence)

    def tell(self) -> int:
        self._check()
        return self._data.tell()

    def truncate(self, size: int | None = None) -> int:
        self._check()
        self._dirty = True
        return self._data.truncate(size)

    def flush(self) -> None:
        """Commits nothing; the object is written on close."""

    sync = flush

    def close(self) -> None:
        """Commit (if anything changed) with If-Match on the ETag read.

        Raises:
            ConflictError: the object was changed by someone else; nothing was written.
        """
        if self.closed:
            return
        try:
            if self._dirty and not self._discarded:
                self.etag = self._commit(self._data.getvalue(), self.etag)
        finally:
            self._data = io.BytesIO()
            super().close()

