"""Test helpers: the in-memory reference model, the moto and s3rver test servers, the conformance suite.

``MemoryFileSystem`` is imported lazily (``from dumont_nb.testing import MemoryFileSystem``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["MemoryFileSystem"]


def __getattr__(name: str) -> Any:
    if name == "MemoryFileSystem":
        from .memory import MemoryFileSystem

        return MemoryFileSystem
    raise AttributeError(f"module 'dumont_nb.testing' has no attribute {name!r}")
