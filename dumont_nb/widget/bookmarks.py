"""Bookmarks of the browser, kept in the user's config dir (never in the notebook).

The file is ``platformdirs.user_config_dir("dumont")/bookmarks.json``: a JSON list of URLs;
``$DUMONT_BOOKMARKS`` names another file (the demo points it into its own working directory,
so it never writes to the user's config dir).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import platformdirs

from ..errors import ConfigError
from .feedback import guarded

__all__ = ["bookmarks_path", "load_bookmarks", "save_bookmarks", "add_bookmark", "remove_bookmark", "BookmarkActions"]


def bookmarks_path() -> Path:
    """Where bookmarks live (read each call, so ``$DUMONT_BOOKMARKS`` and ``XDG_CONFIG_HOME``
    changes are honoured)."""
    named = os.environ.get("DUMONT_BOOKMARKS")
    if named:
        return Path(named)
    return Path(platformdirs.user_config_dir("dumont")) / "bookmarks.json"


def load_bookmarks() -> list[str]:
    """The saved bookmark URLs (``[]`` when there is no file yet).

    Raises:
        ConfigError: the file exists but is not a JSON list of strings (names the file).
    """
    path = bookmarks_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as e:
        raise ConfigError(f"{path}: cannot read bookmarks ({e}); fix or delete the file") from None
    if not isinstance(data, list) or not all(isinstance(u, str) for u in data):
        raise ConfigError(f"{path}: bookmarks must be a JSON list of URLs; fix or delete the file")
    return data


def save_bookmarks(urls: list[str]) -> None:
    """Write the bookmark list atomically (temporary file, then rename)."""
    path = bookmarks_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".bookmarks-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(list(urls), f, indent=1)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_bookmark(url: str) -> list[str]:
    """Add ``url`` (once) and return the new list."""
    urls = load_bookmarks()
    if url not in urls:
        urls.append(url)
        save_bookmarks(urls)
    return urls


def remove_bookmark(url: str) -> list[str]:
    """Remove ``url`` if present and return the new list."""
    urls = [u for u in load_bookmarks() if u != url]
    save_bookmarks(urls)
    return urls


class BookmarkActions:
    """The browser's bookmark menu (mixed into ``Browser``: uses its ``_bookmarks`` dropdown,
    ``path``, ``_syncing``, ``_go_url`` and ``info``)."""

    def _load_bookmarks(self) -> None:
        self._set_bookmarks(load_bookmarks())

    def _set_bookmarks(self, urls: list[str]) -> None:
        self._syncing = True
        try:
            self._bookmarks.options = [("bookmarks…", "")] + [(u, u) for u in urls]
            self._bookmarks.value = ""
        finally:
            self._syncing = False

    @property
    def bookmarks(self) -> list[str]:
        """The saved bookmark URLs."""
        return [v for _, v in self._bookmarks.options if v]

    @guarded
    def _add_bookmark(self) -> None:
        self._set_bookmarks(add_bookmark(self.path))
        self.info(f"bookmarked {self.path}")

    @guarded
    def _remove_bookmark(self) -> None:
        chosen = self._bookmarks.value or self.path
        self._set_bookmarks(remove_bookmark(chosen))
        self.info(f"removed bookmark {chosen}")

    def _on_bookmark(self, change) -> None:
        if not self._syncing and change["new"]:
            self._go_url(change["new"])
