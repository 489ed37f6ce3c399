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


class Journal:
    """``bucket/key`` → (monotonic time, exists after the mutation)."""

    def __init__(self, ttl: float = TTL):
        self.ttl = ttl
        self._entries: dict[str, tuple[float, bool]] = {}
        self._lock = threading.Lock()

    def record(self, path: str, exists: bool) -> None:
        with self._lock:
            self._entries[path] = (time.monotonic(), exists)

    def record_many(self, paths, exists: bool) -> None:
        now = time.monotonic()
        with self._lock:
            for p in paths:
                self._entries[p] = (now, exists)

    def under(self, prefix: str) -> dict[str, bool]:
        """Live records of keys starting with ``prefix`` (``bucket/dir/``): path → exists."""
        cutoff = time.monotonic() - self.ttl
        with self._lock:
            for p in [p for p, (t, _) in self._entries.items() if t < cutoff]:
                del self._entries[p]
            return {p: e for p, (t, e) in self._entries.items() if p.startswith(prefix)}

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
