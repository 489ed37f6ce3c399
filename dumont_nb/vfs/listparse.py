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
from itertools import chain
from contextvars import ContextVar
from typing import Any, Callable, NamedTuple

__all__ = ["parse_list_objects_v2", "parse_rows", "Rows", "ROWS", "install"]

#: set (in the task that sends the request) to have ListObjectsV2 parsed into ``{"Rows": Rows, ...}``;
#: a callable is also given :func:`next_token` of the body before the page is parsed
ROWS: ContextVar[Any] = ContextVar("dumont_list_rows", default=False)
_NEXT = re.compile(rb"<NextContinuationToken>([^<]*)</NextContinuationToken>")

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
    r"<Contents><Key>([^<]*)</Key><LastModified>([^<]*)</LastModified><ETag>([^<]*)</ETag>"
    r"<Size>([0-9]+)</Size><StorageClass>([^<]*)</StorageClass></Contents>")
_PREFIX = re.compile(r"<CommonPrefixes><Prefix>([^<]*)</Prefix></CommonPrefixes>")


def _top(rest: bytes) -> dict[str, Any] | None:
    """The page's own fields (what is left once its ``<Contents>``/``<CommonPrefixes>`` are cut
    out), typed as botocore types them, or None if anything else is there."""
    fields = _fields(rest, _TOP_STR | _TOP_INT | {"IsTruncated"})
    if fields is None:
        return None
    top: dict[str, Any] = {}
    for name, raw in fields:
        if name in _TOP_INT:
            top[name] = int(raw or 0)
        elif name == "IsTruncated":
            top[name] = (raw or b"").strip().lower() == b"true"
        else:
            top[name] = _text(raw)
    return top


def _unescape(s: str) -> str:
    plain = s.replace("&quot;", '"')
    return _ENTITY.sub(_entity, plain) if "&" in plain else plain


class Rows(NamedTuple):
    """One ListObjectsV2 page in columns, XML entities decoded (keys and prefixes still
    URL-encoded where the page says ``EncodingType=url``): what the stat table needs, with no
    per-key dict. ``top`` holds the page's other fields as :func:`parse_list_objects_v2` gives them."""

    top: dict
    keys: list[str]
    modified: list[str]
    etags: list[str]
    sizes: list[int]
    storage: list[str]
    prefixes: list[str]


def _inner(body: bytes) -> bytes | None:
    """What is inside ``<ListBucketResult>``, or None for what this parser leaves to botocore
    (no such element, a carriage return, CDATA, a comment)."""
    if b"\r" in body or b"<![CDATA[" in body or b"<!--" in body:
        return None
    start = body.find(b"<ListBucketResult")
    end = body.rfind(b"</ListBucketResult>")
    if start < 0 or end < 0:
        return None
    return body[body.index(b">", start) + 1:end]


def parse_rows(body: bytes) -> Rows | None:
    """The page as :class:`Rows`, or None unless every ``<Contents>`` and ``<CommonPrefixes>``
    has the usual shape (then :func:`parse_list_objects_v2` or botocore reads it)."""
    raw = _inner(body)
    try:
        inner = None if raw is None else raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if inner is None:
        return None
    found = _USUAL.findall(inner)
    prefixes = _PREFIX.findall(inner)
    rest = _outside(inner, "<Contents>", "</Contents>", found, _ROW_TAGS)
    rest = None if rest is None else _outside(rest, "<CommonPrefixes>", "</CommonPrefixes>", prefixes, _PREFIX_TAGS)
    top = None if rest is None else _top(rest.encode())
    if top is None:
        return None
    prefixes = _unescape_all(prefixes) if "&" in "".join(prefixes) else prefixes
    if not found:
        return Rows(top, [], [], [], [], [], prefixes)
    keys, modified, etags, sizes, storage = (list(col) for col in zip(*found))
    etags = [e.replace("&quot;", '"') for e in etags]  # nearly every ETag is quoted so
    return Rows(top, _unescape_all(keys) if "&" in "".join(keys) else keys, modified,
                _unescape_all(etags) if "&" in "".join(etags) else etags, [int(n) for n in sizes],
                _unescape_all(storage) if "&" in "".join(storage) else storage, prefixes)


_ROW_TAGS = len("<Contents><Key></Key><LastModified></LastModified><ETag></ETag><Size></Size>"
                "<StorageClass></StorageClass></Contents>")
_PREFIX_TAGS = len("<CommonPrefixes><Prefix></Prefix></CommonPrefixes>")


def _outside(text: str, open_tag: str, close_tag: str, found: list, tags: int) -> str | None:
    """``text`` without the run of elements ``found`` matched, or None if the run holds anything
    else (an element of another shape, text between them): checked by length, not a second scan."""
    first = text.find(open_tag)
    if first < 0:
        return None if found else text
    last = text.rfind(close_tag) + len(close_tag)
    width = sum(map(len, chain.from_iterable(found) if found and isinstance(found[0], tuple) else found))
    if width + tags * len(found) != last - first:
        return None
    return text[:first] + text[last:]


def _unescape_all(values: list[str]) -> list[str]:
    return [_unescape(v) if "&" in v else v for v in values]


def _from_rows(rows: Rows, timestamp: Callable[[str], Any]) -> dict:
    """The dict botocore makes, from :class:`Rows`."""
    out = dict(rows.top)
    if rows.keys:
        stamps = {m: timestamp(m) for m in set(rows.modified)}  # keys listed together share seconds
        out["Contents"] = [{"Key": k, "LastModified": stamps[m], "ETag": e, "Size": n, "StorageClass": c}
                           for k, m, e, n, c in zip(rows.keys, rows.modified, rows.etags, rows.sizes, rows.storage)]
    if rows.prefixes:
        out["CommonPrefixes"] = [{"Prefix": p} for p in rows.prefixes]
    return out


def parse_list_objects_v2(body: bytes, timestamp: Callable[[str], Any]) -> dict | None:
    """The dict botocore's parser makes of a ListObjectsV2 body (before ``ResponseMetadata`` and
    URL-decoding), or None where this parser cannot be sure (botocore's parser then runs)."""
    rows = parse_rows(body)
    if rows is not None:
        return _from_rows(rows, timestamp)
    inner = _inner(body)
    if inner is None:
        return None
    out: dict[str, Any] = {}
    contents: list = []
    for m in _CONTENTS.finditer(inner):
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
    top = _top(_COMMON.sub(b"", _CONTENTS.sub(b"", inner)))
    if top is None:
        return None
    out.update(top)
    if contents:
        out["Contents"] = contents
    if prefixes:
        out["CommonPrefixes"] = prefixes
    return out


class Deferred(NamedTuple):
    """A ListObjectsV2 body not parsed yet: ``rows()`` reads it (botocore's parser where ours
    cannot be sure), off the event loop."""

    body: bytes
    botocore: Callable[[], dict]

    def rows(self) -> tuple["Rows | None", dict | None]:
        """``(Rows, None)``, or ``(None, botocore's dict)`` for a page of an unusual shape."""
        rows = parse_rows(self.body)
        return (rows, None) if rows is not None else (None, self.botocore())


def next_token(body: bytes) -> str | None:
    """The page's ``NextContinuationToken`` if it says ``IsTruncated`` true, read from the end of
    the body without parsing the rest (None otherwise, or where unsure)."""
    tail = body[-2048:]
    m = _NEXT.search(tail)
    if m is None or b"<IsTruncated>true</IsTruncated>" not in body[:1024] + tail:
        return None
    return _text(m.group(1))


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
                wanted = ROWS.get()
                if wanted:  # parsed later, by whoever reads the page: {"Page": Deferred}
                    body = response["body"]
                    if callable(wanted):  # the next page's request can start now
                        wanted(next_token(body))
                    return {"Page": Deferred(body, lambda: super(FastListXMLParser, self)._do_parse(response, shape))}
                fast = parse_list_objects_v2(response["body"], self._timestamp_parser)
                if fast is not None:
                    return fast
            return super()._do_parse(response, shape)

    def create_parser(protocol_name):
        cls = FastListXMLParser if protocol_name == "rest-xml" else PROTOCOL_PARSERS[protocol_name]
        return cls(**factory._defaults)

    factory.create_parser = create_parser
