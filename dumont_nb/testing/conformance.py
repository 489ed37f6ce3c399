"""dumont's file-system contract as a reusable test suite (like ``fsspec/tests/abstract``).

A backend joins by subclassing the mixins in a test module and providing fixtures::

    class TestMyStore(ReadContract, WriteContract, DirectoryContract, RenameContract,
                      UnsupportedContract, EmulateContract):
        pass

Fixtures the mixins use:

- ``fs``: the :class:`~dumont_nb.vfs.base.FileSystem` under test;
- ``root``: a fresh ``bucket/prefix`` (or ``bucket``) path with nothing under it;
- ``oracle``: an independent raw view of the store (:class:`Oracle`; :class:`Boto3Oracle` for S3);
- ``request_log``: the server's request log (``clear()``, ``requests(op)`` of objects with
  ``op``, ``key``, ``headers``, ``body_length``, ``status``), or ``None`` if the store has none;
- ``deviations``: a set of names from :data:`DEVIATIONS` the store is known to have. A deviation
  changes a test's *expectation* (which is then asserted), never skips it silently.

The emulate tests run against whatever ``fs`` is given: they assert NotSupportedError when
``fs.capabilities.append`` is false and the read-modify-write contract when it is true.
"""

from __future__ import annotations

import errno
import io
from typing import Protocol

import pytest

from ..errors import ConflictError, NotSupportedError

__all__ = [
    "Oracle", "Boto3Oracle", "DEVIATIONS", "ReadContract", "WriteContract", "DirectoryContract",
    "RenameContract", "UnsupportedContract", "EmulateContract", "MIB",
]

MIB = 2**20

#: named deviations a store may declare (see the module docstring)
DEVIATIONS = {
    "ignores-if-match": "accepts If-Match / If-None-Match and ignores them",
    "no-list-multipart-uploads": "ListMultipartUploads is not implemented",
    "no-request-log": "no request log: request-level checks are replaced by oracle checks",
    "ignores-if-none-match": "accepts If-None-Match: * on PutObject of an existing key and overwrites it",
    "no-abort-multipart-upload": "AbortMultipartUpload is not implemented (the parts stay on the server)",
    "racy-nested-deletes": "deleting a marker and keys under it at once can answer 500 (retried by botocore)",
}


class Oracle(Protocol):
    """A raw view of the store, independent of the code under test. Paths are ``bucket/key``."""

    def put(self, path: str, data: bytes) -> None: ...
    def get(self, path: str) -> bytes | None: ...
    def keys(self, prefix: str) -> list[str]: ...
    def multipart_uploads(self, bucket: str) -> list[str]: ...


class Boto3Oracle:
    """:class:`Oracle` over a plain boto3 client."""

    def __init__(self, client):
        self.client = client

    def put(self, path: str, data: bytes) -> None:
        bucket, key = path.split("/", 1)
        self.client.put_object(Bucket=bucket, Key=key, Body=data)

    def get(self, path: str) -> bytes | None:
        bucket, key = path.split("/", 1)
        try:
            return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return None

    def keys(self, prefix: str) -> list[str]:
        bucket, _, key = prefix.partition("/")
        out: list[str] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=key):
            out += [f"{bucket}/{c['Key']}" for c in page.get("Contents", ())]
        return sorted(out)

    def multipart_uploads(self, bucket: str) -> list[str]:
        resp = self.client.list_multipart_uploads(Bucket=bucket)
        return [u["Key"] for u in resp.get("Uploads", ())]


def _bucket(root: str) -> str:
    return root.split("/", 1)[0]


def _write(fs, path: str, data: bytes) -> None:
    with fs.open(path, "wb") as f:
        f.write(data)


def _no_upload_left(oracle, root: str, deviations, request_log) -> None:
    if "no-list-multipart-uploads" in deviations:
        with pytest.raises(Exception):
            oracle.multipart_uploads(_bucket(root))
        if request_log is not None:  # every upload started had its abort sent (the store may refuse it)
            aborts, creates = request_log.requests("AbortMultipartUpload"), request_log.requests("CreateMultipartUpload")
            assert len(aborts) >= len(creates)
        return
    assert oracle.multipart_uploads(_bucket(root)) == []


def _log(request_log, deviations):
    """The request log, or None when the store declares it has none (asserted)."""
    if request_log is None:
        assert "no-request-log" in deviations, "give a request_log fixture or declare 'no-request-log'"
    return request_log


class ReadContract:
    """Ranged, ETag-pinned reads; no request at EOF; typed errors."""

    def test_round_trip_binary_and_text(self, fs, root, oracle):
        oracle.put(f"{root}/t.txt", "héllo\nwörld\n".encode())
        with fs.open(f"{root}/t.txt", "rb") as f:
            assert f.read() == "héllo\nwörld\n".encode()
        with fs.open(f"{root}/t.txt", "r", encoding="utf-8") as f:
            assert f.readlines() == ["héllo\n", "wörld\n"]
        with fs.open(f"{root}/t.txt", "rb") as f:
            assert list(f) == [b"h\xc3\xa9llo\n", b"w\xc3\xb6rld\n"]
            with io.TextIOWrapper(fs.open(f"{root}/t.txt", "rb"), encoding="utf-8") as t:
                assert t.read(5) == "héllo"

    def test_seek_and_read_uses_range_requests(self, fs, root, oracle, request_log, deviations):
        data = bytes(range(256)) * 4096  # 1 MiB
        oracle.put(f"{root}/r.bin", data)
        log = _log(request_log, deviations)
        with fs.open(f"{root}/r.bin", "rb") as f:
            if log is not None:
                log.clear()
            for off in (1000, 500_000, 10, 900_000):
                f.seek(off)
                assert f.read(4096) == data[off:off + 4096]
            assert f.seek(-3, io.SEEK_END) == len(data) - 3 and f.read() == data[-3:]
        if log is not None:
            gets = log.requests("GetObject")
            assert gets and all(g.headers.get("range", "").startswith("bytes=") for g in gets)
            assert all(g.headers.get("if-match") for g in gets)  # pinned to the ETag
            assert sum(g.bytes_sent for g in gets) <= 2 * (4 * 4096 + 3)

    def test_sequential_reads_read_ahead(self, fs, root, oracle, request_log, deviations):
        data = b"0123456789abcdef" * 65536  # 1 MiB
        oracle.put(f"{root}/s.bin", data)
        log = _log(request_log, deviations)
        with fs.open(f"{root}/s.bin", "rb") as f:
            if log is not None:
                log.clear()
            chunks = iter(lambda: f.read(4096), b"")
            assert b"".join(chunks) == data
        if log is not None:
            assert len(log.requests("GetObject")) < 256 / 8  # far fewer requests than reads

    def test_reading_at_eof_sends_no_request(self, fs, root, oracle, request_log, deviations):
        oracle.put(f"{root}/e.bin", b"abc")
        log = _log(request_log, deviations)
        with fs.open(f"{root}/e.bin", "rb") as f:
            assert f.read() == b"abc"
            if log is not None:
                log.clear()
            assert f.read() == b"" and f.read(10) == b""
            f.seek(100)
            assert f.read(1) == b""
            if log is not None:
                assert log.requests() == []
        oracle.put(f"{root}/empty", b"")
        with fs.open(f"{root}/empty", "rb") as f:
            assert f.read() == b""

    def test_a_read_never_mixes_two_versions(self, fs, root, oracle):
        oracle.put(f"{root}/v.bin", b"a" * 300_000)
        with fs.open(f"{root}/v.bin", "rb") as f:
            assert f.read(10) == b"a" * 10
            oracle.put(f"{root}/v.bin", b"b" * 300_000)
            f.seek(250_000)
            with pytest.raises(ConflictError):
                f.read(100)

    def test_missing_object_and_directory_errors(self, fs, root, oracle):
        with pytest.raises(FileNotFoundError, match="no such"):
            fs.open(f"{root}/missing", "rb")
        oracle.put(f"{root}/d/x", b"1")
        with pytest.raises(IsADirectoryError):
            fs.open(f"{root}/d", "rb")
        with pytest.raises(IsADirectoryError):
            fs.open(f"{root}/d/", "wb")


class WriteContract:
    """Whole-object writes: invisible until close, PUT ≤ 8 MiB, 5 MiB parts above, abort on failure."""

    def test_nothing_visible_until_close_and_flush_commits_nothing(self, fs, root, oracle):
        f = fs.open(f"{root}/w.bin", "wb")
        f.write(b"part one ")
        f.flush()
        f.sync()
        assert oracle.get(f"{root}/w.bin") is None
        f.write(b"part two")
        f.close()
        assert oracle.get(f"{root}/w.bin") == b"part one part two"

    def test_exactly_8_mib_is_one_put(self, fs, root, oracle, request_log, deviations):
        data = b"\x07" * (8 * MIB)
        log = _log(request_log, deviations)
        if log is not None:
            log.clear()
        _write(fs, f"{root}/eight", data)
        assert oracle.get(f"{root}/eight") == data
        if log is not None:
            puts = log.requests("PutObject")
            assert [p.body_length for p in puts] == [8 * MIB]
            assert not log.requests("CreateMultipartUpload") and not log.requests("UploadPart")

    def test_8_mib_plus_one_is_multipart_with_5_mib_parts(self, fs, root, oracle, request_log, deviations):
        data = bytes(range(251)) * (8 * MIB // 251 + 1)
        data = data[: 8 * MIB + 1]
        log = _log(request_log, deviations)
        if log is not None:
            log.clear()
        with fs.open(f"{root}/big", "wb") as f:
            for i in range(0, len(data), MIB):
                f.write(data[i:i + MIB])
        assert oracle.get(f"{root}/big") == data
        with fs.open(f"{root}/big", "rb") as f:
            assert f.read() == data
        if log is not None:
            assert not log.requests("PutObject")
            assert len(log.requests("CreateMultipartUpload")) == 1
            assert sorted(p.body_length for p in log.requests("UploadPart")) == [3 * MIB + 1, 5 * MIB]
            assert len(log.requests("CompleteMultipartUpload")) == 1
        assert fs.stat(f"{root}/big").size == len(data)

    @pytest.mark.parametrize("size", [10, 12 * MIB], ids=["put", "multipart"])
    def test_exception_inside_with_keeps_the_old_object(self, fs, root, oracle, request_log, deviations, size):
        oracle.put(f"{root}/keep", b"old")
        with pytest.raises(RuntimeError, match="boom"):
            with fs.open(f"{root}/keep", "wb") as f:
                f.write(b"n" * size)
                raise RuntimeError("boom")
        assert oracle.get(f"{root}/keep") == b"old"
        _no_upload_left(oracle, root, deviations, request_log)
        with pytest.raises(KeyError):
            with fs.open(f"{root}/text", "w") as t:
                t.write("never")
                raise KeyError("x")
        assert oracle.get(f"{root}/text") is None

    def test_mode_x_refuses_an_existing_object(self, fs, root, oracle):
        oracle.put(f"{root}/x", b"theirs")
        with pytest.raises(FileExistsError):
            fs.open(f"{root}/x", "xb")
        with fs.open(f"{root}/new", "x", encoding="latin-1") as f:
            f.write("é")
        assert oracle.get(f"{root}/new") == "é".encode("latin-1")
        assert oracle.get(f"{root}/x") == b"theirs"

    def test_text_write_with_newline_translation(self, fs, root, oracle):
        with fs.open(f"{root}/t.csv", "w", newline="\r\n") as f:
            f.write("a,b\n1,2\n")
        assert oracle.get(f"{root}/t.csv") == b"a,b\r\n1,2\r\n"


class UnsupportedContract:
    """Update modes and truncate need ``capabilities.random_write``/``append`` (emulate)."""

    @pytest.mark.parametrize("mode", ["r+b", "w+b", "ab", "a", "r+", "a+b"])
    def test_update_modes_follow_capabilities(self, fs, root, oracle, deviations, mode):
        oracle.put(f"{root}/u", b"data")
        if fs.capabilities.append or fs.capabilities.random_write:
            f = fs.open(f"{root}/u", mode)
            if "ignores-if-match" in deviations and mode.startswith("w"):  # w+ commits; the guard refuses
                with pytest.raises(NotSupportedError):
                    f.close()
                assert oracle.get(f"{root}/u") == b"data"
            else:
                f.close()
            return
        with pytest.raises(NotSupportedError) as info:
            fs.open(f"{root}/u", mode)
        assert isinstance(info.value, io.UnsupportedOperation) and info.value.errno == errno.ENOTSUP
        assert "emulate" in str(info.value)
        assert oracle.get(f"{root}/u") == b"data"

    def test_truncate_follows_capabilities(self, fs, root, oracle):
        oracle.put(f"{root}/u", b"data")
        with fs.open(f"{root}/u", "rb") as f:
            with pytest.raises(io.UnsupportedOperation):
                f.truncate(1)
        if not fs.capabilities.random_write:
            with fs.open(f"{root}/w", "wb") as f:
                with pytest.raises(NotSupportedError):
                    f.truncate(0)

    def test_invalid_mode_is_a_value_error(self, fs, root):
        with pytest.raises(ValueError, match="invalid mode"):
            fs.open(f"{root}/u", "rw")


class DirectoryContract:
    """Synthetic directories: markers, prefixes, listings, typed errors, whole-second mtimes."""

    def test_mkdir_writes_a_hidden_marker(self, fs, root, oracle):
        fs.mkdir(f"{root}/d")
        assert oracle.keys(f"{root}/") == [f"{root}/d/"]
        assert oracle.get(f"{root}/d/") == b""
        assert fs.readdir(f"{root}/d") == []
        assert [(e.name, e.is_dir) for e in fs.readdir(root)] == [("d", True)]
        assert fs.stat(f"{root}/d").is_dir and fs.exists(f"{root}/d/")
        with pytest.raises(FileExistsError):
            fs.mkdir(f"{root}/d")

    def test_readdir_sorted_dirs_from_prefixes_files_from_contents(self, fs, root, oracle):
        for k in ["b.txt", "a/x", "c/", "c/y", "a.txt", "Z"]:
            oracle.put(f"{root}/{k}", b"" if k.endswith("/") else b"12")
        listing = fs.readdir(root)
        assert [(e.name, e.is_dir) for e in listing] == [
            ("Z", False), ("a", True), ("a.txt", False), ("b.txt", False), ("c", True)]
        assert [e.name for e in fs.readdir(f"{root}/c")] == ["y"]  # marker hidden
        f = {e.name: e for e in listing}["a.txt"]
        assert (f.path, f.size, f.is_dir) == (f"{root}/a.txt", 2, False)

    def test_a_key_and_a_prefix_with_the_same_name(self, fs, root, oracle):
        oracle.put(f"{root}/same", b"file")
        oracle.put(f"{root}/same/child", b"c")
        assert [(e.name, e.is_dir) for e in fs.readdir(root)] == [("same", False), ("same", True)]
        assert fs.stat(f"{root}/same").is_dir is False
        assert fs.stat(f"{root}/same/").is_dir is True
        assert [e.name for e in fs.readdir(f"{root}/same")] == ["child"]
        with fs.open(f"{root}/same", "rb") as f:
            assert f.read() == b"file"

    def test_marker_less_prefix_is_a_directory(self, fs, root, oracle):
        oracle.put(f"{root}/p/q/r", b"1")
        assert fs.stat(f"{root}/p").is_dir and fs.stat(f"{root}/p/q").is_dir
        assert fs.stat(f"{root}/p").mtime is None

    def test_listing_errors_are_builtins(self, fs, root, oracle):
        oracle.put(f"{root}/f", b"1")
        with pytest.raises(NotADirectoryError):
            fs.readdir(f"{root}/f")
        with pytest.raises(FileNotFoundError):
            fs.readdir(f"{root}/nothing")
        with pytest.raises(FileNotFoundError):
            fs.stat(f"{root}/nothing")
        assert not fs.exists(f"{root}/nothing") and fs.exists(f"{root}/f")

    def test_iterdir_pages_and_recursive(self, fs, root, oracle):
        for i in range(5):
            oracle.put(f"{root}/k{i}", b"x")
        oracle.put(f"{root}/sub/", b"")
        oracle.put(f"{root}/sub/deep", b"y")
        pages = list(fs.iterdir(root, page_size=2))
        assert len(pages) >= 3 and all(len(p) <= 2 for p in pages)
        assert sorted(e.name for p in pages for e in p) == ["k0", "k1", "k2", "k3", "k4", "sub"]
        flat = sorted(e.path for p in fs.iterdir(root, recursive=True) for e in p)
        assert flat == sorted([f"{root}/k{i}" for i in range(5)] + [f"{root}/sub/deep"])  # marker hidden

    def test_mtime_whole_seconds_utc_and_stat_agrees_with_readdir(self, fs, root, oracle):
        from datetime import timezone

        oracle.put(f"{root}/m", b"1")
        listed = fs.readdir(root)[0]
        stated = fs.stat(f"{root}/m")
        assert listed.mtime == stated.mtime
        assert stated.mtime.tzinfo is not None and stated.mtime.utcoffset().total_seconds() == 0
        assert stated.mtime.microsecond == 0 and stated.mtime.tzinfo == timezone.utc
        assert listed.etag == stated.etag and listed.size == stated.size

    def test_makedirs_rmdir_remove(self, fs, root, oracle):
        fs.makedirs(f"{root}/a/b/c")
        assert oracle.keys(f"{root}/a") == [f"{root}/a/", f"{root}/a/b/", f"{root}/a/b/c/"]
        fs.makedirs(f"{root}/a/b/c", exist_ok=True)
        with pytest.raises(FileExistsError):
            fs.makedirs(f"{root}/a/b/c")
        with pytest.raises(OSError) as info:
            fs.rmdir(f"{root}/a/b")
        assert info.value.errno == errno.ENOTEMPTY
        fs.rmdir(f"{root}/a/b/c")
        assert not fs.exists(f"{root}/a/b/c")
        oracle.put(f"{root}/a/f", b"1")
        with pytest.raises(NotADirectoryError):
            fs.rmdir(f"{root}/a/f")
        with pytest.raises(NotADirectoryError):
            fs.makedirs(f"{root}/a/f/g")
        with pytest.raises(IsADirectoryError):
            fs.remove(f"{root}/a")
        fs.remove(f"{root}/a/f")
        with pytest.raises(FileNotFoundError):
            fs.remove(f"{root}/a/f")
        assert oracle.keys(f"{root}/a") == [f"{root}/a/", f"{root}/a/b/"]

    def test_remove_all_counts_and_removes_markers(self, fs, root, oracle):
        for k in ["t/", "t/a", "t/b/", "t/b/c", "t"]:
            oracle.put(f"{root}/{k}", b"")
        oracle.put(f"{root}/other", b"keep")
        assert fs.remove_all(f"{root}/t") == 5
        assert oracle.keys(f"{root}/") == [f"{root}/other"]
        assert fs.remove_all(f"{root}/t") == 0


class RenameContract:
    """Rename = copy everything, then delete; markers by raw key."""

    def test_rename_an_object(self, fs, root, oracle):
        oracle.put(f"{root}/a", b"A")
        fs.rename(f"{root}/a", f"{root}/b")
        assert oracle.get(f"{root}/b") == b"A" and oracle.get(f"{root}/a") is None
        with pytest.raises(FileNotFoundError):
            fs.rename(f"{root}/a", f"{root}/c")

    def test_rename_a_prefix_with_markers(self, fs, root, oracle, request_log, deviations):
        for k in ["d/", "d/x", "d/e/", "d/e/y", "d/e/f/"]:
            oracle.put(f"{root}/{k}", b"" if k.endswith("/") else k.encode())
        log = _log(request_log, deviations)
        if log is not None:
            log.clear()
        fs.rename(f"{root}/d", f"{root}/n")
        assert oracle.keys(f"{root}/") == sorted(f"{root}/{k}" for k in ["n/", "n/x", "n/e/", "n/e/y", "n/e/f/"])
        assert oracle.get(f"{root}/n/e/y") == b"d/e/y"
        assert [e.name for e in fs.readdir(root)] == ["n"]
        if log is not None:
            ops = [r.op for r in log.requests() if r.op in ("CopyObject", "DeleteObjects", "DeleteObject")]
            assert ops.count("CopyObject") == 5
            first_delete = min(i for i, op in enumerate(ops) if op != "CopyObject")
            assert all(op == "CopyObject" for op in ops[:first_delete]) and first_delete == 5
            deletes = [r.status for r in log.requests("DeleteObjects")]
            if "racy-nested-deletes" in deviations:  # failed attempts (500) are retried; the last succeeds
                assert set(ops[5:]) == {"DeleteObjects"} and deletes[-1] == 200 and set(deletes[:-1]) <= {500}
            else:
                assert ops[5:] == ["DeleteObjects"]

    def test_rename_into_itself_is_refused(self, fs, root, oracle):
        oracle.put(f"{root}/d/x", b"1")
        with pytest.raises(OSError) as info:
            fs.rename(f"{root}/d", f"{root}/d/sub")
        assert info.value.errno == errno.EINVAL
        assert oracle.keys(f"{root}/") == [f"{root}/d/x"]


class EmulateContract:
    """Read-modify-write under ``capabilities.append``: conditional commit, ConflictError."""

    def _emulating(self, fs):
        if not fs.capabilities.append:
            with pytest.raises(NotSupportedError):
                fs.open("b/k", "ab")
            return False
        return True

    def test_append_random_write_truncate(self, fs, root, oracle, deviations):
        if not self._emulating(fs):
            return
        oracle.put(f"{root}/e", b"hello")
        if "ignores-if-match" in deviations:  # the commit guard refuses: nothing is written
            with pytest.raises(NotSupportedError):
                with fs.open(f"{root}/e", "ab") as f:
                    f.write(b" world")
            assert oracle.get(f"{root}/e") == b"hello"
            return
        with fs.open(f"{root}/e", "ab") as f:
            f.write(b" world")
        assert oracle.get(f"{root}/e") == b"hello world"
        with fs.open(f"{root}/e", "r+b") as f:
            f.seek(6)
            assert f.read(5) == b"world"
            f.seek(0)
            f.write(b"J")
            f.truncate(5)
        assert oracle.get(f"{root}/e") == b"Jello"
        with fs.open(f"{root}/new", "a") as t:
            t.write("line\n")
        assert oracle.get(f"{root}/new") == b"line\n"
        with fs.open(f"{root}/e", "w+b") as f:
            f.write(b"xy")
            f.seek(0)
            assert f.read() == b"xy"
        assert oracle.get(f"{root}/e") == b"xy"

    def test_concurrent_overwrite_raises_conflict_and_is_kept(self, fs, root, oracle, deviations):
        if not self._emulating(fs):
            return
        oracle.put(f"{root}/c", b"mine")
        f = fs.open(f"{root}/c", "ab")
        f.write(b"+more")
        oracle.put(f"{root}/c", b"theirs")
        expected = NotSupportedError if "ignores-if-match" in deviations else ConflictError
        with pytest.raises(expected):
            f.close()
        assert oracle.get(f"{root}/c") == b"theirs"
        g = fs.open(f"{root}/fresh", "ab")
        g.write(b"mine")
        oracle.put(f"{root}/fresh", b"theirs")
        with pytest.raises(expected):
            g.close()
        assert oracle.get(f"{root}/fresh") == b"theirs"
