"""``%dumont`` sub-commands in a real InteractiveShell against moto; results checked with boto3."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _magics import activate, ip, ipython, line  # noqa: F401  (fixtures)
from IPython.core.error import UsageError

from dumont_nb import api
from dumont_nb.magics import commands


def _put(s3, bucket, key, body=b"x"):
    s3.put_object(Bucket=bucket, Key=key, Body=body)


def _keys(s3, bucket):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


@pytest.fixture
def tree(s3, bucket):
    _put(s3, bucket, "a.txt", b"alpha\n")
    _put(s3, bucket, "dir/b.txt", b"bravo\n")
    _put(s3, bucket, "dir/c.csv", b"x,y\n1,2\n")
    _put(s3, bucket, "dir/sub/d.txt", b"delta\n")
    return bucket


# -- loading ------------------------------------------------------------------------------
def test_load_ext_registers_line_and_cell_magic(ipython):
    magics = ipython.magics_manager.magics
    assert "dumont" in magics["line"] and "dumont" in magics["cell"]


def test_unload_and_reload(ipython):
    ipython.extension_manager.unload_extension("dumont_nb")
    try:
        assert "dumont" not in ipython.magics_manager.magics["line"]
        assert not [m for m in ipython.Completer.custom_matchers if "dumont" in getattr(m, "matcher_identifier", "")]
    finally:
        ipython.extension_manager.load_extension("dumont_nb")
    assert "dumont" in ipython.magics_manager.magics["line"]
    ids = [getattr(m, "matcher_identifier", "") for m in ipython.Completer.custom_matchers]
    assert ids.count("dumont_nb.magics.completion") == 1


def test_load_ext_is_light():
    """``%load_ext dumont_nb`` imports neither pandas, s3fs nor ipywidgets (fresh interpreter)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "InteractiveShell.instance().extension_manager.load_extension('dumont_nb')\n"
        "print(sorted(m for m in ('pandas', 's3fs', 'ipywidgets') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# -- listing ------------------------------------------------------------------------------
def test_ls_returns_the_stat_table(ip, tree):
    df = line(ip, f"ls moto://{tree}/")
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["url", "name", "type", "size", "mtime"]
    assert sorted(df["name"]) == ["a.txt", "dir"]
    assert dict(zip(df["name"], df["type"])) == {"a.txt": "file", "dir": "dir"}


def test_ls_long_and_recursive(ip, tree):
    df = line(ip, f"ls -l -r moto://{tree}/")
    assert {"etag", "storage_class"} <= set(df.columns)
    assert sorted(df["url"]) == [f"moto://{tree}/{k}" for k in ("a.txt", "dir/b.txt", "dir/c.csv", "dir/sub/d.txt")]


def test_ls_buckets(ip, tree):
    df = line(ip, "ls moto://")
    assert tree in set(df["name"])


def test_assignment_form_and_expansion(ip, tree):
    ip.user_ns.update(b=tree, prefix="dir")
    res = ip.run_cell("df = %dumont ls moto://{b}/{prefix}/\ndf2 = %dumont ls moto://$b/")
    assert res.success, res.error_in_exec
    assert sorted(ip.user_ns["df"]["name"]) == ["b.txt", "c.csv", "sub"]
    assert sorted(ip.user_ns["df2"]["name"]) == ["a.txt", "dir"]


def test_ls_result_is_displayed(ip, tree):
    res = ip.run_cell(f"%dumont ls moto://{tree}/dir/")
    assert res.success
    assert isinstance(res.result, pd.DataFrame) and len(res.result) == 3


def test_stat(ip, tree):
    s = line(ip, f"stat moto://{tree}/dir/c.csv")
    assert s["type"] == "file" and s["size"] == 8 and s["url"] == f"moto://{tree}/dir/c.csv"
    assert line(ip, f"stat moto://{tree}/dir")["type"] == "dir"


def test_du(ip, tree):
    df = line(ip, f"du moto://{tree}/")
    total = df[df["depth"] == 0].iloc[0]
    assert (total["size"], total["count"]) == (6 + 6 + 8 + 6, 4)
    sub = df[df["path"] == "dir"].iloc[0]
    assert (sub["size"], sub["count"]) == (20, 3)


def test_du_depth(ip, tree):
    df = line(ip, f"du -d 2 moto://{tree}/")
    assert sorted(df["path"]) == ["", "dir", "dir/sub"]
    assert df.set_index("path").loc["dir/sub", "count"] == 1


def test_find_glob(ip, tree):
    df = line(ip, f"find moto://{tree}/ --glob '*.txt'")
    assert sorted(df["name"]) == ["a.txt", "b.txt", "d.txt"]
    assert len(line(ip, f"find moto://{tree}/dir")) == 3


# -- reading ------------------------------------------------------------------------------
def test_cat(ip, tree, capsys):
    assert line(ip, f"cat moto://{tree}/dir/c.csv") is None
    assert capsys.readouterr().out == "x,y\n1,2\n"


def test_head_reads_only_the_start(ip, s3, bucket, request_log, capsys):
    body = b"".join(b"line %06d\n" % i for i in range(300_000))  # 3.3 MB
    _put(s3, bucket, "big.txt", body)
    request_log.clear()
    line(ip, f"head -n 3 moto://{bucket}/big.txt")
    assert capsys.readouterr().out == "line 000000\nline 000001\nline 000002\n"
    sent = sum(r.bytes_sent for r in request_log.requests("GetObject"))
    assert 0 < sent < len(body)


def test_head_default_ten_lines_of_short_object(ip, tree, capsys):
    line(ip, f"head moto://{tree}/a.txt")
    assert capsys.readouterr().out == "alpha\n"


def test_cat_refuses_a_too_big_object(ip, config, s3, bucket, monkeypatch):
    from dumont_nb.magics import text

    _put(s3, bucket, "big.txt", b"0123456789\n" * 20_000)  # 220 kB
    with pytest.raises(OSError, match="too big for cat"):
        commands.cat(f"moto://{bucket}/big.txt", limit=100_000, config=config)
    monkeypatch.setattr(text, "CAT_LIMIT", 100_000)
    with pytest.raises(UsageError, match=r"too big for cat; use `%dumont head -n N"):
        line(ip, f"cat moto://{bucket}/big.txt")


def test_cat_of_a_directory(ip, tree):
    with pytest.raises(UsageError, match=f"moto://{tree}/dir"):
        line(ip, f"cat moto://{tree}/dir")


def test_cat_binary_is_a_clear_error(ip, s3, bucket):
    _put(s3, bucket, "img.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    _put(s3, bucket, "latin.txt", "caf\xe9".encode("latin-1"))
    for key in ("img.png", "latin.txt"):
        for cmd in ("cat", "head"):
            with pytest.raises(UsageError, match="binary object") as e:
                line(ip, f"{cmd} moto://{bucket}/{key}")
            assert "\n" not in str(e.value) and f"moto://{bucket}/{key}" in str(e.value)


def test_quoted_key_with_spaces(ip, s3, bucket, capsys):
    ip.run_cell_magic("dumont", f'put "moto://{bucket}/my file #1.txt"', "spaced")
    assert s3.get_object(Bucket=bucket, Key="my file #1.txt")["Body"].read() == b"spaced"
    capsys.readouterr()
    line(ip, f"cat 'moto://{bucket}/my file #1.txt'")
    assert capsys.readouterr().out == "spaced\n"


# -- writing ------------------------------------------------------------------------------
def test_cell_put_with_expansion(ip, s3, bucket, capsys):
    ip.user_ns["b"] = bucket
    res = ip.run_cell("%%dumont put moto://{b}/notes/hello.txt\nhello\nwörld")
    assert res.success, res.error_in_exec
    # like %%writefile: the body as IPython hands it over (a cell's text ends with a newline)
    assert s3.get_object(Bucket=bucket, Key="notes/hello.txt")["Body"].read() == "hello\nwörld\n".encode()
    assert f"moto://{bucket}/notes/hello.txt" in capsys.readouterr().out


def test_put_needs_the_cell_form(ip, bucket):
    with pytest.raises(UsageError, match="%%dumont put"):
        line(ip, f"put moto://{bucket}/x")
    with pytest.raises(UsageError, match="cell form only takes"):
        ip.run_cell_magic("dumont", f"ls moto://{bucket}/", "body")


def test_cp_upload_download_and_remote_copy(ip, s3, bucket, tmp_path):
    src = tmp_path / "up.bin"
    src.write_bytes(b"payload" * 1000)
    line(ip, f"cp {src} moto://{bucket}/in/up.bin")
    assert s3.get_object(Bucket=bucket, Key="in/up.bin")["Body"].read() == b"payload" * 1000
    line(ip, f"cp moto://{bucket}/in/up.bin moto://{bucket}/copy/up.bin")
    assert s3.get_object(Bucket=bucket, Key="copy/up.bin")["Body"].read() == b"payload" * 1000
    dst = tmp_path / "down.bin"
    line(ip, f"cp moto://{bucket}/copy/up.bin {dst}")
    assert dst.read_bytes() == b"payload" * 1000


def test_cp_recursive(ip, s3, tree, tmp_path):
    line(ip, f"cp -r moto://{tree}/dir {tmp_path / 'local'}")
    got = sorted(p.relative_to(tmp_path / "local").as_posix() for p in (tmp_path / "local").rglob("*") if p.is_file())
    assert got == ["b.txt", "c.csv", "sub/d.txt"]
    line(ip, f"cp -r {tmp_path / 'local'} moto://{tree}/back")
    assert [k for k in _keys(s3, tree) if k.startswith("back/")] == ["back/b.txt", "back/c.csv", "back/sub/d.txt"]


def test_cp_prints_a_summary_and_skipped_keys(ip, s3, bucket, tmp_path, capsys):
    _put(s3, bucket, "d/ok.txt", b"fine")
    _put(s3, bucket, "d/../escape.txt", b"hostile")
    line(ip, f"cp -r moto://{bucket}/d {tmp_path / 'out'}")
    out = capsys.readouterr().out
    assert f"copied moto://{bucket}/d → {tmp_path / 'out'}: 1 file(s), 4 B" in out
    assert "skipped" in out and "escape.txt" in out
    assert (tmp_path / "out" / "ok.txt").read_bytes() == b"fine" and not (tmp_path / "escape.txt").exists()


def test_mv_keeps_the_source_when_something_was_not_copied(ip, s3, bucket, tmp_path):
    _put(s3, bucket, "d/ok.txt", b"fine")
    _put(s3, bucket, "d/../escape.txt", b"hostile")
    with pytest.raises(UsageError, match="the source was kept"):
        line(ip, f"mv moto://{bucket}/d {tmp_path / 'out'}")
    assert _keys(s3, bucket) == ["d/../escape.txt", "d/ok.txt"]


def test_mv_within_remote(ip, s3, tree):
    line(ip, f"mv moto://{tree}/a.txt moto://{tree}/moved/a.txt")
    line(ip, f"mv moto://{tree}/dir moto://{tree}/renamed")
    assert _keys(s3, tree) == ["moved/a.txt", "renamed/b.txt", "renamed/c.csv", "renamed/sub/d.txt"]


def test_mv_into_directory_and_local_upload(ip, s3, bucket, tmp_path):
    f = tmp_path / "local.txt"
    f.write_text("moving")
    line(ip, f"mv {f} moto://{bucket}/inbox/")
    assert not f.exists()
    assert s3.get_object(Bucket=bucket, Key="inbox/local.txt")["Body"].read() == b"moving"


def test_rm_object(ip, s3, tree, capsys):
    line(ip, f"rm moto://{tree}/a.txt")
    assert "a.txt" not in _keys(s3, tree)
    assert "deleted 1 object" in capsys.readouterr().out


def test_rm_directory_needs_r(ip, s3, tree):
    with pytest.raises(UsageError, match=r"is a directory; use `rm -r"):
        line(ip, f"rm moto://{tree}/dir")
    assert len(_keys(s3, tree)) == 4


@pytest.mark.parametrize("answer", ["n", "", EOFError])
def test_rm_recursive_declined_deletes_nothing(ip, s3, tree, capsys, monkeypatch, answer):
    prompts = []

    def fake_input(prompt=""):
        prompts.append(prompt)
        if answer is EOFError:
            raise EOFError
        return answer

    monkeypatch.setattr("builtins.input", fake_input)
    assert line(ip, f"rm -r moto://{tree}/dir") is None
    assert len(_keys(s3, tree)) == 4
    assert prompts == [f"delete moto://{tree}/dir: 3 object(s), 20 B (1 DeleteObjects request(s); deletes are free on AWS)? [y/N] "]
    assert "not deleted" in capsys.readouterr().out


def test_rm_recursive_confirmed_or_yes(ip, s3, tree, monkeypatch, capsys):
    monkeypatch.setattr("builtins.input", lambda prompt="": "y")
    line(ip, f"rm -r moto://{tree}/dir/sub")
    assert _keys(s3, tree) == ["a.txt", "dir/b.txt", "dir/c.csv"]

    def refuse(prompt=""):
        raise AssertionError("-y must not ask")

    monkeypatch.setattr("builtins.input", refuse)
    line(ip, f"rm -r -y moto://{tree}/dir")
    assert _keys(s3, tree) == ["a.txt"]
    assert "deleted 2 object(s)" in capsys.readouterr().out


def test_rm_plan_from_python(config, tree):
    plan = commands.plan_rm(f"moto://{tree}/dir", config=config)
    assert (plan.count, plan.size) == (3, 20)
    with pytest.raises(commands.NotConfirmedError):
        commands.rm(f"moto://{tree}/dir", recursive=True, config=config)
    assert commands.rm(f"moto://{tree}/dir", recursive=True, yes=True, config=config) == 3


def test_mkdir(ip, s3, bucket):
    line(ip, f"mkdir moto://{bucket}/newdir")
    assert _keys(s3, bucket) == ["newdir/"]
    with pytest.raises(UsageError):
        line(ip, f"mkdir moto://{bucket}/newdir")
    line(ip, f"mkdir -p moto://{bucket}/a/b/c")
    assert "a/b/c/" in _keys(s3, bucket)
    df = line(ip, f"ls moto://{bucket}/newdir/")
    assert len(df) == 0  # the marker is hidden


def test_local_mkdir_and_rm(ip, tmp_path, monkeypatch, capsys):
    d = tmp_path / "loc"
    line(ip, f"mkdir -p {d / 'a' / 'b'}")
    (d / "a" / "b" / "f.txt").write_text("1234")
    (d / "g.txt").write_text("x")
    line(ip, f"rm {d / 'g.txt'}")
    assert not (d / "g.txt").exists()
    with pytest.raises(UsageError, match="is a directory"):
        line(ip, f"rm {d}")
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    line(ip, f"rm -r {d}")
    assert "not deleted" in capsys.readouterr().out and (d / "a" / "b" / "f.txt").exists()
    line(ip, f"rm -r -y {d}")
    assert not d.exists()


# -- configuration ------------------------------------------------------------------------
def test_remotes_shows_references(ip, s3_server, monkeypatch):
    settings = s3_server.remote_settings(credentials={"access_key_id": "env:K_ID", "secret_access_key": "keychain:dumont/x"})
    activate({"remotes": {"moto": settings, "pub": {"type": "s3", "anonymous": True, "buckets": ["open-data"]}}})
    df = line(ip, "remotes")
    assert list(df["name"]) == ["moto", "pub"]
    rows = df.set_index("name")
    assert rows.loc["moto", "credentials"] == "access_key_id=env:K_ID, secret_access_key=keychain:dumont/x"
    assert rows.loc["pub", "credentials"] == "anonymous (unsigned)" and rows.loc["pub", "buckets"] == "open-data"
    assert rows.loc["moto", "endpoint"] == s3_server.endpoint


def test_remotes_hides_literal_values(ip):
    df = line(ip, "remotes")
    from dumont_nb.testing.server import TEST_SECRET

    assert df.loc[0, "credentials"] == "access_key_id=literal, secret_access_key=literal"
    assert TEST_SECRET not in df.to_string() and TEST_SECRET not in (df._repr_html_() or "")


def test_caps(ip, s3_server):
    df = line(ip, "caps moto")
    assert list(df.columns) == ["capability", "value", "why"]
    caps = dict(zip(df["capability"], df["value"]))
    assert caps["random_read"] and not caps["random_write"] and not caps["append"]
    assert df.set_index("capability").loc["atomic_rename", "why"].startswith("rename = server-side copy")
    activate({"remotes": {"moto": s3_server.remote_settings(emulate=True)}})
    df = line(ip, "caps moto://")
    assert dict(zip(df["capability"], df["value"]))["append"]
    assert "emulated" in df.set_index("capability").loc["append", "why"]


def test_caps_of_a_bucket_shows_conditional_writes(ip, bucket):
    df = line(ip, f"caps moto://{bucket}/").set_index("capability")
    assert len(df) == 12 and isinstance(df.loc["conditional_writes", "value"], (bool, np.bool_))
    assert df.loc["versioning", "value"] == False and "put-bucket-versioning" in df.loc["versioning", "why"]  # noqa: E712
    why = df.loc["conditional_writes", "why"]
    assert bucket in why and "policy here: require" in why
    assert ("enforced" in why) == bool(df.loc["conditional_writes", "value"])


def test_config_show_and_switch(ip, s3_server, tmp_path, capsys):
    path = tmp_path / "other.yaml"
    path.write_text(f"remotes:\n  other:\n    type: s3\n    endpoint: {s3_server.endpoint}\n    path_style: true\n")
    line(ip, f"config {path}")
    assert api.active_config().path == path and list(api.active_config().remotes) == ["other"]
    assert f"using {path}; remotes: other" in capsys.readouterr().out
    line(ip, "config")
    assert f"config: {path}; remotes: other" in capsys.readouterr().out


def test_browse_returns_the_widget(ip, tree):
    import ipywidgets

    w = line(ip, f"browse moto://{tree}/dir/")
    assert isinstance(w, ipywidgets.Widget)
    assert w.path.startswith(f"moto://{tree}/dir")


def test_browse_without_the_widget_module_is_a_clear_error(ip, bucket, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "dumont_nb.widget", None)  # as if the widget were not installed
    with pytest.raises(UsageError, match="browser widget is not available") as e:
        line(ip, f"browse moto://{bucket}/")
    assert "\n" not in str(e.value)


# -- help ---------------------------------------------------------------------------------
def test_help_lists_every_sub_command(ip, capsys):
    from dumont_nb.magics.table import COMMANDS

    for text in ("help", ""):
        assert line(ip, text) is None
        out = capsys.readouterr().out
        assert all(f"  {name}" in out for name in COMMANDS)


def test_magic_docstring_is_the_overview(ip):
    doc = ip.find_line_magic("dumont").__doc__
    assert doc.startswith("%dumont COMMAND") and "  browse" in doc


@pytest.mark.parametrize("name", [n for n in __import__("dumont_nb.magics.table", fromlist=["x"]).COMMANDS if n != "help"])
def test_help_of_each_sub_command(ip, capsys, name):
    assert line(ip, f"{name} --help") is None
    out = capsys.readouterr().out
    assert out.startswith(f"usage: %dumont {name}")
    assert line(ip, f"help {name}") is None
    assert capsys.readouterr().out == out


def test_one_table_drives_parsing_help_completion_and_dispatch(ip, config, monkeypatch, capsys):
    from dumont_nb.magics import completion, table
    from dumont_nb.magics.core import DumontMagics

    echo = table.Command("echo", "say a URL back", lambda a, cell: f"echo {a.url}", (table.arg("url"),))
    monkeypatch.setitem(table.COMMANDS, "echo", echo)  # one entry, nothing else
    magics = DumontMagics(shell=ip)
    assert magics.dumont("echo moto://b/k") == "echo moto://b/k"  # parsed and dispatched
    assert any(row.split()[:1] == ["echo"] and row.endswith("say a URL back") for row in table.overview().splitlines())
    assert completion._complete([], "ec", magics.parser, config) == ["echo"]  # completed
    assert completion._complete(["echo"], "mo", magics.parser, config) == ["moto://"]
    with pytest.raises(UsageError, match="the cell form only takes"):
        magics.dumont("echo moto://b/k", cell="body")
