"""The competitors' hand-written stat frames: the same columns and dtypes as
``dumont_nb.tables.SCHEMA`` (url, path, name, type, size, mtime, etag, storage_class), built
column by column the way a careful user would (lists per column, one DataFrame at the end)."""

from __future__ import annotations

from typing import Iterable

REMOTE = "bench"
_NAT = -(2**63)


class Columns:
    def __init__(self, bucket: str):
        self.bucket = bucket
        self.path: list[str] = []
        self.is_dir: list[bool] = []
        self.size: list[int] = []
        self.mtime: list[int] = []
        self.etag: list[str | None] = []
        self.storage_class: list[str | None] = []

    def add_dirs(self, prefixes: Iterable[str]) -> None:
        b = self.bucket
        for p in prefixes:
            self.path.append(f"{b}/{p.rstrip('/')}")
            self.is_dir.append(True)
            self.size.append(0)
            self.mtime.append(_NAT)
            self.etag.append(None)
            self.storage_class.append(None)

    def add_file(self, key: str, size: int, mtime, etag: str | None, storage_class: str | None) -> None:
        self.path.append(f"{self.bucket}/{key}")
        self.is_dir.append(False)
        self.size.append(size)
        self.mtime.append(int(mtime.timestamp()))
        self.etag.append(etag.strip('"') if etag else None)
        self.storage_class.append(storage_class)

    def frame(self):
        import numpy as np
        import pandas as pd

        paths = self.path
        return pd.DataFrame(
            {
                "url": pd.array(
                    [f"{REMOTE}://{p}/" if d else f"{REMOTE}://{p}" for p, d in zip(paths, self.is_dir)], dtype="string"
                ),
                "path": pd.array(paths, dtype="string"),
                "name": pd.array([p.rsplit("/", 1)[-1] for p in paths], dtype="string"),
                "type": pd.array(["dir" if d else "file" for d in self.is_dir], dtype="string"),
                "size": np.asarray(self.size, dtype=np.int64),
                "mtime": pd.Series(np.asarray(self.mtime, dtype=np.int64).view("datetime64[s]")).dt.tz_localize("UTC"),
                "etag": pd.array(self.etag, dtype="string"),
                "storage_class": pd.array(self.storage_class, dtype="string"),
            }
        )


def boto3_frame(client, bucket: str, prefix: str, recursive: bool):
    """A boto3 paginator building the stat frame (markers skipped, as dumont does)."""
    cols = Columns(bucket)
    kw = {} if recursive else {"Delimiter": "/"}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, **kw):
        cols.add_dirs(cp["Prefix"] for cp in page.get("CommonPrefixes", ()))
        for o in page.get("Contents", ()):
            key = o["Key"]
            if key.endswith("/"):
                continue
            cols.add_file(key, o["Size"], o["LastModified"], o.get("ETag"), o.get("StorageClass"))
    return cols.frame()


def s3fs_frame(fs, bucket: str, prefix: str, recursive: bool):
    """s3fs ``ls``/``find`` with detail, into the same frame (cache dropped first by the caller)."""
    cols = Columns(bucket)
    base = f"{bucket}/{prefix}"
    if recursive:
        entries = fs.find(base, detail=True, withdirs=False).values()
    else:
        entries = fs.ls(base, detail=True)
    n = len(bucket) + 1
    for e in entries:
        if e["type"] == "directory":
            cols.add_dirs([e["name"][n:]])
        elif not e["name"].endswith("/"):
            cols.add_file(e["name"][n:], e["size"], e["LastModified"], e.get("ETag"), e.get("StorageClass"))
    return cols.frame()


def obstore_frame(store, bucket: str, prefix: str, recursive: bool):
    """obstore's Arrow listing (Rust XML parsing), finished with pyarrow compute into the frame."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    import obstore

    if recursive:
        batches = list(obstore.list(store, prefix.rstrip("/"), chunk_size=1000, return_arrow=True))
        table = pa.concat_tables([pa.table(b) for b in batches]) if batches else None  # arro3 → pyarrow (C data interface)
        dirs: list[str] = []
    else:
        res = obstore.list_with_delimiter(store, prefix.rstrip("/"), return_arrow=True)
        table = pa.table(res["objects"])
        dirs = [p for p in res["common_prefixes"]]
    cols = Columns(bucket)
    cols.add_dirs(dirs)
    dir_frame = cols.frame()
    if table is None or table.num_rows == 0:
        return dir_frame
    keys = pc.cast(table["path"], pa.string())
    n = table.num_rows
    paths = pc.binary_join_element_wise(pa.scalar(bucket), keys, "/")
    files = pd.DataFrame(
        {
            "url": pd.array(pc.binary_join_element_wise(pa.scalar(REMOTE + ":/"), paths, "/"), dtype="string"),
            "path": pd.array(paths, dtype="string"),
            "name": pd.array(pc.struct_field(pc.extract_regex(keys, r"(?P<n>[^/]*)$"), [0]), dtype="string"),
            "type": pd.array(["file"] * n, dtype="string"),
            "size": pc.cast(table["size"], pa.int64()).to_numpy(),
            "mtime": pd.Series(
                pc.cast(pc.cast(table["last_modified"], pa.timestamp("s", tz="UTC"), safe=False), pa.int64())
                .to_numpy().view("datetime64[s]")
            ).dt.tz_localize("UTC"),
            "etag": pd.array(pc.utf8_trim(table["e_tag"], '"'), dtype="string"),
            "storage_class": pd.array(pa.nulls(n, pa.string()), dtype="string"),
        }
    )
    return pd.concat([dir_frame, files], ignore_index=True) if len(dir_frame) else files
