"""The contract every backend keeps: :class:`FileSystem`, :class:`FileInfo`, :class:`Capabilities`.

Paths are ``bucket/key`` strings (no scheme), as produced by :attr:`dumont_nb.urls.URL.path`.
A directory path may be given with or without a trailing ``/``.
"""

from __future__ import annotations

import abc
import shutil
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, Iterator

from ..errors import ExistsError, InvalidURLError, NotADirError, NotSupportedError
from ..urls import is_url
from .capabilities import CAPABILITY_WHY, EMULATE_WHY, S3_CAPABILITIES, S3_EMULATE_CAPABILITIES, Capabilities

__all__ = ["Capabilities", "FileInfo", "FileSystem", "Page", "PageColumns", "S3_CAPABILITIES", "S3_EMULATE_CAPABILITIES", "CAPABILITY_WHY",
           "EMULATE_WHY"]


@dataclass(frozen=True)
class FileInfo:
    """One entry of a listing or a ``stat``.

    ``mtime`` is a timezone-aware UTC datetime in whole seconds (``None`` for synthetic
    directories); ``etag`` is ``None`` for directories; ``storage_class`` may be ``None``. A
    version listing's entries carry ``version_id``, ``is_latest`` and ``delete_marker`` (a delete
    marker has size 0 and no ETag).
    """

    name: str
    path: str
    size: int
    mtime: datetime | None
    is_dir: bool
    etag: str | None = None
    storage_class: str | None = None
    #: set by version listings (:meth:`FileSystem.iter_versions`) and version-pinned opens
    version_id: str | None = None
    is_latest: bool | None = None
    delete_marker: bool = False

    @property
    def type(self) -> str:
        return "dir" if self.is_dir else "file"


class Page(list):
    """A listing page (a list of :class:`FileInfo`) that may know whether it is the last one:
    ``last`` is True or False where the store said so, None where the backend cannot tell."""

    def __init__(self, entries=(), last: bool | None = None):
        super().__init__(entries)
        self.last = last


@dataclass
class PageColumns:
    """One listing page in columns, row ``i`` being what ``FileInfo`` ``i`` of the page says:
    ``paths`` (``bucket/key``, no trailing ``/``), ``is_dir``, ``sizes`` (0 for directories),
    ``mtimes`` (whole seconds since the epoch, ``None`` where unknown), ``etags`` (unquoted, ``None``
    for directories), ``storage_classes``. Listings of millions of keys build no object per key.
    """

    paths: list[str]
    is_dir: list[bool]
    sizes: list[int]
    mtimes: list[int | None]
    etags: list[str | None]
    storage_classes: list[str | None]

    def __len__(self) -> int:
        return len(self.paths)

    @classmethod
    def of(cls, page: list[FileInfo]) -> "PageColumns":
        """The columns of a page of ``FileInfo``."""
        return cls([i.path.rstrip("/") for i in page], [i.is_dir for i in page], [int(i.size or 0) for i in page],
                   [None if i.mtime is None else int(i.mtime.timestamp()) for i in page],
                   [None if i.is_dir or i.etag is None else i.etag.strip('"') for i in page],
                   [i.storage_class for i in page])


class FileSystem(abc.ABC):
    """A file system over one remote. Paths are ``bucket/key``.

    Errors are the builtins (also :class:`~dumont_nb.errors.DumontError`):
    ``FileNotFoundError``, ``FileExistsError``, ``IsADirectoryError``, ``NotADirectoryError``,
    ``PermissionError``, :class:`~dumont_nb.errors.NotSupportedError`,
    :class:`~dumont_nb.errors.ConflictError`.
    """

    #: remote name, used to build URLs in messages and listings
    name: str

    @property
    @abc.abstractmethod
    def capabilities(self) -> Capabilities:
        """The declared capabilities of this remote."""

    @abc.abstractmethod
    def open(self, path: str, mode: str = "rb", **kwargs: Any) -> IO:
        """Open an object. ``rb``/``r`` read (ranged GETs); ``wb``/``w``/``xb``/``x`` write the whole
        object on close. ``ab``/``r+b``/``w+b`` need ``emulate: true``. A reader may be given
        ``info=`` (the object's :class:`FileInfo`, fresh from :meth:`stat`) to skip its own HEAD;
        its reads stay pinned to that ETag, so a changed object fails them instead of mixing.

        Raises:
            FileNotFoundError: reading a missing object.
            IsADirectoryError: the path is a directory.
            FileExistsError: mode ``x`` and the object exists.
            NotSupportedError: the mode needs a capability the remote lacks.
        """

    @abc.abstractmethod
    def stat(self, path: str) -> FileInfo:
        """Raises FileNotFoundError if neither an object nor a prefix exists at ``path``."""

    @abc.abstractmethod
    def readdir(self, path: str) -> list[FileInfo]:
        """Entries directly under ``path``, sorted by name, markers hidden.

        Raises:
            FileNotFoundError: nothing under ``path``.
            NotADirectoryError: ``path`` is an object and no prefix.
        """

    @abc.abstractmethod
    def iterdir(self, path: str, *, recursive: bool = False, page_size: int = 1000,
                markers: bool = False) -> Iterator[list[FileInfo]]:
        """Yield listing pages (one list per store request) in store order; markers hidden.

        With ``recursive=True`` every object under ``path`` (no delimiter); with ``markers=True``
        as well, each directory marker appears too, as an ``is_dir`` entry (the only directories
        a recursive listing has; the listed directory's own marker has the name ``""``), so a
        copy or a move can keep empty folders. Does not raise for
        an empty prefix (its one page is empty).
        """

    def changes(self) -> int:
        """A number that grows with every mutation made through this file system, for caches of
        its answers; -1 (the default) means "not tracked: do not cache"."""
        return -1

    def iter_columns(self, path: str, *, recursive: bool = False) -> Iterator[PageColumns]:
        """:meth:`iterdir`'s pages (markers hidden) as :class:`PageColumns`, in the same order;
        a backend may build them without a ``FileInfo`` per key. Raises as :meth:`iterdir`."""
        for page in self.iterdir(path, recursive=recursive):
            yield PageColumns.of(page)

    @abc.abstractmethod
    def mkdir(self, path: str) -> None:
        """Create a directory (a zero-byte ``path/`` marker).

        Raises:
            FileExistsError: the directory (or an object of that name) exists.
            FileNotFoundError: the bucket does not exist.
        """

    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        """Create a directory and its missing parents (a marker for each that is missing).

        Raises:
            FileExistsError: it exists and ``exist_ok`` is false. NotADirectoryError: a parent
            is an object. FileNotFoundError: no such bucket.
        """
        bucket, key, _ = self.split(path)
        self._need_bucket(bucket, path)
        parts = key.split("/") if key else []
        for i in range(1, len(parts) + 1):
            sub = "/".join(parts[:i])
            if self._dir_alive(bucket, sub):
                if i == len(parts) and not exist_ok:
                    raise ExistsError(f"{self.url(f'{bucket}/{sub}')}: directory exists", self.url(path))
                continue
            if self._object_exists(bucket, sub):
                raise NotADirError(f"{self.url(f'{bucket}/{sub}')}: is an object, not a directory", self.url(path))
            self._write_marker(bucket, sub)

    # the primitives of the default makedirs (a backend with synthetic directories has them)
    def _dir_alive(self, bucket: str, key: str) -> bool:
        raise NotImplementedError

    def _object_exists(self, bucket: str, key: str) -> bool:
        raise NotImplementedError

    def _write_marker(self, bucket: str, key: str) -> None:
        raise NotImplementedError

    def _rename_paths(self, src: str, dst: str) -> tuple[str, str, bool, str, str, str, str]:
        """``(sb, sk, src_is_dir, db, dk, src_url, dst_url)`` for a rename.

        Raises:
            InvalidURLError: no bucket. NotSupportedError: a bucket itself.
        """
        sb, sk, s_dir = self.split(src)
        db, dk, _ = self.split(dst)
        self._need_bucket(sb, src)
        self._need_bucket(db, dst)
        surl, durl = self.url(f"{sb}/{sk}"), self.url(f"{db}/{dk}")
        if not sk or not dk:
            raise NotSupportedError(f"{surl} → {durl}: renaming a bucket is not supported", surl)
        return sb, sk, s_dir, db, dk, surl, durl

    @abc.abstractmethod
    def remove(self, path: str) -> None:
        """Delete one object. Raises FileNotFoundError, IsADirectoryError."""

    @abc.abstractmethod
    def rmdir(self, path: str) -> None:
        """Delete an empty directory (its marker). Raises FileNotFoundError, OSError(ENOTEMPTY)."""

    @abc.abstractmethod
    def remove_all(self, path: str) -> int:
        """Delete every object under the prefix (and the object of that name); returns the count."""

    def remove_many(self, paths: list[str]) -> int:
        """Delete exactly these objects (a path ending in ``/`` names a directory marker); a
        missing one is not an error. Nothing else under any of them is touched. Returns the count.

        Raises:
            StoreError: the store refused some deletes (the message names the first and counts them).
        """
        count = 0
        for p in paths:
            try:
                if p.endswith("/"):
                    self.rmdir(p)
                else:
                    self.remove(p)
            except FileNotFoundError:
                continue
            count += 1
        return count

    def copy(self, src: str, dst: str, *, size: int | None = None) -> None:
        """Copy one object to ``dst`` (replacing an object there; onto itself it does nothing). Server-side where
        ``capabilities.server_side_copy`` (S3: CopyObject, UploadPartCopy above 5 GiB); this
        default streams it through :meth:`open`, a whole-object write.

        Raises:
            FileNotFoundError: no object at ``src``. IsADirectoryError: ``src`` is a directory
            (copy its objects one by one). ``size`` (the source's, when the caller knows it from a
        listing) lets a backend skip looking it up.
        """
        info = self.stat(src)
        if info.is_dir or src.endswith("/"):
            from ..errors import IsADirError

            raise IsADirError(f"{self.url(src)}: is a directory; copy its objects", self.url(src))
        if self.split(src) == self.split(dst):
            return  # onto itself: nothing to do
        with self.open(src, "rb") as r, self.open(dst, "wb") as w:
            shutil.copyfileobj(r, w, 8 * 2**20)

    def head_metadata(self, paths: list[str], limit: int = 16) -> list[dict | None]:
        """For each ``bucket/key``, in order: ``{"content_type": str | None, "metadata": dict}``
        (what a HEAD has and a listing lacks), or None where there is no such object. This
        default knows no content type or user metadata.

        Raises:
            PermissionError, StoreError: the store refused or failed (not for a missing object).
        """
        out: list[dict | None] = []
        for p in paths:
            try:
                info = self.stat(p)
            except FileNotFoundError:
                out.append(None)
                continue
            out.append(None if info.is_dir else {"content_type": None, "metadata": {}})
        return out

    def list_prefix(self, path: str, limit: int = 100) -> list[FileInfo]:
        """At most ``limit`` entries directly under the directory of ``path`` whose names start
        with its last segment (``"b/data/20"`` → entries of ``b/data/`` named ``20…``), in
        store order, markers hidden: one request, for completion. This default reads the
        directory's first page of ``limit`` entries and filters it.

        Raises:
            FileNotFoundError: no such bucket. PermissionError, StoreError.
        """
        directory, _, partial = path.rpartition("/")
        page = next(iter(self.iterdir(directory or path, page_size=limit)), [])
        return [e for e in page if e.name.startswith(partial)] if directory else page

    def list_after(self, path: str, *, start_after: str | None = None, stop: str | None = None,
                   limit: int = 1000) -> tuple[list[FileInfo], str | None]:
        """One page of a recursive listing of the keys ``k`` under the directory ``path`` with
        ``start_after < k < stop`` (full keys, without the bucket; None: no bound), markers hidden:
        ``(entries, cursor)``. ``cursor`` is the last key the page read (pass it as the next
        ``start_after``), or None when the range is exhausted. One request; what a parallel
        inventory lists its key ranges with. This default walks :meth:`iterdir`.

        Raises:
            FileNotFoundError: no such bucket. PermissionError, StoreError.
        """
        bucket, key, _ = self.split(path)
        self._need_bucket(bucket, path)
        out: list[FileInfo] = []
        for page in self.iterdir(path.rstrip("/") + "/" if key else bucket, recursive=True):
            for e in page:
                k = e.path.split("/", 1)[1]
                if start_after is not None and k <= start_after:
                    continue
                if stop is not None and k >= stop:
                    return out, None
                out.append(e)
                if len(out) == limit:
                    return out, k
        return out, None

    def list_after_columns(self, path: str, *, start_after: str | None = None, stop: str | None = None,
                           limit: int = 1000) -> tuple[PageColumns, str | None]:
        """:meth:`list_after` as :class:`PageColumns` (a backend may build them without a
        ``FileInfo`` per key). Raises as :meth:`list_after`."""
        entries, cursor = self.list_after(path, start_after=start_after, stop=stop, limit=limit)
        return PageColumns.of(entries), cursor

    def has_recent_writes(self, path: str) -> bool:
        """True if this file system wrote or deleted under ``path`` recently enough that a listing
        may not show it yet (then :meth:`reconcile_recursive` has work to do)."""
        return False

    def reconcile_recursive(self, path: str, pages: list[list[FileInfo]]) -> list[list[FileInfo]]:
        """Pages of a recursive listing of ``path`` (from :meth:`list_after`) made to agree with
        this file system's own recent writes and deletes there, as :meth:`iterdir` does. This
        default has nothing to reconcile (its listings never lag)."""
        return pages

    def bucket_capabilities(self, bucket: str, *, probe_writes: bool = True) -> Capabilities:
        """:attr:`capabilities` with the per-bucket ones (``conditional_writes``,
        ``versioning``) filled in: probed once per file system and bucket, then cached.
        ``probe_writes=False`` leaves ``conditional_writes`` unknown rather than write a probe
        object (what a browser wants).

        Raises:
            FileNotFoundError: no such bucket. StoreError: the store could not be reached.
        """
        self.stat(bucket)
        return self.capabilities

    def close(self) -> None:
        """Release connections and cached probes. Always safe: the next call reconnects."""

    # -- versions and links (where ``capabilities`` say so) ---------------------------------------
    def iter_versions(self, path: str, *, recursive: bool = False, page_size: int = 1000) -> Iterator[list[FileInfo]]:
        """Pages of every version under ``path`` (delete markers included), newest first within
        a key; directories as in :meth:`iterdir` unless ``recursive``; markers hidden.

        Raises:
            NotSupportedError: the bucket keeps no versions (the message says how to enable them).
        """
        raise NotSupportedError(f"{self.url(path)}: {self.name} keeps no object versions")

    def restore(self, path: str, version_id: str) -> str:
        """Make ``version_id`` of the object at ``path`` the latest again by a server-side copy;
        returns the id of the version this creates.

        Raises:
            FileNotFoundError: no such version. NotSupportedError: no versions here.
        """
        raise NotSupportedError(f"{self.url(path)}: {self.name} keeps no object versions")

    def presign(self, path: str, *, expires: float = 3600, method: str = "GET") -> str:
        """A link that lets anyone ``GET`` (or ``PUT``) the object for ``expires`` seconds; it
        carries a signature, never the secret key.

        Raises:
            NotSupportedError: ``capabilities.presign`` is false. ValueError: a bad method or expiry.
        """
        raise NotSupportedError(f"{self.url(path)}: {self.name} cannot make links ({self.capabilities.why.get('presign', '')})")

    @abc.abstractmethod
    def rename(self, src: str, dst: str) -> None:
        """Copy then delete (object or whole prefix); never atomic. Raises FileNotFoundError."""

    # -- paths (shared by every backend) ------------------------------------------------------
    def split(self, path: str) -> tuple[str, str, bool]:
        """``"b/k/"`` → ``("b", "k", True)``: bucket, key without trailing ``/``, and whether
        the path was written as a directory (the ``/`` tells the folder ``k/`` from the object ``k``).

        Raises:
            InvalidURLError: ``path`` starts with a scheme (``r2://...``); ``://`` later in a key is key bytes.
        """
        path = path.lstrip("/")
        if is_url(path):
            raise InvalidURLError(f"{path!r}: expected a bucket/key path here, not a URL; use dumont_nb.resolve(url)")
        bucket, _, key = path.partition("/")
        return bucket, key.rstrip("/"), key.endswith("/")

    def _need_bucket(self, bucket: str, path: str) -> None:
        if not bucket:
            raise InvalidURLError(f"{self.url(path)}: a bucket is required here; use {self.name}://<bucket>/<key>")

    def exists(self, path: str) -> bool:
        """True if an object or a directory exists at ``path``."""
        try:
            self.stat(path)
        except FileNotFoundError:
            return False
        return True

    def url(self, path: str) -> str:
        """``<remote>://<path>``: the URL of a path on this file system."""
        return f"{self.name}://{path}"
