"""The demo's data set: a small, realistic bucket, seeded with plain boto3-style ``put_object`` calls.

Layout of the demo bucket (``DEMO_BUCKET``)::

    README.txt
    csv/cities.csv                       CSV with a header (pandas.read_csv)
    csv/sales/2025/q1.csv, q2.csv ...    nested prefixes
    parquet/trips.parquet                Parquet (pyarrow)
    json/stations.json                   a JSON document
    json/events.jsonl                    JSON lines
    images/gradient.png                  PNG images (made here with zlib, no Pillow)
    images/icons/{red,green,blue}.png
    logs/2026/11/{24,25}/app.log         deeper nesting
    many/part-00000.txt ... part-02999.txt   a prefix with 3,000 small keys
    empty-folder/                        a zero-byte folder marker (an empty directory)

Everything is generated deterministically (fixed random seed), so the notebooks can rely on it.
"""

from __future__ import annotations

import csv
import io
import json
import random
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterator

__all__ = ["DEMO_BUCKET", "MANY_KEYS", "MANY_PREFIX", "EMPTY_FOLDER", "SeedResult", "seed", "demo_objects", "png"]

DEMO_BUCKET = "demo-data"
MANY_PREFIX = "many/"
MANY_KEYS = 3000
EMPTY_FOLDER = "empty-folder/"

_CITIES = [
    ("Lisbon", "PT", 545_000, 38.72, -9.14),
    ("Porto", "PT", 232_000, 41.15, -8.61),
    ("Madrid", "ES", 3_332_000, 40.42, -3.70),
    ("Paris", "FR", 2_102_000, 48.86, 2.35),
    ("Lyon", "FR", 522_000, 45.76, 4.84),
    ("Berlin", "DE", 3_755_000, 52.52, 13.40),
    ("Hamburg", "DE", 1_892_000, 53.55, 9.99),
    ("Amsterdam", "NL", 918_000, 52.37, 4.90),
    ("Brussels", "BE", 1_222_000, 50.85, 4.35),
    ("Vienna", "AT", 1_982_000, 48.21, 16.37),
    ("Prague", "CZ", 1_357_000, 50.08, 14.44),
    ("Warsaw", "PL", 1_861_000, 52.23, 21.01),
    ("Rome", "IT", 2_749_000, 41.90, 12.50),
    ("Milan", "IT", 1_371_000, 45.46, 9.19),
    ("Athens", "GR", 643_000, 37.98, 23.73),
    ("Stockholm", "SE", 984_000, 59.33, 18.07),
    ("Oslo", "NO", 709_000, 59.91, 10.75),
    ("Helsinki", "FI", 664_000, 60.17, 24.94),
    ("Dublin", "IE", 592_000, 53.35, -6.26),
    ("Zurich", "CH", 427_000, 47.37, 8.54),
]


@dataclass(frozen=True)
class SeedResult:
    """What :func:`seed` wrote: ``objects`` keys (markers included) and ``bytes`` in total."""

    bucket: str
    objects: int
    bytes: int


def png(width: int, height: int, pixel: Callable[[int, int], tuple[int, int, int]]) -> bytes:
    """A valid RGB PNG image made with zlib only. ``pixel(x, y)`` returns ``(r, g, b)``."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = bytearray()
    for y in range(height):
        raw.append(0)  # filter type "None" for this scanline
        for x in range(width):
            raw.extend(pixel(x, y))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")


def _csv(rows: list[tuple], header: tuple[str, ...]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode()


def _parquet(rng: random.Random) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 1000
    names = [c[0] for c in _CITIES]
    table = pa.table(
        {
            "trip_id": pa.array(range(1, n + 1), pa.int64()),
            "origin": [rng.choice(names) for _ in range(n)],
            "destination": [rng.choice(names) for _ in range(n)],
            "distance_km": [round(rng.uniform(20, 2500), 1) for _ in range(n)],
            "passengers": pa.array([rng.randint(1, 6) for _ in range(n)], pa.int32()),
        }
    )
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def demo_objects(rng: random.Random | None = None) -> Iterator[tuple[str, bytes, str]]:
    """``(key, body, content_type)`` of every demo object except the ``many/`` prefix."""
    rng = rng or random.Random(42)
    yield (
        "README.txt",
        b"dumont_nb demo bucket: CSV, Parquet, JSON, images, nested prefixes,\n"
        b"a prefix with 3,000 keys (many/) and an empty folder (empty-folder/).\n",
        "text/plain",
    )
    yield "csv/cities.csv", _csv(_CITIES, ("city", "country", "population", "lat", "lon")), "text/csv"
    for q in (1, 2, 3, 4):
        rows = [(f"2025-{3 * (q - 1) + m:02d}", c[0], rng.randint(100, 5000)) for m in (1, 2, 3) for c in _CITIES[:5]]
        yield f"csv/sales/2025/q{q}.csv", _csv(rows, ("month", "city", "units")), "text/csv"
    yield "parquet/trips.parquet", _parquet(rng), "application/vnd.apache.parquet"
    stations = [{"id": i, "city": c[0], "lat": c[3], "lon": c[4], "active": i % 4 != 0} for i, c in enumerate(_CITIES)]
    yield "json/stations.json", json.dumps({"stations": stations}, indent=2).encode(), "application/json"
    events = [{"t": f"2026-11-25T{h:02d}:{m:02d}:00Z", "kind": rng.choice(["open", "read", "write"])} for h in range(3) for m in range(0, 60, 5)]
    yield "json/events.jsonl", "".join(json.dumps(e) + "\n" for e in events).encode(), "application/x-ndjson"
    yield "images/gradient.png", png(64, 48, lambda x, y: (x * 4, y * 5, 160)), "image/png"
    for name, rgb in (("red", (220, 40, 40)), ("green", (40, 180, 60)), ("blue", (40, 80, 220))):
        yield f"images/icons/{name}.png", png(16, 16, lambda x, y, c=rgb: c if 2 <= x < 14 and 2 <= y < 14 else (255, 255, 255)), "image/png"
    for day in (24, 25):
        lines = [f"2026-11-{day}T{h:02d}:00:00Z INFO worker-{h % 3} processed {rng.randint(10, 999)} items\n" for h in range(24)]
        yield f"logs/2026/11/{day}/app.log", "".join(lines).encode(), "text/plain"
    yield EMPTY_FOLDER, b"", "application/x-directory"


def _many(count: int) -> Iterator[tuple[str, bytes, str]]:
    for i in range(count):
        yield f"{MANY_PREFIX}part-{i:05d}.txt", f"record {i}\n".encode(), "text/plain"


def seed(client, bucket: str = DEMO_BUCKET, *, many: int = MANY_KEYS, workers: int = 16) -> SeedResult:
    """Create ``bucket`` (if missing) with ``client`` (a boto3 S3 client) and write the data set.

    The ``many/`` keys are written with ``workers`` concurrent ``put_object`` calls (boto3
    clients are thread-safe). Existing objects with the same keys are overwritten.

    Raises:
        botocore.exceptions.ClientError: the store refused a request.
    """
    try:
        client.create_bucket(Bucket=bucket)
    except client.exceptions.BucketAlreadyOwnedByYou:
        pass
    objects = list(demo_objects()) + list(_many(many))

    def put(item: tuple[str, bytes, str]) -> int:
        key, body, ctype = item
        client.put_object(Bucket=bucket, Key=key, Body=body, ContentType=ctype)
        return len(body)

    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        total = sum(pool.map(put, objects))
    finally:  # on Ctrl-C or an error, drop the queued puts instead of finishing them
        pool.shutdown(wait=True, cancel_futures=True)
    return SeedResult(bucket=bucket, objects=len(objects), bytes=total)
