"""``cat`` and ``head``: objects as UTF-8 text, with a clear error for binary ones.

Both read through the vfs in chunks of 64 KiB; ``head`` stops once it has its lines (so the
first lines of a 5 GB object cost a few ranged reads), ``cat`` refuses objects above
:data:`CAT_LIMIT`.
"""

from __future__ import annotations

import codecs
from typing import TYPE_CHECKING

from .. import api
from ..errors import BinaryObjectError, DumontError, StoreError
from ..urls import parse_url

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["cat", "head", "BinaryObjectError", "CAT_LIMIT", "HEAD_LIMIT"]

#: ``cat`` refuses objects larger than this
CAT_LIMIT = 16 * 2**20
#: ``head`` reads at most this much before giving up on finding ``n`` lines
HEAD_LIMIT = 1 * 2**20
_CHUNK = 64 * 2**10



def _binary(url: str, why: str) -> BinaryObjectError:
    return BinaryObjectError(
        f"{url}: binary object ({why}); download it with `%dumont cp {url} <local path>` "
        f"or read it with dumont_nb.open(url, 'rb')"
    )


def _read_text(url: str, *, lines: int | None, limit: int, config: Config | None) -> str:
    parsed = parse_url(url).require_key()
    fs = api.filesystem(parsed.remote, config=config)
    decoder = codecs.getincrementaldecoder("utf-8")()
    parts: list[str] = []
    seen = newlines = 0
    eof = False
    with fs.open(parsed.path, "rb") as f:
        while True:
            chunk = f.read(_CHUNK)
            eof = not chunk
            if eof:
                break
            if b"\x00" in chunk:
                raise _binary(url, "it contains NUL bytes")
            try:
                parts.append(decoder.decode(chunk))
            except UnicodeDecodeError:
                raise _binary(url, "it is not UTF-8 text") from None
            seen += len(chunk)
            newlines += chunk.count(b"\n")
            if lines is not None and newlines >= lines:
                break
            if seen > limit:
                if lines is None:
                    raise _too_large(url, limit)
                break
    if eof:
        try:
            parts.append(decoder.decode(b"", final=True))
        except UnicodeDecodeError:
            raise _binary(url, "it is not UTF-8 text") from None
    text = "".join(parts)
    return text if lines is None else "".join(text.splitlines(keepends=True)[:lines])


def _too_large(url: str, limit: int) -> DumontError:
    from ..formatting import human_size

    return StoreError(
        f"{url}: larger than {human_size(limit)}, too big for cat; use `%dumont head -n N {url}` "
        f"or download it with `%dumont cp {url} <local path>`",
        url,
    )


def cat(url: str, *, limit: int | None = None, config: Config | None = None) -> str:
    """The whole object as UTF-8 text (at most ``limit`` bytes, default :data:`CAT_LIMIT`).

    Raises:
        BinaryObjectError: the object has NUL bytes or is not UTF-8.
        StoreError: the object is larger than ``limit``.
        InvalidURLError, UnknownRemoteError, FileNotFoundError, IsADirectoryError, PermissionError.
    """
    return _read_text(url, lines=None, limit=CAT_LIMIT if limit is None else limit, config=config)


def head(url: str, n: int = 10, *, config: Config | None = None) -> str:
    """The first ``n`` lines of an object (reads only the first chunks, never the whole object).

    Raises:
        as :func:`cat` (but never too large).
    """
    if n < 0:
        raise ValueError(f"head: -n must be 0 or more, got {n}")
    if n == 0:
        parse_url(url).require_key()
        return ""
    return _read_text(url, lines=n, limit=HEAD_LIMIT, config=config)
