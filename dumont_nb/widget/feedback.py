"""Errors as one line in the browser's status bar, never a traceback in the output area."""

from __future__ import annotations

import functools
from typing import Callable

from ..formatting import format_error
from ..vfs import registry

__all__ = ["one_line", "guarded"]


def one_line(e: BaseException, where: str = "") -> str:
    """An exception as one line for the status bar (:func:`dumont_nb.formatting.format_error`,
    the same as the magics and the CLI), naming ``where`` unless the message does."""
    return format_error(e, where=where, secrets=registry.active_secrets())


def guarded(method: Callable) -> Callable:
    """Run a UI handler; any exception becomes one line in the status bar (never a traceback)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as e:
            self.error(one_line(e, self.path))
            return None

    return wrapper
