"""The listing view: a sortable, virtualized file list (an anywidget ES module, no build step).

The rows live in Python; the front end only ever holds a window of :data:`WINDOW` rows around
what is scrolled into view (``window_start`` is set by the front end as the user scrolls, and
``window`` follows), so a listing of 100,000 keys costs the page no more than one of 200.

All of its state is traitlets, so Python (and headless tests) drive it exactly as the front end
does: the front end sets ``selected``, ``sort_by``/``sort_desc``, ``activated`` (double-click
or Enter on a row; ``".."`` for Backspace), ``window_start``, and bumps ``more_requests`` when the
user scrolls to the end. Rows are rendered as text (``textContent``), never as HTML.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

__all__ = ["ListingView", "WINDOW", "esm"]

_HERE = Path(__file__).parent


def esm(name: str) -> str:
    """A view's ES module: the shared DOM helper (``dom.js``) followed by ``name`` from this folder."""
    return (_HERE / "dom.js").read_text(encoding="utf-8") + (_HERE / name).read_text(encoding="utf-8")

#: rows sent to the front end at a time
WINDOW = 200


class ListingView(anywidget.AnyWidget):
    """The rows of one folder (already sorted and filtered by the browser)."""

    _esm = esm("listing.js")
    _css = _HERE / "listing.css"

    count = traitlets.Int(0).tag(sync=True)
    window_start = traitlets.Int(0).tag(sync=True)
    window = traitlets.List(traitlets.Dict()).tag(sync=True)
    #: bumped when a new listing replaces the old one (the front end scrolls back to the top)
    generation = traitlets.Int(0).tag(sync=True)
    selected = traitlets.List(traitlets.Unicode()).tag(sync=True)
    sort_by = traitlets.Unicode("name").tag(sync=True)
    sort_desc = traitlets.Bool(False).tag(sync=True)
    #: columns that cannot be sorted on this remote, with the reason (capabilities)
    unsortable = traitlets.List(traitlets.Unicode()).tag(sync=True)
    unsortable_why = traitlets.Dict().tag(sync=True)
    activated = traitlets.Unicode("").tag(sync=True)
    more = traitlets.Bool(False).tag(sync=True)
    #: entries in the whole folder (-1 until known), and how many were counted so far
    total = traitlets.Int(-1).tag(sync=True)
    counted = traitlets.Int(0).tag(sync=True)
    #: what the footer says about the order while a sort over the whole folder is loading
    note = traitlets.Unicode("").tag(sync=True)
    loading = traitlets.Bool(False).tag(sync=True)
    more_requests = traitlets.Int(0).tag(sync=True)
    #: the right-click menu ([command, label] pairs), the commands disabled with their reason, and
    #: the last command the front end sent (menu, F2, Delete, Ctrl+A), bumped by ``command_serial``
    menu = traitlets.List().tag(sync=True)
    disabled_actions = traitlets.Dict().tag(sync=True)
    command = traitlets.Unicode("").tag(sync=True)
    command_serial = traitlets.Int(0).tag(sync=True)
    #: "2 selected · 1.2 MiB" for the status bar
    selection_note = traitlets.Unicode("").tag(sync=True)
    clipboard = traitlets.Unicode("").tag(sync=True)
    clipboard_serial = traitlets.Int(0).tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._rows: list[dict] = []

    @property
    def rows(self) -> list[dict]:
        """Every row of the listing, in display order (kept in Python, not in widget state)."""
        return self._rows

    def show(self, rows: list[dict], *, new: bool = True) -> None:
        """Display ``rows``; ``new=False`` when pages were appended to the same listing (the
        scroll position and window stay)."""
        self._rows = rows
        with self.hold_sync():
            self.count = len(rows)
            if new:
                self.generation += 1
                if self.window_start != 0:
                    self.window_start = 0  # refills the window
                    return
            self._fill()

    @traitlets.observe("window_start")
    def _on_window_start(self, change) -> None:
        self._fill()

    def _fill(self) -> None:
        start = max(0, min(self.window_start, max(0, len(self._rows) - 1)))
        self.window = self._rows[start:start + WINDOW]

    def copy_to_clipboard(self, text: str) -> None:
        """Ask the front end to put ``text`` into the system clipboard."""
        self.clipboard = text
        self.clipboard_serial += 1
