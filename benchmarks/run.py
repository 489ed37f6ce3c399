"""Run the dumont_nb benchmarks against boto3, s3fs and obstore on one moto server.

    python benchmarks/run.py            # the whole run, every case at 0 and 50 ms a request, writes docs/benchmarks.md
    python benchmarks/run.py --quick    # smaller sizes, fewer repetitions, for iteration
    python benchmarks/run.py --cases listing,reads --no-write

Needs the ``bench`` extra (``pip install -e ".[test,bench]"``). Not part of the pytest run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from datetime import datetime, timezone
from importlib import import_module
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(ROOT))

from harness import Ctx, ServerProcess  # noqa: E402

CASES = {
    "listing": "cases.listing",
    "stat": "cases.stat_head",
    "transfer": "cases.transfer",
    "reads": "cases.reads",
    "rename": "cases.rename",
    "startup": "cases.startup",
    "inventory": "cases.inventory",
    "sync": "cases.sync",
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small sizes and one repetition (for iteration)")
    p.add_argument("--cases", default=",".join(CASES), help=f"comma-separated subset of: {', '.join(CASES)}")
    p.add_argument("--stock-moto-listing", action="store_true",
                   help="serve listings with moto's own (slow) scan and serializer (see benchmarks/server.py)")
    p.add_argument("--latencies", default="0,50",
                   help="comma-separated ms a request: every case runs once at each (default 0,50)")
    p.add_argument("--no-write", action="store_true", help="print only; do not write docs/benchmarks.md")
    args = p.parse_args(argv)
    wanted = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in wanted if c not in CASES]
    if unknown:
        p.error(f"unknown case(s) {unknown}; choose from {list(CASES)}")

    try:
        latencies = [float(x) for x in args.latencies.split(",") if x.strip()]
    except ValueError:
        p.error(f"--latencies: comma-separated numbers of milliseconds, got {args.latencies!r}")
    started = datetime.now(timezone.utc)
    load_start = os.getloadavg()
    t0 = time.perf_counter()
    server = ServerProcess()
    sections = []
    try:
        server.fastlist(not args.stock_moto_listing)
        with tempfile.TemporaryDirectory(prefix="dumont-bench-") as scratch:
            ctx = Ctx(server, Path(scratch), args.quick)
            ctx.fastlist = not args.stock_moto_listing
            for ms in latencies:
                ctx.latency_ms = ms
                server.latency(ms)
                for name in wanted:
                    try:
                        for sec in import_module(CASES[name]).run(ctx):
                            sec.key = f"{sec.key}@{ms:g}ms"
                            if "ms a request" not in sec.title:
                                sec.title = ctx.at(sec.title)
                            sections.append(sec)
                    except Exception:
                        print(f"case {name} at {ms:g} ms failed:\n{traceback.format_exc()}", file=sys.stderr)
                    print(f"[{time.perf_counter() - t0:.0f} s]", flush=True)
                server.latency(0)
    finally:
        server.stop()
    elapsed = time.perf_counter() - t0
    command = "python benchmarks/run.py" + (" --quick" if args.quick else "") + \
        ("" if args.cases == ",".join(CASES) else f" --cases {args.cases}") + \
        (" --stock-moto-listing" if args.stock_moto_listing else "") + \
        ("" if args.latencies == "0,50" else f" --latencies {args.latencies}")
    doc = {
        "command": command,
        "started": started.strftime("%Y-%m-%d %H:%M"),
        "elapsed": elapsed,
        "quick": args.quick,
        "latencies": latencies,
        "cpus": os.cpu_count(),
        "load": [round(x, 1) for x in load_start] + [round(x, 1) for x in os.getloadavg()],
        "versions": {m: _version(m) for m in ("dumont_nb", "boto3", "s3fs", "obstore", "moto", "pandas")},
        "sections": [s.as_dict() for s in sections],
    }
    print(f"total {elapsed:.0f} s")
    for s in doc["sections"]:
        for v in s["verdicts"]:
            print(f"  {'OK  ' if v['ok'] else ('MISS' if v['ok'] is False else 'n/a ')} {s['title']}: {v['text']}")
    if not args.no_write:
        from report import write

        (ROOT / "docs").mkdir(exist_ok=True)
        (ROOT / "docs" / "benchmarks.json").write_text(json.dumps(doc, indent=1, default=str))
        write(doc, ROOT / "docs" / "benchmarks.md", ROOT / "docs" / "images" / "benchmarks.png", HERE / "findings.md")
        print("wrote docs/benchmarks.md, docs/benchmarks.json, docs/images/benchmarks.png")
    return 0


def _version(module: str) -> str:
    try:
        return version(module)
    except Exception:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
