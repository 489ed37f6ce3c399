"""``copy`` and ``move``: uploads, downloads and remote-to-remote copies, with progress and a summary.

Each side is a remote URL (``r2://bucket/key``) or a local path; a local path is the
:class:`~dumont_nb.vfs.local.LocalFileSystem`, so every transfer is one thing: an object read
from one :class:`FileSystem` and written whole into another (server-side within one remote,
streamed otherwise). Recursive copies run a bounded thread pool and show two tqdm bars
(``tqdm.auto``, so notebook widgets in Jupyter): bytes and files. Empty folders are kept.

Downloads go through the local file system's write rule (a temporary file renamed onto the final
path on close), so an interrupted download leaves the previous file (or nothing). A key that
would land outside the destination directory is never written: it is skipped and reported in
:attr:`CopySummary.skipped` (:mod:`dumont_nb.localpaths`).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator

from .errors import InvalidURLError, IsADirError, StoreError
from .formatting import human_size
from .localpaths import local_target, unsafe_key_reason
from .runner import Job, Planned, run_jobs
from .urls import is_url, parse_url
from .vfs.base import FileSystem
from .vfs.local import LOCAL
from .vfs.registry import filesystem

if TYPE_CHECKING:
    from .config import Config

__all__ = ["copy", "move", "into", "keep_folder", "CopySummary", "unsafe_key_reason", "local_target", "copy_object",
           "CHUNK", "WORKERS"]

#: bytes per read/write when streaming
CHUNK = 8 * 1024 * 1024
#: default size of the transfer pool of recursive copies
WORKERS = 8


@dataclass
class CopySummary:
    """What a :func:`copy` did. ``skipped`` and ``failed`` hold ``(source, reason)`` pairs."""

    src: str
    dst: str
    files: int = 0
    bytes: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    folders: int = 0  # empty folders (markers) recreated at the destination
    #: the source of every transfer that completed (vfs paths, markers as ``dir/``, or local
    #: paths): what a move deletes, and nothing else
    done: list[str] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        """True if nothing failed (skipped hostile keys do not count as failures)."""
        return not self.failed

    def __repr__(self) -> str:
        return (
            f"CopySummary({self.src} → {self.dst}: {self.files} files, {human_size(self.bytes)} copied, "
            f"{len(self.skipped)} skipped, {len(self.failed)} failed, {self.seconds:.1f} s)"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "src": self.src,
            "dst": self.dst,
            "files": self.files,
            "bytes": self.bytes,
            "skipped": list(self.skipped),
            "failed": list(self.failed),
            "seconds": self.seconds,
        }


# -- one transfer ----------------------------------------------------------------------------------
def _pump(read: Callable[[int], bytes], write: Callable[[bytes], Any], tick: Callable[[int], None],
          size: int = CHUNK) -> int:
    total = 0
    while True:
        chunk = read(size)
        if not chunk:
            return total
        write(chunk)
        total += len(chunk)
        tick(len(chunk))


def keep_folder(fs: FileSystem, path: str) -> int:
    """Make sure the folder ``path`` exists, writing its one marker (or directory) if nothing is
    there (none for parents: they exist through it). Returns 0 (bytes copied)."""
    if fs.capabilities.directories:  # real directories: parents too (a pool may get here first)
        fs.makedirs(path, exist_ok=True)
        return 0
    try:
        fs.mkdir(path)
    except FileExistsError:
        pass
    return 0


def copy_object(src_fs: FileSystem, src: str, dst_fs: FileSystem, dst: str, tick: Callable[[int], None] = lambda n: None,
                size: int | None = None, mtime: float | None = None) -> int:
    """One object (or local file) → another; returns the bytes copied. Within one file system
    with ``capabilities.server_side_copy`` it is :meth:`FileSystem.copy` (no bytes through this
    process); otherwise streamed into a whole-object write (``mtime`` is kept by the local file
    system).

    Raises:
        FileNotFoundError: the source is missing; IsADirectoryError: it is a directory; other
        errors as the file systems raise them (the destination keeps its previous content).
    """
    if src_fs is dst_fs and src_fs.capabilities.server_side_copy:
        if size is None:
            info = src_fs.stat(src)
            if info.is_dir:
                raise IsADirError(f"{src_fs.url(src)}: is a directory; use recursive=True", src_fs.url(src))
            size = info.size
        src_fs.copy(src, dst, size=size)  # S3: CopyObject (UploadPartCopy when huge), no HEAD
        tick(size)
        return size
    extra = {"mtime": mtime} if mtime is not None else {}
    with src_fs.open(src, "rb") as r, dst_fs.open(dst, "wb", **extra) as w:
        return _pump(r.read, w.write, tick, getattr(w, "write_size", CHUNK))  # S3: a part a read, no copy


# -- planning ----------------------------------------------------------------------------------
@dataclass
class _Side:
    """One side of a copy: a file system and a path on it (``exact``: a trailing "/" is part
    of a key prefix, as in the key "a//b")."""

    text: str
    fs: FileSystem
    path: str
    exact: bool = False

    @property
    def local(self) -> bool:
        return self.fs is LOCAL

    def join(self, rel: str) -> str:
        if self.local:
            return os.path.join(self.path, *rel.split("/")) if rel else self.path
        base = self.path if self.exact else self.path.rstrip("/")
        return f"{base}/{rel}" if rel else base

    def show(self, rel: str = "") -> str:
        return self.fs.url(self.join(rel))


def _side(text: str | os.PathLike, config: "Config | None") -> _Side:
    if isinstance(text, os.PathLike):
        text = os.fspath(text)
    if not isinstance(text, str) or not text:
        raise InvalidURLError(f"copy: expected a remote URL or a local path, got {text!r}")
    if is_url(text):
        parsed = parse_url(text).require_bucket()
        path = parsed.path + ("/" if text.endswith("/") and parsed.key else "")
        return _Side(text, filesystem(parsed.remote, config=config), path)
    return _Side(text, LOCAL, os.path.expanduser(text))


@dataclass
class _Task:
    rel: str
    size: int
    mtime: float | None
    marker: bool = False  # an empty folder to recreate (``rel`` "" is the copied folder itself)


def _plan(side: _Side) -> Iterator[_Task]:
    """Every file of the tree at ``side`` (names relative to it) and its empty folders."""
    if side.local and not os.path.isdir(side.path):
        if os.path.exists(side.path):
            raise NotADirectoryError(f"{side.path}: not a directory; drop recursive=True to copy one file")
        raise FileNotFoundError(f"{side.path}: no such directory")
    root = side.path if side.local else side.path.rstrip("/") + "/"
    for page in side.fs.iterdir(root, recursive=True, markers=True):
        for info in page:
            if info.is_dir:
                yield _Task(info.name, 0, None, marker=True)
            else:
                yield _Task(info.name, int(info.size or 0), info.mtime.timestamp() if info.mtime else None)


def _dst_for_single(dst: _Side, name: str) -> tuple[_Side, str]:
    """Where a single-file copy lands: ``dst`` itself, or ``dst/name`` if ``dst`` is a folder: it
    ends with ``/``, is a bucket root, or (where directories are real) is an existing directory."""
    if dst.path.endswith(("/", os.sep)) or (not dst.local and "/" not in dst.path):
        return _Side(dst.text, dst.fs, dst.path if dst.local else dst.path.rstrip("/")), name
    if dst.fs.capabilities.directories and os.path.isdir(dst.path):
        return dst, name
    return dst, ""


# -- the public functions -------------------------------------------------------------------------
def copy(
    src: str | os.PathLike,
    dst: str | os.PathLike,
    *,
    recursive: bool = False,
    config: "Config | None" = None,
    workers: int = WORKERS,
    progress: bool = True,
) -> CopySummary:
    """Copy a file or (``recursive=True``) a tree between a local path and a remote, or between
    remotes.

    A single file copied onto a directory (a local directory, a remote URL ending in ``/``, or a
    bucket root) keeps its name. A recursive copy puts the *contents* of ``src`` into ``dst``
    (a recursive copy of a single object copies that object), empty folders included. A source
    URL ending in ``/`` is the folder only, never an object of the same name beside it.
    ``workers`` bounds the transfer pool; ``progress=False`` hides the bars.

    Returns:
        a :class:`CopySummary` (files, bytes, skipped hostile keys, failures, seconds).

    Raises:
        InvalidURLError: a malformed URL, or both sides local.
        UnknownRemoteError: a remote is not configured.
        FileNotFoundError: ``src`` does not exist.
        IsADirectoryError: ``src`` is a directory and ``recursive`` is False.
        StoreError: some transfers of a recursive copy failed (``.summary`` holds the details);
            a single-file copy raises the store's error itself.
    """
    a, b = _sides(src, dst, config)
    summary = _copy(a, b, recursive, workers, progress)
    if summary.failed:
        first_src, first_msg = summary.failed[0]
        err = StoreError(
            f"copy {summary.src} → {summary.dst}: {len(summary.failed)} of "
            f"{len(summary.failed) + summary.files + summary.folders} files failed; first: {first_src}: {first_msg}"
        )
        err.summary = summary  # type: ignore[attr-defined]
        raise err
    return summary


def move(
    src: str | os.PathLike,
    dst: str | os.PathLike,
    *,
    config: "Config | None" = None,
    workers: int = WORKERS,
    progress: bool = True,
) -> CopySummary:
    """Move a file or a folder (a folder keeps its empty sub-folders) to ``dst`` (see
    :func:`into` for a ``dst`` ending in ``/``): within one remote the
    backend's rename (copy then delete, not atomic); otherwise a copy, then a delete of exactly
    what was copied, only once everything was: a key written under the source meanwhile stays.

    Raises:
        StoreError: some items were not copied (failed, or skipped as unsafe local names); the
            source is kept whole and nothing is deleted.
        others as :func:`copy`.
    """
    a, b = _sides(src, into(src, dst), config)
    if a.fs is b.fs:
        started = time.monotonic()
        a.fs.rename(a.path, b.path)
        return CopySummary(a.show(), b.show(), seconds=time.monotonic() - started)
    directory = a.path.endswith("/") or a.fs.stat(a.path).is_dir
    summary = _copy(a, b, directory, workers, progress)
    left = [*summary.failed, *summary.skipped]
    if left:
        what, why = left[0]
        raise StoreError(
            f"move {summary.src} → {summary.dst}: {len(left)} item(s) not copied (e.g. {what}: {why}); "
            "the source was kept, nothing deleted", summary.src,
        )
    a.fs.remove_many(summary.done)
    if directory and a.fs.capabilities.directories:
        _prune(a.fs, a.path)
    return summary


def into(src: str | os.PathLike, dst: str | os.PathLike) -> str:
    """Where a move of ``src`` to ``dst`` lands: a ``dst`` ending in ``/`` receives ``src`` under
    its own name (a folder keeps its ``/``), any other ``dst`` is the new name."""
    s, d = os.fspath(src), os.fspath(dst)
    if not d.endswith(("/", os.sep)):
        return d
    name = s.rstrip("/" + os.sep).replace(os.sep, "/").rsplit("/", 1)[-1]
    return d + name + ("/" if s.endswith(("/", os.sep)) else "")


def _prune(fs: FileSystem, root: str) -> None:
    """After a move from a file system with real directories: remove the folders of the moved
    tree that are left empty, deepest first (one holding what was not moved stays)."""
    for _ in range(256):  # each round removes the deepest empty folders; trees are not deeper
        empty = [i.path for page in fs.iterdir(root, recursive=True, markers=True) for i in page if i.is_dir]
        if not empty or fs.remove_many([p.rstrip(os.sep) + os.sep for p in empty]) == 0:
            return


def _sides(src: str | os.PathLike, dst: str | os.PathLike, config: "Config | None") -> tuple[_Side, _Side]:
    a, b = _side(src, config), _side(dst, config)
    if a.local and b.local:
        raise InvalidURLError(f"copy: neither {a.text!r} nor {b.text!r} is a remote URL; use shutil for local copies")
    return a, b


def _copy(a: _Side, b: _Side, recursive: bool, workers: int, progress: bool) -> CopySummary:
    """The copy itself: failures are collected in the summary (a single file's error raises)."""
    summary = CopySummary(a.show(), b.show())
    started = time.monotonic()
    if recursive:
        tasks = list(_plan(a))
        if tasks or a.local or a.fs.stat(a.path).is_dir:
            jobs = _jobs(a, b, [(t, t.rel) for t in tasks], summary)
            run_jobs(jobs, summary, workers, progress, files_bar=True)
            summary.seconds = time.monotonic() - started
            return summary
    a, task = _single(a)
    b, rel = _dst_for_single(b, task.rel)
    run_jobs(_jobs(a, b, [(task, rel)], summary), summary, 1, progress, files_bar=False, raise_errors=True)
    summary.seconds = time.monotonic() - started
    return summary


def _single(a: _Side) -> tuple[_Side, _Task]:
    """The one file of a non-recursive copy: the side of its parent and its task."""
    info = a.fs.stat(a.path)
    if info.is_dir:
        raise IsADirError(f"{a.show()}: is a directory; use recursive=True to copy a tree", a.path)
    if a.local:
        parent, name = os.path.split(os.path.abspath(a.path))
    else:
        parent, _, name = info.path.rpartition("/")
    task = _Task(name, int(info.size or 0), info.mtime.timestamp() if info.mtime else None)
    return _Side(a.text, a.fs, parent, exact=not a.local), task




def _jobs(a: _Side, b: _Side, plan: list[tuple[_Task, str]], summary: CopySummary) -> list[Planned]:
    """One entry per transfer; hostile keys go to ``summary.skipped``."""
    out = []
    for task, dst_rel in plan:
        job = _job(a, b, task, dst_rel)
        if isinstance(job, str):
            summary.skipped.append((a.show(task.rel), job))
        else:
            out.append((a.show(task.rel), task.size, job[0], job[1], task.marker))
    return out


def _job(a: _Side, b: _Side, task: _Task, dst_rel: str) -> tuple[Job, str] | str:
    """``(the transfer of one file or folder, its source path)``, or why it is skipped (a key
    unsafe as a local path)."""
    src_path = a.join(task.rel)
    if task.marker:
        src_path = src_path.rstrip("/" + os.sep) + (os.sep if a.local else "/")
    if b.local and dst_rel:
        target, reason = local_target(b.path, dst_rel.rstrip("/"))
        if target is None:
            return reason or "unsafe key"
    else:
        target = b.join(dst_rel)
    if task.marker:
        return (lambda tick: keep_folder(b.fs, target)), src_path
    return (lambda tick: copy_object(a.fs, src_path, b.fs, target, tick, task.size, task.mtime if b.local else None)), src_path
