"""``copy``: upload, download and remote-to-remote copies, with progress and a summary.

Each side of :func:`copy` is a remote URL (``r2://bucket/key``) or a local path. Within one
remote a copy is server-side (CopyObject); between remotes the bytes are streamed through this
process. Recursive copies run a bounded thread pool and show two tqdm bars (``tqdm.auto``, so
notebook widgets in Jupyter): bytes and files.

Downloads write ``.<name>.<random>.dumont-part`` in the destination directory and
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
from .urls import is_url, parse_url
from .vfs.base import FileSystem

if TYPE_CHECKING:
    from .config import Config

__all__ = ["copy", "CopySummary", "unsafe_key_reason", "local_target", "copy_object", "CHUNK"]

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

    @property
    def ok(self) -> bool:
        """True if nothing failed (skipped hostile keys do not count as failures)."""
        return not self.failed

    def __repr__(self) -> str:
        from .tables import human_size

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


def download(fs: FileSystem, path: str, local: str, tick: Callable[[int], None], mtime: float | None = None) -> int:
    """Object → local file, through a temporary file renamed into place.

    Raises:
        whatever the read raises; the temporary file is removed and ``local`` is untouched.
    """
    folder = os.path.dirname(os.path.abspath(local))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(local)}.", suffix=".dumont-part", dir=folder)
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
    method = getattr(fs, "copy", None)
    if callable(method):  # a backend that offers a server-side copy of its own
        method(src, dst)
        return size if size is not None else fs.stat(dst).size
    from .vfs.s3 import S3Backend

    if not isinstance(fs, S3Backend):
        return None
    from .vfs.copy import copy_object as s3_copy

    if size is None:
        info = fs.stat(src)
        if info.is_dir:
            raise IsADirError(f"{fs.url(src)}: is a directory; use recursive=True", fs.url(src))
        size = info.size
    sb, sk, _ = fs.split(src)
    db, dk, _ = fs.split(dst)
    fs.client.run(s3_copy, fs.client, sb, sk, db, dk, size)  # CopyObject, or UploadPartCopy when huge
    fs.journal.record(f"{db}/{dk}", True)
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
        from .api import filesystem

        parsed = parse_url(text).require_bucket()
        path = parsed.path + ("/" if text.endswith("/") and parsed.key else "")
        return _Side(text, filesystem(parsed.remote, config=config), path)
    return _Side(text, None, os.path.expanduser(text))


@dataclass
class _Task:
    rel: str
    size: int
    mtime: float | None


def _plan_remote(side: _Side) -> Iterator[_Task]:
    assert side.fs is not None
    base = side.path.rstrip("/")
    prefix = base + "/"
    for page in side.fs.iterdir(base, recursive=True):
        for info in page:
            rel = info.path[len(prefix):] if info.path.startswith(prefix) else info.name
            yield _Task(rel, int(info.size or 0), info.mtime.timestamp() if info.mtime else None)


def _plan_local(side: _Side) -> Iterator[_Task]:
    root = side.path
    if not os.path.isdir(root):
        if os.path.exists(root):
            raise NotADirectoryError(f"{root}: not a directory; drop recursive=True to copy one file")
        raise FileNotFoundError(f"{root}: no such directory")
    for folder, dirs, files in os.walk(root):
        dirs.sort()
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


# -- the public function -------------------------------------------------------------------------
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
    (a recursive copy of a single object copies that object). ``workers`` bounds the transfer
    pool; ``progress=False`` hides the bars.

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
    a, b = _side(src, config), _side(dst, config)
    if not a.remote and not b.remote:
        raise InvalidURLError(f"copy: neither {a.text!r} nor {b.text!r} is a remote URL; use shutil for local copies")
    summary = CopySummary(a.show(), b.show())
    started = time.monotonic()
    if recursive:
        tasks = list(_plan_remote(a) if a.remote else _plan_local(a))
        if tasks or not a.remote or a.fs.stat(a.path.rstrip("/")).is_dir:  # type: ignore[union-attr]
            jobs = _jobs(a, b, [(t, t.rel) for t in tasks], summary)
            _run(jobs, summary, workers, progress, files_bar=True)
            summary.seconds = time.monotonic() - started
            if summary.failed:
                first_src, first_msg = summary.failed[0]
                err = StoreError(
                    f"copy {summary.src} → {summary.dst}: {len(summary.failed)} of {len(jobs)} files failed; "
                    f"first: {first_src}: {first_msg}"
                )
                err.summary = summary  # type: ignore[attr-defined]
                raise err
            return summary
    a, task = _single(a)
    b, rel = _dst_for_single(b, task.rel)
    _run(_jobs(a, b, [(task, rel)], summary), summary, 1, progress, files_bar=False, raise_errors=True)
    summary.seconds = time.monotonic() - started
    return summary


def _single(a: _Side) -> tuple[_Side, _Task]:
    """The one file of a non-recursive copy: the side of its parent and its task."""
    if a.fs is not None:
        info = a.fs.stat(a.path.rstrip("/"))
        if info.is_dir:
            raise IsADirError(f"{a.show()}: is a directory; use recursive=True to copy a tree", a.path)
        parent, _, name = info.path.rpartition("/")
        return _Side(a.text, a.fs, parent, exact=True), _Task(name, int(info.size or 0), info.mtime.timestamp() if info.mtime else None)
    if os.path.isdir(a.path):
        raise IsADirError(f"{a.path}: is a directory; use recursive=True to copy a tree", a.path)
    st = os.stat(a.path)  # FileNotFoundError
    return _Side(a.text, None, os.path.dirname(os.path.abspath(a.path))), _Task(os.path.basename(a.path), st.st_size, None)


Job = Callable[[Callable[[int], None]], int]  # job(tick) -> bytes copied


def _jobs(a: _Side, b: _Side, plan: list[tuple[_Task, str]], summary: CopySummary) -> list[tuple[str, int, Job]]:
    """``(source shown, size, job)`` per transfer; hostile keys go to ``summary.skipped``."""
    out = []
    for task, dst_rel in plan:
        job = _job(a, b, task, dst_rel)
        if isinstance(job, str):
            summary.skipped.append((a.show(task.rel), job))
        else:
            out.append((a.show(task.rel), task.size, job))
    return out


def _run(jobs: list[tuple[str, int, Job]], summary: CopySummary, workers: int, progress: bool, *, files_bar: bool, raise_errors: bool = False) -> None:
    """Run the jobs (a bounded pool when ``workers`` > 1) under a bytes bar and a files bar."""
    from tqdm.auto import tqdm

    lock = threading.Lock()
    bbar = tqdm(total=sum(size for _, size, _ in jobs), unit="B", unit_scale=True, unit_divisor=1024, desc="bytes", disable=not progress)
    fbar = tqdm(total=len(jobs), unit="file", desc="files", disable=not (progress and files_bar))

    def tick(n: int) -> None:
        with lock:
            bbar.update(n)

    def done(shown: str, n: int | None, exc: Exception | None) -> None:
        if exc is not None:
            summary.failed.append((shown, _one_line(exc)))
            return
        summary.files += 1
        summary.bytes += n or 0
        fbar.update(1)

    try:
        if workers <= 1 or len(jobs) <= 1:
            for shown, _, job in jobs:
                try:
                    n = job(tick)
                except Exception as exc:
                    if raise_errors:
                        raise
                    done(shown, None, exc)
                else:
                    done(shown, n, None)
            return
        pool = ThreadPoolExecutor(max_workers=min(workers, len(jobs)), thread_name_prefix="dumont-copy")
        try:
            futures = {pool.submit(job, tick): shown for shown, _, job in jobs}
            for fut in as_completed(futures):
                exc = fut.exception()
                done(futures[fut], None if exc else fut.result(), exc)  # type: ignore[arg-type]
        finally:  # on an interrupt: start nothing new, let running transfers finish cleanly
            pool.shutdown(wait=True, cancel_futures=True)
    finally:
        bbar.close()
        fbar.close()


def _job(a: _Side, b: _Side, task: _Task, dst_rel: str) -> Job | str:
    """The transfer of one file, or why it is skipped (a key unsafe as a local path)."""
    src_path = f"{a.path if a.exact else a.path.rstrip('/')}/{task.rel}" if a.fs is not None else os.path.join(a.path, *task.rel.split("/"))
    if b.fs is None:
        assert a.fs is not None
        target: str | None = b.path
        if dst_rel:
            target, reason = local_target(b.path, dst_rel)
            if target is None:
                return reason or "unsafe key"
        return lambda tick: download(a.fs, src_path, target, tick, task.mtime)
    dst_base = b.path.rstrip("/")
    dst_path = f"{dst_base}/{dst_rel}" if dst_rel else dst_base
    if a.fs is None:
        return lambda tick: upload(src_path, b.fs, dst_path, tick)
    return lambda tick: copy_object(a.fs, src_path, b.fs, dst_path, tick, task.size)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
