"""moto's S3 server in-process on 127.0.0.1, with a request log and a fault hook.

Used by the test suite, the demo and the benchmarks::

    with MotoS3Server() as server:
        server.endpoint            # "http://127.0.0.1:<port>"
        server.log                 # [Request(method, path, query, body_length, ...), ...]
        server.faults.append(fn)   # fn(request) -> None, or (status, headers, body) to answer instead
        server.faults.append(lambda r: Reset())     # drop the connection (TCP reset), no answer
        server.faults.append(lambda r: Cut(100))    # real answer, connection dropped after 100 body bytes

The log records every request the server receives (method, raw path, raw query, request body
length, a few headers, response status and response body bytes sent), so tests can assert
request counts and bytes transferred.
"""

from __future__ import annotations

import socket
import struct
import threading
from dataclasses import dataclass, field
from typing import Callable, Iterable
from urllib.parse import parse_qs, unquote

__all__ = ["MotoS3Server", "ThreadedTestServer", "Request", "Reset", "Cut", "TEST_KEY", "TEST_SECRET",
           "boto3_client_for", "remote_settings_for"]

TEST_KEY = "testing"
TEST_SECRET = "testing-secret"
_HEADERS = ("range", "if-match", "if-none-match", "content-type", "x-amz-copy-source", "content-md5")


@dataclass
class Request:
    """One request as the server saw it."""

    method: str
    path: str  # raw, percent-encoded, e.g. /bucket/some%20key
    query: str  # raw query string
    body_length: int
    headers: dict[str, str] = field(default_factory=dict)
    status: int | None = None
    bytes_sent: int = 0

    @property
    def params(self) -> dict[str, list[str]]:
        return parse_qs(self.query, keep_blank_values=True)

    @property
    def key(self) -> str:
        """The object key (path-style addressing): the decoded path after the bucket."""
        parts = unquote(self.path).lstrip("/").split("/", 1)
        return parts[1] if len(parts) > 1 else ""

    @property
    def bucket(self) -> str:
        return unquote(self.path).lstrip("/").split("/", 1)[0]

    @property
    def op(self) -> str:
        """A best-effort S3 operation name: ListObjectsV2, GetObject, PutObject, UploadPart, ..."""
        q = self.params
        m = self.method
        has_key = bool(self.key)
        if m == "GET":
            if not self.bucket:
                return "ListBuckets"
            if "uploads" in q:
                return "ListMultipartUploads"
            if "uploadId" in q:
                return "ListParts"
            if not has_key:
                return "ListObjectsV2" if q.get("list-type") == ["2"] else "ListObjects"
            return "GetObject"
        if m == "HEAD":
            return "HeadObject" if has_key else "HeadBucket"
        if m == "PUT":
            if "partNumber" in q:
                return "UploadPartCopy" if "x-amz-copy-source" in self.headers else "UploadPart"
            if not has_key:
                return "CreateBucket"
            return "CopyObject" if "x-amz-copy-source" in self.headers else "PutObject"
        if m == "POST":
            if "delete" in q:
                return "DeleteObjects"
            if "uploads" in q:
                return "CreateMultipartUpload"
            if "uploadId" in q:
                return "CompleteMultipartUpload"
            return "Post"
        if m == "DELETE":
            if "uploadId" in q:
                return "AbortMultipartUpload"
            return "DeleteObject" if has_key else "DeleteBucket"
        return m


class Reset:
    """A fault answer: close the connection with a TCP reset instead of answering."""


@dataclass
class Cut:
    """A fault answer: let the server answer, but drop the connection after ``after`` body bytes."""

    after: int


Fault = Callable[[Request], "tuple[int, dict, bytes] | Reset | Cut | None"]


def _reset(environ, hard: bool = True) -> None:
    """Drop this request's connection (a TCP reset when ``hard``, else a plain FIN) and stop answering."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        if hard:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    raise ConnectionResetError("injected fault: connection reset")


class StartStop:
    """``with server:`` starts it and stops it (whatever happens inside)."""

    def start(self):
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class ThreadedTestServer(StartStop):
    """What every test server here shares: a server object served from a daemon thread, a
    request log (``log``) with helpers, and a fault list. Subclasses set ``_server`` in ``start``."""

    host: str
    port: int | None

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host = host
        self.port = port
        self.log: list[Request] = []
        self.faults: list[Fault] = []
        self._flight = threading.Lock()
        self._in_flight: dict[str, int] = {}
        self._peak: dict[str, int] = {}
        self._server = None
        self._thread: threading.Thread | None = None

    def _serve(self, server, name: str) -> None:
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- log helpers ----------------------------------------------------------------------
    def clear(self) -> None:
        """Forget logged requests and peaks (and keep faults)."""
        self.log.clear()
        with self._flight:
            self._peak = dict(self._in_flight)

    def peak(self, op: str) -> int:
        """The most ``op`` requests the server held at once (arrival to the end of the answer)
        since the last :meth:`clear`: overlap as the server saw it, not as a client meant it."""
        with self._flight:
            return self._peak.get(op, 0)

    def _enter(self, op: str) -> Callable[[], None]:
        with self._flight:
            n = self._in_flight[op] = self._in_flight.get(op, 0) + 1
            self._peak[op] = max(self._peak.get(op, 0), n)
        done = False

        def leave() -> None:
            nonlocal done
            with self._flight:
                if not done:
                    done = True
                    self._in_flight[op] -= 1
        return leave

    def requests(self, op: str | None = None, bucket: str | None = None) -> list[Request]:
        """Logged requests, optionally only one operation (``"ListObjectsV2"``) or one bucket."""
        return [r for r in list(self.log) if (op is None or r.op == op) and (bucket is None or r.bucket == bucket)]

    def count(self, op: str | None = None, bucket: str | None = None) -> int:
        return len(self.requests(op, bucket))


def boto3_client_for(endpoint: str, key: str, secret: str, /, **config):
    """A plain boto3 client (path-style, region us-east-1, one attempt): a test oracle."""
    import boto3
    from botocore.config import Config as BotoConfig

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        region_name="us-east-1",
        config=BotoConfig(s3={"addressing_style": "path"}, retries={"max_attempts": 1, "mode": "standard"}, **config),
    )


def remote_settings_for(endpoint: str, key: str, secret: str, /, **extra) -> dict:
    """A config mapping for a remote on a test server (literal test credentials)."""
    settings = {
        "type": "s3",
        "endpoint": endpoint,
        "region": "us-east-1",
        "path_style": True,
        "credentials": {"access_key_id": key, "secret_access_key": secret},
    }
    settings.update(extra)
    return settings


class MotoS3Server(ThreadedTestServer):
    """moto's S3 server on 127.0.0.1 at a free port, in a thread of this process."""

    def start(self) -> "MotoS3Server":
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        class QuietHandler(MotoRequestHandler):
            def log_request(self, *args, **kwargs):  # the request log is ours
                pass

        app = DomainDispatcherApplication(create_backend_app)
        server = make_server(self.host, self.port, self._middleware(app), threaded=True, request_handler=QuietHandler)
        self._serve(server, "moto-s3")
        return self

    def boto3_client(self):
        """A plain boto3 client on this server: the independent oracle of tests."""
        return boto3_client_for(self.endpoint, TEST_KEY, TEST_SECRET)

    def remote_settings(self, **extra) -> dict:
        """A config mapping for a remote on this server (literal test credentials)."""
        return remote_settings_for(self.endpoint, TEST_KEY, TEST_SECRET, **extra)

    # -- WSGI -----------------------------------------------------------------------------
    def _middleware(self, app):
        def wrapped(environ, start_response):
            headers = {}
            for h in _HEADERS:
                v = environ.get("HTTP_" + h.upper().replace("-", "_"))
                if h == "content-type":
                    v = environ.get("CONTENT_TYPE") or v
                if v:
                    headers[h] = v
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            req = Request(
                method=environ["REQUEST_METHOD"],
                path=environ.get("RAW_URI", environ.get("PATH_INFO", "")).split("?", 1)[0],
                query=environ.get("QUERY_STRING", ""),
                body_length=length,
                headers=headers,
            )
            self.log.append(req)
            leave = self._enter(req.op)
            try:
                return self._answer(app, environ, start_response, req, leave)
            except BaseException:
                leave()
                raise

        return wrapped

    def _answer(self, app, environ, start_response, req: Request, leave: Callable[[], None]):
        cut = None
        for fault in list(self.faults):
            answer = fault(req)
            if isinstance(answer, Reset):
                req.status = 0
                _reset(environ)
            if isinstance(answer, Cut):
                cut = answer.after
                continue
            if answer is not None:
                status, hdrs, body = answer
                if req.method == "HEAD":  # a HEAD answer has no body (as S3 sends it)
                    body = b""
                req.status = status
                req.bytes_sent = len(body)
                start_response(f"{status} Fault", list(hdrs.items()) + [("Content-Length", str(len(body)))])
                leave()
                return [body]

        def recording_start_response(status, response_headers, exc_info=None):
            req.status = int(status.split(" ", 1)[0])
            return start_response(status, response_headers, exc_info)

        return _Counting(app(environ, recording_start_response), req, cut, environ, leave)


class _Counting:
    """Wraps a WSGI response iterable to count the body bytes sent."""

    def __init__(self, inner: Iterable[bytes], req: Request, cut: int | None = None, environ=None,
                 leave: Callable[[], None] = lambda: None):
        self._inner = inner
        self._leave = leave
        self._req = req
        self._cut = cut
        self._environ = environ

    def __iter__(self):
        for chunk in self._inner:
            if self._cut is not None and self._req.bytes_sent + len(chunk) > self._cut:
                part = chunk[: self._cut - self._req.bytes_sent]
                self._req.bytes_sent += len(part)
                if part:
                    yield part
                _reset(self._environ, hard=False)
            self._req.bytes_sent += len(chunk)
            yield chunk

    def close(self):
        try:
            close = getattr(self._inner, "close", None)
            if close is not None:
                close()
        finally:
            self._leave()
