"""The browser's Versions panel and Copy link action, through traitlets and clicks, against a
versioned moto bucket (boto3 the oracle) and an unversioned one."""

from __future__ import annotations

import urllib.request

import pytest
from test_widget_actions import run

from dumont_nb.testing import MemoryFileSystem
from dumont_nb.widget import browse


@pytest.fixture
def versioned(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    ids = [s3.put_object(Bucket=bucket, Key="r.csv", Body=body)["VersionId"] for body in (b"a,b\n1,2\n", b"a,b\n9,9\n")]
    return bucket, ids


def test_versions_panel_lists_previews_downloads_and_restores(config, s3, versioned, tmp_path, monkeypatch):
    bucket, (v1, v2) = versioned
    b = browse(f"moto://{bucket}/", config=config)
    b.listing.selected = [f"moto://{bucket}/r.csv"]
    assert not b.buttons["versions"].disabled, b.buttons["versions"].tooltip
    b.buttons["versions"].click()
    panel = b._preview.children[0]
    assert [v.version_id for v in panel.versions] == [v2, v1] and "(latest)" in panel.choice.options[0][0]
    panel.choice.value = v1
    panel.preview_button.click()
    assert "1,2" in panel.output.value
    monkeypatch.chdir(tmp_path)
    panel.download_button.click()
    assert (tmp_path / f"r.{v1[:8]}.csv").read_bytes() == b"a,b\n1,2\n" and "downloaded version" in b.message
    panel.restore_button.click()
    assert v1 in panel.confirm.children[0].value and "UTC" in panel.confirm.children[0].value
    assert s3.get_object(Bucket=bucket, Key="r.csv")["Body"].read() == b"a,b\n9,9\n"  # not before the confirmation
    panel.confirm_button.click()
    assert s3.get_object(Bucket=bucket, Key="r.csv")["Body"].read() == b"a,b\n1,2\n"
    assert f"from version {v1}" in b.message


def test_copy_link_gives_a_working_link(config, versioned):
    bucket, _ = versioned
    b = browse(f"moto://{bucket}/", config=config)
    b.listing.selected = [f"moto://{bucket}/r.csv"]
    run(b, "link", "30m")
    link = b.listing.clipboard
    assert link.startswith("http") and "X-Amz-Expires=1800" in link and link in b.actions._code_text.value
    with urllib.request.urlopen(link, timeout=30) as resp:
        assert resp.read() == b"a,b\n9,9\n"
    secret = config.remote("moto").credentials.secret_access_key.target
    assert secret not in b.actions._code_text.value


def test_disabled_with_the_reason_where_capabilities_say_no(config, s3, bucket):
    s3.put_object(Bucket=bucket, Key="f.txt", Body=b"1")
    b = browse(f"moto://{bucket}/", config=config)
    b.listing.selected = [f"moto://{bucket}/f.txt"]
    assert b.buttons["versions"].disabled and "put-bucket-versioning" in b.buttons["versions"].tooltip
    assert not b.buttons["link"].disabled  # S3 can sign links on any bucket
    mem = MemoryFileSystem(buckets=["data"], name="mem")
    mem.raw_put("data", "f.txt", b"1")
    m = browse("mem://data/", fs=mem)
    m.listing.selected = ["mem://data/f.txt"]
    assert m.buttons["link"].disabled and "no URL" in m.buttons["link"].tooltip
    assert m.buttons["versions"].disabled and "not kept" in m.buttons["versions"].tooltip
