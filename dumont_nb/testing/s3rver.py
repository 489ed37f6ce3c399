"""s3rver (the npm package, a Node.js S3 server) as a second, independent test server.

Installed on first use into a cache folder (``$DUMONT_S3RVER_DIR`` or
``~/.cache/dumont_nb/s3rver``) with ``npm install --prefix DIR s3rver@3``; started on
127.0.0.1 at a port it picks itself, with a temporary data dir; stopped (and the data dir
removed) on exit. s3rver keeps no request log, so by default clients talk to it through a
:class:`~dumont_nb.testing.logproxy.LoggingProxy` that records every request like
:class:`~dumont_nb.testing.server.MotoS3Server` does::

    with S3rverServer() as server:
        server.endpoint           # "http://127.0.0.1:<port>" (the logging proxy)
        server.log, server.requests("GetObject"), server.count("UploadPart"), server.clear()
        server.faults.append(fn)  # fn(request) -> None, or (status, headers, body) to answer instead
        server.boto3_client()     # a plain boto3 client: the oracle
        server.remote_settings()  # a config mapping for a remote on this server

Known deviations from AWS (measured, see docs/stores.md): it ignores ``If-Match`` and
``If-None-Match`` on PutObject, and ListMultipartUploads answers NotImplemented. On Node 17+
it needs ``NODE_OPTIONS=--openssl-legacy-provider`` or the second page of a ListObjectsV2
listing fails with HTTP 500; :class:`S3rverServer` sets it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from .server import StartStop, boto3_client_for, remote_settings_for

__all__ = ["S3rverServer", "S3rverUnavailable", "install_s3rver", "S3RVER_KEY", "S3RVER_SECRET", "S3RVER_DEVIATIONS"]

S3RVER_KEY = "S3RVER"
S3RVER_SECRET = "S3RVER"
SPEC = "s3rver@3"

#: The conformance suite's named deviations that s3rver is expected to show.
S3RVER_DEVIATIONS = frozenset({
    "ignores-if-match", "ignores-if-none-match", "no-list-multipart-uploads", "no-abort-multipart-upload",
    "racy-nested-deletes",
})

_LISTENING = re.compile(rb"S3rver listening on ([^:\s]+):(\d+)")
_install_lock = threading.Lock()


class S3rverUnavailable(RuntimeError):
    """s3rver cannot be installed or started here (no node/npm, no registry, start failure)."""


def default_cache_dir() -> Path:
    """``$DUMONT_S3RVER_DIR`` if set, else ``$XDG_CACHE_HOME`` (or ``~/.cache``) ``/dumont_nb/s3rver``."""
    env = os.environ.get("DUMONT_S3RVER_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dumont_nb" / "s3rver"


def install_s3rver(cache_dir: str | os.PathLike | None = None, *, timeout: float = 300) -> Path:
    """The path of the ``s3rver`` executable, installing it with npm into ``cache_dir`` if missing.

    Concurrent installers (pytest-xdist workers, other checkouts) are serialised by a lock file
    in ``cache_dir``.

    Raises:
        S3rverUnavailable: ``node`` or ``npm`` is not on PATH, or ``npm install`` failed (the
            message carries npm's last lines of output).
    """
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    binary = root / "node_modules" / ".bin" / "s3rver"
    if binary.exists():
        return binary
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise S3rverUnavailable(f"{tool!r} is not on PATH; install Node.js (>= 16) and npm to run the s3rver tests")
    root.mkdir(parents=True, exist_ok=True)
    with _install_lock, open(root / ".install.lock", "w") as lock:
        import fcntl

        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if binary.exists():  # another process installed it while we waited
                return binary
            proc = subprocess.run(
                ["npm", "install", "--prefix", str(root), SPEC, "--no-audit", "--no-fund", "--loglevel=error"],
                capture_output=True,
                text=True,
                timeout=timeout,
            )
            if proc.returncode != 0 or not binary.exists():
                tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
                raise S3rverUnavailable(f"npm install {SPEC} into {root} failed (exit {proc.returncode}): {tail}")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return binary


class S3rverServer(StartStop):
    """s3rver on 127.0.0.1 at a free port, in a child process, with a temporary data dir."""

    def __init__(self, cache_dir: str | os.PathLike | None = None, host: str = "127.0.0.1", *,
                 start_timeout: float = 30, log_requests: bool = True):
        self.cache_dir = cache_dir
        self.host = host
        self.port: int | None = None  # s3rver's own port
        self.start_timeout = start_timeout
        self.log_requests = log_requests
        self.data_dir: Path | None = None
        self._proc: subprocess.Popen | None = None
        self._proxy = None

    # -- life cycle -----------------------------------------------------------------------
    def start(self) -> "S3rverServer":
        """Install if needed, start, and wait until the server answers HTTP.

        Raises:
            S3rverUnavailable: install failed, or the server exited or did not answer within
                ``start_timeout`` seconds (the message carries its output).
        """
        binary = install_s3rver(self.cache_dir)
        self.data_dir = Path(tempfile.mkdtemp(prefix="dumont-s3rver-"))
        env = dict(os.environ)
        opts = env.get("NODE_OPTIONS", "")
        if "--openssl-legacy-provider" not in opts:
            env["NODE_OPTIONS"] = (opts + " --openssl-legacy-provider").strip()
        # -p 0: the server picks a free port itself and prints it, so there is no port race.
        self._proc = subprocess.Popen(
            [str(binary), "-d", str(self.data_dir), "-a", self.host, "-p", "0", "--silent"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            self.port = self._read_port()
            self._wait_answering()
            if self.log_requests:
                from .logproxy import LoggingProxy

                self._proxy = LoggingProxy(self.host, self.port, self.host).start()
        except BaseException:
            self.stop()
            raise
        return self

    def _read_port(self) -> int:
        assert self._proc is not None and self._proc.stdout is not None
        found: dict[str, object] = {}
        seen: list[bytes] = []

        def reader() -> None:
            for line in self._proc.stdout:  # type: ignore[union-attr]
                seen.append(line)
                m = _LISTENING.search(line)
                if m and "port" not in found:
                    found["port"] = int(m.group(2))
                    break

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        t.join(self.start_timeout)
        if "port" not in found:
            output = b"".join(seen).decode(errors="replace").strip()[-500:]
            raise S3rverUnavailable(f"s3rver did not start within {self.start_timeout:g}s: {output or 'no output'}")
        # Keep draining the pipe so a chatty server never blocks on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()
        return int(found["port"])  # type: ignore[arg-type]

    def _drain(self) -> None:
        proc = self._proc
        if proc is not None and proc.stdout is not None:
            for _ in proc.stdout:
                pass

    def _wait_answering(self) -> None:
        import http.client

        deadline = time.monotonic() + self.start_timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise S3rverUnavailable(f"s3rver exited with status {self._proc.returncode} while starting")
            try:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=2)  # s3rver itself
                conn.request("GET", "/")
                conn.getresponse().read()
                conn.close()
                return
            except OSError as exc:
                last = exc
                time.sleep(0.05)
        raise S3rverUnavailable(f"s3rver at {self.endpoint} did not answer within {self.start_timeout:g}s: {last}")

    def stop(self) -> None:
        """Stop the server (and proxy) and delete its data dir (idempotent)."""
        proxy, self._proxy = self._proxy, None
        if proxy is not None:
            proxy.stop()
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
            if proc.stdout is not None:
                proc.stdout.close()
        if self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self.data_dir = None

    @property
    def endpoint(self) -> str:
        """Where clients connect: the logging proxy, or s3rver itself with ``log_requests=False``."""
        return self._proxy.endpoint if self._proxy is not None else self.direct_endpoint

    @property
    def direct_endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- request log (through the proxy) --------------------------------------------------
    @property
    def log(self) -> list:
        """Every request received (``Request`` records as in :mod:`.server`); needs ``log_requests``."""
        return self._need_proxy().log

    @property
    def faults(self) -> list:
        return self._need_proxy().faults

    def clear(self) -> None:
        self._need_proxy().clear()

    def requests(self, op: str | None = None, bucket: str | None = None) -> list:
        return self._need_proxy().requests(op, bucket)

    def count(self, op: str | None = None, bucket: str | None = None) -> int:
        return self._need_proxy().count(op, bucket)

    def _need_proxy(self):
        if self._proxy is None:
            raise RuntimeError("no request log: start S3rverServer(log_requests=True)")
        return self._proxy

    # -- clients --------------------------------------------------------------------------
    def boto3_client(self):
        """A plain boto3 client on this server: the independent oracle of tests."""
        return boto3_client_for(self.endpoint, S3RVER_KEY, S3RVER_SECRET,
                                request_checksum_calculation="when_required",
                                response_checksum_validation="when_required")

    def remote_settings(self, **extra) -> dict:
        """A config mapping for a remote on this server (literal test credentials)."""
        return remote_settings_for(self.endpoint, S3RVER_KEY, S3RVER_SECRET, **extra)
