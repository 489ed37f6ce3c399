"""Errors as one line in the browser's status bar, never a traceback in the output area."""

from __future__ import annotations

import functools
from typing import Callable

from ..errors import DumontError

__all__ = ["one_line", "guarded"]


def one_line(e: BaseException, where: str = "") -> str:
    """An exception as one line for the status bar, naming ``where`` unless the message does."""
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    if isinstance(e, DumontError):
        return text  # dumont's messages already name the URL
    text = f"{type(e).__name__}: {text}"
    return f"{where}: {text}" if where and where not in text else text


def guarded(method: Callable) -> Callable:
    """Run a UI handler; any exception becomes one line in the status bar (never a traceback)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as e:
            self._error(one_line(e, self.path))
            return None

    return wrapper
