"""Object versions and presigned links against moto (a versioned bucket), boto3 the oracle; the
clear refusal on moto without versioning and on s3rver."""

from __future__ import annotations

import urllib.request
from datetime import timedelta

import pytest
from _magics import ip, ipython, line  # noqa: F401  (fixtures)
from IPython.core.error import UsageError

import dumont_nb
from dumont_nb.errors import NotSupportedError
from dumont_nb.vfs import registry


@pytest.fixture
def versioned(s3, bucket):
    """``k`` with three versions (v1 "one", v2 "two", v3 "three!"), ``gone`` deleted (a delete
    marker on top of one version), ``d/x`` in a folder, and a folder marker ``d/``."""
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    ids = [s3.put_object(Bucket=bucket, Key="k", Body=body)["VersionId"] for body in (b"one", b"two", b"three!")]
    s3.put_object(Bucket=bucket, Key="gone", Body=b"was here")
    s3.delete_object(Bucket=bucket, Key="gone")
    s3.put_object(Bucket=bucket, Key="d/", Body=b"")
    s3.put_object(Bucket=bucket, Key="d/x", Body=b"x")
    return bucket, ids


def _oracle(s3, bucket):
    resp = s3.list_object_versions(Bucket=bucket)
    rows = [(v["Key"], v["VersionId"], v["IsLatest"], False, v["Size"]) for v in resp.get("Versions", ())]
    rows += [(d["Key"], d["VersionId"], d["IsLatest"], True, 0) for d in resp.get("DeleteMarkers", ())]
    return {r for r in rows if not r[0].endswith("/")}


def test_versions_table_matches_the_store(config, s3, versioned):
    bucket, ids = versioned
    df = dumont_nb.listing(f"moto://{bucket}/", versions=True, recursive=True, config=config)
    got = {(p.split("/", 1)[1], v, bool(latest), bool(dm), int(size))
           for p, v, latest, dm, size in zip(df["path"], df["version_id"], df["is_latest"], df["delete_marker"], df["size"])}
    assert got == _oracle(s3, bucket)
    assert str(df["version_id"].dtype) == "string" and str(df["is_latest"].dtype) == "boolean"
    k = df[df["name"] == "k"]
    assert list(k["version_id"]) == ids[::-1]  # newest first within a key
    assert list(k["is_latest"]) == [True, False, False] and list(k["size"]) == [6, 3, 3]
    gone = df[df["name"] == "gone"]
    assert list(gone["delete_marker"]) == [True, False] and bool(gone["is_latest"].iloc[0])


def test_versions_one_level_shows_folders_and_hides_markers(config, versioned):
    bucket, _ = versioned
    df = dumont_nb.listing(f"moto://{bucket}/", versions=True, config=config)
    assert ("d", "dir") in set(zip(df["name"], df["type"]))
    assert df.loc[df["type"] == "dir", "is_latest"].isna().all()
    assert not any(df["path"].str.endswith("/"))


def test_without_versions_nothing_changes(config, versioned):
    bucket, _ = versioned
    df = dumont_nb.listing(f"moto://{bucket}/", recursive=True, config=config)
    assert sorted(df["name"]) == ["k", "x"]  # "gone" (latest is a delete marker) is absent
    assert "version_id" not in df.columns


def test_open_an_old_version_with_ranged_reads_pinned_to_it(config, versioned, request_log):
    bucket, ids = versioned
    registry.activate(config)
    with dumont_nb.open(f"moto://{bucket}/k", "rb", version_id=ids[0]) as f:
        f.seek(1)
        assert f.read(1) == b"n" and f.read() == b"e"
    gets = request_log.requests("GetObject")
    assert gets and all(g.params.get("versionId") == [ids[0]] for g in gets)
    with dumont_nb.filesystem("moto").open(f"{bucket}/k", "r", version_id=ids[1]) as t:
        assert t.read() == "two"
    with pytest.raises(FileNotFoundError, match="no version 'nope'"):
        dumont_nb.open(f"moto://{bucket}/k", "rb", version_id="nope")
    with pytest.raises(ValueError, match="version_id is for reading"):
        dumont_nb.open(f"moto://{bucket}/k", "wb", version_id=ids[0])


def test_restore_is_a_server_side_copy(config, s3, versioned, request_log):
    bucket, ids = versioned
    new = dumont_nb.restore(f"moto://{bucket}/k", ids[0], config=config)
    ops = [r.op for r in request_log.requests()]
    assert "CopyObject" in ops and "GetObject" not in ops and "PutObject" not in ops  # nothing through the notebook
    assert new and new not in ids
    head = s3.head_object(Bucket=bucket, Key="k")
    assert head["VersionId"] == new and s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"one"
    with pytest.raises(FileNotFoundError):
        dumont_nb.restore(f"moto://{bucket}/k", "no-such-version", config=config)


def test_presigned_get_and_put_work_with_plain_urllib(config, s3, versioned):
    bucket, _ = versioned
    secret = config.remote("moto").credentials.secret_access_key.target
    link = dumont_nb.presign(f"moto://{bucket}/k", config=config)
    assert "X-Amz-Signature=" in link and secret not in link
    with urllib.request.urlopen(link, timeout=30) as resp:
        assert resp.read() == b"three!"
    put = dumont_nb.presign(f"moto://{bucket}/up.txt", method="PUT", expires=timedelta(minutes=5), config=config)
    # urllib's default Content-Type is a form, which moto's werkzeug consumes as form fields
    req = urllib.request.Request(put, data=b"uploaded by link", method="PUT",
                                 headers={"Content-Type": "application/octet-stream"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.status == 200
    assert s3.get_object(Bucket=bucket, Key="up.txt")["Body"].read() == b"uploaded by link"
    assert "X-Amz-Expires=300" in put


@pytest.mark.parametrize("expires", [0, -5, 7 * 86400 + 1, timedelta(days=8)])
def test_presign_expiry_is_bounded_to_seven_days(config, bucket, expires):
    with pytest.raises(ValueError, match="between 1 second and 7 days"):
        dumont_nb.presign(f"moto://{bucket}/k", expires=expires, config=config)


def test_presign_refuses_other_methods_and_folders(config, bucket):
    with pytest.raises(ValueError, match="'GET' or 'PUT'"):
        dumont_nb.presign(f"moto://{bucket}/k", method="DELETE", config=config)
    with pytest.raises(dumont_nb.InvalidURLError):
        dumont_nb.presign(f"moto://{bucket}/folder/", config=config)


def test_unversioned_bucket_gives_one_clear_line(config, bucket):
    with pytest.raises(NotSupportedError) as info:
        dumont_nb.listing(f"moto://{bucket}/", versions=True, config=config)
    text = str(info.value)
    assert "versioning is not enabled" in text and "put-bucket-versioning" in text and "\n" not in text
    with pytest.raises(NotSupportedError, match="put-bucket-versioning"):
        dumont_nb.restore(f"moto://{bucket}/k", "v", config=config)


def test_s3rver_gives_the_clear_line_too(s3rver_server):
    from dumont_nb.config import parse_config

    name = "unver-" + __import__("uuid").uuid4().hex[:8]
    s3rver_server.boto3_client().create_bucket(Bucket=name)
    cfg = parse_config({"remotes": {"srv": s3rver_server.remote_settings()}})
    with pytest.raises(NotSupportedError, match="put-bucket-versioning"):
        dumont_nb.listing(f"srv://{name}/", versions=True, config=cfg)


def test_caps_of_a_bucket_show_versioning_and_presign(ip, versioned):
    bucket, _ = versioned
    df = line(ip, f"caps moto://{bucket}/").set_index("capability")
    assert bool(df.loc["versioning", "value"]) and f"enabled on {bucket}" == df.loc["versioning", "why"]
    assert bool(df.loc["presign", "value"]) and "SigV4" in df.loc["presign", "why"]


def test_magics_versions_restore_share(ip, s3, versioned, capsys):
    bucket, ids = versioned
    df = line(ip, f"versions -r moto://{bucket}/")
    assert {"version_id", "is_latest", "delete_marker"} <= set(df.columns) and len(df) == 6
    line(ip, f"restore moto://{bucket}/k {ids[1]}")
    out = capsys.readouterr().out
    assert f"from version {ids[1]}" in out and s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"
    line(ip, f"share moto://{bucket}/k --expires 30m")
    link = capsys.readouterr().out.strip()
    assert "X-Amz-Expires=1800" in link
    with urllib.request.urlopen(link, timeout=30) as resp:
        assert resp.read() == b"two"
    line(ip, f"share moto://{bucket}/new.bin --put --expires 7d")
    assert "X-Amz-Expires=604800" in capsys.readouterr().out
    with pytest.raises(UsageError, match="expected a duration like 30m"):
        line(ip, f"share moto://{bucket}/k --expires soon")
    with pytest.raises(UsageError, match="between 1 second and 7 days"):
        line(ip, f"share moto://{bucket}/k --expires 8d")
    with pytest.raises(UsageError, match="versioning is not enabled"):
        s3.create_bucket(Bucket=f"{bucket}-plain")
        line(ip, f"versions moto://{bucket}-plain/")
