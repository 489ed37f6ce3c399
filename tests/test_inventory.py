"""``inventory``: the exact key set of a sequential listing, with many requests in flight.

Against moto through the test server's request log; a fault hook adds latency (and counts the
requests in flight at once) so that overlap is seen by the server. boto3 is the oracle.
"""

from __future__ import annotations

import random
import threading
import time

import pandas as pd
import pytest

import dumont_nb
from dumont_nb import inventories as inv
from dumont_nb.vfs.ranges import KeySpace


def _seed(s3_server, bucket: str, keys: list[str], body: bytes = b"x") -> None:
    """Many keys fast: straight into moto's backend (PutObject per key would take minutes)."""
    from moto.s3.models import s3_backends

    backend = s3_backends["123456789012"]["aws"]
    for k in keys:
        # moto computes an ETag lazily from the stored body; two listing threads doing it at once
        # for one key read the body file concurrently and one may cache the MD5 of b"" (seen):
        # compute it here, before any listing
        _ = backend.put_object(bucket, k, body).etag


def _oracle(s3, bucket: str, prefix: str = "") -> dict[str, tuple[int, str]]:
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", ()):
            if not o["Key"].endswith("/"):
                out[o["Key"]] = (o["Size"], o["ETag"].strip('"'))
    return out


class Latency:
    """A fault hook: every ListObjectsV2 waits ``seconds``; ``peak`` is the most at once."""

    def __init__(self, seconds: float):
        self.seconds, self.now, self.peak = seconds, 0, 0
        self.lock = threading.Lock()

    def __call__(self, req):
        if req.op != "ListObjectsV2":
            return None
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(self.seconds)
        with self.lock:
            self.now -= 1
        return None


@pytest.fixture
def latency(s3_server):
    hook = Latency(0.03)
    s3_server.faults.append(hook)
    yield hook
    s3_server.faults.remove(hook)


def _check(df, s3, bucket, prefix=""):
    want = _oracle(s3, bucket, prefix)
    got = dict(zip(df["path"].str.split("/", n=1).str[1], zip(df["size"], df["etag"])))
    assert len(df) == len(got), "duplicates"
    assert got == want
    assert list(df["path"]) == sorted(df["path"], key=lambda p: p.encode())  # key order


@pytest.mark.slow
def test_flat_hex_prefix_exact_parallel_and_within_budget(config, s3, s3_server, bucket, request_log, latency):
    rng = random.Random(7)
    keys = [f"h/{rng.getrandbits(64):016x}.bin" for _ in range(12_000)]
    _seed(s3_server, bucket, keys)
    s3_server.clear()
    df = dumont_nb.inventory(f"moto://{bucket}/h/", concurrency=16, config=config, progress=False)
    lists = request_log.count("ListObjectsV2", bucket)  # before the oracle lists too
    _check(df, s3, bucket, "h/")
    assert lists <= 3 * 12  # 3 × ceil(N / 1000)
    # requests really overlapped at the server: counted from arrival to the end of each answer (the
    # hook's own window, 30 ms of sleep, saw only 3 at once on a loaded CI machine: moto renders a
    # page in more than that, so the second generation of ranges arrives staggered)
    assert s3_server.peak("ListObjectsV2") >= 4
    assert latency.peak <= 16  # and never more than asked (the hook's window lies inside a request)
    ref = dumont_nb.listing(f"moto://{bucket}/h/", recursive=True, config=config)
    pd.testing.assert_frame_equal(pd.DataFrame(df), pd.DataFrame(ref))  # same columns, dtypes and rows


def test_ranges_are_cut_only_for_a_free_slot(config, s3, s3_server, bucket, request_log):
    """A range is cut only while fewer ranges than ``concurrency`` are being listed: with one
    slot the inventory is the sequential listing (exactly ceil(N/1000) requests); with more, each
    extra range costs at most its last page."""
    rng = random.Random(11)
    _seed(s3_server, bucket, [f"c/{rng.getrandbits(64):016x}" for _ in range(5000)])
    fs = dumont_nb.filesystem("moto", config=config)
    for concurrency in (1, 2, 4):
        request_log.clear()
        df, lister = inv.inventory_range(fs, f"{bucket}/c", concurrency=concurrency)
        assert len(df) == 5000
        lists = request_log.count("ListObjectsV2", bucket)
        assert lists == lister.requests
        if concurrency == 1:
            assert (lists, len(lister.ranges), lister.peak_in_flight) == (5, 1, 1)
        else:
            assert 1 < len(lister.ranges) and lists <= 5 + len(lister.ranges)  # at most one partial page a range
            assert lister.peak_in_flight <= concurrency


@pytest.mark.slow
def test_deep_tree_dates_and_sequential_names(config, s3, s3_server, bucket, request_log):
    keys = [f"t/{y}/{m:02d}/{d:02d}/part-{i:05d}.csv" for y in (2023, 2024) for m in range(1, 13)
            for d in range(1, 29, 9) for i in range(60)]
    keys += [f"t/seq/{i:07d}" for i in range(3000)]
    _seed(s3_server, bucket, keys)
    s3_server.clear()
    df = dumont_nb.inventory(f"moto://{bucket}/t/", concurrency=8, config=config, progress=False)
    assert request_log.count("ListObjectsV2", bucket) <= 3 * -(-len(keys) // 1000)
    _check(df, s3, bucket, "t/")


def test_hostile_keys_and_markers(config, s3, bucket):
    keys = ["k/ünï cødé", "k/a+b", "k/100%", "k/sp ace", "k/&amp;<x>", "k/ctl\x01\x1f", "k/tab\there", "k/émoji 🎉",
            "k//double", "k/zz", "k/" + "é" * 300]
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    s3.put_object(Bucket=bucket, Key="k/dir/", Body=b"")  # a marker: hidden
    df = dumont_nb.inventory(f"moto://{bucket}/k/", config=config, progress=False)
    _check(df, s3, bucket, "k/")
    assert not df["path"].str.endswith("/").any()


def test_small_prefix_is_one_request(config, s3, bucket, request_log):
    for i in range(10):
        s3.put_object(Bucket=bucket, Key=f"s/{i}", Body=b"1")
    request_log.clear()
    df = dumont_nb.inventory(f"moto://{bucket}/s/", config=config, progress=False)
    assert len(df) == 10 and request_log.count("ListObjectsV2", bucket) == 1


def test_own_writes_are_reconciled_like_listing(fs, config, s3, bucket):
    with fs.open(f"{bucket}/w/new.txt", "wb") as f:
        f.write(b"mine")
    df = dumont_nb.inventory(f"moto://{bucket}/w/", config=config, progress=False)
    assert list(df["name"]) == ["new.txt"]


@pytest.mark.slow
def test_ctrl_c_stops_every_thread_and_returns_nothing(config, s3_server, bucket):
    rng = random.Random(3)
    _seed(s3_server, bucket, [f"c/{rng.getrandbits(48):012x}" for _ in range(8000)])
    slow = Latency(0.2)
    s3_server.faults.append(slow)
    timer = threading.Timer(0.5, lambda: __import__("_thread").interrupt_main())
    try:
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            dumont_nb.inventory(f"moto://{bucket}/c/", concurrency=8, config=config, progress=False)
        assert not [t for t in threading.enumerate() if t.name.startswith("dumont-inventory")]
        before = s3_server.count("ListObjectsV2", bucket)
        time.sleep(0.6)
        assert s3_server.count("ListObjectsV2", bucket) == before  # no request after the interrupt returned
    finally:
        timer.cancel()
        s3_server.faults.remove(slow)


def test_key_space_cuts_are_ordered_and_inside():
    space = KeySpace([f"{i:04x}" for i in range(0, 65536, 97)])
    cuts = space.cuts("p/0a00", "p/f000", 3, "p/")
    assert len(cuts) == 2 and "p/0a00" < cuts[0] < cuts[1] < "p/f000"
    assert space.cuts("p/abc", None, 3, "p/")  # open end
    assert space.cuts("p/a", "p/a\x20", 3, "p/") == [] or all("p/a" < c < "p/a " for c in space.cuts("p/a", "p/a\x20", 3, "p/"))


def test_to_parquet_through_the_protocol_and_back(config, s3, bucket):
    pytest.importorskip("pyarrow")
    for i in range(5):
        s3.put_object(Bucket=bucket, Key=f"p/{i}.csv", Body=b"a")
    dumont_nb.use_config(config)
    df = dumont_nb.inventory(f"moto://{bucket}/p/", progress=False)
    df.to_parquet(f"moto://{bucket}/_inventory/p.parquet")
    back = pd.read_parquet(f"moto://{bucket}/_inventory/p.parquet")
    assert list(back["path"]) == list(df["path"]) and list(back["size"]) == list(df["size"])


@pytest.mark.slow
def test_dask_local_cluster_with_env_credentials_gives_the_same_rows(s3_server, s3, bucket, monkeypatch):
    from distributed import Client, LocalCluster

    from dumont_nb.config import parse_config
    from dumont_nb.testing.server import TEST_KEY, TEST_SECRET

    rng = random.Random(11)
    _seed(s3_server, bucket, [f"d/{rng.getrandbits(40):010x}" for _ in range(5000)])
    monkeypatch.setenv("DUMONT_DASK_KEY", TEST_KEY)  # inherited by the worker processes
    monkeypatch.setenv("DUMONT_DASK_SECRET", TEST_SECRET)
    cfg = parse_config({"remotes": {"moto": s3_server.remote_settings(
        credentials={"access_key_id": "env:DUMONT_DASK_KEY", "secret_access_key": "env:DUMONT_DASK_SECRET"})}})
    local = dumont_nb.inventory(f"moto://{bucket}/d/", config=cfg, progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        ddf = dumont_nb.inventory(f"moto://{bucket}/d/", dask=client, config=cfg)
        assert ddf.npartitions > 2  # the first page plus ranges listed by the workers
        who = client.run(lambda: __import__("os").getpid())
        assert len(who) == 2
        got = ddf.compute()
    pd.testing.assert_frame_equal(pd.DataFrame(got).reset_index(drop=True), pd.DataFrame(local).reset_index(drop=True))
    assert len(got) == 5000
