"""The browser's action bar: upload, download, new folder, rename, copy, move, delete, append,
and copy as code; long operations run as background :class:`~.jobs.Job` s with progress and
Cancel. Actions the remote's capabilities forbid are disabled with a tooltip saying why (the
capability table's "why" column).

A composite of its own, given an explicit :class:`ActionContext` (the browser implements it);
the work itself is in :mod:`.ops`.
"""

from __future__ import annotations

import html

import ipywidgets as W

from typing import TYPE_CHECKING, Protocol

from ..formatting import parse_duration, plural
from ..vfs.base import FileSystem
from . import ops
from .feedback import guarded, one_line
from .jobs import Cancelled, Job
from .model import human_size
from .snippets import ENGINES, action_code, snippet

if TYPE_CHECKING:
    from .model import Location

__all__ = ["ActionBar", "ActionContext", "ACTIONS"]

#: action → (label, icon, what it needs: "selection", "one", "bucket" or "")
ACTIONS = {
    "download": ("Download", "download", "selection"),
    "mkdir": ("New folder", "folder", "bucket"),
    "rename": ("Rename", "i-cursor", "one"),
    "copy": ("Copy to…", "copy", "selection"),
    "move": ("Move to…", "arrows-alt", "selection"),
    "delete": ("Delete", "trash", "selection"),
    "append": ("Append…", "plus", "one"),
    "count": ("Count and size", "calculator", "one"),
    "versions": ("Versions", "history", "one"),
    "link": ("Copy link…", "link", "one"),
    "code": ("Copy as code", "code", ""),
}
#: action → the capability it needs (disabled without it) and capabilities it only warns about;
#: ``versioning`` is the bucket's (GetBucketVersioning, no write probe)
NEEDS = {"append": "append", "link": "presign", "versions": "versioning"}
WARNS = {"rename": "atomic_rename", "move": "atomic_rename", "mkdir": "directories"}


class ActionContext(Protocol):
    """What the action bar needs from the browser it serves, and nothing else."""

    #: where the browser is (None before the first listing)
    location: "Location | None"
    #: the selected URLs (a folder's URL ends with ``/``)
    selected: list[str]
    #: the URL shown
    path: str

    def fs(self, remote: str) -> FileSystem: ...
    def resolve(self, url: str) -> tuple[FileSystem, str]: ...
    def refresh(self) -> None: ...
    def info(self, text: str) -> None: ...
    def error(self, text: str) -> None: ...
    def copy_to_clipboard(self, text: str) -> None: ...
    def show_panel(self, panel) -> None: ...


class ActionBar(W.VBox):
    """Action buttons, input form, job line and code box, acting on ``ctx``'s selection."""

    job: Job | None = None
    _then = None
    _job_code = ""
    #: the last delete confirmation's text ("N objects (size) in URLs")
    delete_summary: str = ""

    def __init__(self, ctx: ActionContext, **kwargs):
        super().__init__(**kwargs)
        self.ctx = ctx
        self._build()
        self.children = [self._action_bar, self._form, self._job_bar, self._code]

    @property
    def path(self) -> str:  # for @guarded: errors name where the browser is
        return self.ctx.path

    def error(self, text: str) -> None:  # for @guarded
        self.ctx.error(text)

    def _build(self) -> None:
        self.buttons: dict[str, W.Button] = {}
        for name, (label, icon, _) in ACTIONS.items():
            b = W.Button(description=label, icon=icon, layout=W.Layout(width="auto"))
            b.on_click(lambda _, n=name: self._begin(n))
            self.buttons[name] = b
        self.buttons["delete"].button_style = "danger"
        self._upload = W.FileUpload(multiple=True, description="Upload", layout=W.Layout(width="auto"))
        self._upload.observe(self._on_upload, "value")
        self._action_bar = W.HBox([self._upload, *self.buttons.values()], layout=W.Layout(flex_flow="row wrap"))

        self._form_prompt = W.HTML("")
        self._form_text = W.Text(layout=W.Layout(flex="1 1 auto", width="auto"))
        self._form_ok = W.Button(description="OK", button_style="primary")
        self._form_cancel = W.Button(description="Cancel")
        self._form_action = ""
        self._form_plan: list[ops.Item] = []
        self._form_ok.on_click(lambda _: self._confirm())
        self._form_cancel.on_click(lambda _: self._close_form())
        self._form = W.VBox([self._form_prompt, W.HBox([self._form_text, self._form_ok, self._form_cancel])])
        self._form.layout.display = "none"

        self._job_label = W.Label("")
        self._job_progress = W.FloatProgress(value=0.0, min=0.0, max=1.0, layout=W.Layout(width="240px"))
        self._job_cancel = W.Button(description="Cancel", icon="stop", button_style="warning")
        self._job_cancel.on_click(lambda _: self.cancel())
        self._job_bar = W.HBox([self._job_label, self._job_progress, self._job_cancel])
        self._job_bar.layout.display = "none"

        self._code_style = W.ToggleButtons(options=[("Python", "python"), ("%dumont", "magic")], value="python")
        self._code_engine = W.Dropdown(options=list(ENGINES), value="pandas", description="engine",
                                       layout=W.Layout(width="200px"))
        self._code_text = W.Textarea(layout=W.Layout(width="100%", height="130px"))
        self._code = W.VBox([W.HBox([self._code_style, self._code_engine]), self._code_text])
        self._code.layout.display = "none"
        self._code_style.observe(lambda _: self._show_code(), "value")
        self._code_engine.observe(lambda _: self._show_code(), "value")

    # -- enabling -------------------------------------------------------------------------
    def update(self) -> None:
        """Enable or disable each action for the location, selection and capabilities."""
        loc = self.ctx.location
        if loc is None:
            return
        fs = self.ctx.fs(loc.remote)
        caps = fs.capabilities
        if loc.bucket is not None and len(self.ctx.selected) == 1:
            try:
                caps = fs.bucket_capabilities(loc.bucket, probe_writes=False)
            except Exception:  # unknown for this bucket: the per-bucket actions stay disabled
                pass
        why = caps.why
        n = len(self.ctx.selected)
        for name, (label, _, need) in ACTIONS.items():
            enabled, tip = True, label
            if need == "bucket" and loc.bucket is None:
                enabled, tip = False, f"{label}: open a bucket first"
            elif need == "one" and n != 1:
                enabled, tip = False, f"{label}: select exactly one entry"
            elif need == "selection" and n == 0:
                enabled, tip = False, f"{label}: select entries first"
            elif name in ("append", "versions", "link") and self.ctx.selected[0].endswith("/"):
                enabled, tip = False, f"{label}: select an object, not a folder"
            elif name == "count" and not self.ctx.selected[0].endswith("/"):
                enabled, tip = False, f"{label}: select a folder"
            cap = NEEDS.get(name)
            if cap and not getattr(caps, cap) and enabled:
                enabled, tip = False, f"{label} is not available on {loc.remote}: {why.get(cap, 'unknown here')}"
            warn = WARNS.get(name)
            if warn and not getattr(caps, warn) and enabled:
                tip = f"{label} (note: {why[warn]})"
            b = self.buttons[name]
            b.disabled, b.tooltip = not enabled, tip
            if name == "delete":  # red only when it would act
                b.button_style = "danger" if enabled else ""
        self._upload.disabled = loc.bucket is None
        self._upload.tooltip = "Upload: open a bucket first" if loc.bucket is None else f"Upload files into {loc.url}"

    # -- the form -------------------------------------------------------------------------
    def _ask(self, action: str, prompt: str, default: str = "", *, ok: str = "OK", field: bool = True) -> None:
        self._form_action = action
        self._form_prompt.value = prompt  # callers escape store-provided parts
        self._form_text.value = default
        self._form_text.layout.display = None if field else "none"
        self._form_ok.description = ok
        self._form_ok.button_style = "danger" if action == "delete" else "primary"
        self._form.layout.display = None

    def _close_form(self) -> None:
        self._form_action = ""
        self._form_plan = []
        self._form.layout.display = "none"

    @guarded
    def _begin(self, action: str) -> None:
        """Clicking an action button: ask for what the action needs (or act at once)."""
        esc = html.escape
        sel = list(self.ctx.selected)
        if action == "code":
            self._show_code()
        elif action == "mkdir":
            self._ask("mkdir", f"New folder in <code>{esc(self.path)}</code>:", "", ok="Create")
        elif action == "rename":
            name = sel[0].rstrip("/").rsplit("/", 1)[-1]
            self._ask("rename", f"Rename <code>{esc(sel[0])}</code> to:", name, ok="Rename")
        elif action in ("copy", "move"):
            what = esc(sel[0]) if len(sel) == 1 else plural(len(sel), "entry", "entries")
            self._ask(action, f"{action.title()} {what} into the folder (any remote):", self.path, ok=action.title())
        elif action == "download":
            self._ask("download", f"Download {plural(len(sel), 'selected entry', 'selected entries')} to this local folder "
                      "(kernel side):", ".", ok="Download")
        elif action == "append":
            self._ask("append", f"Append a line to <code>{esc(sel[0])}</code>:", "", ok="Append")
        elif action == "link":
            self._ask("link", f"A link to <code>{esc(sel[0])}</code> that anyone can open, valid for "
                      "(30m, 1h, 7d at most):", "1h", ok="Copy link")
        elif action == "count":
            fs, path = self.ctx.resolve(sel[0])
            self._start(f"counting {sel[0]}", lambda job: ops.count(job, fs, path, sel[0]), then=lambda text: text)
        elif action == "versions":
            from .versions import VersionsPanel

            fs, path = self.ctx.resolve(sel[0])
            self.ctx.show_panel(VersionsPanel(fs, path, sel[0], self.ctx.info))
        elif action == "delete":
            # counting a big prefix takes one request per 1,000 keys: do it in the background
            def confirm(items: list[ops.Item]) -> str:
                text = ops.describe(items, sel)
                self.delete_summary = text
                self._ask("delete", f"<b>Delete {esc(text)}?</b> This cannot be undone.", ok="Delete", field=False)
                self._form_plan = items
                return f"confirm: delete {text}"

            self._start(f"counting {len(sel)} selected", lambda job: ops.plan(self.ctx.resolve, sel, job), then=confirm)

    @guarded
    def _confirm(self) -> None:
        action, value, sel = self._form_action, self._form_text.value.strip(), list(self.ctx.selected)
        plan = self._form_plan
        if not action:
            return
        self._close_form()
        loc = self.ctx.location
        assert loc is not None
        if action == "mkdir":
            if not value or "/" in value.strip("/"):
                raise ValueError(f"{value!r}: a folder name must be non-empty and contain no '/'")
            target = loc.child(value)
            self.ctx.fs(loc.remote).mkdir(target.path)
            self.ctx.refresh()
            self.ctx.info(f"created {target.url}")
            self._show_action_code(action_code("mkdir", [], loc.url, value))
        elif action == "rename":
            if not value or "/" in value.strip("/"):
                raise ValueError(f"{value!r}: a new name must be non-empty and contain no '/'")
            fs, src = self.ctx.resolve(sel[0])  # a folder keeps its "/": never the same-named object
            folder = "/" if src.endswith("/") else ""
            dst = f"{src.rstrip('/').rpartition('/')[0]}/{value.strip('/')}{folder}"
            self._start(f"rename {sel[0]}", lambda job: fs.rename(src, dst) or f"renamed to {fs.url(dst)}",
                        code=action_code("rename", sel, value.strip("/")))
        elif action in ("copy", "move"):
            dst_fs, _ = self.ctx.resolve(value if value.endswith("/") else value + "/")
            dst_dir = ops.destination(value).rstrip("/")
            move = action == "move"

            def run(job: Job) -> str:
                n = ops.copy_items(job, ops.plan(self.ctx.resolve, sel, job), dst_fs, dst_dir, move=move)
                return f"{'moved' if move else 'copied'} {plural(n, 'object')} to {dst_fs.url(dst_dir)}/"

            self._start(f"{action} {len(sel)} selected", run, code=action_code(action, sel, dst_fs.url(dst_dir.rstrip("/")) + "/"))
        elif action == "download":
            def run(job: Job) -> str:
                n, skipped = ops.download(job, ops.plan(self.ctx.resolve, sel, job), value or ".")
                extra = f"; skipped {len(skipped)} unsafe keys: {', '.join(skipped[:3])}" if skipped else ""
                return f"downloaded {n} files to {value}{extra}"

            self._start(f"download {len(sel)} selected", run, code=action_code("download", sel, value or "."))
        elif action == "append":
            fs, path = self.ctx.resolve(sel[0])
            with fs.open(path, "ab") as f:
                f.write((value + "\n").encode("utf-8"))
            self.ctx.refresh()
            self.ctx.info(f"appended a line to {sel[0]}")
            self._show_action_code(action_code("append", sel, text=value))
        elif action == "link":
            fs, path = self.ctx.resolve(sel[0])
            link = fs.presign(path, expires=parse_duration(value or "1h"))
            self._code_text.value = f"# a link to {sel[0]}, valid for {value or '1h'} (it carries no secret)\n{link}"
            self._code.layout.display = None
            self.ctx.copy_to_clipboard(link)
            self.ctx.info(f"link to {sel[0]} copied (valid for {value or '1h'})")
        elif action == "delete":
            def run(job: Job) -> str:
                n = ops.delete_items(job, plan)
                return f"deleted {n} {'object' if n == 1 else 'objects'}"

            count = sum(1 for i in plan if not i.marker)
            self._start(f"delete {count} {'object' if count == 1 else 'objects'}", run, code=action_code("delete", sel))

    # -- upload ---------------------------------------------------------------------------
    @guarded
    def _on_upload(self, change) -> None:
        files = [(f["name"], bytes(f["content"])) for f in change["new"]]
        if not files or self.ctx.location is None:
            return
        loc = self.ctx.location
        fs = self.ctx.fs(loc.remote)
        self._upload.value = ()  # never keep file bytes in widget state
        self._start(f"upload {plural(len(files), 'file')}",
                    lambda job: f"uploaded {plural(ops.upload(job, files, fs, loc.path), 'file')} to {loc.url}",
                    code=action_code("upload", [], loc.url, "\n".join(name for name, _ in files)))

    # -- jobs -----------------------------------------------------------------------------
    def _start(self, title: str, fn, *, then=None, code: str = "") -> Job | None:
        """Run ``fn(job)`` in the background; on success ``then(result)`` (if given) returns the
        status text, else the result is shown, and ``code`` (what the action does, as Python)
        goes into the code box."""
        if self.job is not None and self.job.running:
            self.ctx.error(f"busy with {self.job.title}; wait for it or press Cancel")
            return None
        self._then, self._job_code = then, code
        self.job = Job(title, fn, on_progress=self._on_progress, on_done=self._on_done)
        self._job_label.value = title
        self._job_progress.value = 0.0
        self._job_cancel.disabled = False
        self._job_bar.layout.display = None
        self.ctx.info(f"{title}…")
        return self.job.start()

    def _on_progress(self, job: Job) -> None:
        self._job_progress.value = job.fraction
        if job.total:
            self._job_label.value = f"{job.title}: {human_size(job.done_bytes)} of {human_size(job.total)}"
        elif job.total_items:
            self._job_label.value = f"{job.title}: {job.items} of {job.total_items}"

    def _on_done(self, job: Job) -> None:
        self._job_cancel.disabled = True
        self._job_bar.layout.display = "none"
        then, self._then = self._then, None
        if self.ctx.location is not None and then is None:
            self.ctx.refresh()
        if job.error is None and then is not None:
            try:
                job.result = then(job.result)
            except Exception as e:
                job.error = e
        if isinstance(job.error, Cancelled):
            self.ctx.error(f"{job.title}: cancelled; the object in progress was not written")
        elif job.error is not None:
            self.ctx.error(one_line(job.error, self.path))
        else:
            self.ctx.info(str(job.result))
            if self._job_code:
                self._show_action_code(self._job_code)

    def cancel(self) -> None:
        """Cancel the running job (the object being written is discarded)."""
        if self.job is not None:
            self.job.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the running job (if any) ends; returns False on timeout."""
        return True if self.job is None else self.job.wait(timeout)

    # -- copy as code ---------------------------------------------------------------------
    def _show_action_code(self, code: str) -> None:
        """Every action becomes code: show the Python that does what the action just did."""
        self._code_text.value = "# what the last action did, as code\n" + code
        self._code.layout.display = None

    def _show_code(self) -> None:
        self._code_engine.disabled = self._code_style.value != "python"
        code = snippet(self.ctx.path, list(self.ctx.selected), style=self._code_style.value,
                       engine=self._code_engine.value)
        self._code_text.value = code
        self._code.layout.display = None
        self.ctx.copy_to_clipboard(code)
        self.ctx.info("code copied to the clipboard (and shown below)")
