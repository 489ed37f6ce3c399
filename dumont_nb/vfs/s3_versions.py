"""The S3 backend's object versions and presigned links.

- :meth:`S3VersionOps.iter_versions`: ListObjectVersions pages (``Versions`` and
  ``DeleteMarkers`` merged, newest first within a key), markers hidden; refused with one line
  saying how to enable versioning where the bucket has never kept versions.
- :meth:`S3VersionOps.restore`: a server-side copy of the old version onto its own key (nothing
  passes through the notebook); the store makes it the newest version.
- :meth:`S3VersionOps.presign`: a SigV4 query-string link for GET or PUT, for the remote's
  endpoint and addressing style, at most 7 days (the SigV4 maximum).

A mixin of :class:`~dumont_nb.vfs.s3.S3Backend`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterator

from ..errors import NotFoundError, NotSupportedError
from .base import FileInfo

__all__ = ["S3VersionOps", "MAX_PRESIGN_SECONDS"]

#: the longest a SigV4 presigned link may live
MAX_PRESIGN_SECONDS = 7 * 24 * 3600


def enable_hint(bucket: str) -> str:
    return (f"enable it with `aws s3api put-bucket-versioning --bucket {bucket} --versioning-configuration "
            "Status=Enabled` (or in the store's console); versions are kept from then on")


class S3VersionOps:
    """Versions, restore and presigned links of :class:`S3Backend`."""

    def versioning_status(self, bucket: str) -> str | None:
        """``"Enabled"``, ``"Suspended"`` or None (never enabled), from GetBucketVersioning;
        cached on this backend.

        Raises:
            NotFoundError: no such bucket. NotSupportedError: the store has no versioning API.
            PermissionError: GetBucketVersioning was denied.
        """
        cache = self.__dict__.setdefault("_versioning", {})
        if bucket not in cache:
            cache[bucket] = self.client.call("get_bucket_versioning", Bucket=bucket).get("Status")
        return cache[bucket]

    def _require_versions(self, bucket: str, url: str) -> None:
        try:
            status = self.versioning_status(bucket)
        except NotSupportedError:
            status = "unsupported"
        if status not in ("Enabled", "Suspended"):
            why = "the store does not implement versioning" if status == "unsupported" else f"versioning is not enabled on bucket {bucket!r}"
            raise NotSupportedError(f"{url}: {why}, so it keeps no old versions; {enable_hint(bucket)}", url)

    def iter_versions(self, path: str, *, recursive: bool = False, page_size: int = 1000) -> Iterator[list[FileInfo]]:
        """See :meth:`FileSystem.iter_versions`; one ListObjectVersions request a page."""
        bucket, key, _ = self.split(path)
        self._need_bucket(bucket, path)
        self._require_versions(bucket, self.client.url(bucket, key))
        prefix = f"{key}/" if key else ""
        kw: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": page_size}
        if not recursive:
            kw["Delimiter"] = "/"
        while True:
            resp = self.client.call("list_object_versions", url=self.client.url(bucket, key), **kw)
            yield self._version_page(bucket, prefix, resp)
            if not resp.get("IsTruncated"):
                return
            kw["KeyMarker"], kw["VersionIdMarker"] = resp.get("NextKeyMarker"), resp.get("NextVersionIdMarker")

    def _version_page(self, bucket: str, prefix: str, resp: dict) -> list[FileInfo]:
        out = [self._dir(bucket, cp["Prefix"].rstrip("/")) for cp in resp.get("CommonPrefixes", ())
               if cp["Prefix"][len(prefix):].rstrip("/")]
        rows = [(v, False) for v in resp.get("Versions", ())] + [(d, True) for d in resp.get("DeleteMarkers", ())]
        rows = [(v, dm) for v, dm in rows if not v["Key"].endswith("/")]  # directory markers hidden
        rows.sort(key=lambda r: (r[0]["Key"].encode(), not r[0].get("IsLatest"), -r[0]["LastModified"].timestamp()))
        for v, dm in rows:
            info = self._info(bucket, v["Key"], 0 if dm else v.get("Size", 0), v.get("LastModified"),
                              None if dm else v.get("ETag"), None if dm else v.get("StorageClass"),
                              name=v["Key"][len(prefix):])
            out.append(_versioned(info, v.get("VersionId"), bool(v.get("IsLatest")), dm))
        return out

    def restore(self, path: str, version_id: str) -> str:
        """See :meth:`FileSystem.restore`: CopyObject (UploadPartCopy above 5 GiB) from the version."""
        from .copy import copy_object

        bucket, key, _ = self.split(path)
        self._need_bucket(bucket, path)
        url = self.client.url(bucket, key)
        self._require_versions(bucket, url)
        info = self.head(bucket, key, version_id)
        if info is None:
            raise NotFoundError(f"{url}: no version {version_id!r} of this object (a delete marker cannot be "
                                "restored; pick a version listed with delete_marker False)", url)
        new = self.client.run(copy_object, self.client, bucket, key, bucket, key, info.size, version_id)
        self.journal.record(f"{bucket}/{key}", True)
        return new or ""

    def presign(self, path: str, *, expires: float | timedelta = 3600, method: str = "GET") -> str:
        """See :meth:`FileSystem.presign`.

        Raises:
            ValueError: a method other than GET/PUT, or ``expires`` outside 1 s … 7 days.
            InvalidURLError: no object key.
        """
        seconds = expires.total_seconds() if isinstance(expires, timedelta) else float(expires)
        if not 1 <= seconds <= MAX_PRESIGN_SECONDS:
            raise ValueError(f"expires must be between 1 second and 7 days (S3's limit for a signed link); "
                             f"got {seconds:g} s")
        op = {"GET": "get_object", "PUT": "put_object"}.get(str(method).upper())
        if op is None:
            raise ValueError(f"method must be 'GET' or 'PUT', got {method!r}")
        bucket, key, as_dir = self.split(path)
        self._need_bucket(bucket, path)
        if not key or as_dir:
            from ..errors import InvalidURLError

            raise InvalidURLError(f"{self.url(path)}: a link needs an object key, not a folder")

        async def sign() -> str:
            await self.client.fs.set_session()
            return await self.client.fs._s3.generate_presigned_url(
                op, Params={"Bucket": bucket, "Key": key}, ExpiresIn=int(seconds))

        return self.client.run(sign)


def _versioned(info: FileInfo, version_id: str | None, latest: bool, delete_marker: bool) -> FileInfo:
    from dataclasses import replace

    return replace(info, version_id=version_id, is_latest=latest, delete_marker=delete_marker)
