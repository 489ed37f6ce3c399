"""A canary secret must never leak: not in repr/str, errors, tracebacks, DEBUG logs, magic output,
widget state, pickles, or a notebook saved after running the quickstart.

The canary access key comes through ``env:``, the canary secret through ``keychain:`` (a real
keyring backend holding it in memory), and the remote is used for real against moto (which
accepts any credentials), so the values really are resolved and sent (signed) on every request.
"""

from __future__ import annotations

import json
import logging
import pickle
import sys
import traceback

import pytest

from dumont_nb.vfs import registry
from dumont_nb import api
from dumont_nb.config import parse_config
from dumont_nb.errors import ConfigError, DumontError
from dumont_nb.vfs.s3 import S3Backend

CANARY_KEY = "AKIACANARYH7Q2ZK4D1X"
CANARY_SECRET = "canary-Secret-9f3Kq/LtW2vXz+0pR"
CANARY_TOKEN = "canary-Token-Jw81mUq4"
CANARIES = (CANARY_SECRET, CANARY_TOKEN)  # never shown anywhere
XML = {"Content-Type": "application/xml"}
DENIED = (403, XML, b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>")


@pytest.fixture
def canary(s3_server, monkeypatch, memory_keyring):
    """A Config whose ``moto`` remote takes its key from env:, its secret from keychain: and a
    session token from env: (all canaries), active for the test."""
    memory_keyring.set_password("dumont-canary", "moto", CANARY_SECRET)
    monkeypatch.setenv("DUMONT_CANARY_KEY", CANARY_KEY)
    monkeypatch.setenv("DUMONT_CANARY_TOKEN", CANARY_TOKEN)
    settings = s3_server.remote_settings(credentials={
        "access_key_id": "env:DUMONT_CANARY_KEY",
        "secret_access_key": "keychain:dumont-canary/moto",
        "session_token": "env:DUMONT_CANARY_TOKEN",
    })
    config = parse_config({"remotes": {"moto": settings}}, source="<canary>")
    monkeypatch.setattr(registry, "_active", config)
    yield config


def clean(text: str, *, key_too: bool = True) -> bool:
    """True if no canary is in ``text`` (the access key id too, unless ``key_too`` is False)."""
    return not any(c in text for c in CANARIES + ((CANARY_KEY,) if key_too else ()))


def everything_about(exc: BaseException) -> str:
    """str, repr, the formatted traceback with the whole chain, and each cause's args."""
    parts = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    cause = exc.__cause__ or exc.__context__
    while cause is not None:
        parts += [str(cause), repr(cause), repr(getattr(cause, "__dict__", ""))]
        cause = cause.__cause__ or cause.__context__
    return "\n".join(parts)


def test_the_canary_really_is_used(canary, s3_server, bucket):
    fs = S3Backend(canary.remote("moto"))
    with fs.open(f"{bucket}/k", "wb") as f:
        f.write(b"x")
    built = fs.client.fs  # the session got the resolved values (the write above was signed with them)
    creds = built.session._credentials
    assert (creds.access_key, creds.secret_key, creds.token) == (CANARY_KEY, CANARY_SECRET, CANARY_TOKEN)
    # never as plain attributes of the s3fs instance, which a verbose traceback would show
    assert (built.key, built.secret, built.token) == (None, None, None)


def test_no_canary_in_reprs_of_anything(canary, s3_server, bucket):
    from dumont_nb.protocols import register_remotes

    remote = canary.remote("moto")
    fs = api.filesystem("moto", config=canary)
    with fs.open(f"{bucket}/k.txt", "w") as f:
        f.write("hello")
        writer_repr = repr(f) + repr(f.buffer)
    with fs.open(f"{bucket}/k.txt", "rb") as f:
        reader_repr = repr(f)
    register_remotes(canary)
    import fsspec

    ffs = fsspec.filesystem("moto")
    shown = [
        repr(canary), str(canary), repr(remote), str(remote), json.dumps(remote.to_dict(), default=str),
        repr(remote.credentials), str(remote.credentials), repr(fs), str(fs), repr(fs.client), writer_repr,
        reader_repr, repr(fs.stat(f"{bucket}/k.txt")), repr(fs.readdir(bucket)), repr(fs.capabilities),
        repr(ffs), ffs.to_json(), repr(ffs.info(f"{bucket}/k.txt")),
        repr(remote.credentials.secret_access_key.resolve()), str(remote.credentials.secret_access_key.resolve()),
    ]
    assert all(clean(s) for s in shown), [s for s in shown if not clean(s)]
    blob = pickle.dumps(ffs) + pickle.dumps(remote) + pickle.dumps(canary)
    assert not any(c.encode() in blob for c in CANARIES + (CANARY_KEY,))
    with pytest.raises(TypeError, match="cannot be pickled"):  # a resolved secret refuses to be pickled at all
        pickle.dumps(remote.credentials.secret_access_key.resolve())


def test_no_canary_in_errors_and_tracebacks(canary, s3_server, bucket):
    fs = S3Backend(canary.remote("moto"))
    fs.readdir(bucket)
    s3_server.faults.append(lambda r: DENIED)
    try:
        with pytest.raises(PermissionError) as denied:
            fs.stat(f"{bucket}/dir/")
        with pytest.raises(PermissionError) as denied_write:
            with fs.open(f"{bucket}/x", "wb") as f:
                f.write(b"1")
    finally:
        s3_server.faults.clear()
    # a closed port: the connection is refused
    settings = dict(canary.remote("moto").to_dict(), endpoint="http://127.0.0.1:9", max_attempts=1)
    bad = parse_config({"remotes": {"moto": settings}}, source="<t>")
    with pytest.raises(OSError) as refused:
        S3Backend(bad.remote("moto")).readdir(bucket)
    assert isinstance(refused.value, DumontError)
    for info in (denied, denied_write, refused):
        text = everything_about(info.value)
        assert clean(text), text
        assert "\n" not in str(info.value)


@pytest.mark.parametrize("endpoint", [
    f"https://{CANARY_KEY}:{CANARY_SECRET}@s3.example.com",
    f"http://user:{CANARY_SECRET}@127.0.0.1:9000/",
    f"https://{CANARY_SECRET}@s3.example.com",
])
def test_endpoint_with_userinfo_is_refused_without_echoing_it(endpoint):
    with pytest.raises(ConfigError) as info:
        parse_config({"remotes": {"rr": {"type": "s3", "endpoint": endpoint, "region": "us-east-1"}}}, source="<t>")
    assert "credentials in the URL" in str(info.value)
    assert clean(everything_about(info.value))


def test_broken_yaml_around_a_literal_secret_does_not_quote_it(tmp_path):
    from dumont_nb.config import read_config

    path = tmp_path / "config.yaml"
    path.write_text(
        "remotes:\n  rr:\n    type: s3\n    credentials:\n"
        f"      access_key_id: {CANARY_KEY}\n      secret_access_key: {CANARY_SECRET}\n"
        "     bad_indent: [unclosed\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        read_config(path)
    assert str(path) in str(info.value)
    assert clean(everything_about(info.value)), everything_about(info.value)


def test_unknown_field_next_to_a_literal_secret_does_not_echo_it():
    doc = {"remotes": {"rr": {"type": "s3", "region": "us-east-1", "credentials": {
        "access_key_id": CANARY_KEY, "secret_access_key": CANARY_SECRET, "sesion_token": CANARY_TOKEN}}}}
    with pytest.raises(ConfigError) as info:
        parse_config(doc, source="<t>")
    assert clean(everything_about(info.value)), str(info.value)


def test_no_canary_in_debug_logs(canary, s3_server, bucket, caplog, tmp_path):
    """Everything at DEBUG (botocore logs headers and bodies there) while the remote is used,
    including retries and a denied request."""
    from dumont_nb.transfers import copy

    caplog.set_level(logging.DEBUG)  # the root logger: botocore, aiobotocore, s3fs, fsspec, dumont_nb
    fs = api.filesystem("moto", config=canary)
    with fs.open(f"{bucket}/a.txt", "wb") as f:
        f.write(b"payload")
    fs.readdir(bucket)
    fs.rename(f"{bucket}/a.txt", f"{bucket}/b.txt")
    copy(f"moto://{bucket}/b.txt", tmp_path / "b.txt", config=canary, progress=False)
    hits = [0]

    def once(req):
        hits[0] += 1
        return (503, XML, b"<Error><Code>SlowDown</Code><Message>s</Message></Error>") if hits[0] == 1 else None

    s3_server.faults.append(once)
    s3_server.faults.append(lambda r: DENIED if r.key == "denied" else None)
    try:
        fs.stat(f"{bucket}/b.txt")
        with pytest.raises(PermissionError):
            fs.stat(f"{bucket}/denied")
    finally:
        s3_server.faults.clear()
    text = caplog.text + "\n".join(str(r.__dict__) for r in caplog.records)
    assert len(caplog.records) > 50 and "botocore" in text  # DEBUG logging really was on
    assert "Authorization" in text or "authorization" in text  # signed headers were logged...
    assert clean(text, key_too=False)  # ...but never the secret or the token


def test_no_canary_in_magic_output(canary, s3, bucket, capsys, tmp_path, monkeypatch):
    from IPython.core.error import UsageError
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.extension_manager.load_extension("dumont_nb")
    s3.put_object(Bucket=bucket, Key="d/a.txt", Body=b"a\n")
    seen = []
    for text in ["remotes", "config", "caps moto", f"ls moto://{bucket}/", f"stat moto://{bucket}/d/a.txt",
                 f"cat moto://{bucket}/d/a.txt", f"cp moto://{bucket}/d/a.txt {tmp_path / 'a.txt'}",
                 f"cat moto://{bucket}/missing", "ls moto://no-such-bucket-zz/"]:
        try:
            result = shell.run_line_magic("dumont", text)
        except UsageError as exc:
            seen.append(everything_about(exc))
        else:
            seen += [repr(result), str(result), getattr(result, "_repr_html_", lambda: "")() or ""]
            if hasattr(result, "to_csv"):  # every cell in full (reprs truncate)
                seen.append(result.to_csv())
    res = shell.run_cell(f"%dumont cat moto://{bucket}/nothing")
    assert not res.success
    out = capsys.readouterr()
    seen += [out.out, out.err]
    text = "\n".join(seen)
    assert "env:DUMONT_CANARY_KEY" in text and "keychain:dumont-canary/moto" in text  # the config was shown
    assert clean(text), text


def test_no_canary_in_widget_state(canary, s3, bucket):
    import ipywidgets as W

    from dumont_nb.widget import browse

    s3.put_object(Bucket=bucket, Key="a/x.csv", Body=b"a,b\n1,2\n")
    b = browse(f"moto://{bucket}/a/", config=canary)
    b.listing.selected = [f"moto://{bucket}/a/x.csv"]
    b.buttons["code"].click()
    state = json.dumps(W.Widget.get_manager_state(drop_defaults=False), default=str)
    assert f"moto://{bucket}/a/" in state
    assert clean(state)


# -- a notebook saved after running the quickstart against the demo server -----------------------
_KEYRING_MODULE = '''
import keyring.backend


class CanaryKeyring(keyring.backend.KeyringBackend):
    """Holds the canary for the kernel of the notebook test (in memory, per process)."""

    priority = 1

    def get_password(self, service, username):
        return {secret!r} if (service, username) == ("dumont-canary", "demo") else None

    def set_password(self, service, username, password):
        raise NotImplementedError

    def delete_password(self, service, username):
        raise NotImplementedError
'''


@pytest.mark.slow
def test_no_canary_in_the_saved_quickstart_notebook(tmp_path):
    import os

    import nbformat
    import yaml
    from nbclient import NotebookClient

    from dumont_nb.demo import DemoServer

    (tmp_path / "canary_keyring.py").write_text(_KEYRING_MODULE.format(secret=CANARY_SECRET), encoding="utf-8")
    with DemoServer(tmp_path / "demo") as demo:
        doc = yaml.safe_load(demo.config_path.read_text(encoding="utf-8"))
        for remote in doc["remotes"].values():
            remote["credentials"] = {"access_key_id": "env:DUMONT_CANARY_KEY",
                                     "secret_access_key": "keychain:dumont-canary/demo"}
        demo.config_path.write_text(yaml.safe_dump(doc), encoding="utf-8")
        env = dict(demo.env(), DUMONT_CANARY_KEY=CANARY_KEY, PYTHON_KEYRING_BACKEND="canary_keyring.CanaryKeyring",
                   PYTHONPATH=os.pathsep.join([str(tmp_path)] + sys.path))
        path = demo.workdir / "quickstart.ipynb"
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(demo.workdir)}}).execute(env=env)
        nbformat.write(nb, path)  # saved, as Jupyter would
        saved = path.read_text(encoding="utf-8")
        assert demo.server.count("GetObject") > 0  # the notebook really used the store
        requests = len(demo.server.log)
    errors = [o for c in nb.cells for o in c.get("outputs", ()) if o.get("output_type") == "error"]
    assert not errors, errors
    # every cell ran, so the kernel resolved keychain:dumont-canary/demo and env:DUMONT_CANARY_KEY
    assert "demo://demo-data/" in saved and sum(len(c.get("outputs", ())) for c in nb.cells) > 10
    assert requests > 10
    assert clean(saved), [line for line in saved.splitlines() if not clean(line)][:5]
