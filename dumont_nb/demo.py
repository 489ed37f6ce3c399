"""The embedded demo: an S3 server in this process, seeded, with a config and notebooks beside it.

``dumont-nb demo`` (see :mod:`dumont_nb.cli`) uses it like this::

    with DemoServer() as demo:          # moto on 127.0.0.1, bucket seeded, config written
        demo.config_path                # <workdir>/config.yaml with remotes `demo`, `demo-emulate`
        launch_lab(demo, port=8888)     # JupyterLab on <workdir>/quickstart.ipynb
        # or: run_check(demo)           # execute quickstart.ipynb headless

The user's own config file is never read or written: the demo's config lives in the demo's
working directory and reaches JupyterLab and its kernels through ``DUMONT_CONFIG``. The working
directory is a fresh temporary directory (deleted on exit) unless one is given.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .testing.server import StartStop
from .demo_data import DEMO_BUCKET, MANY_KEYS, SeedResult, seed

__all__ = [
    "DEMO_REMOTE",
    "EMULATE_REMOTE",
    "NOTEBOOKS",
    "DemoServer",
    "CheckResult",
    "demo_config",
    "notebooks_dir",
    "run_notebook",
    "run_check",
    "launch_lab",
    "wait_interruptibly",
]

DEMO_REMOTE = "demo"
EMULATE_REMOTE = "demo-emulate"
DEMO_KEY = "demo"
DEMO_SECRET = "demo-secret-not-a-real-key"
NOTEBOOKS = ("quickstart.ipynb", "semantics.ipynb", "configure-remotes.ipynb")
CELL_TIMEOUT = 300  # seconds per notebook cell (the 3,000-key listing on a busy 2-core machine)


def notebooks_dir() -> Path:
    """Where the demo notebooks are: packaged beside this module in a wheel
    (``dumont_nb/_notebooks``), else the repository's ``notebooks/`` (editable install).

    Raises:
        FileNotFoundError: neither exists (a broken install).
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_notebooks", here.parent / "notebooks"):
        if (candidate / NOTEBOOKS[0]).is_file():
            return candidate
    raise FileNotFoundError(
        f"demo notebooks not found in {here / '_notebooks'} or {here.parent / 'notebooks'}; "
        f"reinstall dumont_nb with `pip install \".[demo]\"` from the repository"
    )


def demo_config(endpoint: str) -> dict:
    """The demo's config mapping: remote ``demo`` on ``endpoint`` and ``demo-emulate`` (the same
    store with ``emulate: true``). The credentials are throwaway literals moto accepts."""
    from .testing.server import remote_settings_for

    remote = remote_settings_for(endpoint, DEMO_KEY, DEMO_SECRET)
    return {"remotes": {DEMO_REMOTE: remote, EMULATE_REMOTE: {**remote, "emulate": True}}}


class DemoServer(StartStop):
    """moto's S3 server on 127.0.0.1 in this process, seeded with the demo data set, plus a
    working directory holding ``config.yaml`` and copies of the demo notebooks.

    ``workdir=None`` makes a temporary directory that :meth:`stop` deletes; a given ``workdir``
    is created if needed and kept (notebooks already there are not overwritten).
    ``copy_notebooks=False`` writes only the config (Binder serves the repository's notebooks).
    """

    def __init__(
        self,
        workdir: str | os.PathLike | None = None,
        *,
        s3_port: int = 0,
        many: int = MANY_KEYS,
        copy_notebooks: bool = True,
    ):
        self._given_workdir = Path(workdir).expanduser().resolve() if workdir is not None else None
        self.s3_port = s3_port
        self.many = many
        self.copy_notebooks = copy_notebooks
        self.server = None
        self.workdir: Path | None = None
        self.seeded: SeedResult | None = None

    @property
    def endpoint(self) -> str:
        return self.server.endpoint

    @property
    def config_path(self) -> Path:
        return self.workdir / "config.yaml"

    def start(self, progress: Callable[[str], None] = lambda msg: None) -> "DemoServer":
        """Start the server, seed the bucket, write the config and copy the notebooks.

        Raises:
            OSError: the port is taken or the working directory cannot be written.
            FileNotFoundError: the demo notebooks are missing from the installation.
        """
        from .testing.server import MotoS3Server

        source = notebooks_dir() if self.copy_notebooks else None
        try:
            self.server = MotoS3Server(port=self.s3_port).start()
            progress(f"S3 server (moto) listening on {self.endpoint}")
            self.seeded = seed(self.server.boto3_client(), DEMO_BUCKET, many=self.many)
            progress(
                f"seeded s3://{DEMO_BUCKET}: {self.seeded.objects:,} objects, {self.seeded.bytes:,} bytes"
            )
            if self._given_workdir is None:
                self.workdir = Path(tempfile.mkdtemp(prefix="dumont-demo-"))
            else:
                self.workdir = self._given_workdir
                self.workdir.mkdir(parents=True, exist_ok=True)
            self._write_config()
            for name in NOTEBOOKS if source is not None else ():
                target = self.workdir / name
                if self._given_workdir is None or not target.exists():
                    shutil.copyfile(source / name, target)
        except BaseException:
            self.stop()
            raise
        return self

    def _write_config(self) -> None:
        import yaml

        text = (
            "# dumont_nb demo config, written by `dumont-nb demo` (your own config is untouched).\n"
            "# The endpoint changes on every run; this file is only valid while the demo runs.\n"
        ) + yaml.safe_dump(demo_config(self.endpoint), sort_keys=False)
        tmp = self.config_path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.config_path)  # readers (binder/start) never see half a file

    def env(self) -> dict[str, str]:
        """The environment for JupyterLab and kernels: this process's, with ``DUMONT_CONFIG`` and
        ``DUMONT_BOOKMARKS`` in the demo's working directory (nothing goes to the user's config dir)."""
        return {**os.environ, "DUMONT_CONFIG": str(self.config_path),
                "DUMONT_BOOKMARKS": str(self.workdir / "bookmarks.json")}

    def stop(self) -> None:
        """Stop the server and delete a temporary working directory. Safe to call twice."""
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self._given_workdir is None and self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None


@dataclass
class CheckResult:
    """Outcome of executing one notebook: ``error`` is one line, or None on success."""

    notebook: Path
    cells: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def run_notebook(path: str | os.PathLike, env: dict[str, str], *, timeout: int = CELL_TIMEOUT) -> CheckResult:
    """Execute a notebook top to bottom in a fresh ``python3`` kernel started with ``env``.

    Never raises for a failing cell or kernel: the result carries a one-line error naming the
    cell. The kernel's own stderr (start-up warnings) is kept out of the terminal and its last
    line is quoted only if the kernel dies.

    Raises:
        KeyboardInterrupt: interrupted (Ctrl-C/SIGTERM); the kernel has been shut down.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as kernel_stderr:
        try:
            client.execute(env=env, stderr=kernel_stderr)
        except CellExecutionError as exc:
            failed = next((i for i, c in enumerate(code_cells) if _has_error(c)), None)
            where = f"code cell {failed + 1}" if failed is not None else "a cell"
            return CheckResult(path, len(code_cells), f"{path.name}: {where} failed: {exc.ename}: {exc.evalue}")
        except Exception as exc:  # dead kernel, timeout, kernel that cannot start
            if _interrupted(exc):
                raise KeyboardInterrupt from None
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            kernel_stderr.seek(0)
            last = [line for line in kernel_stderr.read().splitlines() if line.strip()][-1:]
            said = f" (kernel said: {last[0].strip()})" if last else ""
            return CheckResult(path, len(code_cells), f"{path.name}: {type(exc).__name__}: {first}{said}")
    return CheckResult(path, len(code_cells))


def _interrupted(exc: BaseException) -> bool:
    """Whether a KeyboardInterrupt (or the cancellation it causes) is in ``exc``'s chain:
    nbclient turns an interrupt into DeadKernelError/AssertionError while cleaning up."""
    import asyncio

    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, (KeyboardInterrupt, asyncio.CancelledError)):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _has_error(cell) -> bool:
    return any(out.get("output_type") == "error" for out in cell.get("outputs", ()))


def run_check(demo: DemoServer, notebooks: tuple[str, ...] = ("quickstart.ipynb",)) -> list[CheckResult]:
    """Execute the demo's notebooks headless against ``demo``'s server (kernels get its env)."""
    return [run_notebook(demo.workdir / name, demo.env()) for name in notebooks]


def lab_command(demo: DemoServer, *, port: int | None = None, open_browser: bool = True) -> list[str]:
    """The JupyterLab command line for ``demo``: its workdir as root, quickstart opened."""
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={demo.workdir}",
        "--LabApp.default_url=/lab/tree/quickstart.ipynb",
        "--ServerApp.ip=127.0.0.1",
    ]
    if port:
        cmd += [f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers often run as root
        cmd.append("--allow-root")
    return cmd


def launch_lab(
    demo: DemoServer, *, port: int | None = None, open_browser: bool = True, extra_args: tuple[str, ...] = ()
) -> int:
    """Run JupyterLab on the demo until it exits or this process is interrupted (Ctrl-C/SIGTERM).

    JupyterLab runs in its own session, so Ctrl-C reaches only this process, which then stops
    JupyterLab with SIGTERM (its kernels shut down with it) and waits for it. Returns
    JupyterLab's exit status, or 0 after an interrupt.

    Raises:
        OSError: JupyterLab cannot be started (not installed: install the `demo` extra).
    """
    child = subprocess.Popen(
        lab_command(demo, port=port, open_browser=open_browser) + list(extra_args),
        env=demo.env(),
        cwd=str(demo.workdir),
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        return wait_interruptibly(child)
    except KeyboardInterrupt:
        return 0
    finally:
        stop_process(child)


def wait_interruptibly(child: subprocess.Popen | None = None, tick: float = 0.25) -> int:
    """Wait for ``child`` to exit (or forever when None) while staying responsive to signals.

    A blocking ``waitpid``/``Event.wait`` is interrupted only when the signal is delivered to the
    main thread; the kernel may hand Ctrl-C to one of the S3 server's threads instead, and the
    main thread would never notice. Waking up every ``tick`` seconds lets Python run the
    handler (KeyboardInterrupt) whichever thread received the signal.
    """
    while True:
        if child is None:
            time.sleep(tick)
            continue
        try:
            return child.wait(timeout=tick)
        except subprocess.TimeoutExpired:
            continue


def stop_process(child: subprocess.Popen, timeout: float = 20.0) -> None:
    """SIGTERM ``child``, wait up to ``timeout`` seconds, then SIGKILL. No-op if it has exited."""
    if child.poll() is not None:
        return
    try:
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
    except KeyboardInterrupt:  # a second Ctrl-C while waiting: do not wait any longer
        child.kill()
        child.wait()
