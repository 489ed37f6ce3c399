"""The listing's right-click menu, its keyboard shortcuts, the selection summary, and
"Download to this computer" (the object streamed to the browser in bounded chunks).

The front end (``listing.js``) shows :data:`MENU` on a right click and sends the chosen
command (also F2 → rename, Delete → delete, Ctrl/Cmd+A → select all) through the listing's
``command``/``command_serial`` traits; :class:`Menu` runs it with the action bar's own buttons,
so a menu entry is disabled, with the same reason, exactly when its button is.

A download to the user's machine goes through the widget's comm: :class:`BrowserSave` reads the
object :data:`CHUNK` bytes at a time and sends each chunk as a binary buffer only after the front
end acknowledged the previous one (so at most one chunk is in flight, whatever the object's
size); the front end assembles a ``Blob`` and triggers the browser's own download. Objects above
:data:`MAX_SAVE` are refused with the way to get them (a link, or "Download" to the kernel).
"""

from __future__ import annotations

import itertools
from typing import Any

from ..formatting import human_size
from ..vfs.base import FileSystem

__all__ = ["Menu", "BrowserSave", "MENU", "CHUNK", "MAX_SAVE"]

#: the right-click menu: (command, label)
MENU = [("open", "Open"), ("save", "Download to this computer"), ("code", "Copy as code"),
        ("rename", "Rename…  F2"), ("copy", "Copy to…"), ("move", "Move to…"), ("link", "Copy link…"),
        ("versions", "Versions"), ("count", "Count and size"), ("delete", "Delete…  Del")]
CHUNK = 1 * 2**20
MAX_SAVE = 1 * 2**30
_ids = itertools.count(1)


class BrowserSave:
    """Streams objects to the front end of ``listing`` (one chunk in flight at a time)."""

    def __init__(self, listing: Any, info, error):
        self.listing, self.info, self.error = listing, info, error
        self.active: dict[int, dict] = {}
        listing.on_msg(self._on_msg)

    def start(self, fs: FileSystem, path: str, name: str, size: int) -> int | None:
        """Begin sending ``path`` (``size`` bytes) as the file ``name``; returns the transfer id."""
        if size > MAX_SAVE:
            self.error(f"{fs.url(path)}: {human_size(size)} is more than the {human_size(MAX_SAVE)} a browser "
                       "download may take here; use 'Copy link…' or 'Download' (to the kernel's disk)")
            return None
        ident = next(_ids)
        f = fs.open(path, "rb")  # NotFoundError etc. reach the caller
        self.active[ident] = {"file": f, "sent": 0, "size": size, "url": fs.url(path)}
        self.listing.send({"type": "save-start", "id": ident, "name": name, "size": size})
        return ident

    def _on_msg(self, _widget, content: dict, buffers) -> None:
        kind, ident = content.get("type"), content.get("id")
        t = self.active.get(ident)
        if t is None:
            return
        if kind == "save-cancel":
            self._finish(ident)
            return
        if kind != "save-ack":
            return
        try:
            data = t["file"].read(CHUNK)
        except Exception as e:  # the object went away or changed: say so, keep nothing open
            self._finish(ident)
            self.listing.send({"type": "save-error", "id": ident, "message": str(e)})
            self.error(f"{t['url']}: download stopped: {e}")
            return
        if data:
            t["sent"] += len(data)
            self.listing.send({"type": "save-chunk", "id": ident, "sent": t["sent"], "size": t["size"]}, [data])
        else:
            self._finish(ident)
            self.listing.send({"type": "save-end", "id": ident})
            self.info(f"{t['url']}: {human_size(t['sent'])} sent to your browser's downloads")

    def _finish(self, ident: int) -> None:
        t = self.active.pop(ident, None)
        if t is not None:
            t["file"].close()


class Menu:
    """Wires the listing's menu and shortcuts to ``actions`` (an ActionBar) for ``browser``."""

    def __init__(self, listing: Any, actions: Any, browser: Any):
        self.listing, self.actions, self.browser = listing, actions, browser
        self.saver = BrowserSave(listing, browser.info, browser.error)
        self._index_pager, self._index_len = None, -1
        self._index: dict[str, dict] = {}
        listing.menu = [list(item) for item in MENU]
        listing.observe(self._on_command, "command_serial")

    def refresh(self) -> None:
        """After the selection or location changed: what is disabled (and why), the summary."""
        sel = list(self.browser.selected)
        off = {name: b.tooltip for name, b in self.actions.buttons.items() if b.disabled}
        if len(sel) != 1:
            off["open"] = "Open: select exactly one entry"
            off["save"] = "Download to this computer: select exactly one object"
        elif sel[0].endswith("/"):
            off["save"] = "Download to this computer: select an object, not a folder"
        self.listing.disabled_actions = off
        rows = self._rows()
        chosen = [rows[u] for u in sel if u in rows]
        files = [r for r in chosen if not r["is_dir"]]
        self.listing.selection_note = "" if not sel else (
            f"{len(sel):,} selected" + (f" · {human_size(sum(r['size'] or 0 for r in files))}" if files else ""))

    def _rows(self) -> dict[str, dict]:
        """The loaded rows by URL, rebuilt only when the folder or its row count changed (a
        selection click on a folder of a million rows must not rebuild it)."""
        pager = self.browser._pager
        n = len(pager.rows) if pager else 0
        if pager is not self._index_pager or n != self._index_len:
            self._index_pager, self._index_len = pager, n
            self._index = {r["url"]: r for r in (pager.rows if pager else ())}
        return self._index

    def _on_command(self, _change) -> None:
        name = self.listing.command
        off = self.listing.disabled_actions
        if name == "select_all":
            self.browser.selected = [r["url"] for r in self.browser.rows]
            return
        if name in off:
            self.browser.info(off[name])
            return
        sel = list(self.browser.selected)
        if name == "open":
            self.browser.open_entry(sel[0])
        elif name == "save":
            self.save(sel[0])
        elif name in self.actions.buttons:
            self.actions.buttons[name].click()

    def save(self, url: str) -> int | None:
        """Download the object ``url`` to the user's machine (through the browser)."""
        fs, path = self.browser.resolve(url)
        row = self._rows().get(url)
        size = row["size"] if row and row.get("size") is not None else fs.stat(path).size
        self.browser.info(f"sending {url} ({human_size(size)}) to your browser…")
        return self.saver.start(fs, path, url.rsplit("/", 1)[-1], size)
