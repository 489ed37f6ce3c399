"""Whole-object writes on S3: failures abort and keep the old object, memory stays bounded."""

from __future__ import annotations

import gc
import warnings

import pytest

from dumont_nb.errors import ConflictError, StoreError

MIB = 2**20
_ERR = b"<Error><Code>InternalError</Code><Message>injected</Message></Error>"


def _fail(op: str, after: int = 0):
    """A fault failing every ``op`` request after the first ``after`` ones (500, retried by botocore)."""
    seen = {"n": 0}

    def fault(request):
        if request.op != op:
            return None
        seen["n"] += 1
        return None if seen["n"] <= after else (500, {"Content-Type": "application/xml"}, _ERR)

    return fault


@pytest.fixture
def fast_fs(s3_server):
    """A remote with max_attempts 1, so injected 500s fail at once."""
    from dumont_nb.api import filesystem
    from dumont_nb.config import parse_config

    cfg = parse_config({"remotes": {"fast": s3_server.remote_settings(max_attempts=1)}})
    return filesystem("fast", config=cfg)


@pytest.mark.parametrize("op,after", [("UploadPart", 1), ("CompleteMultipartUpload", 0)])
def test_failed_part_or_complete_aborts_and_keeps_the_old_object(fast_fs, s3, s3_server, bucket, op, after):
    s3.put_object(Bucket=bucket, Key="obj", Body=b"old")
    s3_server.faults.append(_fail(op, after))
    try:
        with pytest.raises(StoreError, match=f"fast://{bucket}/obj") as info:
            with fast_fs.open(f"{bucket}/obj", "wb") as f:
                for _ in range(16):
                    f.write(b"n" * MIB)
    finally:
        s3_server.faults.clear()
    assert "\n" not in str(info.value)
    assert s3.get_object(Bucket=bucket, Key="obj")["Body"].read() == b"old"
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert s3_server.count("AbortMultipartUpload") == 1


def test_failed_single_put_keeps_the_old_object(fast_fs, s3, s3_server, bucket):
    s3.put_object(Bucket=bucket, Key="obj", Body=b"old")
    s3_server.faults.append(_fail("PutObject"))
    try:
        with pytest.raises(StoreError):
            with fast_fs.open(f"{bucket}/obj", "wb") as f:
                f.write(b"new")
    finally:
        s3_server.faults.clear()
    assert s3.get_object(Bucket=bucket, Key="obj")["Body"].read() == b"old"


def test_keyboard_interrupt_inside_with_aborts(fs, s3, bucket):
    with pytest.raises(KeyboardInterrupt):
        with fs.open(f"{bucket}/k", "wb") as f:
            f.write(b"x" * (11 * MIB))
            raise KeyboardInterrupt
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_a_dropped_writer_is_discarded_not_committed(fs, s3, bucket):
    f = fs.open(f"{bucket}/dropped", "wb")
    f.write(b"y" * (9 * MIB))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del f
        gc.collect()
    assert any(issubclass(w.category, ResourceWarning) for w in caught)
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_mode_x_loses_against_a_concurrent_creator(fs, s3, bucket):
    for size in (10, 9 * MIB):
        f = fs.open(f"{bucket}/x{size}", "xb")
        f.write(b"m" * size)
        s3.put_object(Bucket=bucket, Key=f"x{size}", Body=b"theirs")
        with pytest.raises(FileExistsError):
            f.close()
        assert s3.get_object(Bucket=bucket, Key=f"x{size}")["Body"].read() == b"theirs"
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_emulate_multipart_commit_rechecks_the_etag(emulate_config, s3, bucket):
    """moto ignores If-Match on CompleteMultipartUpload: the HEAD re-check catches the conflict."""
    from dumont_nb.api import filesystem

    fs = filesystem("moto", config=emulate_config)
    s3.put_object(Bucket=bucket, Key="big", Body=b"a" * 10)
    f = fs.open(f"{bucket}/big", "ab")
    f.write(b"b" * (9 * MIB))
    s3.put_object(Bucket=bucket, Key="big", Body=b"theirs")
    with pytest.raises(ConflictError):
        f.close()
    assert s3.get_object(Bucket=bucket, Key="big")["Body"].read() == b"theirs"
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


@pytest.mark.slow
def test_memory_stays_bounded_by_a_few_parts(fs, s3, bucket, request_log):
    """What the writer holds (its buffer and the parts in flight) stays a few parts, whatever
    the object size. (Process memory cannot be measured here: moto runs in this process.)"""
    from dumont_nb.vfs.writer import MAX_INFLIGHT, PART_SIZE, SINGLE_PUT_MAX

    size = 128 * MIB  # big enough that 8 MiB + MAX_INFLIGHT parts is well under half of it
    chunk = b"z" * MIB
    with fs.open(f"{bucket}/huge", "wb") as f:
        for _ in range(size // MIB):
            f.write(chunk)
    assert s3.head_object(Bucket=bucket, Key="huge")["ContentLength"] == size
    # in part-number order: parts are uploaded concurrently, so the last may arrive before others
    parts = sorted(request_log.requests("UploadPart"), key=lambda p: int(p.params["partNumber"][0]))
    assert len(parts) == 26 and {p.body_length for p in parts[:-1]} == {5 * MIB}
    assert f.peak_held <= SINGLE_PUT_MAX + MIB + MAX_INFLIGHT * PART_SIZE < size / 2
