"""Stat tables: ``listing`` and ``du`` against moto's S3 server, checked with boto3 and the
server's request log; rendering and columnar construction checked on their own."""

from __future__ import annotations

import math
import weakref
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest

from dumont_nb.errors import InvalidURLError
from dumont_nb.tables import SCHEMA, StatFrame, du, frame_from_pages, human_size, listing
from dumont_nb.vfs.base import FileInfo

EXPECTED_DTYPES = {
    "url": "string",
    "path": "string",
    "name": "string",
    "type": "string",
    "size": "int64",
    "mtime": "datetime64[s, UTC]",
    "etag": "string",
    "storage_class": "string",
}


def put(s3, bucket, key, body=b"x"):
    s3.put_object(Bucket=bucket, Key=key, Body=body)


def test_columns_and_dtypes_match_the_store(config, s3, bucket):
    put(s3, bucket, "a.csv", b"1,2\n3,4\n")
    put(s3, bucket, "sub/c.txt", b"hello")
    df = listing(f"moto://{bucket}/", config=config)
    assert list(df.columns) == list(EXPECTED_DTYPES)
    assert {c: str(t) for c, t in df.dtypes.items()} == EXPECTED_DTYPES
    assert [c.name for c in SCHEMA] == list(df.columns)
    rows = {r.name: r for r in df.itertuples()}
    assert set(rows) == {"a.csv", "sub"}
    head = s3.head_object(Bucket=bucket, Key="a.csv")
    a = rows["a.csv"]
    assert (a.url, a.path, a.type, a.size) == (f"moto://{bucket}/a.csv", f"{bucket}/a.csv", "file", 8)
    assert a.etag == head["ETag"].strip('"')
    assert a.mtime == pd.Timestamp(head["LastModified"].replace(microsecond=0)).tz_convert("UTC")
    assert a.storage_class == "STANDARD"
    sub = rows["sub"]
    assert (sub.url, sub.type, sub.size) == (f"moto://{bucket}/sub/", "dir", 0)
    assert pd.isna(sub.etag) and pd.isna(sub.mtime)


def test_markers_never_appear_as_rows(config, s3, bucket):
    put(s3, bucket, "empty/", b"")  # a console-style folder marker
    put(s3, bucket, "d/", b"")
    put(s3, bucket, "d/f.txt", b"abc")
    top = listing(f"moto://{bucket}", config=config)
    assert sorted(zip(top.name, top.type)) == [("d", "dir"), ("empty", "dir")]
    inside = listing(f"moto://{bucket}/d/", config=config)
    assert list(inside.name) == ["f.txt"]
    everything = listing(f"moto://{bucket}", recursive=True, config=config)
    assert list(everything.path) == [f"{bucket}/d/f.txt"]
    assert (everything.type == "file").all()
    assert listing(f"moto://{bucket}/empty/", config=config).empty


@pytest.mark.slow
def test_recursive_listing_costs_one_request_per_thousand_keys(config, s3_server, s3, bucket):
    n = 2500
    keys = [f"p{i % 7}/k{i:05d}" for i in range(n)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: put(s3, bucket, k, b""), keys))
    s3_server.clear()
    df = listing(f"moto://{bucket}", recursive=True, config=config)
    assert len(df) == n
    assert sorted(df.path) == sorted(f"{bucket}/{k}" for k in keys)
    lists = s3_server.requests("ListObjectsV2", bucket)
    assert len(lists) == math.ceil(n / 1000) == 3
    assert all("delimiter" not in r.params for r in lists)
    assert s3_server.count() == 3  # nothing else: no HEADs, no per-directory listings


def test_remote_root_lists_buckets(config, s3, bucket):
    df = listing("moto://", config=config)
    assert {c: str(t) for c, t in df.dtypes.items()} == EXPECTED_DTYPES
    row = df[df.name == bucket].iloc[0]
    assert (row.url, row.type, row.path) == (f"moto://{bucket}/", "dir", bucket)
    assert set(df.name) == {b["Name"] for b in s3.list_buckets()["Buckets"]}


def test_object_url_gives_its_row_and_missing_raises(config, s3, bucket):
    put(s3, bucket, "dir/one.bin", b"12345")
    df = listing(f"moto://{bucket}/dir/one.bin", config=config)
    assert list(zip(df.name, df["size"])) == [("one.bin", 5)]
    with pytest.raises(FileNotFoundError, match="nothing|no such"):
        listing(f"moto://{bucket}/nothing-here", config=config)


def test_glob_filters_names_and_relative_paths(config, s3, bucket):
    for k in ("a.csv", "b.txt", "x/c.csv", "x/y/d.csv"):
        put(s3, bucket, k)
    names = listing(f"moto://{bucket}", recursive=True, glob="*.csv", config=config)
    assert sorted(names.name) == ["a.csv", "c.csv", "d.csv"]
    deep = listing(f"moto://{bucket}", recursive=True, glob="x/y/*", config=config)
    assert list(deep.path) == [f"{bucket}/x/y/d.csv"]
    none = listing(f"moto://{bucket}", glob="*.parquet", config=config)
    assert none.empty and list(none.columns) == list(EXPECTED_DTYPES)


def test_du_totals_per_sub_prefix_in_one_listing(config, s3_server, s3, bucket):
    sizes = {"a/x": 10, "a/y": 20, "a/b/z": 5, "c/w": 7, "top": 1}
    for k, n in sizes.items():
        put(s3, bucket, k, b"\0" * n)
    put(s3, bucket, "a/b/", b"")  # a marker: no object count
    s3_server.clear()
    d1 = du(f"moto://{bucket}", config=config)
    assert s3_server.count() == 1 and s3_server.count("ListObjectsV2") == 1
    got = {r.path: (r.depth, r.size, r.count) for r in d1.itertuples()}
    assert got == {"": (0, 43, 5), "a": (1, 35, 3), "c": (1, 7, 1)}
    assert d1.loc[d1.path == "a", "url"].item() == f"moto://{bucket}/a/"
    assert str(d1["size"].dtype) == "int64" and str(d1["count"].dtype) == "int64"
    d2 = du(f"moto://{bucket}/a/", depth=2, config=config)
    assert {r.path: (r.size, r.count) for r in d2.itertuples()} == {"": (35, 3), "b": (5, 1)}
    with pytest.raises(ValueError, match="depth"):
        du(f"moto://{bucket}", depth=-1, config=config)
    with pytest.raises(FileNotFoundError):
        du(f"moto://{bucket}/missing/", config=config)
    with pytest.raises(InvalidURLError, match="bucket is required"):
        du("moto://", config=config)


def test_html_rendering_is_human_readable_and_escaped(config, s3, bucket):
    put(s3, bucket, "<i>x<script>&.txt", b"\0" * 1536)
    df = listing(f"moto://{bucket}", config=config)
    html = df._repr_html_()
    assert "1.5 KiB" in html
    assert "&lt;i&gt;x&lt;script&gt;&amp;.txt" in html and "<script>" not in html and "<i>" not in html
    assert str(df["size"].dtype) == "int64" and df["size"].tolist() == [1536]  # display only
    assert isinstance(df[df["size"] > 0], StatFrame)


def test_human_size():
    assert [human_size(n) for n in (0, 1023, 1024, 1536, 5 * 1024**3)] == ["0 B", "1023 B", "1.0 KiB", "1.5 KiB", "5.0 GiB"]
    assert human_size(None) == ""


class _Page(list):
    """A listing page that can be weak-referenced, to count how many are alive."""


def test_frame_is_built_columnar_holding_one_page_at_a_time():
    alive = [0]
    peak = []
    t = datetime(2024, 5, 1, 12, 30, 15, tzinfo=timezone.utc)

    def pages():
        for p in range(100):
            peak.append(alive[0])  # pages still referenced when the next is made
            page = _Page(
                FileInfo(name=f"k{p}-{i}", path=f"bkt/d/k{p}-{i}", size=i, mtime=t, is_dir=False, etag=f'"e{i}"')
                for i in range(1000)
            )
            alive[0] += 1
            weakref.finalize(page, lambda: alive.__setitem__(0, alive[0] - 1))
            yield page
            del page

    df = frame_from_pages(pages(), "r2")
    assert len(df) == 100_000
    assert max(peak) <= 1
    assert {c: str(t) for c, t in df.dtypes.items()} == EXPECTED_DTYPES
    assert df["url"].iloc[-1] == "r2://bkt/d/k99-999" and df["etag"].iloc[0] == "e0"
    assert (df["mtime"] == pd.Timestamp("2024-05-01 12:30:15", tz="UTC")).all()
    assert int(df["size"].sum()) == 100 * sum(range(1000))
    assert np.asarray(df["size"]).dtype == np.int64


def test_mtime_is_whole_seconds_even_when_the_listing_has_milliseconds(config, s3_server, bucket):
    """Real S3 listings carry milliseconds (moto's do not): answer one listing by hand."""
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        f"<Name>{bucket}</Name><Prefix></Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys>"
        "<IsTruncated>false</IsTruncated>"
        "<Contents><Key>m.txt</Key><LastModified>2024-05-01T12:30:15.789Z</LastModified>"
        '<ETag>"abc"</ETag><Size>3</Size><StorageClass>GLACIER</StorageClass></Contents>'
        "</ListBucketResult>"
    ).encode()

    def answer(req):
        if req.op == "ListObjectsV2" and req.bucket == bucket:
            return 200, {"Content-Type": "application/xml"}, xml
        return None

    s3_server.faults.append(answer)
    try:
        df = listing(f"moto://{bucket}", recursive=True, config=config)
    finally:
        s3_server.faults.remove(answer)
    assert df["mtime"].tolist() == [pd.Timestamp("2024-05-01 12:30:15", tz="UTC")]
    assert (df["etag"].tolist(), df["storage_class"].tolist()) == (["abc"], ["GLACIER"])


def test_html_shows_long_cells_up_to_200_characters():
    from dumont_nb.tables import StatFrame

    long = "x" * 150
    html = StatFrame({"why": [long]})._repr_html_()
    assert long in html


def test_the_one_pass_stat_columns_equal_the_schema_getters(config, s3, bucket):
    """``_Columns._add_stat`` (the listing hot loop) writes exactly what the SCHEMA getters give."""
    from dumont_nb.tables import SCHEMA, _Columns

    for k in ("a.csv", "d/x", "d/y/", "é z"):
        s3.put_object(Bucket=bucket, Key=k, Body=b"12")
    fs = __import__("dumont_nb").filesystem("moto", config=config)
    page = [e for p in fs.iterdir(bucket) for e in p] + [e for p in fs.iterdir(f"{bucket}/d", recursive=True, markers=True) for e in p]
    fast, generic = _Columns("moto", SCHEMA), _Columns("moto", tuple(SCHEMA))
    fast.add(page)
    generic.add(page)
    assert fast.data == generic.data and len(fast) == len(page)


def test_html_shows_no_size_for_folders_and_left_aligns_text():
    import numpy as np
    import pandas as pd

    from dumont_nb.tables import StatFrame

    f = StatFrame({"name": pd.array(["a", "b.csv"], dtype="string"), "type": pd.array(["dir", "file"], dtype="string"),
                   "size": np.array([0, 2048], dtype=np.int64)})
    html = f._repr_html_()
    assert "0 B" not in html and "2.0 KiB" in html  # the folder's size cell is blank
    assert "td:nth-child(2)" in html and "text-align:left" in html  # name (column 0) reads left to right
    assert f["size"].tolist() == [0, 2048]  # only the display changed
