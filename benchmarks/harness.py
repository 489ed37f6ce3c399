"""The benchmark harness: the server process, the clients, interleaved timing, and statistics.

A *case* is a list of :class:`Contender` (one per client: dumont_nb, boto3, s3fs, obstore); each
has ``run()`` (the measured work, returning a dict of facts such as ``rows``) and optional
``setup()``/``teardown()`` run outside the clock before and after every repetition. The harness
runs the contenders interleaved (A B C D A B C D ...), clears the server's request log before
each run and reads it after, and measures wall time, client CPU time (``time.process_time``: the
server is another process) and, in one extra untimed repetition, peak Python memory
(``tracemalloc``) and the resident-set high-water mark above the start (``psutil``, sampled).
"""

from __future__ import annotations

import contextlib

import gc
import json
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
KEY, SECRET, REGION = "testing", "testing-secret", "us-east-1"


# -- the server process ----------------------------------------------------------------------
class ServerProcess:
    """``benchmarks/server.py`` in a child process, with its control endpoints."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "server.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("benchmark server did not start (see its stderr above)")
        self.endpoint: str = json.loads(line)["endpoint"]

    def _call(self, method: str, what: str, **params: Any) -> dict:
        from urllib.parse import urlencode

        url = f"{self.endpoint}/__bench__/{what}"
        if params:
            url += "?" + urlencode(params)
        req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(req, timeout=600) as resp:
            return json.loads(resp.read() or b"{}")

    def stats(self) -> dict:
        return self._call("GET", "stats")

    def clear(self) -> None:
        self._call("POST", "clear")

    def seed(self, bucket: str, prefix: str, n: int, layout: str = "flat", size: int = 1) -> None:
        self._call("POST", "seed", bucket=bucket, prefix=prefix, n=n, layout=layout, size=size)

    def latency(self, ms: float) -> None:
        """Answer every request after ``ms`` milliseconds (0: at once)."""
        self._call("POST", "latency", ms=ms)

    def fastlist(self, on: bool) -> None:
        self._call("POST", "fastlist", on="1" if on else "0")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


# -- clients ---------------------------------------------------------------------------------
def boto3_client(endpoint: str, max_pool: int = 10):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
        region_name=REGION,
        config=Config(
            s3={"addressing_style": "path"},
            max_pool_connections=max_pool,
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )


def s3fs_filesystem(endpoint: str):
    import s3fs

    return s3fs.S3FileSystem(
        key=KEY,
        secret=SECRET,
        endpoint_url=endpoint,
        client_kwargs={"region_name": REGION},
        config_kwargs={
            "s3": {"addressing_style": "path"},
            "request_checksum_calculation": "when_required",
            "response_checksum_validation": "when_required",
        },
        skip_instance_cache=True,
    )


def obstore_store(endpoint: str, bucket: str):
    from obstore.store import S3Store

    return S3Store(
        bucket,
        endpoint=endpoint,
        access_key_id=KEY,
        secret_access_key=SECRET,
        region=REGION,
        virtual_hosted_style_request=False,
        client_options={"allow_http": True},
    )


def dumont_config(endpoint: str):
    """A dumont_nb config with one remote, ``bench``, on the server (made active)."""
    from dumont_nb.api import use_config

    return use_config(
        {
            "remotes": {
                "bench": {
                    "type": "s3",
                    "endpoint": endpoint,
                    "region": REGION,
                    "path_style": True,
                    "credentials": {"access_key_id": KEY, "secret_access_key": SECRET},
                }
            }
        }
    )


# -- measurement -----------------------------------------------------------------------------
@dataclass
class Contender:
    name: str
    run: Callable[[], dict | None]
    setup: Callable[[], None] | None = None
    teardown: Callable[[], None] | None = None
    note: str = ""


@dataclass
class Result:
    case: str
    contender: str
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    requests: dict = field(default_factory=dict)  # op -> {count, bytes_sent, bytes_received}
    facts: dict = field(default_factory=dict)
    peak_py: int | None = None
    peak_rss: int | None = None
    error: str | None = None
    note: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    def as_dict(self) -> dict:
        return {
            "case": self.case,
            "contender": self.contender,
            "times": self.times,
            "cpu": self.cpu,
            "median": self.median,
            "min": min(self.times) if self.times else None,
            "max": max(self.times) if self.times else None,
            "cpu_median": statistics.median(self.cpu) if self.cpu else None,
            "requests": self.requests,
            "request_count": sum(v["count"] for v in self.requests.values()),
            "bytes_sent": sum(v["bytes_sent"] for v in self.requests.values()),
            "facts": self.facts,
            "peak_py": self.peak_py,
            "peak_rss": self.peak_rss,
            "error": self.error,
            "note": self.note,
        }


class _RssSampler:
    """Samples this process's RSS every few ms; ``peak`` is the high-water mark above the start."""

    def __init__(self, interval: float = 0.005) -> None:
        import psutil

        self._proc = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.start_rss = self._proc.memory_info().rss
        self.max_rss = self.start_rss
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.max_rss = max(self.max_rss, self._proc.memory_info().rss)
            self._stop.wait(self._interval)

    def __enter__(self) -> "_RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.max_rss = max(self.max_rss, self._proc.memory_info().rss)

    @property
    def peak(self) -> int:
        return self.max_rss - self.start_rss


def _once(server: ServerProcess, c: Contender, memory: bool = False) -> tuple[float, float, dict, dict, int | None, int | None]:
    if c.setup:
        c.setup()
    gc.collect()
    server.clear()
    peak_py = peak_rss = None
    if memory:
        tracemalloc.start()
    # the RSS sampler (a thread waking every 5 ms) runs in the memory run only: in timed runs its
    # CPU would be charged to the client, in proportion to wall time
    with _RssSampler() if memory else contextlib.nullcontext() as rss:
        t0, c0 = time.perf_counter(), time.process_time()
        facts = c.run()
        facts = facts if isinstance(facts, dict) else {}
        t1, c1 = time.perf_counter(), time.process_time()
    if memory:
        peak_py = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        peak_rss = rss.peak
    reqs = server.stats()
    if c.teardown:
        c.teardown()
    return t1 - t0, c1 - c0, reqs, facts, peak_py, peak_rss


def run_case(
    server: ServerProcess,
    case: str,
    contenders: list[Contender],
    repeat: int,
    memory: bool = True,
    warmup: bool = True,
    log: Callable[[str], None] = print,
) -> list[Result]:
    """Run ``contenders`` interleaved ``repeat`` times, after one untimed run each (under
    tracemalloc when ``memory``, which gives the peak-memory figures; plain otherwise)."""
    results = {c.name: Result(case, c.name, note=c.note) for c in contenders}
    if memory or warmup:  # untimed; under tracemalloc when measuring memory
        for c in contenders:
            r = results[c.name]
            try:
                _, _, _, _, r.peak_py, r.peak_rss = _once(server, c, memory=memory)
            except Exception as e:
                r.error = f"{type(e).__name__}: {e}".splitlines()[0][:200]
                log(f"  {case} / {c.name}: FAILED {r.error}")
    for i in range(repeat):
        order = contenders if i % 2 == 0 else list(reversed(contenders))
        for c in order:
            r = results[c.name]
            if r.error:
                continue
            try:
                wall, cpu, reqs, facts, _, _ = _once(server, c)
            except Exception as e:  # a contender that fails is reported, not fatal
                r.error = f"{type(e).__name__}: {e}".splitlines()[0][:200]
                log(f"  {case} / {c.name}: FAILED {r.error}")
                continue
            r.times.append(wall)
            r.cpu.append(cpu)
            r.requests = reqs
            r.facts.update(facts)
            log(f"  {case} / {c.name}: {wall:.3f}s wall, {cpu:.3f}s cpu, "
                f"{sum(v['count'] for v in reqs.values())} requests")
    return list(results.values())


# -- context and sections --------------------------------------------------------------------
@dataclass
class Verdict:
    ok: bool | None  # None: not measurable (e.g. the dumont side is missing)
    text: str


@dataclass
class Section:
    """One case's results for the report."""

    key: str
    title: str
    target: str
    results: list[Result]
    verdicts: list[Verdict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dumont: tuple[str, ...] = ("dumont_nb",)  # contender names that are dumont's

    def get(self, name: str) -> Result | None:
        return next((r for r in self.results if r.contender == name), None)

    def best_competitor(self) -> Result | None:
        others = [r for r in self.results if r.contender not in self.dumont and r.median is not None and not r.note.startswith("baseline")]
        return min(others, key=lambda r: r.median) if others else None

    def as_dict(self) -> dict:
        best = self.best_competitor()
        rows = []
        for r in self.results:
            d = r.as_dict()
            d["ratio_to_best"] = (r.median / best.median) if (best and r.median is not None) else None
            rows.append(d)
        return {
            "key": self.key,
            "title": self.title,
            "target": self.target,
            "best_competitor": best.contender if best else None,
            "results": rows,
            "verdicts": [{"ok": v.ok, "text": v.text} for v in self.verdicts],
            "notes": self.notes,
        }


class Ctx:
    """What every case needs: the server, the clients, a scratch directory, the mode."""

    def __init__(self, server: ServerProcess, scratch: Path, quick: bool, log: Callable[[str], None] = print):
        self.server = server
        self.endpoint = server.endpoint
        self.scratch = scratch
        self.quick = quick
        self.log = log
        self.boto3 = boto3_client(self.endpoint, max_pool=32)
        self._s3fs = None
        self._dumont = None
        self.dumont_error: str | None = None
        self.fastlist = True  # run.py turns it off with --stock-moto-listing
        self.latency_ms = 0.0  # run.py sets it (and the server's) before each round of cases

    def at(self, title: str) -> str:
        """``title`` with the round's latency, as every section names it."""
        return f"{title} — at {self.latency_ms:g} ms a request"

    def tool_env(self) -> dict:
        """The environment for the peer CLIs (rclone's remote ``bench:``, the AWS CLI)."""
        import os

        env = dict(os.environ, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET, AWS_DEFAULT_REGION=REGION,
                   RCLONE_CONFIG_BENCH_TYPE="s3", RCLONE_CONFIG_BENCH_PROVIDER="Other",
                   RCLONE_CONFIG_BENCH_ENDPOINT=self.endpoint, RCLONE_CONFIG_BENCH_ACCESS_KEY_ID=KEY,
                   RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY=SECRET, RCLONE_CONFIG_BENCH_REGION=REGION,
                   RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE="true")
        env.pop("AWS_CA_BUNDLE", None)  # plain http here; rclone refuses to start with a custom CA bundle set
        return env

    @property
    def s3fs(self):
        if self._s3fs is None:
            self._s3fs = s3fs_filesystem(self.endpoint)
        return self._s3fs

    def obstore(self, bucket: str):
        return obstore_store(self.endpoint, bucket)

    @property
    def dumont_config(self):
        """The dumont_nb config (remote ``bench``), or None if dumont_nb cannot build one."""
        if self._dumont is None and self.dumont_error is None:
            try:
                self._dumont = dumont_config(self.endpoint)
            except Exception as e:
                self.dumont_error = f"{type(e).__name__}: {e}"
        return self._dumont

    def dumont_fs(self):
        """dumont_nb's FileSystem for remote ``bench``; raises if the vfs layer is missing."""
        from dumont_nb.api import filesystem

        return filesystem("bench", config=self.dumont_config)

    def make_bucket(self, name: str) -> None:
        try:
            self.boto3.create_bucket(Bucket=name)
        except self.boto3.exceptions.BucketAlreadyOwnedByYou:
            pass

    def available(self, what: str, probe: Callable[[], Any]) -> str | None:
        """None if ``probe()`` works, else a one-line reason (used to skip a dumont contender)."""
        try:
            probe()
            return None
        except Exception as e:
            reason = f"{what} not available: {type(e).__name__}: {e}".splitlines()[0][:200]
            self.log("  " + reason)
            return reason


def mib(n: float) -> str:
    return f"{n / 2**20:.1f} MiB"
