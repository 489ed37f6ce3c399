"""Every demo notebook runs top to bottom (nbclient) against the demo server and fails on any
cell error: quickstart through ``dumont-nb demo --check``, the others against
``dumont-nb demo --server-only`` (as on Binder). Both servers run in their own processes, so
moto's process-wide state stays apart from the rest of the suite."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dumont_nb.demo import DEMO_REMOTE, NOTEBOOKS, notebooks_dir, run_notebook
from dumont_nb.demo_data import DEMO_BUCKET

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):
    """A seeded demo server in a subprocess; yields the env kernels get (DUMONT_CONFIG)."""
    workdir = tmp_path_factory.mktemp("demo-server")
    log = workdir / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dumont_nb.cli", "demo", "--server-only", "--dir", str(workdir)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    config = workdir / "config.yaml"
    deadline = time.monotonic() + 180
    while not config.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    try:
        assert config.exists(), log.read_text()
        yield {**os.environ, "DUMONT_CONFIG": str(config)}
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, log.read_text()
    assert "[dumont-nb demo] stopped" in log.read_text()


@pytest.mark.slow
def test_demo_check_runs_the_quickstart_and_prints_the_bucket(tmp_path):
    """quickstart.ipynb, executed by `dumont-nb demo --check` itself (nbclient, kernel env with
    DUMONT_CONFIG, the server in the CLI process)."""
    proc = subprocess.run([sys.executable, "-m", "dumont_nb.cli", "demo", "--check"],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "quickstart.ipynb:" in out and "code cells ran" in out
    listing = out.split(f"{DEMO_REMOTE}://{DEMO_BUCKET}/", 1)[1]
    for name in ("csv/", "parquet/", "many/", "empty-folder/", "README.txt"):
        assert name in listing
    assert "check passed" in out


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in NOTEBOOKS if n != "quickstart.ipynb"])
def test_notebook_runs_top_to_bottom_against_the_demo_server(name, demo_env, tmp_path):
    copy = tmp_path / name  # the kernel's cwd is a scratch dir, never the repository
    shutil.copyfile(notebooks_dir() / name, copy)
    result = run_notebook(copy, demo_env)
    assert result.ok, result.error
    assert result.cells >= 5


@pytest.mark.slow
def test_binder_start_runs_the_demo_server_and_hands_over(tmp_path):
    """binder/start starts the server in the background, exports DUMONT_CONFIG, execs "$@"."""
    demo_dir = tmp_path / "binder-demo"
    env = {**os.environ, "DUMONT_DEMO_DIR": str(demo_dir),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("DUMONT_CONFIG", None)
    probe = (
        "import os, boto3, dumont_nb.config as c; "
        "r = c.read_config(os.environ['DUMONT_CONFIG']).remote('demo'); "
        "s3 = boto3.client('s3', endpoint_url=r.endpoint, aws_access_key_id='demo', "
        "aws_secret_access_key='demo', region_name='us-east-1'); "
        "print('keys', s3.list_objects_v2(Bucket='demo-data', Prefix='csv/')['KeyCount'])"
    )
    try:
        proc = subprocess.run([str(REPO / "binder" / "start"), sys.executable, "-c", probe],
                              capture_output=True, text=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr + (demo_dir / "server.log").read_text()
        assert "keys 5" in proc.stdout  # cities.csv + four sales files: seeded before the handover
    finally:
        pid_file = demo_dir / "server.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text())
            try:
                os.kill(pid, signal.SIGTERM)
                for _ in range(60):
                    os.kill(pid, 0)
                    time.sleep(0.5)
            except ProcessLookupError:
                pass
    assert "stopped" in (demo_dir / "server.log").read_text()


def test_binder_files_are_in_place():
    binder = REPO / "binder"
    for name in ("environment.yml", "postBuild", "start"):
        assert (binder / name).is_file(), name
    for script in ("postBuild", "start"):
        assert os.access(binder / script, os.X_OK), f"binder/{script} must be executable"
    assert '".[demo]"' in (binder / "postBuild").read_text()
    assert 'exec "$@"' in (binder / "start").read_text()
