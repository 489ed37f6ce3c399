"""Big folders, honestly: the total of a folder counted in the background, and sorting over
the whole folder rather than the pages loaded so far.

A folder bigger than one page shows its first page at once; :func:`count_folder` then counts
every entry in a background :class:`~.jobs.Job` through ``FileSystem.iter_columns`` (one
ListObjectsV2 a page, no object per key, the next page in flight while one is counted) and
reports as it goes, so the footer reads "1,000 of 3,000 items" instead of "1000 entries shown".
:func:`load_all` loads the remaining pages in a job (cancellable) when a sort needs the whole
folder; until it ends, the browser says what the sort covers.
"""

from __future__ import annotations

from typing import Callable

from ..vfs.base import FileSystem
from .jobs import Job
from .model import Pager

__all__ = ["count_folder", "load_all"]


def count_folder(fs: FileSystem, path: str, on_count: Callable[[int, bool], None],
                 on_error: Callable[[BaseException], None]) -> Job:
    """Start counting the entries directly under ``path`` (markers hidden, as listed).

    ``on_count(n, final)`` runs in the job's thread after every page (``final`` once, at the
    end); ``on_error(exc)`` if the listing fails. Cancel the returned job to stop it (one
    request in flight is then the only one sent after).
    """

    def run(job: Job) -> int:
        n = 0
        pages = fs.iter_columns(path)
        try:
            for page in pages:
                n += len(page)
                on_count(n, False)
                job.advance(items=len(page))
        finally:
            pages.close()  # type: ignore[attr-defined]
        on_count(n, True)
        return n

    def done(job: Job) -> None:
        from .jobs import Cancelled

        if job.error is not None and not isinstance(job.error, Cancelled):
            on_error(job.error)

    return Job(f"count {path}", run, on_done=done).start()


def load_all(pager: Pager, on_page: Callable[[int], None], on_done: Callable[[Job], None]) -> Job:
    """Load every remaining page of ``pager`` in a job; ``on_page(loaded)`` after each."""

    def run(job: Job) -> int:
        while not pager.done:
            job.check()
            new = pager.more()
            on_page(len(pager.rows))
            job.advance(items=len(new))
        return len(pager.rows)

    return Job(f"load {pager.location.url}", run, on_done=on_done).start()


class BigFolder:
    """What the browser does for a folder bigger than a page (its listing view, its pager)."""

    def __init__(self, listing, render: Callable[[], None], error: Callable[[str], None],
                 info: Callable[[str], None] = lambda text: None):
        self.listing, self.render, self.error, self.info = listing, render, error, info
        self.count_job: Job | None = None
        self.load_job: Job | None = None
        self.pager: Pager | None = None

    @property
    def loading(self) -> bool:
        return self.load_job is not None and self.load_job.running

    def stop(self) -> None:
        for job in (self.count_job, self.load_job):
            if job is not None:
                job.cancel()
        self.count_job = self.load_job = None

    def opened(self, fs: FileSystem, pager: Pager) -> None:
        """A folder was opened: count it in the background unless its first page was all."""
        self.stop()
        self.pager = pager
        self.listing.note, self.listing.counted = "", 0
        self.listing.total = len(pager.rows) if pager.done else -1
        if pager.done or pager.location.bucket is None:
            return
        me = pager

        def counted(n: int, final: bool) -> None:
            if self.pager is me:  # still this folder
                self.listing.counted = n
                if final:
                    self.listing.total = n

        self.count_job = count_folder(fs, pager.location.path, counted, lambda e: self.error(f"counting failed: {e}"))

    def sort_changed(self, what: str = "sort") -> None:
        """Sort (or filter) what is loaded now; if the folder has more, load the rest (a job),
        then sort or filter all of it."""
        self.render()
        pager = self.pager
        if pager is None or pager.done or (self.load_job is not None and self.load_job.running):
            return
        done_word, verb = ("sorted", "sort") if what == "sort" else ("filtered", "search")

        def say(loaded: int) -> None:
            self.listing.note = f"{done_word} the {loaded:,} loaded; loading the rest to {verb} the whole folder…"

        say(len(pager.rows))

        def page(loaded: int) -> None:
            if self.pager is pager:
                say(loaded)

        def done(job: Job) -> None:
            if self.pager is not pager:
                return
            self.listing.note = "" if job.error is None else f"{done_word} the loaded entries only (loading stopped)"
            self.render()
            if job.error is None:
                self.info(f"{pager.location.url}: all {len(pager.rows):,} entries loaded and {done_word}")

        self.load_job = load_all(pager, page, done)
