"""``remotes``, ``caps``, ``config`` and ``browse``: what is configured and what it can do.

Credential *references* are shown (``env:NAME``, ``keychain:service/account``, ``literal``);
a credential value never is.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from .. import api
from ..errors import NotSupportedError
from ..urls import is_url, parse_url

if TYPE_CHECKING:
    import pandas as pd

    from ..config import Config

__all__ = ["remotes", "caps", "config", "browse"]


def _credential_refs(remote) -> str:
    if remote.anonymous:
        return "anonymous (unsigned)"
    if remote.credentials is not None:
        return ", ".join(f"{k}={v}" for k, v in remote.credentials.refs().items())
    if remote.profile:
        return f"AWS profile {remote.profile}"
    return "AWS default chain"


def remotes(*, config: Config | None = None) -> pd.DataFrame:
    """The configured remotes: ``name, type, endpoint, region, path_style, emulate, credentials,
    buckets``. ``credentials`` shows references (``env:NAME``, ``keychain:s/a``, ``literal``),
    never a value."""
    import pandas as pd

    cfg = config if config is not None else api.active_config()
    rows = [
        {
            "name": r.name,
            "type": r.type,
            "endpoint": r.endpoint or "AWS",
            "region": r.region or "",
            "path_style": r.path_style,
            "emulate": r.emulate,
            "credentials": _credential_refs(r),
            "buckets": ", ".join(r.buckets),
        }
        for r in cfg.remotes.values()
    ]
    columns = ["name", "type", "endpoint", "region", "path_style", "emulate", "credentials", "buckets"]
    return pd.DataFrame(rows, columns=columns)


def caps(remote: str, *, config: Config | None = None) -> pd.DataFrame:
    """The capability table of a remote: ``capability, value, why`` (the spec's "why").

    ``remote`` is a remote name or a URL on it. A URL naming a bucket adds a row
    ``conditional_writes``: whether the store enforces ``If-Match``/``If-None-Match`` there (what
    ``emulate`` relies on), found by the backend's one-time probe (four requests on a temporary
    key under ``.dumont-probe/``).

    Raises:
        UnknownRemoteError: no such remote. FileNotFoundError: no such bucket.
    """
    from ..tables import StatFrame

    bucket = None
    if is_url(remote):
        parsed = parse_url(remote)
        remote, bucket = parsed.remote, parsed.bucket
    fs = api.filesystem(remote, config=config)
    caps = fs.capabilities if bucket is None else fs.bucket_capabilities(bucket)
    return StatFrame(caps.table(), columns=["capability", "value", "why"])


def config(path: str | None = None) -> Config:
    """The active config; with ``path``, load that file and make it the active config.

    Raises:
        ConfigError: the file is missing or malformed (the active config is unchanged).
    """
    if path is None:
        return api.active_config()
    return api.load_config(os.path.expanduser(path))


def browse(url: str | None = None, *, config: Config | None = None) -> Any:
    """The bucket browser widget at ``url``.

    Raises:
        NotSupportedError: the widget module (or ipywidgets) is not available.
    """
    try:
        from ..widget import browse as _browse
    except ImportError as exc:
        raise NotSupportedError(
            f"the browser widget is not available (cannot import {exc.name or exc}); "
            f"install ipywidgets and dumont_nb's widget, or use `%dumont ls`"
        ) from None
    return _browse(url, config=config)
