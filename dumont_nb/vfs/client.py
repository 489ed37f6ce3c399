"""The connection to one S3 remote: a lazily built s3fs client, raw calls, error translation.

s3fs gives us what it does well (aiobotocore client, credential chain, endpoints, its event-loop
thread); the backend issues raw S3 API calls through :meth:`Client.call` / :meth:`Client.acall`
and owns the semantics. Calls go straight to the aiobotocore client, *not* through s3fs's own
retry wrapper, so the number of attempts per request is exactly botocore's ``max_attempts``
(standard retry mode), and every failure is translated once, by :func:`.translate.translate`.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, Iterable, TypeVar

from ..config import Remote
from .redact import protect, release
from .translate import translate

__all__ = ["Client", "whole_seconds", "CONCURRENCY"]

T = TypeVar("T")

#: requests in flight at once for copies, deletes and multipart part uploads
CONCURRENCY = 8
#: read ListObjectsV2 pages with :mod:`.listparse` (False: botocore's parser, for comparisons)
FAST_LIST_PARSER = True
#: bytes per read of a response body (a resumed read continues after the last whole chunk)
_CHUNK = 256 * 2**10


def whole_seconds(value: datetime | None) -> datetime | None:
    """``value`` in UTC, truncated to whole seconds (S3's HTTP dates have no sub-second part)."""
    if value is None:
        return None
    if value.tzinfo is timezone.utc and not value.microsecond:  # a listing's usual case: as it is
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).replace(microsecond=0)


class Client:
    """Raw S3 calls on one remote. Thread-safe; the s3fs instance is built on first use."""

    def __init__(self, remote: Remote):
        self.remote = remote
        self._fs = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Client(remote={self.remote.name!r})"

    # -- the s3fs instance ----------------------------------------------------------------
    @property
    def fs(self):
        """The ``s3fs.S3FileSystem`` (built on first use; credentials are resolved then).

        Raises:
            CredentialError: a credential reference cannot be resolved.
        """
        with self._lock:
            if self._fs is None:
                self._fs = self._build()
            return self._fs

    def _build(self):
        import s3fs

        r = self.remote
        kwargs: dict[str, Any] = {}
        session = _session(None if r.anonymous or r.credentials is not None else r.profile)
        if r.anonymous:
            kwargs["anon"] = True
        elif r.credentials is not None:
            # resolved values go straight into the session's credentials object (whose repr shows
            # nothing): never into a local, a kwargs dict or s3fs's key/secret attributes, which
            # a verbose traceback (%xmode Verbose) would print and a notebook would save
            _set_credentials(session, r.credentials, id(self))
        client_kwargs: dict[str, Any] = {"verify": r.verify_ssl}
        if r.region:
            client_kwargs["region_name"] = r.region
        config_kwargs: dict[str, Any] = {
            "retries": {"total_max_attempts": r.max_attempts, "mode": "standard"},  # incl. the first
            "request_checksum_calculation": r.checksum_mode,
            "response_checksum_validation": r.checksum_mode,
            "connect_timeout": r.connect_timeout,
            "read_timeout": r.read_timeout,
            "max_pool_connections": 64,  # inventory keeps up to 32 listings in flight
            "signature_version": "s3v4",  # requests and presigned links alike
        }
        session_cls = _one_try_session_cls()
        if session_cls is not None:
            config_kwargs["http_session_cls"] = session_cls
        if r.path_style:
            config_kwargs["s3"] = {"addressing_style": "path"}
        fs = s3fs.S3FileSystem(
            endpoint_url=r.endpoint,
            client_kwargs=client_kwargs,
            config_kwargs=config_kwargs,
            skip_instance_cache=True,
            use_listings_cache=False,
            session=session,
            **kwargs,
        )
        fs.retries = 1  # s3fs's own retry loop would multiply botocore's attempts
        return fs

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self.fs.loop

    def close(self) -> None:
        """Close the connection pool and forget the s3fs instance (and the secrets it registered
        for log redaction). The next call builds a new one, so closing is always safe."""
        with self._lock:
            fs, self._fs = self._fs, None
        if fs is None:
            return
        release(id(self))
        s3 = getattr(fs, "_s3", None)
        if s3 is not None and fs.loop.is_running():
            try:
                asyncio.run_coroutine_threadsafe(s3.close(), fs.loop).result(10)
            except Exception:  # a pool already gone, or a loop shutting down: nothing left to close
                pass

    # -- URLs for messages ----------------------------------------------------------------
    def url(self, bucket: str, key: str = "") -> str:
        """``remote://bucket/key``."""
        path = f"{bucket}/{key}" if key else bucket
        return f"{self.remote.name}://{path}"

    # -- calls ----------------------------------------------------------------------------
    async def acall(self, method: str, *, precondition: str = "conflict", url: str | None = None, **kw: Any) -> Any:
        """Await one S3 API call (``"put_object"``, ...) with boto-style keyword arguments.

        Raises:
            a :mod:`dumont_nb.errors` error (see :mod:`.translate`), naming the URL.
        """
        fs = self.fs
        bucket = kw.get("Bucket", "")
        try:
            await fs.set_session()
            client = fs._s3
            return await getattr(client, method)(**kw)
        except Exception as exc:
            where = url or self.url(bucket, kw.get("Key", kw.get("Prefix", "")))
            raise translate(
                exc, where, op=_op_name(method), remote=self.remote.name, bucket=bucket, precondition=precondition
            ) from exc

    def call(self, method: str, **kw: Any) -> Any:
        """:meth:`acall`, blocking."""
        return self.run(self.acall, method, **kw)

    def run(self, func: Callable[..., Awaitable[T]], *args: Any, **kw: Any) -> T:
        """Run ``func(*args, **kw)`` on s3fs's event-loop thread and wait for it.

        An interrupt while waiting (Ctrl-C: ``KeyboardInterrupt``) cancels the coroutine on the
        loop too, so no request of the interrupted operation is sent after it (``fsspec.asyn.sync``
        would leave it running in the background).
        """
        loop = self.loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            raise NotImplementedError("Client.run() called from the event-loop thread; await the coroutine instead")
        future = asyncio.run_coroutine_threadsafe(func(*args, **kw), loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise

    def submit(self, coro: Awaitable[T]):
        """Start ``coro`` on the event-loop thread; returns a ``concurrent.futures.Future``."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def gather(self, make: Callable[[T], Awaitable[Any]], items: Iterable[T], limit: int = CONCURRENCY) -> list:
        """``[await make(item) for item in items]`` concurrently, at most ``limit`` in flight.

        Raises the first error after all started calls have finished (none is left running).
        """

        async def _all():
            sem = asyncio.Semaphore(limit)

            async def one(item):
                async with sem:
                    return await make(item)

            results = await asyncio.gather(*(one(i) for i in items), return_exceptions=True)
            for r in results:
                if isinstance(r, BaseException):
                    raise r
            return results

        return self.run(_all)

    async def aread_range(self, bucket: str, key: str, start: int, end: int, etag: str | None,
                          version_id: str | None = None) -> bytes:
        """Bytes ``[start, end)`` of an object, pinned to ``etag`` (If-Match) and, when given,
        to ``version_id``.

        A connection dropped mid-body is resumed with another ranged GET pinned to the same
        ETag (botocore does not retry errors after the headers), up to ``max_attempts`` times.

        Raises:
            ConflictError: the object changed (its ETag is no longer ``etag``).
            NotFoundError: the object is gone.
        """
        out = bytearray()
        attempts = 0
        while start + len(out) < end:
            kw: dict[str, Any] = {"Bucket": bucket, "Key": key, "Range": f"bytes={start + len(out)}-{end - 1}"}
            if etag:
                kw["IfMatch"] = etag
            if version_id:
                kw["VersionId"] = version_id
            resp = await self.acall("get_object", **kw)
            body = resp["Body"]
            if etag and resp.get("ETag") and resp["ETag"].strip('"') != etag.strip('"'):
                async with body:  # a store that ignores If-Match (s3rver) sent another version
                    pass
                from ..errors import ConflictError

                raise ConflictError(f"{self.url(bucket, key)}: the object was changed by someone else while "
                                    "it was being read; re-open it and read again")
            try:
                async with body as stream:
                    while chunk := await stream.read(_CHUNK):  # keep what arrived before a drop
                        out += chunk
            except (OSError, asyncio.IncompleteReadError, Exception) as exc:  # mid-body failure
                attempts += 1
                if attempts >= self.remote.max_attempts:
                    raise translate(exc, self.url(bucket, key), op="GetObject", remote=self.remote.name,
                                    bucket=bucket) from exc
                continue
            if not resp.get("ContentLength") and start + len(out) < end:
                break  # the store has fewer bytes than asked: stop at its end
        return bytes(out)


def _one_try_session_cls():
    """aiobotocore's aiohttp session, minus aiohttp's own second try of an idempotent request on a
    dropped connection: under botocore's retries it doubled the attempts (2 × ``max_attempts``)."""
    import inspect

    from aiobotocore.config import AioConfig
    from aiobotocore.httpsession import AIOHTTPSession

    if "http_session_cls" not in inspect.signature(AioConfig.__init__).parameters:
        return None  # an older aiobotocore: keep its default session

    class OneTrySession(AIOHTTPSession):
        async def _get_session(self, proxy_url):
            session = await super()._get_session(proxy_url)
            session._retry_connection = False  # aiohttp has no public switch for this
            return session

    return OneTrySession


def parse_timestamp(value: Any) -> datetime:
    """botocore's timestamp parser, with a fast path for ISO 8601 (every listed key's LastModified).

    botocore's default goes through dateutil: ~40 µs a key, more than half of a listing's client
    CPU (measured in ``benchmarks/``). ``datetime.fromisoformat`` reads the same values exactly;
    anything else (HTTP dates, nanoseconds on Python 3.10) falls back to botocore.
    """
    if isinstance(value, str) and value.endswith("Z") and "T" in value:
        try:
            return datetime.fromisoformat(value[:-1] + "+00:00")
        except ValueError:
            pass
    from botocore.utils import parse_timestamp as slow

    return slow(value)


def _set_credentials(session, creds, owner: int) -> None:
    """Resolve ``creds`` (references) into ``session``, registering the secrets for log redaction.
    No resolved value is bound to a name in any frame here.

    Raises:
        CredentialError: a reference cannot be resolved.
    """
    token = creds.session_token
    session.set_credentials(
        creds.access_key_id.resolve().reveal(),
        creds.secret_access_key.resolve().reveal(),
        token.resolve().reveal() if token is not None else None,
    )
    frozen = session._credentials  # an AioCredentials; its repr shows no value
    protect(owner, frozen.secret_key, frozen.token)


def _session(profile: str | None):
    """The aiobotocore session s3fs would make, with :func:`parse_timestamp` as the parser's."""
    from aiobotocore.session import AioSession

    session = AioSession(profile=profile) if profile else AioSession()
    factory = session.get_component("response_parser_factory")
    factory.set_parser_defaults(timestamp_parser=parse_timestamp)
    if FAST_LIST_PARSER:
        from .listparse import install

        install(factory, session)  # ListObjectsV2 pages without botocore's per-key shape walk
    return session


def _op_name(method: str) -> str:
    return "".join(p.capitalize() for p in method.split("_")).replace("V2", "V2")
