"""Case: sync (at each latency of the run): many small files and a few large ones, local → remote and
remote → remote within one remote; a first run into an empty prefix, then a no-op second run.
dumont_nb.sync against rclone (Debian's) and the AWS CLI's ``s3 sync``, on the same server."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

from harness import Ctx, Result, Section, Verdict

TARGET = "first run ≥ 1.0× rclone and ≥ 2× `aws s3 sync`; the no-op run costs no more than the two listings"
WRITES = ("PutObject", "CopyObject", "DeleteObjects", "DeleteObject", "CreateMultipartUpload", "UploadPart",
          "CompleteMultipartUpload", "UploadPartCopy")


def _tools(ctx: Ctx) -> dict:
    env = ctx.tool_env()
    aws = shutil.which("aws", path="/root/.pyenv/shims:" + os.environ.get("PATH", "")) or shutil.which("aws")
    rclone = shutil.which("rclone")

    def dumont(src, dst):
        import dumont_nb

        r = dumont_nb.sync(src.replace("s3://", "bench://"), dst.replace("s3://", "bench://"), config=ctx.dumont_config,
                           progress=False)
        assert r.ok, r.failed

    def run(cmd):
        p = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=1800)
        if p.returncode:
            raise RuntimeError(f"{cmd[0]} exited {p.returncode}: {p.stderr.strip()[-300:]}")

    tools = {"dumont_nb": dumont}
    if rclone:
        tools["rclone"] = lambda src, dst: run([rclone, "sync", src.replace("s3://", "bench:"), dst.replace("s3://", "bench:"),
                                                "--transfers", "16", "--checkers", "16", "--s3-no-check-bucket"])
    if aws:
        tools["aws s3 sync"] = lambda src, dst: run([aws, "--endpoint-url", ctx.endpoint, "s3", "sync", src, dst,
                                                     "--no-progress", "--only-show-errors"])
    return tools


def _measure(ctx: Ctx, fn, src: str, dst: str) -> tuple[float, dict]:
    ctx.server.clear()
    t0 = time.perf_counter()
    fn(src, dst)
    wall = time.perf_counter() - t0
    return wall, ctx.server.stats()


def run(ctx: Ctx) -> list[Section]:
    small_n, large_n, large_mib = (500, 2, 16) if ctx.quick else (10_000, 8, 64)
    data = ctx.scratch / "sync-src"
    (data / "small").mkdir(parents=True, exist_ok=True)
    (data / "large").mkdir(parents=True, exist_ok=True)
    for i in range(small_n):
        (data / "small" / f"{i % 100:02d}-{i:05d}.json").write_bytes(b'{"n": %d}\n' % i * 50)
    for i in range(large_n):
        with open(data / "large" / f"part-{i:02d}.bin", "wb") as f:
            f.write(os.urandom(large_mib * 2**20))
    bucket = "bench-sync"
    ctx.make_bucket(bucket)
    sections = []
    tools = _tools(ctx)
    for kind, what in (("small", f"{small_n:,} files of ~0.5 KiB"), (f"large", f"{large_n} files of {large_mib} MiB")):
        for direction in ("local → remote", "remote → remote (one remote)"):
            title = ctx.at(f"Sync {what}, {direction}")
            ctx.log(title)
            results = []
            for name, fn in tools.items():
                slug = name.split()[0].replace("_", "")
                if direction.startswith("local"):
                    src, dst = str(data / kind), f"s3://{bucket}/{slug}-{kind}"
                else:
                    src, dst = f"s3://{bucket}/{slug}-{kind}", f"s3://{bucket}/{slug}-{kind}-mirror"
                r = Result(f"sync-{kind}-{direction[:5]}", name)
                if ctx.latency_ms == 0:  # a fresh destination for this round
                    dst += "-0ms"
                    src = src + "-0ms" if not direction.startswith("local") else src
                try:
                    first, reqs = _measure(ctx, fn, src, dst)
                    second, noop = _measure(ctx, fn, src, dst)
                except Exception as e:  # a tool that fails is reported, not fatal
                    r.error = f"{type(e).__name__}: {e}".splitlines()[0][:200]
                    ctx.log(f"  {name}: FAILED {r.error}")
                    results.append(r)
                    continue
                r.times, r.requests = [first], reqs
                r.facts = {"noop_s": round(second, 2), "noop_writes": sum(v["count"] for k, v in noop.items() if k in WRITES),
                           "noop_requests": sum(v["count"] for v in noop.values())}
                ctx.log(f"  {name}: first {first:.1f}s ({sum(v['count'] for v in reqs.values())} requests), "
                        f"no-op {second:.1f}s ({r.facts['noop_requests']} requests, {r.facts['noop_writes']} writes)")
                results.append(r)
            sec = Section(f"sync-{kind}-{'local' if direction.startswith('local') else 'r2r'}", title, TARGET, results)
            _judge(sec)
            sections.append(sec)
    return sections


def _judge(sec: Section) -> None:
    d = sec.get("dumont_nb")
    if d is None or d.median is None:
        sec.verdicts.append(Verdict(None, "dumont_nb side not measured" + (f" ({d.error})" if d and d.error else "")))
        return
    for peer, want in (("rclone", 1.0), ("aws s3 sync", 2.0)):
        p = sec.get(peer)
        if p and p.median:
            sec.verdicts.append(Verdict(p.median / d.median >= want, f"first run {p.median / d.median:.2f}× faster than {peer} (target ≥ {want}×)"))
    sec.verdicts.append(Verdict(d.facts.get("noop_writes") == 0, f"no-op run: {d.facts.get('noop_writes')} writes, "
                                                                 f"{d.facts.get('noop_requests')} requests in all"))
