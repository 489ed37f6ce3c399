"""Remotes handed to the data stack: ``storage_options`` for polars and pyarrow (secrets hidden
in its repr), ``register_duckdb`` for DuckDB, and every "Copy as code" engine snippet run in a
fresh Jupyter kernel against moto with credentials from ``env:`` references only."""

from __future__ import annotations

import io
import json
import pickle
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from dumont_nb import api
from dumont_nb.config import parse_config
from dumont_nb.engines import register_duckdb, storage_options
from dumont_nb.protocols import register_remotes
from dumont_nb.testing.server import TEST_KEY, TEST_SECRET
from dumont_nb.vfs import registry
from dumont_nb.widget.snippets import ENGINES, snippet

FRAME = pd.DataFrame({"city": ["Lyon", "Nantes", "Brest"], "n": [3, 1, 4]})


@pytest.fixture
def env_config(s3_server, monkeypatch):
    """A config whose remote ``moto`` takes its credentials from ``env:`` references."""
    monkeypatch.setenv("DN_TEST_KEY", TEST_KEY)
    monkeypatch.setenv("DN_TEST_SECRET", TEST_SECRET)
    settings = s3_server.remote_settings()
    settings["credentials"] = {"access_key_id": "env:DN_TEST_KEY", "secret_access_key": "env:DN_TEST_SECRET"}
    before = registry._active
    monkeypatch.setattr(registry, "_active", before)
    cfg = api.use_config({"remotes": {"moto": settings}})
    yield cfg, settings
    register_remotes(before if before is not None else parse_config({}))


def _seed(s3, bucket):
    buf = io.BytesIO()
    FRAME.to_parquet(buf, index=False)
    s3.put_object(Bucket=bucket, Key="t/x.parquet", Body=buf.getvalue())
    s3.put_object(Bucket=bucket, Key="t/x.csv", Body=FRAME.to_csv(index=False).encode())
    s3.put_object(Bucket=bucket, Key="t/x.jsonl", Body=FRAME.to_json(orient="records", lines=True).encode())
    # glob characters in a name: a reader that expands patterns must read this file, not others
    s3.put_object(Bucket=bucket, Key=GLOBBY, Body=FRAME.to_csv(index=False).encode())
    s3.put_object(Bucket=bucket, Key="t/x 1 ab.csv", Body=b"city,n\nDecoy,0\n")  # what it matches as a pattern


GLOBBY = "t/x [1] *?.csv"


def test_storage_options_hide_the_secret_and_polars_reads_with_them(env_config, s3, bucket):
    _seed(s3, bucket)
    opts = storage_options("moto", engine="polars")
    assert opts["aws_secret_access_key"] == TEST_SECRET  # the engine gets the value ...
    for shown in (repr(opts), str(opts), f"{opts}"):  # ... a notebook shows none
        assert TEST_SECRET not in shown and "***" in shown
    assert TEST_KEY in repr(opts)  # an access key id is not a secret
    assert pickle.loads(pickle.dumps(opts)) == dict(opts)
    # polars reads in its own process: its Rust runtime takes over SIGINT in the process that ran a
    # query, which would delay Ctrl-C for the interrupt tests that follow in this one (seen: a
    # rename then finished all its copies before the KeyboardInterrupt arrived)
    _, settings = env_config
    code = ("import json, sys, dumont_nb, polars as pl\n"
            "dumont_nb.use_config({'remotes': {'moto': json.loads(sys.argv[1])}})\n"
            "opts = dumont_nb.storage_options('moto', engine='polars')\n"
            f"print(pl.read_parquet('s3://{bucket}/t/x.parquet', storage_options=opts).to_pandas().to_json())")
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(settings)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    pd.testing.assert_frame_equal(pd.read_json(io.StringIO(proc.stdout)), FRAME)


def test_pyarrow_filesystem_from_storage_options(env_config, s3, bucket):
    import pyarrow.fs
    import pyarrow.parquet as pq

    _seed(s3, bucket)
    opts = storage_options("moto", engine="pyarrow")
    assert TEST_SECRET not in repr(opts)
    table = pq.read_table(f"{bucket}/t/x.parquet", filesystem=pyarrow.fs.S3FileSystem(**opts))
    pd.testing.assert_frame_equal(table.to_pandas(), FRAME)


def test_s3fs_options_and_unknown_engine(env_config, s3, bucket):
    _seed(s3, bucket)
    opts = storage_options("moto", engine="s3fs")
    assert TEST_SECRET not in repr(opts)
    back = pd.read_csv(f"s3://{bucket}/t/x.csv", storage_options=dict(opts))
    pd.testing.assert_frame_equal(back, FRAME)
    with pytest.raises(ValueError, match="unknown engine 'spark'; use one of polars"):
        storage_options("moto", engine="spark")


def test_duckdb_queries_a_remote_after_register_duckdb(env_config, s3, bucket):
    import duckdb

    _seed(s3, bucket)
    con = register_duckdb(duckdb.connect())
    got = con.sql(f"SELECT city, n FROM read_parquet('moto://{bucket}/t/x.parquet') ORDER BY n").df()
    assert got["city"].tolist() == ["Nantes", "Lyon", "Brest"]


_CHECK = {  # what each engine's df is, as pandas
    "pandas": "df", "polars": "df.to_pandas()", "duckdb": "df", "pyarrow": "df", "dask": "df.compute()",
}


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", ["x.parquet", "x.csv", GLOBBY[2:]])
def test_every_engine_snippet_runs_in_a_fresh_kernel(engine, name, env_config, s3, bucket, tmp_path, monkeypatch):
    from jupyter_client.manager import start_new_kernel

    _seed(s3, bucket)
    _, settings = env_config
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({"remotes": {"moto": settings}}))
    monkeypatch.setenv("DUMONT_CONFIG", str(cfg))  # what a user's config file would be; the kernel inherits it
    code = snippet(f"moto://{bucket}/t/", [f"moto://{bucket}/t/{name}"], engine=engine)
    assert TEST_SECRET not in code and TEST_KEY not in code
    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=60)
    try:
        reply = kc.execute_interactive(code, timeout=120)
        assert reply["content"]["status"] == "ok", reply["content"]
        check = f"__import__('json').dumps({_CHECK[engine]}.astype({{'n': 'int64'}})[['city', 'n']].values.tolist())"
        outputs = []
        reply = kc.execute_interactive(f"print({check})", timeout=120, output_hook=outputs.append)
        assert reply["content"]["status"] == "ok", reply["content"]
        text = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
        assert text.strip() == '[["Lyon", 3], ["Nantes", 1], ["Brest", 4]]'
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
