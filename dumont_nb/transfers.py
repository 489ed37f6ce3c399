"""``copy``: upload, download and remote-to-remote copies, with progress and a summary.

Each side of :func:`copy` is a remote URL (``r2://bucket/key``) or a local path. Within one
remote a copy is server-side (CopyObject); between remotes the bytes are streamed through this
process. Recursive copies run a bounded thread pool and show two tqdm bars (``tqdm.auto``, so
notebook widgets in Jupyter): bytes and files.

Downloads write ``.<name>.<random>.dumont-part`` (the name cut to fit 255 bytes) in the destination directory and
``os.replace`` it onto the final path, so an interrupted download leaves the previous file (or
nothing) there. A key that would land outside the destination directory (``..`` segments,
absolute keys, backslashes, drive letters, or a symlink in the destination tree that leads out)
is never written: it is skipped and reported in :attr:`CopySummary.skipped`.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator

from .errors import InvalidURLError, IsADirError, StoreError
from .formatting import human_size, one_line
from .urls import is_url, parse_url
from .vfs.base import FileSystem
from .vfs.registry import filesystem

if TYPE_CHECKING:
    from .config import Config

__all__ = ["copy", "move", "into", "keep_folder", "CopySummary", "unsafe_key_reason", "local_target", "copy_object", "CHUNK"]

#: bytes per read/write when streaming
CHUNK = 8 * 1024 * 1024
#: default size of the transfer pool of recursive copies
WORKERS = 8
_DRIVE = re.compile(r"^[A-Za-z]:")


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


# -- the download guard ------------------------------------------------------------------------
def unsafe_key_reason(rel: str) -> str | None:
    """Why a key (relative to the copied prefix) cannot become a local path, or ``None``."""
    if not rel:
        return "empty name"
    if "\x00" in rel:
        return "NUL character in key"
    if "\\" in rel:
        return "backslash in key"
    if rel.startswith("/"):
        return "absolute key"
    parts = rel.split("/")
    if any(p == ".." for p in parts):
        return "'..' segment in key"
    if any(p in ("", ".") for p in parts):
        return "empty or '.' segment in key"
    if _DRIVE.match(parts[0]):
        return "drive letter in key"
    return None


def local_target(root: str, rel: str) -> tuple[str | None, str | None]:
    """``(path, None)`` for a safe local path of ``rel`` under ``root``, else ``(None, reason)``.

    The resolved path (symlinks followed) must stay inside the resolved ``root``.
    """
    reason = unsafe_key_reason(rel)
    if reason is not None:
        return None, reason
    target = os.path.join(root, *rel.split("/"))
    real_root = os.path.realpath(root)
    real = os.path.realpath(target)
    if os.path.commonpath([real_root, real]) != real_root or real == real_root:
        return None, "resolves outside the destination directory"
    return target, None


# -- single transfers ------------------------------------------------------------------------
def _pump(read: Callable[[int], bytes], write: Callable[[bytes], Any], tick: Callable[[int], None]) -> int:
    total = 0
    while True:
        chunk = read(CHUNK)
        if not chunk:
            return total
        write(chunk)
        total += len(chunk)
        tick(len(chunk))


def upload(local: str, fs: FileSystem, path: str, tick: Callable[[int], None]) -> int:
    """Local file → object (whole-object write; a failure leaves the previous object)."""
    with open(local, "rb") as src, fs.open(path, "wb") as dst:
        return _pump(src.read, dst.write, tick)


#: bytes a file name may have on common file systems (ext4, APFS, NTFS in UTF-16 units)
NAME_MAX = 255


def _temp_prefix(name: str) -> str:
    """``.<name>.``, the name cut (on a character boundary) so that the temporary file's name
    (prefix, 8 random characters, ``.dumont-part``) fits in :data:`NAME_MAX` bytes whenever the
    final name does."""
    room = NAME_MAX - len(".dumont-part") - 8 - 2
    raw = name.encode("utf-8", "surrogateescape")[:room]
    return "." + raw.decode("utf-8", "ignore") + "."


def download(fs: FileSystem, path: str, local: str, tick: Callable[[int], None], mtime: float | None = None) -> int:
    """Object → local file, through a temporary file renamed into place.

    Raises:
        whatever the read raises; the temporary file is removed and ``local`` is untouched.
    """
    folder = os.path.dirname(os.path.abspath(local))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(os.path.basename(local)), suffix=".dumont-part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out, fs.open(path, "rb") as src:
            n = _pump(src.read, out.write, tick)
        if mtime is not None:
            os.utime(tmp, (mtime, mtime))
        os.replace(tmp, local)
        return n
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def keep_folder(fs: FileSystem, path: str) -> int:
    """Make sure the folder ``path`` exists, writing its one marker if nothing is there (no
    markers for parents: they exist through it). Returns 0 (bytes copied)."""
    try:
        fs.mkdir(path)
    except FileExistsError:
        pass
    return 0


def copy_object(src_fs: FileSystem, src: str, dst_fs: FileSystem, dst: str, tick: Callable[[int], None] = lambda n: None, size: int | None = None) -> int:
    """Object → object; returns the bytes copied. Within one remote the copy is server-side
    (no bytes through this process); between remotes it is streamed into a whole-object write.

    Raises:
        FileNotFoundError: the source is missing; other store errors as the vfs raises them.
    """
    if src_fs is dst_fs:
        n = _server_copy(src_fs, src, dst, size)
        if n is not None:
            tick(n)
            return n
    with src_fs.open(src, "rb") as r, dst_fs.open(dst, "wb") as w:
        return _pump(r.read, w.write, tick)


def _server_copy(fs: FileSystem, src: str, dst: str, size: int | None) -> int | None:
    """Copy inside one remote without moving bytes, or ``None`` if the backend cannot."""
    if not fs.capabilities.server_side_copy:
        return None
    if size is None:
        info = fs.stat(src)
        if info.is_dir:
            raise IsADirError(f"{fs.url(src)}: is a directory; use recursive=True", fs.url(src))
        size = info.size
    fs.copy(src, dst)  # S3: CopyObject, or UploadPartCopy when huge
    return size


# -- planning ----------------------------------------------------------------------------------
@dataclass
class _Side:
    """One side of a copy: a remote (``fs`` and ``path``) or a local path (``fs`` is None)."""

    text: str
    fs: FileSystem | None
    path: str
    exact: bool = False  # ``path`` is an exact key prefix: a trailing "/" is part of it (key "a//b")

    @property
    def remote(self) -> bool:
        return self.fs is not None

    def show(self, rel: str = "") -> str:
        if self.fs is not None:
            base = self.path if self.exact else self.path.rstrip("/")
            return self.fs.url(f"{base}/{rel}" if rel else base)
        return os.path.join(self.path, *rel.split("/")) if rel else self.path


def _side(text: str | os.PathLike, config: "Config | None") -> _Side:
    if isinstance(text, os.PathLike):
        text = os.fspath(text)
    if not isinstance(text, str) or not text:
        raise InvalidURLError(f"copy: expected a remote URL or a local path, got {text!r}")
    if is_url(text):
        parsed = parse_url(text).require_bucket()
        path = parsed.path + ("/" if text.endswith("/") and parsed.key else "")
        return _Side(text, filesystem(parsed.remote, config=config), path)
    return _Side(text, None, os.path.expanduser(text))


@dataclass
class _Task:
    rel: str
    size: int
    mtime: float | None
    marker: bool = False  # an empty folder to recreate (``rel`` "" is the copied folder itself)


def _plan_remote(side: _Side) -> Iterator[_Task]:
    assert side.fs is not None
    base = side.path.rstrip("/")
    prefix = base + "/"
    for page in side.fs.iterdir(prefix, recursive=True, markers=True):
        for info in page:
            rel = info.path[len(prefix):] if info.path.startswith(prefix) else info.name
            if info.is_dir:
                yield _Task(info.name, 0, None, marker=True)
            else:
                yield _Task(rel, int(info.size or 0), info.mtime.timestamp() if info.mtime else None)


def _plan_local(side: _Side) -> Iterator[_Task]:
    root = side.path
    if not os.path.isdir(root):
        if os.path.exists(root):
            raise NotADirectoryError(f"{root}: not a directory; drop recursive=True to copy one file")
        raise FileNotFoundError(f"{root}: no such directory")
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        if not dirs and not files:  # an empty folder stays one (a marker at a remote)
            rel = os.path.relpath(folder, root).replace(os.sep, "/")
            yield _Task("" if rel == "." else rel, 0, None, marker=True)
        for name in sorted(files):
            full = os.path.join(folder, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            st = os.stat(full)
            yield _Task(rel, st.st_size, None)


def _dst_for_single(dst: _Side, name: str) -> tuple[_Side, str]:
    """Where a single-file copy lands: ``dst`` itself, or ``dst/name`` if ``dst`` is a directory."""
    if dst.fs is not None:
        if dst.path.endswith("/") or "/" not in dst.path:
            return _Side(dst.text, dst.fs, dst.path.rstrip("/")), name
        return dst, ""
    if dst.path.endswith(("/", os.sep)) or os.path.isdir(dst.path):
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
    if a.fs is not None and a.fs is b.fs:
        started = time.monotonic()
        a.fs.rename(a.path, b.path)
        return CopySummary(a.show(), b.show(), seconds=time.monotonic() - started)
    if a.fs is not None:
        directory = a.path.endswith("/") or a.fs.stat(a.path).is_dir
    else:
        if not os.path.lexists(a.path):
            raise FileNotFoundError(f"{a.path}: no such local file or directory")
        directory = os.path.isdir(a.path)
    summary = _copy(a, b, directory, workers, progress)
    left = [*summary.failed, *summary.skipped]
    if left:
        what, why = left[0]
        raise StoreError(
            f"move {summary.src} → {summary.dst}: {len(left)} item(s) not copied (e.g. {what}: {why}); "
            "the source was kept, nothing deleted", summary.src,
        )
    if a.fs is not None:
        a.fs.remove_many(summary.done)
    else:
        _remove_local(summary.done, a.path if directory else None)
    return summary


def into(src: str | os.PathLike, dst: str | os.PathLike) -> str:
    """Where a move of ``src`` to ``dst`` lands: a ``dst`` ending in ``/`` receives ``src`` under
    its own name (a folder keeps its ``/``), any other ``dst`` is the new name."""
    s, d = os.fspath(src), os.fspath(dst)
    if not d.endswith(("/", os.sep)):
        return d
    name = s.rstrip("/" + os.sep).replace(os.sep, "/").rsplit("/", 1)[-1]
    return d + name + ("/" if s.endswith(("/", os.sep)) else "")


def _remove_local(paths: list[str], root: str | None) -> None:
    """Delete exactly these local files (and folders, ``dir/``), then every folder of the moved
    tree that is left empty (one that someone wrote into meanwhile stays, with that file)."""
    for p in paths:
        if not p.endswith("/"):
            os.remove(p)
    if root is None:
        return
    for folder, _, _ in sorted(os.walk(root, topdown=False), key=lambda t: -len(t[0])):
        try:
            os.rmdir(folder)
        except OSError:  # not empty: it holds something we did not copy
            pass


def _sides(src: str | os.PathLike, dst: str | os.PathLike, config: "Config | None") -> tuple[_Side, _Side]:
    a, b = _side(src, config), _side(dst, config)
    if not a.remote and not b.remote:
        raise InvalidURLError(f"copy: neither {a.text!r} nor {b.text!r} is a remote URL; use shutil for local copies")
    return a, b


def _copy(a: _Side, b: _Side, recursive: bool, workers: int, progress: bool) -> CopySummary:
    """The copy itself: failures are collected in the summary (a single file's error raises)."""
    summary = CopySummary(a.show(), b.show())
    started = time.monotonic()
    if recursive:
        tasks = list(_plan_remote(a) if a.remote else _plan_local(a))
        if tasks or not a.remote or a.fs.stat(a.path).is_dir:  # type: ignore[union-attr]
            jobs = _jobs(a, b, [(t, t.rel) for t in tasks], summary)
            _run(jobs, summary, workers, progress, files_bar=True)
            summary.seconds = time.monotonic() - started
            return summary
    a, task = _single(a)
    b, rel = _dst_for_single(b, task.rel)
    _run(_jobs(a, b, [(task, rel)], summary), summary, 1, progress, files_bar=False, raise_errors=True)
    summary.seconds = time.monotonic() - started
    return summary


def _single(a: _Side) -> tuple[_Side, _Task]:
    """The one file of a non-recursive copy: the side of its parent and its task."""
    if a.fs is not None:
        info = a.fs.stat(a.path)
        if info.is_dir:
            raise IsADirError(f"{a.show()}: is a directory; use recursive=True to copy a tree", a.path)
        parent, _, name = info.path.rpartition("/")
        return _Side(a.text, a.fs, parent, exact=True), _Task(name, int(info.size or 0), info.mtime.timestamp() if info.mtime else None)
    if os.path.isdir(a.path):
        raise IsADirError(f"{a.path}: is a directory; use recursive=True to copy a tree", a.path)
    st = os.stat(a.path)  # FileNotFoundError
    return _Side(a.text, None, os.path.dirname(os.path.abspath(a.path))), _Task(os.path.basename(a.path), st.st_size, None)


Job = Callable[[Callable[[int], None]], int]  # job(tick) -> bytes copied
_Planned = tuple[str, int, Job, str, bool]  # (source shown, size, job, source path, is a folder)


def _jobs(a: _Side, b: _Side, plan: list[tuple[_Task, str]], summary: CopySummary) -> list[_Planned]:
    """One entry per transfer; hostile keys go to ``summary.skipped``."""
    out = []
    for task, dst_rel in plan:
        job = _job(a, b, task, dst_rel)
        if isinstance(job, str):
            summary.skipped.append((a.show(task.rel), job))
        else:
            out.append((a.show(task.rel), task.size, job[0], job[1], task.marker))
    return out


def _run(jobs: list[_Planned], summary: CopySummary, workers: int, progress: bool, *, files_bar: bool, raise_errors: bool = False) -> None:
    """Run the jobs (a bounded pool when ``workers`` > 1) under a bytes bar and a files bar."""
    from tqdm.auto import tqdm

    lock = threading.Lock()
    bbar = tqdm(total=sum(j[1] for j in jobs), unit="B", unit_scale=True, unit_divisor=1024, desc="bytes", disable=not progress)
    fbar = tqdm(total=sum(1 for j in jobs if not j[4]), unit="file", desc="files", disable=not (progress and files_bar))

    def tick(n: int) -> None:
        with lock:
            bbar.update(n)

    def done(planned: _Planned, n: int | None, exc: Exception | None) -> None:
        shown, _, _, source, folder = planned
        with lock:
            if exc is not None:
                summary.failed.append((shown, one_line(exc)))
                return
            summary.done.append(source)
            if folder:
                summary.folders += 1
                return
            summary.files += 1
            summary.bytes += n or 0
        fbar.update(1)

    try:
        if workers <= 1 or len(jobs) <= 1:
            for planned in jobs:
                try:
                    n = planned[2](tick)
                except Exception as exc:
                    if raise_errors:
                        raise
                    done(planned, None, exc)
                else:
                    done(planned, n, None)
            return
        pool = ThreadPoolExecutor(max_workers=min(workers, len(jobs)), thread_name_prefix="dumont-copy")
        try:
            futures = {pool.submit(p[2], tick): p for p in jobs}
            for fut in as_completed(futures):
                exc = fut.exception()
                done(futures[fut], None if exc else fut.result(), exc)  # type: ignore[arg-type]
        finally:  # on an interrupt: start nothing new, let running transfers finish cleanly
            pool.shutdown(wait=True, cancel_futures=True)
    finally:
        bbar.close()
        fbar.close()


def _job(a: _Side, b: _Side, task: _Task, dst_rel: str) -> tuple[Job, str] | str:
    """``(the transfer of one file or folder, its source path)``, or why it is skipped (a key
    unsafe as a local path)."""
    if a.fs is not None:
        base = a.path if a.exact else a.path.rstrip("/")
        src_path = f"{base}/{task.rel}" + ("/" if task.marker and task.rel else "")
    else:
        src_path = os.path.join(a.path, *task.rel.split("/")) if task.rel else a.path
        src_path += os.sep if task.marker else ""
    if b.fs is None:
        assert a.fs is not None
        target: str | None = b.path
        if dst_rel:
            target, reason = local_target(b.path, dst_rel)
            if target is None:
                return reason or "unsafe key"
        if task.marker:
            return (lambda tick: os.makedirs(target, exist_ok=True) or 0), src_path
        return (lambda tick: download(a.fs, src_path, target, tick, task.mtime)), src_path
    dst_base = b.path.rstrip("/")
    dst_path = f"{dst_base}/{dst_rel}" if dst_rel else dst_base
    if task.marker:
        return (lambda tick: keep_folder(b.fs, dst_path)), src_path
    if a.fs is None:
        return (lambda tick: upload(src_path, b.fs, dst_path, tick)), src_path
    return (lambda tick: copy_object(a.fs, src_path, b.fs, dst_path, tick, task.size)), src_path
