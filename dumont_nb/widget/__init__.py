"""The bucket browser widget: ``dumont_nb.browse(url=None, *, config=None)``.

Modules: :mod:`.model` (locations, rows, sort, filter, paging; no ipywidgets),
:mod:`.listing` (the sortable, virtualized list; anywidget), :mod:`.preview`, :mod:`.bookmarks`,
:mod:`.jobs` (background work with Cancel), :mod:`.ops` (what actions do, over the vfs),
:mod:`.actions` (the action bar, a composite with an explicit context), :mod:`.snippets` (copy as code), :mod:`.feedback` (errors as
one line), :mod:`.browser` (the whole).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import Config
    from ..vfs.base import FileSystem
    from .browser import Browser

__all__ = ["browse"]


def browse(url: str | None = None, *, fs: "FileSystem | None" = None, config: "Config | None" = None) -> "Browser":
    """A bucket browser opened at ``url`` (a ``remote://bucket/prefix/`` URL; default: the first
    remote's bucket list). ``fs`` shows any :class:`~dumont_nb.vfs.base.FileSystem` (its
    ``name`` is the URL scheme), e.g. a :class:`~dumont_nb.testing.MemoryFileSystem`, beside the
    remotes of ``config`` if one is given; without ``fs``, ``config`` defaults to the active config.

    Errors while browsing (a bad URL, a missing bucket, access denied) show in the widget's
    status line, not as exceptions.

    Raises:
        ConfigError: no config could be loaded when ``config`` is None.
    """
    from .browser import Browser

    return Browser(url, fs=fs, config=config)
