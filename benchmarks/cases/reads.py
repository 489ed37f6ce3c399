"""Case 5: 100 random 4 KiB reads from a 64 MiB object, judged by bytes fetched from the server;
and a sequential read of the same object in 64 KiB reads, judged by request count (read-ahead)."""

from __future__ import annotations

import random

from harness import Contender, Ctx, Section, Verdict, mib, run_case

BUCKET, KEY = "bench-reads", "random/object.bin"
SIZE, READ, N = 64 * 2**20, 4096, 100
SEQ_READ = 64 * 2**10
TARGET = ("bytes fetched ≤ 2× bytes requested (100 × 4 KiB = 400 KiB) for random reads; sequential reads "
          "still read ahead (few GETs for 1,024 reads of 64 KiB)")


def offsets() -> list[int]:
    rng = random.Random(42)
    return [rng.randrange(0, SIZE - READ) for _ in range(N)]


def seed(ctx: Ctx) -> bytes:
    ctx.make_bucket(BUCKET)
    data = random.Random(7).randbytes(SIZE)
    ctx.boto3.put_object(Bucket=BUCKET, Key=KEY, Body=data)
    return data


def _random_file(opener, data: bytes):
    def run():
        with opener() as f:
            for off in offsets():
                f.seek(off)
                if f.read(READ) != data[off:off + READ]:
                    raise AssertionError(f"wrong bytes at {off}")
        return {}
    return run


def _sequential_file(opener, data: bytes):
    def run():
        n = 0
        with opener() as f:
            while True:
                chunk = f.read(SEQ_READ)
                if not chunk:
                    break
                n += len(chunk)
        if n != SIZE:
            raise AssertionError(f"read {n} bytes, want {SIZE}")
        return {}
    return run


def run(ctx: Ctx) -> list[Section]:
    import obstore

    data = seed(ctx)
    store = ctx.obstore(BUCKET)
    path = f"{BUCKET}/{KEY}"
    have_dumont = ctx.available("dumont_nb vfs", ctx.dumont_fs) is None

    def boto3_random():
        for off in offsets():
            body = ctx.boto3.get_object(Bucket=BUCKET, Key=KEY, Range=f"bytes={off}-{off + READ - 1}")["Body"].read()
            if body != data[off:off + READ]:
                raise AssertionError("wrong bytes")

    def obstore_random():
        for off in offsets():
            if bytes(obstore.get_range(store, KEY, start=off, length=READ)) != data[off:off + READ]:
                raise AssertionError("wrong bytes")

    rnd = []
    if have_dumont:
        rnd.append(Contender("dumont_nb", _random_file(lambda: ctx.dumont_fs().open(path, "rb"), data),
                             note="fs.open(path, 'rb'), seek + read"))
    rnd += [
        Contender("boto3", boto3_random, note="get_object(Range=...) per read"),
        Contender("s3fs", _random_file(lambda: ctx.s3fs.open(path, "rb"), data), note="default file object (readahead cache, 50 MiB blocks)"),
        Contender("obstore", obstore_random, note="get_range per read"),
    ]
    title = f"{N} random {READ // 1024} KiB reads from a {mib(SIZE)} object"
    ctx.log(title)
    results = run_case(ctx.server, "random-reads", rnd, repeat=1, memory=False, warmup=False, log=ctx.log)
    sec = Section("random-reads", title, TARGET, results)
    wanted = N * READ
    for r in results:
        g = r.requests.get("GetObject", {})
        r.facts["gets"] = g.get("count", 0)
        r.facts["bytes_fetched"] = g.get("bytes_sent", 0)
        r.facts["fetched_per_requested"] = round(g.get("bytes_sent", 0) / wanted, 2)
    d = sec.get("dumont_nb")
    if d and d.median:
        ratio = d.facts["fetched_per_requested"]
        sec.verdicts.append(Verdict(ratio <= 2.0, f"fetched {mib(d.facts['bytes_fetched'])} for {mib(wanted)} requested "
                                                  f"= {ratio}× (target ≤ 2×)"))
    else:
        sec.verdicts.append(Verdict(None, "dumont_nb side not measured"))

    def boto3_seq():
        body = ctx.boto3.get_object(Bucket=BUCKET, Key=KEY)["Body"]
        n = 0
        while chunk := body.read(SEQ_READ):
            n += len(chunk)
        if n != SIZE:
            raise AssertionError("short read")

    def obstore_seq():
        n = sum(len(c) for c in obstore.get(store, KEY).stream(min_chunk_size=SEQ_READ))
        if n != SIZE:
            raise AssertionError("short read")

    seq = []
    if have_dumont:
        seq.append(Contender("dumont_nb", _sequential_file(lambda: ctx.dumont_fs().open(path, "rb"), data),
                             note="fs.open(path, 'rb'), 64 KiB reads"))
    seq += [
        Contender("boto3", boto3_seq, note="one get_object, Body.read(64 KiB)"),
        Contender("s3fs", _sequential_file(lambda: ctx.s3fs.open(path, "rb"), data), note="default file object, 64 KiB reads"),
        Contender("obstore", obstore_seq, note="get().stream()"),
    ]
    title2 = f"Sequential read of a {mib(SIZE)} object in 64 KiB reads"
    ctx.log(title2)
    results2 = run_case(ctx.server, "sequential-read", seq, repeat=1 if ctx.quick else 2, memory=False, warmup=False, log=ctx.log)
    sec2 = Section("sequential-read", title2, "read-ahead still used: GETs ≪ 1,024 reads; throughput near boto3's single GET", results2)
    for r in results2:
        g = r.requests.get("GetObject", {})
        r.facts["gets"] = g.get("count", 0)
        r.facts["bytes_fetched"] = g.get("bytes_sent", 0)
        if r.median:
            r.facts["MiB_per_s"] = round(SIZE / 2**20 / r.median, 1)
    d = sec2.get("dumont_nb")
    if d and d.median:
        sec2.verdicts.append(Verdict(d.facts["gets"] <= 64 and d.facts["bytes_fetched"] <= 2 * SIZE,
                                     f"{d.facts['gets']} GETs for 1,024 reads, {mib(d.facts['bytes_fetched'])} fetched"))
    return [sec, sec2]
