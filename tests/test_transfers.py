"""``copy``: uploads, downloads and remote-to-remote copies against moto's server, content
checked with boto3 and the request log; interrupted downloads and hostile keys."""

from __future__ import annotations

import os

import pytest

from dumont_nb.config import parse_config
from dumont_nb.errors import InvalidURLError, StoreError
from dumont_nb.transfers import copy, local_target, unsafe_key_reason


def body(s3, bucket, key) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def keys(s3, bucket, prefix="") -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", ()))


@pytest.fixture
def two_remotes(s3_server):
    """Two remotes on the same server: copies between them stream through this process."""
    return parse_config(
        {"remotes": {"moto": s3_server.remote_settings(), "other": s3_server.remote_settings(max_attempts=1)}},
        source="<test>",
    )


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "tree"
    files = {"a.txt": b"alpha", "sub/b.bin": os.urandom(3000), "sub/deeper/c.csv": b"1,2\n", "empty.txt": b""}
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return root, files


def test_upload_single_file(config, s3, bucket, tmp_path):
    src = tmp_path / "report.csv"
    src.write_bytes(b"x,y\n1,2\n")
    summary = copy(src, f"moto://{bucket}/in/", config=config, progress=False)
    assert body(s3, bucket, "in/report.csv") == b"x,y\n1,2\n"
    assert (summary.files, summary.bytes, summary.skipped, summary.failed) == (1, 8, [], [])
    copy(str(src), f"moto://{bucket}/renamed.csv", config=config, progress=False)
    assert body(s3, bucket, "renamed.csv") == b"x,y\n1,2\n"
    copy(str(src), f"moto://{bucket}", config=config, progress=False)  # a bucket root is a directory
    assert body(s3, bucket, "report.csv") == b"x,y\n1,2\n"


def test_download_single_file_into_a_directory_or_onto_a_path(config, s3, bucket, tmp_path):
    s3.put_object(Bucket=bucket, Key="d/data.bin", Body=b"\x00\x01payload")
    summary = copy(f"moto://{bucket}/d/data.bin", tmp_path, config=config, progress=False)
    assert (tmp_path / "data.bin").read_bytes() == b"\x00\x01payload" and summary.bytes == 9
    mtime = s3.head_object(Bucket=bucket, Key="d/data.bin")["LastModified"].timestamp()
    assert int((tmp_path / "data.bin").stat().st_mtime) == int(mtime)  # the object's mtime, kept
    copy(f"moto://{bucket}/d/data.bin", tmp_path / "other.bin", config=config, progress=False)
    assert (tmp_path / "other.bin").read_bytes() == b"\x00\x01payload"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.bin", "other.bin"]  # no temp files left


def test_recursive_upload_and_download_round_trip(config, s3, s3_server, bucket, tree, tmp_path, capsys):
    root, files = tree
    up = copy(root, f"moto://{bucket}/t", recursive=True, config=config, workers=3)
    assert keys(s3, bucket) == sorted(f"t/{rel}" for rel in files)
    for rel, data in files.items():
        assert body(s3, bucket, f"t/{rel}") == data
    assert (up.files, up.bytes, up.ok) == (4, sum(map(len, files.values())), True)
    err = capsys.readouterr().err
    assert "files" in err and "4/4" in err  # the files bar (tqdm.auto; a widget in Jupyter)

    s3_server.clear()
    down = copy(f"moto://{bucket}/t/", tmp_path / "back", recursive=True, config=config, progress=False)
    assert s3_server.count("ListObjectsV2") == 1
    got = {p.relative_to(tmp_path / "back").as_posix(): p.read_bytes() for p in (tmp_path / "back").rglob("*") if p.is_file()}
    assert got == files
    assert (down.files, down.bytes) == (4, up.bytes)


def test_copy_within_one_remote_is_server_side(config, s3, s3_server, bucket):
    other = f"{bucket}-b"
    s3.create_bucket(Bucket=other)
    for k, v in {"p/1.txt": b"one", "p/q/2.txt": b"two" * 1000}.items():
        s3.put_object(Bucket=bucket, Key=k, Body=v)
    s3_server.clear()
    summary = copy(f"moto://{bucket}/p", f"moto://{other}/copy", recursive=True, config=config, progress=False)
    assert s3_server.count("CopyObject") == 2
    assert s3_server.count("GetObject") == 0 and s3_server.count("PutObject") == 0
    assert keys(s3, other) == ["copy/1.txt", "copy/q/2.txt"]
    assert body(s3, other, "copy/q/2.txt") == b"two" * 1000
    assert summary.bytes == 3003
    s3_server.clear()
    copy(f"moto://{bucket}/p/1.txt", f"moto://{bucket}/single.txt", config=config, progress=False)
    assert s3_server.count("CopyObject") == 1 and s3_server.count("GetObject") == 0
    assert body(s3, bucket, "single.txt") == b"one"


def test_copy_between_remotes_is_streamed(two_remotes, s3, s3_server, bucket):
    data = os.urandom(100_000)
    s3.put_object(Bucket=bucket, Key="src/blob", Body=data)
    s3_server.clear()
    summary = copy(f"moto://{bucket}/src/blob", f"other://{bucket}/dst/blob", config=two_remotes, progress=False)
    assert s3_server.count("CopyObject") == 0
    assert s3_server.count("GetObject") >= 1 and s3_server.count("PutObject") == 1
    assert body(s3, bucket, "dst/blob") == data and summary.bytes == len(data)


def test_interrupted_download_leaves_the_previous_file(s3_server, s3, bucket, tmp_path):
    config = parse_config({"remotes": {"moto": s3_server.remote_settings(max_attempts=1)}}, source="<test>")
    data = os.urandom(12 * 2**20)  # two 8 MiB reads: the second one fails
    s3.put_object(Bucket=bucket, Key="big.bin", Body=data)
    target = tmp_path / "big.bin"
    target.write_bytes(b"previous version")

    def drop_second_read(req):
        if req.op == "GetObject" and req.bucket == bucket and not req.headers.get("range", "").startswith("bytes=0-"):
            return 403, {"Content-Type": "application/xml"}, b"<Error><Code>AccessDenied</Code><Message>cut</Message></Error>"
        return None

    s3_server.faults.append(drop_second_read)
    try:
        with pytest.raises(PermissionError):
            copy(f"moto://{bucket}/big.bin", target, config=config, progress=False)
    finally:
        s3_server.faults.remove(drop_second_read)
    assert s3_server.count("GetObject") == 2  # it really was cut after the first part
    assert target.read_bytes() == b"previous version"
    assert [p.name for p in tmp_path.iterdir()] == ["big.bin"]  # the temporary file is gone
    copy(f"moto://{bucket}/big.bin", target, config=config, progress=False)
    assert target.read_bytes() == data


def test_failed_transfers_of_a_recursive_copy_are_reported(s3_server, s3, bucket, tmp_path):
    config = parse_config({"remotes": {"moto": s3_server.remote_settings(max_attempts=1)}}, source="<test>")
    for k in ("r/ok.txt", "r/bad.txt"):
        s3.put_object(Bucket=bucket, Key=k, Body=b"data")

    def deny_bad(req):
        if req.op == "GetObject" and req.key == "r/bad.txt":
            return 403, {"Content-Type": "application/xml"}, b"<Error><Code>AccessDenied</Code><Message>no</Message></Error>"
        return None

    s3_server.faults.append(deny_bad)
    try:
        with pytest.raises(StoreError, match="1 of 2 files failed.*bad.txt") as info:
            copy(f"moto://{bucket}/r", tmp_path / "out", recursive=True, config=config, progress=False)
    finally:
        s3_server.faults.remove(deny_bad)
    summary = info.value.summary
    assert summary.files == 1 and [src for src, _ in summary.failed] == [f"moto://{bucket}/r/bad.txt"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["ok.txt"]


HOSTILE = ["../escape.txt", "a/../../escape2.txt", "back\\..\\slash.txt", "/abs.txt", "link/through.txt"]


def test_hostile_keys_are_skipped_and_reported_on_download(config, s3, bucket, tmp_path):
    dst = tmp_path / "dst"
    outside = tmp_path / "outside"
    dst.mkdir()
    outside.mkdir()
    (dst / "link").symlink_to(outside, target_is_directory=True)
    for rel in HOSTILE + ["ok/fine.txt"]:
        s3.put_object(Bucket=bucket, Key=f"p/{rel}", Body=b"payload")
    assert keys(s3, bucket, "p/") == sorted(f"p/{rel}" for rel in HOSTILE + ["ok/fine.txt"])  # stored as given
    summary = copy(f"moto://{bucket}/p", dst, recursive=True, config=config, progress=False)
    assert summary.files == 1 and (dst / "ok" / "fine.txt").read_bytes() == b"payload"
    skipped = dict(summary.skipped)
    assert set(skipped) == {f"moto://{bucket}/p/{rel}" for rel in HOSTILE}
    assert "'..'" in skipped[f"moto://{bucket}/p/../escape.txt"]
    assert "backslash" in skipped[f"moto://{bucket}/p/back\\..\\slash.txt"]
    assert "absolute" in skipped[f"moto://{bucket}/p//abs.txt"]
    assert "outside" in skipped[f"moto://{bucket}/p/link/through.txt"]
    assert list(outside.iterdir()) == []
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["dst/ok/fine.txt"]


def test_the_guard_on_its_own(tmp_path):
    for rel in ("..", "a/..", "./x", "a//b", "C:evil", "a\\b", "/etc/passwd", "nul\x00"):
        assert unsafe_key_reason(rel) is not None, rel
    assert unsafe_key_reason("a/b.c/..d/e..") is None
    assert local_target(str(tmp_path), "x/y.txt") == (os.path.join(str(tmp_path), "x", "y.txt"), None)


def test_bad_calls_say_what_to_do(config, s3, bucket, tmp_path):
    s3.put_object(Bucket=bucket, Key="dir/x", Body=b"1")
    with pytest.raises(IsADirectoryError, match="recursive=True"):
        copy(f"moto://{bucket}/dir", tmp_path, config=config, progress=False)
    with pytest.raises(FileNotFoundError):
        copy(f"moto://{bucket}/missing.txt", tmp_path, config=config, progress=False)
    with pytest.raises(FileNotFoundError):
        copy(tmp_path / "missing.txt", f"moto://{bucket}/", config=config, progress=False)
    with pytest.raises(InvalidURLError, match="neither"):
        copy(tmp_path / "a", tmp_path / "b", config=config)
    assert list(tmp_path.iterdir()) == []


def test_recursive_copy_of_one_object_copies_it(config, s3, bucket, tmp_path):
    s3.put_object(Bucket=bucket, Key="solo/file.txt", Body=b"alone")
    summary = copy(f"moto://{bucket}/solo/file.txt", tmp_path, recursive=True, config=config, progress=False)
    assert summary.files == 1 and (tmp_path / "file.txt").read_bytes() == b"alone"


def test_upload_sends_whole_reads_as_parts_byte_identical(s3_server, s3, bucket, config, tmp_path):
    """A local file is read a part (5 MiB) at a time; once the upload is under way each read is
    sent as the part itself (no copy): the object is the file, in 5 MiB parts and a short last one."""
    data = os.urandom(23 * 2**20 + 3)
    src = tmp_path / "big.bin"
    src.write_bytes(data)
    s3_server.clear()
    copy(src, f"moto://{bucket}/big.bin", config=config, progress=False)
    assert body(s3, bucket, "big.bin") == data
    parts = sorted(s3_server.requests("UploadPart", bucket), key=lambda r: int(r.params["partNumber"][0]))
    assert [r.body_length for r in parts] == [5 * 2**20] * 4 + [3 * 2**20 + 3]
    assert s3_server.count("PutObject", bucket) == 0 and s3_server.count("CompleteMultipartUpload", bucket) == 1


@pytest.mark.parametrize("failing", ["2", "4"], ids=["buffered-part", "whole-read-part"])
def test_failed_upload_keeps_the_previous_object_and_no_multipart_upload(failing, s3_server, s3, bucket, tmp_path):
    config = parse_config({"remotes": {"moto": s3_server.remote_settings(max_attempts=1)}}, source="<test>")
    s3.put_object(Bucket=bucket, Key="big.bin", Body=b"previous object")
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(23 * 2**20))  # above 8 MiB: a multipart upload; parts 3 on are whole reads

    def deny_second_part(req):
        if req.op == "UploadPart" and req.bucket == bucket and req.params.get("partNumber") == [failing]:
            return 403, {"Content-Type": "application/xml"}, b"<Error><Code>AccessDenied</Code><Message>no</Message></Error>"
        return None

    s3_server.faults.append(deny_second_part)
    try:
        with pytest.raises(PermissionError):
            copy(src, f"moto://{bucket}/big.bin", config=config, progress=False)
    finally:
        s3_server.faults.remove(deny_second_part)
    assert s3_server.count("UploadPart") >= int(failing)  # it did fail mid-upload
    assert body(s3, bucket, "big.bin") == b"previous object"
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
