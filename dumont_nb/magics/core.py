"""The ``%dumont`` / ``%%dumont`` magic: parse a line, call a plain function, show the result.

No file-system logic lives here (that is :mod:`dumont_nb.magics.commands`). Every error a
command raises on purpose (dumont's errors and the builtin ``OSError`` family, plus any
botocore error that escaped translation) becomes IPython's ``UsageError``: one line, no
traceback, with credential values of the active config blanked out.
"""

from __future__ import annotations

import builtins
import shlex
from typing import Any

from IPython.core.error import StdinNotImplementedError, UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class

from ..errors import DumontError
from ..formatting import format_error
from ..vfs import registry
from . import commands
from .parser import SUBCOMMANDS, HelpShown, build_parser, subparser

__all__ = ["DumontMagics", "one_line"]


def _expected_errors() -> tuple[type[BaseException], ...]:
    errors: tuple[type[BaseException], ...] = (DumontError, OSError)
    try:
        from botocore.exceptions import BotoCoreError, ClientError

        errors += (BotoCoreError, ClientError)
    except ImportError:  # pragma: no cover - botocore comes with s3fs
        pass
    return errors


def one_line(exc: BaseException) -> str:
    """The message of ``exc`` as one line (:func:`dumont_nb.formatting.format_error`), never
    showing a secret value of the active config."""
    return format_error(exc, secrets=registry.active_secrets())


def _confirm(plan: commands.RemovalPlan) -> bool:
    """Ask before a recursive delete; no usable stdin means no."""
    try:
        answer = builtins.input(f"delete {plan}? [y/N] ")
    except (EOFError, OSError, StdinNotImplementedError):
        return False
    return answer.strip().lower() in ("y", "yes")


def _print_text(text: str) -> None:
    print(text, end="" if text.endswith("\n") or not text else "\n")


@magics_class
class DumontMagics(Magics):
    """``%dumont COMMAND ...`` and ``%%dumont put URL``; see ``%dumont help``."""

    def __init__(self, shell=None, **kwargs):
        super().__init__(shell=shell, **kwargs)
        self.parser = build_parser()
        self._errors = _expected_errors()

    @line_cell_magic
    def dumont(self, line: str, cell: str | None = None) -> Any:
        """Object stores as a file system: ``%dumont ls r2://bucket/prefix``; ``%dumont help``."""
        try:
            argv = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"%dumont: cannot split the line ({exc}); close the quote or escape it") from None
        if not argv:
            return self._help(None)
        try:
            args = self.parser.parse_args(argv)
        except HelpShown:
            return None
        if cell is not None and args.command != "put":
            raise UsageError(f"%%dumont {args.command}: the cell form only takes `put URL`; use %dumont {args.command} ...")
        if args.command == "put" and cell is None:
            raise UsageError("%dumont put: writes a cell body; start a cell with `%%dumont put URL` and the text below it")
        try:
            return getattr(self, "_" + args.command)(args, cell)
        except UsageError:
            raise
        except self._errors as exc:
            raise UsageError(one_line(exc)) from None

    # -- one method per sub-command: call the plain function, show its result -------------
    def _ls(self, a, cell):
        return commands.ls(a.url, recursive=a.recursive, long=a.long)

    def _stat(self, a, cell):
        return commands.stat(a.url)

    def _du(self, a, cell):
        return commands.du(a.url, depth=a.depth)

    def _find(self, a, cell):
        return commands.find(a.url, glob=a.glob)

    def _cat(self, a, cell):
        _print_text(commands.cat(a.url))

    def _head(self, a, cell):
        _print_text(commands.head(a.url, a.lines))

    def _cp(self, a, cell):
        summary = commands.cp(a.src, a.dst, recursive=a.recursive)
        files, size = getattr(summary, "files", None), getattr(summary, "bytes", None)
        done = f": {files} file(s), {commands.human_size(size)}" if files is not None and size is not None else ""
        print(f"copied {a.src} → {a.dst}{done}")
        for what, why in getattr(summary, "skipped", ()):
            print(f"skipped {what}: {why}")
        failed = list(getattr(summary, "failed", ()))
        if failed:
            what, why = failed[0]
            raise UsageError(one_line(RuntimeError(f"cp: {len(failed)} transfer(s) failed, e.g. {what}: {why}")))

    def _mv(self, a, cell):
        dst = commands.mv(a.src, a.dst)
        print(f"moved {a.src} → {dst}")

    def _rm(self, a, cell):
        try:
            count = commands.rm(a.url, recursive=a.recursive, yes=a.yes, confirm=_confirm)
        except commands.NotConfirmedError as exc:
            print(one_line(exc))
            return None
        print(f"deleted {count} object(s) at {a.url}")

    def _mkdir(self, a, cell):
        print(f"created {commands.mkdir(a.url, parents=a.parents)}")

    def _put(self, a, cell):
        try:
            n = commands.put(a.url, cell, encoding=a.encoding)
        except LookupError:
            raise UsageError(f"%%dumont put: unknown encoding {a.encoding!r}; use e.g. utf-8 or latin-1") from None
        print(f"wrote {n} bytes to {a.url}")

    def _remotes(self, a, cell):
        return commands.remotes()

    def _caps(self, a, cell):
        return commands.caps(a.remote)

    def _config(self, a, cell):
        cfg = commands.config(a.path)
        where = str(cfg.path) if cfg.path else "no config file (create one, or `%dumont config PATH`)"
        names = ", ".join(sorted(cfg.remotes)) or "none"
        print(f"{'using' if a.path else 'config:'} {where}; remotes: {names}")

    def _browse(self, a, cell):
        return commands.browse(a.url)

    def _help(self, a, cell=None):
        topic = getattr(a, "topic", None)
        if topic:
            subparser(self.parser, topic).print_help()
            return None
        print(overview())
        return None


def overview() -> str:
    """The list of sub-commands (``%dumont help``, and ``%dumont?``)."""
    width = max(map(len, SUBCOMMANDS))
    lines = ["%dumont COMMAND [options]   (URLs are <remote>://<bucket>/<key>)", ""]
    lines += [f"  {name:<{width}}  {text}" for name, text in SUBCOMMANDS.items()]
    lines += ["", "%dumont COMMAND --help shows the options of one command."]
    return "\n".join(lines)


DumontMagics.dumont.__doc__ = overview()
