"""Differential: random sequences of operations on the S3 backend (against moto) and on the
in-memory reference model (:class:`~dumont_nb.testing.MemoryFileSystem`), with and without
``emulate``. Every step must have the same outcome on both: the same result, or the same error
class (and errno); after every step the raw keys and bytes (boto3 on one side, the model's store
on the other) must be equal.
"""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from dumont_nb import errors
from dumont_nb.testing import MemoryFileSystem
from dumont_nb.vfs.s3 import S3Backend

FILES = ["a", "b", "d/a", "d/b", "d/e/c", "f/x", "d"]
DIRS = ["d", "d/e", "f", "g", "d/"]
data = st.binary(max_size=64)
_KINDS = (errors.ConflictError, errors.NotSupportedError, FileNotFoundError, FileExistsError, IsADirectoryError,
          NotADirectoryError, PermissionError, errors.InvalidURLError, ValueError, OSError)


def outcome(fn):
    """``("ok", result)`` or ``("error", kind, errno)``: what a caller can tell apart."""
    try:
        return ("ok", fn())
    except Exception as exc:  # compared between the two backends, never swallowed
        kind = next((k.__name__ for k in _KINDS if isinstance(exc, k)), type(exc).__name__)
        return ("error", kind, getattr(exc, "errno", None))


def _read(fs, path, start, size):
    with fs.open(path, "rb") as f:
        f.seek(start)
        return f.read(size)


def _write(fs, path, body, mode="wb"):
    with fs.open(path, mode) as f:
        f.write(body)


class Differential(RuleBasedStateMachine):
    server = None
    backend: S3Backend | None = None
    emulate = False

    def __init__(self):
        super().__init__()
        self.s3 = self.server.boto3_client()
        self.bucket = f"st-{uuid.uuid4().hex[:12]}"
        self.s3.create_bucket(Bucket=self.bucket)
        self.real = self.backend
        self.model = MemoryFileSystem(buckets=[self.bucket], name=self.real.name, emulate=self.emulate)

    def p(self, key: str) -> str:
        return f"{self.bucket}/{key}"

    def both(self, fn):
        got, want = outcome(lambda: fn(self.real)), outcome(lambda: fn(self.model))
        assert got == want, f"S3 backend: {got}; reference model: {want}"
        return got

    def teardown(self):
        keys = [{"Key": k} for k in self.model.raw_keys(self.bucket)]
        if keys:
            self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": keys})
        self.s3.delete_bucket(Bucket=self.bucket)

    @rule(key=st.sampled_from(FILES), body=data, mode=st.sampled_from(["wb", "xb"]))
    def write(self, key, body, mode):
        self.both(lambda fs: _write(fs, self.p(key), body, mode))

    @rule(key=st.sampled_from(FILES), body=data)
    def failed_write(self, key, body):
        def go(fs):
            with pytest.raises(ZeroDivisionError):
                with fs.open(self.p(key), "wb") as f:
                    f.write(body)
                    1 / 0

        self.both(go)

    @rule(key=st.sampled_from(FILES), start=st.integers(0, 70), size=st.integers(-1, 70))
    def read(self, key, start, size):
        self.both(lambda fs: _read(fs, self.p(key), start, size))

    @rule(key=st.sampled_from(FILES), body=data, mode=st.sampled_from(["ab", "r+b"]))
    def update(self, key, body, mode):
        self.both(lambda fs: _write(fs, self.p(key), body, mode))

    @rule(key=st.sampled_from(FILES))
    def remove(self, key):
        self.both(lambda fs: fs.remove(self.p(key)))

    @rule(d=st.sampled_from(DIRS), parents=st.booleans())
    def mkdir(self, d, parents):
        self.both(lambda fs: fs.makedirs(self.p(d), exist_ok=True) if parents else fs.mkdir(self.p(d)))

    @rule(d=st.sampled_from(DIRS))
    def rmdir(self, d):
        self.both(lambda fs: fs.rmdir(self.p(d)))

    @rule(d=st.sampled_from(DIRS + FILES))
    def remove_all(self, d):
        self.both(lambda fs: fs.remove_all(self.p(d)))

    @rule(src=st.sampled_from(FILES + DIRS), dst=st.sampled_from(FILES + DIRS))
    def rename(self, src, dst):
        self.both(lambda fs: fs.rename(self.p(src), self.p(dst)))

    @rule(src=st.sampled_from(FILES), dst=st.sampled_from(FILES))
    def copy(self, src, dst):
        self.both(lambda fs: fs.copy(self.p(src), self.p(dst)))

    @rule(d=st.sampled_from([""] + DIRS + FILES))
    def readdir(self, d):
        path = self.p(d) if d else self.bucket
        self.both(lambda fs: [(e.name, e.is_dir, e.size, e.etag) for e in fs.readdir(path)])

    @rule(d=st.sampled_from([""] + DIRS), recursive=st.booleans())
    def iterdir(self, d, recursive):
        path = self.p(d) if d else self.bucket
        self.both(lambda fs: sorted((e.path, e.is_dir, e.size) for page in fs.iterdir(path, recursive=recursive)
                                    for e in page))

    @rule(name=st.sampled_from(FILES + DIRS))
    def stat(self, name):
        self.both(lambda fs: (lambda i: (i.name, i.path, i.is_dir, i.size, i.etag))(fs.stat(self.p(name))))

    @invariant()
    def raw_keys_and_bytes_match(self):
        resp = self.s3.list_objects_v2(Bucket=self.bucket)
        real = {c["Key"]: self.s3.get_object(Bucket=self.bucket, Key=c["Key"])["Body"].read()
                for c in resp.get("Contents", ())}
        model = {k: self.model.raw_get(self.bucket, k) for k in self.model.raw_keys(self.bucket)}
        assert real == model


@pytest.mark.slow
@pytest.mark.parametrize("emulate", [False, True], ids=["plain", "emulate"])
def test_s3_backend_and_reference_model_agree(s3_server, emulate):
    from dumont_nb.config import parse_config

    cfg = parse_config({"remotes": {"st": s3_server.remote_settings(emulate=emulate)}})
    Differential.server = s3_server
    Differential.backend = S3Backend(cfg.remote("st"))
    Differential.emulate = emulate
    run_state_machine_as_test(
        Differential,
        settings=settings(max_examples=30, stateful_step_count=12, deadline=None, derandomize=True,
                          suppress_health_check=list(HealthCheck), database=None),
    )
