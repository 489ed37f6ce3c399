"""Remote name / URL → :class:`~dumont_nb.vfs.base.FileSystem`; the active config.

``load_config`` reads a config, registers each remote as an fsspec protocol and makes it the
active config, which every call with ``config=None`` uses. Until then the active config is
discovered on first use (``$DUMONT_CONFIG``, then the user config dir).
"""

from __future__ import annotations

import os
import threading
from typing import IO, Any

from .config import Config, parse_config, read_config
from .urls import parse_url
from .vfs.base import FileSystem

__all__ = ["load_config", "active_config", "use_config", "filesystem", "resolve", "open"]

_lock = threading.RLock()
_active: Config | None = None
_instances: dict[tuple[int, str], tuple[Config, FileSystem]] = {}


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Read the config at ``path`` (or the discovered one), register its remotes as fsspec
    protocols and make it the active config.

    Raises:
        ConfigError: the file is missing (when named explicitly), unreadable, not YAML, or
            does not match the schema; or a remote name shadows an fsspec protocol.
    """
    return use_config(read_config(path))


def use_config(config: Config | dict | str | os.PathLike) -> Config:
    """Make ``config`` (a :class:`Config`, a mapping, or a file path) the active config.

    Raises:
        ConfigError: as :func:`load_config`.
    """
    global _active
    if isinstance(config, dict):
        config = parse_config(config)
    elif not isinstance(config, Config):
        config = read_config(config)
    from .fsspec_adapter import register_remotes

    register_remotes(config)
    with _lock:
        _active = config
    return config


def active_config() -> Config:
    """The active config (loaded on first use from the discovered file)."""
    with _lock:
        if _active is not None:
            return _active
    return load_config()


def filesystem(remote: str, *, config: Config | None = None) -> FileSystem:
    """The :class:`FileSystem` of a configured remote (one instance per config and remote).

    Raises:
        UnknownRemoteError: the config has no such remote (the message lists the known ones).
    """
    config = config if config is not None else active_config()
    settings = config.remote(remote)
    key = (id(config), remote)
    with _lock:
        _forget_parent_instances()
        hit = _instances.get(key)
        if hit is not None and hit[0] is config:
            return hit[1]
        from .vfs.s3 import S3Backend

        fs = S3Backend(settings)
        _instances[key] = (config, fs)
        return fs


_pid = os.getpid()


def _forget_parent_instances() -> None:
    """In a forked child, drop the parent's backends (their event loop and connections belong to
    the parent and are not fork-safe) without closing them; each is rebuilt on first use."""
    global _pid
    if os.getpid() != _pid:
        _instances.clear()
        _pid = os.getpid()


def resolve(url: str, *, config: Config | None = None) -> tuple[FileSystem, str]:
    """``"r2://bucket/key"`` → ``(filesystem("r2"), "bucket/key")``.

    Raises:
        InvalidURLError: malformed URL.
        UnknownRemoteError: the remote is not configured.
    """
    parsed = parse_url(url)
    return filesystem(parsed.remote, config=config), parsed.path


def open(url: str, mode: str = "rb", *, config: Config | None = None, **kwargs: Any) -> IO:
    """Open an object by URL; see :meth:`FileSystem.open` for modes and errors.

    Raises:
        InvalidURLError: malformed URL or no key.
    """
    parsed = parse_url(url).require_key()
    return filesystem(parsed.remote, config=config).open(parsed.path, mode, **kwargs)
