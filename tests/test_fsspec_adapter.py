"""Every remote an fsspec protocol: pandas/pyarrow through ``moto://``, the vfs contracts through
the adapter, protocol-name collisions, and serialization without secrets."""

from __future__ import annotations

import json
import pickle

import fsspec
from fsspec.registry import registry as fsspec_registry
import pandas as pd
import pytest

from dumont_nb.vfs import registry
from dumont_nb import api
from dumont_nb.config import parse_config
from dumont_nb.errors import ConfigError, CredentialError
from dumont_nb.fsspec_adapter import DumontFileSystem
from dumont_nb.protocols import register_remotes, registered_remotes
from dumont_nb.testing.server import TEST_KEY, TEST_SECRET


@pytest.fixture
def restore_registry(monkeypatch):
    """Leave the active config and fsspec's registry as they were."""
    before = registry._active
    monkeypatch.setattr(registry, "_active", before)
    yield
    register_remotes(before if before is not None else parse_config({}))  # drops the test's protocols


@pytest.fixture
def active(config, restore_registry):
    """``use_config(config)``: the remote ``moto`` is now an fsspec protocol."""
    api.use_config(config)
    return config


def frame():
    return pd.DataFrame({"city": ["Lyon", "Nantes", "Brest"], "n": [3, 1, 4], "x": [0.5, 1.5, -2.0]})


def test_pandas_csv_round_trip_through_the_protocol(active, s3, s3_server, bucket):
    df = frame()
    df.to_csv(f"moto://{bucket}/data/table.csv", index=False)
    # one whole-object write, no directory marker for the parent fsspec "makes"
    assert [(r.op, r.key) for r in s3_server.log] == [("PutObject", "data/table.csv")]
    body = s3.get_object(Bucket=bucket, Key="data/table.csv")["Body"].read()
    assert body == df.to_csv(index=False).encode()
    back = pd.read_csv(f"moto://{bucket}/data/table.csv")
    pd.testing.assert_frame_equal(back, df)


def test_parquet_round_trip_with_pyarrow(active, s3, s3_server, bucket):
    df = frame()
    df.to_parquet(f"moto://{bucket}/out/table.parquet")
    head = s3.head_object(Bucket=bucket, Key="out/table.parquet")
    assert head["ContentLength"] > 0
    assert s3_server.count("CreateMultipartUpload") == 0  # a small object is one whole PutObject
    pd.testing.assert_frame_equal(pd.read_parquet(f"moto://{bucket}/out/table.parquet"), df)


def test_adapter_keeps_the_vfs_contracts(active, s3, s3_server, bucket):
    fs = fsspec.filesystem("moto")
    assert isinstance(fs, DumontFileSystem)
    s3.put_object(Bucket=bucket, Key="d/", Body=b"")  # a marker
    s3.put_object(Bucket=bucket, Key="d/a.txt", Body=b"hello")
    names = fs.ls(f"moto://{bucket}/d", detail=False)
    assert names == [f"{bucket}/d/a.txt"]  # the marker is hidden
    info = fs.info(f"{bucket}/d/a.txt")
    assert info["type"] == "file" and info["size"] == 5 and info["mtime"].microsecond == 0
    assert fs.info(f"{bucket}/d")["type"] == "directory"
    assert fs.cat_file(f"moto://{bucket}/d/a.txt") == b"hello"
    assert fs.cat_file(f"{bucket}/d/a.txt", start=1, end=3) == b"el"
    with fs.open(f"{bucket}/d/new.bin", "wb") as f:
        f.write(b"whole")
        assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="d/new.bin")  # not before close
    assert s3.get_object(Bucket=bucket, Key="d/new.bin")["Body"].read() == b"whole"
    fs.mkdir(f"{bucket}/e")
    assert s3.head_object(Bucket=bucket, Key="e/")["ContentLength"] == 0
    assert f"{bucket}/e" in fs.ls(bucket, detail=False)
    fs.mv(f"{bucket}/d/new.bin", f"{bucket}/e/moved.bin")
    assert s3.get_object(Bucket=bucket, Key="e/moved.bin")["Body"].read() == b"whole"
    s3_server.clear()
    fs.copy(f"moto://{bucket}/d/a.txt", f"moto://{bucket}/c/a-copy.txt")
    assert s3_server.count("CopyObject") == 1 and s3_server.count("GetObject") == 0  # server-side
    assert s3.get_object(Bucket=bucket, Key="c/a-copy.txt")["Body"].read() == b"hello"
    fs.rm(f"{bucket}/d", recursive=True)
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="d/")
    assert bucket in fs.ls("moto://", detail=False)
    with pytest.raises(FileNotFoundError):
        fs.info(f"{bucket}/nope")


def test_find_is_one_recursive_listing(active, s3, s3_server, bucket):
    for k in ("a/1", "a/b/2", "a/b/c/3", "z"):
        s3.put_object(Bucket=bucket, Key=k, Body=b"1")
    s3_server.clear()
    fs = fsspec.filesystem("moto")
    assert fs.find(f"moto://{bucket}/a") == [f"{bucket}/a/1", f"{bucket}/a/b/2", f"{bucket}/a/b/c/3"]
    assert s3_server.count() == 1 and s3_server.count("ListObjectsV2") == 1
    assert fs.glob(f"{bucket}/a/**/3") == [f"{bucket}/a/b/c/3"]


@pytest.mark.parametrize("name", ["s3", "gcs", "file", "memory"])
def test_a_name_fsspec_knows_is_refused_at_load(s3_server, restore_registry, name):
    doc = {"remotes": {"mine": s3_server.remote_settings(), name: s3_server.remote_settings()}}
    with pytest.raises(ConfigError, match=rf"remote '{name}'.*fsspec protocol {name}://.*override_protocol: true"):
        api.use_config(doc)
    assert "mine" not in fsspec_registry  # nothing registered: checked before any
    assert name not in registered_remotes()


def test_override_protocol_replaces_and_reload_restores(s3_server, restore_registry, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k.txt", Body=b"ours")
    api.use_config({"remotes": {"s3": s3_server.remote_settings(override_protocol=True)}})
    fs = fsspec.filesystem("s3")
    assert isinstance(fs, DumontFileSystem)
    with fsspec.open(f"s3://{bucket}/k.txt", "rb") as f:
        assert f.read() == b"ours"
    api.use_config({"remotes": {"moto": s3_server.remote_settings()}})
    assert "s3" not in registered_remotes()
    assert not issubclass(fsspec.get_filesystem_class("s3"), DumontFileSystem)


def test_pickle_carries_references_and_resolves_where_unpickled(s3_server, restore_registry, monkeypatch, s3, bucket):
    s3.put_object(Bucket=bucket, Key="p.txt", Body=b"pickled")
    monkeypatch.setenv("DUMONT_T_KEY", TEST_KEY)
    monkeypatch.setenv("DUMONT_T_SECRET", TEST_SECRET)
    settings = s3_server.remote_settings(credentials={"access_key_id": "env:DUMONT_T_KEY", "secret_access_key": "env:DUMONT_T_SECRET"})
    api.use_config({"remotes": {"moto": settings}})
    fs = fsspec.filesystem("moto")
    assert fs.cat_file(f"{bucket}/p.txt") == b"pickled"  # credentials resolved in this process
    blob = pickle.dumps(fs)
    assert TEST_SECRET.encode() not in blob and b"env:DUMONT_T_SECRET" in blob
    assert pickle.loads(blob).vfs is fs.vfs  # same process, same config: the same backend
    registry.activate(parse_config({}))  # now like a worker process that never loaded the config (backends closed)
    monkeypatch.delenv("DUMONT_T_SECRET")
    worker = pickle.loads(blob)  # e.g. a Dask worker without the variable
    with pytest.raises(CredentialError, match="env:DUMONT_T_SECRET"):
        worker.cat_file(f"{bucket}/p.txt")  # the reference is resolved where it is unpickled
    monkeypatch.setenv("DUMONT_T_SECRET", TEST_SECRET)
    assert pickle.loads(blob).cat_file(f"{bucket}/p.txt") == b"pickled"


def test_to_json_has_references_never_secrets(s3_server, restore_registry, monkeypatch, s3, bucket):
    s3.put_object(Bucket=bucket, Key="j.txt", Body=b"json")
    monkeypatch.setenv("DUMONT_T_SECRET", TEST_SECRET)
    settings = s3_server.remote_settings(credentials={"access_key_id": TEST_KEY, "secret_access_key": "env:DUMONT_T_SECRET"})
    api.use_config({"remotes": {"moto": settings}})
    fs = fsspec.filesystem("moto")
    text = fs.to_json()
    assert TEST_SECRET not in text and TEST_KEY not in text  # the literal key id is withheld too
    d = json.loads(text)
    assert d["credentials_redacted"] is True and d["remote"]["endpoint"] == s3_server.endpoint
    with pytest.raises(CredentialError, match="literal"):
        fsspec.AbstractFileSystem.from_json(text)

    monkeypatch.setenv("DUMONT_T_KEY", TEST_KEY)
    refs = s3_server.remote_settings(credentials={"access_key_id": "env:DUMONT_T_KEY", "secret_access_key": "env:DUMONT_T_SECRET"})
    api.use_config({"remotes": {"moto": refs}})
    text = fsspec.filesystem("moto").to_json(include_password=True)
    assert TEST_SECRET not in text and "env:DUMONT_T_SECRET" in text
    rebuilt = fsspec.AbstractFileSystem.from_json(text)
    assert isinstance(rebuilt, DumontFileSystem) and rebuilt.protocol == "moto"
    assert rebuilt.cat_file(f"moto://{bucket}/j.txt") == b"json"


def test_reload_drops_remotes_that_are_gone(s3_server, restore_registry):
    api.use_config({"remotes": {"one": s3_server.remote_settings(), "two": s3_server.remote_settings()}})
    assert {"one", "two"} <= set(fsspec_registry)
    api.use_config({"remotes": {"one": s3_server.remote_settings()}})
    assert "one" in fsspec_registry and "two" not in fsspec_registry


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:The inplace keyword")  # dask's own use of pandas
def test_dask_ships_the_filesystem_to_worker_processes(active, s3, bucket):
    """Dask pickles the filesystem into spawned worker processes that never loaded the config."""
    import dask.dataframe as dd  # dask[dataframe] is in the test extra
    for i in range(3):
        s3.put_object(Bucket=bucket, Key=f"parts/p{i}.csv", Body=f"a,b\n{i},x\n{i + 10},y\n".encode())
    ddf = dd.read_csv(f"moto://{bucket}/parts/*.csv")
    assert int(ddf.a.sum().compute(scheduler="processes", num_workers=2)) == sum(range(3)) + sum(range(10, 13))
    ddf.to_parquet(f"moto://{bucket}/pq/")
    assert keys_under(s3, bucket, "pq/") == ["pq/part.0.parquet", "pq/part.1.parquet", "pq/part.2.parquet"]
    back = dd.read_parquet(f"moto://{bucket}/pq/").compute()
    assert sorted(back.a.tolist()) == [0, 1, 2, 10, 11, 12]


def keys_under(s3, bucket, prefix):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", ()))
