"""``dumont-nb``: argument parsing, ``config check`` on good and broken remotes against the moto
server (faults injected with the server's hook), and ``ls``."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import uuid

import pytest
import yaml

from dumont_nb.cli import main

CANARY = "canary-secret-7f3a9c"


def _write(tmp_path, remotes: dict) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"remotes": remotes}))
    return str(path)


def _check(capsys, path: str) -> tuple[int, str]:
    code = main(["config", "check", "--config", path])
    captured = capsys.readouterr()
    assert CANARY not in captured.out + captured.err
    return code, captured.out + captured.err


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the socket is


@pytest.fixture
def canary_env(monkeypatch):
    """Credentials that come from env vars, with a secret value that must never be printed."""
    monkeypatch.setenv("CLI_TEST_KEY", "cli-test-key")
    monkeypatch.setenv("CLI_TEST_SECRET", CANARY)
    return {"access_key_id": "env:CLI_TEST_KEY", "secret_access_key": "env:CLI_TEST_SECRET"}


@pytest.fixture
def fault(s3_server):
    """Install fault callables on the server for the duration of one test."""
    added = []

    def add(fn):
        s3_server.faults.append(fn)
        added.append(fn)

    yield add
    for fn in added:
        s3_server.faults.remove(fn)


def _error_xml(code: str, message: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
            f"<Message>{message}</Message><RequestId>r1</RequestId></Error>").encode()


# -- parsing ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "argv, needle",
    [
        (["demo", "--port", "http"], "expected a port number"),
        (["demo", "--port", "70000"], "port must be 0-65535"),
        (["config"], "required"),
        (["frobnicate"], "invalid choice"),
        (["ls"], "required"),
    ],
)
def test_bad_arguments_exit_2_with_a_usage_line(capsys, argv, needle):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert needle in capsys.readouterr().err


def test_demo_check_and_server_only_exclude_each_other(capsys):
    assert main(["demo", "--check", "--server-only"]) == 2
    assert "exclude each other" in capsys.readouterr().err


def test_console_script_help_lists_the_commands():
    proc = subprocess.run([sys.executable, "-m", "dumont_nb.cli", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    for word in ("demo", "ls", "config"):
        assert word in proc.stdout


# -- config check ----------------------------------------------------------------------------
def test_config_check_good_remote_sends_one_request(tmp_path, capsys, s3_server, bucket, canary_env):
    path = _write(tmp_path, {"good": s3_server.remote_settings(credentials=canary_env)})
    s3_server.clear()
    code, out = _check(capsys, path)
    assert code == 0, out
    assert "ok   good" in out
    assert "credentials resolved (access_key_id=env:CLI_TEST_KEY, secret_access_key=env:CLI_TEST_SECRET)" in out
    assert "ListBuckets:" in out and "bucket(s) visible" in out
    assert "path-style addressing" in out and "clock skew" in out
    assert "1 of 1 remotes OK" in out
    assert [r.op for r in s3_server.log] == ["ListBuckets"]


def test_config_check_configured_buckets_use_head_bucket(tmp_path, capsys, s3_server, bucket):
    path = _write(tmp_path, {"scoped": s3_server.remote_settings(buckets=[bucket])})
    s3_server.clear()
    code, out = _check(capsys, path)
    assert code == 0, out
    assert f"HeadBucket {bucket}: bucket reachable" in out
    assert [r.op for r in s3_server.log] == ["HeadBucket"]


def test_config_check_wrong_endpoint_port(tmp_path, capsys, s3_server):
    port = _closed_port()
    path = _write(tmp_path, {"broken": {**s3_server.remote_settings(), "endpoint": f"http://127.0.0.1:{port}"}})
    code, out = _check(capsys, path)
    assert code == 1
    assert "FAIL broken" in out
    assert f"cannot connect to http://127.0.0.1:{port}: connection refused" in out
    assert "fix: check `endpoint` (scheme, host and port)" in out
    assert "Traceback" not in out


def test_config_check_missing_env_var_names_it_and_sends_nothing(tmp_path, capsys, s3_server, monkeypatch):
    monkeypatch.delenv("CLI_TEST_UNSET", raising=False)
    monkeypatch.setenv("CLI_TEST_KEY", CANARY)
    creds = {"access_key_id": "env:CLI_TEST_KEY", "secret_access_key": "env:CLI_TEST_UNSET"}
    path = _write(tmp_path, {"noenv": s3_server.remote_settings(credentials=creds)})
    s3_server.clear()
    code, out = _check(capsys, path)
    assert code == 1
    assert "credentials.secret_access_key: credential env:CLI_TEST_UNSET: environment variable CLI_TEST_UNSET is not set" in out
    assert "no request sent" in out
    assert s3_server.log == []


def test_config_check_rejected_credentials_403(tmp_path, capsys, s3_server, fault, canary_env):
    fault(lambda r: (403, {"Content-Type": "application/xml"},
                     _error_xml("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."))
          if r.op == "ListBuckets" else None)
    path = _write(tmp_path, {"badkey": s3_server.remote_settings(credentials=canary_env)})
    code, out = _check(capsys, path)
    assert code == 1
    assert "does not know this access key id (InvalidAccessKeyId)" in out
    assert "fix: check what `credentials.access_key_id` points at" in out


def test_config_check_forbidden_bucket_403(tmp_path, capsys, s3_server, bucket, fault, canary_env):
    fault(lambda r: (403, {}, b"") if r.op == "HeadBucket" and r.bucket == bucket else None)
    path = _write(tmp_path, {"denied": s3_server.remote_settings(buckets=[bucket], credentials=canary_env)})
    code, out = _check(capsys, path)
    assert code == 1
    assert f"HeadBucket {bucket}: access denied (403)" in out
    assert "bucket policy" in out


def test_config_check_access_denied_on_list_buckets_suggests_buckets(tmp_path, capsys, s3_server, fault):
    fault(lambda r: (403, {"Content-Type": "application/xml"}, _error_xml("AccessDenied", "Access Denied"))
          if r.op == "ListBuckets" else None)
    path = _write(tmp_path, {"scoped": s3_server.remote_settings()})
    code, out = _check(capsys, path)
    assert code == 1
    assert "may not list buckets" in out and "`buckets: [...]`" in out


def test_config_check_wrong_region(tmp_path, capsys, s3_server, bucket, fault):
    fault(lambda r: (301, {"x-amz-bucket-region": "eu-west-1"}, b"")
          if r.op == "HeadBucket" and r.bucket == bucket else None)
    path = _write(tmp_path, {"region": s3_server.remote_settings(buckets=[bucket])})
    code, out = _check(capsys, path)
    assert code == 1, out
    assert f"wrong region (us-east-1): bucket {bucket} is in region eu-west-1" in out
    assert "fix: set `region: eu-west-1`" in out


def test_config_check_virtual_hosted_addressing_suggests_path_style(tmp_path, capsys, s3_server, bucket):
    endpoint = f"http://localhost:{s3_server.port}"  # <bucket>.localhost does not resolve
    path = _write(tmp_path, {"vhost": {**s3_server.remote_settings(path_style=False, buckets=[bucket]), "endpoint": endpoint}})
    code, out = _check(capsys, path)
    assert code == 1, out
    assert "virtual-hosted addressing" in out and "path-style works" in out
    assert "fix: add `path_style: true`" in out


def _shift_local_clock(monkeypatch, seconds: float) -> None:
    """Make the check's local clock differ from the server's (botocore still signs correctly)."""
    import time

    from dumont_nb import checks

    monkeypatch.setattr(checks, "_now", lambda: time.time() + seconds)


def test_config_check_clock_skew_rejected(tmp_path, capsys, s3_server, fault, monkeypatch):
    fault(lambda r: (403, {"Content-Type": "application/xml"},
                     _error_xml("RequestTimeTooSkewed", "The difference between the request time and the current time is too large."))
          if r.op == "ListBuckets" else None)
    path = _write(tmp_path, {"skewed": s3_server.remote_settings()})
    code, out = _check(capsys, path)
    assert code == 1
    assert "the store rejected the request time (RequestTimeTooSkewed): the local clock is wrong" in out
    assert "synchronize this machine's clock" in out
    _shift_local_clock(monkeypatch, 3600)
    code, out = _check(capsys, path)
    assert code == 1
    assert re.search(r"clock skew: local clock is 360[01] s ahead of the store's; S3 rejects requests more than 15 minutes off", out)


def test_config_check_warns_about_moderate_clock_skew(tmp_path, capsys, s3_server, monkeypatch):
    _shift_local_clock(monkeypatch, -300)
    path = _write(tmp_path, {"drift": s3_server.remote_settings()})
    code, out = _check(capsys, path)
    assert code == 0, out  # a warning, not a failure
    assert re.search(r"! clock skew: local clock is (299|300|301) s behind the store's", out), out
    assert "fix: synchronize this machine's clock" in out


def test_config_check_reports_every_remote_and_fails_if_one_fails(tmp_path, capsys, s3_server):
    path = _write(tmp_path, {
        "good": s3_server.remote_settings(),
        "dead": {**s3_server.remote_settings(), "endpoint": f"http://127.0.0.1:{_closed_port()}"},
    })
    code, out = _check(capsys, path)
    assert code == 1
    assert "ok   good" in out and "FAIL dead" in out
    assert "1 of 2 remotes OK; failing: dead" in out


def test_config_check_invalid_config_is_one_line_exit_2(tmp_path, capsys):
    path = tmp_path / "config.yaml"
    path.write_text("remotes:\n  r2:\n    type: s3\n    regoin: auto\n")
    assert main(["config", "check", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "config error:" in err and "'regoin'" in err and "did you mean 'region'" in err


def test_config_check_without_config_says_how_to_add_remotes(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("DUMONT_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "empty"))
    assert main(["config", "check"]) == 1
    assert "no remotes configured" in capsys.readouterr().out


def test_config_check_uses_dumont_config_env(tmp_path, capsys, s3_server, monkeypatch):
    monkeypatch.setenv("DUMONT_CONFIG", _write(tmp_path, {"viaenv": s3_server.remote_settings()}))
    assert main(["config", "check"]) == 0
    assert "ok   viaenv" in capsys.readouterr().out


# -- ls --------------------------------------------------------------------------------------
def test_ls_prints_entries_and_a_summary(tmp_path, capsys, s3_server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="a.csv", Body=b"x,y\n1,2\n")
    s3.put_object(Bucket=bucket, Key="dir/b.txt", Body=b"hello")
    s3.put_object(Bucket=bucket, Key="dir/", Body=b"")
    path = _write(tmp_path, {"moto": s3_server.remote_settings()})
    assert main(["ls", "--config", path, f"moto://{bucket}/"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert any(line.endswith("  a.csv") and "8" in line for line in lines)
    assert any(line.endswith("  dir/") and "DIR" in line for line in lines)
    assert "2 entries, 1 files, 8 bytes" in out

    assert main(["ls", "-r", "--config", path, f"moto://{bucket}/"]) == 0
    out = capsys.readouterr().out
    assert "dir/b.txt" in out and "2 entries, 2 files, 13 bytes" in out  # the marker is hidden


def test_ls_errors_are_one_line(tmp_path, capsys, s3_server):
    path = _write(tmp_path, {"moto": s3_server.remote_settings()})
    assert main(["ls", "--config", path, "nope://bucket/"]) == 1
    err = capsys.readouterr().err
    assert "unknown remote 'nope'" in err and "moto" in err and err.count("\n") == 1
    missing = f"missing-{uuid.uuid4().hex[:8]}"
    assert main(["ls", "--config", path, f"moto://{missing}/"]) == 1
    err = capsys.readouterr().err
    assert missing in err and err.count("\n") == 1 and "Traceback" not in err


def test_config_check_never_prints_a_secret_the_store_echoes(tmp_path, capsys, s3_server, fault, canary_env):
    fault(lambda r: (400, {"Content-Type": "application/xml"}, _error_xml("OddError", f"bad secret {CANARY}"))
          if r.op == "ListBuckets" else None)
    path = _write(tmp_path, {"echo": s3_server.remote_settings(credentials=canary_env)})
    code, out = _check(capsys, path)  # _check asserts the canary is absent
    assert code == 1
    assert "ListBuckets failed: OddError: bad secret ***" in out


def test_demo_without_the_demo_extra_says_what_to_install(capsys, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in ("jupyterlab", "moto") else real(name, *a))
    assert main(["demo", "--no-browser"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "the demo needs moto, jupyterlab (not installed)" in err and 'pip install "dumont_nb[demo]"' in err


def test_config_check_probe_writes_reports_enforced_conditional_writes(tmp_path, capsys, s3_server, s3, bucket):
    path = _write(tmp_path, {"emu": s3_server.remote_settings(emulate=True, buckets=[bucket])})
    code, out = _check_args(capsys, ["--config", path, "--probe-writes"])
    assert code == 0, out
    assert f"conditional writes on {bucket}: enforced (If-Match, If-None-Match); emulate commits are safe" in out
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0  # the probe key is gone


def test_config_check_probe_writes_reports_a_store_that_ignores_them(tmp_path, capsys, s3_server, bucket, fault):
    # a store that accepts every conditional PutObject of the probe key, like s3rver
    fault(lambda r: (200, {"ETag": '"0123456789abcdef0123456789abcdef"'}, b"")
          if r.op == "PutObject" and r.key.startswith(".dumont-probe/") else None)
    path = _write(tmp_path, {"emu": s3_server.remote_settings(emulate=True, buckets=[bucket])})
    code, out = _check_args(capsys, ["--config", path, "--probe-writes"])
    assert code == 0, out  # a warning: emulate refuses to commit, reads still work
    assert f"! conditional writes on {bucket}: ignored by the store (If-Match, If-None-Match); emulate will refuse to commit" in out
    assert "fix: set `conditional_writes: fallback`" in out


def test_config_check_without_probe_writes_sends_no_write(tmp_path, capsys, s3_server, bucket):
    path = _write(tmp_path, {"emu": s3_server.remote_settings(emulate=True, buckets=[bucket])})
    s3_server.clear()
    code, out = _check_args(capsys, ["--config", path])
    assert code == 0 and "conditional writes" not in out
    assert [r.op for r in s3_server.log] == ["HeadBucket"]


def _check_args(capsys, args: list[str]) -> tuple[int, str]:
    code = main(["config", "check", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err
