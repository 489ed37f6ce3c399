"""Server-side copies and rename (copy everything, then delete).

A rename is never atomic on S3. Every copy finishes before the first delete, so a failure or a
crash leaves the sources (and some copies) in place, never neither; running the rename again
copies again and then deletes, which finishes it.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING

from ..errors import IsADirError, NotADirError, NotFoundError, StoreError

if TYPE_CHECKING:
    from .client import Client
    from .s3 import S3Backend

__all__ = ["copy_object", "rename", "refuse_overlap", "MULTIPART_COPY_THRESHOLD", "COPY_PART_SIZE"]

#: objects larger than this are copied with UploadPartCopy (CopyObject's limit is 5 GiB);
#: read at call time, so a test may lower it
MULTIPART_COPY_THRESHOLD = 5 * 2**30
#: part size of a multipart copy (at least 5 MiB)
COPY_PART_SIZE = 512 * 2**20


async def copy_object(client: "Client", sb: str, sk: str, db: str, dk: str, size: int,
                      version_id: str | None = None) -> str | None:
    """Copy one object (or that version of it) server-side: CopyObject, or a multipart
    UploadPartCopy above :data:`MULTIPART_COPY_THRESHOLD` (aborted on any failure, so no upload
    is left behind). Returns the version id the copy created (None on an unversioned bucket).

    Raises:
        NotFoundError: the source is gone. StoreError and others: see :mod:`.translate`.
    """
    source = {"Bucket": sb, "Key": sk, **({"VersionId": version_id} if version_id else {})}
    if size <= MULTIPART_COPY_THRESHOLD:
        return (await client.acall("copy_object", Bucket=db, Key=dk, CopySource=source)).get("VersionId")
    import asyncio

    try:
        mpu = await client.acall("create_multipart_upload", Bucket=db, Key=dk)
    except BaseException:
        await _abort_orphans(client, db, dk)
        raise
    upload_id = mpu["UploadId"]
    try:
        ranges = [(i + 1, off, min(off + COPY_PART_SIZE, size) - 1) for i, off in enumerate(range(0, size, COPY_PART_SIZE))]
        sem = asyncio.Semaphore(4)

        async def part(n: int, a: int, b: int) -> dict:
            async with sem:
                r = await client.acall(
                    "upload_part_copy", Bucket=db, Key=dk, UploadId=upload_id, PartNumber=n,
                    CopySource=source, CopySourceRange=f"bytes={a}-{b}",
                )
            return {"PartNumber": n, "ETag": r["CopyPartResult"]["ETag"]}

        results = await asyncio.gather(*(part(*r) for r in ranges), return_exceptions=True)
        for r in results:
            if isinstance(r, BaseException):
                raise r
        done = await client.acall("complete_multipart_upload", Bucket=db, Key=dk, UploadId=upload_id,
                                  MultipartUpload={"Parts": list(results)})
        return done.get("VersionId")
    except BaseException:
        try:
            await client.acall("abort_multipart_upload", Bucket=db, Key=dk, UploadId=upload_id)
        except Exception:
            pass
        raise


async def _abort_orphans(client: "Client", bucket: str, key: str) -> None:
    """After a failed CreateMultipartUpload, abort the unfinished uploads of this exact key (the
    store may have created one anyway); see :meth:`.writer.S3Writer._abort_orphans`."""
    try:
        resp = await client.acall("list_multipart_uploads", Bucket=bucket, Prefix=key)
        for u in resp.get("Uploads", ()):
            if u.get("Key") == key:
                await client.acall("abort_multipart_upload", Bucket=bucket, Key=key, UploadId=u["UploadId"])
    except Exception:
        pass


def refuse_overlap(sb: str, sk: str, db: str, dk: str, surl: str = "", durl: str = "") -> None:
    """Refuse a directory move whose destination overlaps its source: inside it, or an ancestor
    of it (``d/s`` → ``d`` would copy ``d/s/s/f`` onto ``d/s/f`` before reading it, then delete
    both). Keys compare by ``/``-segments, so ``d/s`` and ``d/s2`` do not overlap.

    Raises:
        StoreError (errno EINVAL): the two overlap.
    """
    if sb != db:
        return
    s, d = sk.rstrip("/") + "/", dk.rstrip("/") + "/"
    if d.startswith(s):
        raise StoreError(f"{surl or sk} → {durl or dk}: cannot move a directory into itself", surl or sk, errno.EINVAL)
    if s.startswith(d):
        raise StoreError(
            f"{surl or sk} → {durl or dk}: the destination is a parent of the source, so the copy would "
            "overwrite keys before moving them; move to a new name, then rename it back", surl or sk, errno.EINVAL,
        )


def rename(fs: "S3Backend", src: str, dst: str) -> None:
    """:meth:`S3Backend.rename`; see there for what is raised. No HEAD: whether ``src`` is an
    object or a directory comes from the listing the directory needs anyway, whether ``dst`` is
    an object from one short listing (where own recent writes are pending, HEADs decide)."""
    client = fs.client
    sb, sk, s_dir, db, dk, surl, durl = fs._rename_paths(src, dst)
    if (sb, sk) == (db, dk):
        fs.stat(src)  # NotFoundError if there is nothing to rename
        return
    info, keys = (None, None) if s_dir else _listed_source(fs, sb, sk)
    if info is not None:
        if fs._dir_alive(db, dk):
            raise IsADirError(f"{durl}: is a directory; rename the object to a key inside it", durl)
        client.run(copy_object, client, sb, sk, db, dk, info.size)
        fs.journal.record(f"{db}/{dk}", True)
        client.call("delete_object", Bucket=sb, Key=sk)
        fs.journal.record(f"{sb}/{sk}", False)
        return
    refuse_overlap(sb, sk, db, dk, surl, durl)
    if keys is None:
        keys = [kv for page in fs._keys(sb, f"{sk}/") for kv in page]
    if not keys:
        raise NotFoundError(f"{surl}: no such object or directory", surl)
    if _is_object(fs, db, dk):
        raise NotADirError(f"{durl}: is an object; cannot rename a directory onto it", durl)
    plan = [(k, dk + k[len(sk):], size) for k, size in keys]
    client.gather(lambda t: copy_object(client, sb, t[0], db, t[1], t[2]), plan)
    fs.journal.record_many((f"{db}/{d}" for _, d, _ in plan), True)
    fs._delete(sb, [k for k, _ in keys])


def _listed_source(fs: "S3Backend", bucket: str, key: str):
    """``(object, None)`` if ``key`` is an object, else ``(None, [(key, size)] under key/ or None)``.

    One listing of the prefix ``key`` (no ``/``): the object ``key``, when there is one, is its
    first entry, and the directory's keys follow unless a sibling sorting before ``/`` comes
    first (``key.csv`` before ``key/``): then None, and the caller lists ``key/`` itself.
    """
    if fs.journal.under(f"{bucket}/{key}"):  # own recent writes: HEAD, then a listing
        return fs.head(bucket, key), None
    below, keys = f"{key}/", []
    for resp in fs._pages(bucket, key, None):
        for c in resp.get("Contents", ()):
            k = c["Key"]
            if k == key:
                return fs._info(bucket, key, c.get("Size", 0), c.get("LastModified"), c.get("ETag"),
                                c.get("StorageClass")), None
            if k.startswith(below):
                keys.append((k, c.get("Size", 0)))
            elif k < below:
                return None, None
            else:
                return None, keys  # past the directory
    return None, keys


def _is_object(fs: "S3Backend", bucket: str, key: str) -> bool:
    """Whether ``key`` is an object: the first entry of a one-key delimiter listing of the
    prefix ``key`` is the object itself when there is one."""
    if fs.journal.under(f"{bucket}/{key}"):
        return fs.head(bucket, key) is not None
    resp = fs.client.call("list_objects_v2", url=fs.client.url(bucket, key), Bucket=bucket, Prefix=key,
                          Delimiter="/", MaxKeys=1)
    first = resp.get("Contents") or [{}]
    return first[0].get("Key") == key
