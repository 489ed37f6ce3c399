"""Every configured remote as an fsspec protocol: an adapter over the vfs layer.

After :func:`dumont_nb.load_config` (or ``use_config``) a remote called ``r2`` is the fsspec
protocol ``r2``, so ``pandas.read_csv("r2://bucket/data.csv")``, ``df.to_parquet(...)``,
pyarrow, dask and xarray work with no ``storage_options``. The adapter delegates every operation
to the remote's :class:`~dumont_nb.vfs.base.FileSystem`, so the vfs contracts hold here too:
whole-object writes, hidden markers, second-resolution mtime. A write through fsspec is one
PutObject (or multipart upload): ``makedirs(parent, exist_ok=True)``, which fsspec calls first,
writes no marker.

Serialization carries the remote's settings and credential *references* only:

- ``pickle`` (what Dask does to ship a filesystem to workers) carries ``Remote.to_dict()``:
  ``env:``/``keychain:`` references (and a literal written in the config, as the config has it),
  never a value resolved from the environment or keychain; they are resolved again where the
  filesystem is unpickled, on first use.
- ``to_dict``/``to_json`` carry the references but never a literal credential: a remote with
  literal credentials is serialized with ``credentials_redacted`` and cannot be rebuilt from
  that (use ``env:``/``keychain:`` references to ship it).

Registering the classes as protocols is :mod:`dumont_nb.protocols`' job.
"""

from __future__ import annotations

import re
import time
from typing import Any

import fsspec
from fsspec.registry import _registry
from fsspec.spec import AbstractFileSystem

from .config import Config, Remote, parse_config
from .errors import ConfigError, CredentialError
from .vfs.base import FileInfo, FileSystem
from .vfs.registry import filesystem

__all__ = ["DumontFileSystem", "adapter_class", "INFO_TTL"]

#: seconds an ``info`` answer is reused (while this process has changed nothing on the remote)
INFO_TTL = 1.0

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*(://|::)")


def _info_dict(info: FileInfo) -> dict[str, Any]:
    """A vfs FileInfo as an fsspec info dict (``name`` is ``bucket/key``, no trailing slash)."""
    return {
        "name": info.path.rstrip("/"),
        "size": int(info.size or 0),
        "type": "directory" if info.is_dir else "file",
        "mtime": info.mtime,
        "LastModified": info.mtime,
        "ETag": info.etag,
        "StorageClass": info.storage_class,
    }


class DumontFileSystem(AbstractFileSystem):
    """fsspec filesystem over one dumont remote (delegates to the vfs FileSystem).

    Instances of the per-remote classes that :func:`register_remotes` makes take no arguments
    (``fsspec.filesystem("r2")``). The base class itself takes ``remote`` (a settings mapping as
    from ``Remote.to_dict()``) and ``remote_name``: that is how ``from_dict`` rebuilds one.
    """

    protocol: Any = "dumont"
    root_marker = ""
    #: set on the per-remote subclasses
    _config: Config | None = None
    _remote_name: str | None = None

    def __init__(self, remote: dict | None = None, remote_name: str | None = None, credentials_redacted: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self._infos: dict[str, tuple[float, int, FileInfo]] = {}
        if remote is not None:
            if credentials_redacted:
                raise CredentialError(
                    f"fsspec filesystem for remote {remote_name!r} was serialized without its literal "
                    f"credentials; use env: or keychain: references in the config to rebuild it elsewhere"
                )
            if not remote_name:
                raise ConfigError("DumontFileSystem(remote=...) also needs remote_name")
            self._config = parse_config({"remotes": {remote_name: remote}}, source="<fsspec>")
            self._remote_name = remote_name
            self.protocol = remote_name
        if self._config is None or self._remote_name is None:
            raise ConfigError("DumontFileSystem needs a remote; load a config with dumont_nb.load_config()")

    # -- the vfs behind it ------------------------------------------------------------------
    @property
    def remote(self) -> Remote:
        assert self._config is not None and self._remote_name is not None
        return self._config.remote(self._remote_name)

    @property
    def vfs(self) -> FileSystem:
        """The remote's vfs FileSystem (shared with ``dumont_nb.filesystem``)."""
        assert self._remote_name is not None
        return filesystem(self._remote_name, config=self._config)

    @classmethod
    def _strip_protocol(cls, path):
        if isinstance(path, list):
            return [cls._strip_protocol(p) for p in path]
        path = fsspec.utils.stringify_path(path)
        m = _SCHEME.match(path)
        if m:
            path = path[m.end():]
        return path.lstrip("/").rstrip("/")

    @classmethod
    def _vfs_path(cls, path) -> str:
        """The vfs path of ``path``, keeping one trailing ``/``: ``b/a/`` is the directory ``a``,
        ``b/a`` the object or the directory (``_strip_protocol`` drops the ``/``, as fsspec
        expects of names; every call that deletes or moves uses this instead)."""
        text = fsspec.utils.stringify_path(path)
        stripped = cls._strip_protocol(text)
        return stripped + "/" if text.endswith("/") and "/" in stripped else stripped

    def unstrip_protocol(self, name: str) -> str:
        return f"{self._remote_name}://{name}"

    # -- serialization: settings and references, never a resolved secret ----------------------
    def __reduce__(self):
        return _rebuild, (self._remote_name, self.remote.to_dict(literal_secrets=True))

    def to_dict(self, *, include_password: bool = False) -> dict[str, Any]:
        """``{"cls", "protocol", "args", "remote", "remote_name"}``; never a credential value
        (``include_password`` is accepted for fsspec's API and ignored)."""
        settings = self.remote.to_dict()
        out: dict[str, Any] = {
            "cls": f"{DumontFileSystem.__module__}:{DumontFileSystem.__name__}",
            "protocol": self._remote_name,
            "args": [],
            "remote_name": self._remote_name,
        }
        creds = self.remote.credentials
        if creds is not None and any(ref is not None and ref.kind == "literal" for ref in vars(creds).values()):
            settings.pop("credentials", None)
            out["credentials_redacted"] = True
        out["remote"] = settings
        return out

    # -- reading the tree -------------------------------------------------------------------
    def ls(self, path, detail=True, **kwargs):
        path = self._strip_protocol(path)
        if not path:
            entries = [_info_dict(i) for i in self._buckets()]
        else:
            try:
                entries = [_info_dict(i) for i in self.vfs.readdir(path)]
            except NotADirectoryError:
                entries = [self.info(path)]
        return entries if detail else [e["name"] for e in entries]

    def _buckets(self) -> list[FileInfo]:
        return list(self.vfs.readdir(""))

    def info(self, path, **kwargs):
        path = self._vfs_path(path)
        if not path:
            return {"name": "", "size": 0, "type": "directory"}
        return _info_dict(self._stat(path))

    def _stat(self, path: str) -> FileInfo:
        """``vfs.stat(path)``, remembered for :data:`INFO_TTL` seconds while the vfs has made no
        mutation since (its ``changes()``): a reader such as pyarrow asks ``info``, ``isfile``
        and ``open`` of one file, twice, within milliseconds; that is one HEAD, not five."""
        hit = self._fresh(path)
        if hit is not None:
            return hit
        vfs = self.vfs
        changes = vfs.changes()  # read before the HEAD: a write meanwhile makes the answer stale
        info = vfs.stat(path)
        if changes >= 0:
            if len(self._infos) > 1024:
                self._infos.clear()
            self._infos[path] = (time.monotonic() + INFO_TTL, changes, info)
        return info

    def _fresh(self, path: str) -> FileInfo | None:
        """The remembered ``stat(path)`` while it is fresh, else None."""
        hit = self._infos.get(path)
        if hit is not None and hit[0] > time.monotonic() and hit[1] == self.vfs.changes() >= 0:
            return hit[2]
        return None

    def find(self, path, maxdepth=None, withdirs=False, detail=False, **kwargs):
        """All files under ``path`` from one recursive listing (``ceil(N/1000)`` requests)."""
        path = self._strip_protocol(path)
        if maxdepth is not None or withdirs or not path:
            return super().find(path, maxdepth=maxdepth, withdirs=withdirs, detail=detail, **kwargs)
        out: dict[str, dict] = {}
        for page in self.vfs.iterdir(path, recursive=True):
            for info in page:
                d = _info_dict(info)
                out[d["name"]] = d
        if not out:
            try:
                d = self.info(path)
            except FileNotFoundError:
                d = None
            if d is not None and d["type"] == "file":
                out[d["name"]] = d
        out = dict(sorted(out.items()))
        return out if detail else list(out)

    def modified(self, path):
        mtime = self.info(path).get("mtime")
        if mtime is None:
            raise IsADirectoryError(f"{self.unstrip_protocol(self._strip_protocol(path))}: a directory has no mtime")
        return mtime

    created = modified

    def invalidate_cache(self, path=None):
        """Forget the short-lived ``info`` answers (see :meth:`_stat`)."""
        self._infos.clear()

    # -- opening ----------------------------------------------------------------------------
    def _open(self, path, mode="rb", block_size=None, autocommit=True, cache_options=None, **kwargs):
        if not autocommit:
            from .errors import NotSupportedError

            raise NotSupportedError("fsspec transactions are not supported: dumont writes commit on close")
        path = self._strip_protocol(path)
        known = self._fresh(self._vfs_path(path)) if mode in ("rb", "r") else None
        if mode not in ("rb", "r"):
            self._infos.clear()
        return self.vfs.open(path, mode, **({"info": known} if known is not None else {}))

    # -- changing the tree ------------------------------------------------------------------
    def mkdir(self, path, create_parents=True, **kwargs):
        path = self._strip_protocol(path)
        if "/" not in path:
            self._require_bucket(path)
            raise FileExistsError(f"{self.unstrip_protocol(path)}: bucket exists")
        if create_parents:
            self.vfs.makedirs(path, exist_ok=False)
        else:
            self.vfs.mkdir(path)

    def makedirs(self, path, exist_ok=False):
        """``exist_ok=True`` writes nothing: fsspec calls it on the parent before every write, and
        on S3 a directory exists through the keys under it (so a pandas write is one PutObject,
        with no marker). ``exist_ok=False`` creates the markers, as ``mkdir`` does.

        Raises:
            FileExistsError: ``exist_ok`` is false and the directory (or bucket) exists.
        """
        path = self._strip_protocol(path)
        if exist_ok:
            return
        if "/" not in path:
            self._require_bucket(path)
            raise FileExistsError(f"{self.unstrip_protocol(path)}: bucket exists")
        self.vfs.makedirs(path, exist_ok=False)

    def _require_bucket(self, bucket: str) -> None:
        self.vfs.stat(bucket)  # FileNotFoundError if it does not exist

    def rmdir(self, path):
        self.vfs.rmdir(self._vfs_path(path))

    def rm_file(self, path):
        self.vfs.remove(self._strip_protocol(path))

    def rm(self, path, recursive=False, maxdepth=None):
        """Delete objects; ``recursive`` also every key under each path. A path ending in ``/``
        names the directory only: ``rm("b/a/", recursive=True)`` keeps an object ``a`` beside it."""
        paths = path if isinstance(path, (list, tuple)) else [path]
        for p in paths:
            p = self._vfs_path(p)
            if recursive:
                if self.vfs.remove_all(p) == 0 and not self.vfs.exists(p):
                    raise FileNotFoundError(f"{self.unstrip_protocol(p)}: no such object or prefix")
            else:
                info = self.vfs.stat(p)
                if info.is_dir:
                    self.vfs.rmdir(p)
                else:
                    self.vfs.remove(p)

    def mv(self, path1, path2, recursive=False, maxdepth=None, **kwargs):
        """Rename (copy then delete); ``b/a/`` moves the directory even beside an object ``a``."""
        self.vfs.rename(self._vfs_path(path1), self._vfs_path(path2))

    def cp_file(self, path1, path2, **kwargs):
        from .transfers import copy_object

        copy_object(self.vfs, self._vfs_path(path1), self.vfs, self._vfs_path(path2))


def _rebuild(remote_name: str, settings: dict) -> DumontFileSystem:
    """Unpickle: the registered adapter if this process has the same remote loaded, else a
    fresh one from settings and references (resolved again on first use)."""
    cls = _registry.get(remote_name)
    if (isinstance(cls, type) and issubclass(cls, DumontFileSystem) and cls._config is not None
            and cls._config.remote(remote_name).to_dict(literal_secrets=True) == settings):
        return cls()
    config = parse_config({"remotes": {remote_name: settings}}, source="<unpickled>")
    return adapter_class(remote_name, config)()


def adapter_class(remote_name: str, config: Config) -> type[DumontFileSystem]:
    """The fsspec class of one remote of ``config`` (protocol = the remote name)."""
    config.remote(remote_name)  # UnknownRemoteError early
    return type(
        f"DumontFileSystem_{remote_name.replace('-', '_')}",
        (DumontFileSystem,),
        {"protocol": remote_name, "_config": config, "_remote_name": remote_name, "__module__": __name__},
    )
