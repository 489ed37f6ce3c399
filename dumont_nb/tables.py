"""Listings as typed pandas DataFrames: :func:`listing` and :func:`du`.

Frames are built from the vfs layer only (``FileSystem.iterdir`` pages of
:class:`~dumont_nb.vfs.base.FileInfo`), column by column: each page is appended to per-column
lists and dropped, and one DataFrame is made at the end. So a listing of N keys holds one page of
raw responses at a time and costs ``ceil(N / 1000)`` ListObjectsV2 requests when recursive.

The schema (:data:`SCHEMA`) is derived from ``FileInfo`` in one place:

=============  ========================  =====================================================
column         dtype                     meaning
=============  ========================  =====================================================
url            string                    ``remote://bucket/key`` (directories end with ``/``)
path           string                    ``bucket/key`` (the vfs path)
name           string                    last path segment
type           string                    ``"file"`` or ``"dir"``
size           int64                     bytes (0 for directories)
mtime          datetime64[s, UTC]        LastModified in whole seconds (NaT for directories)
etag           string                    the ETag, quotes removed (<NA> for directories)
storage_class  string                    e.g. ``STANDARD`` (<NA> if the store does not say)
=============  ========================  =====================================================

In a notebook the frames render with human-readable sizes and HTML-escaped strings
(:class:`StatFrame`); the ``size`` column stays int64.
"""

from __future__ import annotations

import fnmatch
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Iterable

import numpy as np
import pandas as pd

from .formatting import human_size
from .urls import parse_url
from .vfs.base import FileInfo, FileSystem, PageColumns
from .vfs.parallel import list_pages
from .vfs.registry import resolve

if TYPE_CHECKING:
    from .config import Config

__all__ = ["listing", "du", "StatFrame", "SCHEMA", "VERSION_SCHEMA", "human_size", "frame_from_pages"]

_NAT = np.iinfo(np.int64).min  # numpy's NaT as an int64


@dataclass(frozen=True)
class Column:
    """One column of a stat table: its name, its dtype and how to read it from a FileInfo."""

    name: str
    dtype: str
    get: Callable[[FileInfo, str], Any]  # (info, remote name) -> raw value
    doc: str


def _mtime_seconds(info: FileInfo, _remote: str) -> int:
    m: datetime | None = info.mtime
    return _NAT if m is None else int(m.timestamp())


def _url(info: FileInfo, remote: str) -> str:
    return f"{remote}://{info.path.rstrip('/')}" + ("/" if info.is_dir else "")


def _etag(info: FileInfo, _remote: str) -> str | None:
    return None if info.is_dir or info.etag is None else info.etag.strip('"')


#: The stat-table schema, in column order.
SCHEMA: tuple[Column, ...] = (
    Column("url", "string", _url, "remote://bucket/key; directories end with /"),
    Column("path", "string", lambda i, r: i.path.rstrip("/"), "bucket/key"),
    Column("name", "string", lambda i, r: i.path.rstrip("/").rsplit("/", 1)[-1], "last path segment"),
    Column("type", "string", lambda i, r: i.type, '"file" or "dir"'),
    Column("size", "int64", lambda i, r: int(i.size or 0), "bytes (0 for directories)"),
    Column("mtime", "datetime64[s, UTC]", _mtime_seconds, "LastModified, whole seconds, UTC"),
    Column("etag", "string", _etag, "ETag without quotes; missing for directories"),
    Column("storage_class", "string", lambda i, r: i.storage_class, "storage class, if the store says"),
)
SIZE_COLUMNS = ("size",)
#: The columns ``listing(url, versions=True)`` adds (missing on directory rows).
VERSION_SCHEMA: tuple[Column, ...] = (
    Column("version_id", "string", lambda i, r: i.version_id, "the version's id"),
    Column("is_latest", "boolean", lambda i, r: None if i.is_dir else bool(i.is_latest), "the current version"),
    Column("delete_marker", "boolean", lambda i, r: None if i.is_dir else i.delete_marker,
           "a delete marker (the key looked deleted from then on)"),
)




_TEXT_CLASS = "dumont-stat"


def _size_cell(value: int) -> str:
    return "" if value < 0 else human_size(value)


class StatFrame(pd.DataFrame):
    """A DataFrame whose notebook rendering shows human-readable sizes and escapes strings.

    Only the display changes: the data and dtypes are those of a plain DataFrame.
    """

    @property
    def _constructor(self):
        return StatFrame

    def _repr_html_(self) -> str | None:
        if pd.get_option("display.notebook_repr_html") is False:
            return None
        shown: pd.DataFrame = self
        sizes = [c for c in SIZE_COLUMNS + ("bytes",) if c in self.columns and self[c].dtype.kind in "iu"]
        if sizes and "type" in self.columns:  # a folder has no size of its own: a blank, not "0 B"
            dirs = (self["type"] == "dir").to_numpy(dtype=bool, na_value=False)
            if dirs.any():
                shown = pd.DataFrame(self, copy=False)
                for c in sizes:
                    shown[c] = np.where(dirs, -1, self[c].to_numpy())
        formatters = {c: _size_cell for c in sizes}
        max_rows = pd.get_option("display.max_rows")
        min_rows = pd.get_option("display.min_rows")
        if max_rows is not None and len(self) > max_rows:
            max_rows = min_rows or max_rows  # pandas' own rule: show min_rows when truncating
        # keys and explanations are what users read: show up to 200 characters of a cell
        width = pd.get_option("display.max_colwidth")
        with pd.option_context("display.max_colwidth", None if width is None else max(width, 200)):
            table = shown.to_html(
                formatters=formatters,
                escape=True,
                notebook=True,
                max_rows=max_rows,
                max_cols=pd.get_option("display.max_columns"),
                show_dimensions=pd.get_option("display.show_dimensions"),
                na_rep="",
                classes=_TEXT_CLASS,
            )
        # notebooks right-align every cell; text reads better left-aligned (numbers stay right)
        text = [i for i, c in enumerate(self.columns) if self[c].dtype == object or str(self[c].dtype) == "string"]
        rules = ",".join(f".{_TEXT_CLASS}.c{hash(tuple(text)) & 0xffff:x} td:nth-child({i + 2})" for i in text)
        marked = table.replace(f'class="dataframe {_TEXT_CLASS}"', f'class="dataframe {_TEXT_CLASS} c{hash(tuple(text)) & 0xffff:x}"', 1)
        return (f"<style>{rules}{{text-align:left}}</style>" if rules else "") + marked


class _Columns:
    """Per-column accumulators, filled one page at a time."""

    def __init__(self, remote: str, schema: tuple[Column, ...] = SCHEMA):
        self.remote = remote
        self.schema = schema
        self.data: dict[str, list] = {c.name: [] for c in schema}

    def add(self, page: Iterable[FileInfo]) -> None:
        remote = self.remote
        if self.schema is SCHEMA:  # the stat table: one pass a page (listings of millions of keys)
            self._add_stat(page, remote)
            return
        for col in self.schema:
            get = col.get
            self.data[col.name].extend(get(i, remote) for i in page)

    def _add_stat(self, page: Iterable[FileInfo], remote: str) -> None:
        """What the :data:`SCHEMA` getters give, written out in one loop (the same values; a test
        compares the two)."""
        d = self.data
        url, path, name, typ, size = d["url"], d["path"], d["name"], d["type"], d["size"]
        mtime, etag, sc = d["mtime"], d["etag"], d["storage_class"]
        for i in page:
            p = i.path.rstrip("/")
            path.append(p)
            url.append(f"{remote}://{p}/" if i.is_dir else f"{remote}://{p}")
            name.append(p.rsplit("/", 1)[-1])
            typ.append("dir" if i.is_dir else "file")
            size.append(int(i.size or 0))
            m = i.mtime
            mtime.append(_NAT if m is None else int(m.timestamp()))
            etag.append(None if i.is_dir or i.etag is None else i.etag.strip('"'))
            sc.append(i.storage_class)

    def add_columns(self, page: PageColumns) -> None:
        """A page already in columns: the same values :meth:`add` gives for its ``FileInfo``."""
        d, remote, paths, is_dir = self.data, self.remote, page.paths, page.is_dir
        dirs = any(is_dir)
        d["path"].extend(paths)
        d["url"].extend([f"{remote}://{p}/" if i else f"{remote}://{p}" for p, i in zip(paths, is_dir)] if dirs
                        else [f"{remote}://{p}" for p in paths])
        d["name"].extend([p[p.rfind("/") + 1:] for p in paths])
        d["type"].extend(["dir" if i else "file" for i in is_dir] if dirs else ["file"] * len(paths))
        d["size"].extend(page.sizes)
        d["mtime"].extend([_NAT if m is None else m for m in page.mtimes])
        d["etag"].extend(page.etags)
        d["storage_class"].extend(page.storage_classes)

    def extend(self, other: "_Columns") -> None:
        """Append ``other``'s rows (same schema), emptying it."""
        for name, values in other.data.items():
            self.data[name].extend(values)
            other.data[name] = []

    def __len__(self) -> int:
        return len(self.data["url"])

    def frame(self) -> StatFrame:
        out: dict[str, Any] = {}
        for col in self.schema:
            values = self.data[col.name]
            if col.dtype == "int64":
                out[col.name] = np.asarray(values, dtype=np.int64)
            elif col.dtype.startswith("datetime64"):
                secs = np.asarray(values, dtype=np.int64).view("datetime64[s]")
                out[col.name] = pd.Series(secs).dt.tz_localize("UTC")
            else:
                out[col.name] = pd.array(values, dtype=col.dtype)
            self.data[col.name] = []
        return StatFrame(out)


def frame_from_pages(pages: Iterable[Iterable[FileInfo] | PageColumns], remote: str,
                     keep: Callable[[FileInfo], bool] | None = None) -> StatFrame:
    """Build a stat table from pages of FileInfo, or :class:`PageColumns` (one page at a time,
    columnar; ``keep`` filters FileInfo pages only)."""
    return _collect(pages, remote, keep)[0].frame()


def _collect(pages: Iterable[Iterable[FileInfo]], remote: str, keep: Callable[[FileInfo], bool] | None,
             schema: tuple[Column, ...] = SCHEMA) -> tuple[_Columns, int]:
    """Fill per-column lists page by page (each page is dropped once added); also the number of
    entries seen before ``keep`` filtered them."""
    cols = _Columns(remote, schema)
    seen = 0
    for page in pages:
        if isinstance(page, PageColumns):
            seen += len(page)
            cols.add_columns(page)
            continue
        if not isinstance(page, list):
            page = list(page)
        seen += len(page)
        cols.add(page if keep is None else [i for i in page if keep(i)])
    return cols, seen


def _glob_filter(pattern: str | None, base: str) -> Callable[[FileInfo], bool] | None:
    """A pattern with a ``/`` matches the path below ``base``; without one, the name."""
    if pattern is None:
        return None
    prefix = base.rstrip("/") + "/" if base else ""

    def keep(info: FileInfo) -> bool:
        path = info.path.rstrip("/")
        if "/" in pattern:
            rel = path[len(prefix):] if path.startswith(prefix) else path
            return fnmatch.fnmatchcase(rel, pattern)
        return fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], pattern)

    return keep


def listing(url: str, *, recursive: bool = False, glob: str | None = None, head: bool = False,
            versions: bool = False, config: "Config | None" = None) -> StatFrame:
    """One row per entry under ``url`` (see :data:`SCHEMA` for the columns and dtypes).

    ``remote://`` lists the remote's buckets (type ``"dir"``). ``remote://bucket/prefix`` lists
    the entries directly under the prefix (directories and files, markers hidden); with
    ``recursive=True`` every object under it, with no delimiter (``ceil(N/1000)`` requests).
    An object URL gives its own row. ``glob`` keeps rows whose name matches (``*.csv``), or whose
    path below ``url`` matches when the pattern has a ``/`` (``2024/*/data.csv``; ``*`` crosses
    ``/`` there). ``head=True`` adds ``content_type`` (string) and ``metadata`` (dict of user
    metadata) columns, which listings do not carry: one HeadObject per file row, sent
    concurrently (16 in flight); directory rows get missing values. ``versions=True`` lists every
    version instead (ListObjectVersions): one row per version, delete markers included, newest
    first within a key, with the columns ``version_id`` (string), ``is_latest`` and
    ``delete_marker`` (booleans; missing on directory rows) added.

    Raises:
        InvalidURLError: malformed URL.
        UnknownRemoteError: the remote is not configured.
        FileNotFoundError: nothing exists at ``url``.
        PermissionError: the store refused the listing (or a HEAD).
        NotSupportedError: ``versions=True`` on a bucket without versioning (the message says
            how to enable it).
    """
    fs, path = resolve(url, config=config)
    if not path:
        frame = frame_from_pages([_list_buckets(fs)], fs.name, _glob_filter(glob, ""))
        return _with_head(fs, frame) if head else frame
    keep = _glob_filter(glob, path)
    if versions:
        cols, seen = _collect(fs.iter_versions(path, recursive=recursive), fs.name, keep, SCHEMA + VERSION_SCHEMA)
        frame = cols.frame()
        return _with_head(fs, frame) if head else frame
    if keep is None:  # no filter: the pages in columns, no object per key
        cols, seen = _Columns(fs.name), 0
        for page in fs.iter_columns(path, recursive=recursive):
            seen += len(page)
            cols.add_columns(page)
    else:
        cols, seen = _collect(fs.iterdir(path, recursive=recursive), fs.name, keep)
    if not seen:
        info = fs.stat(path)  # raises FileNotFoundError when nothing is there
        if not info.is_dir and (keep is None or keep(info)):
            cols.add([info])
    frame = cols.frame()
    return _with_head(fs, frame) if head else frame


def _with_head(fs: FileSystem, frame: StatFrame) -> StatFrame:
    """``frame`` plus ``content_type`` and ``metadata`` from concurrent HEADs of its file rows."""
    rows = np.flatnonzero((frame["type"] == "file").to_numpy(dtype=bool, na_value=False))
    heads = fs.head_metadata(frame["path"].iloc[rows].tolist()) if len(rows) else []
    ctype: list = [None] * len(frame)
    meta: list = [None] * len(frame)
    for i, h in zip(rows, heads):
        if h is not None:
            ctype[i], meta[i] = h["content_type"], h["metadata"]
    frame["content_type"] = pd.array(ctype, dtype="string")
    frame["metadata"] = pd.Series(meta, dtype=object, index=frame.index)
    return frame


def _list_buckets(fs: FileSystem) -> list[FileInfo]:
    """The buckets of a remote: ``readdir("")`` (the backend answers with ListBuckets, or the
    remote's configured ``buckets`` when the credentials may not list them)."""
    return list(fs.readdir(""))


def du(url: str, depth: int = 1, *, config: "Config | None" = None) -> StatFrame:
    """Total size and object count per sub-prefix of ``url``, down to ``depth`` levels.

    One parallel recursive listing (as :func:`dumont_nb.inventory`: one request when the prefix
    holds at most 1,000 keys, at most ``3 × ceil(N/1000)`` with many in flight above that), each
    page folded into the totals as it arrives. Rows, sorted by path: the prefix itself
    (``depth`` 0, the grand total), then every sub-prefix at depth 1..``depth`` with the totals
    of everything below it. Columns: ``url``, ``path`` (below ``url``, ``""`` for the total),
    ``depth``, ``size`` (int64 bytes), ``count`` (int64 objects), ``mtime`` (newest object).

    Raises:
        InvalidURLError: malformed URL or no bucket.
        ValueError: ``depth`` is not a whole number >= 0.
        UnknownRemoteError, FileNotFoundError, PermissionError: as :func:`listing`.
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise ValueError(f"du: depth must be a whole number >= 0, got {depth!r}")
    parsed = parse_url(url).require_bucket()
    fs, path = resolve(str(parsed), config=config)
    base = path.rstrip("/")
    prefix = base + "/"
    sizes: dict[str, int] = {}
    counts: dict[str, int] = {}
    newest: dict[str, int] = {}
    lock = threading.Lock()

    def fold(page: PageColumns) -> int:  # runs in the listing threads as pages arrive
        with lock:
            for p, size, m in zip(page.paths, page.sizes, page.mtimes):
                rel = p[len(prefix):] if p.startswith(prefix) else p.rsplit("/", 1)[-1]
                parts = rel.split("/")[:-1]  # the directories the object is in
                secs = _NAT if m is None else m
                for level in range(0, min(depth, len(parts)) + 1):
                    key = "/".join(parts[:level])
                    sizes[key] = sizes.get(key, 0) + size
                    counts[key] = counts.get(key, 0) + 1
                    if secs > newest.get(key, _NAT):
                        newest[key] = secs
        return len(page)

    seen = sum(list_pages(fs, prefix if "/" in base else base, consume=fold, columns=True)[0])
    if not seen:
        fs.stat(base)  # raises FileNotFoundError if the prefix does not exist at all
        sizes[""], counts[""], newest[""] = 0, 0, _NAT
    keys = sorted(sizes)
    mtimes = np.asarray([newest[k] for k in keys], dtype=np.int64).view("datetime64[s]")
    return StatFrame(
        {
            "url": pd.array([f"{fs.name}://{prefix}{k}/" if k else f"{fs.name}://{prefix}" for k in keys], dtype="string"),
            "path": pd.array(keys, dtype="string"),
            "depth": np.asarray([k.count("/") + 1 if k else 0 for k in keys], dtype=np.int64),
            "size": np.asarray([sizes[k] for k in keys], dtype=np.int64),
            "count": np.asarray([counts[k] for k in keys], dtype=np.int64),
            "mtime": pd.Series(mtimes).dt.tz_localize("UTC"),
        }
    )
