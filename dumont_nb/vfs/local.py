"""``LocalFileSystem``: local paths behind the same :class:`FileSystem` contract as a remote.

Copies, moves and the magics treat a local path and a remote URL alike through it, so there is
no second file system hidden behind ``is_url`` branches. Paths are OS paths (``~`` expanded).
It keeps the contract's write rule: a file opened for writing is a temporary file next to the
target (``.<name>.<random>.dumont-part``, the name cut to fit 255 bytes), renamed onto it on
close, removed on an exception or a drop, so an interrupted write leaves the previous file (or
nothing). Directories are real here (``capabilities.directories``); ``mkdir`` makes one.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import tempfile
from dataclasses import replace
from datetime import datetime, timezone
from typing import IO, Any, Iterator

from ..errors import (AccessDeniedError, ExistsError, IsADirError, NotADirError, NotFoundError, NotSupportedError,
                      StoreError)
from .base import S3_CAPABILITIES, Capabilities, FileInfo, FileSystem
from .writer import CommitOnClose, wrap_text

__all__ = ["LocalFileSystem", "LOCAL", "NAME_MAX", "temp_prefix"]

#: bytes a file name may have on common file systems (ext4, APFS, NTFS in UTF-16 units)
NAME_MAX = 255

_CAPS = replace(
    S3_CAPABILITIES, atomic_rename=True, directories=True, presign=False,
    why={"random_read": "seek and read", "random_write": "whole-file writes through dumont (a temporary file renamed on close)",
         "append": "whole-file writes through dumont", "truncate": "whole-file writes through dumont",
         "atomic_rename": "os.replace", "directories": "real directories", "mtime": "st_mtime (whole seconds here)",
         "case_sensitive": "as the local file system is", "server_side_copy": "a local copy",
         "presign": "a local path has no URL to share"},
)


def temp_prefix(name: str) -> str:
    """``.<name>.``, the name cut (on a character boundary) so that the temporary file's name
    (prefix, 8 random characters, ``.dumont-part``) fits in :data:`NAME_MAX` bytes whenever the
    final name does."""
    room = NAME_MAX - len(".dumont-part") - 8 - 2
    raw = name.encode("utf-8", "surrogateescape")[:room]
    return "." + raw.decode("utf-8", "ignore") + "."


def _errors(path: str, exc: OSError) -> OSError:
    """A builtin OSError as dumont's typed error of the same class, naming ``path``."""
    what = "no such local file or directory" if isinstance(exc, FileNotFoundError) else (exc.strerror or str(exc))
    for cls, kinds in ((NotFoundError, FileNotFoundError), (ExistsError, FileExistsError),
                       (IsADirError, IsADirectoryError), (NotADirError, NotADirectoryError),
                       (AccessDeniedError, PermissionError)):
        if isinstance(exc, kinds):
            return cls(f"{path}: {what}", path)
    return StoreError(f"{path}: {what}", path, exc.errno or errno.EIO)


def _call(fn, path: str):
    """``fn(path)``, its OSError raised as dumont's typed error naming ``path``."""
    try:
        return fn(path)
    except OSError as exc:
        raise _errors(path, exc) from None


class LocalFileSystem(FileSystem):
    """The local disk as a :class:`FileSystem` (``name`` ``"local"``; :meth:`url` is the path)."""

    name = "local"

    def __repr__(self) -> str:
        return "LocalFileSystem()"

    @property
    def capabilities(self) -> Capabilities:
        return _CAPS

    def url(self, path: str) -> str:
        return path

    def split(self, path: str) -> tuple[str, str, bool]:
        """``(directory, name, written as a directory)``, for the contract's helpers."""
        head, tail = os.path.split(path.rstrip("/" + os.sep))
        return head, tail, path.endswith(("/", os.sep))

    @staticmethod
    def _norm(path: str) -> str:
        return os.path.expanduser(os.fspath(path))

    def _info(self, path: str, st: os.stat_result, name: str | None = None) -> FileInfo:
        is_dir = os.path.isdir(path)
        mtime = datetime.fromtimestamp(int(st.st_mtime), timezone.utc)
        return FileInfo(name=os.path.basename(path.rstrip(os.sep)) if name is None else name, path=path,
                        size=0 if is_dir else st.st_size, mtime=None if is_dir else mtime, is_dir=is_dir)

    def stat(self, path: str) -> FileInfo:
        path = self._norm(path)
        try:
            return self._info(path, os.stat(path))
        except OSError as exc:
            raise _errors(path, exc) from None

    def readdir(self, path: str) -> list[FileInfo]:
        path = self._norm(path)
        try:
            with os.scandir(path) as it:
                entries = [self._info(e.path, e.stat()) for e in it]
        except OSError as exc:
            raise _errors(path, exc) from None
        return sorted(entries, key=lambda e: (e.name, e.is_dir))

    def iterdir(self, path: str, *, recursive: bool = False, page_size: int = 1000,
                markers: bool = False) -> Iterator[list[FileInfo]]:
        """Non-recursive: :meth:`readdir` in pages. Recursive: every file under ``path`` with its
        relative POSIX path as ``name``; with ``markers``, each *empty* directory too (``""`` for
        ``path`` itself), as a remote's markers are."""
        path = self._norm(path).rstrip(os.sep) or os.sep
        if not recursive:
            entries = self.readdir(path) if os.path.isdir(path) else []
        else:
            entries = []
            for folder, dirs, files in os.walk(path):
                dirs.sort()
                rel = os.path.relpath(folder, path).replace(os.sep, "/")
                rel = "" if rel == "." else rel
                if markers and not dirs and not files:
                    entries.append(FileInfo(name=rel, path=folder, size=0, mtime=None, is_dir=True))
                for name in sorted(files):
                    full = os.path.join(folder, name)
                    entries.append(self._info(full, os.stat(full), name=f"{rel}/{name}" if rel else name))
        for start in range(0, max(len(entries), 1), page_size):
            yield entries[start:start + page_size]

    def open(self, path: str, mode: str = "rb", **kwargs: Any) -> IO:
        """``r``/``rb`` read; ``w``/``wb``/``x``/``xb`` write a temporary file renamed on close
        (``mtime=`` a POSIX timestamp sets the file's time); update modes are not supported.

        Raises:
            NotFoundError, IsADirError, ExistsError (mode ``x``), NotSupportedError, ValueError.
        """
        path = self._norm(path)
        base = mode.replace("b", "").replace("t", "")
        if base not in ("r", "w", "x"):
            if base in ("a", "r+", "w+", "a+", "x+"):
                raise NotSupportedError(f"{path}: mode {mode!r}: dumont writes whole files; use 'wb'", path)
            raise ValueError(f"invalid mode {mode!r}; use r, w or x (with b or t)")
        if os.path.isdir(path) or path.endswith(("/", os.sep)):
            raise IsADirError(f"{path}: is a directory; open a file", path)
        if base == "r":
            try:
                raw: io.BufferedIOBase = open(path, "rb")  # noqa: SIM115 - returned to the caller
            except OSError as exc:
                raise _errors(path, exc) from None
        else:
            if base == "x" and os.path.lexists(path):
                raise ExistsError(f"{path}: exists (mode 'x')", path)
            raw = _LocalWriter(path, base + "b", kwargs.get("mtime"))
        if "b" in mode:
            return raw
        return wrap_text(raw, encoding=kwargs.get("encoding"), errors=kwargs.get("errors"), newline=kwargs.get("newline"))

    def mkdir(self, path: str) -> None:
        _call(os.mkdir, self._norm(path))

    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        _call(lambda p: os.makedirs(p, exist_ok=exist_ok), self._norm(path))

    def remove(self, path: str) -> None:
        path = self._norm(path)
        if os.path.isdir(path) and not os.path.islink(path):
            raise IsADirError(f"{path}: is a directory; use rmdir or remove_all", path)
        _call(os.remove, path)

    def rmdir(self, path: str) -> None:
        _call(os.rmdir, self._norm(path))

    def remove_all(self, path: str) -> int:
        """Delete the file, or the directory and everything in it; the count of files and
        directories removed (0 if nothing was there)."""
        path = self._norm(path).rstrip(os.sep) or os.sep
        if not os.path.lexists(path):
            return 0
        if not os.path.isdir(path) or os.path.islink(path):
            os.remove(path)
            return 1
        count = sum(1 + len(files) for _, _, files in os.walk(path))
        try:
            shutil.rmtree(path)
        except OSError as exc:
            raise _errors(path, exc) from None
        return count

    def remove_many(self, paths: list[str]) -> int:
        """Delete exactly these files (a path ending in ``/`` is a directory, removed only if
        empty); a missing one is not an error."""
        count = 0
        for p in paths:
            p = self._norm(p)
            try:
                os.rmdir(p) if p.endswith(("/", os.sep)) else os.remove(p)
            except FileNotFoundError:
                continue
            except OSError as exc:
                if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
                    continue  # a folder someone wrote into meanwhile stays, with what is in it
                raise _errors(p, exc) from None
            count += 1
        return count

    def copy(self, src: str, dst: str, *, size: int | None = None) -> None:
        src, dst = self._norm(src), self._norm(dst)
        if os.path.isdir(src):
            raise IsADirError(f"{src}: is a directory; copy its files", src)
        if os.path.abspath(src) == os.path.abspath(dst):
            return
        try:
            with open(src, "rb") as r, self.open(dst, "wb") as w:
                shutil.copyfileobj(r, w, 8 * 2**20)
        except OSError as exc:
            raise _errors(src, exc) from None

    def rename(self, src: str, dst: str) -> None:
        src, dst = self._norm(src), self._norm(dst)
        _call(lambda p: os.replace(p, dst), src)


class _LocalWriter(CommitOnClose, io.BufferedIOBase):
    """A temporary file next to ``path``, renamed onto it on close; removed if discarded."""

    def __init__(self, path: str, mode: str, mtime: float | None = None):
        self.name, self.mode, self._mtime = path, mode, mtime
        folder = os.path.dirname(os.path.abspath(path))
        try:
            os.makedirs(folder, exist_ok=True)
            fd, self._tmp = tempfile.mkstemp(prefix=temp_prefix(os.path.basename(path)), suffix=".dumont-part",
                                             dir=folder)
        except OSError as exc:
            raise _errors(path, exc) from None
        self._file = os.fdopen(fd, "wb")

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        return self._file.write(b)

    def flush(self) -> None:
        """Commits nothing; the file is renamed into place on close."""

    def close(self) -> None:
        if self.closed:
            return
        try:
            self._file.close()
            if self._discarded:
                os.unlink(self._tmp)
                return
            if self._mtime is not None:
                os.utime(self._tmp, (self._mtime, self._mtime))
            if "x" in self.mode and os.path.lexists(self.name):
                os.unlink(self._tmp)
                raise ExistsError(f"{self.name}: created by someone else meanwhile (mode 'x')", self.name)
            os.replace(self._tmp, self.name)
        except BaseException:
            if os.path.lexists(self._tmp):
                os.unlink(self._tmp)
            raise
        finally:
            super().close()


#: the one local file system
LOCAL = LocalFileSystem()
