"""The folder tree beside the listing: a lazy tree (an anywidget ES module, no build step).

Every folder seen in a listing is a node; the chain from the remote down to the current folder
is open. The twisty of any other folder opens it *without visiting it*: :meth:`TreeView.expand`
lists that folder's sub-folders once (one delimiter ListObjectsV2, the first page) and keeps
them. The front end sets ``value`` (a click on a label: the browser goes there) and bumps
``toggle_serial`` with ``toggle`` (a click on a twisty).
"""

from __future__ import annotations

from typing import Callable

import anywidget
import traitlets

from .listing import esm
from .model import Location

__all__ = ["TreeView"]


class TreeView(anywidget.AnyWidget):
    _esm = esm("tree.js")
    _css = """
.dumont-tree { font-family: var(--jp-ui-font-family, sans-serif); font-size: var(--jp-ui-font-size1, 13px);
  color: var(--jp-ui-font-color1, #222); background: var(--jp-layout-color1, #fff);
  border: 1px solid var(--jp-border-color2, #ccc); overflow: auto; height: 420px; min-width: 150px; }
.dumont-tree .dumont-tree-node { height: 20px; line-height: 20px; white-space: pre; cursor: pointer; }
.dumont-tree .dumont-tree-node:hover { background: var(--jp-layout-color2, #f3f3f3); }
.dumont-tree .dumont-tree-current { background: var(--jp-brand-color3, #cfe3fb); font-weight: 600; }
.dumont-tree .dumont-tree-twisty { display: inline-block; width: 14px; color: var(--jp-ui-font-color2, #777); }
"""

    nodes = traitlets.List(traitlets.Dict()).tag(sync=True)
    value = traitlets.Unicode("").tag(sync=True)
    toggle = traitlets.Unicode("").tag(sync=True)
    toggle_serial = traitlets.Int(0).tag(sync=True)

    def __init__(self, children: dict[str, set[str]], list_folders: Callable[[str], list[str]],
                 error: Callable[[str], None], **kwargs):
        super().__init__(**kwargs)
        self._children = children  # folder URL -> sub-folder URLs (shared with the browser)
        self._list_folders = list_folders
        self._error = error
        self._open: set[str] = set()  # folders opened by their twisty
        self._loc: Location | None = None
        self._listed: set[str] = set()  # folders whose sub-folders were asked for (or listed)

    def show(self, loc: Location) -> None:
        """Draw the tree for the current folder ``loc`` (its chain open)."""
        self._loc = loc
        chain = [a.url for a in loc.ancestors()]
        for parent, child in zip(chain, chain[1:]):
            self._children.setdefault(parent, set()).add(child)
        self._listed.add(loc.url)
        self._draw()

    def expand(self, url: str) -> None:
        """Open (or close) ``url``'s node; the first time, list its sub-folders (one request)."""
        if url in self._open:
            self._open.discard(url)
            self._draw()
            return
        if url not in self._listed:
            try:
                self._children[url] = set(self._list_folders(url))
            except Exception as e:  # the tree stays as it was; the error line says why
                from .feedback import one_line

                self._error(one_line(e, url))
                return
            self._listed.add(url)
        self._open.add(url)
        self._draw()

    def _draw(self) -> None:
        loc = self._loc
        if loc is None:
            return
        chain = [a.url for a in loc.ancestors()]
        root = chain[0]
        nodes = [{"url": root, "label": f"{loc.remote}://", "depth": 0, "open": True, "current": root == loc.url,
                  "leaf": False}]

        def add(url: str, depth: int) -> None:
            for kid in sorted(self._children.get(url, ())):
                is_open = kid in chain or kid in self._open
                known_empty = kid in self._listed and not self._children.get(kid)
                nodes.append({"url": kid, "label": kid.rstrip("/").rsplit("/", 1)[-1], "depth": depth, "open": is_open,
                              "current": kid == loc.url, "leaf": known_empty})
                if is_open:
                    add(kid, depth + 1)

        add(root, 1)
        self.nodes = nodes
        self.value = loc.url

    @traitlets.observe("toggle_serial")
    def _on_toggle(self, _change) -> None:
        if self.toggle:
            self.expand(self.toggle)
