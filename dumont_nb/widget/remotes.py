"""Which file systems a browser shows: an injected one and/or the remotes of a config."""

from __future__ import annotations

from ..api import active_config, filesystem
from ..config import Config
from ..vfs.base import FileInfo, FileSystem
from .feedback import one_line
from .model import row_of

__all__ = ["Remotes"]


class Remotes:
    """The file systems a browser shows: one injected :class:`FileSystem` (a
    :class:`~dumont_nb.testing.MemoryFileSystem`, say) and/or the remotes of a config (the
    active one when neither is given)."""

    def __init__(self, *, fs: FileSystem | None = None, config: Config | None = None):
        self._fixed = {fs.name: fs} if fs is not None else {}
        self._config = config if config is not None or fs is not None else active_config()

    @property
    def names(self) -> list[str]:
        configured = sorted(self._config.remotes) if self._config is not None else []
        return list(self._fixed) + [n for n in configured if n not in self._fixed]

    def fs(self, remote: str) -> FileSystem:
        """Raises UnknownRemoteError: neither the injected file system nor a configured remote."""
        if remote in self._fixed:
            return self._fixed[remote]
        if self._config is None:
            from ..errors import UnknownRemoteError

            raise UnknownRemoteError(f"unknown remote {remote!r}; this browser shows {', '.join(self.names)}")
        return filesystem(remote, config=self._config)

    def buckets(self, remote: str) -> tuple[str, ...]:
        """The buckets a remote's config lists (shown when ListBuckets is denied)."""
        if remote in self._fixed or self._config is None:
            return ()
        return self._config.remote(remote).buckets

    def bucket_rows(self, fs: FileSystem, remote: str) -> list[dict]:
        """Rows of the remote's buckets: listed, plus the configured ``buckets`` (all of them when
        ListBuckets is denied).

        Raises:
            PermissionError: the buckets cannot be listed and none is configured.
        """
        configured = self.buckets(remote)
        try:
            infos = fs.readdir("")
        except (PermissionError, NotImplementedError, OSError, ValueError) as e:
            if not configured:
                raise PermissionError(
                    f"{remote}://: cannot list buckets ({one_line(e)}); add `buckets: [...]` to the remote in your config"
                ) from None
            infos = []
        names = {i.name.rstrip("/") for i in infos}
        infos = list(infos) + [FileInfo(b, b, 0, None, True) for b in configured if b not in names]
        return [row_of(i, remote) for i in infos]
