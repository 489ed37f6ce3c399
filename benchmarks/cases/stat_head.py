"""Case 2: a stat table of a prefix with 1,000 objects when per-object HEAD metadata is needed
(content type and user metadata, which listings do not carry)."""

from __future__ import annotations

import asyncio
import inspect
from concurrent.futures import ThreadPoolExecutor

from harness import Contender, Ctx, Section, Verdict, run_case

BUCKET, PREFIX, N = "bench-head", "meta/", 1000
TARGET = "concurrent HEAD requests, ≥ 5× faster than sequential boto3 head_object"


def seed(ctx: Ctx) -> list[str]:
    ctx.make_bucket(BUCKET)
    keys = [f"{PREFIX}obj{i:05d}.json" for i in range(N)]
    if ctx.boto3.list_objects_v2(Bucket=BUCKET, Prefix=PREFIX, MaxKeys=1).get("KeyCount", 0) == 0:
        def put(k):
            ctx.boto3.put_object(Bucket=BUCKET, Key=k, Body=b"{}", ContentType="application/json",
                                 Metadata={"owner": "bench", "n": k[-10:-5]})
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(put, keys))
    return keys


def _frame(rows):
    import pandas as pd

    return pd.DataFrame(rows, columns=["key", "size", "content_type", "metadata"])


def _list_keys(client) -> list[str]:
    out = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=PREFIX):
        out.extend(o["Key"] for o in page.get("Contents", ()))
    return out


def boto3_sequential(client):
    rows = []
    for k in _list_keys(client):
        h = client.head_object(Bucket=BUCKET, Key=k)
        rows.append((k, h["ContentLength"], h.get("ContentType"), h.get("Metadata")))
    return {"rows": len(_frame(rows))}


def boto3_threads(client, workers: int = 16):
    keys = _list_keys(client)

    def one(k):
        h = client.head_object(Bucket=BUCKET, Key=k)
        return (k, h["ContentLength"], h.get("ContentType"), h.get("Metadata"))

    with ThreadPoolExecutor(workers) as pool:
        rows = list(pool.map(one, keys))
    return {"rows": len(_frame(rows))}


def s3fs_gather(fs):
    from fsspec.asyn import sync

    paths = [p for p in fs.find(f"{BUCKET}/{PREFIX}")]

    async def all_heads():
        sem = asyncio.Semaphore(32)

        async def one(p):
            async with sem:
                b, k = p.split("/", 1)
                h = await fs._call_s3("head_object", Bucket=b, Key=k)
                return (k, h["ContentLength"], h.get("ContentType"), h.get("Metadata"))

        return await asyncio.gather(*(one(p) for p in paths))

    rows = sync(fs.loop, all_heads)
    return {"rows": len(_frame(rows))}


def obstore_gather(store):
    import obstore

    async def all_heads():
        keys = [m["path"] for chunk in obstore.list(store, PREFIX.rstrip("/"), chunk_size=1000) for m in chunk]
        sem = asyncio.Semaphore(32)

        async def one(k):
            async with sem:
                r = await obstore.get_async(store, k, options={"head": True})
                a = r.attributes
                return (k, r.meta["size"], a.get("Content-Type"), {x: y for x, y in a.items() if x != "Content-Type"})

        return await asyncio.gather(*(one(k) for k in keys))

    rows = asyncio.run(all_heads())
    return {"rows": len(_frame(rows))}


def _dumont_contender(ctx: Ctx) -> Contender | None:
    """dumont_nb's public way to a stat table with HEAD metadata, if it has one."""
    try:
        import dumont_nb
        from dumont_nb import tables

        params = inspect.signature(tables.listing).parameters
    except Exception as e:
        ctx.log(f"  dumont_nb.listing not importable: {e}")
        return None
    url = f"bench://{BUCKET}/{PREFIX}"
    for name in ("head", "metadata", "details"):
        if name in params:
            return Contender("dumont_nb", lambda: {"rows": len(dumont_nb.listing(url, config=ctx.dumont_config, **{name: True}))},
                             note=f"listing(url, {name}=True)")
    ctx.log("  dumont_nb has no listing option for per-object HEAD metadata")
    return None


def run(ctx: Ctx) -> list[Section]:
    global PREFIX, N  # at a WAN latency, 200 objects: the sequential baseline alone would take 50 s a run
    PREFIX, N = ("meta/", 1000) if ctx.latency_ms < 10 else ("meta200/", 200)
    seed(ctx)
    title = ctx.at(f"Stat table of {N:,} objects with per-object HEAD metadata")
    ctx.log(title)
    contenders = []
    d = _dumont_contender(ctx)
    if d:
        contenders.append(d)
    contenders += [
        Contender("boto3 sequential", lambda: boto3_sequential(ctx.boto3), note="baseline: head_object in a loop"),
        Contender("boto3 16 threads", lambda: boto3_threads(ctx.boto3), note="ThreadPoolExecutor(16) of head_object"),
        Contender("s3fs", lambda: s3fs_gather(ctx.s3fs), setup=ctx.s3fs.invalidate_cache,
                  note="find + asyncio.gather of head_object (32 in flight)"),
        Contender("obstore", lambda: obstore_gather(ctx.obstore(BUCKET)), note="list + get_async(head=True), 32 in flight"),
    ]
    results = run_case(ctx.server, "stat-head", contenders, repeat=1 if ctx.quick else 2, memory=False, log=ctx.log)
    sec = Section(f"stat-head-{N}", title, TARGET, results)
    dr, seq = sec.get("dumont_nb"), sec.get("boto3 sequential")
    if dr is None or dr.median is None:
        sec.verdicts.append(Verdict(False, "dumont_nb has no public API for a stat table with per-object HEAD metadata "
                                           "(listing() has no head/metadata option); not measured"))
    elif seq and seq.median:
        speedup = seq.median / dr.median
        heads = dr.requests.get("HeadObject", {}).get("count", 0)
        sec.verdicts.append(Verdict(speedup >= 5, f"{speedup:.1f}× faster than sequential boto3 (target ≥ 5×); {heads} HEADs"))
    for r in results:
        if r.median and seq and seq.median:
            r.facts["speedup_vs_sequential"] = round(seq.median / r.median, 1)
    return [sec]
