"""The ListObjectsV2 parser of our own (``vfs/listparse.py``) against botocore's, differentially:
the same response bytes must give the same dict, over hostile keys and every field the stat
table uses; what it cannot be sure of goes to botocore."""

from __future__ import annotations

import pytest
from botocore.model import ServiceModel

from dumont_nb.config import parse_config
from dumont_nb.vfs import client as client_mod
from dumont_nb.vfs.client import Client, parse_timestamp
from dumont_nb.vfs.listparse import parse_list_objects_v2

# (a key with "\n" is refused by moto's server: 404 on PutObject)
HOSTILE = ["plain", "ünï/cødé", "a+b", "100%", "%41", "sp ace", "&amp;<x>\"'", "ctl\x01\x1f\x7f", "tab\there",
           "cr\rret", "émoji 🎉", "dir//double", "trailing ", "é" * 200, "+", "?q=1#f", "a\\b"]


def _pages(server, bucket, parser_on: bool, **kw):
    cfg = parse_config({"remotes": {"pp": server.remote_settings()}})
    old = client_mod.FAST_LIST_PARSER
    client_mod.FAST_LIST_PARSER = parser_on
    try:
        c = Client(cfg.remote("pp"))
        out, token = [], None
        while True:
            extra = {"ContinuationToken": token} if token else {}
            resp = c.call("list_objects_v2", Bucket=bucket, MaxKeys=7, **kw, **extra)
            resp.pop("ResponseMetadata")
            out.append(resp)
            token = resp.get("NextContinuationToken")
            if not resp.get("IsTruncated"):
                c.close()
                return out
    finally:
        client_mod.FAST_LIST_PARSER = old


@pytest.mark.parametrize("kw", [{}, {"Delimiter": "/"}, {"Prefix": "dir/"}, {"StartAfter": "a"}],
                         ids=["recursive", "delimiter", "prefix", "start-after"])
def test_same_dicts_as_botocore_on_real_pages(s3_server, s3, bucket, kw, monkeypatch):
    from dumont_nb.vfs import listparse

    for k in HOSTILE:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    s3.put_object(Bucket=bucket, Key="dir/", Body=b"")
    handled = []
    real = listparse.parse_list_objects_v2
    monkeypatch.setattr(listparse, "parse_list_objects_v2", lambda *a: handled.append(real(*a)) or handled[-1])
    fast = _pages(s3_server, bucket, True, **kw)
    assert handled and all(h is not None for h in handled)  # our parser read every page itself
    stock = _pages(s3_server, bucket, False, **kw)
    assert fast == stock
    assert sum(len(p.get("Contents", ())) for p in fast) >= (1 if kw else len(HOSTILE))


def _botocore_parse(body: bytes) -> dict:
    import botocore.session
    from botocore.parsers import RestXMLParser

    model = botocore.session.get_session().get_service_model("s3")
    assert isinstance(model, ServiceModel)
    shape = model.operation_model("ListObjectsV2").output_shape
    parsed = RestXMLParser(timestamp_parser=parse_timestamp).parse(
        {"status_code": 200, "headers": {}, "body": body}, shape)
    parsed.pop("ResponseMetadata", None)
    return parsed


def _xml(contents: str, extra: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            f"<Name>b</Name><Prefix></Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>"
            f"{extra}{contents}</ListBucketResult>").encode()


CRAFTED = {
    "entities": _xml("<Contents><Key>a&amp;b&lt;c&gt;&quot;&apos;&#233;&#x1F389;</Key><LastModified>2026-01-02T03:04:05.000Z"
                     "</LastModified><ETag>&quot;abc&quot;</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass></Contents>"),
    "checksum list": _xml("<Contents><Key>k</Key><LastModified>2026-01-02T03:04:05Z</LastModified><ETag>\"e\"</ETag>"
                          "<ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumAlgorithm>SHA256</ChecksumAlgorithm>"
                          "<ChecksumType>FULL_OBJECT</ChecksumType><Size>0</Size></Contents>"),
    "empty and self-closing": _xml("<Contents><Key>k</Key><ETag/><Size>1</Size><StorageClass></StorageClass></Contents>",
                                   "<Delimiter>/</Delimiter><StartAfter/>"),
    "prefixes and tokens": _xml("<CommonPrefixes><Prefix>p%2Fq/</Prefix></CommonPrefixes>"
                                "<CommonPrefixes><Prefix>z/</Prefix></CommonPrefixes>",
                                "<NextContinuationToken>t+/=</NextContinuationToken><EncodingType>url</EncodingType>"),
    "nothing": _xml(""),
}
FALLBACK = {
    "owner (nested)": _xml("<Contents><Key>k</Key><Owner><ID>1</ID></Owner><Size>1</Size></Contents>"),
    "unknown element": _xml("<Contents><Key>k</Key><Surprise>1</Surprise></Contents>"),
    "carriage return": _xml("<Contents><Key>a\r\nb</Key><Size>1</Size></Contents>"),
    "cdata": _xml("<Contents><Key><![CDATA[x]]></Key><Size>1</Size></Contents>"),
}


@pytest.mark.parametrize("name", list(CRAFTED))
def test_crafted_pages_parse_exactly_like_botocore(name):
    assert parse_list_objects_v2(CRAFTED[name], parse_timestamp) == _botocore_parse(CRAFTED[name])


@pytest.mark.parametrize("name", list(FALLBACK))
def test_what_it_cannot_be_sure_of_goes_to_botocore(name):
    assert parse_list_objects_v2(FALLBACK[name], parse_timestamp) is None
    _botocore_parse(FALLBACK[name])  # and botocore reads it
