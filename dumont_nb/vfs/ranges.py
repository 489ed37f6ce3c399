"""Split a key range into pieces of similar size, from the keys seen so far (no I/O).

A parallel inventory lists key ranges ``(start_after, stop)`` at once. Where to cut a range the
store has not shown yet is a guess; the guess here reads keys as numbers written in the
*alphabet the keys use* (the characters seen in a sample page): hex hashes become base-16
numbers, dates base-11 or so, unicode names whatever they hold. Cutting those numbers evenly
gives ranges of about equal key counts when keys are spread evenly in that alphabet (hashes,
sequential ids), and a range that turns out dense is simply cut again when it fills a page.

Order is the store's (UTF-8 byte order, which is code-point order), and every cut ``m`` is
checked to lie strictly between its neighbours, so a bad guess costs a request, never a key.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Iterable

__all__ = ["KeySpace", "MAX_DEPTH"]

#: characters of a cut beyond the common prefix of its range (enough for 1e12 ranges in base 16)
MAX_DEPTH = 10
_SAFE_MIN = 0x20  # cuts never hold control characters (they would be echoed in XML)


def _ok(ch: str) -> bool:
    c = ord(ch)
    return c >= _SAFE_MIN and not 0xD800 <= c <= 0xDFFF and c not in (0xFFFE, 0xFFFF)


class KeySpace:
    """Keys read as numbers in the alphabet of ``sample`` (at least two characters)."""

    def __init__(self, sample: Iterable[str]):
        chars = {c for key in sample for c in key if _ok(c)}
        chars |= {"0", "z"} if len(chars) < 2 else set()
        self.alphabet = sorted(chars)
        self.base = len(self.alphabet) + 1  # digit 0: "the key ended here"

    def _digits(self, key: str, depth: int) -> list[int]:
        out = []
        for ch in key[:depth]:
            i = bisect_left(self.alphabet, ch)
            exact = i < len(self.alphabet) and self.alphabet[i] == ch
            out.append(i + 1 if exact else max(i, 1))  # a character outside the alphabet: its neighbour
        return out + [0] * (depth - len(out))

    def _number(self, digits: list[int]) -> int:
        n = 0
        for d in digits:
            n = n * self.base + d
        return n

    def _key(self, n: int, depth: int) -> str:
        digits = []
        for _ in range(depth):
            n, d = divmod(n, self.base)
            digits.append(d)
        chars = []
        for d in reversed(digits):
            if d == 0:
                break
            chars.append(self.alphabet[d - 1])
        return "".join(chars)

    def cuts(self, lo: str, hi: str | None, pieces: int, prefix: str = "") -> list[str]:
        """Up to ``pieces - 1`` keys strictly between ``lo`` and ``hi`` (None: the end of the keys
        under ``prefix``), in order, cutting ``(lo, hi)`` into ``pieces`` parts of similar size in
        this alphabet. Fewer (or none) where the range is too narrow to cut."""
        if pieces < 2 or not lo.startswith(prefix):
            return []
        common = len(prefix)
        if hi is not None:
            while common < min(len(lo), len(hi)) and lo[common] == hi[common]:
                common += 1
        head = lo[:common]
        depth = max(len(lo), len(hi or "")) - common + 2
        depth = min(max(depth, 3), MAX_DEPTH)
        a = self._number(self._digits(lo[common:], depth))
        b = self._number(self._digits(hi[common:], depth)) if hi is not None else self.base ** depth
        out: list[str] = []
        for i in range(1, pieces):
            m = head + self._key(a + (b - a) * i // pieces, depth)
            if lo.encode("utf-8", "surrogatepass") < m.encode("utf-8", "surrogatepass") and (
                    hi is None or m.encode("utf-8", "surrogatepass") < hi.encode("utf-8", "surrogatepass")) and m.startswith(prefix) \
                    and (not out or out[-1] < m):
                out.append(m)
        return out
