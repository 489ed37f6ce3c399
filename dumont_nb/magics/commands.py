"""The ``%dumont`` sub-commands as plain functions: callable from Python, returning values.

The magic (:mod:`dumont_nb.magics.core`) only parses a line and calls one of these. Each takes
URLs (``<remote>://<bucket>/<key>``) or, where it says so, local paths, and an optional
``config`` (the active config when ``None``). Errors are dumont's typed errors (also builtins);
the magic turns them into one-line ``UsageError`` messages.

This module holds the listing and file-operation commands and re-exports the others:
``cat``/``head`` (:mod:`.text`) and ``remotes``/``caps``/``config``/``browse`` (:mod:`.settings`).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from .. import api
from ..errors import IsADirError, NotConfirmedError, NotFoundError
from ..formatting import human_size
from ..urls import is_url, parse_url
from .settings import browse, caps, config, remotes
from .text import BinaryObjectError, cat, head

if TYPE_CHECKING:  # pandas is imported when a command needs it
    import pandas as pd

    from ..config import Config

__all__ = [
    "ls", "stat", "du", "find", "cat", "head", "cp", "mv", "rm", "plan_rm", "mkdir", "put",
    "remotes", "caps", "config", "browse", "BinaryObjectError", "NotConfirmedError", "RemovalPlan",
    "human_size",
]


@dataclass(frozen=True)
class RemovalPlan:
    """What ``rm -r`` would delete: ``count`` objects of ``size`` bytes under ``url``."""

    url: str
    count: int
    size: int

    def __str__(self) -> str:
        return f"{self.url}: {self.count} object(s), {human_size(self.size)}"




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
    """Copy between local paths and remote URLs with a progress bar; returns the
    :class:`~dumont_nb.transfers.CopySummary` (see :func:`dumont_nb.copy` for what is raised)."""
    from ..transfers import copy

    return copy(src, dst, recursive=recursive, config=config)


def mv(src: str, dst: str, *, config: Config | None = None) -> str:
    """Move an object or directory; returns the destination. Within one remote this is the
    backend's rename (copy then delete, not atomic); otherwise :func:`dumont_nb.move`: a copy,
    then a delete of exactly what was copied (empty folders kept). A ``dst`` ending in ``/``
    receives ``src`` under its own name; a ``src`` ending in ``/`` is the folder only.

    Raises:
        FileNotFoundError: ``src`` does not exist. StoreError: something was not copied (the
        source is kept). Others as :func:`cp`.
    """
    from ..transfers import into, move

    move(src, dst, config=config)
    return into(src, dst)


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


