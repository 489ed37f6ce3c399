"""The embedded demo: seeding (checked with boto3 and the request log), the demo config and
working directory, ``demo --check`` and Ctrl-C shutdown of ``demo`` with JupyterLab."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request
import uuid
import zlib
from pathlib import Path

import pytest

from dumont_nb.config import parse_config, read_config
from dumont_nb.demo import DEMO_REMOTE, EMULATE_REMOTE, NOTEBOOKS, DemoServer, demo_config, notebooks_dir
from dumont_nb.demo_data import DEMO_BUCKET, EMPTY_FOLDER, MANY_KEYS, MANY_PREFIX, demo_objects, png, seed

CLI = [sys.executable, "-m", "dumont_nb.cli"]


def _all_keys(s3, bucket: str, prefix: str = "") -> dict[str, int]:
    keys = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.update({o["Key"]: o["Size"] for o in page.get("Contents", [])})
    return keys


def _get(s3, bucket: str, key: str) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def _png_pixels(data: bytes) -> tuple[int, int, bytes]:
    """Decode our PNG independently: check signature and CRCs, return width, height, raw rows."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        chunks[kind] = body
        pos += 12 + length
    assert set(chunks) == {b"IHDR", b"IDAT", b"IEND"}
    width, height, depth, color = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, color) == (8, 2)
    return width, height, zlib.decompress(chunks[b"IDAT"])


def test_png_encodes_the_pixels_given():
    data = png(3, 2, lambda x, y: (x, y, 7))
    width, height, raw = _png_pixels(data)
    assert (width, height) == (3, 2)
    assert raw == bytes([0, 0, 0, 7, 1, 0, 7, 2, 0, 7, 0, 0, 1, 7, 1, 1, 7, 2, 1, 7])


@pytest.mark.slow
def test_seed_writes_the_demo_data_set_with_puts(s3_server, s3):
    bucket = f"seed-{uuid.uuid4().hex[:8]}"
    s3_server.clear()
    result = seed(s3, bucket)

    keys = _all_keys(s3, bucket)
    assert result.objects == len(keys) == MANY_KEYS + len(list(demo_objects()))
    assert result.bytes == sum(keys.values())
    assert s3_server.count("PutObject", bucket) == result.objects  # every object through S3 PUTs
    many = [k for k in keys if k.startswith(MANY_PREFIX)]
    assert len(many) == MANY_KEYS == 3000
    # an empty folder marker, and nested prefixes three levels deep
    assert keys[EMPTY_FOLDER] == 0
    assert not [k for k in keys if k.startswith(EMPTY_FOLDER) and k != EMPTY_FOLDER]
    top = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert {p["Prefix"] for p in top["CommonPrefixes"]} >= {
        "csv/", "parquet/", "json/", "images/", "logs/", "many/", "empty-folder/"
    }
    deep = s3.list_objects_v2(Bucket=bucket, Prefix="logs/2026/11/", Delimiter="/")
    assert [p["Prefix"] for p in deep["CommonPrefixes"]] == ["logs/2026/11/24/", "logs/2026/11/25/"]
    # each format is what it claims to be
    rows = list(csv.DictReader(io.StringIO(_get(s3, bucket, "csv/cities.csv").decode())))
    assert len(rows) == 20 and set(rows[0]) == {"city", "country", "population", "lat", "lon"}
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(_get(s3, bucket, "parquet/trips.parquet")))
    assert table.num_rows == 1000 and "distance_km" in table.column_names
    assert len(json.loads(_get(s3, bucket, "json/stations.json"))["stations"]) == 20
    events = _get(s3, bucket, "json/events.jsonl").decode().splitlines()
    assert all(json.loads(line)["kind"] in {"open", "read", "write"} for line in events)
    for key in ("images/gradient.png", "images/icons/red.png"):
        width, height, raw = _png_pixels(_get(s3, bucket, key))
        assert len(raw) == height * (1 + 3 * width)
    head = s3.head_object(Bucket=bucket, Key="images/gradient.png")
    assert head["ContentType"] == "image/png"


def test_seed_twice_overwrites_without_error(s3_server, s3):
    bucket = f"seed-{uuid.uuid4().hex[:8]}"
    first = seed(s3, bucket, many=5)
    second = seed(s3, bucket, many=5)
    assert first == second
    assert len(_all_keys(s3, bucket)) == first.objects
    assert _get(s3, bucket, "csv/cities.csv") == dict((k, b) for k, b, _ in demo_objects())["csv/cities.csv"]


def test_demo_config_is_a_valid_config_with_an_emulate_twin():
    cfg = parse_config(demo_config("http://127.0.0.1:5555"), source="<demo>")
    demo, emulate = cfg.remote(DEMO_REMOTE), cfg.remote(EMULATE_REMOTE)
    assert demo.endpoint == emulate.endpoint == "http://127.0.0.1:5555"
    assert demo.path_style and not demo.emulate and emulate.emulate
    assert demo.credentials is not None and demo.credentials.access_key_id.kind == "literal"


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _drop_bucket(endpoint_client, bucket: str) -> None:
    for key in _all_keys(endpoint_client, bucket):
        endpoint_client.delete_object(Bucket=bucket, Key=key)
    endpoint_client.delete_bucket(Bucket=bucket)


def test_demo_server_writes_its_own_config_and_cleans_up(monkeypatch):
    user_config = Path(os.environ["DUMONT_CONFIG"])  # the (isolated) user config must stay untouched
    demo = DemoServer(many=10)
    messages: list[str] = []
    demo.start(progress=messages.append)
    try:
        workdir, port = demo.workdir, demo.server.port
        assert demo.config_path.parent == workdir and demo.config_path != user_config
        cfg = read_config(demo.config_path)
        assert cfg.remote(DEMO_REMOTE).endpoint == demo.endpoint
        assert sorted(p.name for p in workdir.glob("*.ipynb")) == sorted(NOTEBOOKS)
        assert demo.env()["DUMONT_CONFIG"] == str(demo.config_path)
        assert os.environ["DUMONT_CONFIG"] == str(user_config)  # this process's env unchanged
        client = demo.server.boto3_client()
        assert len(_all_keys(client, DEMO_BUCKET)) == demo.seeded.objects
        assert any("seeded" in m for m in messages)
        _drop_bucket(client, DEMO_BUCKET)  # moto's state is process-wide: leave nothing behind
    finally:
        demo.stop()
    assert not workdir.exists()
    assert not _port_open(port)
    assert not user_config.exists()
    demo.stop()  # idempotent


def test_demo_server_keeps_a_given_workdir_and_the_users_edits(tmp_path):
    (tmp_path / "quickstart.ipynb").write_text("my edits")
    with DemoServer(tmp_path, many=0) as demo:
        assert (tmp_path / "quickstart.ipynb").read_text() == "my edits"
        assert (tmp_path / "semantics.ipynb").exists() and demo.config_path.exists()
        _drop_bucket(demo.server.boto3_client(), DEMO_BUCKET)
    assert (tmp_path / "quickstart.ipynb").read_text() == "my edits"


@pytest.mark.slow
def test_demo_check_fails_with_one_line_naming_the_failing_cell(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("x = 1"), new_code_cell("raise ValueError('boom')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "quickstart.ipynb")
    proc = subprocess.run(CLI + ["demo", "--check", "--keys", "3", "--dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAILED quickstart.ipynb: code cell 2 failed: ValueError: boom" in proc.stdout
    assert "check FAILED" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


@pytest.mark.slow
def test_demo_check_ctrl_c_stops_the_kernel_and_exits_130(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("import time\nfor _ in range(600):\n    time.sleep(0.5)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "quickstart.ipynb")
    log = tmp_path / "check.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(CLI + ["demo", "--check", "--keys", "3", "--dir", str(tmp_path)],
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while "your own config" not in log.read_text() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(5)  # let the kernel start and the endless cell begin
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = log.read_text()
    assert proc.returncode == 130, text
    assert "check interrupted" in text and "[dumont-nb demo] stopped" in text
    assert "Traceback" not in text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_demo_serves_quickstart_in_jupyterlab_and_ctrl_c_stops_everything(tmp_path):
    port, token = _free_port(), uuid.uuid4().hex
    env = {**os.environ, "JUPYTER_TOKEN": token, "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config")}
    log = tmp_path / "demo.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            CLI + ["demo", "--no-browser", "--port", str(port), "--keys", "3", "--dir", str(tmp_path / "work")],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, env=env,
        )
    try:
        deadline = time.monotonic() + 180
        contents = None
        while time.monotonic() < deadline and proc.poll() is None and contents is None:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/contents/quickstart.ipynb?content=0",
                headers={"Authorization": f"token {token}"},
            )
            try:
                with urllib.request.urlopen(request, timeout=5) as resp:
                    contents = json.load(resp)
            except OSError:
                time.sleep(1)
        assert contents is not None and contents["type"] == "notebook", log.read_text()
        config = read_config(tmp_path / "work" / "config.yaml")
        s3_port = int(config.remote(DEMO_REMOTE).endpoint.rsplit(":", 1)[1])
        assert _port_open(s3_port)

        proc.send_signal(signal.SIGINT)  # what Ctrl-C in the terminal sends to dumont-nb
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail("dumont-nb demo did not stop on SIGINT:\n" + log.read_text()[-3000:])
    finally:
        if proc.poll() is None:  # clean up even when the test failed: SIGTERM stops JupyterLab too
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    text = log.read_text()
    assert proc.returncode == 0, text
    assert "[dumont-nb demo] stopped" in text, text
    assert "Traceback" not in text, text
    assert not _port_open(port), f"JupyterLab still listening on {port}"
    assert not _port_open(s3_port), f"S3 server still listening on {s3_port}"


@pytest.mark.slow
def test_the_demo_leaves_the_users_config_dir_untouched(tmp_path):
    """A bookmark added in the demo's kernel (the widget's own call) lands in the demo's working
    directory; the user's config dir (``XDG_CONFIG_HOME``) and config file stay as they were."""
    xdg = Path(os.environ["XDG_CONFIG_HOME"])
    user_config = Path(os.environ["DUMONT_CONFIG"])
    with DemoServer(tmp_path, many=0) as demo:
        code = ("import dumont_nb\n"
                "b = dumont_nb.browse('demo://" + DEMO_BUCKET + "/')\n"
                "b._bookmark_add.click()\n"
                "from dumont_nb.widget.bookmarks import load_bookmarks\n"
                "print(load_bookmarks())\n")
        proc = subprocess.run([sys.executable, "-c", code], env=demo.env(), capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert f"demo://{DEMO_BUCKET}/" in proc.stdout
        assert json.loads((tmp_path / "bookmarks.json").read_text()) == [f"demo://{DEMO_BUCKET}/"]
        _drop_bucket(demo.server.boto3_client(), DEMO_BUCKET)
    assert not (xdg / "dumont").exists() and not user_config.exists()


def test_the_notebooks_are_committed_executed_from_their_current_sources():
    """``python notebooks/refresh.py`` ran on the notebooks as they are: every code cell has run
    without an error, the recorded hash matches the sources, and no secret value is saved."""
    import importlib.util

    import nbformat

    from dumont_nb.demo import DEMO_SECRET

    spec = importlib.util.spec_from_file_location("refresh", Path(__file__).resolve().parent.parent / "notebooks" / "refresh.py")
    refresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(refresh)
    folder = notebooks_dir()
    for name in NOTEBOOKS:
        text = (folder / name).read_text(encoding="utf-8")
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata.kernelspec.name == "python3", name
        recorded = nb.metadata.get("dumont", {}).get("sources_sha256")
        assert recorded == refresh.sources_sha256(nb), f"{name}: outputs are stale; run python notebooks/refresh.py"
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.execution_count is not None for c in code), name
        assert not any(o.get("output_type") == "error" for c in code for o in c.outputs), name
        assert any(c.outputs for c in code), name
        assert DEMO_SECRET not in text and "widgets" not in nb.metadata, name
