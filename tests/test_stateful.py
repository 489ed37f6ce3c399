"""Random sequences of operations on the S3 backend against an in-memory model of the contract,
with and without ``emulate``; after every step the raw keys (boto3) must match the model."""

from __future__ import annotations

import errno
import uuid

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from dumont_nb.errors import NotSupportedError
from dumont_nb.vfs.s3 import S3Backend

FILES = ["a", "b", "d/a", "d/b", "d/e/c", "f/x"]
DIRS = ["d", "d/e", "f", "g"]
data = st.binary(max_size=64)


class Model:
    """The contract in memory: objects (key → bytes) and directory markers."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.markers: set[str] = set()

    def keys(self) -> set[str]:
        return set(self.files) | {m + "/" for m in self.markers}

    def under(self, d: str) -> set[str]:
        return {k for k in self.keys() if k.startswith(d + "/")}

    def is_dir(self, d: str) -> bool:
        return bool(self.under(d))

    def children(self, d: str) -> list[tuple[str, bool]]:
        prefix = d + "/" if d else ""
        out: set[tuple[str, bool]] = set()
        for k in self.keys():
            if not k.startswith(prefix) or k == prefix:
                continue
            rest = k[len(prefix):]
            out.add((rest.split("/", 1)[0], True) if "/" in rest else (rest, False))
        return sorted(out)


class S3Machine(RuleBasedStateMachine):
    server = None
    backend: S3Backend | None = None

    def __init__(self):
        super().__init__()
        self.s3 = self.server.boto3_client()
        self.bucket = f"st-{uuid.uuid4().hex[:12]}"
        self.s3.create_bucket(Bucket=self.bucket)
        self.fs = self.backend
        self.model = Model()

    def p(self, key: str) -> str:
        return f"{self.bucket}/{key}"

    def teardown(self):
        keys = [{"Key": k} for k in self.model.keys()]
        if keys:
            self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": keys})
        self.s3.delete_bucket(Bucket=self.bucket)

    @rule(key=st.sampled_from(FILES), body=data)
    def write(self, key, body):
        with self.fs.open(self.p(key), "wb") as f:
            f.write(body)
        self.model.files[key] = body

    @rule(key=st.sampled_from(FILES), body=data)
    def failed_write(self, key, body):
        with pytest.raises(ZeroDivisionError):
            with self.fs.open(self.p(key), "wb") as f:
                f.write(body)
                1 / 0

    @rule(key=st.sampled_from(FILES), start=st.integers(0, 70), size=st.integers(-1, 70))
    def read(self, key, start, size):
        if key not in self.model.files:
            with pytest.raises(FileNotFoundError):
                self.fs.open(self.p(key), "rb")
            return
        with self.fs.open(self.p(key), "rb") as f:
            f.seek(start)
            expected = self.model.files[key][start:] if size < 0 else self.model.files[key][start:start + size]
            assert f.read(size) == expected

    @rule(key=st.sampled_from(FILES), body=data)
    def append(self, key, body):
        if not self.fs.capabilities.append:
            with pytest.raises(NotSupportedError):
                self.fs.open(self.p(key), "ab")
            return
        with self.fs.open(self.p(key), "ab") as f:
            f.write(body)
        self.model.files[key] = self.model.files.get(key, b"") + body

    @rule(key=st.sampled_from(FILES), size=st.integers(0, 70))
    def truncate(self, key, size):
        if not self.fs.capabilities.random_write or key not in self.model.files:
            return
        with self.fs.open(self.p(key), "r+b") as f:
            f.truncate(size)
        old = self.model.files[key]
        self.model.files[key] = old[:size] + b"\0" * max(0, size - len(old))

    @rule(key=st.sampled_from(FILES))
    def remove(self, key):
        if key in self.model.files:
            self.fs.remove(self.p(key))
            del self.model.files[key]
        else:
            with pytest.raises(FileNotFoundError):
                self.fs.remove(self.p(key))

    @rule(d=st.sampled_from(DIRS))
    def mkdir(self, d):
        if self.model.is_dir(d):
            with pytest.raises(FileExistsError):
                self.fs.mkdir(self.p(d))
        else:
            self.fs.mkdir(self.p(d))
            self.model.markers.add(d)

    @rule(d=st.sampled_from(DIRS))
    def rmdir(self, d):
        if not self.model.is_dir(d):
            with pytest.raises(FileNotFoundError):
                self.fs.rmdir(self.p(d))
        elif self.model.under(d) != {d + "/"}:
            with pytest.raises(OSError) as info:
                self.fs.rmdir(self.p(d))
            assert info.value.errno == errno.ENOTEMPTY
        else:
            self.fs.rmdir(self.p(d))
            self.model.markers.discard(d)

    @rule(d=st.sampled_from(DIRS))
    def remove_all(self, d):
        gone = self.model.under(d)
        assert self.fs.remove_all(self.p(d)) == len(gone)
        for k in gone:
            if k.endswith("/"):
                self.model.markers.discard(k[:-1])
            else:
                del self.model.files[k]

    @rule(src=st.sampled_from(FILES), dst=st.sampled_from(FILES))
    def rename_file(self, src, dst):
        if src not in self.model.files:
            with pytest.raises(FileNotFoundError):
                self.fs.rename(self.p(src), self.p(dst))
            return
        self.fs.rename(self.p(src), self.p(dst))
        self.model.files[dst] = self.model.files.pop(src)

    @precondition(lambda self: True)
    @rule(src=st.sampled_from(DIRS), dst=st.sampled_from(DIRS))
    def rename_dir(self, src, dst):
        if src == dst:
            return
        if (dst + "/").startswith(src + "/"):
            with pytest.raises(OSError):
                self.fs.rename(self.p(src), self.p(dst))
            return
        if not self.model.is_dir(src):
            with pytest.raises(FileNotFoundError):
                self.fs.rename(self.p(src), self.p(dst))
            return
        self.fs.rename(self.p(src), self.p(dst))
        for k in sorted(self.model.under(src)):
            new = dst + k[len(src):]
            if k.endswith("/"):
                self.model.markers.discard(k[:-1])
                self.model.markers.add(new[:-1])
            else:
                self.model.files[new] = self.model.files.pop(k)

    @rule(d=st.sampled_from([""] + DIRS))
    def readdir(self, d):
        path = self.p(d) if d else self.bucket
        if d and not self.model.is_dir(d):
            with pytest.raises(FileNotFoundError):
                self.fs.readdir(path)
            return
        assert [(e.name, e.is_dir) for e in self.fs.readdir(path)] == self.model.children(d)

    @rule(name=st.sampled_from(FILES + DIRS))
    def stat(self, name):
        if name in self.model.files:
            info = self.fs.stat(self.p(name))
            assert (info.is_dir, info.size) == (False, len(self.model.files[name]))
        elif self.model.is_dir(name):
            assert self.fs.stat(self.p(name)).is_dir
        else:
            assert not self.fs.exists(self.p(name))

    @invariant()
    def raw_keys_match_the_model(self):
        resp = self.s3.list_objects_v2(Bucket=self.bucket)
        assert {c["Key"] for c in resp.get("Contents", ())} == self.model.keys()


@pytest.mark.slow
@pytest.mark.parametrize("emulate", [False, True], ids=["plain", "emulate"])
def test_random_operations_match_the_model(s3_server, emulate):
    from dumont_nb.config import parse_config

    cfg = parse_config({"remotes": {"st": s3_server.remote_settings(emulate=emulate)}})
    S3Machine.server = s3_server
    S3Machine.backend = S3Backend(cfg.remote("st"))
    run_state_machine_as_test(
        S3Machine,
        settings=settings(max_examples=25, stateful_step_count=12, deadline=None, derandomize=True,
                          suppress_health_check=list(HealthCheck), database=None),
    )
