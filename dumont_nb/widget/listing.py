"""The listing view: a sortable, virtualized file list (an anywidget ES module, no build step).

All of its state is traitlets, so Python (and headless tests) drive it exactly as the front end
does: the front end sets ``selected``, ``sort_by``/``sort_desc``, ``activated`` (double-click
or Enter on a row; ``".."`` for Backspace) and bumps ``more_requests`` when the user scrolls to
the end. Rows are rendered as text (``textContent``), never as HTML.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

__all__ = ["ListingView"]

_HERE = Path(__file__).parent


class ListingView(anywidget.AnyWidget):
    """The rows of one folder (already sorted and filtered by the browser)."""

    _esm = _HERE / "listing.js"
    _css = _HERE / "listing.css"

    rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    selected = traitlets.List(traitlets.Unicode()).tag(sync=True)
    sort_by = traitlets.Unicode("name").tag(sync=True)
    sort_desc = traitlets.Bool(False).tag(sync=True)
    #: columns that cannot be sorted on this remote, with the reason (capabilities)
    unsortable = traitlets.List(traitlets.Unicode()).tag(sync=True)
    unsortable_why = traitlets.Dict().tag(sync=True)
    activated = traitlets.Unicode("").tag(sync=True)
    more = traitlets.Bool(False).tag(sync=True)
    loading = traitlets.Bool(False).tag(sync=True)
    more_requests = traitlets.Int(0).tag(sync=True)
    clipboard = traitlets.Unicode("").tag(sync=True)
    clipboard_serial = traitlets.Int(0).tag(sync=True)

    def copy_to_clipboard(self, text: str) -> None:
        """Ask the front end to put ``text`` into the system clipboard."""
        self.clipboard = text
        self.clipboard_serial += 1
