"""Defaults that keep non-AWS stores working reach the real botocore client s3fs builds.

botocore ≥ 1.36 defaults to ``when_supported`` request checksums (aws-chunked uploads with a CRC
trailer), which R2, MinIO, Ceph and others reject; custom endpoints get ``when_required``.
Checked on the aiobotocore client the backend actually uses, and on the headers it sends.
"""

from __future__ import annotations

import pytest

from dumont_nb.api import filesystem
from dumont_nb.config import parse_config


def _botocore_config(settings: dict, name: str = "store"):
    config = parse_config({"remotes": {name: settings}}, source="<test>")
    fs = filesystem(name, config=config)
    s3fs_fs = fs.client.fs
    fs.client.run(s3fs_fs.set_session)  # builds the aiobotocore client; no request is sent
    return s3fs_fs._s3.meta.config


def test_custom_endpoint_gets_when_required(s3_server):
    cfg = _botocore_config(s3_server.remote_settings())
    assert cfg.request_checksum_calculation == "when_required"
    assert cfg.response_checksum_validation == "when_required"
    assert cfg.s3["addressing_style"] == "path"


def test_aws_keeps_botocore_defaults():
    cfg = _botocore_config({"type": "s3", "region": "eu-west-1",
                            "credentials": {"access_key_id": "AKIDEXAMPLE", "secret_access_key": "x" * 20}})
    assert cfg.request_checksum_calculation == "when_supported"
    assert cfg.response_checksum_validation == "when_supported"
    assert not (cfg.s3 or {}).get("addressing_style")


def test_explicit_checksums_setting_wins(s3_server):
    cfg = _botocore_config(s3_server.remote_settings(checksums="when_supported"))
    assert cfg.request_checksum_calculation == "when_supported"


def test_r2_style_remote_signs_for_region_auto():
    cfg = _botocore_config({
        "type": "s3", "endpoint": "https://acct.r2.cloudflarestorage.com", "region": "auto", "path_style": True,
        "credentials": {"access_key_id": "AKIDEXAMPLE", "secret_access_key": "x" * 20},
    }, name="r2")
    assert cfg.region_name == "auto"
    assert cfg.request_checksum_calculation == "when_required"
    assert cfg.s3["addressing_style"] == "path"


@pytest.mark.parametrize("checksums, with_crc", [("when_required", False), ("when_supported", True)])
def test_what_goes_on_the_wire(s3_server, bucket, s3, checksums, with_crc):
    """With when_required a PutObject carries no CRC checksum (header or aws-chunked trailer)."""
    config = parse_config({"remotes": {"store": s3_server.remote_settings(checksums=checksums)}}, source="<test>")
    fs = filesystem("store", config=config)
    sent = []
    fs.client.run(fs.client.fs.set_session)
    fs.client.fs._s3.meta.events.register(
        "before-send.s3.PutObject", lambda request, **kw: sent.append(dict(request.headers))
    )
    with fs.open(f"{bucket}/file.txt", "wb") as f:
        f.write(b"hello checksums")
    assert len(sent) == 1
    names = {k.lower() for k in sent[0]}
    crc = {"x-amz-checksum-crc32", "x-amz-trailer", "x-amz-sdk-checksum-algorithm"} & names
    assert bool(crc) is with_crc, names
    assert s3.get_object(Bucket=bucket, Key="file.txt")["Body"].read() == b"hello checksums"
