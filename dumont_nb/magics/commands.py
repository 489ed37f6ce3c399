"""The ``%dumont`` sub-commands as plain functions: callable from Python, returning values.

The magic (:mod:`dumont_nb.magics.core`) only parses a line and calls one of these. Each takes
URLs (``<remote>://<bucket>/<key>``) or, where it says so, local paths, and an optional
``config`` (the active config when ``None``). Errors are dumont's typed errors (also builtins);
the magic turns them into one-line ``UsageError`` messages.
"""

from __future__ import annotations

import codecs
import os
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from .. import api
from ..errors import DumontError, IsADirError, NotFoundError, NotSupportedError, StoreError
from ..urls import is_url, parse_url

if TYPE_CHECKING:  # pandas is imported when a command needs it
    import pandas as pd

    from ..config import Config

__all__ = [
    "ls", "stat", "du", "find", "cat", "head", "cp", "mv", "rm", "plan_rm", "mkdir", "put",
    "remotes", "caps", "config", "browse", "BinaryObjectError", "NotConfirmedError", "RemovalPlan",
    "human_size",
]

#: ``cat`` refuses objects larger than this (``head`` reads only what it shows)
CAT_LIMIT = 16 * 2**20
#: ``head`` reads at most this much before giving up on finding ``n`` lines
HEAD_LIMIT = 1 * 2**20
_CHUNK = 64 * 2**10


class BinaryObjectError(DumontError, ValueError):
    """``cat``/``head`` of an object that is not UTF-8 text."""


class NotConfirmedError(DumontError, PermissionError):
    """A recursive delete was not confirmed (pass ``yes=True`` or a ``confirm`` callable)."""


@dataclass(frozen=True)
class RemovalPlan:
    """What ``rm -r`` would delete: ``count`` objects of ``size`` bytes under ``url``."""

    url: str
    count: int
    size: int

    def __str__(self) -> str:
        return f"{self.url}: {self.count} object(s), {human_size(self.size)}"


def human_size(n: int) -> str:
    """``1536`` → ``"1.5 KiB"``."""
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


# -- listing ------------------------------------------------------------------------------
def ls(url: str, *, recursive: bool = False, long: bool = False, config: Config | None = None) -> pd.DataFrame:
    """The stat table of ``url`` (``<remote>://`` lists buckets); ``long`` keeps every column,
    otherwise ``url, name, type, size, mtime``.

    Raises:
        InvalidURLError, UnknownRemoteError, FileNotFoundError, NotADirectoryError, PermissionError.
    """
    from .. import tables

    frame = tables.listing(url, recursive=recursive, config=config)
    if long:
        return frame
    short = [c for c in ("url", "name", "type", "size", "mtime") if c in frame.columns]
    return frame[short]


def stat(url: str, *, config: Config | None = None) -> pd.Series:
    """One object or directory as a Series (``url, name, type, size, mtime, etag, storage_class``).

    Raises:
        InvalidURLError, UnknownRemoteError, FileNotFoundError, PermissionError.
    """
    import pandas as pd

    parse_url(url).require_bucket()
    fs, path = api.resolve(url, config=config)
    info = fs.stat(path)
    return pd.Series(
        {
            "url": fs.url(info.path),
            "name": info.name,
            "type": info.type,
            "size": info.size,
            "mtime": info.mtime,
            "etag": info.etag,
            "storage_class": info.storage_class,
        },
        name=fs.url(info.path),
    )


def du(url: str, *, depth: int = 1, config: Config | None = None) -> pd.DataFrame:
    """Sizes and object counts per sub-prefix of ``url`` (see :func:`dumont_nb.du`)."""
    from .. import tables

    return tables.du(url, depth=depth, config=config)


def find(url: str, *, glob: str | None = None, config: Config | None = None) -> pd.DataFrame:
    """Every object under ``url`` (recursive listing), optionally only names matching ``glob``.

    Raises:
        as :func:`ls`.
    """
    from .. import tables

    return tables.listing(url, recursive=True, glob=glob, config=config)


# -- reading ------------------------------------------------------------------------------
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
    return StoreError(
        f"{url}: larger than {human_size(limit)}, too big for cat; use `%dumont head -n N {url}` "
        f"or download it with `%dumont cp {url} <local path>`",
        url,
    )


def cat(url: str, *, limit: int = CAT_LIMIT, config: Config | None = None) -> str:
    """The whole object as UTF-8 text.

    Raises:
        BinaryObjectError: the object has NUL bytes or is not UTF-8.
        StoreError: the object is larger than ``limit``.
        InvalidURLError, UnknownRemoteError, FileNotFoundError, IsADirectoryError, PermissionError.
    """
    return _read_text(url, lines=None, limit=limit, config=config)


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


# -- writing ------------------------------------------------------------------------------
def put(url: str, data: str | bytes, *, encoding: str = "utf-8", config: Config | None = None) -> int:
    """Write ``data`` as the whole object at ``url``; returns the bytes written.

    Raises:
        InvalidURLError, UnknownRemoteError, FileNotFoundError (no bucket), IsADirectoryError,
        PermissionError.
    """
    body = data.encode(encoding) if isinstance(data, str) else bytes(data)
    parsed = parse_url(url).require_key()
    with api.filesystem(parsed.remote, config=config).open(parsed.path, "wb") as f:
        f.write(body)
    return len(body)


def cp(src: str, dst: str, *, recursive: bool = False, config: Config | None = None) -> Any:
    """Copy between local paths and remote URLs with a progress bar (see :func:`dumont_nb.copy`)."""
    from ..transfers import copy

    return copy(src, dst, recursive=recursive, config=config)


def _is_dir(target: str, config: Config | None) -> bool:
    if is_url(target):
        fs, path = api.resolve(target, config=config)
        return fs.stat(path).is_dir
    if not os.path.lexists(target):
        raise NotFoundError(f"{target}: no such local file or directory", target)
    return os.path.isdir(target)


def mv(src: str, dst: str, *, config: Config | None = None) -> str:
    """Move an object or directory; returns the destination. Within one remote this is the
    backend's rename (copy then delete, not atomic); otherwise a copy then a delete of the source.
    A ``dst`` ending in ``/`` receives ``src`` under its own name.

    Raises:
        FileNotFoundError: ``src`` does not exist. Others as :func:`cp`.
    """
    if dst.endswith("/"):
        dst = dst + src.rstrip("/").rsplit("/", 1)[-1]
    if is_url(src) and is_url(dst) and parse_url(src).remote == parse_url(dst).remote:
        s, d = parse_url(src).require_key(), parse_url(dst).require_key()
        api.filesystem(s.remote, config=config).rename(s.path, d.path)
        return dst
    directory = _is_dir(src, config)
    cp(src, dst, recursive=directory, config=config)
    if is_url(src):
        fs, path = api.resolve(src, config=config)
        fs.remove_all(path) if directory else fs.remove(path)
    elif directory:
        shutil.rmtree(src)
    else:
        os.remove(src)
    return dst


def plan_rm(url: str, *, config: Config | None = None) -> RemovalPlan:
    """Count what ``rm(url, recursive=True)`` would delete (one recursive listing).

    Raises:
        FileNotFoundError: nothing at ``url``.
    """
    if not is_url(url):
        if not os.path.lexists(url):
            raise NotFoundError(f"{url}: no such local file or directory", url)
        if not os.path.isdir(url):
            return RemovalPlan(url, 1, os.path.getsize(url))
        count = size = 0
        for root, _, files in os.walk(url):
            for name in files:
                count += 1
                size += os.path.getsize(os.path.join(root, name))
        return RemovalPlan(url, count, size)
    parsed = parse_url(url).require_bucket()
    fs = api.filesystem(parsed.remote, config=config)
    count = size = 0
    for page in fs.iterdir(parsed.path, recursive=True):
        for info in page:
            count += 1
            size += info.size
    info = None
    if parsed.key:
        try:
            info = fs.stat(parsed.path)
        except FileNotFoundError:
            pass
    if info is not None and not info.is_dir:  # an object of that name goes too
        count, size = count + 1, size + info.size
    if count == 0 and info is None and parsed.key:
        raise NotFoundError(f"{url}: no such object or directory; check the URL with `%dumont ls`", parsed.path)
    return RemovalPlan(url, count, size)


def rm(
    url: str,
    *,
    recursive: bool = False,
    yes: bool = False,
    confirm: Callable[[RemovalPlan], bool] | None = None,
    config: Config | None = None,
) -> int:
    """Delete an object (or, with ``recursive``, everything under a prefix); returns the count.

    A recursive delete goes ahead only with ``yes=True`` or when ``confirm(plan)`` returns true.

    Raises:
        NotConfirmedError: recursive without ``yes`` and not confirmed (nothing is deleted).
        IsADirectoryError: a directory without ``recursive``.
        FileNotFoundError, PermissionError, InvalidURLError, UnknownRemoteError.
    """
    if not recursive:
        if is_url(url):
            parsed = parse_url(url).require_key()
            fs = api.filesystem(parsed.remote, config=config)
            try:
                fs.remove(parsed.path)
            except IsADirectoryError:
                raise IsADirError(f"{url}: is a directory; use `rm -r {url}` to delete everything under it", url) from None
            return 1
        if os.path.isdir(url):
            raise IsADirError(f"{url}: is a directory; use `rm -r {url}` to delete everything under it", url)
        if not os.path.lexists(url):
            raise NotFoundError(f"{url}: no such local file or directory", url)
        os.remove(url)
        return 1
    plan = plan_rm(url, config=config)
    if not yes and not (confirm is not None and confirm(plan)):
        raise NotConfirmedError(f"not deleted: {plan}; pass -y (yes=True) to delete")
    if not is_url(url):
        shutil.rmtree(url) if os.path.isdir(url) else os.remove(url)
        return plan.count
    fs, path = api.resolve(url, config=config)
    return fs.remove_all(path)


def mkdir(url: str, *, parents: bool = False, config: Config | None = None) -> str:
    """Create a directory (a zero-byte ``key/`` marker); with ``parents`` its missing parents too
    and no error if it exists. Local paths make local directories. Returns ``url``.

    Raises:
        FileExistsError: it exists (without ``parents``). FileNotFoundError: no such bucket.
    """
    if not is_url(url):
        os.makedirs(url, exist_ok=parents) if parents else os.mkdir(url)
        return url
    parsed = parse_url(url).require_key()
    fs = api.filesystem(parsed.remote, config=config)
    fs.makedirs(parsed.path, exist_ok=True) if parents else fs.mkdir(parsed.path)
    return url


# -- configuration ------------------------------------------------------------------------
def _credential_refs(remote) -> str:
    if remote.anonymous:
        return "anonymous (unsigned)"
    if remote.credentials is not None:
        return ", ".join(f"{k}={v}" for k, v in remote.credentials.refs().items())
    if remote.profile:
        return f"AWS profile {remote.profile}"
    return "AWS default chain"


def remotes(*, config: Config | None = None) -> pd.DataFrame:
    """The configured remotes: ``name, type, endpoint, region, path_style, emulate, credentials,
    buckets``. ``credentials`` shows references (``env:NAME``, ``keychain:s/a``, ``literal``),
    never a value."""
    import pandas as pd

    cfg = config if config is not None else api.active_config()
    rows = [
        {
            "name": r.name,
            "type": r.type,
            "endpoint": r.endpoint or "AWS",
            "region": r.region or "",
            "path_style": r.path_style,
            "emulate": r.emulate,
            "credentials": _credential_refs(r),
            "buckets": ", ".join(r.buckets),
        }
        for r in cfg.remotes.values()
    ]
    columns = ["name", "type", "endpoint", "region", "path_style", "emulate", "credentials", "buckets"]
    return pd.DataFrame(rows, columns=columns)


def caps(remote: str, *, config: Config | None = None) -> pd.DataFrame:
    """The capability table of a remote: ``capability, value, why`` (the spec's "why").

    Raises:
        UnknownRemoteError: no such remote.
    """
    import pandas as pd

    from ..vfs.base import CAPABILITY_WHY, EMULATE_WHY

    if is_url(remote):
        remote = parse_url(remote).remote
    cfg = config if config is not None else api.active_config()
    settings = cfg.remote(remote)
    table = api.filesystem(remote, config=cfg).capabilities.table(EMULATE_WHY if settings.emulate else CAPABILITY_WHY)
    return pd.DataFrame(table, columns=["capability", "value", "why"])


def config(path: str | None = None) -> Config:
    """The active config; with ``path``, load that file and make it the active config.

    Raises:
        ConfigError: the file is missing or malformed (the active config is unchanged).
    """
    if path is None:
        return api.active_config()
    return api.load_config(os.path.expanduser(path))


def browse(url: str | None = None, *, config: Config | None = None) -> Any:
    """The bucket browser widget at ``url``.

    Raises:
        NotSupportedError: the widget module (or ipywidgets) is not available.
    """
    try:
        from ..widget import browse as _browse
    except ImportError as exc:
        raise NotSupportedError(
            f"the browser widget is not available (cannot import {exc.name or exc}); "
            f"install ipywidgets and dumont_nb's widget, or use `%dumont ls`"
        ) from None
    return _browse(url, config=config)
