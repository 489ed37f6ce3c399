"""A ListObjectsV2 response parser of our own: the page's bytes straight into botocore's dict.

botocore's rest-xml parser builds an ElementTree and walks the output shape for every key
(≈20 µs a key here); listings of millions of keys spend most of their time there. This parser
reads the same XML with a handful of regular expressions and produces *exactly* the dict
botocore produces (``Contents``, ``CommonPrefixes``, ``IsTruncated``, tokens, counts, the
timestamps through the same timestamp parser), so everything after it is unchanged: botocore
still signs, sends, retries, raises errors, adds ``ResponseMetadata`` and URL-decodes the keys
(``EncodingType=url``, which botocore always asks for). Anything it does not know for certain —
an unknown element, a nested one (``Owner``, ``RestoreStatus``), a CDATA section, a carriage
return (XML's line-end rules) — makes it hand the page to botocore's own parser.
``tests/test_listparse.py`` checks it against botocore over hostile keys.
"""

from __future__ import annotations

import re
from typing import Any, Callable

__all__ = ["parse_list_objects_v2", "install"]

_CONTENTS = re.compile(rb"<Contents>(.*?)</Contents>", re.S)
_COMMON = re.compile(rb"<CommonPrefixes>(.*?)</CommonPrefixes>", re.S)
_FIELD = re.compile(rb"<([A-Za-z]+)(?:\s[^<>]*)?(?:/>|>([^<]*)</\1>)")
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_TOP_STR = {"Name", "Prefix", "Delimiter", "EncodingType", "ContinuationToken", "NextContinuationToken", "StartAfter"}
_TOP_INT = {"MaxKeys", "KeyCount"}
_KEY_STR = {"Key", "ETag", "StorageClass", "ChecksumType"}


def _entity(m: re.Match) -> str:
    ref = m.group(1)
    if ref[0] == "#":
        return chr(int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:]))
    return _NAMED[ref]


def _text(raw: bytes | None) -> str:
    s = (raw or b"").decode("utf-8")
    if "&" not in s:
        return s
    plain = s.replace("&quot;", '"')  # ETags: the one entity nearly every page has
    return _ENTITY.sub(_entity, plain) if "&" in plain else plain


def _fields(block: bytes, known: set[str]) -> list[tuple[str, bytes | None]] | None:
    """The flat children of an element, or None if anything else is inside it."""
    out = [(m.group(1).decode(), m.group(2)) for m in _FIELD.finditer(block)]
    if any(name not in known for name, _ in out) or _FIELD.sub(b"", block).strip():
        return None  # a nested or unknown element, text between elements: not for this parser
    return out


#: the usual shape of a listed object, as S3 (and moto, MinIO, R2...) write it: one regex for all
_USUAL = re.compile(
    rb"<Contents><Key>([^<]*)</Key><LastModified>([^<]*)</LastModified><ETag>([^<]*)</ETag>"
    rb"<Size>([0-9]+)</Size><StorageClass>([^<]*)</StorageClass></Contents>")


def _fast_contents(inner: bytes, timestamp: Callable[[str], Any]) -> list | None:
    """Every ``<Contents>`` of the usual shape, or None (then each is read field by field)."""
    found = _USUAL.findall(inner)
    if len(found) != inner.count(b"<Contents>"):
        return None
    stamps: dict[bytes, Any] = {}  # keys listed together often share their second
    names: dict[bytes, str] = {}  # storage classes (and the like) repeat
    out = []
    for key, modified, etag, size, storage in found:
        when = stamps.get(modified)
        if when is None:
            when = stamps[modified] = timestamp(modified.decode())
        sc = names.get(storage)
        if sc is None:
            sc = names[storage] = _text(storage)
        if b"&" in etag:
            tag = '"' + etag[6:-6].decode() + '"' if etag.startswith(b"&quot;") and etag.endswith(b"&quot;") \
                and b"&" not in etag[6:-6] else _text(etag)
        else:
            tag = etag.decode()
        k = key.decode()
        out.append({"Key": _text(key) if "&" in k else k, "LastModified": when, "ETag": tag, "Size": int(size),
                    "StorageClass": sc})
    return out


def parse_list_objects_v2(body: bytes, timestamp: Callable[[str], Any]) -> dict | None:
    """The dict botocore's parser makes of a ListObjectsV2 body (before ``ResponseMetadata`` and
    URL-decoding), or None where this parser cannot be sure (botocore's parser then runs)."""
    if b"\r" in body or b"<![CDATA[" in body or b"<!--" in body:
        return None
    start = body.find(b"<ListBucketResult")
    end = body.rfind(b"</ListBucketResult>")
    if start < 0 or end < 0:
        return None
    inner = body[body.index(b">", start) + 1:end]
    out: dict[str, Any] = {}
    contents = _fast_contents(inner, timestamp)
    slow = contents is None
    contents = contents or []
    for m in _CONTENTS.finditer(inner) if slow else ():
        fields = _fields(m.group(1), _KEY_STR | {"LastModified", "Size", "ChecksumAlgorithm"})
        if fields is None:
            return None
        item: dict[str, Any] = {}
        for name, raw in fields:
            if name == "Size":
                item[name] = int(raw or 0)
            elif name == "LastModified":
                item[name] = timestamp(_text(raw))
            elif name == "ChecksumAlgorithm":  # a flattened list
                item.setdefault(name, []).append(_text(raw))
            else:
                item[name] = _text(raw)
        contents.append(item)
    prefixes = []
    for m in _COMMON.finditer(inner):
        fields = _fields(m.group(1), {"Prefix"})
        if fields is None or len(fields) != 1:
            return None
        prefixes.append({"Prefix": _text(fields[0][1])})
    rest = _COMMON.sub(b"", _CONTENTS.sub(b"", inner))
    top = _fields(rest, _TOP_STR | _TOP_INT | {"IsTruncated"})
    if top is None:
        return None
    for name, raw in top:
        if name in _TOP_INT:
            out[name] = int(raw or 0)
        elif name == "IsTruncated":
            out[name] = (raw or b"").strip().lower() == b"true"
        else:
            out[name] = _text(raw)
    if contents:
        out["Contents"] = contents
    if prefixes:
        out["CommonPrefixes"] = prefixes
    return out


def _complete_page(body: bytes) -> bool:
    """A whole ListObjectsV2 document (not an ``<Error>``, not cut short by a dropped connection)."""
    head = body[:256]
    return b"<Error>" not in head and b"<ListBucketResult" in head and body.rstrip().endswith(b"</ListBucketResult>")


def install(factory, session=None) -> None:
    """Make ``factory`` (an aiobotocore response-parser factory) give rest-xml parsers that read
    ListObjectsV2 pages with :func:`parse_list_objects_v2`; on ``session``, check a 200
    ListObjectsV2 page for an embedded error (or a cut-short body) without botocore's ElementTree
    pass over the whole body (the same decision: such a page is retried as a 500)."""
    from aiobotocore.parsers import PROTOCOL_PARSERS, AioRestXMLParser

    if session is not None:
        from botocore import handlers

        def handle_200_error(operation_model, response_dict, **kwargs):
            if operation_model.name != "ListObjectsV2":
                return handlers._handle_200_error(operation_model, response_dict, **kwargs)
            if response_dict and response_dict.get("status_code") == 200 and not _complete_page(response_dict["body"]):
                response_dict["status_code"] = 500
            return None

        session.unregister("before-parse.s3.*", handlers._handle_200_error)
        session.get_component("event_emitter").register_first("before-parse.s3.*", handle_200_error)

    class FastListXMLParser(AioRestXMLParser):
        def _do_parse(self, response, shape):
            if shape is not None and shape.name == "ListObjectsV2Output":
                fast = parse_list_objects_v2(response["body"], self._timestamp_parser)
                if fast is not None:
                    return fast
            return super()._do_parse(response, shape)

    def create_parser(protocol_name):
        cls = FastListXMLParser if protocol_name == "rest-xml" else PROTOCOL_PARSERS[protocol_name]
        return cls(**factory._defaults)

    factory.create_parser = create_parser
