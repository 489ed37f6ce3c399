"""A short-lived record of this process's own mutations (authoritative after own writes).

Listings of some stores lag behind writes. After this process writes, renames or removes a key,
the backend remembers it for :data:`TTL` seconds and reconciles ``readdir`` results with it
(confirming with HEAD), so a listing of the parent reflects the change. It is not a listing
cache: nothing is ever answered from it without asking the store.
"""

from __future__ import annotations

import threading
import time

__all__ = ["Journal", "TTL"]

#: seconds a mutation is remembered; longer than any listing lag seen in practice
TTL = 120.0
#: most mutations remembered at once (a bulk delete of millions of keys must not grow memory
#: without bound); beyond it the oldest are forgotten first
MAX_ENTRIES = 100_000


class Journal:
    """``bucket/key`` → (monotonic time, exists after the mutation)."""

    def __init__(self, ttl: float = TTL):
        self.ttl = ttl
        self._entries: dict[str, tuple[float, bool]] = {}
        self._lock = threading.Lock()
        #: grows with every recorded mutation (caches of this backend's answers compare it)
        self.changes = 0

    def record(self, path: str, exists: bool) -> None:
        self.record_many((path,), exists)

    def record_many(self, paths, exists: bool) -> None:
        now = time.monotonic()
        with self._lock:
            self.changes += 1
            for p in paths:
                self._entries.pop(p, None)  # re-insert: dict order is age order
                self._entries[p] = (now, exists)
            if len(self._entries) > MAX_ENTRIES:
                self._prune(now)

    def _prune(self, now: float) -> None:
        cutoff = now - self.ttl
        expired = []
        for p, (t, _) in self._entries.items():  # oldest first: stop at the first live one
            if t >= cutoff:
                break
            expired.append(p)
        for p in expired:
            del self._entries[p]
        excess = len(self._entries) - MAX_ENTRIES
        if excess > 0:
            for p in list(self._entries)[:excess]:
                del self._entries[p]

    def under(self, prefix: str) -> dict[str, bool]:
        """Live records of keys starting with ``prefix`` (``bucket/dir/``): path → exists."""
        with self._lock:
            self._prune(time.monotonic())
            return {p: e for p, (t, e) in self._entries.items() if p.startswith(prefix)}

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
