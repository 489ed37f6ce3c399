"""``inventory(url, dask=client)``: ranges planned in the notebook, listed by Dask workers.

The notebook lists the first page (one request) and cuts the rest into ``4 × workers`` key ranges;
each range is one task (:func:`list_range_on_worker`), which lists it with the same adaptive,
threaded splitting as the local path. The file system travels as its remote's settings with
credential *references* (``env:``/``keychain:``), resolved on the worker; results stay on the
cluster as the partitions of a ``dask.dataframe.DataFrame`` (in key order).
"""

from __future__ import annotations

from typing import Any

from .vfs.base import FileSystem

__all__ = ["inventory_on_dask", "list_range_on_worker"]


def list_range_on_worker(settings: dict, remote: str, path: str, start_after: str | None, stop: str | None,
                         concurrency: int):
    """One partition: the keys of ``path`` in ``(start_after, stop)``, listed on this worker."""
    from .config import parse_config
    from .tables import frame_from_pages
    from .vfs.parallel import list_pages
    from .vfs.registry import filesystem

    config = parse_config({"remotes": {remote: settings}}, source="<dask worker>")
    pages, _ = list_pages(filesystem(remote, config=config), path, start_after, stop, concurrency=concurrency,
                          columns=True)
    return frame_from_pages(pages, remote)


def _client(dask: Any):
    from distributed import Client, default_client

    if dask is True:
        return default_client()
    if not isinstance(dask, Client):
        raise TypeError(f"dask= takes a distributed.Client or True, got {type(dask).__name__}")
    return dask


def inventory_on_dask(fs: FileSystem, path: str, prefix: str, dask: Any, concurrency: int, settings: dict):
    """See :func:`dumont_nb.inventory` (``dask=``); ``settings`` are the remote's (references,
    and literal values where the config has them), what each worker rebuilds the remote from.

    Raises:
        TypeError: ``dask`` is not a Client (or True). ValueError: no default client (``True``).
    """
    import uuid

    import dask.dataframe as dd

    from .tables import frame_from_pages
    from .vfs.parallel import PAGE, plan_ranges

    client = _client(dask)
    first, cursor = fs.list_after(path, limit=PAGE)
    head = frame_from_pages(fs.reconcile_recursive(path, [first]), fs.name)  # the first page: the notebook's
    if cursor is None:  # everything fit in the first page
        return dd.from_pandas(head, npartitions=1)
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    ranges = plan_ranges([e.path.split("/", 1)[1] for e in first], cursor, prefix, 4 * workers)
    run = uuid.uuid4().hex[:8]
    futures = [client.submit(list_range_on_worker, settings, fs.name, path, lo, hi, concurrency,
                             pure=False, key=f"dumont-inventory-{run}-{i}") for i, (lo, hi) in enumerate(ranges)]
    return dd.from_delayed([client.scatter(head), *futures], meta=head.iloc[:0], verify_meta=False)
