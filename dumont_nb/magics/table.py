"""The ``%dumont`` sub-commands, declared once: name, summary, arguments, what Tab completes, and
the renderer that calls the plain function (:mod:`.commands`) and shows its result.

The parser (:mod:`.parser`), ``%dumont help``, completion (:mod:`.completion`) and dispatch
(:mod:`.core`) are all built from :data:`COMMANDS`; a new sub-command is one entry here (and its
plain function in :mod:`.commands`).
"""

from __future__ import annotations

import argparse
import builtins
from dataclasses import dataclass
from typing import Any, Callable

from IPython.core.error import StdinNotImplementedError, UsageError

from ..formatting import format_error, human_size
from ..vfs import registry
from . import commands
from .parser import build_parser, subparser

__all__ = ["Command", "COMMANDS", "one_line", "overview"]


def one_line(exc: BaseException) -> str:
    """The message of ``exc`` as one line (:func:`dumont_nb.formatting.format_error`), never
    showing a secret value of the active config."""
    return format_error(exc, secrets=registry.active_secrets())


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {value}")
    return value


def arg(*flags: str, **options: Any) -> tuple[tuple[str, ...], dict[str, Any]]:
    """One ``add_argument(*flags, **options)`` of a sub-command."""
    return flags, options


@dataclass(frozen=True)
class Command:
    """One sub-command. ``run(args, cell)`` calls the plain function and shows the result (the
    value it returns is the magic's value); ``completes`` is what Tab offers for its positional
    arguments: ``"url"``, ``"remote"`` (names only), ``"command"`` or ``""``; ``cell`` marks the ``%%dumont`` form."""

    name: str
    summary: str
    run: Callable[[argparse.Namespace, "str | None"], Any]
    args: tuple = ()
    completes: str = "url"
    cell: bool = False


def _print_text(text: str) -> None:
    print(text, end="" if text.endswith("\n") or not text else "\n")


def _confirm(plan: commands.RemovalPlan) -> bool:
    """Ask before a recursive delete; no usable stdin means no."""
    try:
        answer = builtins.input(f"delete {plan}? [y/N] ")
    except (EOFError, OSError, StdinNotImplementedError):
        return False
    return answer.strip().lower() in ("y", "yes")


def _cp(a, cell):
    summary = commands.cp(a.src, a.dst, recursive=a.recursive)
    print(f"copied {a.src} → {a.dst}: {summary.files} file(s), {human_size(summary.bytes)}")
    for what, why in summary.skipped:
        print(f"skipped {what}: {why}")
    if summary.failed:
        what, why = summary.failed[0]
        raise UsageError(one_line(RuntimeError(f"cp: {len(summary.failed)} transfer(s) failed, e.g. {what}: {why}")))


def _rm(a, cell):
    try:
        count = commands.rm(a.url, recursive=a.recursive, yes=a.yes, confirm=_confirm)
    except commands.NotConfirmedError as exc:
        print(one_line(exc))
        return None
    print(f"deleted {count} object(s) at {a.url}")


def _put(a, cell):
    try:
        n = commands.put(a.url, cell, encoding=a.encoding)
    except LookupError:
        raise UsageError(f"%%dumont put: unknown encoding {a.encoding!r}; use e.g. utf-8 or latin-1") from None
    print(f"wrote {n} bytes to {a.url}")


def _config(a, cell):
    cfg = commands.config(a.path)
    where = str(cfg.path) if cfg.path else "no config file (create one, or `%dumont config PATH`)"
    print(f"{'using' if a.path else 'config:'} {where}; remotes: {', '.join(sorted(cfg.remotes)) or 'none'}")


_URL = arg("url", help="remote://bucket/key (a trailing / names the folder, never the object beside it)")
_LIST = [
    Command("ls", "list a prefix, a bucket or a remote's buckets as a table",
            lambda a, c: commands.ls(a.url, recursive=a.recursive, long=a.long),
            (arg("url", help="remote://bucket/prefix (remote:// lists buckets)"),
             arg("-r", "--recursive", action="store_true", help="every object below, no directories"),
             arg("-l", "--long", action="store_true", help="all columns (etag, storage class, ...)"))),
    Command("stat", "one object or directory: size, mtime, etag, storage class", lambda a, c: commands.stat(a.url), (_URL,)),
    Command("du", "sizes and object counts per sub-prefix", lambda a, c: commands.du(a.url, depth=a.depth),
            (_URL, arg("-d", "--depth", type=_non_negative, default=1, help="prefix levels to group by (default 1)"))),
    Command("find", "every object under a prefix, optionally matching a glob", lambda a, c: commands.find(a.url, glob=a.glob),
            (_URL, arg("--glob", "--name", dest="glob", metavar="PATTERN", help="only names matching, e.g. '*.csv'"))),
    Command("cat", "print a text object", lambda a, c: _print_text(commands.cat(a.url)), (_URL,)),
    Command("head", "print the first lines of a text object", lambda a, c: _print_text(commands.head(a.url, a.lines)),
            (_URL, arg("-n", "--lines", type=_non_negative, default=10, help="number of lines (default 10)"))),
]
_CHANGE = [
    Command("cp", "copy between local paths and remote URLs (with progress)", _cp,
            (arg("src", help="local path or remote URL"), arg("dst", help="local path or remote URL"),
             arg("-r", "--recursive", action="store_true", help="copy a directory"))),
    Command("mv", "move or rename an object or directory", lambda a, c: print(f"moved {a.src} → {commands.mv(a.src, a.dst)}"),
            (arg("src", help="local path or remote URL"),
             arg("dst", help="local path or remote URL; a trailing / moves into it"))),
    Command("rm", "delete an object; -r a whole prefix (asks first, or -y)", _rm,
            (_URL, arg("-r", "--recursive", action="store_true", help="everything under the prefix"),
             arg("-y", "--yes", action="store_true", help="do not ask before a recursive delete"))),
    Command("mkdir", "create a directory (a key/ marker)",
            lambda a, c: print(f"created {commands.mkdir(a.url, parents=a.parents)}"),
            (_URL, arg("-p", "--parents", action="store_true", help="make parents; no error if it exists"))),
    Command("put", "%%dumont put URL: write the cell body to an object", _put,
            (arg("url", help="the object to write with the cell body"),
             arg("--encoding", default="utf-8", help="text encoding (default utf-8)")), cell=True),
]
def _restore(a, cell):
    new = commands.restore(a.url, a.version_id)
    print(f"restored {a.url} from version {a.version_id}: it is now the latest, as version {new or '(unversioned)'}")


def _share(a, cell):
    try:
        link = commands.share(a.url, expires=a.expires, put=a.put)
    except ValueError as exc:
        raise UsageError(f"%dumont share: {exc}") from None
    print(link)


def _sync(a, cell):
    if a.delete and not a.dry_run and not a.yes:
        plan = commands.sync(a.src, a.dst, delete=True, dry_run=True, checksum=a.checksum)
        if plan.deleted and not _confirm_sync(plan):
            print(f"not synced: it would delete {len(plan.deleted)} object(s) at {a.dst}; pass -y to go ahead")
            return None
    result = commands.sync(a.src, a.dst, delete=a.delete, dry_run=a.dry_run, checksum=a.checksum)
    verb = "would copy" if a.dry_run else "copied"
    est = result.estimate or {}
    cost = f"; estimate: {est.get('requests')}, {human_size(est.get('bytes', 0))}" + (
        f", ${est['cost_usd']} ({est['prices']})" if "cost_usd" in est else "") if a.dry_run else ""
    print(f"{verb} {len(result.copied)} objects ({human_size(result.bytes)}), "
          f"{'would delete' if a.dry_run else 'deleted'} {len(result.deleted)}, unchanged {len(result.unchanged)}, "
          f"failed {len(result.failed)}{cost}")
    for path, why in list(result.failed.items())[:10]:
        print(f"failed {path}: {why}")
    return None


def _confirm_sync(plan) -> bool:
    try:
        answer = builtins.input(f"sync would delete {len(plan.deleted)} object(s) at {plan.dst}; go ahead? [y/N] ")
    except (EOFError, OSError, StdinNotImplementedError):
        return False
    return answer.strip().lower() in ("y", "yes")


_VERSIONS = [
    Command("versions", "every version of the objects under a URL (delete markers too)",
            lambda a, c: commands.versions(a.url, recursive=a.recursive),
            (_URL, arg("-r", "--recursive", action="store_true", help="every key below, not just this level"))),
    Command("restore", "make an old version the latest again (a server-side copy)", _restore,
            (_URL, arg("version_id", metavar="VERSION_ID", help="from `%%dumont versions URL`"))),
    Command("sync", "copy only what is missing or changed (dry run -n; --delete asks, or -y)", _sync,
            (arg("src", help="local folder or remote URL"), arg("dst", help="local folder or remote URL"),
             arg("-n", "--dry-run", action="store_true", help="send no write; show what would happen and its cost"),
             arg("--delete", action="store_true", help="also delete what is at dst and not at src"),
             arg("--checksum", action="store_true", help="compare content (MD5/ETag) instead of size and mtime"),
             arg("-y", "--yes", action="store_true", help="do not ask before deleting"))),
    Command("share", "a link to an object that expires (presigned GET, or PUT with --put)", _share,
            (_URL, arg("--expires", default="1h", help="30m, 1h, 7d or seconds (default 1h; at most 7d)"),
             arg("--put", action="store_true", help="a link to upload the object instead of reading it"))),
]
_SETTINGS = [
    Command("remotes", "the configured remotes (credential references, never values)", lambda a, c: commands.remotes(),
            completes=""),
    Command("caps", "what a remote can do, and why", lambda a, c: commands.caps(a.remote),
            (arg("remote", help="a remote name or URL; a URL with a bucket adds its conditional writes and versioning"),),
            completes="remote"),
    Command("config", "show the config in use, or switch to another file", _config,
            (arg("path", nargs="?", help="a config file to load and use from now on"),), completes=""),
    Command("browse", "the bucket browser widget", lambda a, c: commands.browse(a.url),
            (arg("url", nargs="?", help="where to start (default: the remote picker)"),)),
]



def overview() -> str:
    """The list of sub-commands (``%dumont help``, and ``%dumont?``)."""
    width = max(map(len, COMMANDS))
    lines = ["%dumont COMMAND [options]   (URLs are <remote>://<bucket>/<key>)", ""]
    lines += [f"  {c.name:<{width}}  {c.summary}" for c in COMMANDS.values()]
    lines += ["", "%dumont COMMAND --help shows the options of one command."]
    return "\n".join(lines)


def _help(a, cell):
    if getattr(a, "topic", None):
        subparser(build_parser(COMMANDS), a.topic).print_help()
    else:
        print(overview())


#: every sub-command, in the order of ``%dumont help``
COMMANDS: dict[str, Command] = {c.name: c for c in _LIST + _CHANGE + _VERSIONS + _SETTINGS}
COMMANDS["help"] = Command("help", "this list, or the help of one sub-command", _help,
                           (arg("topic", nargs="?", choices=list(COMMANDS), metavar="COMMAND"),), completes="command")
