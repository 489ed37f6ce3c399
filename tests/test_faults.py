"""Fault injection against the real moto server: retries bounded, nothing lost, nothing left behind.

Faults are injected by the server harness (:mod:`dumont_nb.testing.server`): an error answer
(503 SlowDown, 500 InternalError, a 200 whose body is an ``<Error>``), a TCP reset instead of an
answer (:class:`Reset`), or a real answer whose connection drops after N body bytes (:class:`Cut`).
Every result is checked with the independent boto3 client and the server's request log.

botocore's backoff delays are *computed* by its standard retry policy (recorded here, so the tests
can show there was backoff) but not slept, so the suite stays fast; no assertion depends on time.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from dumont_nb.config import parse_config
from dumont_nb.errors import ConflictError, DumontError, StoreError
from dumont_nb.testing.server import Cut, Reset
from dumont_nb.vfs.s3 import S3Backend
from _faults import MAX_ATTEMPTS, XML, SLOWDOWN, INTERNAL, ERROR_IN_200, backoffs, backend, inject, only, _attempts, no_uploads_left, body  # noqa: F401  (fixtures)


# -- every request kind: bounded retries, then one clear error --------------------------------
BIG = 9 * 2**20  # above the 8 MiB single-PUT limit: a multipart upload


def _do(op: str, fs: S3Backend, s3, bucket: str) -> None:
    """Perform the user operation that sends ``op`` (the setup is done with boto3)."""
    if op == "ListObjectsV2":
        fs.readdir(f"{bucket}/dir")
    elif op == "HeadObject":
        fs.stat(f"{bucket}/dir/a.txt")
    elif op == "GetObject":
        with fs.open(f"{bucket}/dir/a.txt", "rb") as f:
            f.read()
    elif op == "PutObject":
        with fs.open(f"{bucket}/dir/a.txt", "wb") as f:
            f.write(b"new")
    elif op == "CopyObject":
        fs.rename(f"{bucket}/dir/a.txt", f"{bucket}/dir/b.txt")
    elif op == "DeleteObject":
        fs.remove(f"{bucket}/dir/a.txt")
    elif op == "DeleteObjects":
        fs.remove_all(f"{bucket}/dir")
    elif op in ("CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"):
        with fs.open(f"{bucket}/dir/a.txt", "wb") as f:
            f.write(b"x" * BIG)
    else:  # pragma: no cover
        raise AssertionError(op)


OPS = ["ListObjectsV2", "HeadObject", "GetObject", "PutObject", "CopyObject", "DeleteObject", "DeleteObjects",
       "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"]
FAULTS = {"slowdown": SLOWDOWN, "internal": INTERNAL, "reset": Reset}


@pytest.mark.parametrize("kind", list(FAULTS))
@pytest.mark.parametrize("op", OPS)
def test_every_request_kind_is_retried_at_most_max_attempts(op, kind, backend, s3_server, s3, bucket, inject, backoffs):
    s3.put_object(Bucket=bucket, Key="dir/a.txt", Body=b"previous")
    backend.readdir(bucket)  # connect first: the count below is the operation's alone
    s3_server.clear()
    answer = FAULTS[kind]
    inject(only(op, bucket, (lambda: Reset()) if answer is Reset else answer))
    with pytest.raises(StoreError) as info:
        _do(op, backend, s3, bucket)
    s3_server.faults.clear()
    # exactly max_attempts requests of the failing kind (per part): neither s3fs's retry loop nor
    # aiohttp's reconnect multiplies them
    attempts = _attempts(s3_server, op, bucket)
    assert max(attempts.values()) == MAX_ATTEMPTS
    assert len(backoffs) == (MAX_ATTEMPTS - 1) * len(attempts) and all(d >= 0 for d in backoffs)
    message = str(info.value)
    assert "\n" not in message and f"moto://{bucket}" in message
    if kind != "reset":
        assert "after the configured retries" in message
    assert isinstance(info.value, OSError) and isinstance(info.value, DumontError)
    # nothing lost, nothing left behind
    assert body(s3, bucket, "dir/a.txt") == b"previous"
    assert no_uploads_left(s3, bucket)


@pytest.mark.parametrize("kind", list(FAULTS))
def test_a_transient_fault_is_absorbed(kind, backend, s3_server, s3, bucket, inject):
    backend.readdir(bucket)
    s3_server.clear()
    answer = FAULTS[kind]
    inject(only("PutObject", bucket, (lambda: Reset()) if answer is Reset else answer, times=MAX_ATTEMPTS - 1))
    with backend.open(f"{bucket}/k", "wb") as f:
        f.write(b"made it")
    assert s3_server.count("PutObject", bucket) == MAX_ATTEMPTS
    assert body(s3, bucket, "k") == b"made it"


def test_backoff_grows_between_attempts(s3_server, s3, bucket, inject, backoffs, monkeypatch):
    """The delays come from botocore's truncated exponential backoff: t_i = rand * 2**i."""
    from botocore.retries import standard

    config = parse_config({"remotes": {"moto": s3_server.remote_settings(max_attempts=5)}}, source="<t>")
    fs = S3Backend(config.remote("moto"))
    fs.readdir(bucket)
    recorded = standard.ExponentialBackoff.delay_amount

    def no_jitter(self, context):
        self._random = lambda: 1.0
        return recorded(self, context)

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", no_jitter)
    inject(only("HeadObject", bucket, SLOWDOWN))
    with pytest.raises(StoreError):
        fs.stat(f"{bucket}/k")
    assert s3_server.count("HeadObject", bucket) == 5
    assert backoffs == [1, 2, 4, 8]


# -- multipart: a failed part or complete leaves the previous object and no upload -----------
@pytest.mark.parametrize(
    "op, answer",
    [("UploadPart", SLOWDOWN), ("UploadPart", Reset), ("CompleteMultipartUpload", INTERNAL),
     ("CompleteMultipartUpload", ERROR_IN_200), ("CompleteMultipartUpload", Reset)],
    ids=["part-503", "part-reset", "complete-500", "complete-200-error", "complete-reset"],
)
def test_failed_multipart_keeps_previous_object(op, answer, backend, s3_server, s3, bucket, inject):
    s3.put_object(Bucket=bucket, Key="obj", Body=b"previous")
    inject(only(op, bucket, (lambda: Reset()) if answer is Reset else answer))
    with pytest.raises(StoreError):
        with backend.open(f"{bucket}/obj", "wb") as f:
            for _ in range(3):
                f.write(os.urandom(4 * 2**20))
    s3_server.faults.clear()
    assert max(_attempts(s3_server, op, bucket).values()) == MAX_ATTEMPTS  # a 200 <Error> is retried too
    assert body(s3, bucket, "obj") == b"previous"
    assert no_uploads_left(s3, bucket)
    assert s3_server.count("AbortMultipartUpload", bucket) >= 1


def test_error_in_200_on_copy_is_an_error(backend, s3_server, s3, bucket, inject):
    s3.put_object(Bucket=bucket, Key="a", Body=b"A")
    s3.put_object(Bucket=bucket, Key="b", Body=b"previous b")
    inject(only("CopyObject", bucket, ERROR_IN_200))
    with pytest.raises(StoreError):
        backend.rename(f"{bucket}/a", f"{bucket}/b")
    assert body(s3, bucket, "a") == b"A" and body(s3, bucket, "b") == b"previous b"


# -- a connection dropped mid-download --------------------------------------------------------
def test_download_cut_mid_body_is_resumed_byte_identical(backend, s3_server, s3, bucket, inject):
    data = os.urandom(3 * 2**20)
    s3.put_object(Bucket=bucket, Key="blob", Body=data)
    inject(only("GetObject", bucket, Cut(100_000), times=2))
    with backend.open(f"{bucket}/blob", "rb") as f:
        got = f.read()
    assert got == data
    gets = s3_server.requests("GetObject", bucket)
    assert len(gets) == 3 and all(g.headers.get("if-match") for g in gets)  # resumed, pinned to the ETag
    # each resume starts after the bytes already received, not from the start
    starts = [int(g.headers["range"][6:].split("-")[0]) for g in gets]
    assert starts[0] == 0 and 0 < starts[1] <= 100_000 and starts[1] < starts[2]


def test_download_cut_every_time_is_an_error_never_short(backend, s3_server, s3, bucket, inject):
    data = os.urandom(2**20)
    s3.put_object(Bucket=bucket, Key="blob", Body=data)
    inject(only("GetObject", bucket, Cut(1000)))
    with pytest.raises(StoreError) as info:
        with backend.open(f"{bucket}/blob", "rb") as f:
            f.read()
    assert f"moto://{bucket}/blob" in str(info.value)
    assert s3_server.count("GetObject", bucket) == MAX_ATTEMPTS


def test_copy_download_cut_leaves_previous_file(s3_server, s3, bucket, inject, tmp_path, backoffs):
    from dumont_nb.transfers import copy

    config = parse_config({"remotes": {"moto": s3_server.remote_settings(max_attempts=2)}}, source="<t>")
    data = os.urandom(2 * 2**20)
    s3.put_object(Bucket=bucket, Key="blob", Body=data)
    target = tmp_path / "blob"
    target.write_bytes(b"previous version")
    inject(only("GetObject", bucket, Cut(5000)))
    with pytest.raises(StoreError):
        copy(f"moto://{bucket}/blob", target, config=config, progress=False)
    assert target.read_bytes() == b"previous version"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blob"]
    s3_server.faults.clear()
    copy(f"moto://{bucket}/blob", target, config=config, progress=False)
    assert target.read_bytes() == data


def test_object_overwritten_between_ranged_reads_is_detected(backend, s3_server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="blob", Body=b"A" * 100_000)
    with backend.open(f"{bucket}/blob", "rb") as f:
        first = f.read(10)
        s3.put_object(Bucket=bucket, Key="blob", Body=b"B" * 100_000)
        f.seek(90_000)  # beyond the 64 KiB read-ahead of the first read
        with pytest.raises(ConflictError):
            f.read(10)
    assert first == b"A" * 10


def test_object_overwritten_during_a_resumed_read_is_detected(backend, s3_server, s3, bucket, inject):
    """The body is cut; before the resume someone overwrites the object: never a mixed file."""
    s3.put_object(Bucket=bucket, Key="blob", Body=b"A" * 2**20)

    def cut_then_overwrite(req):
        if req.op == "GetObject" and req.bucket == bucket and not cut_then_overwrite.done:
            cut_then_overwrite.done = True
            threading.Thread(target=s3.put_object, kwargs=dict(Bucket=bucket, Key="blob", Body=b"B" * 2**20)).run()
            return Cut(1000)
        return None

    cut_then_overwrite.done = False
    inject(cut_then_overwrite)
    with pytest.raises(ConflictError):
        with backend.open(f"{bucket}/blob", "rb") as f:
            f.read()
    assert s3_server.requests("GetObject", bucket)[-1].status == 412


# -- a lagging listing, and listing mtimes with milliseconds, through the user surfaces -------
def test_lagging_listing_with_millis_through_fsspec_and_tables(s3_server, s3, bucket, config, inject):
    import fsspec

    from dumont_nb.api import filesystem, use_config
    from dumont_nb.tables import listing
    from test_vfs_listing import _listing_fault, _snapshot

    use_config(config)  # registers the fsspec protocol "moto"
    s3.put_object(Bucket=bucket, Key="d/old.txt", Body=b"old")
    inject(_listing_fault(bucket, _snapshot(s3, bucket, millis=987)))  # the listing stops here, in ms
    fs = filesystem("moto", config=config)
    with fs.open(f"{bucket}/d/new.txt", "wb") as f:
        f.write(b"fresh")
    ffs = fsspec.filesystem("moto")
    names = sorted(p.rsplit("/", 1)[-1] for p in ffs.ls(f"{bucket}/d", detail=False))
    assert names == ["new.txt", "old.txt"]  # the own write shows although the listing lags
    table = listing(f"moto://{bucket}/d", config=config)
    assert sorted(table["name"]) == ["new.txt", "old.txt"]
    deep = listing(f"moto://{bucket}", recursive=True, config=config)
    assert sorted(deep["path"]) == [f"{bucket}/d/new.txt", f"{bucket}/d/old.txt"]
    listed = {e.name: e.mtime for e in fs.readdir(f"{bucket}/d")}
    for name in ("old.txt", "new.txt"):
        head = s3.head_object(Bucket=bucket, Key=f"d/{name}")["LastModified"]
        assert listed[name] == head == fs.stat(f"{bucket}/d/{name}").mtime  # whole seconds everywhere
    assert [c["Key"] for c in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["d/old.txt"]  # it lagged
    # an own delete: the lagging listing still has the key, no surface shows it
    fs.remove(f"{bucket}/d/old.txt")
    assert [p.rsplit("/", 1)[-1] for p in ffs.ls(f"{bucket}/d", detail=False)] == ["new.txt"]
    assert list(listing(f"moto://{bucket}/d", config=config)["name"]) == ["new.txt"]
    assert list(listing(f"moto://{bucket}", recursive=True, config=config)["name"]) == ["new.txt"]


# -- more ways to fail ---------------------------------------------------------------------------
def test_a_failing_abort_is_retried_so_no_upload_is_left(backend, s3_server, s3, bucket, inject):
    s3.put_object(Bucket=bucket, Key="obj", Body=b"previous")
    inject(only("UploadPart", bucket, SLOWDOWN))
    inject(only("AbortMultipartUpload", bucket, SLOWDOWN, times=MAX_ATTEMPTS))  # the first abort fails
    with pytest.raises(StoreError):
        with backend.open(f"{bucket}/obj", "wb") as f:
            f.write(os.urandom(12 * 2**20))
    s3_server.faults.clear()
    assert s3_server.count("AbortMultipartUpload", bucket) == MAX_ATTEMPTS + 1
    assert no_uploads_left(s3, bucket) and body(s3, bucket, "obj") == b"previous"


@pytest.mark.parametrize("answer", [SLOWDOWN, Reset], ids=["503", "reset"])
def test_emulated_update_commit_failure_keeps_previous(answer, s3_server, s3, bucket, inject, backoffs):
    config = parse_config({"remotes": {"moto": s3_server.remote_settings(emulate=True, max_attempts=MAX_ATTEMPTS)}},
                          source="<t>")
    fs = S3Backend(config.remote("moto"))
    s3.put_object(Bucket=bucket, Key="log.txt", Body=b"line 1\n")
    inject(only("PutObject", bucket, (lambda: Reset()) if answer is Reset else answer))
    with pytest.raises(StoreError):
        with fs.open(f"{bucket}/log.txt", "ab") as f:
            f.write(b"line 2\n")
    s3_server.faults.clear()
    assert max(_attempts(s3_server, "PutObject", bucket).values()) == MAX_ATTEMPTS
    assert body(s3, bucket, "log.txt") == b"line 1\n"
    with fs.open(f"{bucket}/log.txt", "ab") as f:  # and it works again once the store does
        f.write(b"line 2\n")
    assert body(s3, bucket, "log.txt") == b"line 1\nline 2\n"


def test_a_store_that_stops_answering_times_out_after_max_attempts(s3_server, s3, bucket, inject, backoffs):
    config = parse_config({"remotes": {"moto": s3_server.remote_settings(max_attempts=2, read_timeout=1)}},
                          source="<t>")
    fs = S3Backend(config.remote("moto"))
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    fs.readdir(bucket)
    s3_server.clear()
    release = threading.Event()

    def hang(req):
        if req.op == "HeadObject" and req.bucket == bucket:
            release.wait(5)  # longer than read_timeout: the client gives up first
        return None

    inject(hang)
    try:
        with pytest.raises(StoreError) as info:
            fs.stat(f"{bucket}/k")
    finally:
        release.set()
    assert "did not answer in time" in str(info.value) and "read_timeout" in str(info.value)
    assert s3_server.count("HeadObject", bucket) == 2  # max_attempts, each timed out by the client


@pytest.mark.parametrize("op", ["ListObjectsV2", "CopyObject", "DeleteObjects", "CreateMultipartUpload",
                                "CompleteMultipartUpload"])
def test_a_response_cut_mid_body_is_retried_at_most_max_attempts(op, backend, s3_server, s3, bucket, inject):
    """The XML answer of a call is cut after 10 bytes (the connection drops): retried, bounded."""
    s3.put_object(Bucket=bucket, Key="dir/a.txt", Body=b"previous")
    backend.readdir(bucket)
    s3_server.clear()
    inject(only(op, bucket, lambda: Cut(10)))
    with pytest.raises(StoreError) as info:
        _do(op, backend, s3, bucket)
    s3_server.faults.clear()
    assert max(_attempts(s3_server, op, bucket).values()) == MAX_ATTEMPTS
    assert "\n" not in str(info.value) and f"moto://{bucket}" in str(info.value)
    assert no_uploads_left(s3, bucket)  # CreateMultipartUpload: the uploads made anyway are aborted
    if op in ("ListObjectsV2", "CreateMultipartUpload"):  # (a cut copy/delete/complete may have happened)
        assert body(s3, bucket, "dir/a.txt") == b"previous"


def test_partial_delete_failure_during_rename_is_reported_and_a_rerun_completes(backend, s3_server, s3, bucket,
                                                                                inject):
    """DeleteObjects answers 200 but lists per-key errors (as S3 does for a partial failure)."""
    keys = [f"src/{i}.txt" for i in range(5)]
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    partial = (200, XML, (
        '<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        + "".join(f"<Deleted><Key>{k}</Key></Deleted>" for k in keys[:3])
        + "".join(f"<Error><Key>{k}</Key><Code>InternalError</Code><Message>try again</Message></Error>"
                  for k in keys[3:])
        + "</DeleteResult>").encode())
    inject(only("DeleteObjects", bucket, partial, times=1))
    with pytest.raises(StoreError) as info:
        backend.rename(f"{bucket}/src", f"{bucket}/dst")
    assert "refused to delete 2 key(s)" in str(info.value) and "InternalError" in str(info.value)
    # nothing lost: every copy was made before any delete
    assert {k.replace("src/", "dst/") for k in keys} <= _all(s3, bucket)
    backend.rename(f"{bucket}/src", f"{bucket}/dst")  # the re-run finishes the job
    assert _all(s3, bucket) == {k.replace("src/", "dst/") for k in keys}
    assert all(body(s3, bucket, k.replace("src/", "dst/")) == k.encode() for k in keys)


def _all(s3, bucket: str) -> set[str]:
    return {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}


@pytest.mark.parametrize("op", ["GetObject", "PutObject", "ListObjectsV2"])
def test_retries_through_the_fsspec_protocol_are_bounded_too(op, s3_server, s3, bucket, inject, backoffs):
    import fsspec

    from dumont_nb.api import use_config

    use_config(parse_config({"remotes": {"moto": s3_server.remote_settings(max_attempts=MAX_ATTEMPTS)}}, source="<t>"))
    s3.put_object(Bucket=bucket, Key="d/a.csv", Body=b"a,b\n1,2\n")
    ffs = fsspec.filesystem("moto")
    ffs.ls(bucket)
    s3_server.clear()
    inject(only(op, bucket, SLOWDOWN))
    with pytest.raises(OSError) as info:
        if op == "GetObject":
            ffs.cat_file(f"moto://{bucket}/d/a.csv")
        elif op == "PutObject":
            ffs.pipe_file(f"moto://{bucket}/d/a.csv", b"new")
        else:
            ffs.ls(f"{bucket}/d")
    s3_server.faults.clear()
    assert isinstance(info.value, StoreError) and "SlowDown" in str(info.value)
    assert s3_server.count(op, bucket) == MAX_ATTEMPTS
    assert body(s3, bucket, "d/a.csv") == b"a,b\n1,2\n"


def test_a_lost_create_answer_of_a_multipart_copy_leaves_no_upload(backend, s3_server, s3, bucket, inject,
                                                                    monkeypatch):
    from dumont_nb.vfs import copy as vcopy

    monkeypatch.setattr(vcopy, "MULTIPART_COPY_THRESHOLD", 2**20)  # a 6 MiB object is "huge" here
    monkeypatch.setattr(vcopy, "COPY_PART_SIZE", 5 * 2**20)
    s3.put_object(Bucket=bucket, Key="big", Body=b"b" * (6 * 2**20))
    inject(only("CreateMultipartUpload", bucket, lambda: Cut(10)))
    with pytest.raises(StoreError):
        backend.rename(f"{bucket}/big", f"{bucket}/moved")
    s3_server.faults.clear()
    assert s3_server.count("CreateMultipartUpload", bucket) == MAX_ATTEMPTS
    assert no_uploads_left(s3, bucket)
    assert _all(s3, bucket) == {"big"}


def test_the_servers_peak_counts_requests_held_at_once(s3_server, s3, bucket):
    """``peak(op)``: requests of one kind held at once, from arrival to the end of the answer
    (the inventory tests rely on it to show overlap); answers faulted or not are counted."""
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3_server.clear()
    assert s3_server.peak("HeadObject") == 0
    s3.head_object(Bucket=bucket, Key="k")
    s3.head_object(Bucket=bucket, Key="k")
    assert s3_server.peak("HeadObject") == 1  # one after the other
    arrived, go = threading.Barrier(3), threading.Event()

    def hold(req):
        if req.op == "HeadObject":
            arrived.wait(timeout=10)
            go.wait(timeout=10)

    s3_server.faults.append(hold)
    try:
        threads = [threading.Thread(target=s3_server.boto3_client().head_object, kwargs={"Bucket": bucket, "Key": "k"})
                   for _ in range(2)]
        for t in threads:
            t.start()
        arrived.wait(timeout=10)  # both are inside the server now
        go.set()
        for t in threads:
            t.join(timeout=10)
    finally:
        s3_server.faults.remove(hold)
    assert s3_server.peak("HeadObject") == 2
    assert s3_server.peak("GetObject") == 0
    # nothing is held once the server has closed both answers (a client may have its answer a
    # moment before the server thread closes it: wait for that, bounded)
    for _ in range(500):
        s3_server.clear()
        if s3_server.peak("HeadObject") == 0:
            break
        time.sleep(0.01)
    assert s3_server.peak("HeadObject") == 0
