"""``sync`` against moto with the request log, boto3 the oracle."""

from __future__ import annotations

import os
import time

import pytest
from _magics import activate, ip, ipython, line  # noqa: F401  (fixtures)

import dumont_nb
from dumont_nb.synchronize import sync

WRITES = ("PutObject", "CopyObject", "DeleteObject", "DeleteObjects", "CreateMultipartUpload", "UploadPart",
          "CompleteMultipartUpload", "UploadPartCopy")


def _writes(log, bucket):
    return [r.op for r in log.requests(bucket=bucket) if r.op in WRITES]


def _keys(s3, bucket, prefix=""):
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", ()):
            out[o["Key"]] = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
    return out


@pytest.fixture
def tree(tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_bytes(b"a")
    (src / "sub" / "b.csv").write_bytes(b"b,c\n")
    (src / "sub" / "c.bin").write_bytes(b"\x00" * 10)
    return src


def test_upload_then_no_op_then_one_change(config, s3, bucket, tree, request_log):
    r = sync(tree, f"moto://{bucket}/up/", config=config, progress=False)
    assert r.ok and sorted(r.copied) == ["a.txt", "sub/b.csv", "sub/c.bin"] and r.bytes == 15
    assert _keys(s3, bucket, "up/") == {"up/a.txt": b"a", "up/sub/b.csv": b"b,c\n", "up/sub/c.bin": b"\x00" * 10}
    request_log.clear()
    again = sync(tree, f"moto://{bucket}/up/", config=config, progress=False)
    assert again.copied == [] and sorted(again.unchanged) == ["a.txt", "sub/b.csv", "sub/c.bin"]
    assert _writes(request_log, bucket) == []  # a no-op run writes nothing
    time.sleep(1.1)  # mtimes are whole seconds
    (tree / "sub" / "b.csv").write_bytes(b"b,c\n1,2\n")
    request_log.clear()
    third = sync(tree, f"moto://{bucket}/up/", config=config, progress=False)
    assert third.copied == ["sub/b.csv"] and _writes(request_log, bucket) == ["PutObject"]
    assert "copied 1 object" in repr(third) and "<table>" in third._repr_html_()


def test_checksum_mode_never_recopies_equal_content(config, s3, bucket, tree, request_log):
    sync(tree, f"moto://{bucket}/ck/", config=config, progress=False)
    os.utime(tree / "a.txt", (time.time() + 3600, time.time() + 3600))  # newer, same content
    request_log.clear()
    r = sync(tree, f"moto://{bucket}/ck/", checksum=True, config=config, progress=False)
    assert r.copied == [] and _writes(request_log, bucket) == []
    plain = sync(tree, f"moto://{bucket}/ck/", config=config, progress=False)
    assert plain.copied == ["a.txt"]  # size + mtime says newer


def test_dry_run_sends_no_write_and_estimates(config, s3, bucket, tree, request_log):
    s3.put_object(Bucket=bucket, Key="dr/old.txt", Body=b"old")
    request_log.clear()
    r = sync(tree, f"moto://{bucket}/dr/", delete=True, dry_run=True, config=config, progress=False)
    assert _writes(request_log, bucket) == []
    assert sorted(r.copied) == ["a.txt", "sub/b.csv", "sub/c.bin"] and r.deleted == ["old.txt"] and r.dry_run
    est = r.estimate
    assert est["requests"]["PutObject"] == 3 and est["requests"]["DeleteObjects"] == 1 and est["bytes"] == 15
    assert "cost_usd" not in est  # moto is not AWS: no price
    assert "dry run" in repr(r)


def test_delete_in_batches_of_1000_after_the_copies(config, s3, s3_server, bucket, tree, request_log):
    from moto.s3.models import s3_backends

    backend = s3_backends["123456789012"]["aws"]
    for i in range(2500):
        _ = backend.put_object(bucket, f"del/stale{i:04d}", b"x").etag
    request_log.clear()
    r = sync(tree, f"moto://{bucket}/del/", delete=True, config=config, progress=False)
    assert r.ok and len(r.deleted) == 2500
    ops = _writes(request_log, bucket)
    assert ops.count("DeleteObjects") == 3 and ops.index("DeleteObjects") > max(i for i, o in enumerate(ops) if o == "PutObject")
    assert sorted(_keys(s3, bucket, "del/")) == ["del/a.txt", "del/sub/b.csv", "del/sub/c.bin"]


def test_remote_to_remote_within_one_remote_is_copy_object_only(config, s3, bucket, request_log):
    for k in ("r/1", "r/2/x"):
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    request_log.clear()
    r = sync(f"moto://{bucket}/r/", f"moto://{bucket}/mirror/", config=config, progress=False)
    assert sorted(r.copied) == ["1", "2/x"]
    ops = {o for o in (q.op for q in request_log.requests(bucket=bucket)) if o != "ListObjectsV2"}
    assert ops == {"CopyObject"}  # nothing through the notebook
    assert _keys(s3, bucket, "mirror/") == {"mirror/1": b"r/1", "mirror/2/x": b"r/2/x"}


def test_injected_503s_then_a_rerun_copies_each_missing_object_once(s3_server, s3, bucket, tree, request_log):
    from dumont_nb.config import parse_config

    cfg = parse_config({"remotes": {"moto": s3_server.remote_settings(max_attempts=1)}})
    fail = {"left": 2}

    def flaky(req):
        if req.op == "PutObject" and req.key.endswith((".csv", ".bin")) and fail["left"]:
            fail["left"] -= 1
            return 503, {"Content-Type": "application/xml"}, b"<Error><Code>SlowDown</Code><Message>x</Message></Error>"
        return None

    s3_server.faults.append(flaky)
    try:
        r = sync(tree, f"moto://{bucket}/f/", config=cfg, progress=False)
    finally:
        s3_server.faults.remove(flaky)
    assert not r.ok and sorted(r.failed) == ["sub/b.csv", "sub/c.bin"] and r.copied == ["a.txt"]
    request_log.clear()
    again = sync(tree, f"moto://{bucket}/f/", config=cfg, progress=False)
    assert again.ok and sorted(again.copied) == ["sub/b.csv", "sub/c.bin"]
    puts = [r.key for r in request_log.requests("PutObject", bucket)]
    assert sorted(puts) == ["f/sub/b.csv", "f/sub/c.bin"]  # each missing object once


def test_download_sync_writes_nothing_outside_for_hostile_keys(config, s3, bucket, tmp_path):
    for k in ("h/ok.txt", "h/../escape.txt", "h/a/../../up.txt", "h/abs//x"):
        s3.put_object(Bucket=bucket, Key=k, Body=b"1")
    out = tmp_path / "dest" / "out"
    before = {str(p) for p in tmp_path.rglob("*")}
    r = sync(f"moto://{bucket}/h/", out, config=config, progress=False)
    assert r.copied == ["ok.txt"] and len(r.skipped) == 3
    new = {str(p) for p in tmp_path.rglob("*")} - before
    assert all(p.startswith(str(out)) or p == str(out.parent) for p in new)
    assert (out / "ok.txt").read_bytes() == b"1"
    again = sync(f"moto://{bucket}/h/", out, config=config, progress=False)
    assert again.copied == [] and "ok.txt" in again.unchanged  # the download kept the object's mtime


@pytest.mark.slow
def test_ctrl_c_leaves_no_partial_object_or_upload(config, s3, bucket, tmp_path):
    import threading

    src = tmp_path / "big"
    src.mkdir()
    for i in range(3):
        (src / f"f{i}.bin").write_bytes(os.urandom(12 * 2**20))  # multipart each
    timer = threading.Timer(0.3, lambda: __import__("_thread").interrupt_main())
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            sync(src, f"moto://{bucket}/big/", config=config, progress=False, concurrency=1)
    finally:
        timer.cancel()
    for key, body in _keys(s3, bucket, "big/").items():
        assert body == (src / key.split("/", 1)[1]).read_bytes()  # whole objects only
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    r = sync(src, f"moto://{bucket}/big/", config=config, progress=False)
    assert r.ok and len(r.copied) + len(r.unchanged) == 3


def test_magic_and_cli_forms(ip, s3, bucket, tree, capsys, tmp_path):
    line(ip, f"sync -n {tree} moto://{bucket}/m/")
    out = capsys.readouterr().out
    assert "would copy 3 objects" in out and _keys(s3, bucket, "m/") == {}
    line(ip, f"sync {tree} moto://{bucket}/m/")
    assert "copied 3 objects" in capsys.readouterr().out and len(_keys(s3, bucket, "m/")) == 3
    s3.put_object(Bucket=bucket, Key="m/extra", Body=b"1")
    line(ip, f"sync --delete -y {tree} moto://{bucket}/m/")
    assert "deleted 1" in capsys.readouterr().out and "m/extra" not in _keys(s3, bucket, "m/")


def test_cli_sync(s3_server, s3, bucket, tree, tmp_path, capsys):
    import yaml

    from dumont_nb.cli import main

    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({"remotes": {"moto": s3_server.remote_settings()}}), encoding="utf-8")
    assert main(["sync", "--config", str(cfg), "-n", str(tree), f"moto://{bucket}/cli/"]) == 0
    assert "would copy 3 objects" in capsys.readouterr().out and _keys(s3, bucket, "cli/") == {}
    assert main(["sync", "--config", str(cfg), str(tree), f"moto://{bucket}/cli/"]) == 0
    assert len(_keys(s3, bucket, "cli/")) == 3
    assert main(["sync", "--config", str(cfg), str(tree / "nope"), f"moto://{bucket}/cli/"]) == 0  # nothing to copy
    assert dumont_nb.sync is sync
