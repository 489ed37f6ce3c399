"""Make a (maybe lagging) listing agree with this process's own recent mutations.

Object reads are read-after-write consistent, listings on some stores are not. The backend's
:class:`.journal.Journal` records what this process wrote or deleted; here those records are
applied to listing entries, confirming each disagreement with a HEAD (or a one-key listing for a
directory). A paginated listing is reconciled page by page: each page takes the records up to
its last item, in the store's (UTF-8 byte) order, so the first page still costs one request.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from .base import FileInfo

if TYPE_CHECKING:
    from .s3 import S3Backend

__all__ = ["take_covered", "reconcile"]

Entries = dict[tuple[str, bool], FileInfo]  # (name, is_dir) -> entry


def _last_item(resp: dict) -> str:
    """The last key or common prefix of a listing page, in the store's (UTF-8 byte) order."""
    items = [c["Key"] for c in resp.get("Contents", ())[-1:]] + [c["Prefix"] for c in resp.get("CommonPrefixes", ())[-1:]]
    return max(items, key=str.encode) if items else ""


def _covered(key: str, last: str) -> bool:
    """True if a page ending at ``last`` covers ``key`` (up to it, or rolled up in it)."""
    return key.encode() <= last.encode() or (last.endswith("/") and key.startswith(last))


def take_covered(pending: dict[str, bool], resp: dict) -> dict[str, bool]:
    """Remove from ``pending`` (``bucket/key`` → exists) and return the records the listing page
    ``resp`` covers; the last page (not truncated) takes all that is left."""
    last = _last_item(resp) if resp.get("IsTruncated") else None
    mine = {p: e for p, e in pending.items() if last is None or _covered(p.split("/", 1)[1], last)}
    for p in mine:
        del pending[p]
    return mine


def reconcile(fs: "S3Backend", bucket: str, prefix: str, entries: Entries, records: dict[str, bool],
              recursive: bool = False) -> None:
    """Apply ``records`` (``bucket/key`` → exists) under ``prefix`` to ``entries`` in place.

    For a delimiter listing, entries are direct children (deeper records make their directory
    appear or go); for a recursive one, names are keys relative to ``prefix``.
    """
    subdirs: dict[str, bool] = {}
    for p, exists in records.items():
        key = p.split("/", 1)[1]
        rel = key[len(prefix):]
        if not rel or (recursive and key.endswith("/")):
            continue
        if not recursive and "/" in rel:
            name = rel.split("/", 1)[0]
            subdirs[name] = subdirs.get(name, False) or exists
            continue
        if ((rel, False) in entries) != exists:
            info = fs.head(bucket, key)
            if info is None:
                entries.pop((rel, False), None)
            else:
                entries[(rel, False)] = replace(info, name=rel)
    for name, any_live in subdirs.items():
        if any_live and (name, True) in entries:
            continue
        if fs._dir_alive(bucket, prefix + name):
            entries[(name, True)] = fs._dir(bucket, prefix + name)
        else:
            entries.pop((name, True), None)
