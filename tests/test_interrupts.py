"""Ctrl-C (a real SIGINT to the main thread) in the middle of uploads, downloads, recursive copies
and a directory rename: multipart uploads aborted, temp files removed, and a re-run of the rename
completes it. Faults come from the server harness (see test_faults.py)."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from _faults import body, inject, no_uploads_left  # noqa: F401  (fixtures)


# -- Ctrl-C (SIGINT to the main thread) in the middle of things ------------------------------
def interrupt_on(op: str, bucket: str, nth: int = 1):
    """A fault that sends SIGINT to the main thread when the ``nth`` ``op`` request arrives (like
    Ctrl-C in a kernel), then lets the request through."""
    hits = [0]
    main = threading.main_thread().ident

    def fault(req):
        if req.op == op and req.bucket == bucket:
            hits[0] += 1
            if hits[0] == nth:
                signal.pthread_kill(main, signal.SIGINT)
        return None

    return fault


def _settle(client) -> None:
    """Wait until every other task on the client's event loop has finished (or was cancelled)."""
    import asyncio

    async def others():
        me = asyncio.current_task()
        await asyncio.gather(*(t for t in asyncio.all_tasks() if t is not me), return_exceptions=True)

    client.run(others)


def _local_files(root) -> list[str]:
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


def test_interrupted_upload_aborts_multipart(s3_server, s3, bucket, inject, tmp_path, config):
    from dumont_nb.transfers import copy

    s3.put_object(Bucket=bucket, Key="big.bin", Body=b"previous")
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(20 * 2**20))
    inject(interrupt_on("UploadPart", bucket, nth=2))
    with pytest.raises(KeyboardInterrupt):
        copy(src, f"moto://{bucket}/big.bin", config=config, progress=False)
    assert body(s3, bucket, "big.bin") == b"previous"
    assert no_uploads_left(s3, bucket)
    assert s3_server.count("CompleteMultipartUpload", bucket) == 0


def test_interrupted_download_removes_temp_file(s3_server, s3, bucket, inject, tmp_path, config):
    from dumont_nb.transfers import copy

    data = os.urandom(12 * 2**20)
    s3.put_object(Bucket=bucket, Key="big.bin", Body=data)
    (tmp_path / "big.bin").write_bytes(b"previous")
    inject(interrupt_on("GetObject", bucket, nth=1))
    with pytest.raises(KeyboardInterrupt):
        copy(f"moto://{bucket}/big.bin", tmp_path / "big.bin", config=config, progress=False)
    assert _local_files(tmp_path) == ["big.bin"]
    assert (tmp_path / "big.bin").read_bytes() == b"previous"


def test_interrupted_recursive_download_leaves_no_temp_files(s3_server, s3, bucket, inject, tmp_path, config):
    from dumont_nb.transfers import copy

    for i in range(40):
        s3.put_object(Bucket=bucket, Key=f"tree/{i:03d}.bin", Body=os.urandom(50_000))
    inject(interrupt_on("GetObject", bucket, nth=10))
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        copy(f"moto://{bucket}/tree", out, recursive=True, config=config, progress=False)
    written = _local_files(out) if out.exists() else []
    assert not [n for n in written if n.endswith(".dumont-part")]
    assert len(written) < 40  # it really was interrupted
    for name in written:  # every file that is there is complete
        assert (out / name).read_bytes() == body(s3, bucket, f"tree/{name}")
    copy(f"moto://{bucket}/tree", out, recursive=True, config=config, progress=False)
    assert len(_local_files(out)) == 40


def test_interrupted_recursive_upload_leaves_no_multipart(s3_server, s3, bucket, inject, tmp_path, config):
    from dumont_nb.transfers import copy

    src = tmp_path / "src"
    src.mkdir()
    for i in range(3):
        (src / f"big{i}.bin").write_bytes(os.urandom(9 * 2**20))
    inject(interrupt_on("UploadPart", bucket, nth=2))
    with pytest.raises(KeyboardInterrupt):
        copy(src, f"moto://{bucket}/up", recursive=True, config=config, progress=False)
    assert no_uploads_left(s3, bucket)
    for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):  # whatever is there is whole
        assert obj["Size"] == 9 * 2**20


def test_interrupted_directory_rename_completes_on_rerun(s3_server, s3, bucket, inject, config):
    from dumont_nb.api import filesystem

    fs = filesystem("moto", config=config)
    keys = [f"old/{i:03d}.txt" for i in range(160)]  # enough that a loaded machine still stops early
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    inject(interrupt_on("CopyObject", bucket, nth=20))
    with pytest.raises(KeyboardInterrupt):
        fs.rename(f"{bucket}/old", f"{bucket}/new")
    s3_server.faults.clear()
    _settle(fs.client)
    # Ctrl-C stopped the work: the copies still queued on the event loop were cancelled
    assert s3_server.count("CopyObject", bucket) < len(keys)
    left = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    assert set(keys) <= left  # no source deleted before all copies were made: nothing lost
    fs.rename(f"{bucket}/old", f"{bucket}/new")
    after = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    assert after == {k.replace("old/", "new/") for k in keys}
    for k in keys:
        assert body(s3, bucket, k.replace("old/", "new/")) == k.encode()
