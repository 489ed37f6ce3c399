"""Every URL form, malformed URLs and byte-exact keys."""

from __future__ import annotations

import pytest

from dumont_nb import InvalidURLError
from dumont_nb.urls import URL, is_url, join_path, parse_url, split_path


@pytest.mark.parametrize(
    "url, remote, bucket, key, path",
    [
        ("r2://", "r2", None, "", ""),
        ("r2://bucket", "r2", "bucket", "", "bucket"),
        ("r2://bucket/", "r2", "bucket", "", "bucket"),
        ("r2://bucket/key.csv", "r2", "bucket", "key.csv", "bucket/key.csv"),
        ("r2://bucket/dir/", "r2", "bucket", "dir/", "bucket/dir/"),
        ("my-aws://my.bucket-1/a/b/c.parquet", "my-aws", "my.bucket-1", "a/b/c.parquet", "my.bucket-1/a/b/c.parquet"),
        ("r2://bucket/with space+plus%20pct", "r2", "bucket", "with space+plus%20pct", "bucket/with space+plus%20pct"),
        ("r2://bucket/q?x=1#frag", "r2", "bucket", "q?x=1#frag", "bucket/q?x=1#frag"),
        ("r2://bucket/ünïcødé/日本語.txt", "r2", "bucket", "ünïcødé/日本語.txt", "bucket/ünïcødé/日本語.txt"),
        ("r2://bucket/a//b", "r2", "bucket", "a//b", "bucket/a//b"),
        ("r2://bucket//leading", "r2", "bucket", "/leading", "bucket//leading"),
    ],
)
def test_forms(url, remote, bucket, key, path):
    u = parse_url(url)
    assert (u.remote, u.bucket, u.key, u.path) == (remote, bucket, key, path)
    if key or bucket is None:
        assert str(u) == url


@pytest.mark.parametrize(
    "url, fragment",
    [
        ("bucket/key", "not a dumont URL"),
        ("", "not a dumont URL"),
        ("c://bucket/key", "not a dumont URL"),
        ("://bucket", "not a dumont URL"),
        ("r2:/bucket", "not a dumont URL"),
        ("R2://bucket", "remote names are lowercase; use r2://"),
        ("r2:///key", "missing bucket"),
        ("r2://Bucket/key", "invalid bucket name 'Bucket'"),
        ("r2://ab/key", "invalid bucket name 'ab'"),
        ("r2://bad_bucket!/key", "invalid bucket name"),
        ("r2://a..b/key", "invalid bucket name"),
        ("r2://" + "x" * 64 + "/key", "invalid bucket name"),
    ],
)
def test_malformed(url, fragment):
    with pytest.raises(InvalidURLError) as e:
        parse_url(url)
    assert fragment in str(e.value)
    assert "\n" not in str(e.value)
    assert isinstance(e.value, ValueError)


def test_non_string():
    with pytest.raises(InvalidURLError, match="expected a URL string"):
        parse_url(42)


def test_require_bucket_and_key():
    with pytest.raises(InvalidURLError, match=r"r2://: a bucket is required"):
        parse_url("r2://").require_bucket()
    with pytest.raises(InvalidURLError, match=r"r2://bkt: an object key is required"):
        parse_url("r2://bkt/").require_key()
    assert parse_url("r2://bkt/k").require_key().key == "k"


def test_unknown_remote_lists_names(s3_server):
    from dumont_nb import UnknownRemoteError
    from dumont_nb.api import resolve
    from dumont_nb.config import parse_config

    cfg = parse_config({"remotes": {"moto": s3_server.remote_settings(), "other": s3_server.remote_settings()}})
    with pytest.raises(UnknownRemoteError, match=r"unknown remote 'nope'; configured remotes: moto, other"):
        resolve("nope://bucket/key", config=cfg)


def test_helpers():
    assert is_url("r2://b/k") and not is_url("C:\\data") and not is_url("/tmp/x") and not is_url("c://x")
    assert split_path("bucket/a/b") == ("bucket", "a/b")
    assert split_path("bucket") == ("bucket", "")
    assert join_path("bucket", "") == "bucket" and join_path("bucket", "k") == "bucket/k"
    with pytest.raises(InvalidURLError):
        split_path("/key")
    assert URL("r2", "bkt", "k").path == "bkt/k"
