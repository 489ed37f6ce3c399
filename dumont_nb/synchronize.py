"""``sync``: make a destination hold what a source holds, copying only what is missing or changed.

Both sides (a local directory or a remote prefix, either way, or remote → remote) are listed with
the parallel inventory. An object is copied when it is missing at the destination, differs in
size, or the source is newer (as ``aws s3 sync``); ``checksum=True`` compares content instead
(MD5 against a single-part ETag, the multipart ETag recomputed with 5 MiB and 8 MiB parts) and
never re-copies equal content. A second run with nothing changed makes no write request.

Copies are those of :mod:`dumont_nb.transfers`: server-side CopyObject within one remote,
streamed between remotes, uploads and downloads as whole-object writes (the download guard
skips keys that would land outside the target). ``delete=True`` then removes what is at the
destination and not at the source, in DeleteObjects batches of 1,000, only when every copy
succeeded. An interrupted or failed sync leaves no partial object and no multipart upload; run it
again and it copies only what is still missing or changed. ``dry_run=True`` sends no write and
returns the same lists with an estimate of requests, bytes and (on AWS) cost.
"""

from __future__ import annotations

import hashlib
import html
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .formatting import human_size, plural
from .localpaths import local_target
from .runner import run_jobs
from .transfers import CopySummary, _side, copy_object
from .vfs.base import FileInfo, FileSystem
from .vfs.local import LOCAL
from .vfs.parallel import list_pages

if TYPE_CHECKING:
    from .config import Config

__all__ = ["sync", "SyncResult", "PRICES"]

#: S3 Standard list prices used by the dry-run estimate (us-east-1, USD) — an estimate only
PRICES = {"date": "2026-12-01", "write_per_1000": 0.005, "read_per_1000": 0.0004, "transfer_out_per_gb": 0.09}


@dataclass
class SyncResult:
    """What a :func:`sync` did (or, with ``dry_run``, would do). Paths are relative to src/dst."""

    src: str
    dst: str
    copied: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    bytes: int = 0
    requests: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    estimate: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.failed

    def __repr__(self) -> str:
        verb = "would copy" if self.dry_run else "copied"
        return (f"SyncResult({self.src} → {self.dst}: {verb} {plural(len(self.copied), 'object')} "
                f"({human_size(self.bytes)}), deleted {len(self.deleted)}, unchanged {len(self.unchanged)}, "
                f"failed {len(self.failed)}{', dry run' if self.dry_run else ''})")

    def _repr_html_(self) -> str:
        rows = [("copied" if not self.dry_run else "to copy", len(self.copied)), ("deleted", len(self.deleted)),
                ("unchanged", len(self.unchanged)), ("failed", len(self.failed)), ("bytes", human_size(self.bytes))]
        cells = "".join(f"<tr><td>{k}</td><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
        failed = "".join(f"<li><code>{html.escape(p)}</code>: {html.escape(why)}</li>" for p, why in list(self.failed.items())[:20])
        return (f"<b>sync {html.escape(self.src)} → {html.escape(self.dst)}</b>{' (dry run)' if self.dry_run else ''}"
                f"<table>{cells}</table>" + (f"<ul>{failed}</ul>" if failed else ""))


def _listing(fs: FileSystem, path: str, concurrency: int, requests: dict) -> dict[str, FileInfo]:
    """rel path → entry of every object under ``path`` (local: the directory tree)."""
    out: dict[str, FileInfo] = {}
    if fs is LOCAL:
        if not os.path.isdir(path):
            if os.path.exists(path):
                raise NotADirectoryError(f"{path}: not a directory; sync copies folders")
            return out
        for page in fs.iterdir(path, recursive=True):
            out.update((e.name, e) for e in page)
        return out
    root = path.rstrip("/") + "/" if "/" in path.rstrip("/") else path.rstrip("/")
    cut = len(root) if root.endswith("/") else len(root) + 1
    pages, lister = list_pages(fs, root, concurrency=concurrency)
    requests["ListObjectsV2"] = requests.get("ListObjectsV2", 0) + lister.requests
    for page in pages:
        out.update((e.path[cut:], e) for e in page)
    return out


def _md5_of(fs: FileSystem, path: str, part: int | None = None) -> str:
    digests, whole = [], hashlib.md5()
    with fs.open(path, "rb") as f:
        while chunk := f.read(part or 8 * 2**20):
            whole.update(chunk)
            if part:
                digests.append(hashlib.md5(chunk).digest())
    if part and len(digests) > 1:
        return hashlib.md5(b"".join(digests)).hexdigest() + f"-{len(digests)}"
    return whole.hexdigest()


def _same_content(a: FileSystem, ai: FileInfo, b: FileSystem, bi: FileInfo) -> bool:
    """Content equality without copying: ETags where both are the store's, else MD5s."""
    if ai.size != bi.size:
        return False
    ea, eb = (ai.etag or "").strip('"'), (bi.etag or "").strip('"')
    if a is not LOCAL and b is not LOCAL:
        return bool(ea) and ea == eb
    local, remote_etag = (a, ai) if a is LOCAL else (b, bi), eb if a is LOCAL else ea
    if "-" not in remote_etag:
        return _md5_of(local[0], local[1].path) == remote_etag
    return any(_md5_of(local[0], local[1].path, part) == remote_etag for part in (5 * 2**20, 8 * 2**20))


def _changed(src: FileSystem, si: FileInfo, dst: FileSystem, di: FileInfo | None, checksum: bool) -> bool:
    if di is None:
        return True
    if checksum:
        return not _same_content(src, si, dst, di)
    if si.size != di.size:
        return True
    return bool(si.mtime and di.mtime and si.mtime > di.mtime)


def _estimate(plan: list[tuple[str, FileInfo]], deletes: int, src_fs: FileSystem, dst_fs: FileSystem,
              aws: bool, listing: int) -> dict[str, Any]:
    kind = "CopyObject" if src_fs is dst_fs else ("GetObject" if dst_fs is LOCAL else "PutObject")
    writes = {k: 0 for k in ("CopyObject", "PutObject", "UploadPart", "DeleteObjects")}
    reads, total = 0, 0
    for _, info in plan:
        total += info.size
        if kind == "GetObject":
            reads += 1
        elif kind == "CopyObject":
            writes["CopyObject"] += 1
        else:
            if src_fs is not LOCAL:
                reads += 1  # streamed between remotes: read at the source
            parts = -(-info.size // (5 * 2**20)) if info.size > 8 * 2**20 else 0
            writes["UploadPart" if parts else "PutObject"] += parts or 1
    writes["DeleteObjects"] = -(-deletes // 1000)
    est: dict[str, Any] = {"requests": {"ListObjectsV2": listing, "GetObject": reads, **writes}, "bytes": total}
    if aws:
        write_requests = sum(writes.values()) - writes["DeleteObjects"] + listing
        cost = write_requests / 1000 * PRICES["write_per_1000"] + reads / 1000 * PRICES["read_per_1000"]
        if dst_fs is LOCAL:
            cost += total / 2**30 * PRICES["transfer_out_per_gb"]
        est["cost_usd"] = round(cost, 4)
        est["prices"] = f"S3 Standard us-east-1 list prices of {PRICES['date']} (an estimate, not a bill)"
    return est


def sync(src: str | os.PathLike, dst: str | os.PathLike, *, delete: bool = False, dry_run: bool = False,
         checksum: bool = False, concurrency: int = 16, dask: Any = None, config: "Config | None" = None,
         progress: bool = True) -> SyncResult:
    """Copy what is missing or changed from ``src`` to ``dst`` (a local directory or a remote
    prefix each); see the module docstring for the rules.

    Raises:
        InvalidURLError: a malformed URL, or both sides local. UnknownRemoteError.
        NotADirectoryError: a local side is a file. NotImplementedError: ``dask=`` (not yet).
        (Store errors of single objects are reported in ``.failed``, not raised.)
    """
    if dask is not None:
        raise NotImplementedError("sync(dask=...) is not implemented yet; run it without dask (server-side copies "
                                  "within one remote already move no bytes through this process)")
    a, b = _side(src, config), _side(dst, config)
    if a.local and b.local:
        from .errors import InvalidURLError

        raise InvalidURLError(f"sync: neither {a.text!r} nor {b.text!r} is a remote URL; use rsync for local folders")
    result = SyncResult(a.show(), b.show(), dry_run=dry_run)
    have, want = _listing(b.fs, b.path, concurrency, result.requests), _listing(a.fs, a.path, concurrency, result.requests)
    plan = []
    for rel in sorted(want):
        si = want[rel]
        if _changed(a.fs, si, b.fs, have.get(rel), checksum):
            plan.append((rel, si))
        else:
            result.unchanged.append(rel)
    extra = sorted(set(have) - set(want)) if delete else []
    result.bytes = sum(i.size for _, i in plan)
    if dry_run:
        result.copied = [rel for rel, _ in plan]
        result.deleted = extra
        result.estimate = _estimate(plan, len(extra), a.fs, b.fs, aws=_on_aws(a, b, config),
                                    listing=result.requests.get("ListObjectsV2", 0))
        return result
    _copy(a, b, plan, result, concurrency, progress)
    if extra and not result.failed and not result.skipped:
        _delete(b, extra, result)
    return result


def _on_aws(a, b, config) -> bool:
    from .vfs.registry import active_config

    cfg = config if config is not None else active_config()
    return any(side.fs is not LOCAL and cfg.remote(side.fs.name).endpoint is None for side in (a, b))


def _copy(a, b, plan: list[tuple[str, FileInfo]], result: SyncResult, concurrency: int, progress: bool) -> None:
    jobs = []
    for rel, info in plan:
        if b.local:
            target, reason = local_target(b.path, rel)
            if target is None:
                result.skipped.append((rel, reason or "unsafe key"))
                continue
        else:
            target = b.join(rel)
        source = a.join(rel)
        mtime = info.mtime.timestamp() if b.local and info.mtime else None
        jobs.append((rel, info.size,
                     lambda tick, s=source, t=target, i=info, m=mtime: copy_object(a.fs, s, b.fs, t, tick, i.size, m),
                     rel, False))
    summary = CopySummary(result.src, result.dst)
    run_jobs(jobs, summary, concurrency, progress, files_bar=True)
    result.copied = sorted(summary.done)
    result.failed.update(dict(summary.failed))
    result.bytes = summary.bytes
    kind = "CopyObject" if a.fs is b.fs else ("GetObject" if b.local else "PutObject")
    result.requests[kind] = result.requests.get(kind, 0) + len(summary.done)


def _delete(b, extra: list[str], result: SyncResult) -> None:
    from .errors import StoreError

    paths = [b.join(rel) for rel in extra]
    try:
        b.fs.remove_many(paths)
        result.deleted = list(extra)
    except StoreError as exc:
        refused = getattr(exc, "failed", {})
        cut = len(b.join(""))
        result.failed.update({p[cut:].lstrip("/"): f"not deleted: {code}" for p, code in refused.items()})
        result.deleted = [rel for rel, p in zip(extra, paths) if p not in refused]
    result.requests["DeleteObjects"] = -(-len(extra) // 1000)
