"""Rename on S3: copy everything before deleting anything; multipart copy; >1,000 keys."""

from __future__ import annotations

import pytest

from dumont_nb.errors import StoreError

MIB = 2**20
_ERR = b"<Error><Code>InternalError</Code><Message>injected</Message></Error>"


@pytest.fixture
def fast_fs(s3_server):
    from dumont_nb.api import filesystem
    from dumont_nb.config import parse_config

    cfg = parse_config({"remotes": {"fast": s3_server.remote_settings(max_attempts=1)}})
    return filesystem("fast", config=cfg)


def _keys(s3, bucket):
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sorted(c["Key"] for page in pages for c in page.get("Contents", ()))


def test_a_failed_copy_leaves_both_and_rerunning_finishes(fast_fs, s3, s3_server, bucket):
    src = ["d/", "d/a", "d/b", "d/c/", "d/c/x"]
    for k in src:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    seen = {"n": 0}

    def third_copy_fails(request):
        if request.op == "CopyObject":
            seen["n"] += 1
            if seen["n"] == 3:
                return 500, {"Content-Type": "application/xml"}, _ERR
        return None

    s3_server.faults.append(third_copy_fails)
    try:
        with pytest.raises(StoreError):
            fast_fs.rename(f"{bucket}/d", f"{bucket}/e")
    finally:
        s3_server.faults.clear()
    assert s3_server.count("DeleteObjects") == 0 and s3_server.count("DeleteObject") == 0
    assert set(src) <= set(_keys(s3, bucket))  # never neither
    fast_fs.rename(f"{bucket}/d", f"{bucket}/e")  # re-running finishes it
    assert _keys(s3, bucket) == sorted(k.replace("d/", "e/", 1) for k in src)
    assert s3.get_object(Bucket=bucket, Key="e/c/x")["Body"].read() == b"d/c/x"


def test_objects_above_the_threshold_use_multipart_copy(fs, s3, bucket, request_log, monkeypatch):
    from dumont_nb.vfs import copy

    monkeypatch.setattr(copy, "MULTIPART_COPY_THRESHOLD", 6 * MIB)
    monkeypatch.setattr(copy, "COPY_PART_SIZE", 5 * MIB)
    data = bytes(range(256)) * (11 * MIB // 256)
    s3.put_object(Bucket=bucket, Key="big", Body=data)
    s3.put_object(Bucket=bucket, Key="small", Body=b"s")
    request_log.clear()
    fs.rename(f"{bucket}/big", f"{bucket}/moved/big")
    fs.rename(f"{bucket}/small", f"{bucket}/moved/small")
    assert s3.get_object(Bucket=bucket, Key="moved/big")["Body"].read() == data
    assert request_log.count("UploadPartCopy") == 3
    assert request_log.count("CopyObject") == 1  # the small one
    assert _keys(s3, bucket) == ["moved/big", "moved/small"]
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_rename_object_onto_directory_and_directory_onto_object(fs, s3, bucket):
    s3.put_object(Bucket=bucket, Key="f", Body=b"1")
    s3.put_object(Bucket=bucket, Key="d/x", Body=b"2")
    with pytest.raises(IsADirectoryError):
        fs.rename(f"{bucket}/f", f"{bucket}/d")
    with pytest.raises(NotADirectoryError):
        fs.rename(f"{bucket}/d", f"{bucket}/f")
    assert _keys(s3, bucket) == ["d/x", "f"]


@pytest.mark.slow
def test_rename_a_prefix_with_more_than_1000_keys(fs, s3, bucket, request_log):
    keys = [f"src/{i:05d}" for i in range(1005)] + ["src/"]
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=b"")
    request_log.clear()
    fs.rename(f"{bucket}/src", f"{bucket}/dst")
    assert request_log.count("ListObjectsV2") == 3  # two pages of keys, one "is dst an object?"
    assert request_log.count("HeadObject") == 0
    assert _keys(s3, bucket) == sorted(k.replace("src/", "dst/", 1) for k in keys)
    assert request_log.count("CopyObject") == 1006
    assert request_log.count("DeleteObjects") == 2
    ops = [r.op for r in request_log.log if r.op in ("CopyObject", "DeleteObjects")]
    assert ops.index("DeleteObjects") == 1006  # every copy before any delete
