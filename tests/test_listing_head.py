"""``listing(url, head=True)``: HEAD-only fields (content type, user metadata) added by
concurrent HeadObject requests, checked against boto3 and the server's request log."""

from __future__ import annotations

import threading
import time

import pandas as pd

from dumont_nb.tables import listing


def _seed(s3, bucket, n=24):
    for i in range(n):
        s3.put_object(Bucket=bucket, Key=f"data/f{i:02d}.json", Body=b"{}", ContentType="application/json",
                      Metadata={"owner": f"user{i % 3}"})
    s3.put_object(Bucket=bucket, Key="data/sub/inner.txt", Body=b"x", ContentType="text/plain")
    s3.put_object(Bucket=bucket, Key="data/empty/", Body=b"")  # a directory marker


def test_head_columns_match_boto3_and_cost_one_head_per_file(config, s3, bucket, request_log):
    _seed(s3, bucket)
    request_log.clear()
    df = listing(f"moto://{bucket}/data/", head=True, config=config)
    files = df[df["type"] == "file"]
    assert len(files) == 24 and request_log.count("HeadObject", bucket) == 24
    assert request_log.count("ListObjectsV2", bucket) == 1
    for _, row in files.iterrows():
        want = s3.head_object(Bucket=bucket, Key=row["path"].split("/", 1)[1])
        assert row["content_type"] == want["ContentType"] == "application/json"
        assert row["metadata"] == want["Metadata"]
    dirs = df[df["type"] == "dir"]
    assert set(dirs["name"]) == {"sub", "empty"}
    assert dirs["content_type"].isna().all() and dirs["metadata"].isna().all()
    assert str(df["content_type"].dtype) == "string"


def test_without_head_no_extra_columns_and_no_heads(config, s3, bucket, request_log):
    _seed(s3, bucket, n=3)
    request_log.clear()
    df = listing(f"moto://{bucket}/data/", recursive=True, config=config)
    assert "content_type" not in df.columns and "metadata" not in df.columns
    assert request_log.count("HeadObject", bucket) == 0


def test_heads_are_sent_concurrently(config, s3, bucket, s3_server):
    _seed(s3, bucket, n=12)
    lock, state = threading.Lock(), {"now": 0, "max": 0}

    def hold_heads(req):  # holds each HEAD briefly inside the server and counts how many overlap
        if req.method != "HEAD" or req.bucket != bucket:
            return None
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        return None

    s3_server.faults.append(hold_heads)
    try:
        df = listing(f"moto://{bucket}/data/", recursive=True, head=True, config=config)
    finally:
        s3_server.faults.remove(hold_heads)
    assert len(df) == 13 and df["content_type"].notna().all()
    assert state["max"] > 1


def test_object_url_with_head(config, s3, bucket):
    _seed(s3, bucket, n=1)
    df = listing(f"moto://{bucket}/data/sub/inner.txt", head=True, config=config)
    assert list(df["content_type"]) == ["text/plain"] and isinstance(df, pd.DataFrame)
