"""Hostile input: generated keys round-trip byte-exact, generated URLs and config documents raise
only the documented errors, hostile keys never escape a download directory, magic arguments are
parsed, never executed, and store-provided strings are escaped in HTML.

Example counts are bounded (the suite runs on 2 shared cores); the figures are in
docs/reliability.md.
"""

from __future__ import annotations

import os
import uuid

import fsspec
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dumont_nb.vfs import registry
from dumont_nb.api import filesystem, use_config
from dumont_nb.config import parse_config
from dumont_nb.errors import ConfigError, InvalidURLError, UnknownRemoteError
from dumont_nb.transfers import copy
from dumont_nb.urls import parse_url

KEY_EXAMPLES = 25
URL_EXAMPLES = 300
CONFIG_EXAMPLES = 300

# segment characters: any printable unicode (astral too) but "/" (the separator), with the
# troublemakers weighted in (":" too: "a://b" inside a key is key bytes, not a URL)
_TRICKY = list(" +%?#&=;~!$'\"<>\\|*[]{}^`@,:") + ["%2F", "%20", "+", " ", "é", "日本", "🙂", "\u200b", "ß", "http:"]
_segment = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="/"),
             min_size=1, max_size=12),
    st.lists(st.sampled_from(_TRICKY), min_size=1, max_size=4).map("".join),
)
# keys: segments joined by "/" or "//" (empty segments), not starting or ending with "/"
keys = st.lists(st.tuples(_segment, st.sampled_from(["/", "//"])), min_size=1, max_size=5).map(
    lambda parts: "".join(s + sep for s, sep in parts)[:-1].rstrip("/")
).filter(lambda k: k and not k.startswith("/") and len(k.encode()) <= 900 and k.rsplit("/", 1)[-1] not in (".", ".."))
# very long keys: up to 1024 bytes of UTF-8 once the test's prefix ("<8 hex>/copied/") is added
long_keys = st.integers(min_value=480, max_value=503).map(lambda m: "é" * m + "/z")

_SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
                 derandomize=True)


def _all_keys(s3, bucket: str, prefix: str) -> set[str]:
    out = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        out.update(o["Key"] for o in page.get("Contents", ()))
    return out


def _body(s3, bucket, key) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


@settings(max_examples=KEY_EXAMPLES, **_SETTINGS)
@given(key=st.one_of(keys, long_keys), data=st.binary(max_size=40))
@example(key="a b/c+d/e%20f/g?h#i/j//k/日本語 🙂.txt", data=b"x")
@example(key="%2F/%25/+/ /?/#", data=b"")
@example(key="dots/../and/./seg.txt", data=b"dots")
@example(key="0//0", data=b"")  # found by hypothesis: a single-object copy lost the "//"
@example(key="cache/http://example.com/a?b=c", data=b"url as key")  # "://" inside a key is key bytes
def test_generated_keys_round_trip_byte_exact(key, data, s3, s3_server, bucket, config):
    use_config(config)  # the fsspec protocol "moto"
    fs = filesystem("moto", config=config)
    top = uuid.uuid4().hex[:8]
    full = f"{top}/{key}"
    with fs.open(f"{bucket}/{full}", "wb") as f:
        f.write(data)
    assert _all_keys(s3, bucket, top) == {full}  # the store has exactly this key (boto3 oracle)
    assert _body(s3, bucket, full) == data
    # stat and the recursive listing name it exactly
    info = fs.stat(f"{bucket}/{full}")
    assert (info.path, info.size, info.is_dir) == (f"{bucket}/{full}", len(data), False)
    listed = [e for page in fs.iterdir(f"{bucket}/{top}", recursive=True) for e in page]
    assert [e.path for e in listed] == [f"{bucket}/{full}"]
    with fs.open(f"{bucket}/{full}", "rb") as f:
        assert f.read() == data
    # rename within the remote
    moved = f"{top}/moved/{key}"
    fs.rename(f"{bucket}/{full}", f"{bucket}/{moved}")
    assert _all_keys(s3, bucket, top) == {moved} and _body(s3, bucket, moved) == data
    # copy by URL (server-side)
    copied = f"{top}/copied/{key}"
    copy(f"moto://{bucket}/{moved}", f"moto://{bucket}/{copied}", config=config, progress=False)
    assert _body(s3, bucket, copied) == data
    # the fsspec protocol: read, info, find, write
    ffs = fsspec.filesystem("moto")
    with fsspec.open(f"moto://{bucket}/{copied}", "rb") as f:
        assert f.read() == data
    assert ffs.info(f"moto://{bucket}/{copied}")["size"] == len(data)
    assert f"{bucket}/{copied}" in ffs.find(f"{bucket}/{top}/copied")
    via = f"{top}/fsspec/{key}"
    ffs.pipe_file(f"moto://{bucket}/{via}", data[::-1])
    assert _body(s3, bucket, via) == data[::-1]
    assert _all_keys(s3, bucket, top) == {moved, copied, via}


# -- URLs and config documents: only the documented errors -------------------------------------
_url_text = st.one_of(
    st.text(max_size=60),
    st.builds(lambda a, b, c: f"{a}://{b}/{c}", st.text(max_size=8), st.text(max_size=12), st.text(max_size=20)),
    st.builds(lambda b, c: f"moto://{b}/{c}", st.from_regex(r"[a-z0-9.\-]{0,70}", fullmatch=True), st.text(max_size=20)),
    st.sampled_from(["moto://", "moto:///k", "MOTO://b/k", "://b", "c:\\x", "moto://b..b/k", "moto://-b/k",
                     "moto://" + "b" * 64 + "/k", "moto://a/k", "nope://bkt/k", "moto://bkt/../../etc/passwd"]),
)


@settings(max_examples=URL_EXAMPLES, **_SETTINGS)
@given(text=_url_text)
def test_generated_urls_raise_only_documented_errors(text, config):
    from dumont_nb.api import resolve

    try:
        url = parse_url(text)
    except InvalidURLError as exc:
        assert isinstance(exc, ValueError) and "\n" not in str(exc)
        return
    assert str(url).startswith(f"{url.remote}://")
    try:
        fs, path = resolve(text, config=config)
    except (InvalidURLError, UnknownRemoteError) as exc:
        assert "\n" not in str(exc)
        return
    assert url.remote == "moto" and path == url.path


_scalar = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=True), st.text(max_size=15))
_value = st.recursive(_scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=10), inner, max_size=3)),
                      max_leaves=6)
_FIELDS = ["type", "endpoint", "region", "path_style", "emulate", "anonymous", "credentials", "profile", "buckets",
           "checksums", "conditional_writes", "max_attempts", "connect_timeout", "read_timeout", "verify_ssl",
           "override_protocol", "bogus"]
_remote_doc = st.dictionaries(st.sampled_from(_FIELDS), _value, max_size=6)
_good = {"type": "s3", "endpoint": "http://127.0.0.1:9000", "region": "us-east-1",
         "credentials": {"access_key_id": "k", "secret_access_key": "s"}}
_config_doc = st.one_of(
    _value,
    st.fixed_dictionaries({"remotes": st.dictionaries(st.text(max_size=10), _remote_doc, max_size=2)}),
    st.fixed_dictionaries({"remotes": st.fixed_dictionaries({"good": st.builds(lambda d: {**_good, **d}, _remote_doc)})}),
    st.text(max_size=80),  # YAML text
)


@settings(max_examples=CONFIG_EXAMPLES, **_SETTINGS)
@given(doc=_config_doc)
@example(doc="remotes:\n  a: [unclosed")
@example(doc="remotes: !!python/object/apply:os.system ['echo pwned']")
@example(doc={"remotes": {"good": {**_good, "credentials": {"access_key_id": "env:", "secret_access_key": "keychain:x"}}}})
def test_generated_config_documents_raise_only_config_error(doc):
    try:
        config = parse_config(doc, source="<fuzz>")
    except ConfigError as exc:
        assert isinstance(exc, ValueError) and str(exc).startswith("<fuzz>")
        return
    for name, remote in config.remotes.items():
        assert remote.name == name and remote.type == "s3"
        remote.to_dict()  # a parsed remote always serializes


# -- download of hostile keys never writes outside the destination -----------------------------
HOSTILE_KEYS = ["../escape.txt", "a/../../escape2.txt", "..\\win.txt", "b\\..\\..\\back.txt", "/abs.txt",
                "//double-abs.txt", "c/./../../dot.txt", "C:/drive.txt", "ok/../../../../../../tmp/evil.txt",
                "..", "d/..", "e/.../fine.txt", "f/..a/fine2.txt", "g/ /space.txt"]


def test_download_of_hostile_keys_stays_inside_destination(s3, bucket, config, tmp_path):
    for k in HOSTILE_KEYS:
        s3.put_object(Bucket=bucket, Key=f"p/{k}", Body=k.encode())
    s3.put_object(Bucket=bucket, Key="p/good.txt", Body=b"good")
    out = tmp_path / "dest" / "out"
    out.parent.mkdir()
    (out.parent / "outside-link").symlink_to(tmp_path)  # a symlink out, next to the destination
    before = {str(p) for p in tmp_path.rglob("*")}
    summary = copy(f"moto://{bucket}/p", out, recursive=True, config=config, progress=False)
    root = os.path.realpath(out)
    written = {str(p) for p in tmp_path.rglob("*")} - before
    for p in written:  # everything new is under the destination, by realpath
        assert os.path.realpath(p) == root or os.path.realpath(p).startswith(root + os.sep), p
    assert (out / "good.txt").read_bytes() == b"good"
    assert (out / "e" / "..." / "fine.txt").read_bytes() == b"e/.../fine.txt"
    assert summary.skipped  # the escaping ones were reported, not silently dropped
    assert not any(name.endswith(".dumont-part") for name in map(os.path.basename, written))


def test_download_does_not_follow_a_symlink_inside_the_destination(s3, bucket, config, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "link").symlink_to(outside)
    s3.put_object(Bucket=bucket, Key="p/link/planted.txt", Body=b"x")
    s3.put_object(Bucket=bucket, Key="p/fine.txt", Body=b"y")
    summary = copy(f"moto://{bucket}/p", out, recursive=True, config=config, progress=False)
    assert list(outside.iterdir()) == []
    assert (out / "fine.txt").read_bytes() == b"y"
    assert any("planted" in src for src, _ in summary.skipped)


# -- magic arguments: parsed as documented, never executed -------------------------------------
@pytest.fixture
def shell(config, monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    from dumont_nb import api

    ip = InteractiveShell.instance()
    ip.extension_manager.load_extension("dumont_nb")
    monkeypatch.setattr(registry, "_active", config)
    return ip


def _magic_quote(text: str) -> str:
    """A magic argument for ``text`` as documented: shell-style single quotes (IPython does not
    expand ``$name`` inside them) and ``{{``/``}}`` for literal braces."""
    import shlex

    return shlex.quote(text).replace("{", "{{").replace("}", "}}")


@pytest.mark.parametrize("name", ["it's here.txt", 'say "hi".txt', "$HOME.txt", "$x.txt", "{1+1}.txt",
                                  "$(touch pwned).txt", "`id`.txt", "a;b.txt", "{x}.txt", "{{x}}.txt"])
def test_magic_arguments_with_quotes_dollars_braces_are_data(name, shell, s3, bucket, tmp_path, monkeypatch):
    import shlex
    import subprocess

    monkeypatch.chdir(tmp_path)
    s3.put_object(Bucket=bucket, Key=f"d/{name}", Body=b"content of " + name.encode())
    shell.user_ns["x"] = "EXPANDED"
    calls = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a) or 0)
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: calls.append(a))
    arg = _magic_quote(f"moto://{bucket}/d/{name}")
    res = shell.run_cell(f"_out = %dumont stat {arg}")
    assert res.success, res.error_in_exec
    info = shell.user_ns["_out"]
    text = " ".join(map(str, info.to_numpy().ravel())) if hasattr(info, "to_numpy") else repr(info)
    assert f"moto://{bucket}/d/{name}" in text  # the key was used literally
    assert "EXPANDED" not in text and not calls  # nothing expanded, nothing run in a shell
    assert not (tmp_path / "pwned").exists()
    res = shell.run_cell(f"%dumont cp {arg} {shlex.quote(str(tmp_path / 'got.txt'))}")
    assert res.success, res.error_in_exec
    assert (tmp_path / "got.txt").read_bytes() == b"content of " + name.encode()
    # a listing shows such keys as data (nothing in a store-provided key is expanded or run)
    res = shell.run_cell(f"_ls = %dumont ls moto://{bucket}/d/")
    assert res.success and name in list(shell.user_ns["_ls"]["name"]) and not calls


def test_magic_expands_var_and_expr_as_documented(shell, s3, bucket):
    s3.put_object(Bucket=bucket, Key="d/EXPANDED-2.txt", Body=b"e")
    shell.user_ns["x"] = "EXPANDED"
    res = shell.run_cell(f"_out = %dumont stat moto://{bucket}/d/{{x}}-{{1+1}}.txt")
    assert res.success, res.error_in_exec
    assert "EXPANDED-2.txt" in " ".join(map(str, shell.user_ns["_out"].to_numpy().ravel()))
    res = shell.run_cell(f"_out = %dumont stat moto://{bucket}/d/$x-2.txt")
    assert res.success, res.error_in_exec


# -- HTML escaping of store-provided strings ---------------------------------------------------
XSS = "<script>alert(1)</script>&<img src=x onerror=alert(2)>"


def test_html_of_tables_and_previews_escapes_store_strings(s3, bucket, config):
    from dumont_nb.tables import du, listing
    from dumont_nb.widget.preview import make_preview, render_preview

    s3.put_object(Bucket=bucket, Key=f"d/{XSS}.csv", Body=f"col,{XSS}\n1,{XSS}\n".encode())
    s3.put_object(Bucket=bucket, Key=f"{XSS}/x", Body=b"1")
    html_parts = [listing(f"moto://{bucket}/d", config=config)._repr_html_(),
                  listing(f"moto://{bucket}", recursive=True, config=config)._repr_html_(),
                  du(f"moto://{bucket}", config=config)._repr_html_()]
    fs = filesystem("moto", config=config)
    widget = render_preview(make_preview(fs, fs.stat(f"{bucket}/d/{XSS}.csv")))
    html_parts += [w.value for w in [widget, *getattr(widget, "children", ())] if isinstance(getattr(w, "value", None), str)]
    for html in html_parts:
        assert "<script" not in html and "<img" not in html, html[:300]
    assert any("&lt;script&gt;" in h for h in html_parts)
