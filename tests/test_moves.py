"""Moves that lose nothing: overlapping renames refused, a move deletes exactly what it copied.

Bug classes (reliability review): ``rename("b/d/s", "b/d")`` copied ``d/s/s/f`` over the source
``d/s/f`` and then deleted both; ``mv`` re-listed the source to delete it and so deleted a key
written meanwhile that it never copied, and dropped empty folders.
"""

from __future__ import annotations

import errno

import pytest
from _magics import activate, ip, ipython, line  # noqa: F401  (fixtures)
from IPython.core.error import UsageError
from test_widget_actions import keys

import dumont_nb
from dumont_nb import api, transfers
from dumont_nb.config import parse_config
from dumont_nb.errors import StoreError
from dumont_nb.magics import commands
from dumont_nb.widget import browse


@pytest.fixture
def nested(s3, bucket):
    for k in ("d/s/f", "d/s/s/f", "d/other"):
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
    return bucket


@pytest.mark.parametrize("src, dst", [("d/s", "d"), ("d/s/", "d/"), ("d/s", "d/s/s"), ("d", "d/s/x"), ("d/s", "d/s")])
def test_vfs_rename_refuses_every_overlap(fs, s3, nested, src, dst):
    before = {k: s3.get_object(Bucket=nested, Key=k)["Body"].read() for k in keys(s3, nested)}
    if src.rstrip("/") == dst.rstrip("/"):
        fs.rename(f"{nested}/{src}", f"{nested}/{dst}")  # onto itself: nothing to do
    else:
        with pytest.raises(StoreError) as info:
            fs.rename(f"{nested}/{src}", f"{nested}/{dst}")
        assert info.value.errno == errno.EINVAL
        assert "parent of the source" in str(info.value) or "into itself" in str(info.value)
    after = {k: s3.get_object(Bucket=nested, Key=k)["Body"].read() for k in keys(s3, nested)}
    assert after == before


def test_vfs_rename_to_a_sibling_with_a_common_prefix_is_fine(fs, s3, nested):
    fs.rename(f"{nested}/d/s", f"{nested}/d/s2")  # "d/s2" does not overlap "d/s" (segments differ)
    assert keys(s3, nested) == ["d/other", "d/s2/f", "d/s2/s/f"]


def test_magic_mv_onto_an_ancestor_is_one_clear_line(ip, s3, nested):
    with pytest.raises(UsageError, match="parent of the source"):
        line(ip, f"mv moto://{nested}/d/s moto://{nested}/d")
    assert keys(s3, nested) == ["d/other", "d/s/f", "d/s/s/f"]


def test_widget_move_that_would_overwrite_a_source_is_refused(config, s3, nested):
    b = browse(f"moto://{nested}/d/", config=config)
    b.listing.selected = [f"moto://{nested}/d/s/"]
    b.buttons["move"].click()
    b.actions._form_text.value = f"moto://{nested}/d/"  # d/s/* onto itself
    b.actions._form_ok.click()
    assert b.wait(60)
    assert "same object" in b.message or "overwrite" in b.message
    assert keys(s3, nested) == ["d/other", "d/s/f", "d/s/s/f"]


def _late_writer(monkeypatch, s3, bucket, fn_name):
    """Wrap a transfer step so that the first call writes ``d/late`` to the source, as another
    client would while the move runs."""
    real = getattr(transfers, fn_name)
    state = {"done": False}

    def wrapped(*args, **kwargs):
        if not state["done"]:
            state["done"] = True
            s3.put_object(Bucket=bucket, Key="d/late", Body=b"late")
        return real(*args, **kwargs)

    monkeypatch.setattr(transfers, fn_name, wrapped)


def test_mv_remote_to_local_deletes_only_what_it_copied(config, s3, bucket, tmp_path, monkeypatch):
    for k in ("d/a", "d/sub/b"):
        s3.put_object(Bucket=bucket, Key=k, Body=b"x")
    s3.put_object(Bucket=bucket, Key="d/empty/", Body=b"")
    _late_writer(monkeypatch, s3, bucket, "copy_object")
    commands.mv(f"moto://{bucket}/d", str(tmp_path / "out"), config=config)
    assert keys(s3, bucket) == ["d/late"]  # written after the copy started: not copied, not deleted
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*")) == [
        "a", "empty", "sub", "sub/b"]
    assert (tmp_path / "out" / "empty").is_dir()


def test_mv_local_to_remote_keeps_empty_folders_and_late_files(config, s3, bucket, tmp_path, monkeypatch):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "empty").mkdir()
    (src / "a").write_bytes(b"a")
    (src / "sub" / "b").write_bytes(b"b")
    real_copy = transfers.copy_object
    seen = []

    def upload_then_write(*args, **kwargs):
        if not seen:
            seen.append(1)
            (src / "sub" / "late").write_bytes(b"late")  # appears after the plan was made
        return real_copy(*args, **kwargs)

    monkeypatch.setattr(transfers, "copy_object", upload_then_write)
    commands.mv(str(src), f"moto://{bucket}/d", config=config)
    assert keys(s3, bucket) == ["d/a", "d/empty/", "d/sub/b"]
    assert sorted(p.relative_to(src).as_posix() for p in src.rglob("*")) == ["sub", "sub/late"]


def test_mv_across_remotes_deletes_only_what_it_copied(s3_server, s3, bucket, monkeypatch):
    cfg = parse_config({"remotes": {"moto": s3_server.remote_settings(), "other": s3_server.remote_settings()}})
    s3.create_bucket(Bucket=f"{bucket}-dst")
    for k in ("d/a", "d/sub/b"):
        s3.put_object(Bucket=bucket, Key=k, Body=b"x")
    s3.put_object(Bucket=bucket, Key="d/empty/", Body=b"")
    _late_writer(monkeypatch, s3, bucket, "copy_object")
    commands.mv(f"moto://{bucket}/d", f"other://{bucket}-dst/d", config=cfg)
    assert keys(s3, bucket) == ["d/late"]
    assert keys(s3, f"{bucket}-dst") == ["d/a", "d/empty/", "d/sub/b"]


def test_move_keeps_the_source_when_anything_was_skipped(config, s3, bucket, tmp_path):
    s3.put_object(Bucket=bucket, Key="d/ok", Body=b"x")
    s3.put_object(Bucket=bucket, Key="d/../escape", Body=b"x")  # unsafe as a local name
    api.use_config(config)
    with pytest.raises(StoreError, match="source was kept"):
        dumont_nb.move(f"moto://{bucket}/d", tmp_path / "out", config=config, progress=False)
    assert keys(s3, bucket) == ["d/../escape", "d/ok"]


def test_move_between_remotes_through_the_magic(s3_server, ip, s3, bucket):
    cfg = activate({"remotes": {"moto": s3_server.remote_settings(), "other": s3_server.remote_settings()}})
    s3.create_bucket(Bucket=f"{bucket}-dst")
    s3.put_object(Bucket=bucket, Key="d/empty/", Body=b"")
    s3.put_object(Bucket=bucket, Key="d/a", Body=b"x")
    line(ip, f"mv moto://{bucket}/d/ other://{bucket}-dst/")
    assert keys(s3, f"{bucket}-dst") == ["d/a", "d/empty/"]
    assert keys(s3, bucket) == []
    assert cfg.remote("other")
