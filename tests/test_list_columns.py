"""The columnar listing (``FileSystem.iter_columns``; on S3 ``vfs/s3_columns.py``) against the
``FileInfo`` listing it replaces for stat tables, differentially, on moto: the same rows for
hostile keys, folders, markers, with our parser and with botocore's; exactly one ListObjectsV2
a page (the next page is requested early, never one too many); no request after it is closed."""

from __future__ import annotations

import time

import pytest
from pandas.testing import assert_frame_equal

from dumont_nb.api import filesystem
from dumont_nb.tables import frame_from_pages, listing
from dumont_nb.testing import MemoryFileSystem
from dumont_nb.vfs import client as client_mod
from dumont_nb.vfs.base import PageColumns
from dumont_nb.vfs.registry import close_all

from test_listparse import HOSTILE


def _seed(s3, bucket):
    for k in HOSTILE:
        s3.put_object(Bucket=bucket, Key=f"top/{k}", Body=k.encode())
        s3.put_object(Bucket=bucket, Key=f"top/sub dir/{k}", Body=b"x" * 3)
    s3.put_object(Bucket=bucket, Key="top/", Body=b"")  # the listed folder's own marker
    s3.put_object(Bucket=bucket, Key="top/empty/", Body=b"")  # an empty folder
    s3.put_object(Bucket=bucket, Key="top/a", Body=b"object a")  # an object and a folder of one name
    s3.put_object(Bucket=bucket, Key="top/a/b", Body=b"under a/")


@pytest.mark.parametrize("fast", [True, False], ids=["our-parser", "botocore-parser"])
@pytest.mark.parametrize("recursive", [False, True], ids=["flat", "recursive"])
def test_columns_equal_fileinfo_pages(config, s3, bucket, fast, recursive, monkeypatch, request):
    _seed(s3, bucket)
    request.addfinalizer(close_all)  # later tests build their client with the parser restored
    monkeypatch.setattr(client_mod, "FAST_LIST_PARSER", fast)
    close_all()  # a fresh client, so FAST_LIST_PARSER decides its parser
    fs = filesystem("moto", config=config)
    columns = list(fs.iter_columns(f"{bucket}/top", recursive=recursive))
    pages = [PageColumns.of(p) for p in fs.iterdir(f"{bucket}/top", recursive=recursive)]
    assert columns == pages
    rows = sum(len(c) for c in columns)
    assert rows == (2 * len(HOSTILE) + 2 if recursive else len(HOSTILE) + 4)  # markers hidden either way
    assert_frame_equal(listing(f"moto://{bucket}/top/", recursive=recursive, config=config),
                       frame_from_pages(fs.iterdir(f"{bucket}/top", recursive=recursive), "moto"))


def test_one_request_a_page_and_none_after_close(config, s3, bucket, request_log):
    for i in range(2500):  # three pages
        s3.put_object(Bucket=bucket, Key=f"k/{i:05d}", Body=b"")
    fs = filesystem("moto", config=config)
    request_log.clear()
    df = listing(f"moto://{bucket}/k/", config=config)
    assert len(df) == 2500 and request_log.count("ListObjectsV2", bucket) == 3
    assert df["name"].tolist() == [f"{i:05d}" for i in range(2500)]
    request_log.clear()
    pages = fs.iter_columns(f"{bucket}/k")
    first = next(pages)
    pages.close()  # the consumer stops after one page: the one in flight is the only extra
    time.sleep(0.3)
    sent = request_log.count("ListObjectsV2", bucket)
    assert len(first) == 1000 and sent in (1, 2)
    time.sleep(0.3)
    assert request_log.count("ListObjectsV2", bucket) == sent


def test_columns_see_own_recent_writes(config, s3, bucket):
    fs = filesystem("moto", config=config)
    s3.put_object(Bucket=bucket, Key="j/old", Body=b"1")
    with fs.open(f"{bucket}/j/new", "wb") as f:
        f.write(b"22")
    fs.remove(f"{bucket}/j/old")
    got = [p for c in fs.iter_columns(f"{bucket}/j") for p in c.paths]
    assert got == [f"{bucket}/j/new"]


def test_default_columns_on_the_model():
    mem = MemoryFileSystem(["b"])
    with mem.open("b/d/x.csv", "wb") as f:
        f.write(b"abc")
    mem.mkdir("b/d/e")
    got = list(mem.iter_columns("b/d"))
    assert got == [PageColumns.of(p) for p in mem.iterdir("b/d")]
    assert sorted(zip(got[0].paths, got[0].is_dir, got[0].sizes)) == [("b/d/e", True, 0), ("b/d/x.csv", False, 3)]


@pytest.mark.parametrize("fast", [True, False], ids=["our-parser", "botocore-parser"])
def test_list_after_columns_equal_list_after(config, s3, bucket, fast, monkeypatch, request, request_log):
    """The inventory's pages (``list_after_columns``) are ``list_after``'s, in columns, for every
    range bound and page size: hostile keys, markers (hidden, but a cursor may be one), a key and
    a folder of one name; one request a call."""
    _seed(s3, bucket)
    request.addfinalizer(close_all)
    monkeypatch.setattr(client_mod, "FAST_LIST_PARSER", fast)
    close_all()
    fs = filesystem("moto", config=config)
    keys = sorted((o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="top/")["Contents"]),
                  key=lambda k: k.encode())
    bounds = [None, keys[0], keys[3], "top/a", "top/a/", keys[len(keys) // 2], keys[-2], keys[-1], "top/\uffff"]
    if not fast:  # moto echoes StartAfter raw; a control character or U+FFFF there is not XML, so
        # ElementTree cannot read the page and botocore retries it as a 500 (our parser reads it)
        bounds = [b for b in bounds if b is None or b.isprintable()]
    calls = 0
    for start in bounds:
        for stop in bounds:
            for limit in (1, 7, 1000):
                request_log.clear()
                columns, cursor = fs.list_after_columns(f"{bucket}/top", start_after=start, stop=stop, limit=limit)
                assert request_log.count("ListObjectsV2", bucket) == 1
                entries, want = fs.list_after(f"{bucket}/top", start_after=start, stop=stop, limit=limit)
                assert (columns, cursor) == (PageColumns.of(entries), want), (start, stop, limit)
                calls += 1
    assert calls == len(bounds) ** 2 * 3 >= 3 * 7 ** 2
    walked, cursor = [], None  # a whole walk in pages of 7 is the recursive listing, markers hidden
    while True:
        page, cursor = fs.list_after_columns(f"{bucket}/top", start_after=cursor, limit=7)
        walked += page.paths
        if cursor is None:
            break
    assert walked == [f"{bucket}/{k}" for k in keys if not k.endswith("/")]
