"""The download guard: a key becomes a local path only if it stays inside the destination.

A key that would land outside the destination directory (``..`` segments, absolute keys,
backslashes, NUL, drive letters, or a symlink in the destination tree that leads out) is never
written by a copy, a sync or the browser's download: it is skipped and reported.
"""

from __future__ import annotations

import os
import re

__all__ = ["unsafe_key_reason", "local_target"]

_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_key_reason(rel: str) -> str | None:
    """Why a key (relative to the copied prefix) cannot become a local path, or ``None``."""
    if not rel:
        return "empty name"
    if "\x00" in rel:
        return "NUL character in key"
    if "\\" in rel:
        return "backslash in key"
    if rel.startswith("/"):
        return "absolute key"
    parts = rel.split("/")
    if any(p == ".." for p in parts):
        return "'..' segment in key"
    if any(p in ("", ".") for p in parts):
        return "empty or '.' segment in key"
    if _DRIVE.match(parts[0]):
        return "drive letter in key"
    return None


def local_target(root: str, rel: str) -> tuple[str | None, str | None]:
    """``(path, None)`` for a safe local path of ``rel`` under ``root``, else ``(None, reason)``.

    The resolved path (symlinks followed) must stay inside the resolved ``root``.
    """
    reason = unsafe_key_reason(rel)
    if reason is not None:
        return None, reason
    target = os.path.join(root, *rel.split("/"))
    real_root = os.path.realpath(root)
    real = os.path.realpath(target)
    if os.path.commonpath([real_root, real]) != real_root or real == real_root:
        return None, "resolves outside the destination directory"
    return target, None
