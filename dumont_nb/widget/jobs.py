"""Background work of the browser: one worker thread per job, progress, and Cancel.

A :class:`Job` runs ``fn(job)`` in a daemon thread. The function reports progress with
:meth:`Job.advance` and calls :meth:`Job.check` between chunks; after Cancel, ``check`` raises
:class:`Cancelled` inside the function, so a vfs write in progress is aborted (vfs writes are
committed only on a clean close) and no partial object is left behind.
"""

from __future__ import annotations

import threading
from typing import Callable

__all__ = ["Cancelled", "Job"]


class Cancelled(Exception):
    """Raised inside a job's function once Cancel was pressed."""


class Job:
    """One background operation.

    ``on_progress(job)`` is called after every :meth:`advance`; ``on_done(job)`` once at the end,
    with ``job.error`` set to the exception (a :class:`Cancelled` after Cancel) or ``None``.
    Callbacks run in the worker thread.
    """

    def __init__(
        self,
        title: str,
        fn: Callable[["Job"], object],
        *,
        on_progress: Callable[["Job"], None] | None = None,
        on_done: Callable[["Job"], None] | None = None,
    ):
        self.title = title
        self.total = 0  # bytes expected (0 when unknown)
        self.done_bytes = 0
        self.items = 0  # objects finished
        self.total_items = 0
        self.result: object = None
        self.error: BaseException | None = None
        self._fn = fn
        self._on_progress = on_progress
        self._on_done = on_done
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"dumont-job: {title}", daemon=True)

    # -- control --------------------------------------------------------------------------
    def start(self) -> "Job":
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the job to stop at its next :meth:`check`."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job ends; returns False if ``timeout`` passed first."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    # -- used by the job's function -------------------------------------------------------
    def check(self) -> None:
        """Raises Cancelled once Cancel was pressed."""
        if self._cancel.is_set():
            raise Cancelled(f"{self.title}: cancelled")

    def advance(self, nbytes: int = 0, items: int = 0) -> None:
        """Record progress, then stop here if Cancel was pressed.

        Raises:
            Cancelled: Cancel was pressed.
        """
        self.done_bytes += nbytes
        self.items += items
        if self._on_progress is not None:
            self._on_progress(self)
        self.check()

    @property
    def fraction(self) -> float:
        if self.total:
            return min(1.0, self.done_bytes / self.total)
        if self.total_items:
            return min(1.0, self.items / self.total_items)
        return 0.0

    def _run(self) -> None:
        try:
            self.check()
            self.result = self._fn(self)
        except BaseException as e:  # reported in the widget, never lost in a thread
            self.error = e
        finally:
            if self._on_done is not None:
                self._on_done(self)
