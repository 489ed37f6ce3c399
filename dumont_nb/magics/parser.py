"""The ``%dumont`` command line: one argparse parser per sub-command, raising ``UsageError``.

argparse normally prints and calls ``sys.exit``; in a kernel that would be a traceback. Here a
bad line raises IPython's ``UsageError`` (shown as one line) and ``--help`` prints the help and
stops the command.
"""

from __future__ import annotations

import argparse

from IPython.core.error import UsageError

__all__ = ["CommandParser", "HelpShown", "build_parser", "SUBCOMMANDS"]

#: sub-command → one-line summary (the order of ``%dumont help``)
SUBCOMMANDS: dict[str, str] = {
    "ls": "list a prefix, a bucket or a remote's buckets as a table",
    "stat": "one object or directory: size, mtime, etag, storage class",
    "du": "sizes and object counts per sub-prefix",
    "find": "every object under a prefix, optionally matching a glob",
    "cat": "print a text object",
    "head": "print the first lines of a text object",
    "cp": "copy between local paths and remote URLs (with progress)",
    "mv": "move or rename an object or directory",
    "rm": "delete an object; -r a whole prefix (asks first, or -y)",
    "mkdir": "create a directory (a key/ marker)",
    "put": "%%dumont put URL: write the cell body to an object",
    "remotes": "the configured remotes (credential references, never values)",
    "caps": "what a remote can do, and why",
    "config": "show the config in use, or switch to another file",
    "browse": "the bucket browser widget",
    "help": "this list, or the help of one sub-command",
}


class HelpShown(Exception):
    """``--help`` was printed: the command stops without a result."""


class CommandParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` that raises ``UsageError`` instead of exiting."""

    def error(self, message: str):
        raise UsageError(f"{self.prog}: {message}; see `{self.prog} --help`")

    def exit(self, status: int = 0, message: str | None = None):
        if status:
            raise UsageError((message or f"{self.prog}: invalid arguments").strip())
        raise HelpShown()


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {value}")
    return value


def build_parser() -> CommandParser:
    """The parser of a ``%dumont`` line; ``args.command`` names the sub-command."""
    parser = CommandParser(
        prog="%dumont",
        description="Object stores as a file system. URLs are <remote>://<bucket>/<key>; "
        "$var and {expr} are expanded; quote arguments with spaces.",
        allow_abbrev=False,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CommandParser)

    def add(name: str, **kw) -> CommandParser:
        return sub.add_parser(name, help=SUBCOMMANDS[name], description=SUBCOMMANDS[name], allow_abbrev=False, **kw)

    p = add("ls")
    p.add_argument("url", help="remote://bucket/prefix (remote:// lists buckets)")
    p.add_argument("-r", "--recursive", action="store_true", help="every object below, no directories")
    p.add_argument("-l", "--long", action="store_true", help="all columns (etag, storage class, ...)")

    p = add("stat")
    p.add_argument("url")

    p = add("du")
    p.add_argument("url")
    p.add_argument("-d", "--depth", type=_non_negative, default=1, help="prefix levels to group by (default 1)")

    p = add("find")
    p.add_argument("url")
    p.add_argument("--glob", "--name", dest="glob", metavar="PATTERN", help="only names matching, e.g. '*.csv'")

    p = add("cat")
    p.add_argument("url")

    p = add("head")
    p.add_argument("url")
    p.add_argument("-n", "--lines", type=_non_negative, default=10, help="number of lines (default 10)")

    p = add("cp")
    p.add_argument("src", help="local path or remote URL")
    p.add_argument("dst", help="local path or remote URL")
    p.add_argument("-r", "--recursive", action="store_true", help="copy a directory")

    p = add("mv")
    p.add_argument("src", help="local path or remote URL")
    p.add_argument("dst", help="local path or remote URL; a trailing / moves into it")

    p = add("rm")
    p.add_argument("url")
    p.add_argument("-r", "--recursive", action="store_true", help="everything under the prefix")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask before a recursive delete")

    p = add("mkdir")
    p.add_argument("url")
    p.add_argument("-p", "--parents", action="store_true", help="make parents; no error if it exists")

    p = add("put")
    p.add_argument("url", help="the object to write with the cell body")
    p.add_argument("--encoding", default="utf-8", help="text encoding (default utf-8)")

    add("remotes")

    p = add("caps")
    p.add_argument("remote", help="a remote name or URL; a URL with a bucket also probes conditional writes there")

    p = add("config")
    p.add_argument("path", nargs="?", help="a config file to load and use from now on")

    p = add("browse")
    p.add_argument("url", nargs="?", help="where to start (default: the remote picker)")

    p = add("help")
    p.add_argument("topic", nargs="?", choices=[c for c in SUBCOMMANDS if c != "help"], metavar="COMMAND")
    return parser


def subparser(parser: CommandParser, name: str) -> CommandParser:
    """The parser of one sub-command (for ``help NAME`` and completion of options)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[name]
    raise KeyError(name)
