"""Pure listing logic of the browser: locations, rows, sort, filter, paged loading.

Nothing here imports ipywidgets; the widget modules render what this module computes, so the
logic is tested without a front end.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterator

from ..errors import InvalidURLError
from ..formatting import human_size
from ..urls import parse_url
from ..vfs.base import FileInfo, FileSystem

__all__ = [
    "Location",
    "Pager",
    "SORT_KEYS",
    "compile_filter",
    "info_of",
    "human_size",
    "row_of",
    "sort_rows",
]

#: columns the listing can be sorted by
SORT_KEYS = ("name", "type", "size", "mtime")




@dataclass(frozen=True)
class Location:
    """Where the browser is: a remote, and optionally a bucket and a folder prefix.

    ``prefix`` is ``""`` at a bucket root and ends with ``/`` otherwise.
    """

    remote: str
    bucket: str | None = None
    prefix: str = ""

    @classmethod
    def parse(cls, url: str) -> "Location":
        """``"r2://bucket/a/b"`` → ``Location("r2", "bucket", "a/b/")``.

        Raises:
            InvalidURLError: not a ``remote://bucket/prefix`` URL.
        """
        parsed = parse_url(url)
        prefix = parsed.key
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        return cls(parsed.remote, parsed.bucket, prefix)

    @property
    def path(self) -> str:
        """The vfs path (``bucket/prefix`` without the trailing slash, ``""`` for the bucket list)."""
        if self.bucket is None:
            return ""
        return f"{self.bucket}/{self.prefix}".rstrip("/")

    @property
    def url(self) -> str:
        """``remote://bucket/prefix/`` (always with the trailing slash of a folder)."""
        if self.bucket is None:
            return f"{self.remote}://"
        return f"{self.remote}://{self.bucket}/{self.prefix}"

    def parent(self) -> "Location":
        """The folder above (the bucket list above a bucket root; itself at the bucket list)."""
        if self.bucket is None:
            return self
        if not self.prefix:
            return Location(self.remote)
        head = self.prefix.rstrip("/").rpartition("/")[0]
        return Location(self.remote, self.bucket, head + "/" if head else "")

    def child(self, name: str) -> "Location":
        """The sub-folder ``name`` (a bucket name at the bucket list).

        Raises:
            InvalidURLError: an empty name or one containing ``/`` at the bucket list.
        """
        name = name.rstrip("/")
        if not name:
            raise InvalidURLError(f"{self.url}: empty folder name")
        if self.bucket is None:
            return Location.parse(f"{self.remote}://{name}")
        return Location(self.remote, self.bucket, f"{self.prefix}{name}/")

    def crumbs(self) -> list[tuple[str, "Location"]]:
        """``[(label, location), ...]`` from the remote root down to here."""
        out = [(f"{self.remote}://", Location(self.remote))]
        if self.bucket is None:
            return out
        loc = Location(self.remote, self.bucket)
        out.append((self.bucket, loc))
        for part in [p for p in self.prefix.split("/") if p]:
            loc = loc.child(part)
            out.append((part, loc))
        return out

    def ancestors(self) -> list["Location"]:
        """Every location from the remote root down to (and including) this one."""
        return [loc for _, loc in self.crumbs()]


def row_of(info: FileInfo, remote: str) -> dict:
    """One listing row as the front end renders it (plain JSON; text, never HTML)."""
    url = f"{remote}://{info.path}" + ("/" if info.is_dir and info.path.count("/") else "")
    if info.is_dir and "/" not in info.path:  # a bucket
        url = f"{remote}://{info.path}/"
    return {
        "name": info.name.rstrip("/"),
        "url": url,
        "type": info.type,
        "size": int(info.size or 0) if not info.is_dir else None,
        "size_h": "" if info.is_dir else human_size(info.size),
        "mtime": info.mtime.strftime("%Y-%m-%d %H:%M:%S") if info.mtime else "",
        "is_dir": bool(info.is_dir),
    }


def compile_filter(pattern: str) -> Callable[[str], bool]:
    """A name filter: a glob when the pattern has ``*``, ``?`` or ``[``, else a case-insensitive
    regular expression searched in the name. ``""`` matches everything.

    Raises:
        ValueError: the pattern is not a valid regular expression (the message says so).
    """
    if not pattern:
        return lambda name: True
    if any(c in pattern for c in "*?["):
        rx = re.compile(fnmatch.translate(pattern), re.IGNORECASE)
        return lambda name: rx.match(name) is not None
    try:
        rx = re.compile(pattern, re.IGNORECASE)
    except re.error as e:
        raise ValueError(f"filter {pattern!r} is not a valid pattern: {e}; use a glob like *.csv or a regex") from None
    return lambda name: rx.search(name) is not None


def sort_rows(rows: list[dict], key: str = "name", descending: bool = False) -> list[dict]:
    """Rows sorted by ``key`` (one of :data:`SORT_KEYS`), folders always first.

    Raises:
        ValueError: unknown sort key.
    """
    if key not in SORT_KEYS:
        raise ValueError(f"cannot sort by {key!r}; choose one of {', '.join(SORT_KEYS)}")

    def value(row: dict):
        v = row.get(key)
        if key == "name":
            return (row["name"].lower(), row["name"])
        return (v is None, v if v is not None else 0, row["name"])

    # folders have no size or mtime: they keep name order unless sorting by name
    by_name = lambda row: (row["name"].lower(), row["name"])  # noqa: E731
    dirs = sorted((r for r in rows if r["is_dir"]), key=by_name, reverse=descending and key == "name")
    files = sorted((r for r in rows if not r["is_dir"]), key=value, reverse=descending)
    return dirs + files


@dataclass
class Pager:
    """Loads a folder listing one store page at a time (one ListObjectsV2 request per page).

    ``pages`` is the vfs generator; :meth:`more` pulls the next page. Nothing is fetched until
    the first call, and never more than asked for.
    """

    fs: FileSystem
    location: Location
    page_size: int = 1000
    rows: list[dict] = field(default_factory=list)
    done: bool = False
    _pages: Iterator[list[FileInfo]] | None = None

    def more(self) -> list[dict]:
        """Fetch the next page; returns its rows (``[]`` when the listing is complete).

        Raises:
            the vfs errors of ``iterdir`` (``PermissionError``, ``FileNotFoundError``, ...).
        """
        if self.done:
            return []
        if self._pages is None:
            self._pages = iter(self.fs.iterdir(self.location.path, page_size=self.page_size))
        try:
            page = next(self._pages)
        except StopIteration:
            self.done = True
            return []
        new = [row_of(info, self.location.remote) for info in page]
        last = getattr(page, "last", None)  # the store said (S3: IsTruncated), else a short page is the last
        if last or (last is None and len(page) < self.page_size - 1):  # (one marker may be hidden)
            self.done = True
        self.rows.extend(new)
        return new


def info_of(row: dict, path: str) -> FileInfo:
    """A listing row back to the :class:`FileInfo` it came from (no request needed)."""
    mtime = datetime.strptime(row["mtime"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc) if row["mtime"] else None
    return FileInfo(row["name"], path, row["size"] or 0, mtime, row["is_dir"])


