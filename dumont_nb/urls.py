"""``<remote>://<bucket>/<key>`` URLs.

The key is taken byte-exact: no percent-decoding, and ``?``/``#`` are part of the key, so
``r2://b/a b+c%20?x#y`` names the key ``a b+c%20?x#y``. ``<remote>://`` alone names the
remote's bucket list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import InvalidURLError

__all__ = ["URL", "parse_url", "is_url", "join_path", "split_path"]

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9-]*)://")
BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$")


@dataclass(frozen=True)
class URL:
    """A parsed URL. ``bucket`` is ``None`` for ``<remote>://``; ``key`` is ``""`` for a bucket root."""

    remote: str
    bucket: str | None
    key: str = ""

    @property
    def path(self) -> str:
        """``bucket/key`` (or ``bucket`` alone, or ``""`` for the bucket list): the vfs path."""
        if self.bucket is None:
            return ""
        return f"{self.bucket}/{self.key}" if self.key else self.bucket

    def __str__(self) -> str:
        return f"{self.remote}://{self.path}"

    def require_bucket(self) -> "URL":
        """Raises InvalidURLError unless the URL names a bucket."""
        if self.bucket is None:
            raise InvalidURLError(f"{self}: a bucket is required here; use {self.remote}://<bucket>/<key>")
        return self

    def require_key(self) -> "URL":
        """Raises InvalidURLError unless the URL names an object (bucket and key)."""
        self.require_bucket()
        if not self.key:
            raise InvalidURLError(f"{self}: an object key is required here; use {self.remote}://{self.bucket}/<key>")
        return self


def is_url(text: str) -> bool:
    """True if ``text`` looks like ``<scheme>://...`` (scheme of 2+ characters, so not ``C:\\``)."""
    m = _SCHEME.match(text)
    return bool(m) and len(m.group(1)) > 1


def parse_url(url: str) -> URL:
    """Parse ``<remote>://<bucket>/<key>``.

    Raises:
        InvalidURLError: no ``scheme://``, a scheme that is not a valid remote name, an empty
            bucket before a key (``r2:///key``), or an invalid bucket name.
    """
    if not isinstance(url, str):
        raise InvalidURLError(f"expected a URL string like remote://bucket/key, got {type(url).__name__}")
    m = _SCHEME.match(url)
    if not m or len(m.group(1)) < 2:
        shown = url if len(url) <= 200 else url[:200] + "…"
        raise InvalidURLError(f"{shown!r}: not a dumont URL; expected <remote>://<bucket>/<key>, e.g. r2://data/file.csv")
    remote = m.group(1)
    if remote != remote.lower():
        raise InvalidURLError(f"{url!r}: remote names are lowercase; use {remote.lower()}://...")
    rest = url[m.end():]
    if not rest:
        return URL(remote, None, "")
    bucket, _, key = rest.partition("/")
    if not bucket:
        raise InvalidURLError(f"{url!r}: missing bucket; expected {remote}://<bucket>/<key>")
    if not BUCKET_RE.match(bucket) or ".." in bucket:
        raise InvalidURLError(
            f"{url!r}: invalid bucket name {bucket!r}; bucket names are 3-63 lowercase letters, digits, '.', '-'"
        )
    return URL(remote, bucket, key)


def split_path(path: str) -> tuple[str, str]:
    """``"bucket/key"`` → ``("bucket", "key")``; ``"bucket"`` → ``("bucket", "")``.

    Raises:
        InvalidURLError: the path is empty or the bucket part is invalid.
    """
    bucket, _, key = path.partition("/")
    if not bucket or not BUCKET_RE.match(bucket):
        raise InvalidURLError(f"{path!r}: expected a path of the form <bucket>/<key>")
    return bucket, key


def join_path(bucket: str, key: str) -> str:
    """Inverse of :func:`split_path`."""
    return f"{bucket}/{key}" if key else bucket
