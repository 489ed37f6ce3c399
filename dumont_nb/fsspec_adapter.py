"""Every configured remote as an fsspec protocol (an adapter over the vfs layer)."""

from __future__ import annotations

from .config import Config


def register_remotes(config: Config) -> None:
    """Register each remote of ``config`` as an fsspec protocol (not yet implemented)."""
