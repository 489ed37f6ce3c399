"""The folder ``a/`` and the object ``a`` side by side: every surface acts on the one it was given.

Bug class (reliability review): a surface stripped the trailing ``/`` and so deleted, renamed or
counted the object ``a`` together with (or instead of) the folder ``a/``. Each test sets up both
and checks, with boto3, that exactly the intended keys went.
"""

from __future__ import annotations

import fsspec
import pytest
from _magics import activate, ip, ipython, line  # noqa: F401  (fixtures)
from test_widget_actions import keys, run

from dumont_nb.vfs import registry
from dumont_nb import api
from dumont_nb.config import parse_config
from dumont_nb.protocols import register_remotes
from dumont_nb.widget import browse


@pytest.fixture
def twins(s3, bucket):
    """The object ``a`` (1 byte), the folder ``a/`` with ``a/x`` (2 bytes) and an empty sub-folder."""
    s3.put_object(Bucket=bucket, Key="a", Body=b"1")
    s3.put_object(Bucket=bucket, Key="a/x", Body=b"22")
    s3.put_object(Bucket=bucket, Key="a/empty/", Body=b"")
    return bucket


def test_widget_delete_of_the_folder_counts_and_deletes_only_the_folder(config, s3, twins):
    b = browse(f"moto://{twins}/", config=config)
    assert {(r["name"], r["type"]) for r in b.rows} >= {("a", "dir"), ("a", "file")}
    b.listing.selected = [f"moto://{twins}/a/"]
    run(b, "delete")
    assert b.delete_summary.startswith("1 object (2 B) in ")
    assert keys(s3, twins) == ["a"]  # the object of the same name stays
    assert "deleted 1 object" in b.message and "deleted 1 objects" not in b.message


def test_widget_delete_of_the_object_keeps_the_folder(config, s3, twins):
    b = browse(f"moto://{twins}/", config=config)
    b.listing.selected = [f"moto://{twins}/a"]
    run(b, "delete")
    assert b.delete_summary.startswith("1 object (1 B) in ")
    assert keys(s3, twins) == ["a/empty/", "a/x"]


def test_widget_delete_removes_what_was_counted_not_what_came_later(config, s3, twins):
    b = browse(f"moto://{twins}/", config=config)
    b.listing.selected = [f"moto://{twins}/a/"]
    b.buttons["delete"].click()
    assert b.wait(60) and "1 object (2 B)" in b.actions._form_prompt.value
    s3.put_object(Bucket=twins, Key="a/late", Body=b"late")  # written after the confirmation was shown
    b.actions._form_ok.click()
    assert b.wait(60)
    assert keys(s3, twins) == ["a", "a/late"]


def test_widget_rename_of_the_folder_renames_the_folder(config, s3, twins):
    b = browse(f"moto://{twins}/", config=config)
    b.listing.selected = [f"moto://{twins}/a/"]
    run(b, "rename", "b")
    assert keys(s3, twins) == ["a", "b/empty/", "b/x"]
    assert f"rename('{twins}/a/', '{twins}/b/')" in b.actions._code_text.value
    b.listing.selected = [f"moto://{twins}/a"]
    run(b, "rename", "c")
    assert keys(s3, twins) == ["b/empty/", "b/x", "c"]


def test_widget_delete_code_names_the_folder(config, s3, twins):
    b = browse(f"moto://{twins}/", config=config)
    b.listing.selected = [f"moto://{twins}/a/"]
    run(b, "delete")
    code = b.actions._code_text.value
    assert f"remove_all('{twins}/a/')" in code
    s3.put_object(Bucket=twins, Key="a/x", Body=b"22")
    api.use_config(config)
    exec(compile(code, "<copied code>", "exec"), {})  # the copied code does the same thing again
    assert keys(s3, twins) == ["a"]


def test_fsspec_rm_recursive_of_the_folder_keeps_the_object(config, s3, twins):
    register_remotes(config)
    ffs = fsspec.filesystem("moto")
    ffs.rm(f"{twins}/a/", recursive=True)
    assert keys(s3, twins) == ["a"]


def test_fsspec_mv_of_the_folder_moves_the_folder(config, s3, twins):
    register_remotes(config)
    ffs = fsspec.filesystem("moto")
    ffs.mv(f"moto://{twins}/a/", f"moto://{twins}/moved/")
    assert keys(s3, twins) == ["a", "moved/empty/", "moved/x"]
    assert ffs.info(f"{twins}/moved/")["type"] == "directory"


def test_fsspec_info_of_the_folder_is_the_folder(config, twins):
    register_remotes(config)
    ffs = fsspec.filesystem("moto")
    assert ffs.info(f"{twins}/a")["type"] == "file"
    assert ffs.info(f"{twins}/a/")["type"] == "directory"


def test_magics_rm_and_mv_keep_the_distinction(ip, s3, twins):
    line(ip, f"rm -r -y moto://{twins}/a/")
    assert keys(s3, twins) == ["a"]
    s3.put_object(Bucket=twins, Key="a/x", Body=b"22")
    line(ip, f"mv moto://{twins}/a/ moto://{twins}/z")
    assert keys(s3, twins) == ["a", "z/x"]
    line(ip, f"mv moto://{twins}/a moto://{twins}/z/")  # the object, into the folder
    assert keys(s3, twins) == ["z/a", "z/x"]


def test_magics_rm_confirmation_counts_the_folder_only(ip, s3, twins):
    from dumont_nb.magics import commands

    plan = commands.plan_rm(f"moto://{twins}/a/")
    assert (plan.count, plan.size) == (1, 2)
    plan = commands.plan_rm(f"moto://{twins}/a")  # no "/": the object and the folder, as rm -r does
    assert (plan.count, plan.size) == (2, 3)


def test_copy_of_the_folder_keeps_empty_folders_and_skips_the_object(config, s3, twins, tmp_path):
    import dumont_nb

    api.use_config(config)
    summary = dumont_nb.copy(f"moto://{twins}/a/", tmp_path / "out", recursive=True, progress=False)
    assert (tmp_path / "out" / "x").read_bytes() == b"22"
    assert (tmp_path / "out" / "empty").is_dir()
    assert (summary.files, summary.folders) == (1, 1)


def test_move_between_remotes_keeps_the_object_and_empty_folders(s3_server, s3, twins):
    import dumont_nb

    cfg = parse_config({"remotes": {"moto": s3_server.remote_settings(), "other": s3_server.remote_settings()}})
    s3.create_bucket(Bucket=f"{twins}-dst")
    activate(cfg)
    try:
        dumont_nb.move(f"moto://{twins}/a/", f"other://{twins}-dst/", config=cfg, progress=False)  # into it
    finally:
        registry._active = None
    assert keys(s3, f"{twins}-dst") == ["a/empty/", "a/x"]
    assert keys(s3, twins) == ["a"]
