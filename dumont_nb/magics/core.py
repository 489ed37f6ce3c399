"""The ``%dumont`` / ``%%dumont`` magic: parse a line, call a plain function, show the result.

No file-system logic lives here (that is :mod:`dumont_nb.magics.commands`). Every error a
command raises on purpose (dumont's errors and the builtin ``OSError`` family, plus any
botocore error that escaped translation) becomes IPython's ``UsageError``: one line, no
traceback, with credential values of the active config blanked out.
"""

from __future__ import annotations

import shlex
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class

from ..errors import DumontError
from .parser import HelpShown, build_parser
from .table import COMMANDS, one_line, overview

__all__ = ["DumontMagics", "one_line"]


def _expected_errors() -> tuple[type[BaseException], ...]:
    errors: tuple[type[BaseException], ...] = (DumontError, OSError)
    try:
        from botocore.exceptions import BotoCoreError, ClientError

        errors += (BotoCoreError, ClientError)
    except ImportError:  # pragma: no cover - botocore comes with s3fs
        pass
    return errors


@magics_class
class DumontMagics(Magics):
    """``%dumont COMMAND ...`` and ``%%dumont put URL``; see ``%dumont help``."""

    def __init__(self, shell=None, **kwargs):
        super().__init__(shell=shell, **kwargs)
        self.parser = build_parser(COMMANDS)
        self._errors = _expected_errors()

    @line_cell_magic
    def dumont(self, line: str, cell: str | None = None) -> Any:
        """Object stores as a file system: ``%dumont ls r2://bucket/prefix``; ``%dumont help``."""
        try:
            argv = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"%dumont: cannot split the line ({exc}); close the quote or escape it") from None
        if not argv:
            argv = ["help"]
        try:
            args = self.parser.parse_args(argv)
        except HelpShown:
            return None
        command = COMMANDS[args.command]
        if cell is not None and not command.cell:
            raise UsageError(f"%%dumont {args.command}: the cell form only takes `put URL`; use %dumont {args.command} ...")
        if command.cell and cell is None:
            raise UsageError(f"%dumont {args.command}: writes a cell body; start a cell with `%%dumont {args.command} URL` "
                             "and the text below it")
        try:
            return command.run(args, cell)
        except UsageError:
            raise
        except self._errors as exc:
            raise UsageError(one_line(exc)) from None


DumontMagics.dumont.__doc__ = overview()
