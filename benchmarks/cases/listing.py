"""Case 1: listing 10,000 and 100,000 keys into a DataFrame, flat (delimiter) and recursive."""

from __future__ import annotations

import math
import shutil
import subprocess

from harness import Contender, Ctx, Section, Verdict, run_case

from .frames import boto3_frame, obstore_frame, s3fs_frame

TARGET = (
    "requests exactly ceil(N/1000); time ≤ 1.0× a boto3 paginator building the same frame and ≤ 1.2× "
    "obstore's list-to-DataFrame; client CPU ≤ 5 µs a key; memory per row ≤ boto3's frame"
)


def seed(ctx: Ctx, n: int) -> str:
    bucket = f"bench-list{n // 1000}k"
    ctx.make_bucket(bucket)
    have = ctx.boto3.list_objects_v2(Bucket=bucket, Prefix="flat/", MaxKeys=1).get("KeyCount", 0)
    if not have:
        ctx.server.seed(bucket, "flat/", n, "flat")
        ctx.server.seed(bucket, "tree/", n, "tree")
    return bucket


def same_pages_as_stock_moto(ctx: Ctx, bucket: str, prefix: str, recursive: bool) -> bool:
    """The benchmark server's fast listing path parses to the same pages as stock moto's."""
    kw = {} if recursive else {"Delimiter": "/"}

    def pages():
        out = []
        for page in ctx.boto3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, **kw):
            page.pop("ResponseMetadata", None)
            out.append(page)
        return out

    ctx.server.fastlist(False)
    try:
        stock = pages()
    finally:
        ctx.server.fastlist(True)
    return stock == pages()


def _contenders(ctx: Ctx, bucket: str, prefix: str, recursive: bool) -> list[Contender]:
    def facts(df):
        return {"rows": len(df), "bytes_per_row": int(df.memory_usage(deep=True).sum() / max(len(df), 1))}

    out = []
    reason = ctx.available("dumont_nb.listing", lambda: __import__("dumont_nb.tables") and ctx.dumont_fs())
    if reason is None:
        import dumont_nb

        url = f"bench://{bucket}/{prefix}"
        out.append(Contender("dumont_nb", lambda: facts(dumont_nb.listing(url, recursive=recursive, config=ctx.dumont_config))))
    out.append(Contender("boto3", lambda: facts(boto3_frame(ctx.boto3, bucket, prefix, recursive)),
                         note="hand-written paginator, columnar frame"))
    fs = ctx.s3fs
    out.append(Contender("s3fs", lambda: facts(s3fs_frame(fs, bucket, prefix, recursive)), setup=fs.invalidate_cache,
                         note="find/ls(detail=True), cache dropped before each run"))
    store = ctx.obstore(bucket)
    out.append(Contender("obstore", lambda: facts(obstore_frame(store, bucket, prefix, recursive)),
                         note="Arrow listing + pyarrow compute"))
    rclone = shutil.which("rclone")
    if rclone:
        env = ctx.tool_env()
        cmd = [rclone, "lsf", "--format", "pst", "--separator", "\t", "--s3-list-chunk", "1000", "--use-server-modtime",
               *(["-R", "--files-only"] if recursive else []), f"bench:{bucket}/{prefix}"]
        out.append(Contender("rclone", lambda: facts(rclone_frame(cmd, env)),
                             note="`rclone lsf" + (" -R" if recursive else "") + "` → DataFrame (its CPU is a child process's)"))
    return out


def rclone_frame(cmd: list[str], env: dict):
    """rclone's listing (path, size, modification time) parsed into a DataFrame."""
    import io

    import pandas as pd

    p = subprocess.run(cmd, env=env, capture_output=True, timeout=600)
    if p.returncode:
        raise RuntimeError(f"rclone exited {p.returncode}: {p.stderr.decode(errors='replace').strip()[-300:]}")
    df = pd.read_csv(io.BytesIO(p.stdout), sep="\t", header=None, names=["path", "size", "mtime"],
                     dtype={"path": "string", "size": "int64"}, quoting=3, keep_default_na=False)
    df["mtime"] = pd.to_datetime(df["mtime"], utc=True)
    return df


def run(ctx: Ctx) -> list[Section]:
    sizes = [10_000] if ctx.quick else [10_000, 100_000]
    sections = []
    for n in sizes:
        bucket = seed(ctx, n)
        for recursive in (False, True):
            prefix = "tree/" if recursive else "flat/"
            mode = "recursive" if recursive else "flat"
            repeat = 3 if n <= 10_000 else 1
            title = ctx.at(f"Listing {n:,} keys into a DataFrame ({mode})")
            ctx.log(title)
            results = run_case(ctx.server, f"list{n // 1000}k-{mode}", _contenders(ctx, bucket, prefix, recursive),
                               repeat=repeat, memory=n <= 10_000, warmup=n <= 10_000, log=ctx.log)
            sec = Section(f"list{n // 1000}k-{mode}", title, TARGET, results)
            if n <= 10_000 and ctx.fastlist:
                same = same_pages_as_stock_moto(ctx, bucket, prefix, recursive)
                sec.notes.append(f"server: fast listing path checked against stock moto for this listing: "
                                 f"{'identical parsed pages' if same else 'PAGES DIFFER'}")
                if not same:
                    sec.verdicts.append(Verdict(False, "the benchmark server's fast listing differs from stock moto"))
            for r in results:
                rows = r.facts.get("rows")
                if rows and r.cpu:
                    r.facts["cpu_us_per_key"] = round(min(r.cpu) / rows * 1e6, 1)
            _judge(sec, n)
            sections.append(sec)
    return sections


def _judge(sec: Section, n: int) -> None:
    d, b, o = sec.get("dumont_nb"), sec.get("boto3"), sec.get("obstore")
    want = math.ceil(n / 1000)
    if d is None or d.median is None:
        sec.verdicts.append(Verdict(None, "dumont_nb side not measured" + (f" ({d.error})" if d and d.error else "")))
        return
    lists = d.requests.get("ListObjectsV2", {}).get("count", 0)
    other = sum(v["count"] for k, v in d.requests.items() if k != "ListObjectsV2")
    sec.verdicts.append(Verdict(lists == want and other == 0,
                                f"requests: {lists} ListObjectsV2 (+{other} other), want exactly {want}"))
    if d.facts.get("rows") != (b.facts.get("rows") if b else None):
        sec.verdicts.append(Verdict(False, f"rows differ: dumont_nb {d.facts.get('rows')} vs boto3 {b.facts.get('rows')}"))
    if b and b.median:
        ratio = d.median / b.median
        sec.verdicts.append(Verdict(ratio <= 1.0, f"time: {ratio:.2f}× boto3 (target ≤ 1.0×)"))
    if o and o.median:
        sec.verdicts.append(Verdict(d.median / o.median <= 1.2, f"time: {d.median / o.median:.2f}× obstore (target ≤ 1.2×)"))
    if d.facts.get("cpu_us_per_key"):
        sec.verdicts.append(Verdict(d.facts["cpu_us_per_key"] <= 5.0,
                                    f"client CPU: {d.facts['cpu_us_per_key']} µs a key (target ≤ 5 µs)"))
    if b and d.facts.get("bytes_per_row") and b.facts.get("bytes_per_row"):
        sec.verdicts.append(Verdict(d.facts["bytes_per_row"] <= b.facts["bytes_per_row"],
                                    f"memory per row: {d.facts['bytes_per_row']} B vs boto3 {b.facts['bytes_per_row']} B"))
    if d.facts.get("cpu_us_per_key") and b and b.facts.get("cpu_us_per_key"):
        sec.notes.append(f"client CPU per key: dumont_nb {d.facts['cpu_us_per_key']} µs, boto3 "
                         f"{b.facts['cpu_us_per_key']} µs, obstore {o.facts.get('cpu_us_per_key') if o else '—'} µs, "
                         f"s3fs {sec.get('s3fs').facts.get('cpu_us_per_key') if sec.get('s3fs') else '—'} µs")
