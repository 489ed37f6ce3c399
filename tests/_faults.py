"""Fault-injection helpers shared by test_faults.py and test_interrupts.py: fixtures that add
faults to the moto server for one test, record botocore's backoff without sleeping, and small
oracle checks."""

from __future__ import annotations

import pytest

from dumont_nb.config import parse_config
from dumont_nb.vfs.s3 import S3Backend

MAX_ATTEMPTS = 3
XML = {"Content-Type": "application/xml"}
SLOWDOWN = (503, XML, b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>")
INTERNAL = (500, XML, b"<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>")
ERROR_IN_200 = (200, XML, b"<?xml version='1.0' encoding='UTF-8'?>\n<Error><Code>InternalError</Code>"
                b"<Message>We encountered an internal error. Please try again.</Message></Error>")


@pytest.fixture
def backoffs(monkeypatch):
    """Record botocore's computed backoff delays and skip the actual sleeping."""
    from botocore.retries import standard

    seen: list[float] = []
    original = standard.ExponentialBackoff.delay_amount

    def record(self, context):
        seen.append(original(self, context))
        return 0

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", record)
    return seen


@pytest.fixture
def backend(s3_server, backoffs):
    """A fresh backend with max_attempts=3 (its own connection pool and retry quota)."""
    config = parse_config({"remotes": {"moto": s3_server.remote_settings(max_attempts=MAX_ATTEMPTS)}}, source="<t>")
    return S3Backend(config.remote("moto"))


@pytest.fixture
def inject(s3_server):
    """``inject(fn)`` adds a fault for the rest of the test."""
    added = []

    def add(fn):
        s3_server.faults.append(fn)
        added.append(fn)
        return fn

    yield add
    for fn in added:
        if fn in s3_server.faults:
            s3_server.faults.remove(fn)


def only(op: str, bucket: str, answer, *, times: int | None = None, key: str | None = None):
    """A fault answering ``answer`` to every ``op`` request on ``bucket`` (the first ``times`` only)."""
    hits = [0]

    def fault(req):
        if req.op != op or req.bucket != bucket or (key is not None and req.key != key):
            return None
        if times is not None and hits[0] >= times:
            return None
        hits[0] += 1
        return answer() if callable(answer) else answer

    return fault


def _attempts(server, op: str, bucket: str) -> dict:
    """Requests of ``op`` per object and part number."""
    seen: dict = {}
    for r in server.requests(op, bucket):
        k = (r.key, tuple(r.params.get("partNumber", ())))
        seen[k] = seen.get(k, 0) + 1
    return seen


def no_uploads_left(s3, bucket: str) -> bool:
    return not s3.list_multipart_uploads(Bucket=bucket).get("Uploads")


def body(s3, bucket: str, key: str) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
