"""The browser's Versions panel: the versions of one object, newest first, to preview, download
(next to the notebook) or restore (after a confirmation naming the version and its date).

Shown in the preview pane by the action bar's "Versions" action; the work is the vfs layer's
(:meth:`FileSystem.iter_versions`, ``open(version_id=)``, :meth:`FileSystem.restore`).
"""

from __future__ import annotations

import html
import os
from typing import Callable

import ipywidgets as W

from ..vfs.base import FileInfo, FileSystem
from .model import human_size

__all__ = ["VersionsPanel"]

#: bytes of an old version shown by Preview
PREVIEW_BYTES = 4096


def _label(v: FileInfo) -> str:
    when = v.mtime.strftime("%Y-%m-%d %H:%M:%S") if v.mtime else "?"
    what = "delete marker" if v.delete_marker else human_size(v.size)
    return f"{when} · {what} · {v.version_id}" + (" (latest)" if v.is_latest else "")


class VersionsPanel(W.VBox):
    """Versions of ``path`` on ``fs``; ``done(text)`` reports a finished action in the status line."""

    def __init__(self, fs: FileSystem, path: str, url: str, done: Callable[[str], None], **kwargs):
        super().__init__(**kwargs)
        self.fs, self.path, self.url, self._done = fs, path, url, done
        parent = path.rsplit("/", 1)[0]
        self.versions = [v for page in fs.iter_versions(parent) for v in page if v.path == path and not v.is_dir]
        options = [(_label(v), v.version_id) for v in self.versions]
        self.choice = W.Dropdown(options=options, layout=W.Layout(width="100%"))
        self.preview_button = W.Button(description="Preview", icon="eye")
        self.download_button = W.Button(description="Download", icon="download", tooltip="next to the notebook")
        self.restore_button = W.Button(description="Restore…", icon="undo", tooltip="make it the latest (server-side copy)")
        self.confirm_button = W.Button(description="Restore", button_style="danger")
        self.confirm = W.HBox([W.HTML(""), self.confirm_button])
        self.confirm.layout.display = "none"
        self.output = W.HTML("")
        self.preview_button.on_click(lambda _: self.preview())
        self.download_button.on_click(lambda _: self.download())
        self.restore_button.on_click(lambda _: self.ask_restore())
        self.confirm_button.on_click(lambda _: self.restore())
        self.choice.observe(lambda _: self._update(), "value")
        title = W.HTML(f"<b>Versions of <code>{html.escape(url)}</code></b> ({len(self.versions)})")
        self.children = [title, self.choice, W.HBox([self.preview_button, self.download_button, self.restore_button]),
                         self.confirm, self.output]
        self._update()

    @property
    def chosen(self) -> FileInfo | None:
        return next((v for v in self.versions if v.version_id == self.choice.value), None)

    def _update(self) -> None:
        v = self.chosen
        usable = v is not None and not v.delete_marker
        self.preview_button.disabled = self.download_button.disabled = not usable
        self.restore_button.disabled = not usable or bool(v.is_latest)
        self.confirm.layout.display = "none"

    def preview(self) -> None:
        v = self.chosen
        with self.fs.open(self.path, "rb", version_id=v.version_id) as f:
            head = f.read(PREVIEW_BYTES)
        text = head.decode("utf-8", "replace")
        self.output.value = f"<pre>{html.escape(text)}</pre>" + ("…" if len(head) == PREVIEW_BYTES else "")

    def download(self, folder: str = ".") -> str:
        from ..vfs.local import LOCAL

        v = self.chosen
        name = self.path.rsplit("/", 1)[-1]
        stem, dot, ext = name.rpartition(".")
        target = os.path.join(folder, f"{stem or ext}.{v.version_id[:8]}{dot + ext if stem else ''}")
        with self.fs.open(self.path, "rb", version_id=v.version_id) as r, LOCAL.open(target, "wb") as w:
            while chunk := r.read(8 * 2**20):
                w.write(chunk)
        self._done(f"downloaded version {v.version_id} of {self.url} to {target}")
        return target

    def ask_restore(self) -> None:
        v = self.chosen
        when = v.mtime.strftime("%Y-%m-%d %H:%M:%S UTC") if v.mtime else "?"
        self.confirm.children[0].value = (f"Restore version <code>{html.escape(v.version_id)}</code> of {when}? "
                                          "It becomes the latest (a server-side copy).")
        self.confirm.layout.display = None

    def restore(self) -> str:
        v = self.chosen
        new = self.fs.restore(self.path, v.version_id)
        self.confirm.layout.display = "none"
        self._done(f"restored {self.url} from version {v.version_id}: now the latest as {new}")
        return new
