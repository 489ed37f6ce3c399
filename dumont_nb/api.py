"""The public calls on remotes: load a config, get a remote's :class:`FileSystem`, open by URL.

``load_config`` reads a config, registers each remote as an fsspec protocol and makes it the
active config. The one rule for ``config=None`` (see :mod:`dumont_nb.vfs.registry`): every call
uses the active config, which is discovered on first use (``$DUMONT_CONFIG``, then the user
config dir) when nothing was loaded. Resolution and the backend cache live in the vfs layer.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import IO, Any

from .config import Config, parse_config, read_config
from .urls import parse_url
from .vfs import registry
from .vfs.registry import active_config, filesystem, resolve

__all__ = ["load_config", "active_config", "use_config", "filesystem", "resolve", "open", "restore", "presign"]


def _register_protocols(config: Config) -> None:
    from .protocols import register_remotes

    register_remotes(config)


registry.on_activate(_register_protocols)


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
    if isinstance(config, dict):
        config = parse_config(config)
    elif not isinstance(config, Config):
        config = read_config(config)
    return registry.activate(config)


def open(url: str, mode: str = "rb", *, config: Config | None = None, **kwargs: Any) -> IO:
    """Open an object by URL; see :meth:`FileSystem.open` for modes and errors.

    Raises:
        InvalidURLError: malformed URL or no key.
    """
    parsed = parse_url(url).require_key()
    return filesystem(parsed.remote, config=config).open(parsed.path, mode, **kwargs)


def restore(url: str, version_id: str, *, config: Config | None = None) -> str:
    """Make ``version_id`` of the object at ``url`` the latest again, by a server-side copy
    (nothing passes through the notebook); returns the id of the version it created.

    Raises:
        FileNotFoundError: no such version. NotSupportedError: the bucket keeps no versions (the
        message says how to enable them). InvalidURLError: no object key.
    """
    parsed = parse_url(url).require_key()
    return filesystem(parsed.remote, config=config).restore(parsed.path, version_id)


def presign(url: str, *, expires: float | timedelta = 3600, method: str = "GET", config: Config | None = None) -> str:
    """A link to the object at ``url`` that anyone can ``GET`` (or ``PUT`` to) for ``expires``
    (seconds or a ``timedelta``, at most 7 days), for the remote's endpoint and addressing
    style. It carries a signature, never the secret key.

    Raises:
        ValueError: ``method`` not GET/PUT, or ``expires`` outside 1 s … 7 days.
        NotSupportedError: the file system cannot sign links. InvalidURLError: no object key.
    """
    parsed = parse_url(url).require_key()
    return filesystem(parsed.remote, config=config).presign(parsed.path, expires=expires, method=method)
