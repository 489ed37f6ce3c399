"""What the browser's actions do, as plain functions over the vfs layer.

Each takes a :class:`~dumont_nb.widget.jobs.Job` for progress and Cancel; copies and downloads
use :mod:`dumont_nb.transfers`. Writes go through ``FileSystem.open(..., "wb")``: the object is committed only when the ``with`` block closes
cleanly, so a Cancel (which raises inside the block) leaves no partial object and no multipart
upload behind. Nothing here imports ipywidgets.
"""

from __future__ import annotations

import os
import posixpath
import threading
from dataclasses import dataclass
from typing import Callable, Iterable

from ..errors import InvalidURLError, IsADirError
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
    rel: str  # path relative to the selection root, e.g. "folder/sub/file.csv" ("folder/sub/" for a marker)
    size: int
    marker: bool = False  # a folder marker (path and rel end with "/")


def plan(resolve: Resolver, urls: Iterable[str], job: Job | None = None) -> list[Item]:
    """Every object under the selected URLs (a folder URL ends with ``/``), listed recursively
    (one ListObjectsV2 request per 1,000 keys; Cancel is checked between pages), the folders'
    markers included (``Item.marker``), so an action touches exactly what was counted. A folder
    URL never stands for the object of the same name beside it, nor the reverse.

    Raises:
        FileNotFoundError: a selected object does not exist.
        Cancelled: Cancel was pressed.
    """
    items: list[Item] = []
    for url in urls:
        if job is not None:
            job.check()
        fs, path = resolve(url)
        if url.endswith("/"):
            path = path.rstrip("/")
            base = posixpath.basename(path)
            for page in fs.iterdir(path + "/", recursive=True, markers=True):
                if job is not None:
                    job.check()
                for info in page:
                    rel = info.path[len(path) + 1:]
                    if info.is_dir:  # a marker: the folder itself ("") or an empty one below
                        items.append(Item(fs, info.path + "/", f"{base}/{rel}".rstrip("/") + "/", 0, marker=True))
                    else:
                        items.append(Item(fs, info.path, f"{base}/{rel}", int(info.size or 0)))
        else:
            info = fs.stat(path)
            if info.is_dir:
                raise IsADirError(f"{url}: is a folder; select it as {url}/", url)
            items.append(Item(fs, path, posixpath.basename(path), int(info.size or 0)))
    return items


def describe(items: list[Item], urls: list[str]) -> str:
    """``"3 objects (1.5 MiB) in moto://b/x/, moto://b/y.csv"``: what an action will touch
    (folder markers are not counted as objects; empty folders are named)."""
    objects = [i for i in items if not i.marker]
    total = sum(i.size for i in objects)
    shown = ", ".join(urls[:5]) + (f" and {len(urls) - 5} more" if len(urls) > 5 else "")
    noun = "object" if len(objects) == 1 else "objects"
    return f"{len(objects)} {noun} ({human_size(total)}) in {shown}"


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
    from ..transfers import copy_object, keep_folder

    objects = [i for i in items if not i.marker]
    job.total = sum(i.size for i in objects)
    job.total_items = len(objects)
    dst_dir = dst_dir.rstrip("/")
    for item in items:
        target = f"{dst_dir}/{item.rel}"
        if item.fs is dst and item.path == target:
            raise ValueError(f"{dst.url(target)}: source and destination are the same object")
    for item in items:
        job.check()
        target = f"{dst_dir}/{item.rel}"
        if item.marker:  # keep the (empty) folder
            keep_folder(dst, target)
            if move:
                item.fs.remove_many([item.path])
            continue
        if move and item.fs is dst:
            dst.rename(item.path, target)  # copy + delete within one remote
            job.advance(item.size)
        else:
            copy_object(item.fs, item.path, dst, target, job.advance, size=item.size)
            job.check()
            if move:
                item.fs.remove(item.path)
        job.advance(0, items=1)
    return len(objects)


def delete_items(job: Job, items: list[Item]) -> int:
    """Delete exactly the planned items (what the confirmation counted: a key written under a
    folder after it was counted stays); returns the number of objects deleted (markers aside).
    Cancel stops between batches of 1,000.

    Raises:
        Cancelled: Cancel was pressed.
        StoreError: the store refused some deletes.
    """
    objects = sum(1 for i in items if not i.marker)
    job.total_items = objects
    by_fs: dict[int, tuple[FileSystem, list[Item]]] = {}
    for item in items:
        by_fs.setdefault(id(item.fs), (item.fs, []))[1].append(item)
    count = 0
    for fs, mine in by_fs.values():
        mine.sort(key=lambda i: i.marker)  # objects first, then the folders they were in
        for start in range(0, len(mine), 1000):
            job.check()
            batch = mine[start:start + 1000]
            fs.remove_many([i.path for i in batch])
            n = sum(1 for i in batch if not i.marker)
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
    """Download items into ``local_dir`` with :func:`dumont_nb.transfers.copy_object` (the local
    file system writes a temporary file renamed into place); returns ``(count, skipped)`` where ``skipped`` lists the URLs of
    keys that would land outside ``local_dir`` (never written).

    Raises:
        Cancelled: Cancel was pressed (the file being written is removed).
        NotADirectoryError: ``local_dir`` is not a directory.
    """
    from ..localpaths import local_target
    from ..transfers import copy_object
    from ..vfs.local import LOCAL

    root = os.fspath(local_dir)
    if not os.path.isdir(root):
        raise NotADirectoryError(f"{root}: download folder does not exist; create it or pick another")
    job.total = sum(i.size for i in items)
    job.total_items = sum(1 for i in items if not i.marker)
    skipped: list[str] = []
    count = 0
    for item in items:
        job.check()
        target, _reason = local_target(root, item.rel.rstrip("/"))
        if target is None:
            skipped.append(item.fs.url(item.path))
            continue
        if item.marker:  # an empty folder stays a folder
            os.makedirs(target, exist_ok=True)
            continue
        copy_object(item.fs, item.path, LOCAL, target, job.advance, item.size)
        count += 1
        job.advance(0, items=1)
    return count, skipped


def destination(url: str) -> str:
    """A destination folder URL → its ``bucket/prefix`` path.

    Raises:
        InvalidURLError: the URL has no bucket.
    """
    return parse_url(url).require_bucket().path


def count(job: Job, fs: FileSystem, path: str, url: str) -> str:
    """``"moto://b/x/: 12,345 objects, 1.2 GiB"``: every object under the folder, counted with the
    parallel inventory (progress as objects; Cancel stops every listing thread).

    Raises:
        Cancelled: Cancel was pressed.
    """
    from ..vfs.parallel import list_pages

    totals, lock = [0, 0], threading.Lock()

    def fold(page) -> None:  # in the listing threads
        job.check()
        with lock:
            totals[0] += len(page)
            totals[1] += sum(page.sizes)
        job.advance(0, items=len(page))

    list_pages(fs, path, consume=fold, columns=True)
    return f"{url}: {totals[0]:,} {'object' if totals[0] == 1 else 'objects'}, {human_size(totals[1])}"
