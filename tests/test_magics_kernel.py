"""``%dumont`` in a real Jupyter kernel (what JupyterLab, Notebook 7 and VS Code talk to):
rich and text outputs, the one-line error, and completion through the kernel protocol."""

from __future__ import annotations

import pytest
import yaml

pytestmark = pytest.mark.slow


@pytest.fixture
def kernel(s3_server, tmp_path, monkeypatch):
    from jupyter_client.manager import start_new_kernel

    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({"remotes": {"moto": s3_server.remote_settings()}}))
    monkeypatch.setenv("DUMONT_CONFIG", str(cfg))  # the kernel inherits the environment
    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=60)
    try:
        yield kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _run(kc, code: str) -> tuple[dict, list[dict]]:
    """Execute ``code``; the reply content and the iopub output messages."""
    msg_id = kc.execute(code)
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            break
        if kind in ("stream", "execute_result", "display_data", "error"):
            outputs.append(msg)
    reply = kc.get_shell_msg(timeout=60)
    return reply["content"], outputs


def test_magics_in_a_kernel(kernel, s3, bucket):
    s3.put_object(Bucket=bucket, Key="dir/a.csv", Body=b"a,b\n1,2\n")
    reply, _ = _run(kernel, "%load_ext dumont_nb")
    assert reply["status"] == "ok"

    reply, outputs = _run(kernel, f"%dumont ls moto://{bucket}/dir/")
    assert reply["status"] == "ok"
    (result,) = [o for o in outputs if o["msg_type"] == "execute_result"]
    data = result["content"]["data"]
    assert "a.csv" in data["text/plain"]  # a terminal's text table
    assert "text/html" in data and "a.csv" in data["text/html"]

    reply, outputs = _run(kernel, f"%dumont cat moto://{bucket}/missing.txt")
    assert reply["status"] == "error" and reply["ename"] == "UsageError"
    shown = "".join(o["content"].get("text", "") for o in outputs if o["msg_type"] == "stream")
    (only,) = shown.strip().splitlines()
    assert only.startswith("UsageError: ") and f"moto://{bucket}/missing.txt" in only
    assert "Traceback" not in shown

    code = f"%dumont ls moto://{bucket}/d"
    kernel.complete(code, len(code))
    reply = kernel.get_shell_msg(timeout=60)["content"]
    assert reply["status"] == "ok"
    words = [code[: reply["cursor_start"]] + m for m in reply["matches"]]
    assert words == [f"%dumont ls moto://{bucket}/dir/"]


def test_magics_in_terminal_ipython(s3_server, s3, bucket, tmp_path, monkeypatch):
    """Plain IPython in a terminal: text tables and one-line errors."""
    import subprocess
    import sys

    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({"remotes": {"moto": s3_server.remote_settings()}}))
    monkeypatch.setenv("DUMONT_CONFIG", str(cfg))
    s3.put_object(Bucket=bucket, Key="dir/a.csv", Body=b"a,b\n1,2\n")
    script = f"%load_ext dumont_nb\n%dumont ls moto://{bucket}/dir/\n%dumont cat moto://{bucket}/nope\nexit\n"
    proc = subprocess.run(
        [sys.executable, "-m", "IPython", "--simple-prompt", "--no-banner", "--colors=nocolor", "--HistoryManager.enabled=False"],
        input=script, capture_output=True, text=True, timeout=120,
    )
    out = proc.stdout + proc.stderr
    assert f"moto://{bucket}/dir/a.csv" in out and "file" in out  # the table as text
    errors = [ln for ln in out.splitlines() if "UsageError" in ln]
    assert len(errors) == 1 and f"moto://{bucket}/nope" in errors[0]
    assert "Traceback" not in out
