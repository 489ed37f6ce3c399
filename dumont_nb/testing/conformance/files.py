"""The contract for objects: reads, whole-object writes, refused update modes, emulate."""

from __future__ import annotations

import errno
import io

import pytest

from ...errors import ConflictError, NotSupportedError
from .support import MIB, _write, _no_upload_left, _log


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
                expected = b"" if mode.startswith("w") else b"data"  # w+ truncates; r+ and a keep the bytes
                assert oracle.get(f"{root}/u") == expected
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


class EmulateContract:
    """Read-modify-write under ``capabilities.append``: conditional commit, ConflictError."""

    def _need_emulate(self, fs, root):
        """Skip (with the reason) where the remote does not emulate, after checking it refuses."""
        if not fs.capabilities.append:
            with pytest.raises(NotSupportedError):
                fs.open(f"{root}/k", "ab")
            pytest.skip("capabilities.append is false (no emulate): update modes refused, as checked")

    def test_append_random_write_truncate(self, fs, root, oracle, deviations):
        self._need_emulate(fs, root)
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
        self._need_emulate(fs, root)
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
