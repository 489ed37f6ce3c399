"""The benchmark's S3 server: moto's server (``MotoS3Server``) in its own process.

Run by ``benchmarks/run.py``; prints one JSON line ``{"endpoint": ...}`` on stdout and serves
until stdin closes. A separate process keeps the server's CPU out of the client's figures
(``time.process_time`` of the benchmark process is the client's alone).

Side endpoints, answered by a fault hook before moto sees them (and left out of the counts):

- ``GET  /__bench__/stats``  → JSON ``{op: {"count", "bytes_sent", "bytes_received"}}`` since the
  last clear;
- ``POST /__bench__/clear``  → forget the request log;
- ``POST /__bench__/seed?bucket=B&prefix=P&n=N&layout=flat|tree&size=S`` → create ``N`` small
  objects directly in moto's backend (no HTTP per key: seeding 100,000 keys through PutObject
  would take minutes on moto). ``tree`` spreads the keys over 100 sub-directories.
- ``POST /__bench__/fastlist?on=1`` → serve ListObjectsV2 of buckets named ``bench-list*`` from a
  cached sorted key list (see ``_install_list_cache``); off by default.
- ``POST /__bench__/latency?ms=50`` → answer every other request after that delay (a round trip
  to S3); the server is threaded, so requests in flight wait concurrently, as on S3. 0 turns it off.

``layout=hex`` seeds random 16-hex-digit names (hashes), ``flat`` sequential ones, ``tree`` 100
sub-directories.
"""

from __future__ import annotations

import json
import sys
import threading
from collections import defaultdict
from pathlib import Path
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dumont_nb.testing.server import MotoS3Server  # noqa: E402

_ACCOUNT = "123456789012"  # moto's default account for any access key


def _backend():
    from moto.s3.models import s3_backends

    return s3_backends[_ACCOUNT]["aws"]


_LATENCY = {"ms": 0.0}


def _seed(bucket: str, prefix: str, n: int, layout: str, size: int) -> int:
    import random

    backend = _backend()
    body = b"x" * size
    rng = random.Random(n)
    for i in range(n):
        if layout == "hex":
            key = f"{prefix}{rng.getrandbits(64):016x}"
        elif layout == "tree":
            key = f"{prefix}d{i % 100:02d}/f{i:07d}.bin"
        else:
            key = f"{prefix}f{i:07d}.bin"
        backend.put_object(bucket, key, body)
    return n


def _summary(server: MotoS3Server) -> dict:
    out: dict = defaultdict(lambda: {"count": 0, "bytes_sent": 0, "bytes_received": 0})
    for r in list(server.log):
        if r.bucket == "__bench__":
            continue
        row = out[r.op]
        row["count"] += 1
        row["bytes_sent"] += r.bytes_sent
        row["bytes_received"] += r.body_length
    return dict(out)


_FAST = {"on": False}


def _install_list_cache() -> None:
    """Memoize moto's listing scan for static benchmark buckets.

    moto rescans and sorts the whole bucket for every ListObjectsV2 page (O(N log N) a page, so
    O(N² log N) for a listing), and its generic XML serializer spends ~120 ms a page re-parsing
    each LastModified. That would drown every client difference. With ``fastlist`` on, for
    ``bench-list*`` buckets only (static data sets), the sorted scan is computed once per
    (bucket, prefix, delimiter, key count), pages are cut by bisection with moto's own token
    table, and the page XML is written by string building. The parsed responses are identical
    to stock moto's (checked once by ``run.py``). Every client sees the same server.
    """
    import bisect

    from moto.s3.models import S3Backend

    original = S3Backend.list_objects_v2
    cache: dict = {}
    lock = threading.Lock()

    def list_objects_v2(self, bucket, prefix, delimiter, continuation_token, start_after, max_keys):
        if not (_FAST["on"] and bucket.name.startswith("bench-list")):
            return original(self, bucket, prefix, delimiter, continuation_token, start_after, max_keys)
        key = (bucket.name, prefix, delimiter, len(bucket.keys))
        with lock:
            hit = cache.get(key)
        if hit is None:
            keys, folders, _, _ = self.list_objects(bucket, prefix, delimiter, marker=None, max_keys=None)
            everything = list(keys) + list(folders)
            everything.sort(key=self._get_name)
            hit = (everything, [self._get_name(k) for k in everything])
            with lock:
                cache[key] = hit
        everything, names = hit
        start = 0
        if continuation_token or start_after:
            limit = self._pagination_tokens.get(continuation_token) if continuation_token else start_after
            start = bisect.bisect_right(names, limit)  # moto: the first name > limit
        return self._truncate_result(everything[start : start + max_keys + 1], max_keys)

    S3Backend.list_objects_v2 = list_objects_v2

    from moto.s3.responses import S3Response

    original_response = S3Response.list_objects_v2

    def list_objects_v2(self):
        if _FAST["on"] and str(self.bucket_name).startswith("bench-list"):
            self.serialized = _fast_xml  # an instance attribute: this request only
        return original_response(self)

    S3Response.list_objects_v2 = list_objects_v2


def _fast_xml(action_result):
    """ListObjectsV2 XML by string building (moto's generic serializer spends ~120 ms a page,
    most of it re-parsing each LastModified with dateutil)."""
    from xml.sax.saxutils import escape

    r = action_result.result
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    ]
    for tag in ("Name", "Prefix", "MaxKeys", "KeyCount", "Delimiter", "EncodingType"):
        if tag in r:
            out.append(f"<{tag}>{escape(str(r[tag]))}</{tag}>")
    out.append(f"<IsTruncated>{'true' if r['IsTruncated'] else 'false'}</IsTruncated>")
    for c in r["Contents"]:
        out.append(
            f"<Contents><Key>{escape(c['Key'])}</Key><LastModified>{c['LastModified']}</LastModified>"
            f"<ETag>{escape(c['ETag'])}</ETag><Size>{c['Size']}</Size>"
            f"<StorageClass>{c['StorageClass']}</StorageClass></Contents>"
        )
    for p in r.get("CommonPrefixes", ()):
        out.append(f"<CommonPrefixes><Prefix>{escape(p['Prefix'])}</Prefix></CommonPrefixes>")
    for tag in ("NextContinuationToken", "StartAfter"):
        if tag in r:
            out.append(f"<{tag}>{escape(str(r[tag]))}</{tag}>")
    out.append("</ListBucketResult>")
    return 200, {"Content-Type": "application/xml"}, "".join(out).encode()


def main() -> None:
    server = MotoS3Server()
    _install_list_cache()

    def control(req):
        if req.bucket != "__bench__":
            return None
        what = req.key
        q = {k: v[0] for k, v in parse_qs(req.query).items()}
        if what == "stats":
            body = json.dumps(_summary(server)).encode()
        elif what == "clear":
            server.clear()
            body = b"{}"
        elif what == "seed":
            n = _seed(q["bucket"], q.get("prefix", ""), int(q["n"]), q.get("layout", "flat"), int(q.get("size", "1")))
            body = json.dumps({"seeded": n}).encode()
        elif what == "fastlist":
            _FAST["on"] = q.get("on", "1") == "1"
            body = json.dumps(_FAST).encode()
        elif what == "latency":
            _LATENCY["ms"] = float(q.get("ms", "0"))
            body = json.dumps(_LATENCY).encode()
        else:
            return 404, {"Content-Type": "text/plain"}, b"unknown control " + what.encode()
        return 200, {"Content-Type": "application/json"}, body

    import time

    def latency(req):
        if _LATENCY["ms"] and req.bucket != "__bench__":
            time.sleep(_LATENCY["ms"] / 1000)
        return None

    server.faults.append(control)
    server.faults.append(latency)
    server.start()
    print(json.dumps({"endpoint": server.endpoint}), flush=True)
    try:
        sys.stdin.read()  # until the parent closes our stdin (or dies)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
