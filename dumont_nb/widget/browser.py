"""The bucket browser: a composite ipywidgets ``VBox`` over the vfs layer.

Layout (top to bottom): a navigation bar (remote, up, refresh, location, bookmarks),
breadcrumbs, then the folder tree, the listing and the preview side by side, the action bar
(see :mod:`.actions`), a job line (progress + Cancel) and one status line where errors show.

State lives in traitlets: ``path`` (the ``remote://bucket/prefix/`` shown; set it to navigate),
``selected`` (the chosen URLs), ``value`` (the selected URL, or ``path`` when nothing is
selected; works with ``ipywidgets.interact``) and ``message`` (the status line's text).
Nothing that comes from the store is rendered as HTML without ``html.escape``, and no
credential ever enters widget state: the browser only holds remote names and URLs.
"""

from __future__ import annotations

import html
from typing import Callable

import ipywidgets as W
import traitlets

from ..config import Config
from ..formatting import plural
from ..urls import parse_url
from ..vfs.base import FileSystem
from .actions import ActionBar
from .bookmarks import BookmarkActions
from .feedback import guarded
from .listing import ListingView
from .model import Location, Pager, compile_filter, info_of, sort_rows
from .preview import capabilities_html, make_preview, render_preview
from .remotes import Remotes
from .menu import Menu
from .totals import BigFolder
from .tree import TreeView

__all__ = ["Browser"]


class Browser(BookmarkActions, W.VBox, W.ValueWidget):
    """Explore and manage the remotes of a config. Create it with :func:`dumont_nb.browse`."""

    path = traitlets.Unicode("").tag(sync=True)
    selected = traitlets.List(traitlets.Unicode())
    value = traitlets.Unicode("")
    message = traitlets.Unicode("")

    def __init__(self, url: str | None = None, *, fs: FileSystem | None = None, config: Config | None = None,
                 page_size: int = 1000, **kwargs):
        super().__init__(**kwargs)
        self._remotes = Remotes(fs=fs, config=config)
        self._page_size = page_size
        self._loc: Location | None = None
        self._pager: Pager | None = None
        self._children: dict[str, set[str]] = {}
        self._syncing = False
        remotes = self._remotes.names
        self.add_class("dumont-browser")

        # navigation bar
        self._remote = W.Dropdown(options=remotes, description="", layout=W.Layout(width="120px"))
        self._up = W.Button(icon="arrow-up", tooltip="up one folder", layout=W.Layout(width="36px"))
        self._refresh = W.Button(icon="refresh", tooltip="refresh", layout=W.Layout(width="36px"))
        self._location = W.Text(placeholder="remote://bucket/prefix/", continuous_update=False, layout=W.Layout(flex="1 1 auto", width="auto"))
        self._bookmarks = W.Dropdown(options=[("bookmarks…", "")], layout=W.Layout(width="200px"))
        self._bookmark_add = W.Button(icon="star", tooltip="bookmark this folder", layout=W.Layout(width="36px"))
        self._bookmark_del = W.Button(icon="trash", tooltip="remove the chosen bookmark", layout=W.Layout(width="36px"))
        self._caps = W.Button(icon="info-circle", tooltip="what this remote can do (capabilities)", layout=W.Layout(width="36px"))
        self._crumbs = W.HBox(layout=W.Layout(flex_flow="row wrap"))

        # tree | listing | preview
        self._tree = TreeView(self._children, self._subfolders, self.error, layout=W.Layout(width="22%", min_width="160px"))
        self._filter = W.Text(placeholder="filter names: *.csv or a regex", layout=W.Layout(width="auto"))
        self.listing = ListingView()
        self._more = W.Button(description="Load more", icon="chevron-down", tooltip="fetch the next page (1 request)")
        self._preview = W.VBox(layout=W.Layout(width="32%", min_width="200px", overflow="auto", display="none"))
        # the preview takes room only when it shows something: the listing gets the full width otherwise
        self._preview.observe(lambda c: setattr(self._preview.layout, "display", None if c["new"] else "none"), "children")
        self._status = W.HTML("")
        main = W.HBox(
            [self._tree, W.VBox([self._filter, self.listing, self._more], layout=W.Layout(flex="1 1 auto")), self._preview],
            layout=W.Layout(width="100%"),
        )
        nav = W.HBox([self._remote, self._up, self._refresh, self._location, self._bookmarks, self._bookmark_add, self._bookmark_del, self._caps])
        self.actions = ActionBar(self)  # the action bar, its form, job line and code box
        self.children = [nav, self._crumbs, main, self.actions, self._status]

        # wiring
        self._remote.observe(self._on_remote, "value")
        self._up.on_click(lambda _: self.up())
        self._refresh.on_click(lambda _: self.refresh())
        self._location.observe(self._on_location, "value")
        self._bookmarks.observe(self._on_bookmark, "value")
        self._bookmark_add.on_click(lambda _: self._add_bookmark())
        self._bookmark_del.on_click(lambda _: self._remove_bookmark())
        self._caps.on_click(lambda _: self.show_capabilities())
        self._tree.observe(self._on_tree, "value")
        self._filter.observe(lambda c: self._big.sort_changed("filter") if c["new"] else self._render(), "value")
        self._menu = Menu(self.listing, self.actions, self)
        self._big = BigFolder(self.listing, lambda: self._render(new=False), self.error, self.info)
        self.listing.observe(lambda _: self._big.sort_changed(), ["sort_by", "sort_desc"])
        self.listing.observe(self._on_activated, "activated")
        self.listing.observe(self._on_more_request, "more_requests")
        self.listing.observe(self._on_listing_selected, "selected")
        self._more.on_click(lambda _: self.load_more())

        self._load_bookmarks()
        start = url or (f"{remotes[0]}://" if remotes else "")
        if start:
            self._go_url(start)
        else:
            self.error("no remotes configured; add one to your config file (see dumont_nb.load_config)")

    # -- public API -----------------------------------------------------------------------
    def go(self, url: str) -> None:
        """Navigate to a folder URL (``remote://``, ``remote://bucket/prefix/``); errors show inline."""
        self._go_url(url)

    def up(self) -> None:
        """Go to the parent folder."""
        if self._loc is not None:
            self._go(self._loc.parent())

    def refresh(self) -> None:
        """List the current folder again (first page only)."""
        if self._loc is not None:
            self._go(self._loc, keep_selection=True)

    @guarded
    def load_more(self) -> int:
        """Fetch the next listing page (one ListObjectsV2 request); returns the new row count."""
        if self._pager is None or self._pager.done or self._big.loading:  # (a sort loads it all already)
            return 0
        self.listing.loading = True
        try:
            new = self._pager.more()
        finally:
            self.listing.loading = False
        self._learn(self._pager.location, new)
        self._render(new=False)
        return len(new)

    def open_entry(self, url: str) -> None:
        """Open a folder (navigate) or select and preview an object."""
        if url.endswith("/") or url.endswith("://"):
            self._go_url(url)
        else:
            self.selected = [url]

    def on_select(self, callback: Callable[[list[str]], None]) -> None:
        """Call ``callback(selected_urls)`` whenever the selection changes."""
        self.observe(lambda change: callback(list(change["new"])), "selected")

    def on_navigate(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(path_url)`` after every navigation."""
        self.observe(lambda change: callback(change["new"]), "path")

    @property
    def rows(self) -> list[dict]:
        """The rows as shown (filtered and sorted)."""
        return list(self.listing.rows)

    @property
    def location(self) -> Location | None:
        return self._loc

    # -- navigation -----------------------------------------------------------------------
    @traitlets.observe("path")
    def _on_path(self, change) -> None:
        if self._syncing or not change["new"]:
            return
        if self._loc is None or change["new"] != self._loc.url:
            self._go_url(change["new"], revert=change["old"])

    @guarded
    def _go_url(self, url: str, revert: str | None = None) -> None:
        try:
            loc = Location.parse(url.strip())
        except Exception:
            if revert is not None:
                self._set_path(revert)
            raise
        self._go(loc, revert=revert)

    def fs(self, remote: str) -> FileSystem:
        """The file system of ``remote`` (the injected one, or the config's remote)."""
        return self._remotes.fs(remote)


    # -- the action bar's context (see actions.ActionContext) -----------------------------------
    @property
    def buttons(self) -> dict:
        return self.actions.buttons

    @property
    def job(self):
        return self.actions.job

    @property
    def delete_summary(self) -> str:
        return self.actions.delete_summary

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the running job (if any) ends; returns False on timeout."""
        return self.actions.wait(timeout)

    def cancel(self) -> None:
        """Cancel the running job (the object being written is discarded)."""
        self.actions.cancel()

    def copy_to_clipboard(self, text: str) -> None:
        self.listing.copy_to_clipboard(text)

    def show_panel(self, panel) -> None:
        """Show a panel (e.g. an object's versions) in the preview pane."""
        self._preview.children = [panel]

    def _update_actions(self) -> None:
        self.actions.update()
        self._menu.refresh()
        if self._loc is not None:
            caps = self.fs(self._loc.remote).capabilities
            self.listing.unsortable = [] if caps.mtime else ["mtime"]
            self.listing.unsortable_why = {} if caps.mtime else {"mtime": caps.why["mtime"]}

    def resolve(self, url: str) -> tuple[FileSystem, str]:
        """``remote://bucket/key`` → ``(filesystem, "bucket/key")`` on this browser's config."""
        loc = Location.parse(url) if url.endswith("/") else None
        if loc is not None:
            return self.fs(loc.remote), loc.path + "/"
        parsed = parse_url(url)
        return self.fs(parsed.remote), parsed.path

    @guarded
    def _go(self, loc: Location, *, keep_selection: bool = False, revert: str | None = None) -> None:
        try:
            fs = self.fs(loc.remote)
            self.listing.loading = True
            if loc.bucket is None:
                pager = Pager(fs, loc, self._page_size, rows=self._remotes.bucket_rows(fs, loc.remote), done=True)
                new = pager.rows
            else:
                pager = Pager(fs, loc, self._page_size)
                new = pager.more()
        except Exception:
            if revert is not None:
                self._set_path(revert)
            if self._loc is not None:
                self._set_path(self._loc.url)
                self._update_nav()  # the remote picker, tree and location box show where we still are
            raise
        finally:
            self.listing.loading = False
        self._loc, self._pager = loc, pager
        self._big.opened(fs, pager)
        self._learn(loc, new)
        self._filter.value = "" if not keep_selection else self._filter.value
        self._render()
        present = {r["url"] for r in pager.rows} if keep_selection else set()
        kept = [u for u in self.listing.selected if u in present]  # drop what a job removed
        if kept != list(self.listing.selected):
            self.listing.selected = kept
        self._set_path(loc.url)
        self._update_nav()
        self._update_actions()
        self.info(f"{loc.url}: {plural(len(new), 'entry', 'entries')}" + (" (more on demand)" if not pager.done else ""))

    def _set_path(self, url: str) -> None:
        self._syncing = True
        try:
            self.path = url
            self._location.value = url
        finally:
            self._syncing = False

    def _learn(self, loc: Location, rows: list[dict]) -> None:
        """Remember sub-folders seen in listings (the tree is drawn from them: no extra requests)."""
        kids = self._children.setdefault(loc.url, set())
        kids.update(r["url"] for r in rows if r["is_dir"])

    def _render(self, new: bool = True) -> None:
        """Filter and sort the loaded rows into the listing (``new=False``: pages were appended)."""
        if self._pager is None:
            return
        try:
            match = compile_filter(self._filter.value)
        except ValueError as e:
            self.error(str(e))
            return
        rows = [r for r in self._pager.rows if match(r["name"])]
        self.listing.show(sort_rows(rows, self.listing.sort_by, self.listing.sort_desc), new=new)
        self.listing.more = not self._pager.done
        self._more.disabled = self._pager.done
        self._more.layout.display = "none" if self._pager.done else None
        if self._filter.value and not self._pager.done:
            self.info(f"filter matches {len(rows):,} of the {plural(len(self._pager.rows), 'entry', 'entries')} loaded so far"
                      + ("; loading the rest to search the whole folder" if self._big.loading else "; load more to search further"))

    def _update_nav(self) -> None:
        loc = self._loc
        assert loc is not None
        self._syncing = True
        try:
            if self._remote.value != loc.remote:
                self._remote.value = loc.remote
            crumbs = []
            for label, target in loc.crumbs():
                b = W.Button(description=label, tooltip=target.url, layout=W.Layout(width="auto"))
                b.on_click(lambda _, t=target: self._go(t))
                crumbs.append(b)
            self._crumbs.children = crumbs
            self._up.disabled = loc.bucket is None
            self._tree.show(loc)
        finally:
            self._syncing = False

    def _on_location(self, change) -> None:
        if not self._syncing and change["new"] and (self._loc is None or change["new"] != self._loc.url):
            self._go_url(change["new"])

    def _on_remote(self, change) -> None:
        if not self._syncing and change["new"]:
            self._go_url(f"{change['new']}://")

    def _subfolders(self, url: str) -> list[str]:  # the tree opens a folder not visited: one page
        loc = Location.parse(url)
        fs = self.fs(loc.remote)
        rows = self._remotes.bucket_rows(fs, loc.remote) if loc.bucket is None else Pager(fs, loc, self._page_size).more()
        return [r["url"] for r in rows if r["is_dir"]]

    def _on_tree(self, change) -> None:
        if not self._syncing and change["new"] and (self._loc is None or change["new"] != self._loc.url):
            self._go_url(change["new"])

    def _on_activated(self, change) -> None:
        url = change["new"]
        if not url:
            return
        self.listing.activated = ""
        if url == "..":
            self.up()
        else:
            self.open_entry(url)

    def _on_more_request(self, change) -> None:
        self.load_more()

    # -- selection and preview ------------------------------------------------------------
    def _on_listing_selected(self, change) -> None:
        if list(self.selected) != list(change["new"]):
            self.selected = list(change["new"])

    @traitlets.observe("selected")
    def _on_selected(self, change) -> None:
        urls = list(change["new"])
        if list(self.listing.selected) != urls:
            self.listing.selected = urls
        self.value = urls[0] if urls else self.path
        self._update_actions()
        if len(urls) == 1:
            self._show_preview(urls[0])
        else:
            self._preview.children = []

    @traitlets.observe("path")
    def _value_follows_path(self, change) -> None:
        if not self.selected:
            self.value = change["new"]

    @guarded
    def _show_preview(self, url: str) -> None:
        row = next((r for r in self._pager.rows if r["url"] == url), None) if self._pager else None
        fs, path = self.resolve(url)
        info = fs.stat(path.rstrip("/")) if row is None else info_of(row, path.rstrip("/"))
        self._preview.children = [render_preview(make_preview(fs, info))]

    @guarded
    def show_capabilities(self) -> None:
        """Show the current remote's capability table (value and why) in the preview pane."""
        if self._loc is not None:
            self._preview.children = [capabilities_html(self._loc.remote, self.fs(self._loc.remote).capabilities)]

    # -- bookmarks ------------------------------------------------------------------------
    @guarded
    # -- status line ----------------------------------------------------------------------
    def error(self, text: str) -> None:
        """Show ``text`` as the status line's error (and in ``message``)."""
        self.message = text
        self._status.value = f"<span style='color:#b00020'>⚠ {html.escape(text)}</span>"

    def info(self, text: str) -> None:
        """Show ``text`` in the status line (and in ``message``)."""
        self.message = text
        self._status.value = f"<span style='color:#555'>{html.escape(text)}</span>"
