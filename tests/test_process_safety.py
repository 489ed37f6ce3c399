"""Forked children, verbose tracebacks and long names (reliability review, items 7-9).

- After the parent used a remote, a ``multiprocessing`` fork child reading through the fsspec
  protocol raised ``RuntimeError: This class is not fork-safe``: the instance cache now knows
  process ids.
- With ``%xmode Verbose`` a failing first connection printed a frame whose local ``kwargs``
  held the resolved key and secret (and a notebook saves that output): resolved values now go
  straight into the session's credentials object.
- Downloading a key whose name is near 255 bytes failed with ``ENAMETOOLONG`` (the temporary
  name added ~20 bytes).
"""

from __future__ import annotations

import multiprocessing
import sys

import pandas as pd
import pytest
from _magics import CANARY_KEY, CANARY_SECRET, ip, ipython, line  # noqa: F401  (fixtures)

from dumont_nb.vfs import registry
import dumont_nb
from dumont_nb import api
from dumont_nb.config import parse_config


def _child_reads(url: str, queue) -> None:
    try:
        queue.put(("ok", pd.read_csv(url).to_dict("list")))
    except BaseException as exc:  # reported to the parent, which asserts on it
        queue.put(("error", f"{type(exc).__name__}: {exc}"))


@pytest.mark.skipif(sys.platform != "linux", reason="fork is the default start method on Linux only")
def test_fork_child_reads_through_the_protocol_after_the_parent_did(config, s3, bucket):
    s3.put_object(Bucket=bucket, Key="t.csv", Body=b"a,b\n1,2\n")
    api.use_config(config)
    url = f"moto://{bucket}/t.csv"
    assert pd.read_csv(url).to_dict("list") == {"a": [1], "b": [2]}  # the parent's backend is live
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child_reads, args=(url, queue))
    child.start()
    try:
        status, value = queue.get(timeout=120)
    finally:
        child.join(30)
    assert (status, value) == ("ok", {"a": [1], "b": [2]})
    assert pd.read_csv(url).to_dict("list") == {"a": [1], "b": [2]}  # the parent still works


@pytest.fixture
def verbose(ipython):
    ipython.run_line_magic("xmode", "Verbose")
    yield ipython
    ipython.run_line_magic("xmode", "Context")


@pytest.mark.parametrize("region", ["bad region!", "us-east-1"])  # fails creating the client / connecting
def test_verbose_traceback_of_a_failing_first_connection_shows_no_secret(verbose, monkeypatch, capsys, region):
    monkeypatch.setenv("DUMONT_CANARY_KEY", CANARY_KEY)
    monkeypatch.setenv("DUMONT_CANARY_SECRET", CANARY_SECRET)
    cfg = parse_config({"remotes": {"dead": {
        "type": "s3", "endpoint": "http://127.0.0.1:9", "region": region, "path_style": True, "max_attempts": 1,
        "credentials": {"access_key_id": "env:DUMONT_CANARY_KEY", "secret_access_key": "env:DUMONT_CANARY_SECRET"}}}})
    monkeypatch.setattr(registry, "_active", cfg)
    result = verbose.run_cell("import dumont_nb\ndumont_nb.filesystem('dead').readdir('bkt')")
    shown = capsys.readouterr().out
    assert not result.success and "Traceback" in shown or "StoreError" in shown
    assert CANARY_SECRET not in shown
    tb = sys.last_traceback
    while tb is not None:  # no frame the user can be shown holds the secret in a local
        for name, value in tb.tb_frame.f_locals.items():
            try:
                text = repr(value)
            except Exception:
                continue
            assert CANARY_SECRET not in text, (tb.tb_frame.f_code.co_name, name)
        tb = tb.tb_next


def test_download_of_a_key_near_255_bytes(config, s3, bucket, tmp_path, ip, capsys):
    name = "é" * 100 + "n" * 46 + ".txt"  # 250 bytes in UTF-8
    assert len(name.encode()) == 250
    s3.put_object(Bucket=bucket, Key=f"long/{name}", Body=b"long name")
    api.use_config(config)
    dumont_nb.copy(f"moto://{bucket}/long/{name}", tmp_path, progress=False)
    assert (tmp_path / name).read_bytes() == b"long name"
    dumont_nb.copy(f"moto://{bucket}/long/", tmp_path / "tree", recursive=True, progress=False)
    assert (tmp_path / "tree" / name).read_bytes() == b"long name"
    line(ip, f"cp moto://{bucket}/long/{name} {tmp_path / 'magic'}/")
    assert (tmp_path / "magic" / name).read_bytes() == b"long name"
    assert not [p for p in tmp_path.rglob("*.dumont-part")]
