"""dumont_nb: S3-compatible object stores as a well-behaved file system in Jupyter and IPython.

The public face. Importing this module is light: pandas, s3fs and ipywidgets are imported
when first needed.

- :func:`load_config`: read the remotes config (and register each remote as an fsspec protocol)
- :func:`filesystem`, :func:`resolve`, :func:`open`: the vfs layer
- :func:`listing`, :func:`du`: pandas stat tables
- :func:`copy`, :func:`move`: upload, download and remote-to-remote copies with progress
- :func:`browse`: the bucket browser widget
- ``%load_ext dumont_nb``: the ``%dumont`` magics
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import (
    AccessDeniedError,
    BinaryObjectError,
    ConfigError,
    ConflictError,
    CredentialError,
    DumontError,
    InvalidURLError,
    NotConfirmedError,
    NotSupportedError,
    StoreError,
    UnknownRemoteError,
)

__version__ = "0.1.0"

# name -> module that defines it (imported on first access)
_LAZY = {
    "load_config": ".api",
    "active_config": ".api",
    "use_config": ".api",
    "filesystem": ".api",
    "resolve": ".api",
    "open": ".api",
    "restore": ".api",
    "presign": ".api",
    "Config": ".config",
    "Remote": ".config",
    "parse_url": ".urls",
    "URL": ".urls",
    "FileInfo": ".vfs.base",
    "Capabilities": ".vfs.base",
    "FileSystem": ".vfs.base",
    "listing": ".tables",
    "du": ".tables",
    "copy": ".transfers",
    "move": ".transfers",
    "inventory": ".inventories",
    "sync": ".synchronize",
    "browse": ".widget",
    "storage_options": ".engines",
    "register_duckdb": ".engines",
}

#: the errors one catches by name (the rest are builtins: FileNotFoundError, ...)
_ERRORS = ("DumontError", "ConfigError", "CredentialError", "InvalidURLError", "UnknownRemoteError",
           "NotSupportedError", "ConflictError", "StoreError", "AccessDeniedError", "BinaryObjectError",
           "NotConfirmedError")
__all__ = ["__version__", *_ERRORS, *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dumont_nb' has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


def load_ipython_extension(ipython) -> None:
    """``%load_ext dumont_nb``: register the ``%dumont`` line and cell magics."""
    from .magics import load_ipython_extension as _load

    _load(ipython)


def unload_ipython_extension(ipython) -> None:
    from .magics import unload_ipython_extension as _unload

    _unload(ipython)


if TYPE_CHECKING:  # for type checkers and IDEs
    from .api import active_config, filesystem, load_config, open, presign, resolve, restore, use_config
    from .config import Config, Remote
    from .tables import du, listing
    from .inventories import inventory
    from .synchronize import sync
    from .transfers import copy, move
    from .urls import URL, parse_url
    from .vfs.base import Capabilities, FileInfo, FileSystem
    from .widget import browse
