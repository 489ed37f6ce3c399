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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from .. import api
from ..errors import IsADirError, NotConfirmedError, NotFoundError
from ..formatting import human_size, parse_duration
from ..urls import is_url, parse_url
from ..vfs.base import FileSystem
from ..vfs.local import LOCAL
from .settings import browse, caps, config, remotes
from .text import BinaryObjectError, cat, head

if TYPE_CHECKING:  # pandas is imported when a command needs it
    import pandas as pd

    from ..config import Config

__all__ = [
    "ls", "stat", "du", "find", "cat", "head", "cp", "mv", "rm", "plan_rm", "mkdir", "put",
    "remotes", "caps", "config", "browse", "BinaryObjectError", "NotConfirmedError", "RemovalPlan",
    "versions", "restore", "share", "parse_duration", "sync",
    "human_size",
]


@dataclass(frozen=True)
class RemovalPlan:
    """What ``rm -r`` would delete: ``count`` objects of ``size`` bytes under ``url``."""

    url: str
    count: int
    size: int
    #: exactly what will be deleted (a folder marker or directory ends with "/")
    paths: tuple[str, ...] = field(default=(), repr=False)

    def __str__(self) -> str:
        text = f"{self.url}: {self.count} object(s), {human_size(self.size)}"
        if self.paths and is_url(self.url):  # the cost side of the confirmation
            text += f" ({-(-len(self.paths) // 1000)} DeleteObjects request(s); deletes are free on AWS)"
        return text




# -- listing ------------------------------------------------------------------------------
def ls(url: str, *, recursive: bool = False, long: bool = False, config: Config | None = None) -> pd.DataFrame:
    """The stat table of ``url`` (``<remote>://`` lists buckets); ``long`` keeps every column,
    otherwise ``url, name, type, size, mtime``.

    Raises:
        InvalidURLError, UnknownRemoteError, FileNotFoundError, NotADirectoryError, PermissionError.
    """
    from .. import tables

    if recursive and parse_url(url).bucket is not None:  # past a first page: many requests in flight
        from ..inventories import inventory

        frame = inventory(url, config=config)
    else:
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
    """Every object under ``url`` (the parallel recursive listing of :func:`dumont_nb.inventory`),
    optionally only names matching ``glob``.

    Raises:
        as :func:`ls`.
    """
    from ..inventories import inventory

    return inventory(url, glob=glob, config=config)


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


def _target(url: str, config: Config | None, *, key: bool = False) -> tuple[FileSystem, str]:
    """A remote URL's file system and path, or the local file system and the path itself."""
    if is_url(url):
        parsed = parse_url(url).require_key() if key else parse_url(url).require_bucket()
        return api.filesystem(parsed.remote, config=config), parsed.path
    return LOCAL, url


def plan_rm(url: str, *, config: Config | None = None) -> RemovalPlan:
    """List exactly what ``rm(url, recursive=True)`` would delete (one recursive listing): the
    object ``url`` names, and every key under ``url/`` (folder markers too, not counted as
    objects). A URL ending in ``/`` is the folder only.

    Raises:
        FileNotFoundError: nothing at ``url``.
    """
    fs, path = _target(url, config)
    info = None
    if fs is LOCAL or "/" in path:
        try:
            info = fs.stat(path)
        except FileNotFoundError:
            pass
    paths: list[str] = []
    count = size = 0
    if info is not None and not info.is_dir:  # the object (or file) of that name
        paths, count, size = [path], 1, info.size
    if fs is not LOCAL or (info is not None and info.is_dir):
        root = path if fs is LOCAL else path.rstrip("/") + "/"
        folder = os.sep if fs is LOCAL else "/"
        for page in fs.iterdir(root, recursive=True, markers=True):
            for e in page:
                if e.is_dir:
                    paths.append(e.path.rstrip(folder) + folder)
                else:
                    paths.append(e.path)
                    count, size = count + 1, size + e.size
    if not paths and info is None and (fs is LOCAL or "/" in path):
        raise NotFoundError(f"{url}: no such object or directory; check it with `%dumont ls`", path)
    return RemovalPlan(url, count, size, tuple(paths))


def rm(
    url: str,
    *,
    recursive: bool = False,
    yes: bool = False,
    confirm: Callable[[RemovalPlan], bool] | None = None,
    config: Config | None = None,
) -> int:
    """Delete an object (or, with ``recursive``, everything under a prefix); returns the count of
    objects deleted. Local paths work the same way.

    A recursive delete goes ahead only with ``yes=True`` or when ``confirm(plan)`` returns true,
    and deletes exactly what the plan listed (DeleteObjects, 1,000 keys a request): a key written
    under the prefix after it was counted stays.

    Raises:
        NotConfirmedError: recursive without ``yes`` and not confirmed (nothing is deleted).
        IsADirectoryError: a directory without ``recursive``.
        FileNotFoundError, PermissionError, InvalidURLError, UnknownRemoteError.
    """
    if not recursive:
        fs, path = _target(url, config, key=True)
        try:
            fs.remove(path)
        except IsADirectoryError:
            raise IsADirError(f"{url}: is a directory; use `rm -r {url}` to delete everything under it", url) from None
        return 1
    plan = plan_rm(url, config=config)
    if not yes and not (confirm is not None and confirm(plan)):
        raise NotConfirmedError(f"not deleted: {plan}; pass -y (yes=True) to delete")
    fs, path = _target(url, config)
    fs.remove_many(list(plan.paths))
    if fs is LOCAL and os.path.isdir(path):  # real folders: those the delete left empty go too
        fs.remove_many(sorted((os.path.join(d, "") for d, _, _ in os.walk(path)), key=len, reverse=True))
    return plan.count


def mkdir(url: str, *, parents: bool = False, config: Config | None = None) -> str:
    """Create a directory (a zero-byte ``key/`` marker); with ``parents`` its missing parents too
    and no error if it exists. Local paths make local directories. Returns ``url``.

    Raises:
        FileExistsError: it exists (without ``parents``). FileNotFoundError: no such bucket.
    """
    fs, path = _target(url, config, key=True)
    fs.makedirs(path, exist_ok=True) if parents else fs.mkdir(path)
    return url




# -- versions and links -------------------------------------------------------------------
def versions(url: str, *, recursive: bool = False, config: Config | None = None) -> pd.DataFrame:
    """Every version under ``url`` (delete markers included), newest first within a key: the
    stat table plus ``version_id``, ``is_latest``, ``delete_marker``.

    Raises:
        NotSupportedError: the bucket keeps no versions (the message says how to enable them).
    """
    from .. import tables

    return tables.listing(url, versions=True, recursive=recursive, config=config)


def restore(url: str, version_id: str, *, config: Config | None = None) -> str:
    """Make ``version_id`` the latest again (server-side copy); returns the new version's id."""
    return api.restore(url, version_id, config=config)


def share(url: str, *, expires: str | int = "1h", put: bool = False, config: Config | None = None) -> str:
    """A presigned GET (or, with ``put``, PUT) link to ``url`` valid for ``expires``.

    Raises:
        ValueError: a malformed or too long ``expires`` (7 days at most).
    """
    seconds = expires if isinstance(expires, int) else parse_duration(expires)
    return api.presign(url, expires=seconds, method="PUT" if put else "GET", config=config)


def sync(src: str, dst: str, *, delete: bool = False, dry_run: bool = False, checksum: bool = False,
         config: Config | None = None):
    """:func:`dumont_nb.sync` (see there); returns the :class:`~dumont_nb.synchronize.SyncResult`."""
    from ..synchronize import sync as _sync

    return _sync(src, dst, delete=delete, dry_run=dry_run, checksum=checksum, config=config)
