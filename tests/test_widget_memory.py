"""The browser on an injected file system: ``browse(fs=MemoryFileSystem(...))``, no server.

These exercise the widget's own logic (navigation, selection, actions, confirmations, code)
through its traitlets and button clicks; the S3 side of the same actions is in
``test_widget_actions.py`` against moto.
"""

from __future__ import annotations

import pytest

from test_widget_actions import run  # noqa: E402  (click, fill the form, confirm, wait)

from dumont_nb.testing import MemoryFileSystem
from dumont_nb.widget import browse


@pytest.fixture
def mem():
    fs = MemoryFileSystem(buckets=["data", "other"], name="mem")
    for key, body in {"a": b"1", "a/x": b"22", "a/sub/y": b"333", "top.csv": b"n\n1\n"}.items():
        fs.raw_put("data", key, body)
    fs.raw_put("data", "a/empty/", b"")
    return fs


def test_browse_an_injected_file_system(mem):
    b = browse(fs=mem)
    assert b.path == "mem://" and {r["name"] for r in b.rows} == {"data", "other"}
    b.open_entry("mem://data/")
    assert {(r["name"], r["type"]) for r in b.rows} == {("a", "dir"), ("a", "file"), ("top.csv", "file")}
    b.listing.selected = ["mem://data/top.csv"]
    assert b.value == "mem://data/top.csv"


def test_delete_folder_on_memory_counts_exactly_and_keeps_the_object(mem):
    b = browse("mem://data/", fs=mem)
    b.listing.selected = ["mem://data/a/"]
    run(b, "delete")
    assert b.delete_summary.startswith("2 objects (5 B)")
    assert mem.raw_keys("data") == ["a", "top.csv"]
    assert "deleted 2 objects" in b.message


def test_rename_copy_and_new_folder_on_memory(mem):
    b = browse("mem://data/", fs=mem)
    b.listing.selected = ["mem://data/a/"]
    run(b, "rename", "b")
    assert mem.raw_keys("data") == ["a", "b/empty/", "b/sub/y", "b/x", "top.csv"]
    b.listing.selected = ["mem://data/top.csv"]
    run(b, "copy", "mem://other/in/")
    assert mem.raw_get("other", "in/top.csv") == b"n\n1\n"
    run(b, "mkdir", "fresh")
    assert "fresh/" in mem.raw_keys("data")


def test_capabilities_come_from_the_file_system(mem):
    b = browse("mem://data/", fs=mem)
    b.listing.selected = ["mem://data/top.csv"]
    assert b.buttons["append"].disabled and "append mode" in b.buttons["append"].tooltip
    e = browse("mem://data/", fs=MemoryFileSystem(buckets=["data"], name="mem", emulate=True))
    e.fs("mem").raw_put("data", "log", b"one\n")
    e.refresh()
    e.listing.selected = ["mem://data/log"]
    assert not e.buttons["append"].disabled
    run(e, "append", "two")
    assert e.fs("mem").raw_get("data", "log") == b"one\ntwo\n"


def test_count_and_size_of_a_folder(mem):
    for i in range(2500):
        mem.raw_put("data", f"many/{i:05d}", b"ab")
    b = browse("mem://data/", fs=mem)
    b.listing.selected = ["mem://data/many/"]
    assert not b.buttons["count"].disabled
    b.buttons["count"].click()
    assert b.wait(60)
    assert b.message == "mem://data/many/: 2,500 objects, 4.9 KiB"
    b.listing.selected = ["mem://data/top.csv"]
    assert b.buttons["count"].disabled and "select a folder" in b.buttons["count"].tooltip
