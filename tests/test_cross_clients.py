"""Other clients' view of the same bucket: plain boto3 and s3cmd (Debian package).

Data written by dumont_nb (objects, multipart objects, directory markers, renamed trees) reads
byte-identically with boto3 and with s3cmd; trees written by those clients (AWS-console-style
folder markers, prefixes with no marker at all, s3cmd's recursive and multipart uploads) list and
read correctly in dumont_nb. All against moto's server on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from dumont_nb.testing.server import TEST_KEY, TEST_SECRET

KEYS_WITH_CHARACTERS = ["plain.txt", "with space.txt", "plus+sign.csv", "ümlaut-日本.txt", "per%cent#hash.bin"]


class S3cmd:
    """Runs the ``s3cmd`` executable against the test server (path-style, no TLS, signature v4)."""

    def __init__(self, server, workdir: Path):
        self.exe = shutil.which("s3cmd")
        if self.exe is None:
            pytest.fail("s3cmd is not installed: `sudo apt-get install -y s3cmd` (python -m dumont_nb.testing.prereqs does it)")
        host = f"{server.host}:{server.port}"
        self.config = workdir / "s3cmd.cfg"
        self.config.write_text(
            "[default]\n"
            f"access_key = {TEST_KEY}\n"
            f"secret_key = {TEST_SECRET}\n"
            f"host_base = {host}\n"
            f"host_bucket = {host}\n"  # no %(bucket)s: path-style addressing
            "use_https = False\n"
            "signature_v2 = False\n"
            "bucket_location = us-east-1\n"
            "check_ssl_certificate = False\n"
            "progress_meter = False\n"
        )

    def __call__(self, *args: str) -> str:
        proc = subprocess.run(
            [self.exe, "-c", str(self.config), *args], capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, f"s3cmd {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()[-800:]}"
        return proc.stdout

    def get(self, uri: str, dest: Path) -> bytes:
        self("get", "--force", uri, str(dest))
        return dest.read_bytes()

    def ls_recursive(self, uri: str) -> dict[str, int]:
        """``{s3://bucket/key: size}`` of every object under ``uri``."""
        out = {}
        for line in self("ls", "-r", uri).splitlines():
            parts = line.split(None, 3)
            if len(parts) == 4 and parts[3].startswith("s3://"):
                out[parts[3]] = int(parts[2])
        return out


@pytest.fixture
def s3cmd(s3_server, tmp_path):
    return S3cmd(s3_server, tmp_path)


def _payload(n: int, seed: str) -> bytes:
    block = hashlib.sha256(seed.encode()).digest()
    return (block * (n // len(block) + 1))[:n]


def _write(fs, path: str, data: bytes) -> None:
    with fs.open(path, "wb") as f:
        f.write(data)


def _read(fs, path: str) -> bytes:
    with fs.open(path, "rb") as f:
        return f.read()


def _names(fs, path: str) -> dict[str, str]:
    return {i.name: ("dir" if i.is_dir else "file") for i in fs.readdir(path)}


# -- written by dumont, read by boto3 and s3cmd ----------------------------------------------


def test_dumont_objects_read_identically_with_boto3_and_s3cmd(fs, bucket, s3, s3cmd, tmp_path):
    written = {f"docs/{k}": _payload(1000 + i, k) for i, k in enumerate(KEYS_WITH_CHARACTERS)}
    written["docs/empty.txt"] = b""
    for key, data in written.items():
        _write(fs, f"{bucket}/{key}", data)
    for key, data in written.items():
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == data, key
    listed = s3cmd.ls_recursive(f"s3://{bucket}/")
    assert listed == {f"s3://{bucket}/{k}": len(v) for k, v in written.items()}
    for i, (key, data) in enumerate(sorted(written.items())):
        assert s3cmd.get(f"s3://{bucket}/{key}", tmp_path / f"got{i}") == data, key


@pytest.mark.slow
def test_dumont_multipart_object_reads_identically(fs, bucket, s3, s3cmd, tmp_path):
    data = _payload(11 * 2**20 + 123, "multipart")  # > 8 MiB: a multipart upload
    _write(fs, f"{bucket}/big/blob.bin", data)
    got = s3.get_object(Bucket=bucket, Key="big/blob.bin")
    assert got["Body"].read() == data
    assert got["ETag"].strip('"').endswith("-3")  # three 5 MiB parts, so really multipart
    assert s3cmd.get(f"s3://{bucket}/big/blob.bin", tmp_path / "blob") == data


def test_dumont_markers_are_plain_zero_byte_slash_objects(fs, bucket, s3, s3cmd):
    fs.mkdir(f"{bucket}/empty")
    fs.makedirs(f"{bucket}/a/b/c")
    keys = {o["Key"]: o["Size"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    assert keys["empty/"] == 0
    assert "a/b/c/" in keys and keys["a/b/c/"] == 0
    assert all(size == 0 for k, size in keys.items() if k.endswith("/"))
    assert s3.get_object(Bucket=bucket, Key="empty/")["Body"].read() == b""
    # s3cmd lists the marker as an object of size 0, like any other marker
    assert s3cmd.ls_recursive(f"s3://{bucket}/empty/") == {f"s3://{bucket}/empty/": 0}


def test_dumont_renamed_tree_reads_identically(fs, bucket, s3, s3cmd, tmp_path):
    tree = {
        "src/top.txt": b"top",
        "src/sub/one.csv": b"a,b\n1,2\n",
        "src/sub/deeper/two.bin": _payload(70_000, "two"),
        "src/with space/ü.txt": "ü".encode(),
    }
    for key, data in tree.items():
        _write(fs, f"{bucket}/{key}", data)
    fs.mkdir(f"{bucket}/src/emptydir")
    fs.rename(f"{bucket}/src", f"{bucket}/dst")

    moved = {"dst/" + k[len("src/"):]: v for k, v in tree.items()}
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    assert not any(k.startswith("src/") for k in keys)
    assert set(moved) <= keys and "dst/emptydir/" in keys
    for key, data in moved.items():
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == data, key
    listed = s3cmd.ls_recursive(f"s3://{bucket}/dst/")
    assert {k: v for k, v in listed.items() if not k.endswith("/")} == {f"s3://{bucket}/{k}": len(v) for k, v in moved.items()}
    for i, (key, data) in enumerate(sorted(moved.items())):
        assert s3cmd.get(f"s3://{bucket}/{key}", tmp_path / f"r{i}") == data, key


# -- written by other clients, read by dumont ------------------------------------------------


@pytest.mark.parametrize("content_type", ["application/x-directory; charset=UTF-8", "application/x-directory", None])
def test_console_style_folder_markers_list_as_directories(fs, bucket, s3, content_type):
    """The AWS console's "Create folder" writes a zero-byte ``name/`` object; dumont hides it."""
    extra = {"ContentType": content_type} if content_type else {}
    s3.put_object(Bucket=bucket, Key="reports/", Body=b"", **extra)
    s3.put_object(Bucket=bucket, Key="reports/2024/", Body=b"", **extra)
    s3.put_object(Bucket=bucket, Key="reports/2024/q1.csv", Body=b"q,1\n")
    s3.put_object(Bucket=bucket, Key="reports/readme.md", Body=b"# r\n")

    assert _names(fs, bucket) == {"reports": "dir"}
    assert _names(fs, f"{bucket}/reports") == {"2024": "dir", "readme.md": "file"}
    assert _names(fs, f"{bucket}/reports/2024") == {"q1.csv": "file"}
    assert fs.stat(f"{bucket}/reports").is_dir
    assert fs.stat(f"{bucket}/reports/2024").is_dir
    assert _read(fs, f"{bucket}/reports/2024/q1.csv") == b"q,1\n"


def test_console_style_empty_folder_is_an_empty_directory(fs, bucket, s3):
    s3.put_object(Bucket=bucket, Key="empty/", Body=b"", ContentType="application/x-directory; charset=UTF-8")
    assert _names(fs, bucket) == {"empty": "dir"}
    assert fs.readdir(f"{bucket}/empty") == []
    assert fs.stat(f"{bucket}/empty").is_dir


def test_prefixes_without_markers_are_directories(fs, bucket, s3):
    s3.put_object(Bucket=bucket, Key="logs/2024/01/a.log", Body=b"a")
    s3.put_object(Bucket=bucket, Key="logs/2024/02/b.log", Body=b"bb")
    s3.put_object(Bucket=bucket, Key="logs/index.txt", Body=b"i")

    assert _names(fs, bucket) == {"logs": "dir"}
    assert _names(fs, f"{bucket}/logs") == {"2024": "dir", "index.txt": "file"}
    assert _names(fs, f"{bucket}/logs/2024") == {"01": "dir", "02": "dir"}
    info = fs.stat(f"{bucket}/logs/2024")
    assert info.is_dir and info.etag is None
    assert fs.stat(f"{bucket}/logs/2024/02/b.log").size == 2
    assert _read(fs, f"{bucket}/logs/2024/02/b.log") == b"bb"
    recursive = sorted(i.path for page in fs.iterdir(f"{bucket}/logs", recursive=True) for i in page if not i.is_dir)
    assert recursive == [f"{bucket}/logs/2024/01/a.log", f"{bucket}/logs/2024/02/b.log", f"{bucket}/logs/index.txt"]


def test_s3cmd_recursive_upload_lists_and_reads_in_dumont(fs, bucket, s3cmd, tmp_path):
    local = tmp_path / "tree"
    files = {"a.txt": b"alpha", "sub/b.csv": b"x,y\n", "sub/deep/c.bin": _payload(50_000, "c"), "with space/ü.txt": "ü".encode()}
    for rel, data in files.items():
        (local / rel).parent.mkdir(parents=True, exist_ok=True)
        (local / rel).write_bytes(data)
    s3cmd("put", "--recursive", str(local) + "/", f"s3://{bucket}/up/")

    assert _names(fs, f"{bucket}/up") == {"a.txt": "file", "sub": "dir", "with space": "dir"}
    assert _names(fs, f"{bucket}/up/sub") == {"b.csv": "file", "deep": "dir"}
    for rel, data in files.items():
        assert _read(fs, f"{bucket}/up/{rel}") == data, rel
        assert fs.stat(f"{bucket}/up/{rel}").size == len(data)


@pytest.mark.slow
def test_s3cmd_multipart_upload_reads_in_dumont(fs, bucket, s3cmd, tmp_path):
    data = _payload(12 * 2**20 + 7, "s3cmd-mp")
    (tmp_path / "big.bin").write_bytes(data)
    s3cmd("put", "--multipart-chunk-size-mb=5", str(tmp_path / "big.bin"), f"s3://{bucket}/mp/big.bin")
    info = fs.stat(f"{bucket}/mp/big.bin")
    assert info.size == len(data)
    assert info.etag and info.etag.strip('"').endswith("-3")
    assert _read(fs, f"{bucket}/mp/big.bin") == data
    with fs.open(f"{bucket}/mp/big.bin", "rb") as f:
        f.seek(10 * 2**20 - 3)
        assert f.read(6) == data[10 * 2**20 - 3 : 10 * 2**20 + 3]


def test_s3cmd_moved_object_is_seen_by_dumont(fs, bucket, s3cmd):
    _write(fs, f"{bucket}/old/name.txt", b"moved by s3cmd")
    s3cmd("mv", f"s3://{bucket}/old/name.txt", f"s3://{bucket}/new/name.txt")
    assert not fs.exists(f"{bucket}/old/name.txt")
    assert _names(fs, bucket) == {"new": "dir"}
    assert _read(fs, f"{bucket}/new/name.txt") == b"moved by s3cmd"
