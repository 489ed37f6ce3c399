"""Keep resolved credentials out of log output, botocore's DEBUG logging included.

At DEBUG level botocore logs every request's headers and canonical request, which carry the
session token (``X-Amz-Security-Token``); the secret key itself is never logged by botocore, but
it is registered here too. :func:`protect` registers the values a client resolved; a filter on
the loggers that log requests replaces any of them with ``***`` before a handler sees the record.
"""

from __future__ import annotations

import logging
import threading

__all__ = ["protect", "release", "REDACTED_LOGGERS"]

#: loggers that log request headers, signing material or call parameters (records are filtered
#: on the logger that created them, so each is named; any botocore/aiobotocore/s3fs logger that
#: exists when a client is built is covered too)
REDACTED_LOGGERS = (
    "botocore.endpoint", "botocore.auth", "botocore.hooks", "botocore.parsers", "botocore.retryhandler",
    "botocore.httpsession", "botocore.credentials", "botocore.client", "botocore.regions",
    "aiobotocore.endpoint", "aiobotocore.httpsession", "aiobotocore.credentials", "s3fs", "fsspec",
)
_PREFIXES = ("botocore", "aiobotocore", "s3fs", "fsspec", "dumont_nb")

_owners: dict[int, set[str]] = {}  # client id -> the values it registered (dropped on close)
_values: frozenset[str] = frozenset()
_lock = threading.Lock()


class _Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        values = _values
        if not values:
            return True
        try:
            msg = record.getMessage()
        except Exception:  # a broken record: leave it to logging's own error handling
            return True
        hit = False
        for v in list(values):
            if v in msg:
                msg, hit = msg.replace(v, "***"), True
        if hit:
            record.msg, record.args = msg, None
        return True


_FILTER = _Redact()


def protect(owner: int, *values: str | None) -> None:
    """Redact ``values`` (resolved secrets; short or empty ones are ignored) from log records
    while ``owner`` (a client's ``id``) holds them; :func:`release` drops them with the client,
    so the set stays as small as the clients alive."""
    global _values
    with _lock:
        _owners.setdefault(owner, set()).update(v for v in values if v and len(v) >= 8)
        _values = frozenset().union(*_owners.values())
        names = set(REDACTED_LOGGERS) | {
            n for n in list(logging.root.manager.loggerDict) if n.split(".", 1)[0] in _PREFIXES
        }
        for name in names:
            logger = logging.getLogger(name)
            if _FILTER not in logger.filters:
                logger.addFilter(_FILTER)


def release(owner: int) -> None:
    """Forget the values ``owner`` registered (its client was closed)."""
    global _values
    with _lock:
        _owners.pop(owner, None)
        _values = frozenset().union(*_owners.values())
