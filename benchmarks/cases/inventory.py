"""Case: inventory of a 1,000,000-key flat prefix (random hex names) and a 100,000-key tree, at
each latency of the run (at 50 ms a request listing cost is round trips and parsing, as on S3). dumont_nb.inventory on threads and on a 2-worker Dask LocalCluster, against a
boto3 paginator, s3fs find and obstore's list, into the same stat frame."""

from __future__ import annotations

from harness import Contender, Ctx, Section, Verdict, run_case

from .frames import boto3_frame, obstore_frame, s3fs_frame

TARGET = ("≥ 10× faster than the sequential boto3 paginator on the 1M-key prefix, and faster than "
          "every peer; listing requests ≤ 3 × ceil(N/1000)")


def _contenders(ctx: Ctx, bucket: str, prefix: str, cluster) -> list[Contender]:
    import dumont_nb

    def facts(df):
        return {"rows": len(df)}

    url = f"bench://{bucket}/{prefix}"
    out = [Contender("dumont_nb", lambda: facts(dumont_nb.inventory(url, config=ctx.dumont_config, progress=False)),
                     note="threads, 32 in flight")]
    if cluster is not None:
        out.append(Contender("dumont_nb on Dask", lambda: facts(dumont_nb.inventory(
            url, dask=cluster, config=ctx.dumont_config).compute()), note="LocalCluster, 2 worker processes"))
    out.append(Contender("boto3", lambda: facts(boto3_frame(ctx.boto3, bucket, prefix, True)), note="paginator"))
    fs = ctx.s3fs
    out.append(Contender("s3fs", lambda: facts(s3fs_frame(fs, bucket, prefix, True)), setup=fs.invalidate_cache,
                         note="find(detail=True)"))
    store = ctx.obstore(bucket)
    out.append(Contender("obstore", lambda: facts(obstore_frame(store, bucket, prefix, True)), note="list, Arrow"))
    return out


def run(ctx: Ctx) -> list[Section]:
    sizes = [("flat", 100_000, "hex"), ("tree", 20_000, "tree")] if ctx.quick else \
        [("flat", 1_000_000, "hex"), ("tree", 100_000, "tree")]
    client = cluster = None
    try:
        from distributed import Client, LocalCluster

        cluster_obj = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster_obj)
        cluster = client
    except Exception as e:  # no distributed installed: the Dask contender is reported missing
        ctx.log(f"  inventory: no Dask cluster ({type(e).__name__}: {e})")
    sections = []
    try:
        for mode, n, layout in sizes:
            bucket = f"bench-list-inv-{mode}-{n // 1000}k"
            ctx.make_bucket(bucket)
            if not ctx.boto3.list_objects_v2(Bucket=bucket, MaxKeys=1).get("KeyCount", 0):
                ctx.server.seed(bucket, "inv/", n, layout)
            title = ctx.at(f"Inventory of {n:,} keys ({mode}, {'random hex names' if layout == 'hex' else '100 sub-directories'})")
            ctx.log(title)
            results = run_case(ctx.server, f"inventory-{mode}-{n // 1000}k", _contenders(ctx, bucket, "inv/", cluster),
                               repeat=1, memory=False, warmup=False, log=ctx.log)
            sec = Section(f"inventory-{mode}-{n // 1000}k", title, TARGET, results,
                          dumont=("dumont_nb", "dumont_nb on Dask"))
            for r in results:
                if r.times and r.facts.get("rows"):
                    r.facts["keys_per_s"] = int(r.facts["rows"] / min(r.times))
            _judge(sec, n)
            sections.append(sec)
    finally:
        if client is not None:
            client.close()
            cluster_obj.close()
    return sections


def _judge(sec: Section, n: int) -> None:
    d, b = sec.get("dumont_nb"), sec.get("boto3")
    if d is None or d.median is None:
        sec.verdicts.append(Verdict(None, "dumont_nb side not measured" + (f" ({d.error})" if d and d.error else "")))
        return
    lists = d.requests.get("ListObjectsV2", {}).get("count", 0)
    budget = 3 * -(-n // 1000)
    sec.verdicts.append(Verdict(lists <= budget, f"requests: {lists} ListObjectsV2, budget {budget}"))
    if d.facts.get("rows") != (b.facts.get("rows") if b else None):
        sec.verdicts.append(Verdict(False, f"rows differ: dumont_nb {d.facts.get('rows')} vs boto3 {b.facts.get('rows') if b else None}"))
    if b and b.median:
        ratio = b.median / d.median
        sec.verdicts.append(Verdict(ratio >= 10 if n >= 1_000_000 else None, f"{ratio:.1f}× faster than the boto3 paginator"))
    for peer in ("s3fs", "obstore", "dumont_nb on Dask"):
        p = sec.get(peer)
        if p and p.median:
            sec.verdicts.append(Verdict(d.median <= p.median if peer != "dumont_nb on Dask" else None,
                                        f"{p.median / d.median:.2f}× the time of {peer}"))
    speeds = [f"{r.contender} {r.facts['keys_per_s']:,}" for r in sec.results if isinstance(r.facts.get("keys_per_s"), int)]
    sec.notes.append("keys a second: " + ", ".join(speeds))
