"""Case 6: renaming a directory of 2,000 keys (copy + delete)."""

from __future__ import annotations

import asyncio
import itertools

from harness import Contender, Ctx, Section, Verdict, run_case

BUCKET, N = "bench-rename", 2000
TARGET = "concurrent copies, batched DeleteObjects: ≤ 2,000 copies + 2 deletes + listings; time vs a sequential boto3 loop"


class Where:
    """The prefix the keys are under now: every run renames it to a fresh one."""

    def __init__(self) -> None:
        self.current = "dir0"
        self._n = itertools.count(1)

    def next(self) -> tuple[str, str]:
        src, dst = self.current, f"dir{next(self._n)}"
        self.current = dst
        return src, dst


def _keys(client, prefix: str) -> list[str]:
    out = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix + "/"):
        out.extend(o["Key"] for o in page.get("Contents", ()))
    return out


def run(ctx: Ctx) -> list[Section]:
    import obstore

    global BUCKET, N  # at a WAN latency, 200 keys: the sequential baseline alone would take 200 s a run
    BUCKET, N = ("bench-rename", 2000) if ctx.latency_ms < 10 else ("bench-rename-wan", 200)

    ctx.make_bucket(BUCKET)
    where = Where()
    if not _keys(ctx.boto3, where.current):
        ctx.server.seed(BUCKET, where.current + "/", N, "tree")  # 100 sub-directories of 20 keys
    client = ctx.boto3

    def check(dst):
        n = client.list_objects_v2(Bucket=BUCKET, Prefix=dst + "/", MaxKeys=1).get("KeyCount", 0)
        if not n:
            raise AssertionError("nothing at the destination")

    def boto3_loop():
        src, dst = where.next()
        for k in _keys(client, src):
            client.copy_object(Bucket=BUCKET, Key=dst + k[len(src):], CopySource={"Bucket": BUCKET, "Key": k})
            client.delete_object(Bucket=BUCKET, Key=k)
        check(dst)

    def s3fs_mv():
        src, dst = where.next()
        fs = ctx.s3fs
        fs.invalidate_cache()
        # fs.mv(src, dst, recursive=True) fails here: it also tries to CopyObject the synthetic
        # sub-directories (d00/, ...) and gets NoSuchKey; so copy the listed files, then rm them.
        files = fs.find(f"{BUCKET}/{src}")
        n = len(BUCKET) + 1 + len(src)
        fs.copy(files, [f"{BUCKET}/{dst}{p[n:]}" for p in files])
        fs.rm(files)
        check(dst)

    def obstore_rename():
        src, dst = where.next()
        store = ctx.obstore(BUCKET)

        async def go():
            keys = [m["path"] for chunk in obstore.list(store, src, chunk_size=1000) for m in chunk]
            sem = asyncio.Semaphore(32)

            async def one(k):
                async with sem:
                    await obstore.rename_async(store, k, dst + k[len(src):])

            await asyncio.gather(*(one(k) for k in keys))

        asyncio.run(go())
        check(dst)

    contenders = []
    if ctx.available("dumont_nb vfs", ctx.dumont_fs) is None:
        def dumont_rename():
            src, dst = where.next()
            ctx.dumont_fs().rename(f"{BUCKET}/{src}", f"{BUCKET}/{dst}")
            check(dst)

        contenders.append(Contender("dumont_nb", dumont_rename, note="fs.rename(src_dir, dst_dir)"))
    contenders += [
        Contender("boto3 sequential", boto3_loop, note="baseline: copy_object + delete_object per key"),
        Contender("s3fs", s3fs_mv, note="find + copy(list, list) + rm(list); mv(recursive=True) fails on synthetic dirs"),
        Contender("obstore", obstore_rename, note="rename_async per key (copy + delete), 32 in flight"),
    ]
    title = ctx.at(f"Directory rename of {N:,} keys")
    ctx.log(title)
    results = run_case(ctx.server, "rename", contenders, repeat=1 if ctx.quick else 2, memory=False, warmup=False, log=ctx.log)
    sec = Section(f"rename-{N}", title, TARGET, results)
    seq = sec.get("boto3 sequential")
    for r in results:
        q = r.requests
        r.facts.update({op: q[op]["count"] for op in ("CopyObject", "DeleteObjects", "DeleteObject", "ListObjectsV2", "HeadObject") if op in q})
        if r.median and seq and seq.median:
            r.facts["speedup_vs_sequential"] = round(seq.median / r.median, 1)
    d = sec.get("dumont_nb")
    if d and d.median:
        q = d.requests
        copies = q.get("CopyObject", {}).get("count", 0)
        deletes = q.get("DeleteObjects", {}).get("count", 0) + q.get("DeleteObject", {}).get("count", 0)
        other = {k: v["count"] for k, v in q.items() if k not in ("CopyObject", "DeleteObjects", "ListObjectsV2", "DeleteObject")}
        sec.verdicts.append(Verdict(copies <= N and deletes <= 2 and not other,
                                    f"{copies} CopyObject, {deletes} delete requests, "
                                    f"{q.get('ListObjectsV2', {}).get('count', 0)} listings, other: {other or 'none'}"))
        if seq and seq.median:
            sec.verdicts.append(Verdict(seq.median / d.median > 1, f"{seq.median / d.median:.1f}× faster than the sequential boto3 loop"))
    else:
        sec.verdicts.append(Verdict(None, "dumont_nb side not measured"))
    return [sec]

