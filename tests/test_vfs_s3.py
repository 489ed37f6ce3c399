"""S3 backend specifics beyond the conformance suite: client settings, errors, URLs, secrets."""

from __future__ import annotations

import pytest

from dumont_nb.config import parse_config
from dumont_nb.errors import AccessDeniedError, DumontError, NotFoundError, StoreError
from dumont_nb.vfs.base import S3_CAPABILITIES
from dumont_nb.vfs.s3 import S3Backend


def test_basic_round_trip_checked_with_boto3(fs, s3, bucket):
    with fs.open(f"{bucket}/a/b.txt", "wb") as f:
        f.write(b"hello world")
    assert s3.get_object(Bucket=bucket, Key="a/b.txt")["Body"].read() == b"hello world"
    info = fs.stat(f"{bucket}/a/b.txt")
    assert (info.name, info.size, info.is_dir) == ("b.txt", 11, False)
    assert info.etag == s3.head_object(Bucket=bucket, Key="a/b.txt")["ETag"].strip('"')
    assert [e.name for e in fs.readdir(bucket)] == ["a"]
    with fs.open(f"{bucket}/a/b.txt", "rb") as f:
        f.seek(6)
        assert f.read(3) == b"wor"


def test_backend_is_lazy_and_repr_has_no_secret(s3_server, bucket):
    config = parse_config({"remotes": {"lazy": s3_server.remote_settings()}})
    backend = S3Backend(config.remote("lazy"))
    assert backend.client._fs is None  # nothing connected, no credential resolved
    assert "testing-secret" not in repr(backend) and "testing-secret" not in repr(backend.client)
    assert backend.readdir(bucket) == []
    assert backend.client._fs is not None


def test_client_settings_come_from_the_remote(s3_server):
    config = parse_config({"remotes": {"mm": s3_server.remote_settings(max_attempts=3, read_timeout=7)}})
    fs = S3Backend(config.remote("mm")).client.fs
    assert fs.config_kwargs["retries"] == {"total_max_attempts": 3, "mode": "standard"}
    assert fs.config_kwargs["read_timeout"] == 7
    assert fs.config_kwargs["s3"] == {"addressing_style": "path"}
    assert fs.config_kwargs["request_checksum_calculation"] == "when_required"
    assert fs.retries == 1  # s3fs's own loop must not multiply botocore's attempts


def test_capabilities_declared_once(config, emulate_config):
    assert S3Backend(config.remote("moto")).capabilities == S3_CAPABILITIES
    emu = S3Backend(emulate_config.remote("moto")).capabilities
    assert emu.random_write and emu.append and emu.truncate and not emu.atomic_rename


def test_missing_bucket_names_the_bucket(fs):
    with pytest.raises(NotFoundError, match=r"bucket 'no-such-bucket' does not exist") as info:
        fs.readdir("no-such-bucket/x")
    assert isinstance(info.value, FileNotFoundError)
    assert info.value.__cause__ is not None  # the botocore error is kept


def test_access_denied_is_permission_error_naming_the_url(s3_server, fs, bucket):
    s3_server.faults.append(
        lambda r: (403, {"Content-Type": "application/xml"},
                   b"<Error><Code>AccessDenied</Code><Message>no</Message></Error>") if r.op == "ListObjectsV2" else None
    )
    try:
        with pytest.raises(PermissionError) as info:
            fs.readdir(f"{bucket}/dir")
    finally:
        s3_server.faults.clear()
    assert isinstance(info.value, AccessDeniedError)
    assert f"moto://{bucket}/dir" in str(info.value)
    assert "\n" not in str(info.value)


def test_slowdown_is_retried_a_bounded_number_of_times(s3_server, bucket):
    config = parse_config({"remotes": {"mm": s3_server.remote_settings(max_attempts=3)}})
    backend = S3Backend(config.remote("mm"))
    backend.readdir(bucket)  # connect first
    s3_server.clear()
    s3_server.faults.append(
        lambda r: (503, {"Content-Type": "application/xml"},
                   b"<Error><Code>SlowDown</Code><Message>slow</Message></Error>") if r.op == "ListObjectsV2" else None
    )
    try:
        with pytest.raises(StoreError, match="SlowDown") as info:
            backend.readdir(bucket)
    finally:
        s3_server.faults.clear()
    assert isinstance(info.value, OSError) and isinstance(info.value, DumontError)
    assert s3_server.count("ListObjectsV2") == 3  # exactly max_attempts, not multiplied by s3fs


def test_wrong_secret_gives_one_line_without_the_secret(s3_server, bucket):
    settings = s3_server.remote_settings()
    settings["credentials"] = {"access_key_id": "testing", "secret_access_key": "wrong-secret-value"}
    backend = S3Backend(parse_config({"remotes": {"mm": settings}}).remote("mm"))
    s3_server.faults.append(
        lambda r: (403, {"Content-Type": "application/xml"},
                   b"<Error><Code>SignatureDoesNotMatch</Code><Message>bad</Message></Error>")
    )
    try:
        with pytest.raises(PermissionError) as info:
            backend.stat(f"{bucket}/k/")
    finally:
        s3_server.faults.clear()
    assert "wrong-secret-value" not in str(info.value)
    assert "remote 'mm'" in str(info.value)


def test_vfs_imports_no_surface_libraries():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import dumont_nb.vfs.s3, dumont_nb.vfs.reader, dumont_nb.vfs.writer, dumont_nb.vfs.emulate, dumont_nb.vfs.copy\n"
        "bad = [m for m in ('pandas', 'IPython', 'ipywidgets') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
