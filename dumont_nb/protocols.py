"""The fsspec protocol registry: every remote of the active config as the protocol of its name.

:func:`register_remotes` runs each time a config becomes the active one (a hook of
:mod:`dumont_nb.vfs.registry`, installed by :mod:`dumont_nb.api`). A remote name that fsspec
already knows (``s3``, ``gcs``, ``file``, ...) raises :class:`~dumont_nb.errors.ConfigError`
unless the remote sets ``override_protocol: true``; protocols of remotes the new config does not
have are unregistered.
"""

from __future__ import annotations

import threading

from fsspec.registry import _registry, known_implementations, register_implementation
from fsspec.registry import registry as fsspec_registry

from .config import Config
from .errors import ConfigError
from .fsspec_adapter import adapter_class

__all__ = ["register_remotes", "registered_remotes"]

_lock = threading.Lock()
#: protocol name -> adapter class registered by us (so a reload may replace or drop it)
_ours: dict[str, type] = {}


def _known_protocols() -> dict[str, str]:
    """Protocols fsspec knows that are not ours: name -> where it comes from."""
    known: dict[str, str] = {}
    for name, spec in known_implementations.items():
        known[name] = spec.get("class", "?") if isinstance(spec, dict) else str(spec)
    for name, cls in fsspec_registry.items():
        if _ours.get(name) is cls:
            continue
        known[name] = f"{cls.__module__}.{cls.__name__}"
    return known


def register_remotes(config: Config) -> None:
    """Register each remote of ``config`` as an fsspec protocol (replacing our earlier ones).

    All names are checked before any is registered.

    Raises:
        ConfigError: a remote name is a protocol fsspec already knows and the remote does not
            set ``override_protocol: true``.
    """
    known = _known_protocols()
    for name, remote in config.remotes.items():
        if name in known and not remote.override_protocol:
            raise ConfigError(
                f"{remote.source}: remote {name!r}: the name shadows the fsspec protocol {name}:// "
                f"({known[name]}); rename the remote, or set `override_protocol: true` to replace it"
            )
    with _lock:
        for name in list(_ours):
            if name not in config.remotes:
                _unregister(name)
        for name in config.remotes:
            cls = adapter_class(name, config)
            register_implementation(name, cls, clobber=True)
            _ours[name] = cls


def _unregister(name: str) -> None:
    cls = _ours.pop(name, None)
    if _registry.get(name) is cls:  # fsspec has no public unregister
        del _registry[name]


def registered_remotes() -> dict[str, type]:
    """Protocol name -> adapter class, for the remotes registered by the active config."""
    with _lock:
        return dict(_ours)
