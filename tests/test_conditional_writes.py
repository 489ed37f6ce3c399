"""The conditional-write probe and the emulate commit guard, on moto (enforces) and s3rver (ignores).

A store that ignores If-Match is also simulated on moto with a fault that answers conditional
PutObjects with 200 (the request log then shows exactly what was sent).
"""

from __future__ import annotations

import uuid

import pytest

from dumont_nb.config import parse_config
from dumont_nb.errors import ConflictError, NotFoundError, NotSupportedError
from dumont_nb.vfs import conditional as cw
from dumont_nb.vfs.client import Client


@pytest.fixture(autouse=True)
def _fresh_cache():
    cw.forget()
    yield
    cw.forget()


def _client(server, **extra) -> Client:
    config = parse_config({"remotes": {"store": server.remote_settings(**extra)}}, source="<test>")
    return Client(config.remote("store"))


def _ignore_conditions(req):
    """Make moto behave like s3rver: a conditional PutObject is simply accepted."""
    if req.op == "PutObject" and ("if-match" in req.headers or "if-none-match" in req.headers):
        return 200, {"ETag": '"d41d8cd98f00b204e9800998ecf8427e"'}, b""
    return None


@pytest.fixture
def ignoring_server(s3_server):
    s3_server.faults.append(_ignore_conditions)
    yield s3_server
    s3_server.faults.remove(_ignore_conditions)


# -- the probe --------------------------------------------------------------------------------


def test_probe_on_moto_finds_enforcement_in_four_requests_and_leaves_nothing(s3_server, bucket, s3):
    support = cw.conditional_writes(_client(s3_server), bucket)
    assert support.enforced and support.known
    assert (support.if_none_match, support.if_match) == (True, True)
    assert support.describe() == "enforced (If-Match, If-None-Match)"
    ops = [(r.op, r.status) for r in s3_server.requests(bucket=bucket)]
    assert ops == [("PutObject", 200), ("PutObject", 412), ("PutObject", 412), ("DeleteObject", 204)]
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_probe_result_is_cached_per_backend_and_bucket(s3_server, bucket, s3):
    client = _client(s3_server)
    first = cw.conditional_writes(client, bucket)
    assert s3_server.count(bucket=bucket) == 4
    assert cw.conditional_writes(client, bucket) is first
    assert s3_server.count(bucket=bucket) == 4
    again = cw.conditional_writes(_client(s3_server), bucket)  # a new client (backend) probes for itself
    assert again == first and again is not first and s3_server.count(bucket=bucket) == 8
    s3_server.clear()
    other = f"other-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=other)
    s3_server.clear()
    cw.conditional_writes(client, other)
    assert s3_server.count(bucket=other) == 4
    cw.forget(client, bucket)
    cw.conditional_writes(client, bucket)
    assert s3_server.count(bucket=bucket) == 4


def test_probe_on_a_store_that_ignores_the_headers(ignoring_server, bucket):
    support = cw.conditional_writes(_client(ignoring_server), bucket)
    assert not support.enforced and support.known
    assert (support.if_none_match, support.if_match) == (False, False)
    assert support.describe() == "ignored by the store (If-Match, If-None-Match)"
    headers = [r.headers for r in ignoring_server.requests("PutObject", bucket)]
    assert [h.get("if-none-match") for h in headers] == ["*", "*", None]
    assert headers[2]["if-match"] == '"' + "0" * 32 + '"'


def test_probe_denied_is_unknown_and_cached(s3_server, bucket):
    def deny(req):
        if req.op == "PutObject" and req.bucket == bucket:
            return 403, {"Content-Type": "application/xml"}, (
                b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
            )
        return None

    s3_server.faults.append(deny)
    try:
        client = _client(s3_server, max_attempts=1)
        support = cw.conditional_writes(client, bucket)
        assert not support.known and not support.enforced
        assert support.describe().startswith("unknown (the store denied the probe's PutObject")
        cw.conditional_writes(client, bucket)
        assert s3_server.count("PutObject", bucket) == 1
    finally:
        s3_server.faults.remove(deny)


def test_probe_of_a_missing_bucket_raises_and_is_not_cached(s3_server, bucket):
    client = _client(s3_server)
    with pytest.raises(NotFoundError, match="bucket 'no-such-bucket-x' does not exist"):
        cw.conditional_writes(client, "no-such-bucket-x")
    with pytest.raises(NotFoundError):
        cw.conditional_writes(client, "no-such-bucket-x")
    assert s3_server.count("PutObject") == 2


def test_probe_on_s3rver_finds_the_headers_ignored(s3rver_server):
    oracle = s3rver_server.boto3_client()
    name = f"probe-{uuid.uuid4().hex[:8]}"
    oracle.create_bucket(Bucket=name)
    support = cw.conditional_writes(_client(s3rver_server), name)
    assert (support.if_none_match, support.if_match) == (False, False)
    assert oracle.list_objects_v2(Bucket=name)["KeyCount"] == 0


# -- the guard emulate calls before its commit ------------------------------------------------


def test_guard_passes_silently_on_an_enforcing_store(s3_server, bucket, s3):
    s3.put_object(Bucket=bucket, Key="f", Body=b"v1")
    cw.guard_commit(_client(s3_server), bucket, "f", "whatever-etag")  # the If-Match does the job
    assert s3_server.count("HeadObject", bucket) == 0


def test_guard_require_refuses_with_one_clear_line(ignoring_server, bucket, s3):
    s3.put_object(Bucket=bucket, Key="f", Body=b"v1")
    etag = s3.head_object(Bucket=bucket, Key="f")["ETag"]
    with pytest.raises(NotSupportedError) as info:
        cw.guard_commit(_client(ignoring_server), bucket, "f", etag)
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(f"store://{bucket}/f: the store of remote 'store' does not enforce conditional writes")
    assert "ignored by the store (If-Match, If-None-Match)" in msg
    assert "Set `conditional_writes: fallback` on remote 'store'" in msg
    assert s3.get_object(Bucket=bucket, Key="f")["Body"].read() == b"v1"


def test_guard_require_refuses_when_support_is_unknown(s3_server, bucket):
    client = _client(s3_server)
    cw._cache(client)[bucket] = cw.ConditionalWriteSupport(bucket, None, None, "denied")
    with pytest.raises(NotSupportedError, match=r"\(unknown \(denied\)\)"):
        cw.guard_commit(client, bucket, "f", None)


def test_guard_fallback_rechecks_the_etag(ignoring_server, bucket, s3):
    client = _client(ignoring_server, conditional_writes="fallback")
    s3.put_object(Bucket=bucket, Key="f", Body=b"v1")
    etag = s3.head_object(Bucket=bucket, Key="f")["ETag"]
    cw.guard_commit(client, bucket, "f", etag)  # unchanged: go ahead
    cw.guard_commit(client, bucket, "f", etag.strip('"'))  # unquoted as in FileInfo.etag
    cw.guard_commit(client, bucket, "new", None)  # still absent: go ahead

    s3.put_object(Bucket=bucket, Key="f", Body=b"v2 by someone else")
    with pytest.raises(ConflictError, match="changed by someone else since it was read; nothing was written"):
        cw.guard_commit(client, bucket, "f", etag)
    s3.put_object(Bucket=bucket, Key="new", Body=b"created meanwhile")
    with pytest.raises(ConflictError, match="created by someone else since it was opened"):
        cw.guard_commit(client, bucket, "new", None)
    s3.delete_object(Bucket=bucket, Key="f")
    with pytest.raises(ConflictError, match="deleted by someone else"):
        cw.guard_commit(client, bucket, "f", etag)


# -- through the file system: emulate on both stores and the S3Backend surface ----------------


def _fs(server, **extra):
    from dumont_nb.api import filesystem

    config = parse_config({"remotes": {"store": server.remote_settings(emulate=True, **extra)}}, source="<test>")
    return filesystem("store", config=config)


@pytest.fixture
def s3rver_bucket(s3rver_server):
    name = f"emu-{uuid.uuid4().hex[:8]}"
    s3rver_server.boto3_client().create_bucket(Bucket=name)
    return name


def test_backend_surfaces_the_probe_result(s3_server, bucket, s3rver_server, s3rver_bucket):
    moto_fs = _fs(s3_server)
    assert moto_fs.bucket_capabilities(bucket).conditional_writes is True
    assert moto_fs.conditional_writes(bucket).describe() == "enforced (If-Match, If-None-Match)"
    s3rver_fs = _fs(s3rver_server)
    assert s3rver_fs.bucket_capabilities(s3rver_bucket).conditional_writes is False
    assert s3rver_fs.conditional_writes(s3rver_bucket).describe() == "ignored by the store (If-Match, If-None-Match)"


def test_emulate_on_an_enforcing_store_probes_once_per_bucket(s3_server, bucket, s3):
    fs = _fs(s3_server)
    s3.put_object(Bucket=bucket, Key="log.txt", Body=b"one\n")
    for line in (b"two\n", b"three\n"):
        with fs.open(f"{bucket}/log.txt", "ab") as f:
            f.write(line)
    assert s3.get_object(Bucket=bucket, Key="log.txt")["Body"].read() == b"one\ntwo\nthree\n"
    probes = [r for r in s3_server.requests("PutObject", bucket) if r.key.startswith(cw.PROBE_PREFIX)]
    assert len(probes) == 3  # one probe: three conditional PutObjects, then its DeleteObject
    commits = [r for r in s3_server.requests("PutObject", bucket) if r.key == "log.txt"][1:]  # [0]: the setup
    assert len(commits) == 2 and all(c.headers.get("if-match") for c in commits)


def test_emulate_require_refuses_on_s3rver_and_writes_nothing(s3rver_server, s3rver_bucket):
    oracle = s3rver_server.boto3_client()
    oracle.put_object(Bucket=s3rver_bucket, Key="log.txt", Body=b"one\n")
    fs = _fs(s3rver_server)
    with pytest.raises(NotSupportedError, match="Set `conditional_writes: fallback` on remote 'store'"):
        with fs.open(f"{s3rver_bucket}/log.txt", "ab") as f:
            f.write(b"two\n")
    assert oracle.get_object(Bucket=s3rver_bucket, Key="log.txt")["Body"].read() == b"one\n"
    with pytest.raises(NotSupportedError):
        with fs.open(f"{s3rver_bucket}/new.txt", "w+b") as f:
            f.write(b"new")
    assert "Contents" not in oracle.list_objects_v2(Bucket=s3rver_bucket, Prefix="new")


def test_emulate_fallback_on_s3rver_commits_and_catches_a_finished_concurrent_write(s3rver_server, s3rver_bucket):
    oracle = s3rver_server.boto3_client()
    oracle.put_object(Bucket=s3rver_bucket, Key="log.txt", Body=b"one\n")
    fs = _fs(s3rver_server, conditional_writes="fallback")
    with fs.open(f"{s3rver_bucket}/log.txt", "ab") as f:
        f.write(b"two\n")
    assert oracle.get_object(Bucket=s3rver_bucket, Key="log.txt")["Body"].read() == b"one\ntwo\n"

    with pytest.raises(ConflictError, match="changed by someone else since it was read"):
        with fs.open(f"{s3rver_bucket}/log.txt", "ab") as f:
            f.write(b"three\n")
            oracle.put_object(Bucket=s3rver_bucket, Key="log.txt", Body=b"theirs\n")
    assert oracle.get_object(Bucket=s3rver_bucket, Key="log.txt")["Body"].read() == b"theirs\n"
