"""Load: many threads on one remote, and a recursive copy of 5,000 objects with bounded concurrency.

Checked with the boto3 oracle and the server's request log; warnings and log records are captured
to prove there is no connection-pool exhaustion ("Connection pool is full", unclosed sessions).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest

from dumont_nb.api import filesystem

THREADS = 200


def _pool_complaints(records, caught) -> list[str]:
    words = ("pool is full", "connection pool", "unclosed", "discarding connection", "too many open files")
    texts = [r.getMessage() for r in records if r.levelno >= logging.WARNING] + [str(w.message) for w in caught]
    return [t for t in texts if any(w in t.lower() for w in words)]


def test_200_threads_read_and_write_small_objects_through_one_remote(config, s3, s3_server, bucket, caplog):
    caplog.set_level(logging.WARNING)
    fs = filesystem("moto", config=config)
    fs.readdir(bucket)
    s3_server.clear()
    barrier = threading.Barrier(THREADS)
    payload = {i: os.urandom(100 + i) for i in range(THREADS)}

    def work(i: int) -> bytes:
        barrier.wait()  # all threads start together
        path = f"{bucket}/load/{i:03d}.bin"
        with fs.open(path, "wb") as f:
            f.write(payload[i])
        with fs.open(path, "rb") as f:
            return f.read()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            results = list(pool.map(work, range(THREADS)))
    assert results == [payload[i] for i in range(THREADS)]  # every read saw its own write
    assert s3_server.count("PutObject", bucket) == THREADS
    assert s3_server.count("GetObject", bucket) == THREADS
    assert all(r.status in (200, 206) for r in s3_server.requests(bucket=bucket))  # no retried errors
    listed = {o["Key"]: o["Size"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="load/")["Contents"]}
    assert listed == {f"load/{i:03d}.bin": len(payload[i]) for i in range(THREADS)}
    assert not _pool_complaints(caplog.records, caught)


def test_200_threads_through_the_fsspec_protocol(config, s3, s3_server, bucket, caplog):
    import fsspec

    from dumont_nb.api import use_config

    caplog.set_level(logging.WARNING)
    use_config(config)
    ffs = fsspec.filesystem("moto")
    barrier = threading.Barrier(THREADS)

    def work(i: int) -> bytes:
        barrier.wait()
        ffs.pipe_file(f"moto://{bucket}/f/{i}", str(i).encode())
        return ffs.cat_file(f"moto://{bucket}/f/{i}")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            results = list(pool.map(work, range(THREADS)))
    assert results == [str(i).encode() for i in range(THREADS)]
    assert s3.list_objects_v2(Bucket=bucket, Prefix="f/")["KeyCount"] == THREADS
    assert not _pool_complaints(caplog.records, caught)


@pytest.mark.slow
def test_recursive_copy_of_5000_objects_has_bounded_concurrency(config, s3, s3_server, bucket, tmp_path, monkeypatch,
                                                                 caplog):
    from dumont_nb import transfers

    caplog.set_level(logging.WARNING)
    n = 5000
    src = tmp_path / "src"
    for d in range(50):
        (src / f"d{d:02d}").mkdir(parents=True)
    expected = {}
    for i in range(n):
        data = f"object {i}\n".encode() * (1 + i % 7)
        rel = f"d{i % 50:02d}/{i:04d}.txt"
        (src / rel).write_bytes(data)
        expected[f"tree/{rel}"] = (len(data), hashlib.md5(data).hexdigest())
    inflight, peak, lock = [0], [0], threading.Lock()
    real_upload = transfers.copy_object

    def counted(*args, **kwargs):
        with lock:
            inflight[0] += 1
            peak[0] = max(peak[0], inflight[0])
        try:
            return real_upload(*args, **kwargs)
        finally:
            with lock:
                inflight[0] -= 1

    monkeypatch.setattr(transfers, "copy_object", counted)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = transfers.copy(src, f"moto://{bucket}/tree", recursive=True, config=config, progress=False)
    assert summary.ok and summary.files == n and not summary.skipped
    assert 1 < peak[0] <= transfers.WORKERS  # concurrent, and bounded by the pool
    assert s3_server.count("PutObject", bucket) == n  # one request per object, no retries
    got = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="tree/"):
        got.update({o["Key"]: (o["Size"], o["ETag"].strip('"')) for o in page.get("Contents", ())})
    assert got == expected  # every object there, byte-exact (single-PUT ETag = MD5 of the body)
    assert not _pool_complaints(caplog.records, caught)
