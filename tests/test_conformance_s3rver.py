"""The second S3 implementation: s3rver (npm), its named deviations, and the conformance suite on it.

The whole conformance suite (:mod:`dumont_nb.testing.conformance`) runs on s3rver, through a
logging proxy so its request-level checks run too. Every deviation s3rver is expected to show is
named in ``S3RVER_DEVIATIONS``; the suite asserts the changed expectation, and each name is also
*asserted* below against the live server with plain boto3: if a new s3rver release starts
enforcing ``If-Match``, the test of that deviation fails and the name must be dropped.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid

import pytest
from botocore.exceptions import ClientError

pytest.register_assert_rewrite("dumont_nb.testing.conformance")

from dumont_nb.testing.conformance import (  # noqa: E402
    DEVIATIONS,
    Boto3Oracle,
    DirectoryContract,
    EmulateContract,
    ReadContract,
    RenameContract,
    UnsupportedContract,
    WriteContract,
)
from dumont_nb.testing.s3rver import S3RVER_DEVIATIONS, S3rverServer, S3rverUnavailable, install_s3rver  # noqa: E402


@pytest.fixture
def s3rver_oracle(s3rver_server):
    return s3rver_server.boto3_client()


@pytest.fixture
def s3rver_bucket(s3rver_oracle):
    name = f"s3rv-{uuid.uuid4().hex[:10]}"
    s3rver_oracle.create_bucket(Bucket=name)
    return name


# -- the conformance suite on s3rver ----------------------------------------------------------


def _filesystem(server, **extra):
    from dumont_nb.api import filesystem
    from dumont_nb.config import parse_config

    config = parse_config({"remotes": {"s3rver": server.remote_settings(**extra)}}, source="<s3rver>")
    return filesystem("s3rver", config=config)


class _OnS3rver:
    """The suite's fixtures, on the session's s3rver."""

    @pytest.fixture
    def fs(self, s3rver_server):
        return _filesystem(s3rver_server)

    @pytest.fixture
    def root(self, s3rver_oracle, s3rver_bucket, s3rver_server):
        s3rver_server.clear()
        return f"{s3rver_bucket}/conf"

    @pytest.fixture
    def oracle(self, s3rver_oracle):
        return Boto3Oracle(s3rver_oracle)

    @pytest.fixture
    def request_log(self, s3rver_server):
        s3rver_server.clear()
        return s3rver_server

    @pytest.fixture
    def deviations(self):
        return S3RVER_DEVIATIONS


class TestS3rver(_OnS3rver, ReadContract, WriteContract, DirectoryContract, RenameContract, UnsupportedContract,
                 EmulateContract):
    """Plain S3 semantics on s3rver: update modes refused."""


class TestS3rverEmulate(_OnS3rver, UnsupportedContract, EmulateContract, WriteContract):
    """``emulate: true`` with ``conditional_writes: require`` (the default): the probe finds the
    headers ignored, so every emulated commit is refused (deviation ``ignores-if-match``)."""

    @pytest.fixture
    def fs(self, s3rver_server):
        return _filesystem(s3rver_server, emulate=True)


class TestS3rverEmulateFallback(_OnS3rver, EmulateContract):
    """``emulate: true`` with ``conditional_writes: fallback``: the ETag re-check before the commit
    catches the suite's (finished) concurrent writes, so the full emulate contract holds."""

    @pytest.fixture
    def fs(self, s3rver_server):
        return _filesystem(s3rver_server, emulate=True, conditional_writes="fallback")

    @pytest.fixture
    def deviations(self):
        return S3RVER_DEVIATIONS - {"ignores-if-match"}


def test_s3rver_deviations_are_named_by_the_suite():
    assert S3RVER_DEVIATIONS <= set(DEVIATIONS)


# -- the server itself ------------------------------------------------------------------------


def _code(exc: ClientError) -> str:
    return exc.response["Error"]["Code"]


def test_s3rver_serves_the_basics(s3rver_oracle, s3rver_bucket):
    c, b = s3rver_oracle, s3rver_bucket
    body = bytes(range(256)) * 40
    c.put_object(Bucket=b, Key="d/one.bin", Body=body)
    c.put_object(Bucket=b, Key="d/sub/two.txt", Body=b"two")
    assert c.get_object(Bucket=b, Key="d/one.bin")["Body"].read() == body
    assert c.get_object(Bucket=b, Key="d/one.bin", Range="bytes=10-19")["Body"].read() == body[10:20]
    listed = c.list_objects_v2(Bucket=b, Prefix="d/", Delimiter="/")
    assert [o["Key"] for o in listed["Contents"]] == ["d/one.bin"]
    assert [p["Prefix"] for p in listed["CommonPrefixes"]] == ["d/sub/"]
    c.copy_object(Bucket=b, Key="e/one.bin", CopySource={"Bucket": b, "Key": "d/one.bin"})
    assert c.get_object(Bucket=b, Key="e/one.bin")["Body"].read() == body
    c.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "d/one.bin"}, {"Key": "e/one.bin"}]})
    assert [o["Key"] for o in c.list_objects_v2(Bucket=b)["Contents"]] == ["d/sub/two.txt"]


def test_s3rver_second_listing_page_works(s3rver_oracle, s3rver_bucket):
    """The reason for NODE_OPTIONS=--openssl-legacy-provider: page 2 of ListObjectsV2."""
    for i in range(5):
        s3rver_oracle.put_object(Bucket=s3rver_bucket, Key=f"k{i}", Body=b"x")
    pages = list(
        s3rver_oracle.get_paginator("list_objects_v2").paginate(Bucket=s3rver_bucket, PaginationConfig={"PageSize": 2})
    )
    assert len(pages) == 3
    assert [o["Key"] for p in pages for o in p["Contents"]] == [f"k{i}" for i in range(5)]


def test_s3rver_multipart_round_trip(s3rver_oracle, s3rver_bucket):
    c, b = s3rver_oracle, s3rver_bucket
    up = c.create_multipart_upload(Bucket=b, Key="mp")["UploadId"]
    parts = []
    for n, chunk in enumerate((b"a" * 5 * 2**20, b"b" * 1000), start=1):
        etag = c.upload_part(Bucket=b, Key="mp", UploadId=up, PartNumber=n, Body=chunk)["ETag"]
        parts.append({"PartNumber": n, "ETag": etag})
    out = c.complete_multipart_upload(Bucket=b, Key="mp", UploadId=up, MultipartUpload={"Parts": parts})
    assert c.get_object(Bucket=b, Key="mp")["Body"].read() == b"a" * 5 * 2**20 + b"b" * 1000
    # Unlike AWS and moto ("<md5 of part md5s>-2"), s3rver's multipart ETag is the body's MD5.
    assert out["ETag"] == '"' + hashlib.md5(b"a" * 5 * 2**20 + b"b" * 1000).hexdigest() + '"'


# -- every named deviation, asserted ----------------------------------------------------------


def _ignores_if_none_match(server, b) -> bool:
    c = server.boto3_client()
    c.put_object(Bucket=b, Key="cond", Body=b"first")
    try:
        c.put_object(Bucket=b, Key="cond", Body=b"second", IfNoneMatch="*")
    except ClientError as exc:
        assert _code(exc) == "PreconditionFailed"
        return False
    return c.get_object(Bucket=b, Key="cond")["Body"].read() == b"second"


def _ignores_if_match(server, b) -> bool:
    c = server.boto3_client()
    c.put_object(Bucket=b, Key="cond", Body=b"first")
    try:
        c.put_object(Bucket=b, Key="cond", Body=b"second", IfMatch='"00000000000000000000000000000000"')
    except ClientError as exc:
        assert _code(exc) == "PreconditionFailed"
        return False
    return c.get_object(Bucket=b, Key="cond")["Body"].read() == b"second"


def _no_list_multipart_uploads(server, b) -> bool:
    try:
        server.boto3_client().list_multipart_uploads(Bucket=b)
    except ClientError as exc:
        return _code(exc) == "NotImplemented"
    return False


def _no_abort_multipart_upload(server, b) -> bool:
    c = server.boto3_client()
    up = c.create_multipart_upload(Bucket=b, Key="aborted")["UploadId"]
    c.upload_part(Bucket=b, Key="aborted", UploadId=up, PartNumber=1, Body=b"part")
    try:
        c.abort_multipart_upload(Bucket=b, Key="aborted", UploadId=up)
    except ClientError as exc:
        return _code(exc) == "MethodNotAllowed"
    return False


def _racy_nested_deletes(server, b) -> bool:
    """s3rver deletes the keys of one DeleteObjects concurrently and prunes empty directories
    on disk; two of them pruning the same directory answer 500 InternalError (ENOENT)."""
    c = server.boto3_client()
    keys = ["d/", "d/e/", "d/e/f/", "d/e/y", "d/x"]
    server.clear()
    for _ in range(40):  # a race: on a loaded machine it may take more than a few tries to show
        for k in keys:
            c.put_object(Bucket=b, Key=k, Body=b"")
        try:
            c.delete_objects(Bucket=b, Delete={"Objects": [{"Key": k} for k in keys], "Quiet": True})
        except ClientError as exc:
            assert _code(exc) == "InternalError"
        if 500 in [r.status for r in server.requests("DeleteObjects", b)]:
            break
    statuses = [r.status for r in server.requests("DeleteObjects", b)]
    assert set(statuses) <= {200, 500}
    return 500 in statuses


DEVIATION_CHECKS = {
    "ignores-if-none-match": _ignores_if_none_match,
    "ignores-if-match": _ignores_if_match,
    "no-list-multipart-uploads": _no_list_multipart_uploads,
    "no-abort-multipart-upload": _no_abort_multipart_upload,
    "racy-nested-deletes": _racy_nested_deletes,
}


def test_every_declared_deviation_has_a_check():
    assert set(S3RVER_DEVIATIONS) == set(DEVIATION_CHECKS)


@pytest.mark.parametrize("name", sorted(DEVIATION_CHECKS))
def test_s3rver_shows_its_named_deviation(name, s3rver_server, s3rver_bucket):
    assert DEVIATION_CHECKS[name](s3rver_server, s3rver_bucket) is True


@pytest.mark.parametrize("name", sorted(DEVIATION_CHECKS))
def test_moto_shows_none_of_them(name, s3_server, bucket):
    """The same checks on moto: it keeps the contract s3rver breaks (so the checks can tell)."""
    assert DEVIATION_CHECKS[name](s3_server, bucket) is False


# -- the fixture's life cycle -----------------------------------------------------------------


def test_stop_ends_the_process_and_removes_the_data_dir():
    server = S3rverServer().start()
    proc, data_dir = server._proc, server.data_dir
    assert proc is not None and proc.poll() is None and data_dir.is_dir()
    server.boto3_client().create_bucket(Bucket="gone")
    server.stop()
    assert proc.poll() is not None
    assert not data_dir.exists()
    server.stop()  # idempotent


def test_install_without_npm_says_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(S3rverUnavailable, match=r"'node' is not on PATH; install Node.js"):
        install_s3rver(tmp_path / "cache")


def test_install_reuses_the_cache(tmp_path, monkeypatch):
    """An installed s3rver is found without calling npm (npm is not even on PATH)."""
    real = install_s3rver()
    cache = tmp_path / "cache"
    shutil.copytree(real.parent.parent.parent, cache, symlinks=True)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert install_s3rver(cache) == cache / "node_modules" / ".bin" / "s3rver"


# -- the logging proxy in front of s3rver -----------------------------------------------------


def test_proxy_logs_ops_headers_and_bytes(s3rver_server, s3rver_oracle, s3rver_bucket):
    s3rver_oracle.put_object(Bucket=s3rver_bucket, Key="dir/x y.bin", Body=b"0123456789")
    s3rver_server.clear()
    got = s3rver_oracle.get_object(Bucket=s3rver_bucket, Key="dir/x y.bin", Range="bytes=2-5", IfMatch="*")
    assert got["Body"].read() == b"2345"
    s3rver_oracle.head_object(Bucket=s3rver_bucket, Key="dir/x y.bin")
    s3rver_oracle.list_objects_v2(Bucket=s3rver_bucket, Prefix="dir/", Delimiter="/")
    log = s3rver_server.requests(bucket=s3rver_bucket)
    assert [r.op for r in log] == ["GetObject", "HeadObject", "ListObjectsV2"]
    get, head, _ = log
    assert get.key == "dir/x y.bin" and get.headers["range"] == "bytes=2-5" and get.headers["if-match"] == "*"
    assert (get.status, get.bytes_sent) == (206, 4)
    assert (head.status, head.bytes_sent) == (200, 0)


def test_proxy_faults_answer_instead_of_the_server(s3rver_server, s3rver_oracle, s3rver_bucket):
    def busy(req):
        if req.op == "PutObject" and req.key == "busy":
            return 503, {"Content-Type": "application/xml"}, b"<Error><Code>SlowDown</Code></Error>"
        return None

    s3rver_server.faults.append(busy)
    try:
        with pytest.raises(ClientError) as info:
            s3rver_oracle.put_object(Bucket=s3rver_bucket, Key="busy", Body=b"x")
    finally:
        s3rver_server.faults.remove(busy)
    assert _code(info.value) == "SlowDown"
    assert {r.status for r in s3rver_server.requests("PutObject", s3rver_bucket)} == {503}
    assert "Contents" not in s3rver_oracle.list_objects_v2(Bucket=s3rver_bucket)
