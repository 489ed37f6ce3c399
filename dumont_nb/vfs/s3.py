"""The S3 backend: dumont's file-system contract over any S3-compatible store.

s3fs supplies the client (credentials, endpoints, retries, its event loop); this module owns the
semantics (see ``docs/semantics.md``):

- ``readdir`` comes from delimiter ``ListObjectsV2`` (CommonPrefixes → directories, Contents →
  files), paginated, ``dir/`` markers hidden; ``stat`` is a HEAD, then a one-key listing of the
  prefix; mtimes are whole seconds UTC.
- ``mkdir`` writes a zero-byte ``dir/`` marker; ``rmdir`` removes it (only if empty).
- ``rename`` copies every key (concurrently; UploadPartCopy above :data:`.copy.MULTIPART_COPY_THRESHOLD`)
  and deletes the sources only once every copy succeeded (DeleteObjects, 1,000 keys a request).
- Reads are ranged GETs pinned to the ETag (:mod:`.reader`); writes are whole-object on close
  (:mod:`.writer`); update modes need ``emulate: true`` (:mod:`.emulate`).
- After this process mutates a key, :class:`.journal.Journal` lets ``readdir`` reconcile a
  lagging listing (confirming with HEAD).
"""

from __future__ import annotations

import io
import threading
from dataclasses import replace
from typing import IO, Any, Iterator

from ..config import Remote
from ..errors import ExistsError, IsADirError, NotADirError, NotFoundError, NotSupportedError
from .base import S3_CAPABILITIES, S3_EMULATE_CAPABILITIES, Capabilities, FileInfo, FileSystem, Page
from .client import Client, whole_seconds
from .journal import Journal
from .reconcile import reconcile, take_covered
from .s3_columns import S3ColumnOps
from .s3_tree import DELETE_BATCH, S3TreeOps
from .s3_versions import S3VersionOps, enable_hint

__all__ = ["S3Backend", "DELETE_BATCH"]


def _etag(value: str | None) -> str | None:
    return value.strip('"') if value else None


class S3Backend(S3ColumnOps, S3TreeOps, S3VersionOps, FileSystem):
    """A :class:`FileSystem` over one S3 remote. Build it with ``S3Backend(remote)``; it
    connects (and resolves credentials) on first use."""

    def __init__(self, remote: Remote):
        self.remote = remote
        self.name = remote.name
        self.client = Client(remote)
        self.journal = Journal()
        self._bucket_caps: dict[tuple[str, bool], Capabilities] = {}
        self._probe_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"S3Backend(remote={self.name!r})"

    @property
    def capabilities(self) -> Capabilities:
        return S3_EMULATE_CAPABILITIES if self.remote.emulate else S3_CAPABILITIES

    def conditional_writes(self, bucket: str):
        """Whether the store enforces If-Match / If-None-Match on ``bucket``: a
        :class:`.conditional.ConditionalWriteSupport`, probed once per backend, then cached.

        Raises:
            NotFoundError: no such bucket. StoreError: the store could not be reached.
        """
        from .conditional import conditional_writes

        return conditional_writes(self.client, bucket)

    def bucket_capabilities(self, bucket: str, *, probe_writes: bool = True) -> Capabilities:
        """See :meth:`FileSystem.bucket_capabilities`: ``conditional_writes`` from the one-time
        probe (four requests on a temporary key under ``.dumont-probe/``), ``versioning`` from
        GetBucketVersioning; both cached on this backend."""
        with self._probe_lock:
            hit = self._bucket_caps.get((bucket, probe_writes))
        if hit is not None:
            return hit
        why = dict(self.capabilities.why)
        enforced: bool | None = None
        if probe_writes:
            support = self.conditional_writes(bucket)
            enforced = support.enforced if support.known else None
            why["conditional_writes"] = (f"{support.describe()} on {bucket}; emulate's policy here: "
                                         f"{self.remote.conditional_writes}")
        versioning: bool | None
        try:
            status = self.versioning_status(bucket)
            versioning = status == "Enabled"
            why["versioning"] = (f"enabled on {bucket}" if versioning else
                                 f"not enabled on {bucket} ({status or 'never enabled'}); {enable_hint(bucket)}")
        except (PermissionError, NotSupportedError) as exc:
            versioning, why["versioning"] = None, f"unknown on {bucket}: {type(exc).__name__}"
        caps = replace(self.capabilities, conditional_writes=enforced, versioning=versioning, why=why)
        with self._probe_lock:
            self._bucket_caps[(bucket, probe_writes)] = caps
        return caps

    def close(self) -> None:
        """Close the connection pool and drop cached probes (see :meth:`FileSystem.close`)."""
        from .conditional import forget

        forget(self.client)
        with self._probe_lock:
            self._bucket_caps.clear()
            self.__dict__.pop("_versioning", None)
        self.client.close()

    def copy(self, src: str, dst: str, *, size: int | None = None) -> None:
        """One object, server-side: CopyObject, or UploadPartCopy above 5 GiB (see the ABC).

        Raises:
            NotFoundError, IsADirError.
        """
        from .copy import copy_object

        sb, sk, s_dir = self.split(src)
        db, dk, _ = self.split(dst)
        self._need_bucket(sb, src)
        self._need_bucket(db, dst)
        if size is not None and sk and not s_dir:  # known from a listing: CopyObject alone, no HEAD
            if (sb, sk) != (db, dk):
                self.client.run(copy_object, self.client, sb, sk, db, dk, size)
                self.journal.record(f"{db}/{dk}", True)
            return
        info = None if s_dir or not sk else self.head(sb, sk)
        if info is None:
            url = self.client.url(sb, sk)
            if not sk or self._dir_alive(sb, sk):
                raise IsADirError(f"{url}: is a directory; copy its objects", url)
            raise NotFoundError(f"{url}: no such object", url)
        if (sb, sk) == (db, dk):
            return  # onto itself: nothing to do (S3 refuses such a CopyObject)
        self.client.run(copy_object, self.client, sb, sk, db, dk, info.size)
        self.journal.record(f"{db}/{dk}", True)

    def list_after(self, path: str, *, start_after: str | None = None, stop: str | None = None,
                   limit: int = 1000) -> tuple[list[FileInfo], str | None]:
        """One ListObjectsV2 (``StartAfter``, ``MaxKeys=limit``); see the ABC. Keys at or past
        ``stop`` in the page are dropped and end the range."""
        bucket, prefix, url, kw = self._range_request(path, start_after, limit)
        resp = self.client.call("list_objects_v2", url=url, **kw)
        contents = resp.get("Contents", ())
        cursor = contents[-1]["Key"] if contents and resp.get("IsTruncated") else None
        if stop is not None and contents and contents[-1]["Key"] >= stop:
            contents = [c for c in contents if c["Key"] < stop]
            cursor = None
        entries = self._page_entries(bucket, prefix, {"Contents": contents})
        return entries, cursor

    def has_recent_writes(self, path: str) -> bool:
        bucket, key, _ = self.split(path)
        return bool(self.journal.under(f"{bucket}/{key}/" if key else f"{bucket}/"))

    def reconcile_recursive(self, path: str, pages: list[list[FileInfo]]) -> list[list[FileInfo]]:
        """The journal of own mutations applied to a recursive listing (see the ABC); one merged,
        sorted page when there is anything to apply."""
        bucket, key, _ = self.split(path)
        prefix = f"{key}/" if key else ""
        pending = self.journal.under(f"{bucket}/{prefix}")
        if not pending:
            return pages
        entries = {(e.name, e.is_dir): e for page in pages for e in page}
        reconcile(self, bucket, prefix, entries, pending, True)
        return [sorted(entries.values(), key=lambda e: e.path.encode("utf-8", "surrogatepass"))]

    def list_prefix(self, path: str, limit: int = 100) -> list[FileInfo]:
        """One delimiter ListObjectsV2 for the typed prefix itself (``MaxKeys=limit``), so a
        match is found in a directory of any size (see the ABC)."""
        bucket, _, rest = path.lstrip("/").partition("/")
        self._need_bucket(bucket, path)
        directory, _, partial = rest.rpartition("/")
        base = directory + "/" if directory else ""
        resp = self.client.call("list_objects_v2", Bucket=bucket, Prefix=base + partial, Delimiter="/", MaxKeys=limit)
        return self._page_entries(bucket, base, resp)

    def _info(self, bucket: str, key: str, size: int, mtime: Any, etag: str | None, sc: str | None,
              name: str | None = None) -> FileInfo:
        return FileInfo(
            name=key.rsplit("/", 1)[-1] if name is None else name, path=f"{bucket}/{key}", size=int(size), mtime=whole_seconds(mtime),
            is_dir=False, etag=_etag(etag), storage_class=sc or "STANDARD",
        )

    @staticmethod
    def _dir(bucket: str, key: str) -> FileInfo:
        return FileInfo(name=key.rsplit("/", 1)[-1] if key else bucket, path=f"{bucket}/{key}" if key else bucket,
                        size=0, mtime=None, is_dir=True)

    # -- primitive requests ---------------------------------------------------------------
    def head(self, bucket: str, key: str, version_id: str | None = None) -> FileInfo | None:
        """The object ``bucket/key`` (or that version of it) by HEAD, or None if there is none
        (a missing bucket or version too)."""
        extra = {"VersionId": version_id} if version_id else {}
        try:
            r = self.client.call("head_object", Bucket=bucket, Key=key, **extra)
        except FileNotFoundError:
            return None
        info = self._info(bucket, key, r.get("ContentLength", 0), r.get("LastModified"), r.get("ETag"),
                          r.get("StorageClass"))
        return replace(info, version_id=version_id) if version_id else info

    def head_metadata(self, paths: list[str], limit: int = 16) -> list[dict | None]:
        """HeadObject for many ``bucket/key`` paths concurrently (``limit`` in flight), in order:
        ``{"content_type": str | None, "metadata": dict}`` (user metadata), or None where there is
        no such object. For the HEAD-only fields a listing does not carry.

        Raises:
            PermissionError, StoreError: the first store error other than a missing object
                (after every started request has finished).
        """
        async def one(path: str) -> dict | None:
            bucket, key, _ = self.split(path)
            try:
                r = await self.client.acall("head_object", Bucket=bucket, Key=key, url=self.client.url(bucket, key))
            except FileNotFoundError:
                return None
            return {"content_type": r.get("ContentType"), "metadata": dict(r.get("Metadata") or {})}

        return self.client.gather(one, list(paths), limit=limit)

    def _pages(self, bucket: str, prefix: str, delimiter: str | None, page_size: int = 1000) -> Iterator[dict]:
        token = None
        while True:
            kw: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": page_size}
            if delimiter:
                kw["Delimiter"] = delimiter
            if token:
                kw["ContinuationToken"] = token
            resp = self.client.call("list_objects_v2", url=self.client.url(bucket, prefix.rstrip("/")), **kw)
            yield resp
            token = resp.get("NextContinuationToken")
            if not resp.get("IsTruncated") or not token:
                return

    def _keys(self, bucket: str, prefix: str) -> Iterator[list[tuple[str, int]]]:
        """Raw ``(key, size)`` pages under ``prefix`` (markers included)."""
        for resp in self._pages(bucket, prefix, None):
            yield [(c["Key"], c.get("Size", 0)) for c in resp.get("Contents", ())]

    def _dir_alive(self, bucket: str, key: str) -> bool:
        """True if some key (a marker included) lives under ``key/``, trusting own mutations
        over a listing that may lag."""
        prefix = f"{key}/" if key else ""
        records = self.journal.under(f"{bucket}/{prefix}")
        for p, exists in records.items():
            if exists and self.head(bucket, p.split("/", 1)[1]) is not None:
                return True
        deleted = {p for p, e in records.items() if not e}
        resp = next(self._pages(bucket, prefix, None, page_size=1000 if deleted else 1))
        keys = [c["Key"] for c in resp.get("Contents", ())]
        return any(f"{bucket}/{k}" not in deleted for k in keys) or bool(resp.get("IsTruncated"))

    # -- stat / listing -------------------------------------------------------------------
    def stat(self, path: str) -> FileInfo:
        """The object at ``path`` (HEAD), else the directory (a prefix with keys under it).

        Raises:
            NotFoundError: neither exists (the message names the bucket if it is missing).
        """
        bucket, key, as_dir = self.split(path)
        if not bucket:
            return FileInfo(name="", path="", size=0, mtime=None, is_dir=True)
        if not key:
            self.client.call("head_bucket", Bucket=bucket)  # NoSuchBucket → NotFoundError
            return self._dir(bucket, "")
        if not as_dir:
            info = self.head(bucket, key)
            if info is not None:
                return info
        if self._dir_alive(bucket, key):
            return self._dir(bucket, key)
        raise NotFoundError(f"{self.client.url(bucket, key)}: no such object or directory", self.url(path))

    def iterdir(self, path: str, *, recursive: bool = False, page_size: int = 1000,
                markers: bool = False) -> Iterator[list[FileInfo]]:
        """Listing pages, one list per ListObjectsV2 request, markers hidden unless ``markers``
        (see the ABC)."""
        bucket, key, _ = self.split(path)
        self._need_bucket(bucket, path)
        prefix = f"{key}/" if key else ""
        pending = self.journal.under(f"{bucket}/{prefix}")  # own recent mutations under the prefix
        for resp in self._pages(bucket, prefix, None if recursive else "/", page_size):
            page = self._page_entries(bucket, prefix, resp, markers=markers and recursive)
            if pending:  # a listing may lag behind our own writes
                entries = {(e.name, e.is_dir): e for e in page}
                reconcile(self, bucket, prefix, entries, take_covered(pending, resp), recursive)
                page = sorted(entries.values(), key=lambda e: (e.name.encode(), e.is_dir))
            yield Page(page, last=not (resp.get("IsTruncated") and resp.get("NextContinuationToken")))

    def readdir(self, path: str) -> list[FileInfo]:
        """Entries directly under ``path`` sorted by name (a file and a directory may share a
        name: both are listed, once each). ``""`` lists the buckets.

        Raises:
            NotFoundError: nothing under ``path`` (or no such bucket).
            NotADirError: ``path`` is an object and no prefix.
        """
        bucket, key, _ = self.split(path)
        if not bucket:
            return self._buckets()
        prefix = f"{key}/" if key else ""
        entries: dict[tuple[str, bool], FileInfo] = {}
        marker = False
        for resp in self._pages(bucket, prefix, "/"):
            marker = marker or any(c["Key"] == prefix for c in resp.get("Contents", ()))
            for e in self._page_entries(bucket, prefix, resp):
                entries[(e.name, e.is_dir)] = e
        reconcile(self, bucket, prefix, entries, self.journal.under(f"{bucket}/{prefix}"))
        if not entries and not marker and key:
            if self.head(bucket, key) is not None:
                raise NotADirError(f"{self.client.url(bucket, key)}: is an object, not a directory", self.url(path))
            if not self._dir_alive(bucket, key):
                raise NotFoundError(f"{self.client.url(bucket, key)}: no such directory", self.url(path))
        return sorted(entries.values(), key=lambda e: (e.name, e.is_dir))

    def _buckets(self) -> list[FileInfo]:
        try:
            names = [b["Name"] for b in self.client.call("list_buckets", url=f"{self.name}://").get("Buckets", ())]
        except PermissionError:
            if not self.remote.buckets:
                raise
            names = list(self.remote.buckets)
        return sorted((self._dir(n, "") for n in names), key=lambda e: e.name)

    # -- open -----------------------------------------------------------------------------
    def open(self, path: str, mode: str = "rb", **kwargs: Any) -> IO:
        """Open an object; see :meth:`FileSystem.open`. Text modes take ``encoding`` (default
        UTF-8), ``errors`` and ``newline`` like :func:`open`.

        Raises:
            NotFoundError, IsADirError, ExistsError, NotSupportedError (update modes without
            ``emulate: true``), ValueError (an invalid mode).
        """
        from .emulate import open_emulated
        from .reader import S3Reader
        from .writer import S3Writer, wrap_text

        base = mode.replace("b", "").replace("t", "")
        if base not in ("r", "w", "x", "a", "r+", "w+", "a+", "x+") or ("b" in mode and "t" in mode):
            raise ValueError(f"invalid mode {mode!r}; use r, w, x (with b or t), or a, r+, w+ with emulate: true")
        bucket, key, as_dir = self.split(path)
        self._need_bucket(bucket, path)
        url = self.client.url(bucket, key)
        if not key or as_dir:
            raise IsADirError(f"{url}: is a directory; open an object key", self.url(path))
        if kwargs.get("version_id") and base != "r":
            raise ValueError(f"{url}: version_id is for reading ('rb' or 'r'); to bring a version back, use restore()")
        if base in ("r", "w", "x"):
            if base == "r":
                version, known = kwargs.get("version_id"), kwargs.get("info")
                fresh = isinstance(known, FileInfo) and not known.is_dir and known.path == f"{bucket}/{key}"
                info = known if fresh and not version else self.head(bucket, key, version)
                if info is None:
                    if version:
                        raise NotFoundError(f"{url}: no version {version!r} of this object; list them with "
                                            "dumont_nb.listing(url, versions=True)", url)
                    if self._dir_alive(bucket, key):
                        raise IsADirError(f"{url}: is a directory; open an object key", url)
                    raise NotFoundError(f"{url}: no such object", url)
                raw: io.BufferedIOBase = S3Reader(self, bucket, key, info)
            else:
                if base == "x" and self.head(bucket, key) is not None:
                    raise ExistsError(f"{url}: the object exists (mode 'x')", url)
                raw = S3Writer(self, bucket, key, exclusive=base == "x")
        else:
            if not self.remote.emulate:
                raise NotSupportedError(
                    f"{url}: mode {mode!r} needs random write/append, which S3 cannot do; write the "
                    f"whole object with 'wb', or set `emulate: true` on remote {self.name!r} for "
                    "read-modify-write",
                    url,
                )
            raw = open_emulated(self, bucket, key, base)
        if "b" in mode:
            return raw
        return wrap_text(raw, encoding=kwargs.get("encoding"), errors=kwargs.get("errors"), newline=kwargs.get("newline"))

    # -- rename ---------------------------------------------------------------------------
    def rename(self, src: str, dst: str) -> None:
        """Copy ``src`` (an object, or every key under a prefix, markers by their raw key) to
        ``dst``, then delete the sources. Every copy finishes before any delete, so a failure
        leaves both and re-running the rename finishes it. Onto an existing directory the
        keys are merged (same-named objects replaced).

        Raises:
            NotFoundError: nothing at ``src``. IsADirError: an object onto a directory.
            NotADirError: a directory onto an object. StoreError (EINVAL): into itself.
        """
        from .copy import rename

        rename(self, src, dst)
