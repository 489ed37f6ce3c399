"""The browser's pure logic: locations, rows, sort, filter, snippets, bookmarks, jobs (no server)."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone

import pytest

from dumont_nb.errors import ConfigError, InvalidURLError
from dumont_nb.vfs.base import FileInfo
from dumont_nb.widget.bookmarks import add_bookmark, bookmarks_path, load_bookmarks, remove_bookmark
from dumont_nb.widget.jobs import Cancelled, Job
from dumont_nb.widget.model import Location, compile_filter, human_size, row_of, sort_rows
from dumont_nb.widget.snippets import snippet


def test_location_parse_parent_child_crumbs():
    loc = Location.parse("r2://data/a/b")
    assert (loc.remote, loc.bucket, loc.prefix) == ("r2", "data", "a/b/")
    assert loc.url == "r2://data/a/b/" and loc.path == "data/a/b"
    assert loc.parent().url == "r2://data/a/"
    assert loc.parent().parent().url == "r2://data/"
    assert loc.parent().parent().parent().url == "r2://"
    assert Location("r2").parent() == Location("r2")
    assert Location("r2").child("data").url == "r2://data/"
    assert [label for label, _ in loc.crumbs()] == ["r2://", "data", "a", "b"]
    assert [a.url for a in loc.ancestors()] == ["r2://", "r2://data/", "r2://data/a/", "r2://data/a/b/"]
    with pytest.raises(InvalidURLError):
        Location.parse("not a url")
    with pytest.raises(InvalidURLError):
        loc.child("")


def test_human_size():
    assert human_size(0) == "0 B"
    assert human_size(1023) == "1023 B"
    assert human_size(1536) == "1.5 KiB"
    assert human_size(5 * 1024**3) == "5.0 GiB"
    assert human_size(None) == ""


def _row(name, size=None, is_dir=False, mtime=None):
    info = FileInfo(name, f"b/{name}", size or 0, mtime, is_dir)
    return row_of(info, "r")


def test_rows_sort_folders_first_by_any_column():
    t1 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    t2 = datetime(2025, 1, 1, tzinfo=timezone.utc)
    rows = [_row("b.txt", 10, mtime=t2), _row("A.csv", 300, mtime=t1), _row("zdir", is_dir=True), _row("adir", is_dir=True)]
    assert rows[2]["url"] == "r://b/zdir/" and rows[0]["url"] == "r://b/b.txt"
    assert rows[0]["size_h"] == "10 B" and rows[0]["mtime"] == "2025-01-01 00:00:00"
    names = lambda rs: [r["name"] for r in rs]  # noqa: E731
    assert names(sort_rows(rows)) == ["adir", "zdir", "A.csv", "b.txt"]
    assert names(sort_rows(rows, "name", True)) == ["zdir", "adir", "b.txt", "A.csv"]
    assert names(sort_rows(rows, "size", True)) == ["adir", "zdir", "A.csv", "b.txt"]
    assert names(sort_rows(rows, "size")) == ["adir", "zdir", "b.txt", "A.csv"]
    assert names(sort_rows(rows, "mtime")) == ["adir", "zdir", "A.csv", "b.txt"]
    with pytest.raises(ValueError, match="cannot sort by 'colour'"):
        sort_rows(rows, "colour")


def test_filter_glob_regex_and_bad_pattern():
    assert compile_filter("")("anything")
    glob = compile_filter("*.CSV")
    assert glob("data.csv") and not glob("data.csv.gz")
    rx = compile_filter(r"^part-\d+")
    assert rx("PART-0001.parquet") and not rx("xpart-1")
    with pytest.raises(ValueError, match="not a valid pattern"):
        compile_filter("(unclosed")


def test_snippets_python_and_magic_never_carry_credentials():
    py = snippet("r2://b/data/", ["r2://b/data/x.csv", "r2://b/data/y.parquet", "r2://b/data/blob.bin"])
    assert "pd.read_csv('r2://b/data/x.csv')" in py
    assert "pd.read_parquet('r2://b/data/y.parquet')" in py
    assert "dumont_nb.open('r2://b/data/blob.bin', 'rb')" in py
    compile(py, "<snippet>", "exec")
    assert snippet("r2://b/data/", []).splitlines()[0] == "import dumont_nb"
    assert "dumont_nb.load_config()" in py  # runs in a fresh kernel
    assert snippet("r2://b/data/", []).splitlines()[-1] == "df = dumont_nb.listing('r2://b/data/')"
    assert snippet("r2://b/data/", ["r2://b/data/x.csv"], style="magic") == "%dumont cat r2://b/data/x.csv"
    assert snippet("r2://b/data/", [], style="magic") == "%dumont ls r2://b/data/"
    with pytest.raises(ValueError):
        snippet("r2://b/", [], style="java")


def test_bookmarks_live_in_the_user_config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert bookmarks_path() == tmp_path / "dumont" / "bookmarks.json"
    assert load_bookmarks() == []
    assert add_bookmark("r2://b/x/") == ["r2://b/x/"]
    assert add_bookmark("r2://b/x/") == ["r2://b/x/"]
    assert add_bookmark("r2://b/y/") == ["r2://b/x/", "r2://b/y/"]
    assert json.loads(bookmarks_path().read_text()) == ["r2://b/x/", "r2://b/y/"]
    assert remove_bookmark("r2://b/x/") == ["r2://b/y/"]
    bookmarks_path().write_text("{not json")
    with pytest.raises(ConfigError, match="bookmarks.json"):
        load_bookmarks()


def test_job_progress_cancel_and_errors():
    started, release = threading.Event(), threading.Event()
    seen = []

    def work(job):
        job.total = 100
        job.advance(10)
        started.set()
        release.wait(30)
        job.advance(10)  # raises Cancelled
        seen.append("not reached")

    job = Job("t", work, on_progress=lambda j: seen.append(j.done_bytes)).start()
    assert started.wait(30)
    job.cancel()
    release.set()
    assert job.wait(30)
    assert isinstance(job.error, Cancelled) and seen == [10, 20]
    assert job.fraction == 0.2

    failing = Job("f", lambda j: 1 / 0).start()
    assert failing.wait(30) and isinstance(failing.error, ZeroDivisionError)
    ok = Job("ok", lambda j: 42).start()
    assert ok.wait(30) and ok.result == 42 and ok.error is None


def test_tree_opens_the_chain_and_expands_a_folder_only_when_asked():
    from dumont_nb.widget.tree import TreeView

    asked = []
    children = {"rr://": {"rr://bk1/", "rr://bk2/"}, "rr://bk1/": {"rr://bk1/x/", "rr://bk1/y/"}}
    tree = TreeView(children, lambda url: asked.append(url) or [url + "inner/"], lambda text: None)
    tree.show(Location.parse("rr://bk1/x/deep/"))
    rows = [("  " * n["depth"] + ("▾ " if n["open"] else "▸ ") + n["label"], n["url"]) for n in tree.nodes]
    assert rows == [("▾ rr://", "rr://"), ("  ▾ bk1", "rr://bk1/"), ("    ▾ x", "rr://bk1/x/"),
                    ("      ▾ deep", "rr://bk1/x/deep/"), ("    ▸ y", "rr://bk1/y/"), ("  ▸ bk2", "rr://bk2/")]
    assert asked == [] and tree.value == "rr://bk1/x/deep/"  # drawing costs no request
    tree.toggle, tree.toggle_serial = "rr://bk2/", 1  # the twisty: expand without visiting
    assert asked == ["rr://bk2/"] and tree.value == "rr://bk1/x/deep/"
    assert ("rr://bk2/inner/", 2) in [(n["url"], n["depth"]) for n in tree.nodes]
    tree.toggle_serial = 2  # closed again, and reopened without asking twice
    tree.toggle_serial = 3
    assert asked == ["rr://bk2/"] and "rr://bk2/inner/" in [n["url"] for n in tree.nodes]
