"""The ``%dumont`` command line: an argparse parser built from the command table, raising ``UsageError``.

argparse normally prints and calls ``sys.exit``; in a kernel that would be a traceback. Here a
bad line raises IPython's ``UsageError`` (shown as one line) and ``--help`` prints the help and
stops the command.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Mapping

from IPython.core.error import UsageError

if TYPE_CHECKING:
    from .table import Command

__all__ = ["CommandParser", "HelpShown", "build_parser", "subparser"]


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


def build_parser(commands: "Mapping[str, Command]") -> CommandParser:
    """The parser of a ``%dumont`` line from the command table (:data:`.table.COMMANDS`);
    ``args.command`` names the sub-command."""
    parser = CommandParser(
        prog="%dumont",
        description="Object stores as a file system. URLs are <remote>://<bucket>/<key>; "
        "$var and {expr} are expanded; quote arguments with spaces.",
        allow_abbrev=False,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CommandParser)
    for command in commands.values():
        p = sub.add_parser(command.name, help=command.summary, description=command.summary, allow_abbrev=False)
        for flags, options in command.args:
            p.add_argument(*flags, **options)
    return parser


def subparser(parser: CommandParser, name: str) -> CommandParser:
    """The parser of one sub-command (for ``help NAME`` and completion of options)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[name]
    raise KeyError(name)
