"""What the browser's actions do, as plain functions over the vfs layer.

Each takes a :class:`~dumont_nb.widget.jobs.Job` for progress and Cancel; copies and downloads
use :mod:`dumont_nb.transfers`. Writes go through ``FileSystem.open(..., "wb")``: the object is committed only when the ``with`` block closes
cleanly, so a Cancel (which raises inside the block) leaves no partial object and no multipart
upload behind. Nothing here imports ipywidgets.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from typing import Callable, Iterable

from ..errors import InvalidURLError
from ..urls import parse_url
from ..vfs.base import FileSystem
from .jobs import Job
from .model import human_size

__all__ = ["Item", "Resolver", "plan", "describe", "copy_items", "delete_items", "upload", "download", "CHUNK"]

#: bytes written per call while uploading (Cancel is checked between chunks)
CHUNK = 1024 * 1024

Resolver = Callable[[str], "tuple[FileSystem, str]"]


@dataclass(frozen=True)
class Item:
    """One object an action touches: where it is and where it lands (relative name)."""

    fs: FileSystem
    path: str  # vfs path of the object
    rel: str  # path relative to the selection root, e.g. "folder/sub/file.csv"
    size: int


def plan(resolve: Resolver, urls: Iterable[str], job: Job | None = None) -> list[Item]:
    """Every object under the selected URLs (a folder URL ends with ``/``), listed recursively
    (one ListObjectsV2 request per 1,000 keys; Cancel is checked between pages).

    Raises:
        FileNotFoundError: a selected object does not exist.
        Cancelled: Cancel was pressed.
    """
    items: list[Item] = []
    for url in urls:
        if job is not None:
            job.check()
        fs, path = resolve(url)
        path = path.rstrip("/")
        if url.endswith("/"):
            base = posixpath.basename(path)
            for page in fs.iterdir(path, recursive=True):
                if job is not None:
                    job.check()
                for info in page:
                    if info.is_dir:
                        continue
                    rel = info.path[len(path) + 1:]
                    items.append(Item(fs, info.path, f"{base}/{rel}", int(info.size or 0)))
        else:
            info = fs.stat(path)
            items.append(Item(fs, path, posixpath.basename(path), int(info.size or 0)))
    return items


def describe(items: list[Item], urls: list[str]) -> str:
    """``"3 objects, 1.5 MiB, under moto://b/x/, moto://b/y.csv"``: what an action will touch."""
    total = sum(i.size for i in items)
    shown = ", ".join(urls[:5]) + (f" and {len(urls) - 5} more" if len(urls) > 5 else "")
    noun = "object" if len(items) == 1 else "objects"
    return f"{len(items)} {noun} ({human_size(total)}) in {shown}"


def copy_items(job: Job, items: list[Item], dst: FileSystem, dst_dir: str, *, move: bool = False) -> int:
    """Copy (or move) every item under ``dst_dir`` (a ``bucket/prefix`` path); returns the count.

    Uses :func:`dumont_nb.transfers.copy_object`: server-side within one remote, streamed into
    a whole-object write between remotes, where Cancel (raised from the progress tick) stops
    mid-object and that object's write is aborted. Objects already copied stay (and, for a
    move, their sources are deleted).

    Raises:
        Cancelled: Cancel was pressed.
        ValueError: an item would be copied onto itself.
    """
    from ..transfers import copy_object

    job.total = sum(i.size for i in items)
    job.total_items = len(items)
    dst_dir = dst_dir.rstrip("/")
    for item in items:
        target = f"{dst_dir}/{item.rel}"
        if item.fs is dst and item.path == target:
            raise ValueError(f"{dst.url(target)}: source and destination are the same object")
    for item in items:
        job.check()
        target = f"{dst_dir}/{item.rel}"
        if move and item.fs is dst:
            dst.rename(item.path, target)  # copy + delete within one remote
            job.advance(item.size)
        else:
            copy_object(item.fs, item.path, dst, target, job.advance, size=item.size)
            job.check()
            if move:
                item.fs.remove(item.path)
        job.advance(0, items=1)
    return len(items)


def delete_items(job: Job, resolve: Resolver, urls: list[str], total_items: int = 0) -> int:
    """Delete the selected objects and folders (every key under a folder URL, marker included);
    returns the number of objects deleted. Cancel stops between selected entries.

    Raises:
        Cancelled: Cancel was pressed.
    """
    job.total_items = total_items or len(urls)
    count = 0
    for url in urls:
        job.check()
        fs, path = resolve(url)
        if url.endswith("/"):
            n = fs.remove_all(path.rstrip("/"))
        else:
            fs.remove(path)
            n = 1
        count += n
        job.advance(0, items=n)
    return count


def upload(job: Job, files: list[tuple[str, bytes]], dst: FileSystem, dst_dir: str) -> int:
    """Write each ``(name, content)`` to ``dst_dir/name``; returns the count.

    Raises:
        InvalidURLError: a file name is empty or contains ``/``.
        Cancelled: Cancel was pressed (the object being written is not created).
    """
    job.total = sum(len(c) for _, c in files)
    job.total_items = len(files)
    for name, _ in files:
        if not name or "/" in name or name in (".", ".."):
            raise InvalidURLError(f"{name!r}: not a valid object name for an upload")
    for name, content in files:
        view = memoryview(content)
        with dst.open(f"{dst_dir.rstrip('/')}/{name}", "wb") as f:
            for start in range(0, len(view), CHUNK):
                job.check()
                f.write(view[start:start + CHUNK])
                job.advance(min(CHUNK, len(view) - start))
            job.check()
        job.advance(0, items=1)
    return len(files)


def download(job: Job, items: list[Item], local_dir: str | os.PathLike) -> tuple[int, list[str]]:
    """Download items into ``local_dir`` with :func:`dumont_nb.transfers.download` (a temporary
    file renamed into place); returns ``(count, skipped)`` where ``skipped`` lists the URLs of
    keys that would land outside ``local_dir`` (never written).

    Raises:
        Cancelled: Cancel was pressed (the file being written is removed).
        NotADirectoryError: ``local_dir`` is not a directory.
    """
    from ..transfers import download as download_object
    from ..transfers import local_target

    root = os.fspath(local_dir)
    if not os.path.isdir(root):
        raise NotADirectoryError(f"{root}: download folder does not exist; create it or pick another")
    job.total = sum(i.size for i in items)
    job.total_items = len(items)
    skipped: list[str] = []
    count = 0
    for item in items:
        job.check()
        target, _reason = local_target(root, item.rel)
        if target is None:
            skipped.append(item.fs.url(item.path))
            continue
        download_object(item.fs, item.path, target, job.advance)
        count += 1
        job.advance(0, items=1)
    return count, skipped


def destination(url: str) -> str:
    """A destination folder URL → its ``bucket/prefix`` path.

    Raises:
        InvalidURLError: the URL has no bucket.
    """
    return parse_url(url).require_bucket().path
