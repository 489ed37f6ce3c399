"""The bucket browser driven headless (traitlets, Button.click()) against the moto server:
navigation, paging, tree, bookmarks, sort, filter, select, preview, escaping, secrets."""

from __future__ import annotations

import io
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import ipywidgets as W
import pytest

from dumont_nb.testing.server import TEST_SECRET
from dumont_nb.widget import browse
from dumont_nb.widget.listing import WINDOW
from dumont_nb.widget.preview import TEXT_BYTES

HOSTILE = "<img src=x onerror=alert(1)>"


def put(s3, bucket, keys, body=b"x"):
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=body)


@pytest.fixture
def tree(s3, bucket):
    put(s3, bucket, ["a/x.csv", "a/b/c/deep.txt", "a/b/y.txt", "top.txt", "z/"])
    return bucket


def names(browser):
    return [r["name"] for r in browser.rows]


def test_navigation_listing_up_breadcrumbs_and_path_trait(config, tree, request_log):
    b = browse(f"moto://{tree}/", config=config)
    assert b.path == f"moto://{tree}/"
    assert names(b) == ["a", "z", "top.txt"]  # folders first; the z/ marker is a folder, never a row
    row = b.rows[2]
    assert row["type"] == "file" and row["size_h"] == "1 B" and row["mtime"]
    seen = []
    b.on_navigate(seen.append)
    b.listing.activated = f"moto://{tree}/a/"  # what a double-click / Enter does in the front end
    assert b.path == f"moto://{tree}/a/" and names(b) == ["b", "x.csv"]
    assert b.listing.activated == ""
    b.path = f"moto://{tree}/a/b/"  # the synced traitlet, set from Python
    assert names(b) == ["c", "y.txt"]
    assert [btn.description for btn in b._crumbs.children] == ["moto://", tree, "a", "b"]
    b._crumbs.children[2].click()
    assert b.path == f"moto://{tree}/a/"
    b._up.click()
    assert b.path == f"moto://{tree}/"
    b.listing.activated = ".."  # Backspace
    assert b.path == "moto://" and any(r["name"] == tree for r in b.rows)
    assert seen == [f"moto://{tree}/a/", f"moto://{tree}/a/b/", f"moto://{tree}/a/", f"moto://{tree}/", "moto://"]
    assert "path" in b.get_state() and b.get_state()["path"] == "moto://"


def test_errors_show_inline_and_the_widget_stays_usable(config, tree):
    b = browse(f"moto://{tree}/", config=config)
    b.path = "moto://no-such-bucket-here/"
    assert b.path == f"moto://{tree}/"  # reverted
    assert "no-such-bucket-here" in b.message and "Traceback" not in b.message
    assert "\n" not in b.message and "⚠" in b._status.value
    b.path = "moto:/broken"
    assert b.path == f"moto://{tree}/" and "not a dumont URL" in b.message
    b._location.value = "nosuch://bucket/"  # typed into the location box
    assert "unknown remote 'nosuch'" in b.message and b._location.value == f"moto://{tree}/"
    b.listing.activated = f"moto://{tree}/a/"
    assert names(b) == ["b", "x.csv"]


def test_no_remotes_configured_is_one_line():
    from dumont_nb.config import parse_config

    b = browse(config=parse_config({"remotes": {}}))
    assert "no remotes configured" in b.message and b.rows == []


def test_remote_picker_lists_buckets_and_falls_back_to_configured_buckets(s3_server, tree):
    from dumont_nb.config import parse_config

    cfg = parse_config({"remotes": {
        "moto": s3_server.remote_settings(),
        "locked": s3_server.remote_settings(buckets=[tree]),
    }})
    b = browse(config=cfg)
    assert b._remote.options == ("locked", "moto") and b.path == "locked://"
    s3_server.faults.append(lambda r: (403, {}, b"<Error><Code>AccessDenied</Code><Message>no</Message></Error>") if r.op == "ListBuckets" else None)
    try:
        b._remote.value = "moto"  # no `buckets:` configured and ListBuckets denied
        assert "cannot list buckets" in b.message and "buckets: [...]" in b.message
        assert b.path == "locked://" and b._remote.value == "locked"
        b._refresh.click()  # ListBuckets denied: the configured `buckets` list instead
        assert b.path == "locked://" and [r["name"] for r in b.rows] == [tree]
    finally:
        s3_server.faults.clear()
    b.listing.activated = f"locked://{tree}/"
    assert names(b) == ["a", "z", "top.txt"]


@pytest.mark.slow
def test_a_prefix_of_2500_keys_loads_page_by_page(config, s3, bucket, request_log):
    keys = [f"big/k{i:05d}" for i in range(2500)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=b""), keys))
    request_log.clear()
    b = browse(f"moto://{bucket}/big/", config=config)
    assert len(b.rows) == 1000 and b.listing.more
    assert request_log.count("ListObjectsV2", bucket) >= 1  # the first page after one request ...
    assert b._big.count_job.wait(60) and b.listing.total == 2500  # ... then the total, counted in the background
    assert request_log.count("ListObjectsV2", bucket) == 1 + 3
    request_log.clear()
    b._more.click()
    assert len(b.rows) == 2000 and request_log.count("ListObjectsV2", bucket) == 1
    # the front end holds a window of rows, never the whole listing
    assert b.listing.count == 2000 and len(b.listing.window) == WINDOW and "rows" not in b.listing.get_state()
    b.listing.window_start = 1900  # what scrolling does in the front end
    assert [r["name"] for r in b.listing.window] == [f"k{i:05d}" for i in range(1900, 2000)]
    b.listing.more_requests += 1  # what scrolling to the end does in the front end
    assert len(b.rows) == 2500 and request_log.count("ListObjectsV2", bucket) == 2
    assert b.listing.window_start == 1900 and b.listing.window[-1]["name"] == "k02099"  # appended: no jump
    assert not b.listing.more and b._more.disabled
    b._filter.value = "k0249*"  # filters what is loaded, in the kernel: no request
    assert names(b) == [f"k0249{i}" for i in range(10)] and request_log.count("ListObjectsV2", bucket) == 2
    b._filter.value = ""
    b._more.click()
    assert request_log.count("ListObjectsV2", bucket) == 2
    assert names(b)[:2] == ["k00000", "k00001"] and names(b)[-1] == "k02499"


def test_tree_beside_the_listing(config, tree):
    b = browse(f"moto://{tree}/a/b/", config=config)
    labels = [("  " * n["depth"]) + ("▾ " if n["open"] else "▸ ") + n["label"] for n in b._tree.nodes]
    assert labels == ["▾ moto://", f"  ▾ {tree}", "    ▾ a", "      ▾ b", "        ▸ c"]
    assert b._tree.value == f"moto://{tree}/a/b/"
    b._tree.value = f"moto://{tree}/a/b/c/"
    assert b.path == f"moto://{tree}/a/b/c/" and names(b) == ["deep.txt"]
    b._tree.value = f"moto://{tree}/"
    values = [n["url"] for n in b._tree.nodes]
    assert f"moto://{tree}/a/" in values and f"moto://{tree}/z/" in values


def test_the_tree_expands_a_folder_without_visiting_it(config, tree, request_log):
    b = browse(f"moto://{tree}/", config=config)
    request_log.clear()
    b._tree.toggle, b._tree.toggle_serial = f"moto://{tree}/a/", b._tree.toggle_serial + 1
    assert b.path == f"moto://{tree}/" and request_log.count("ListObjectsV2", tree) == 1  # one listing, no visit
    assert f"moto://{tree}/a/b/" in [n["url"] for n in b._tree.nodes]


def test_bookmarks_persist_in_the_config_dir_not_the_notebook(config, tree):
    import platformdirs

    b = browse(f"moto://{tree}/a/", config=config)
    b._bookmark_add.click()
    file = Path(platformdirs.user_config_dir("dumont")) / "bookmarks.json"
    assert file == Path(os.environ["XDG_CONFIG_HOME"]) / "dumont" / "bookmarks.json"  # the isolated config dir
    stored = json.loads(file.read_text())
    assert stored == [f"moto://{tree}/a/"] and b.bookmarks == stored
    other = browse(f"moto://{tree}/", config=config)
    assert other.bookmarks == stored
    other._bookmarks.value = f"moto://{tree}/a/"
    assert other.path == f"moto://{tree}/a/"
    other._bookmark_del.click()  # removes the chosen bookmark
    assert other.bookmarks == [] and json.loads(file.read_text()) == []


def test_sort_and_filter(config, s3, bucket):
    s3.put_object(Bucket=bucket, Key="small.csv", Body=b"1")
    s3.put_object(Bucket=bucket, Key="big.csv", Body=b"1" * 500)
    s3.put_object(Bucket=bucket, Key="Mid.json", Body=b"1" * 50)
    s3.put_object(Bucket=bucket, Key="dir/inner", Body=b"")
    b = browse(f"moto://{bucket}/", config=config)
    assert names(b) == ["dir", "big.csv", "Mid.json", "small.csv"]
    b.listing.sort_by = "size"  # a click on the Size header
    assert names(b) == ["dir", "small.csv", "Mid.json", "big.csv"]
    b.listing.sort_desc = True
    assert names(b) == ["dir", "big.csv", "Mid.json", "small.csv"]
    b.listing.sort_by, b.listing.sort_desc = "type", False
    assert names(b)[0] == "dir"
    b._filter.value = "*.csv"
    assert sorted(names(b)) == ["big.csv", "small.csv"]
    b._filter.value = "^mi"
    assert names(b) == ["Mid.json"]
    b._filter.value = "(bad"
    assert "not a valid pattern" in b.message and names(b) == ["Mid.json"]
    b._filter.value = ""
    assert len(names(b)) == 4


def test_select_value_callbacks_and_interact(config, tree):
    b = browse(f"moto://{tree}/a/", config=config)
    got = []
    b.on_select(got.append)
    assert b.value == f"moto://{tree}/a/"
    b.listing.selected = [f"moto://{tree}/a/x.csv"]  # a click in the front end
    assert b.selected == [f"moto://{tree}/a/x.csv"] and b.value == f"moto://{tree}/a/x.csv"
    b.listing.selected = [f"moto://{tree}/a/x.csv", f"moto://{tree}/a/b/"]  # ctrl-click
    assert b.value == f"moto://{tree}/a/x.csv" and len(b.selected) == 2
    b.selected = []
    assert b.listing.selected == [] and b.value == f"moto://{tree}/a/"
    assert got == [[f"moto://{tree}/a/x.csv"], [f"moto://{tree}/a/x.csv", f"moto://{tree}/a/b/"], []]
    calls = []
    ui = W.interactive(lambda url: calls.append(url), url=b)
    b.selected = [f"moto://{tree}/a/x.csv"]
    assert calls[-1] == f"moto://{tree}/a/x.csv" and ui.kwargs == {"url": f"moto://{tree}/a/x.csv"}


@pytest.mark.slow
def test_previews_text_csv_json_parquet_image_are_size_limited(config, s3, bucket, request_log, monkeypatch):
    import pandas as pd

    big = b"line of text\n" * (400_000)  # 5.2 MB
    s3.put_object(Bucket=bucket, Key="big.log", Body=big)
    s3.put_object(Bucket=bucket, Key="t.csv", Body=b"city,n\nParis,1\n<b>Lyon</b>,2\n")
    s3.put_object(Bucket=bucket, Key="d.json", Body=b'{"k": [1, 2], "html": "<script>x</script>"}')
    buf = io.BytesIO()
    pd.DataFrame({"a": range(100_000), "b": [f"v{i}" for i in range(100_000)]}).to_parquet(buf, row_group_size=10_000)
    s3.put_object(Bucket=bucket, Key="p.parquet", Body=buf.getvalue())
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
    s3.put_object(Bucket=bucket, Key="i.png", Body=png)
    b = browse(f"moto://{bucket}/", config=config)
    request_log.clear()

    def preview(name):
        b.listing.selected = [f"moto://{bucket}/{name}"]
        (w,) = b._preview.children
        return w

    html_ = preview("big.log").value
    assert "line of text" in html_ and "truncated" in html_
    sent = sum(r.bytes_sent for r in request_log.requests("GetObject", bucket))
    assert 0 < sent <= 2 * TEXT_BYTES + 1024 * 1024, sent  # never the whole 5 MB
    assert all("range" in r.headers for r in request_log.requests("GetObject", bucket))
    html_ = preview("t.csv").value
    assert "<table" in html_ and "Paris" in html_ and "&lt;b&gt;Lyon&lt;/b&gt;" in html_ and "<b>Lyon" not in html_
    html_ = preview("d.json").value
    assert "&quot;k&quot;" in html_ and "<script>" not in html_
    request_log.clear()
    html_ = preview("p.parquet").value
    assert "<table" in html_ and "100000 rows" in html_ and "v19" in html_
    sent = sum(r.bytes_sent for r in request_log.requests("GetObject", bucket))
    assert 0 < sent < len(buf.getvalue()) / 4, (sent, len(buf.getvalue()))  # footer + first row group
    monkeypatch.setattr("dumont_nb.widget.preview.PARQUET_BYTES", 1000)
    b.selected = []
    html_ = preview("p.parquet").value
    assert "schema only" in html_ and "int64" in html_
    img = preview("i.png")
    assert isinstance(img.children[1], W.Image) and bytes(img.children[1].value) == png


def test_hostile_key_names_are_escaped_everywhere(config, s3, bucket):
    s3.put_object(Bucket=bucket, Key=f"{HOSTILE}/{HOSTILE}.txt", Body=b"<script>alert(2)</script>")
    b = browse(f"moto://{bucket}/", config=config)
    assert names(b) == [HOSTILE]  # the listing renders rows as text (textContent), not HTML
    b.listing.activated = b.rows[0]["url"]
    assert names(b) == [f"{HOSTILE}.txt"]
    b.listing.selected = [b.rows[0]["url"]]
    b.buttons["delete"].click()
    assert b.wait(60) and "Delete" in b.actions._form_ok.description
    b.buttons["code"].click()
    b.path = f"moto://{bucket}/{HOSTILE}/nothing-here-{HOSTILE}"
    for w in _all_widgets(b):
        for key in ("value", "description", "tooltip"):
            text = getattr(w, key, None)
            if isinstance(w, (W.HTML, W.HTMLMath)) and isinstance(text, str):
                assert "<img" not in text and "<script" not in text, (type(w).__name__, text)
    assert any(isinstance(w, W.HTML) and "&lt;img src=x" in w.value for w in _all_widgets(b))


def _all_widgets(root):
    out, todo = [], [root]
    while todo:
        w = todo.pop()
        out.append(w)
        todo.extend(getattr(w, "children", ()))
    return out


def test_no_secret_in_widget_state(config, tree):
    b = browse(f"moto://{tree}/a/", config=config)
    b.listing.selected = [f"moto://{tree}/a/x.csv"]
    b.buttons["code"].click()
    state = json.dumps(W.Widget.get_manager_state(drop_defaults=False), default=str)
    assert f"moto://{tree}/a/" in state  # the state is really there
    assert TEST_SECRET not in state
    for w in _all_widgets(b):
        assert TEST_SECRET not in json.dumps(w.get_state(), default=str)


def test_a_3000_key_folder_counts_its_total_and_sorts_across_pages(config, s3, bucket, request_log):
    keys = [f"big/part-{i:05d}" for i in range(3000)]  # an exact multiple of the page size
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=b"x"), keys))
    request_log.clear()
    b = browse(f"moto://{bucket}/big/", config=config)
    assert len(b.rows) == 1000 and b.listing.more
    assert b._big.count_job.wait(60) and b.listing.total == 3000 and b.listing.counted == 3000
    assert request_log.count("ListObjectsV2", bucket) == 1 + 3  # the first page, then the count (3 pages)
    b.listing.sort_desc = True  # Name ▼: over the whole folder, not the page loaded
    assert "loading the rest to sort the whole folder" in b.listing.note or not b._big.loading
    assert b._big.load_job.wait(60)
    assert len(b.rows) == 3000 and names(b)[0] == "part-02999" and names(b)[-1] == "part-00000"
    assert b.listing.note == "" and not b.listing.more and b._more.disabled  # stopped on the exact multiple
    assert request_log.count("ListObjectsV2", bucket) == 1 + 3 + 2  # no extra page after the last


def test_a_filter_searches_the_whole_folder_not_the_pages_loaded(config, s3, bucket, request_log):
    keys = [f"f/k{i:05d}" for i in range(1200)]  # two pages
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=b""), keys))
    b = browse(f"moto://{bucket}/f/", config=config)
    assert len(b.rows) == 1000 and b._big.count_job.wait(60)
    b._filter.value = "k011*"  # matches only on the page not loaded yet
    assert "to search the whole folder" in b.listing.note or not b._big.loading
    assert b._big.load_job.wait(60)
    assert names(b) == [f"k0{i}" for i in range(1100, 1200)] and b.listing.note == ""
    assert "loaded and filtered" in b.message
