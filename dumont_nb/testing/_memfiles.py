"""The open files of :class:`~dumont_nb.testing.MemoryFileSystem`: a version-pinned reader and a
whole-object writer (the life cycle of :class:`~dumont_nb.vfs.writer.CommitOnClose`)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..errors import ConflictError, NotFoundError, NotSupportedError
from ..vfs.writer import CommitOnClose

if TYPE_CHECKING:
    from .memory import MemoryFileSystem


@dataclass(frozen=True)
class _Object:
    data: bytes
    etag: str
    mtime: datetime


def now() -> datetime:
    """UTC now in whole seconds (S3's Last-Modified resolution)."""
    return datetime.now(timezone.utc).replace(microsecond=0)


class _Reader(io.RawIOBase):
    """Ranged reads of one version: a read after someone replaced it raises ConflictError."""

    def __init__(self, fs: "MemoryFileSystem", bucket: str, key: str, obj: _Object, url: str):
        self._fs, self._bucket, self._key, self._obj, self.name = fs, bucket, key, obj, url
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._obj.data)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def readinto(self, b: Any) -> int:
        if self._pos >= len(self._obj.data):
            return 0
        with self._fs._lock:
            now = self._fs._store(self._bucket).get(self._key)
        if now is None:
            raise NotFoundError(f"{self.name}: the object was deleted while it was being read", self.name)
        if now.etag != self._obj.etag:
            raise ConflictError(f"{self.name}: the object changed while it was being read; open it again")
        chunk = self._obj.data[self._pos:self._pos + len(b)]
        b[:len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)


class _Writer(CommitOnClose, io.BufferedIOBase):
    """Write-only, whole object on close (``commit(data)``); flush and sync commit nothing."""

    def __init__(self, name: str, mode: str, commit):
        self.name, self.mode, self._commit = name, mode, commit
        self._buf = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        self._buf += b
        return len(memoryview(b).cast("B"))

    def tell(self) -> int:
        return len(self._buf)

    def flush(self) -> None:
        """Commits nothing; the object is written on close."""

    sync = flush

    def truncate(self, size: int | None = None) -> int:
        raise NotSupportedError(f"{self.name}: truncate needs random write (emulate: true)", self.name)

    def close(self) -> None:
        if self.closed:
            return
        try:
            if not self._discarded:
                self._commit(bytes(self._buf))
        finally:
            self._buf = bytearray()
            super().close()
