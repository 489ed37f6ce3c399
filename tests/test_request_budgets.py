"""Request budgets, counted in the server's request log: a directory rename sends no HEAD
(object or directory is answered by the listing it needs anyway), a Parquet read through the
fsspec protocol costs at most one HEAD plus the GETs pyarrow asks for."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from dumont_nb import api
from dumont_nb.api import filesystem
from dumont_nb.config import parse_config
from dumont_nb.protocols import register_remotes
from dumont_nb.vfs import registry


def _keys(s3, bucket):
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sorted(c["Key"] for page in pages for c in page.get("Contents", ()))


def _ops(log, bucket):
    counts: dict[str, int] = {}
    for r in log.log:
        if r.bucket == bucket:
            counts[r.op] = counts.get(r.op, 0) + 1
    return counts


def test_directory_rename_sends_no_head(fs, s3, bucket, request_log):
    for i in range(30):
        s3.put_object(Bucket=bucket, Key=f"d/{i:02d}", Body=b"x")
    s3.put_object(Bucket=bucket, Key="d0/after", Body=b"sibling after d/")
    request_log.clear()
    fs.rename(f"{bucket}/d", f"{bucket}/e")
    # one listing of the prefix "d" (its keys and the answer "no object d"), one for "is e an object?"
    assert _ops(request_log, bucket) == {"ListObjectsV2": 2, "CopyObject": 30, "DeleteObjects": 1}
    assert _keys(s3, bucket) == ["d0/after"] + [f"e/{i:02d}" for i in range(30)]


def test_a_sibling_sorting_before_the_slash_costs_one_listing_not_a_head(fs, s3, bucket, request_log):
    s3.put_object(Bucket=bucket, Key="d.csv", Body=b"sorts between d and d/")
    for i in range(3):
        s3.put_object(Bucket=bucket, Key=f"d/{i}", Body=b"x")
    request_log.clear()
    fs.rename(f"{bucket}/d", f"{bucket}/e")
    assert _ops(request_log, bucket) == {"ListObjectsV2": 3, "CopyObject": 3, "DeleteObjects": 1}
    assert _keys(s3, bucket) == ["d.csv", "e/0", "e/1", "e/2"]


def test_object_wins_over_folder_of_the_same_name_and_the_slash_picks_the_folder(fs, s3, bucket, request_log):
    s3.put_object(Bucket=bucket, Key="a", Body=b"object a")
    s3.put_object(Bucket=bucket, Key="a/x", Body=b"under a/")
    request_log.clear()
    fs.rename(f"{bucket}/a", f"{bucket}/b")  # the object
    assert _ops(request_log, bucket).get("HeadObject", 0) == 0
    assert _keys(s3, bucket) == ["a/x", "b"]
    assert s3.get_object(Bucket=bucket, Key="b")["Body"].read() == b"object a"
    fs.rename(f"{bucket}/a/", f"{bucket}/c")  # the folder
    assert _keys(s3, bucket) == ["b", "c/x"]


def test_directory_onto_an_object_is_still_refused_without_a_head(fs, s3, bucket, request_log):
    s3.put_object(Bucket=bucket, Key="f", Body=b"1")
    s3.put_object(Bucket=bucket, Key="d/x", Body=b"2")
    request_log.clear()
    with pytest.raises(NotADirectoryError, match="is an object"):
        fs.rename(f"{bucket}/d", f"{bucket}/f")
    assert _ops(request_log, bucket) == {"ListObjectsV2": 2}
    assert _keys(s3, bucket) == ["d/x", "f"]


@pytest.fixture
def active(config, monkeypatch):
    before = registry._active
    monkeypatch.setattr(registry, "_active", before)
    api.use_config(config)
    yield config
    register_remotes(before if before is not None else parse_config({}))


def _parquet(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf)
    return buf.getvalue()


def test_parquet_read_costs_one_head_and_the_gets_pyarrow_asks_for(active, s3, bucket, request_log):
    df = pd.DataFrame({"a": range(1000), "b": ["x"] * 1000})
    s3.put_object(Bucket=bucket, Key="t/x.parquet", Body=_parquet(df))
    request_log.clear()
    pd.testing.assert_frame_equal(pd.read_parquet(f"moto://{bucket}/t/x.parquet"), df)
    ops = _ops(request_log, bucket)
    assert ops.get("HeadObject", 0) == 1 and set(ops) <= {"HeadObject", "GetObject"}
    assert ops["GetObject"] <= 2  # pyarrow opens the file twice (dataset, then read), one read each


def test_own_overwrite_is_read_back_at_once_despite_the_info_cache(active, bucket):
    url = f"moto://{bucket}/t/y.parquet"
    first, second = pd.DataFrame({"a": [1]}), pd.DataFrame({"a": list(range(50)), "b": ["long"] * 50})
    first.to_parquet(url)
    pd.testing.assert_frame_equal(pd.read_parquet(url), first)
    with filesystem("moto", config=active).open(f"{bucket}/t/y.parquet", "wb") as f:  # not through fsspec
        f.write(_parquet(second))
    pd.testing.assert_frame_equal(pd.read_parquet(url), second)  # within the cache's second
