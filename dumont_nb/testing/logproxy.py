"""A logging HTTP proxy in front of an S3 server that keeps no request log of its own (s3rver).

It records every request as a :class:`~dumont_nb.testing.server.Request` (the same records, op
names and helpers as :class:`~dumont_nb.testing.server.MotoS3Server`), can answer from a fault
hook instead of forwarding, and forwards everything else unchanged, ``Host`` header included, so
SigV4 signatures made for the proxy's address still verify upstream::

    proxy = LoggingProxy("127.0.0.1", upstream_port).start()
    proxy.endpoint            # "http://127.0.0.1:<proxy port>": give this to clients
    proxy.log, proxy.requests("PutObject"), proxy.count("UploadPart"), proxy.clear()
    proxy.faults.append(fn)   # fn(request) -> None, or (status, headers, body) to answer instead
    proxy.stop()

Request and response bodies are buffered whole (test objects are small); a chunked request body
is de-chunked and forwarded with a Content-Length.
"""

from __future__ import annotations

import http.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .server import _HEADERS, Request, ThreadedTestServer

__all__ = ["LoggingProxy"]

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "expect", "proxy-connection", "te", "upgrade"}


class LoggingProxy(ThreadedTestServer):
    """Forwards HTTP from 127.0.0.1:<free port> to ``upstream_host:upstream_port``, logging each request."""

    def __init__(self, upstream_host: str, upstream_port: int, host: str = "127.0.0.1"):
        super().__init__(host, 0)
        self.upstream = (upstream_host, upstream_port)

    def start(self) -> "LoggingProxy":
        server = ThreadingHTTPServer((self.host, 0), _handler(self))
        server.daemon_threads = True
        self._serve(server, "s3-log-proxy")
        return self


def _handler(proxy: LoggingProxy):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive towards the client; 100-continue handled here

        def log_message(self, *args) -> None:  # the request log is ours
            pass

        def _body(self) -> bytes:
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                out = bytearray()
                while True:
                    size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass  # trailers
                        return bytes(out)
                    out += self.rfile.read(size)
                    self.rfile.readline()
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _forward(self) -> None:
            body = self._body()
            path, _, query = self.path.partition("?")
            headers = {h: v for h in _HEADERS if (v := self.headers.get(h))}
            req = Request(method=self.command, path=path, query=query, body_length=len(body), headers=headers)
            proxy.log.append(req)
            for fault in list(proxy.faults):
                answer = fault(req)
                if answer is not None:
                    status, hdrs, payload = answer
                    self._reply(req, status, list(hdrs.items()), payload)
                    return
            out_headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            if body or self.command in ("PUT", "POST"):
                out_headers["Content-Length"] = str(len(body))
            conn = http.client.HTTPConnection(*proxy.upstream, timeout=120)
            try:
                conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for k, v in out_headers.items():
                    conn.putheader(k, v)
                conn.endheaders(body or None)
                resp = conn.getresponse()
                payload = resp.read()
                hdrs = [(k, v) for k, v in resp.getheaders() if k.lower() not in _HOP_BY_HOP | {"content-length"}]
                if self.command == "HEAD":
                    hdrs.append(("Content-Length", resp.getheader("Content-Length") or "0"))
                self._reply(req, resp.status, hdrs, payload, head=self.command == "HEAD")
            finally:
                conn.close()

        def _reply(self, req: Request, status: int, headers: list, payload: bytes, head: bool = False) -> None:
            req.status = status
            req.bytes_sent = 0 if head else len(payload)
            self.send_response_only(status)
            for k, v in headers:
                self.send_header(k, v)
            if not head:
                self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if not head and payload:
                self.wfile.write(payload)

        do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _forward

    return Handler
