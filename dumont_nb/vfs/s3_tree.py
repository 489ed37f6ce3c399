"""The S3 backend's changes to the tree: markers, deletes (DeleteObjects in batches), rmdir.

A mixin of :class:`~dumont_nb.vfs.s3.S3Backend` (it uses the backend's client, journal, ``head``,
``_dir_alive`` and ``_pages``); kept apart so each module reads in one sitting.
"""

from __future__ import annotations

import errno

from ..errors import ExistsError, IsADirError, NotADirError, NotFoundError, NotSupportedError, StoreError

__all__ = ["S3TreeOps", "DELETE_BATCH"]

#: keys per DeleteObjects request (the S3 maximum)
DELETE_BATCH = 1000


class S3TreeOps:
    """mkdir (makedirs is the contract's, on these primitives), remove, rmdir, remove_all, remove_many."""

    def changes(self) -> int:
        """:meth:`FileSystem.changes`: the journal's count of recorded mutations."""
        return self.journal.changes

    def mkdir(self, path: str) -> None:
        """Write the zero-byte ``path/`` marker. Raises ExistsError, NotFoundError (no bucket),
        NotSupportedError (a bucket)."""
        bucket, key, _ = self.split(path)
        self._need_bucket(bucket, path)
        if not key:
            self.client.call("head_bucket", Bucket=bucket)
            raise ExistsError(f"{self.client.url(bucket)}: the bucket exists (dumont does not create buckets)", path)
        if self.exists(path):
            raise ExistsError(f"{self.client.url(bucket, key)}: exists", self.url(path))
        self._write_marker(bucket, key)

    def _object_exists(self, bucket: str, key: str) -> bool:
        return self.head(bucket, key) is not None

    def _write_marker(self, bucket: str, key: str) -> None:
        self.client.call("put_object", Bucket=bucket, Key=f"{key}/", Body=b"")
        self.journal.record(f"{bucket}/{key}/", True)

    def remove(self, path: str) -> None:
        """Delete one object. Raises NotFoundError, IsADirError."""
        bucket, key, as_dir = self.split(path)
        self._need_bucket(bucket, path)
        url = self.client.url(bucket, key)
        if not key or as_dir or self.head(bucket, key) is None:
            if not key or self._dir_alive(bucket, key):
                raise IsADirError(f"{url}: is a directory; use rmdir or remove_all", url)
            raise NotFoundError(f"{url}: no such object", url)
        self.client.call("delete_object", Bucket=bucket, Key=key)
        self.journal.record(f"{bucket}/{key}", False)

    def rmdir(self, path: str) -> None:
        """Delete an empty directory's marker.

        Raises:
            NotFoundError, NotADirError, StoreError (errno ENOTEMPTY), NotSupportedError (a bucket).
        """
        bucket, key, _ = self.split(path)
        self._need_bucket(bucket, path)
        url = self.client.url(bucket, key)
        if not key:
            raise NotSupportedError(f"{url}: dumont does not delete buckets", url)
        prefix = f"{key}/"
        if not self._dir_alive(bucket, key):
            if self.head(bucket, key) is not None:
                raise NotADirError(f"{url}: is an object, not a directory", url)
            raise NotFoundError(f"{url}: no such directory", url)
        records = self.journal.under(f"{bucket}/{prefix}")
        deleted = {p for p, e in records.items() if not e}
        resp = next(self._pages(bucket, prefix, "/", page_size=1000 if deleted else 2))
        others = [c["Key"] for c in resp.get("Contents", ()) if c["Key"] != prefix and f"{bucket}/{c['Key']}" not in deleted]
        if others or resp.get("CommonPrefixes") or any(e for p, e in records.items() if p != f"{bucket}/{prefix}"):
            raise StoreError(f"{url}: directory not empty; use remove_all to delete it with its contents", url,
                             errno.ENOTEMPTY)
        self.client.call("delete_object", Bucket=bucket, Key=prefix)
        self.journal.record(f"{bucket}/{prefix}", False)

    def remove_all(self, path: str) -> int:
        """Delete the object ``path`` and every key under ``path/`` (markers too); the count.
        A path with nothing under it deletes nothing and returns 0.

        Raises:
            NotFoundError: no such bucket. StoreError: the store refused some deletes.
        """
        bucket, key, as_dir = self.split(path)
        self._need_bucket(bucket, path)
        count = 0
        if key and not as_dir and self.head(bucket, key) is not None:
            count += self._delete(bucket, [key])
        for page in self._keys(bucket, f"{key}/" if key else ""):
            count += self._delete(bucket, [k for k, _ in page])
        return count

    def remove_many(self, paths: list[str]) -> int:
        """Delete exactly these objects (``dir/`` paths are markers) with DeleteObjects, 1,000
        keys a request, grouped by bucket; see :meth:`FileSystem.remove_many`."""
        by_bucket: dict[str, list[str]] = {}
        for p in paths:
            bucket, key, as_dir = self.split(p)
            self._need_bucket(bucket, p)
            by_bucket.setdefault(bucket, []).append(key + "/" if as_dir else key)
        return sum(self._delete(b, keys) for b, keys in by_bucket.items())

    def _delete(self, bucket: str, keys: list[str]) -> int:
        """DeleteObjects in batches of :data:`DELETE_BATCH`; records the keys as removed."""
        batches = [keys[i:i + DELETE_BATCH] for i in range(0, len(keys), DELETE_BATCH)]

        async def one(batch: list[str]):
            resp = await self.client.acall(
                "delete_objects", Bucket=bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True}
            )
            return resp.get("Errors") or []

        errors = [e for errs in self.client.gather(one, batches) for e in errs]
        refused = {e.get("Key", ""): e.get("Code") or "refused" for e in errors}
        self.journal.record_many((f"{bucket}/{k}" for k in keys if k not in refused), False)
        if errors:
            first = errors[0]
            err = StoreError(
                f"{self.client.url(bucket, first.get('Key', ''))}: the store refused to delete {len(errors)} "
                f"key(s) ({first.get('Code')})",
                self.client.url(bucket, first.get("Key", "")),
            )
            err.failed = {f"{bucket}/{k}": code for k, code in refused.items()}  # path -> the store's code
            raise err
        return len(keys)
