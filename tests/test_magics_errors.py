"""``%dumont`` errors: one-line ``UsageError`` per error class, no traceback, no secret."""

from __future__ import annotations

import pytest
from _magics import CANARY_KEY, CANARY_SECRET, activate, canary_config, ip, ipython, line  # noqa: F401  (fixtures)
from IPython.core.error import UsageError

from dumont_nb.vfs import registry
from dumont_nb import api
from dumont_nb.errors import AccessDeniedError, NotSupportedError
from dumont_nb.magics import commands
from dumont_nb.magics.core import one_line

_DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    b"<Message>Access Denied</Message><RequestId>1</RequestId></Error>"
)


def _usage_error(ip, text: str) -> str:
    with pytest.raises(UsageError) as e:
        line(ip, text)
    msg = str(e.value)
    assert msg and "\n" not in msg and "Traceback" not in msg
    return msg


@pytest.fixture
def denied(s3_server, bucket):
    """Every request on ``bucket`` answers 403 AccessDenied."""

    def fault(req):
        if req.bucket == bucket:
            return 403, {"Content-Type": "application/xml"}, _DENIED
        return None

    s3_server.faults.append(fault)
    yield bucket
    s3_server.faults.remove(fault)


def test_invalid_url(ip):
    msg = _usage_error(ip, "ls not-a-url")
    assert "not a dumont URL" in msg and "<remote>://<bucket>/<key>" in msg
    assert "invalid bucket name" in _usage_error(ip, "ls moto://B_ad/")
    assert "object key is required" in _usage_error(ip, "cat moto://somebucket")


def test_unknown_remote_lists_the_configured_ones(ip):
    msg = _usage_error(ip, "ls nope://bucket/")
    assert "unknown remote 'nope'" in msg and "moto" in msg
    assert "unknown remote" in _usage_error(ip, "caps nope")


def test_missing_object_and_bucket(ip, bucket):
    assert f"{bucket}/missing.txt" in _usage_error(ip, f"cat moto://{bucket}/missing.txt")
    assert f"{bucket}/nothing" in _usage_error(ip, f"stat moto://{bucket}/nothing")
    assert "no-such-bucket-x" in _usage_error(ip, "ls moto://no-such-bucket-x/")
    assert f"{bucket}/gone" in _usage_error(ip, f"rm moto://{bucket}/gone")


def test_permission_denied(ip, denied):
    for text in (f"ls moto://{denied}/", f"cat moto://{denied}/k", f"stat moto://{denied}/k"):
        msg = _usage_error(ip, text)
        assert denied in msg, msg
        assert "denied" in msg.lower() or "forbidden" in msg.lower() or "permission" in msg.lower(), msg


def test_permission_denied_on_write(ip, denied):
    with pytest.raises(UsageError) as e:
        ip.run_cell_magic("dumont", f"put moto://{denied}/k", "data")
    assert denied in str(e.value) and "\n" not in str(e.value)


def test_not_supported_by_the_store(ip, config, s3_server, s3, bucket):
    """A store that answers 501 NotImplemented (as some S3 clones do for less common calls)."""
    s3.put_object(Bucket=bucket, Key="k.txt", Body=b"text")

    def fault(req):
        if req.bucket == bucket and req.op == "GetObject":
            body = b"<Error><Code>NotImplemented</Code><Message>not implemented here</Message></Error>"
            return 501, {"Content-Type": "application/xml"}, body
        return None

    s3_server.faults.append(fault)
    try:
        with pytest.raises(NotSupportedError):  # the plain function raises the typed error
            commands.cat(f"moto://{bucket}/k.txt", config=config)
        msg = _usage_error(ip, f"cat moto://{bucket}/k.txt")  # the magic: one line
    finally:
        s3_server.faults.remove(fault)
    assert f"moto://{bucket}/k.txt" in msg and "not implement" in msg, msg


def test_not_supported_without_the_widget(ip, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "dumont_nb.widget", None)
    assert "not available" in _usage_error(ip, "browse")


def test_config_error(ip, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("remotes:\n  xx:\n    type: s3\n    endpont: http://h\n")
    msg = _usage_error(ip, f"config {bad}")
    assert "endpont" in msg and "did you mean 'endpoint'" in msg
    assert "config file not found" in _usage_error(ip, f"config {tmp_path / 'none.yaml'}")
    assert list(api.active_config().remotes) == ["moto"]  # unchanged


def test_no_config_yet(ip, monkeypatch, tmp_path):
    monkeypatch.setattr(registry, "_active", None)
    monkeypatch.setenv("DUMONT_CONFIG", str(tmp_path / "absent.yaml"))
    msg = _usage_error(ip, "ls moto://bucket/")
    assert "absent.yaml" in msg and "config file not found" in msg


def test_credential_error_names_the_reference(ip, s3_server, bucket, monkeypatch):
    monkeypatch.delenv("DUMONT_UNSET_SECRET", raising=False)
    settings = s3_server.remote_settings(credentials={"access_key_id": "k", "secret_access_key": "env:DUMONT_UNSET_SECRET"})
    activate({"remotes": {"moto": settings}})
    assert "env:DUMONT_UNSET_SECRET" in _usage_error(ip, f"ls moto://{bucket}/")


def test_local_errors_are_one_clean_line(ip, bucket):
    # local paths go through the local file system: the same wording for every command
    assert _usage_error(ip, f"cp /nonexistent/x moto://{bucket}/x") == "/nonexistent/x: no such local file or directory"
    assert _usage_error(ip, f"mv /nonexistent/q moto://{bucket}/q") == "/nonexistent/q: no such local file or directory"


def test_bad_arguments(ip):
    assert "unrecognized arguments" in _usage_error(ip, "ls moto://b/ --bogus")
    assert "invalid choice" in _usage_error(ip, "frobnicate")
    assert "required" in _usage_error(ip, "cp only-one")
    assert "expected 0 or more" in _usage_error(ip, "head -n -3 moto://bkt/k")
    assert "close the quote" in _usage_error(ip, "ls 'moto://b/unclosed")


def test_run_cell_shows_one_line_without_traceback(ip, bucket, capsys):
    res = ip.run_cell(f"%dumont cat moto://{bucket}/missing.txt")
    assert not res.success and isinstance(res.error_in_exec, UsageError)
    captured = capsys.readouterr()
    shown = (captured.out + captured.err).strip().splitlines()
    assert len(shown) == 1 and shown[0].startswith("UsageError:"), shown
    assert "Traceback" not in captured.out + captured.err


def test_one_line_blanks_secret_values_not_names(canary_config, monkeypatch):
    monkeypatch.setattr(registry, "_active", canary_config)
    err = AccessDeniedError(f"moto://b/k: denied for {CANARY_KEY}\nwith secret {CANARY_SECRET}")
    text = one_line(err)
    assert CANARY_SECRET not in text and "\n" not in text
    # the access key id is not a secret (AWS prints it in every signed request): it names the key
    assert text == f"moto://b/k: denied for {CANARY_KEY} with secret ***"


def test_no_secret_in_any_output(ipython, canary_config, s3, bucket, monkeypatch, capsys, tmp_path):
    """Run every sub-command, failing ones too, and look for the canary in everything shown."""
    monkeypatch.setattr(registry, "_active", None)
    activate(canary_config)
    monkeypatch.setattr("builtins.input", lambda prompt="": "y")
    s3.put_object(Bucket=bucket, Key="d/a.txt", Body=b"a\n")
    local = tmp_path / "l.txt"
    local.write_text("local\n")
    seen: list[str] = []
    lines = [
        "help", "remotes", "caps moto", "config", f"ls moto://{bucket}/", "ls -l -r moto://",
        f"stat moto://{bucket}/d/a.txt", f"du moto://{bucket}/", f"find moto://{bucket}/ --glob '*.txt'",
        f"cat moto://{bucket}/d/a.txt", f"head -n 1 moto://{bucket}/d/a.txt", f"cp {local} moto://{bucket}/d/l.txt",
        f"cp moto://{bucket}/d/l.txt {tmp_path / 'back.txt'}", f"mv moto://{bucket}/d/l.txt moto://{bucket}/e/l.txt",
        f"mkdir moto://{bucket}/m", f"rm moto://{bucket}/e/l.txt", f"rm -r moto://{bucket}/m",
        # failures
        f"cat moto://{bucket}/missing", "ls nope://x/", "ls bad", f"rm moto://{bucket}/d", "caps nope",
        "ls moto://no-such-bucket-q/",
    ]
    for text in lines:
        try:
            result = ipython.run_line_magic("dumont", text)
        except UsageError as exc:
            seen.append(str(exc))
        else:
            if result is not None:
                seen += [repr(result), str(result), getattr(result, "_repr_html_", lambda: "")() or ""]
                if hasattr(result, "to_csv"):  # every cell in full (reprs truncate)
                    seen.append(result.to_csv())
    ipython.run_cell_magic("dumont", f"put moto://{bucket}/p.txt", "CELL-PAYLOAD-91")
    res = ipython.run_cell(f"%dumont cat moto://{bucket}/nothing-here")
    assert not res.success
    out = capsys.readouterr()
    seen += [out.out, out.err]
    blob = "\n".join(seen)
    assert "CELL-PAYLOAD-91" not in blob  # put prints a summary, not the data
    assert CANARY_KEY not in blob and CANARY_SECRET not in blob
    assert "env:DUMONT_CANARY_SECRET" in blob  # the reference is shown by `remotes`
    assert s3.get_object(Bucket=bucket, Key="p.txt")["Body"].read() == b"CELL-PAYLOAD-91"


def test_a_key_id_equal_to_a_word_of_the_remote_name_still_names_remote_and_bucket(ip, s3_server, monkeypatch):
    """The demo's case: literal access key id ``demo``, remote ``demo``, bucket ``demo-dta``; the
    error line must read as it is (only secret values are masked), not ``***://***-dta``."""
    from dumont_nb.config import parse_config

    settings = s3_server.remote_settings()
    settings["credentials"] = {"access_key_id": "demo", "secret_access_key": "demo-secret-value-1"}
    monkeypatch.setattr(registry, "_active", None)
    activate(parse_config({"remotes": {"demo": settings}}))
    msg = _usage_error(ip, "ls demo://demo-dta/")
    assert "demo://demo-dta" in msg and "'demo-dta'" in msg and "remote 'demo'" in msg and "***" not in msg
    assert "demo-secret-value-1" not in msg
