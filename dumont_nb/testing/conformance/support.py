"""What the contract mixins share: the oracle protocol, named deviations, small helpers."""

from __future__ import annotations

from typing import Protocol

import pytest

MIB = 2**20

#: named deviations a store may declare (see the module docstring)
DEVIATIONS = {
    "ignores-if-match": "accepts If-Match / If-None-Match and ignores them",
    "no-list-multipart-uploads": "ListMultipartUploads is not implemented",
    "no-request-log": "no request log: request-level checks are replaced by oracle checks",
    "ignores-if-none-match": "accepts If-None-Match: * on PutObject of an existing key and overwrites it",
    "no-abort-multipart-upload": "AbortMultipartUpload is not implemented (the parts stay on the server)",
    "racy-nested-deletes": "deleting a marker and keys under it at once can answer 500 (retried by botocore)",
}


class Oracle(Protocol):
    """A raw view of the store, independent of the code under test. Paths are ``bucket/key``."""

    def put(self, path: str, data: bytes) -> None: ...
    def get(self, path: str) -> bytes | None: ...
    def keys(self, prefix: str) -> list[str]: ...
    def multipart_uploads(self, bucket: str) -> list[str]: ...


class Boto3Oracle:
    """:class:`Oracle` over a plain boto3 client."""

    def __init__(self, client):
        self.client = client

    def put(self, path: str, data: bytes) -> None:
        bucket, key = path.split("/", 1)
        self.client.put_object(Bucket=bucket, Key=key, Body=data)

    def get(self, path: str) -> bytes | None:
        bucket, key = path.split("/", 1)
        try:
            return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return None

    def keys(self, prefix: str) -> list[str]:
        bucket, _, key = prefix.partition("/")
        out: list[str] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=key):
            out += [f"{bucket}/{c['Key']}" for c in page.get("Contents", ())]
        return sorted(out)

    def multipart_uploads(self, bucket: str) -> list[str]:
        resp = self.client.list_multipart_uploads(Bucket=bucket)
        return [u["Key"] for u in resp.get("Uploads", ())]


class MemoryOracle:
    """:class:`Oracle` over a :class:`~dumont_nb.testing.MemoryFileSystem`'s raw store."""

    def __init__(self, fs):
        self.fs = fs

    def put(self, path: str, data: bytes) -> None:
        bucket, key = path.split("/", 1)
        self.fs.raw_put(bucket, key, data)

    def get(self, path: str) -> bytes | None:
        bucket, key = path.split("/", 1)
        return self.fs.raw_get(bucket, key)

    def keys(self, prefix: str) -> list[str]:
        bucket, _, key = prefix.partition("/")
        return sorted(f"{bucket}/{k}" for k in self.fs.raw_keys(bucket, key))

    def multipart_uploads(self, bucket: str) -> list[str]:
        return []  # whole objects are committed in one step: there is never an upload to leave behind


def _bucket(root: str) -> str:
    return root.split("/", 1)[0]


def _write(fs, path: str, data: bytes) -> None:
    with fs.open(path, "wb") as f:
        f.write(data)


def _no_upload_left(oracle, root: str, deviations, request_log) -> None:
    if "no-list-multipart-uploads" in deviations:
        from botocore.exceptions import ClientError  # the store answers an error the oracle's client raises

        with pytest.raises(ClientError):
            oracle.multipart_uploads(_bucket(root))
        if request_log is not None:  # every upload started had its abort sent (the store may refuse it)
            aborts, creates = request_log.requests("AbortMultipartUpload"), request_log.requests("CreateMultipartUpload")
            assert len(aborts) >= len(creates)
        return
    assert oracle.multipart_uploads(_bucket(root)) == []


def _log(request_log, deviations):
    """The request log, or None when the store declares it has none (asserted)."""
    if request_log is None:
        assert "no-request-log" in deviations, "give a request_log fixture or declare 'no-request-log'"
    return request_log
