"""Listings on S3: pagination, request counts, sub-second listing mtimes, and authoritative
results after own writes while the store's listing lags (simulated by answering ListObjectsV2
from a stale snapshot)."""

from __future__ import annotations

from datetime import timedelta
from xml.sax.saxutils import escape

import pytest


def _listing_fault(bucket: str, objects: list[dict]):
    """A server fault answering ListObjectsV2 of ``bucket`` from ``objects`` (a snapshot:
    dicts with Key, Size, ETag, LastModified as an ISO string), honouring prefix/delimiter."""

    def fault(request):
        if request.op != "ListObjectsV2" or request.bucket != bucket:
            return None
        q = request.params
        prefix = q.get("prefix", [""])[0]
        delimiter = q.get("delimiter", [""])[0]
        contents, prefixes = [], []
        for o in sorted(objects, key=lambda o: o["Key"]):
            k = o["Key"]
            if not k.startswith(prefix):
                continue
            rest = k[len(prefix):]
            if delimiter and delimiter in rest:
                cp = prefix + rest.split(delimiter, 1)[0] + delimiter
                if cp not in prefixes:
                    prefixes.append(cp)
                continue
            contents.append(o)
        xml = ['<?xml version="1.0" encoding="UTF-8"?>',
               '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
               f"<Name>{bucket}</Name><Prefix>{escape(prefix)}</Prefix><KeyCount>{len(contents) + len(prefixes)}</KeyCount>",
               "<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>"]
        if delimiter:
            xml.append(f"<Delimiter>{escape(delimiter)}</Delimiter>")
        for o in contents:
            xml.append(f"<Contents><Key>{escape(o['Key'])}</Key><LastModified>{o['LastModified']}</LastModified>"
                       f"<ETag>&quot;{o['ETag']}&quot;</ETag><Size>{o['Size']}</Size>"
                       "<StorageClass>STANDARD</StorageClass></Contents>")
        for cp in prefixes:
            xml.append(f"<CommonPrefixes><Prefix>{escape(cp)}</Prefix></CommonPrefixes>")
        xml.append("</ListBucketResult>")
        return 200, {"Content-Type": "application/xml"}, "".join(xml).encode()

    return fault


def _snapshot(s3, bucket: str, millis: int = 0) -> list[dict]:
    out = []
    for c in s3.list_objects_v2(Bucket=bucket).get("Contents", ()):
        when = c["LastModified"].replace(microsecond=0) + timedelta(milliseconds=millis)
        out.append({"Key": c["Key"], "Size": c["Size"], "ETag": c["ETag"].strip('"'),
                    "LastModified": when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"})
    return out


def test_readdir_mtime_truncated_when_the_listing_has_milliseconds(fs, s3, s3_server, bucket):
    s3.put_object(Bucket=bucket, Key="m.txt", Body=b"1")
    head = s3.head_object(Bucket=bucket, Key="m.txt")["LastModified"]
    s3_server.faults.append(_listing_fault(bucket, _snapshot(s3, bucket, millis=678)))
    try:
        listed = fs.readdir(bucket)[0]
    finally:
        s3_server.faults.clear()
    assert listed.mtime == head == fs.stat(f"{bucket}/m.txt").mtime
    assert listed.mtime.microsecond == 0


def test_own_writes_are_authoritative_when_the_listing_lags(fs, s3, s3_server, bucket):
    for k in ("d/a", "d/b", "d/gone/x"):
        s3.put_object(Bucket=bucket, Key=k, Body=b"old")
    s3_server.faults.append(_listing_fault(bucket, _snapshot(s3, bucket)))  # the listing stops here
    try:
        with fs.open(f"{bucket}/d/c", "wb") as f:
            f.write(b"new")
        fs.remove(f"{bucket}/d/a")
        fs.rename(f"{bucket}/d/b", f"{bucket}/d/sub/b2")
        fs.remove_all(f"{bucket}/d/gone")
        fs.mkdir(f"{bucket}/d/empty")
        assert [(e.name, e.is_dir) for e in fs.readdir(f"{bucket}/d")] == [
            ("c", False), ("empty", True), ("sub", True)]
        assert fs.stat(f"{bucket}/d/c").size == 3
        assert not fs.exists(f"{bucket}/d/a") and not fs.exists(f"{bucket}/d/gone")
        assert fs.stat(f"{bucket}/d/sub").is_dir
        assert [e.name for e in fs.readdir(f"{bucket}/d/sub")] == ["b2"]
        # the stale listing was really used: a plain listing still shows the old keys
        assert [c["Key"] for c in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["d/a", "d/b", "d/gone/x"]
    finally:
        s3_server.faults.clear()


def test_readdir_is_one_request_per_page(fs, s3, bucket, request_log):
    for i in range(3):
        s3.put_object(Bucket=bucket, Key=f"k{i}", Body=b"")
    request_log.clear()
    assert len(fs.readdir(bucket)) == 3
    assert [r.op for r in request_log.log] == ["ListObjectsV2"]
    request_log.clear()
    assert fs.stat(f"{bucket}/k1").size == 0
    assert [r.op for r in request_log.log] == ["HeadObject"]


@pytest.mark.slow
def test_readdir_paginates_beyond_1000_keys(fs, s3, bucket, request_log):
    keys = [f"many/{i:05d}" for i in range(1003)]
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=b"")
    request_log.clear()
    listing = fs.readdir(f"{bucket}/many")
    assert [e.name for e in listing] == [k.split("/")[1] for k in keys]
    assert request_log.count("ListObjectsV2") == 2
    pages = list(fs.iterdir(f"{bucket}/many"))
    assert [len(p) for p in pages] == [1000, 3]


def test_list_buckets_at_the_remote_root(fs, bucket):
    names = [e.name for e in fs.readdir("")]
    assert bucket in names and all(e.is_dir for e in fs.readdir(""))
    assert fs.stat(bucket).is_dir


def test_iterdir_streams_pages_after_own_writes(fs, s3, request_log, bucket):
    """Own recent writes are reconciled page by page: the first page still costs one request,
    and every key shows once, in the store's order, across pages."""
    from concurrent.futures import ThreadPoolExecutor

    keys = [f"d/k{i:03d}" for i in range(0, 250)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=b"x"), keys))
    with fs.open(f"{bucket}/d/k1205", "wb") as f:  # own write, sorts inside the second page
        f.write(b"mine")
    fs.remove(f"{bucket}/d/k010")  # own delete, on the first page
    fs.mkdir(f"{bucket}/d/sub")  # own marker: a directory entry
    request_log.clear()
    pages = fs.iterdir(f"{bucket}/d", page_size=100)
    first = next(pages)
    assert request_log.count("ListObjectsV2") == 1
    rest = [e for page in pages for e in page]
    names = [e.name for e in first + rest]
    expected = sorted([k[2:] for k in keys if k != "d/k010"] + ["k1205", "sub"], key=str.encode)
    assert names == expected
    assert [e.is_dir for e in first + rest if e.name == "sub"] == [True]
    assert request_log.count("ListObjectsV2") == 3
