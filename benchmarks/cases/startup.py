"""Case 7: ``import dumont_nb`` and ``%load_ext dumont_nb`` wall time, each in a fresh interpreter."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from harness import Ctx, Result, Section, Verdict

TARGET = "import dumont_nb ≤ 0.3 s; %load_ext dumont_nb ≤ 1 s"

_IMPORT = """
import time, sys, json
t = time.perf_counter()
import {module}
dt = time.perf_counter() - t
heavy = [m for m in ("pandas", "s3fs", "ipywidgets", "botocore", "IPython") if m in sys.modules]
print(json.dumps({{"t": dt, "heavy": heavy}}))
"""

_LOAD_EXT = """
import time, json
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
t = time.perf_counter()
shell.run_line_magic("load_ext", "dumont_nb")
dt = time.perf_counter() - t
ok = "dumont" in shell.magics_manager.magics["line"]
print(json.dumps({"t": dt, "registered": ok}))
"""


def _measure(code: str, n: int) -> tuple[list[float], dict]:
    times, last = [], {}
    for _ in range(n):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        if out.returncode:
            raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed")
        last = json.loads(out.stdout.strip().splitlines()[-1])
        times.append(last.pop("t"))
    return times, last


def run(ctx: Ctx) -> list[Section]:
    n = 3 if ctx.quick else 7
    results = []
    ctx.log("Startup: import and %load_ext")
    for name, code in [
        ("import dumont_nb", _IMPORT.format(module="dumont_nb")),
        ("import boto3", _IMPORT.format(module="boto3")),
        ("import s3fs", _IMPORT.format(module="s3fs")),
        ("import obstore", _IMPORT.format(module="obstore")),
        ("%load_ext dumont_nb", _LOAD_EXT),
    ]:
        r = Result("startup", name)
        try:
            r.times, r.facts = _measure(code, n)
            ctx.log(f"  {name}: median {statistics.median(r.times):.3f}s {r.facts}")
        except Exception as e:
            r.error = f"{type(e).__name__}: {e}"[:200]
            ctx.log(f"  {name}: FAILED {r.error}")
        results.append(r)
    sec = Section("startup", "Startup: `import dumont_nb` and `%load_ext dumont_nb` (fresh interpreter each)", TARGET, results,
                  dumont=("import dumont_nb", "%load_ext dumont_nb"))
    imp, ext = sec.get("import dumont_nb"), sec.get("%load_ext dumont_nb")
    if imp.median is not None:
        sec.verdicts.append(Verdict(imp.median <= 0.3, f"import dumont_nb: {imp.median:.3f} s (target ≤ 0.3 s); "
                                                      f"heavy modules loaded: {imp.facts.get('heavy') or 'none'}"))
    else:
        sec.verdicts.append(Verdict(False, f"import dumont_nb failed: {imp.error}"))
    if ext.median is not None:
        sec.verdicts.append(Verdict(ext.median <= 1.0 and ext.facts.get("registered", False),
                                    f"%load_ext dumont_nb: {ext.median:.3f} s (target ≤ 1 s), %dumont registered: "
                                    f"{ext.facts.get('registered')}"))
    else:
        sec.verdicts.append(Verdict(None, f"%load_ext dumont_nb not measured: {ext.error}"))
    sec.notes.append("Times are measured inside the fresh interpreter around the statement only "
                     "(interpreter start-up excluded); %load_ext is timed after InteractiveShell.instance().")
    return [sec]
