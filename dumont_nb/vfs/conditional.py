"""Does the store enforce conditional writes? A one-time probe per backend and bucket, cached.

``emulate`` commits a read-modify-write with ``PutObject`` + ``If-Match: <etag read>`` (or
``If-None-Match: *`` for a new object), so a concurrent writer makes the commit fail with
:class:`~dumont_nb.errors.ConflictError` instead of being overwritten. Some stores (s3rver, older
MinIO/Ceph, ...) accept those headers and ignore them: the guarantee would be lost silently.
:func:`conditional_writes` finds out once per backend (client) and bucket:

1. ``PutObject .dumont-probe/<random>`` with ``If-None-Match: *``: must succeed (new key);
2. the same again: an enforcing store answers 412;
3. ``PutObject`` with ``If-Match`` of an ETag the object does not have: an enforcing store
   answers 412;
4. ``DeleteObject`` of the probe key (always attempted).

:func:`guard_commit` is what the emulate commit path calls: it returns quietly when the store
enforces both headers; otherwise, as the remote's ``conditional_writes`` says, it refuses
(``require``) or does the weaker check (``fallback``): a ``HeadObject`` just before the commit
that must still show the ETag that was read (or no object, for a new file).
"""

from __future__ import annotations

import threading
import uuid
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import (
    AccessDeniedError,
    ConflictError,
    DumontError,
    ExistsError,
    NotFoundError,
    NotSupportedError,
)

if TYPE_CHECKING:
    from .client import Client

__all__ = ["ConditionalWriteSupport", "conditional_writes", "probe", "guard_commit", "forget", "PROBE_PREFIX"]

#: probe objects live under this prefix for the few milliseconds of the probe
PROBE_PREFIX = ".dumont-probe/"
_WRONG_ETAG = '"' + "0" * 32 + '"'
_DENIED = "the store denied the probe's PutObject; the credentials may be read-only"


@dataclass(frozen=True)
class ConditionalWriteSupport:
    """What the store does with ``If-None-Match: *`` and ``If-Match`` on PutObject.

    ``if_none_match`` / ``if_match`` are True (enforced), False (ignored or not implemented) or
    None (unknown: the probe could not run; ``reason`` says why).
    """

    bucket: str
    if_none_match: bool | None
    if_match: bool | None
    reason: str = ""

    @property
    def enforced(self) -> bool:
        """Both headers are enforced: emulate's commit is safe against concurrent writers."""
        return self.if_none_match is True and self.if_match is True

    @property
    def known(self) -> bool:
        return self.if_none_match is not None and self.if_match is not None

    def describe(self) -> str:
        """One line for ``%dumont caps`` / ``config check``."""
        if self.enforced:
            return "enforced (If-Match, If-None-Match)"
        if not self.known:
            return f"unknown ({self.reason})" if self.reason else "unknown"
        ignored = [h for h, ok in (("If-Match", self.if_match), ("If-None-Match", self.if_none_match)) if not ok]
        return f"ignored by the store ({', '.join(ignored)})"


_clients: "weakref.WeakSet[Client]" = weakref.WeakSet()  # clients holding probe results (for forget())
_guard = threading.Lock()


def _cache(client: "Client") -> dict[str, ConditionalWriteSupport]:
    """The probe results of one client (per backend: they go with it when it is closed)."""
    with _guard:
        _clients.add(client)
        return client.__dict__.setdefault("_probes", {})


def conditional_writes(client: "Client", bucket: str) -> ConditionalWriteSupport:
    """The store's conditional-write support for ``bucket``: probed on first call, then cached
    on the client (one probe per backend and bucket).

    A probe the store denies (read-only credentials) gives an *unknown* result, cached too, so
    a read-only remote does not pay failed requests per commit. Other failures are not cached.

    Raises:
        NotFoundError: the bucket does not exist.
        StoreError: the store could not be reached or kept failing (see :mod:`.translate`).
    """
    cache = _cache(client)
    hit = cache.get(bucket)
    if hit is not None:
        return hit
    with _guard:
        lock = client.__dict__.setdefault("_probe_lock", threading.Lock())
    with lock:  # one probe per bucket even when several threads commit at once
        hit = cache.get(bucket)
        if hit is None:
            hit = cache[bucket] = probe(client, bucket)
        return hit


def forget(client: "Client | None" = None, bucket: str | None = None) -> None:
    """Drop cached probe results (of every client, or one client's, or one client and bucket's)."""
    with _guard:
        clients = list(_clients) if client is None else [client]
    for c in clients:
        cache = c.__dict__.get("_probes", {})
        for key in list(cache):
            if bucket is None or key == bucket:
                cache.pop(key, None)


def probe(client: "Client", bucket: str) -> ConditionalWriteSupport:
    """Run the probe now (uncached); see the module docstring for the four requests.

    Raises:
        NotFoundError, StoreError: as :func:`conditional_writes`.
    """
    key = f"{PROBE_PREFIX}{uuid.uuid4().hex}"
    body = b"dumont_nb conditional-write probe; safe to delete\n"
    try:
        client.call("put_object", Bucket=bucket, Key=key, Body=body, IfNoneMatch="*", precondition="exists")
    except NotSupportedError:
        # The store rejects the header outright: it cannot do conditional writes at all.
        return ConditionalWriteSupport(bucket, False, False, "the store does not implement conditional PutObject")
    except AccessDeniedError:
        return ConditionalWriteSupport(bucket, None, None, _DENIED)
    try:
        if_none_match = _refused(client, bucket, key, body, IfNoneMatch="*", precondition="exists")
        if_match = _refused(client, bucket, key, body, IfMatch=_WRONG_ETAG, precondition="conflict")
    except AccessDeniedError:
        return ConditionalWriteSupport(bucket, None, None, _DENIED)
    finally:
        try:
            client.call("delete_object", Bucket=bucket, Key=key)
        except DumontError:
            pass  # a leftover probe object is harmless; the result stands
    return ConditionalWriteSupport(bucket, if_none_match, if_match)


def _refused(client: "Client", bucket: str, key: str, body: bytes, **kw) -> bool:
    """True if the store refused this conditional PutObject (enforced), False if it wrote it."""
    try:
        client.call("put_object", Bucket=bucket, Key=key, Body=body, **kw)
    except (ExistsError, ConflictError):
        return True
    except NotSupportedError:
        return False
    return False


def guard_commit(client: "Client", bucket: str, key: str, etag_read: str | None) -> None:
    """Called by emulate just before its conditional commit of ``bucket/key``.

    ``etag_read`` is the ETag of the object when it was read, quoted or not (None: it did not
    exist).
    Returns quietly when the store enforces conditional writes (the commit's own If-Match /
    If-None-Match then does the job). Otherwise follows the remote's ``conditional_writes``:

    Raises:
        NotSupportedError: ``conditional_writes: require`` (the default) and the store ignores
            conditional writes, or the probe could not tell; nothing has been written.
        ConflictError: ``conditional_writes: fallback`` and the object's ETag is no longer
            ``etag_read`` (someone else wrote it since it was read); nothing has been written.
            Also when ``etag_read`` is None and the object now exists, or it was deleted.
    """
    support = conditional_writes(client, bucket)
    if support.enforced:
        return
    remote = client.remote
    url = client.url(bucket, key)
    if remote.conditional_writes != "fallback":
        raise NotSupportedError(
            f"{url}: the store of remote {remote.name!r} does not enforce conditional writes on bucket "
            f"{bucket!r} ({support.describe()}), so emulate cannot detect a concurrent writer; nothing "
            f"was written. Set `conditional_writes: fallback` on remote {remote.name!r} to accept a "
            "weaker ETag re-check",
            url,
        )
    try:
        head = client.call("head_object", Bucket=bucket, Key=key)
    except NotFoundError:
        if etag_read is None:
            return
        raise ConflictError(
            f"{url}: the object was deleted by someone else since it was read; nothing was written, "
            "re-open it and try again"
        ) from None
    if etag_read is None:
        raise ConflictError(
            f"{url}: the object was created by someone else since it was opened; nothing was written, "
            "re-open it and try again"
        )
    if (head.get("ETag") or "").strip('"') != etag_read.strip('"'):
        raise ConflictError(
            f"{url}: the object was changed by someone else since it was read; nothing was written, "
            "re-open it and try again"
        )
