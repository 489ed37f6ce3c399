"""Remote name → :class:`FileSystem`, the instance cache, and the active config.

The one rule for ``config=None``: every call that takes ``config`` and gets ``None`` uses the
*active* config. :func:`activate` sets it (``dumont_nb.load_config`` and ``use_config`` call
it); until then the first call that needs it discovers the file (``$DUMONT_CONFIG``, then the
user config dir) and activates that.

Backends are cached by the remote's settings (a :class:`~dumont_nb.config.Remote` value), so
fifty unpickled fsspec instances of one remote share one backend. Activating a config closes the
backends of the remotes it no longer has; a forked child drops its parent's backends (their
event loop and connections are not fork-safe) without closing them. Closing is always safe: a
closed backend reconnects on its next call. Nothing here imports above the vfs layer; hooks
(:func:`on_activate`) let upper layers react, e.g. register fsspec protocols.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Callable

from ..urls import parse_url

if TYPE_CHECKING:
    from ..config import Config, Remote
    from .base import FileSystem

__all__ = ["activate", "active_config", "active_secrets", "filesystem", "resolve", "on_activate", "close_all"]

_lock = threading.RLock()
_active: "Config | None" = None
_instances: dict["Remote", "FileSystem"] = {}
_pid = os.getpid()
_hooks: list[Callable[["Config"], None]] = []


def on_activate(hook: Callable[["Config"], None]) -> None:
    """Call ``hook(config)`` each time a config becomes the active one (once per hook)."""
    with _lock:
        if hook not in _hooks:
            _hooks.append(hook)


def activate(config: "Config") -> "Config":
    """Make ``config`` the active config: run the hooks, then close the backends of remotes it
    does not have (an equal remote keeps its backend).

    Raises:
        whatever a hook raises (``ConfigError`` for a remote shadowing an fsspec protocol); the
        active config is then unchanged.
    """
    global _active
    for hook in list(_hooks):
        hook(config)
    with _lock:
        _active = config
        keep = set(config.remotes.values())
        stale = [r for r in _instances if r not in keep]
        closing = [_instances.pop(r) for r in stale]
    for fs in closing:
        fs.close()
    return config


def active_config() -> "Config":
    """The active config, discovered and activated on first use.

    Raises:
        ConfigError: the discovered file is malformed (or named and missing).
    """
    with _lock:
        if _active is not None:
            return _active
    from ..config import read_config

    return activate(read_config())


def active_secrets() -> list[str]:
    """The secret values of the active config (if one is loaded; never loads one), for masking."""
    with _lock:
        config = _active
    return config.revealable_secrets() if config is not None else []


def _forget_parent_instances() -> None:
    global _pid
    if os.getpid() != _pid:
        _instances.clear()
        _pid = os.getpid()


def filesystem(remote: str, *, config: "Config | None" = None) -> "FileSystem":
    """The :class:`FileSystem` of a configured remote (one instance per remote settings).

    Raises:
        UnknownRemoteError: the config has no such remote (the message lists the known ones).
    """
    settings = (config if config is not None else active_config()).remote(remote)
    with _lock:
        _forget_parent_instances()
        fs = _instances.get(settings)
        if fs is None:
            from .s3 import S3Backend

            fs = _instances[settings] = S3Backend(settings)
        return fs


def resolve(url: str, *, config: "Config | None" = None) -> tuple["FileSystem", str]:
    """``"r2://bucket/key"`` → ``(filesystem("r2"), "bucket/key")`` (a trailing ``/`` is kept).

    Raises:
        InvalidURLError: malformed URL. UnknownRemoteError: the remote is not configured.
    """
    parsed = parse_url(url)
    return filesystem(parsed.remote, config=config), parsed.path


def close_all() -> None:
    """Close every cached backend and empty the cache (tests, interpreter shutdown)."""
    with _lock:
        closing = list(_instances.values())
        _instances.clear()
    for fs in closing:
        fs.close()
