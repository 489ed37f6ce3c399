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
