"""Remotes handed to the rest of the data stack: :func:`storage_options` for engines that talk
to S3 themselves (polars, pyarrow, s3fs/Dask), :func:`register_duckdb` for DuckDB.

Engines that read through fsspec (pandas, Dask, DuckDB after :func:`register_duckdb`) take the
remote's own URL, ``r2://bucket/key``, once the config is loaded: no credentials in code at all.
Engines with their own S3 client (polars, pyarrow) take an ``s3://bucket/key`` URL and the
options of :func:`storage_options`, resolved when it is called (``env:`` and ``keychain:``
references are read then) and masked in every ``repr``/``str`` of the mapping, so a notebook
that shows it saves no secret.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .vfs.registry import active_config

if TYPE_CHECKING:
    from .config import Config, Remote

__all__ = ["storage_options", "register_duckdb", "StorageOptions", "ENGINES"]

#: engines :func:`storage_options` knows, and the option names each gives for credentials
ENGINES = ("polars", "pyarrow", "s3fs", "fsspec", "pandas", "dask")


class StorageOptions(dict):
    """A plain ``dict`` of options whose ``repr``/``str`` show ``***`` for the secret values."""

    def __init__(self, values: dict[str, Any], secret_keys: set[str]):
        super().__init__(values)
        self._secret_keys = frozenset(secret_keys)

    def _masked(self) -> dict[str, Any]:
        return {k: ("***" if k in self._secret_keys and v else v) for k, v in self.items()}

    def __repr__(self) -> str:
        return f"StorageOptions({self._masked()!r})"

    __str__ = __repr__

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(repr(self))

    def __reduce__(self):  # pickled as a plain dict: an engine may send it to its workers
        return (dict, (dict(self),))


def _keys(remote: "Remote") -> tuple[str | None, str | None, str | None]:
    """(access key id, secret, session token) of ``remote``, resolved now (a profile or the
    default chain through botocore; all None for an anonymous remote).

    Raises:
        CredentialError: a reference cannot be resolved, or no credentials were found.
    """
    from .errors import CredentialError

    if remote.anonymous:
        return None, None, None
    creds = remote.credentials
    if creds is not None:
        token = creds.session_token.resolve().reveal() if creds.session_token is not None else None
        return creds.access_key_id.resolve().reveal(), creds.secret_access_key.resolve().reveal(), token
    import botocore.session

    found = botocore.session.Session(profile=remote.profile).get_credentials()
    if found is None:
        raise CredentialError(f"remote {remote.name!r}: no credentials found (no `credentials:` in the config, "
                              "no profile or environment credentials); add `credentials:` to the remote")
    frozen = found.get_frozen_credentials()
    return frozen.access_key, frozen.secret_key, frozen.token


def storage_options(remote: str, *, engine: str = "polars", config: "Config | None" = None) -> StorageOptions:
    """The options ``engine`` needs to reach ``remote`` (endpoint, region, addressing,
    credentials resolved now) as a :class:`StorageOptions` mapping. ``engine``: ``"polars"``
    (object_store keys: ``pl.read_parquet("s3://b/k", storage_options=...)``), ``"pyarrow"``
    (``pyarrow.fs.S3FileSystem(**options)``), ``"s3fs"``/``"fsspec"``/``"pandas"``/``"dask"``
    (s3fs's ``storage_options=``).

    Raises:
        ValueError: unknown engine. UnknownRemoteError: no such remote. CredentialError: a
            credential reference cannot be resolved.
    """
    if engine not in ENGINES:
        raise ValueError(f"storage_options: unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    r = (config or active_config()).remote(remote)
    key, secret, token = _keys(r)
    endpoint, region = r.endpoint, r.region or "us-east-1"
    if engine == "polars":
        out: dict[str, Any] = {"aws_region": region}
        if endpoint:
            out["aws_endpoint_url"] = endpoint
            out["aws_allow_http"] = "true" if endpoint.startswith("http://") else "false"
        out["aws_virtual_hosted_style_request"] = "false" if r.path_style else "true"
        return _with_keys(out, "polars", key, secret, token)
    if engine == "pyarrow":
        out = {"region": region}
        if endpoint:
            scheme, _, host = endpoint.partition("://")
            out.update(endpoint_override=host or scheme, scheme=scheme if host else "https")
        out["force_virtual_addressing"] = not r.path_style and endpoint is None
        return _with_keys(out, "pyarrow", key, secret, token)
    out = {"client_kwargs": {"region_name": region, **({"endpoint_url": endpoint} if endpoint else {})}}
    if r.path_style:
        out["config_kwargs"] = {"s3": {"addressing_style": "path"}}
    return _with_keys(out, "s3fs", key, secret, token)


#: per engine: the option names of (key id, secret, session token) and the "no signature" option
_KEYS = {
    "polars": ("aws_access_key_id", "aws_secret_access_key", "aws_session_token", ("aws_skip_signature", "true")),
    "pyarrow": ("access_key", "secret_key", "session_token", ("anonymous", True)),
    "s3fs": ("key", "secret", "token", ("anon", True)),
}


def _with_keys(out: dict, engine: str, key: str | None, secret: str | None, token: str | None) -> StorageOptions:
    """``out`` plus the credentials under ``engine``'s names (or its anonymous flag)."""
    key_name, secret_name, token_name, (anon, yes) = _KEYS[engine]
    if key is None:
        out[anon] = yes
    else:
        out.update({key_name: key, secret_name: secret})
        if token:
            out[token_name] = token
    return StorageOptions(out, {secret_name, token_name})


def register_duckdb(con: Any = None, *, config: "Config | None" = None) -> Any:
    """Register every remote of ``config`` (default: the active one) with the DuckDB connection
    ``con`` (default: DuckDB's default connection) as an fsspec filesystem, so
    ``SELECT * FROM read_parquet('r2://bucket/x.parquet')`` reads through dumont_nb: no DuckDB
    extension download, no credentials in SQL. ``config`` becomes the active config (as
    :func:`dumont_nb.use_config`: its remotes are the fsspec protocols DuckDB asks for). Returns
    the connection.

    Raises:
        ModuleNotFoundError: DuckDB is not installed (``pip install duckdb``).
        ConfigError: a remote's name cannot be an fsspec protocol (see ``load_config``).
    """
    import duckdb
    import fsspec

    from .api import use_config

    cfg = config or active_config()
    use_config(cfg)  # its remotes become the fsspec protocols DuckDB will ask for
    con = duckdb.default_connection() if con is None else con
    for name in cfg.remotes:
        con.register_filesystem(fsspec.filesystem(name))
    return con
