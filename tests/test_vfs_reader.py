"""Reads on S3: random access fetches about what it reads; file objects work with pandas/pyarrow."""

from __future__ import annotations

import io
import random

import pytest

MIB = 2**20


def test_random_4k_reads_fetch_at_most_twice_what_they_read(fs, s3, bucket, request_log):
    data = random.Random(1).randbytes(16 * MIB)
    s3.put_object(Bucket=bucket, Key="r.bin", Body=data)
    rng = random.Random(2)
    requested = 0
    with fs.open(f"{bucket}/r.bin", "rb") as f:
        request_log.clear()
        for _ in range(100):
            off = rng.randrange(0, len(data) - 4096)
            f.seek(off)
            assert f.read(4096) == data[off:off + 4096]
            requested += 4096
        assert f.bytes_fetched <= 2 * requested
    sent = sum(r.bytes_sent for r in request_log.requests("GetObject"))
    assert sent <= 2 * requested, f"{sent} bytes sent for {requested} requested"


def test_sequential_read_of_a_large_object_uses_few_requests(fs, s3, bucket, request_log):
    data = random.Random(3).randbytes(12 * MIB)
    s3.put_object(Bucket=bucket, Key="s.bin", Body=data)
    with fs.open(f"{bucket}/s.bin", "rb") as f:
        request_log.clear()
        out = bytearray()
        while chunk := f.read(64 * 1024):
            out += chunk
    assert bytes(out) == data
    assert request_log.count("GetObject") <= 12  # 192 reads; the read-ahead window grows to 8 MiB


def test_readinto_and_buffered_wrappers(fs, s3, bucket):
    s3.put_object(Bucket=bucket, Key="b", Body=b"abcdefgh")
    with fs.open(f"{bucket}/b", "rb") as f:
        buf = bytearray(3)
        assert f.readinto(buf) == 3 and bytes(buf) == b"abc"
        assert f.peek(1).startswith(b"d") and f.tell() == 3
        assert f.read() == b"defgh"
    with fs.open(f"{bucket}/b", "rb") as f:
        assert io.BufferedReader(f, buffer_size=4).read() == b"abcdefgh"


def test_pandas_reads_and_writes_through_the_file_objects(fs, bucket):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "é"]})
    with fs.open(f"{bucket}/t.csv", "w") as f:
        df.to_csv(f, index=False)
    with fs.open(f"{bucket}/t.csv", "rb") as f:
        assert pd.read_csv(f).equals(df)
    with fs.open(f"{bucket}/t.csv", "r") as f:
        assert pd.read_csv(f).equals(df)


def test_pyarrow_parquet_round_trip(fs, bucket):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table({"n": list(range(1000)), "s": [str(i) for i in range(1000)]})
    with fs.open(f"{bucket}/t.parquet", "wb") as f:
        pq.write_table(table, f)
    with fs.open(f"{bucket}/t.parquet", "rb") as f:
        assert pq.read_table(f).equals(table)


def test_public_open_by_url(config, s3, bucket):
    import dumont_nb

    with dumont_nb.open(f"moto://{bucket}/dir/u.txt", "w", config=config) as f:
        f.write("by url")
    assert s3.get_object(Bucket=bucket, Key="dir/u.txt")["Body"].read() == b"by url"
    fs, path = dumont_nb.resolve(f"moto://{bucket}/dir/u.txt", config=config)
    assert path == f"{bucket}/dir/u.txt" and fs.stat(path).size == 6
    with dumont_nb.open(f"moto://{bucket}/dir/u.txt", config=config) as f:
        assert f.read() == b"by url"


def test_a_short_response_is_resumed_with_a_pinned_range_get(fs, s3, s3_server, bucket):
    data = bytes(range(256)) * 40
    etag = s3.put_object(Bucket=bucket, Key="short", Body=data)["ETag"]
    state = {"done": False}

    def first_get_ends_early(request):
        if request.op != "GetObject" or state["done"] or "range" not in request.headers:
            return None
        state["done"] = True
        return 206, {"ETag": etag, "Content-Range": f"bytes 0-99/{len(data)}"}, data[:100]

    with fs.open(f"{bucket}/short", "rb") as f:
        s3_server.clear()
        s3_server.faults.append(first_get_ends_early)
        try:
            assert f.read() == data
        finally:
            s3_server.faults.clear()
    gets = s3_server.requests("GetObject")
    assert state["done"] and len(gets) == 2
    assert gets[1].headers["range"] == f"bytes=100-{len(data) - 1}"
    assert gets[1].headers["if-match"].strip('"') == etag.strip('"')
