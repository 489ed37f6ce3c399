"""``MemoryFileSystem``: the S3 contract in memory, for tests that are not about S3 itself.

It keeps dumont's S3 semantics exactly (``docs/semantics.md``), with no server:

- keys in buckets; directories are synthetic (key prefixes), ``mkdir`` writes a hidden zero-byte
  ``dir/`` marker, listings hide markers, a folder ``a/`` and an object ``a`` can coexist;
- writes are whole objects committed on close (an exception inside ``with`` or a file dropped
  without ``close()`` commits nothing); reads are pinned to the version opened (a concurrent
  overwrite raises :class:`~dumont_nb.errors.ConflictError`);
- rename is copy + delete with the same refusals as the S3 backend; mtimes are whole seconds UTC;
  ETags are the MD5 of the content (as S3's for single-part objects);
- the same :attr:`capabilities` as an S3 remote (``emulate=True`` like ``emulate: true``, with
  read-modify-write committed conditionally).

Use it to test notebook code without a server::

    from dumont_nb.testing import MemoryFileSystem
    fs = MemoryFileSystem(buckets=["data"])
    with fs.open("data/x.csv", "w") as f:
        f.write("a,b\\n1,2\\n")
    dumont_nb.browse(fs=fs)

It is also the model the conformance suite and the differential test hold the S3 backend to.
"""

from __future__ import annotations

import errno
import hashlib
import io
import threading
from dataclasses import replace
from typing import IO, Any, Iterable, Iterator

from ..errors import ConflictError, ExistsError, IsADirError, NotADirError, NotFoundError, NotSupportedError, StoreError
from ..vfs.base import S3_CAPABILITIES, S3_EMULATE_CAPABILITIES, Capabilities, FileInfo, FileSystem
from ..vfs.copy import refuse_overlap
from ..vfs.emulate import EmulatedFile, check_update_open
from ..vfs.writer import wrap_text
from ._memfiles import _Object, _Reader, _Writer, now as _now

__all__ = ["MemoryFileSystem"]


def _byte_order(key: str) -> bytes:
    return key.encode("utf-8", "surrogatepass")


class MemoryFileSystem(FileSystem):
    """A :class:`~dumont_nb.vfs.base.FileSystem` holding ``buckets`` in memory (thread-safe).

    Raises (from its methods) exactly what the S3 backend raises for the same calls.
    """

    def __init__(self, buckets: Iterable[str] = ("bucket",), *, name: str = "mem", emulate: bool = False):
        self.name = name
        self.emulate = emulate
        self._buckets: dict[str, dict[str, _Object]] = {b: {} for b in buckets}
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"MemoryFileSystem(buckets={sorted(self._buckets)!r}, name={self.name!r})"

    @property
    def capabilities(self) -> Capabilities:
        caps = S3_EMULATE_CAPABILITIES if self.emulate else S3_CAPABILITIES
        return replace(caps, presign=False, why={**caps.why, "presign": "in memory: there is no URL to share"})

    def bucket_capabilities(self, bucket: str, *, probe_writes: bool = True) -> Capabilities:
        """Conditional writes are enforced here; versioning is not kept."""
        self._store(bucket)
        caps = self.capabilities
        return replace(caps, conditional_writes=True, versioning=False, why={
            **caps.why, "conditional_writes": f"enforced on {bucket} (in memory)",
            "versioning": f"not kept on {bucket} (in memory)"})

    # -- raw store (what an oracle reads) ----------------------------------------------------------
    def raw_keys(self, bucket: str, prefix: str = "") -> list[str]:
        """Every key (markers included) under ``prefix``, in the store's (UTF-8 byte) order."""
        with self._lock:
            return sorted((k for k in self._store(bucket) if k.startswith(prefix)), key=_byte_order)

    def raw_get(self, bucket: str, key: str) -> bytes | None:
        with self._lock:
            obj = self._store(bucket).get(key)
        return None if obj is None else obj.data

    def raw_put(self, bucket: str, key: str, data: bytes) -> str:
        """Write a key as another client would (no checks); returns its ETag."""
        obj = _Object(bytes(data), hashlib.md5(data).hexdigest(), _now())
        with self._lock:
            self._store(bucket)[key] = obj
        return obj.etag

    def _store(self, bucket: str) -> dict[str, _Object]:
        try:
            return self._buckets[bucket]
        except KeyError:
            raise NotFoundError(f"{self.name}://{bucket}: bucket {bucket!r} does not exist on remote {self.name!r}",
                                f"{self.name}://{bucket}") from None

    def _url(self, bucket: str, key: str = "") -> str:
        return f"{self.name}://{bucket}/{key}" if key else f"{self.name}://{bucket}"

    def _info(self, bucket: str, key: str, obj: _Object, name: str | None = None) -> FileInfo:
        return FileInfo(name=key.rsplit("/", 1)[-1] if name is None else name, path=f"{bucket}/{key}",
                        size=len(obj.data), mtime=obj.mtime, is_dir=False, etag=obj.etag, storage_class="STANDARD")

    @staticmethod
    def _dir(bucket: str, key: str) -> FileInfo:
        return FileInfo(name=key.rsplit("/", 1)[-1] if key else bucket, path=f"{bucket}/{key}" if key else bucket,
                        size=0, mtime=None, is_dir=True)

    def _dir_alive(self, bucket: str, key: str) -> bool:
        prefix = f"{key}/" if key else ""
        return any(k.startswith(prefix) for k in self._store(bucket))

    # -- stat / listing ---------------------------------------------------------------------------
    def stat(self, path: str) -> FileInfo:
        bucket, key, as_dir = self.split(path)
        if not bucket:
            return FileInfo(name="", path="", size=0, mtime=None, is_dir=True)
        with self._lock:
            store = self._store(bucket)
            if not key:
                return self._dir(bucket, "")
            if not as_dir and key in store:
                return self._info(bucket, key, store[key])
            if self._dir_alive(bucket, key):
                return self._dir(bucket, key)
        raise NotFoundError(f"{self._url(bucket, key)}: no such object or directory", self.url(path))

    def iterdir(self, path: str, *, recursive: bool = False, page_size: int = 1000,
                markers: bool = False) -> Iterator[list[FileInfo]]:
        bucket, key, _ = self.split(path)
        self._need_bucket(bucket, path)
        prefix = f"{key}/" if key else ""
        with self._lock:
            store = self._store(bucket)
            items: set[str] = set()
            for k in store:
                if not k.startswith(prefix):
                    continue
                rest = k[len(prefix):]
                items.add(k if recursive or "/" not in rest else prefix + rest.split("/", 1)[0] + "/")
            ordered = sorted(items, key=_byte_order)
            pages = [ordered[i:i + page_size] for i in range(0, len(ordered), page_size)] or [[]]
            out = [[e for item in page for e in self._entries(bucket, prefix, item, store, recursive, markers)]
                   for page in pages]
        yield from out

    def _entries(self, bucket: str, prefix: str, item: str, store, recursive: bool, markers: bool) -> list[FileInfo]:
        obj = store.get(item)
        if not item.endswith("/"):
            return [self._info(bucket, item, obj, name=item[len(prefix):])]
        if obj is not None and (recursive or item == prefix):  # a marker (the listed folder's own, in delimiter mode)
            if markers and recursive:
                return [FileInfo(name=item[len(prefix):-1], path=f"{bucket}/{item[:-1]}", size=0, mtime=None, is_dir=True)]
            return []
        name = item[len(prefix):].rstrip("/")
        return [self._dir(bucket, item.rstrip("/"))] if name else []

    def readdir(self, path: str) -> list[FileInfo]:
        bucket, key, _ = self.split(path)
        if not bucket:
            with self._lock:
                return [self._dir(b, "") for b in sorted(self._buckets)]
        prefix = f"{key}/" if key else ""
        with self._lock:
            store = self._store(bucket)
            entries = {(e.name, e.is_dir): e for page in self.iterdir(path) for e in page}
            if not entries and prefix not in store and key:
                if key in store:
                    raise NotADirError(f"{self._url(bucket, key)}: is an object, not a directory", self.url(path))
                if not self._dir_alive(bucket, key):
                    raise NotFoundError(f"{self._url(bucket, key)}: no such directory", self.url(path))
        return sorted(entries.values(), key=lambda e: (e.name, e.is_dir))

    # -- open -------------------------------------------------------------------------------------
    def open(self, path: str, mode: str = "rb", **kwargs: Any) -> IO:
        base = mode.replace("b", "").replace("t", "")
        if base not in ("r", "w", "x", "a", "r+", "w+", "a+", "x+") or ("b" in mode and "t" in mode):
            raise ValueError(f"invalid mode {mode!r}; use r, w, x (with b or t), or a, r+, w+ with emulate: true")
        bucket, key, as_dir = self.split(path)
        self._need_bucket(bucket, path)
        url = self._url(bucket, key)
        if base not in ("r", "w", "x") and not self.emulate:
            raise NotSupportedError(
                f"{url}: mode {mode!r} needs random write/append, which S3 cannot do; write the whole object "
                f"with 'wb', or set `emulate: true` on remote {self.name!r} for read-modify-write", url)
        with self._lock:
            store = self._store(bucket)
            if not key or as_dir:
                raise IsADirError(f"{url}: is a directory; open an object key", self.url(path))
            obj = store.get(key)
            if base == "r":
                if obj is None:
                    if self._dir_alive(bucket, key):
                        raise IsADirError(f"{url}: is a directory; open an object key", url)
                    raise NotFoundError(f"{url}: no such object", url)
                raw: io.BufferedIOBase = io.BufferedReader(_Reader(self, bucket, key, obj, url))
            elif base in ("w", "x"):
                if base == "x" and obj is not None:
                    raise ExistsError(f"{url}: the object exists (mode 'x')", url)
                raw = _Writer(url, base + "b", lambda data, x=base == "x": self._commit(bucket, key, data, exclusive=x))
            else:
                raw = self._open_emulated(bucket, key, base, obj, url)
        if "b" in mode:
            return raw
        return wrap_text(raw, encoding=kwargs.get("encoding"), errors=kwargs.get("errors"), newline=kwargs.get("newline"))

    def _open_emulated(self, bucket: str, key: str, base: str, obj: _Object | None, url: str) -> EmulatedFile:
        check_update_open(url, base, obj is not None, lambda: self._dir_alive(bucket, key))
        data = obj.data if obj is not None and base in ("a", "a+", "r+") else b""
        return EmulatedFile(url, base, data, obj.etag if obj else None, created=obj is None,
                            commit=lambda body, etag: self._commit(bucket, key, body, if_match=etag or "",
                                                                   if_absent=etag is None))

    def _commit(self, bucket: str, key: str, data: bytes, *, exclusive: bool = False, if_match: str = "",
                if_absent: bool = False) -> str:
        url = self._url(bucket, key)
        with self._lock:
            store = self._store(bucket)
            current = store.get(key)
            if exclusive and current is not None:
                raise ExistsError(f"{url}: the object exists (mode 'x')", url)
            if if_absent and current is not None:
                raise ConflictError(f"{url}: someone else created the object meanwhile; nothing was written")
            if if_match and (current is None or current.etag != if_match):
                raise ConflictError(f"{url}: someone else changed the object since it was read; nothing was written")
            return self.raw_put(bucket, key, data)

    # -- directories ------------------------------------------------------------------------------
    def mkdir(self, path: str) -> None:
        bucket, key, _ = self.split(path)
        self._need_bucket(bucket, path)
        with self._lock:
            store = self._store(bucket)
            if not key:
                raise ExistsError(f"{self._url(bucket)}: the bucket exists (dumont does not create buckets)", path)
            if key in store or self._dir_alive(bucket, key):
                raise ExistsError(f"{self._url(bucket, key)}: exists", self.url(path))
            self.raw_put(bucket, f"{key}/", b"")

    def _object_exists(self, bucket: str, key: str) -> bool:
        return key in self._store(bucket)

    def _write_marker(self, bucket: str, key: str) -> None:
        self.raw_put(bucket, f"{key}/", b"")

    def remove(self, path: str) -> None:
        bucket, key, as_dir = self.split(path)
        self._need_bucket(bucket, path)
        url = self._url(bucket, key)
        with self._lock:
            store = self._store(bucket)
            if not key or as_dir or key not in store:
                if not key or self._dir_alive(bucket, key):
                    raise IsADirError(f"{url}: is a directory; use rmdir or remove_all", url)
                raise NotFoundError(f"{url}: no such object", url)
            del store[key]

    def rmdir(self, path: str) -> None:
        bucket, key, _ = self.split(path)
        self._need_bucket(bucket, path)
        url = self._url(bucket, key)
        if not key:
            raise NotSupportedError(f"{url}: dumont does not delete buckets", url)
        with self._lock:
            store = self._store(bucket)
            if not self._dir_alive(bucket, key):
                if key in store:
                    raise NotADirError(f"{url}: is an object, not a directory", url)
                raise NotFoundError(f"{url}: no such directory", url)
            if any(k.startswith(f"{key}/") and k != f"{key}/" for k in store):
                raise StoreError(f"{url}: directory not empty; use remove_all to delete it with its contents", url,
                                 errno.ENOTEMPTY)
            store.pop(f"{key}/", None)

    def remove_all(self, path: str) -> int:
        bucket, key, as_dir = self.split(path)
        self._need_bucket(bucket, path)
        with self._lock:
            store = self._store(bucket)
            prefix = f"{key}/" if key else ""
            gone = [k for k in store if k.startswith(prefix)]
            if key and not as_dir and key in store:
                gone.append(key)
            for k in gone:
                del store[k]
        return len(gone)

    def remove_many(self, paths: list[str]) -> int:
        count = 0
        with self._lock:
            for p in paths:
                bucket, key, as_dir = self.split(p)
                self._need_bucket(bucket, p)
                count += self._store(bucket).pop(key + "/" if as_dir else key, None) is not None
        return count

    # -- copies -----------------------------------------------------------------------------------
    def copy(self, src: str, dst: str, *, size: int | None = None) -> None:
        """Server-side copy of one object (see :meth:`FileSystem.copy`)."""
        sb, sk, s_dir = self.split(src)
        db, dk, _ = self.split(dst)
        self._need_bucket(sb, src)
        self._need_bucket(db, dst)
        with self._lock:
            obj = None if s_dir else self._store(sb).get(sk)
            if obj is None:
                if self._dir_alive(sb, sk):
                    raise IsADirError(f"{self._url(sb, sk)}: is a directory; copy its objects", self.url(src))
                raise NotFoundError(f"{self._url(sb, sk)}: no such object", self.url(src))
            self._store(db)[dk] = replace(obj, mtime=_now())

    def rename(self, src: str, dst: str) -> None:
        sb, sk, s_dir, db, dk, surl, durl = self._rename_paths(src, dst)
        with self._lock:
            if (sb, sk) == (db, dk):
                self.stat(src)
                return
            source, target = self._store(sb), self._store(db)
            if not s_dir and sk in source:
                if self._dir_alive(db, dk):
                    raise IsADirError(f"{durl}: is a directory; rename the object to a key inside it", durl)
                target[dk] = replace(source[sk], mtime=_now())
                del source[sk]
                return
            refuse_overlap(sb, sk, db, dk, surl, durl)
            keys = [k for k in source if k.startswith(f"{sk}/")]
            if not keys:
                raise NotFoundError(f"{surl}: no such object or directory", surl)
            if dk in target:
                raise NotADirError(f"{durl}: is an object; cannot rename a directory onto it", durl)
            moved = {dk + k[len(sk):]: replace(source[k], mtime=_now()) for k in keys}
            for k in keys:
                del source[k]
            target.update(moved)
