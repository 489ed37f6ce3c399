"""The browser's actions against the moto server, checked with boto3: upload, download, new
folder, rename, copy/move between remotes, delete with confirmation, a background copy cancelled
midway, capability-disabled actions, copy as code."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from dumont_nb.vfs import registry
from dumont_nb import api
from dumont_nb.config import parse_config
from dumont_nb.vfs.base import CAPABILITY_WHY
from dumont_nb.widget import browse

MiB = 1024 * 1024
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def keys(s3, bucket, prefix=""):
    resp = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(o["Key"] for o in resp.get("Contents", ()))


def body(s3, bucket, key):
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def run(b, action, text=None):
    """Click an action button, fill the form, confirm, wait for the background job."""
    b.buttons[action].click()
    assert b.wait(120)  # delete counts what it will remove in the background first
    assert b.actions._form.layout.display != "none", b.message
    if text is not None:
        b.actions._form_text.value = text
    b.actions._form_ok.click()
    assert b.wait(120)


@pytest.fixture
def filled(s3, bucket):
    s3.put_object(Bucket=bucket, Key="a/one.txt", Body=b"one")
    s3.put_object(Bucket=bucket, Key="a/sub/two.txt", Body=b"two!")
    s3.put_object(Bucket=bucket, Key="top.txt", Body=b"top")
    return bucket


def test_upload_through_fileupload(config, s3, filled):
    b = browse(f"moto://{filled}/a/", config=config)
    b.actions._upload.value = (
        {"name": "up.csv", "type": "text/csv", "size": 4, "content": memoryview(b"x,y\n"), "last_modified": NOW},
        {"name": "two.bin", "type": "", "size": 3, "content": memoryview(b"\x00\x01\x02"), "last_modified": NOW},
    )
    assert b.wait(60)
    assert body(s3, filled, "a/up.csv") == b"x,y\n" and body(s3, filled, "a/two.bin") == b"\x00\x01\x02"
    assert b.actions._upload.value == ()  # the bytes do not stay in widget state
    assert "uploaded 2 files" in b.message
    assert {"up.csv", "two.bin"} <= {r["name"] for r in b.rows}  # the listing was refreshed


def test_download_folder_and_file(config, s3, filled, tmp_path):
    s3.put_object(Bucket=filled, Key="a/..\\evil.txt", Body=b"evil")  # would land outside
    b = browse(f"moto://{filled}/", config=config)
    b.listing.selected = [f"moto://{filled}/a/", f"moto://{filled}/top.txt"]
    run(b, "download", str(tmp_path))
    assert "skipped 1 unsafe keys" in b.message and "evil.txt" in b.message
    assert not list(tmp_path.parent.rglob("*evil*"))
    assert (tmp_path / "a" / "one.txt").read_bytes() == b"one"
    assert (tmp_path / "a" / "sub" / "two.txt").read_bytes() == b"two!"
    assert (tmp_path / "top.txt").read_bytes() == b"top"
    assert not [p for p in tmp_path.rglob(".dumont-*")]  # no temporary files left
    assert "downloaded 3 files" in b.message


def test_new_folder_and_its_errors(config, s3, filled):
    b = browse(f"moto://{filled}/a/", config=config)
    run(b, "mkdir", "fresh")
    assert "a/fresh/" in keys(s3, filled, "a/")
    assert b.actions._code_text.value.endswith(f"dumont_nb.filesystem('moto').mkdir('{filled}/a/fresh')")
    assert "fresh" in [r["name"] for r in b.rows]
    run(b, "mkdir", "fresh")
    assert "exists" in b.message and "\n" not in b.message
    run(b, "mkdir", "x/y")
    assert "contain no '/'" in b.message
    b.path = "moto://"
    assert b.buttons["mkdir"].disabled and "bucket first" in b.buttons["mkdir"].tooltip


def test_rename_file_and_folder(config, s3, filled):
    b = browse(f"moto://{filled}/a/", config=config)
    assert b.buttons["rename"].disabled  # nothing selected
    b.listing.selected = [f"moto://{filled}/a/one.txt"]
    assert CAPABILITY_WHY["atomic_rename"] in b.buttons["rename"].tooltip
    run(b, "rename", "uno.txt")
    assert keys(s3, filled, "a/") == ["a/sub/two.txt", "a/uno.txt"]
    assert b.actions._code_text.value.endswith(f"dumont_nb.filesystem('moto').rename('{filled}/a/one.txt', '{filled}/a/uno.txt')")
    b.listing.selected = [f"moto://{filled}/a/sub/"]
    run(b, "rename", "renamed")
    assert keys(s3, filled, "a/") == ["a/renamed/two.txt", "a/uno.txt"]
    assert "renamed" in [r["name"] for r in b.rows]


def test_delete_asks_first_and_states_objects_and_bytes(config, s3, filled):
    b = browse(f"moto://{filled}/", config=config)
    b.listing.selected = [f"moto://{filled}/a/", f"moto://{filled}/top.txt"]
    b.buttons["delete"].click()
    assert b.wait(60)
    assert b.delete_summary.startswith("3 objects (10 B) in ")
    assert "3 objects (10 B)" in b.actions._form_prompt.value and "cannot be undone" in b.actions._form_prompt.value
    assert len(keys(s3, filled)) == 3  # nothing deleted before the confirmation
    b.actions._form_cancel.click()
    assert len(keys(s3, filled)) == 3 and b.actions._form.layout.display == "none"
    run(b, "delete")
    assert keys(s3, filled) == [] and "deleted 3 objects" in b.message
    assert b.selected == [] and b.buttons["delete"].disabled  # the deleted entries are no longer selected
    assert b.actions._code_text.value.splitlines()[-2:] == [
        f"dumont_nb.filesystem('moto').remove_all('{filled}/a/')",  # the folder only, never an object 'a'

        f"dumont_nb.filesystem('moto').remove('{filled}/top.txt')",
    ]
    assert b.rows == []


def test_copy_and_move_between_remotes(s3_server, s3, filled, monkeypatch):
    cfg = parse_config({"remotes": {"moto": s3_server.remote_settings(), "other": s3_server.remote_settings()}})
    s3.create_bucket(Bucket=f"{filled}-dst")
    b = browse(f"moto://{filled}/", config=cfg)
    b.listing.selected = [f"moto://{filled}/a/"]
    run(b, "copy", f"other://{filled}-dst/in/")
    assert keys(s3, f"{filled}-dst") == ["in/a/one.txt", "in/a/sub/two.txt"]
    assert body(s3, f"{filled}-dst", "in/a/sub/two.txt") == b"two!"
    # every action becomes code, and the code does the same thing
    code = b.actions._code_text.value
    assert f"dumont_nb.copy('moto://{filled}/a/', 'other://{filled}-dst/in/a/', recursive=True)" in code
    s3.delete_objects(Bucket=f"{filled}-dst", Delete={"Objects": [{"Key": k} for k in keys(s3, f"{filled}-dst")]})
    monkeypatch.setattr(registry, "_active", registry._active)  # restored after the test
    api.use_config(cfg)
    exec(compile(code, "<action code>", "exec"), {})
    assert keys(s3, f"{filled}-dst") == ["in/a/one.txt", "in/a/sub/two.txt"]
    b.listing.selected = [f"moto://{filled}/top.txt"]
    run(b, "move", f"other://{filled}-dst/")
    assert body(s3, f"{filled}-dst", "top.txt") == b"top" and "top.txt" not in keys(s3, filled)
    b.listing.selected = [f"moto://{filled}/a/one.txt"]
    run(b, "move", f"moto://{filled}/a/sub")  # within one remote: server-side copy + delete
    assert keys(s3, filled) == ["a/sub/one.txt", "a/sub/two.txt"]
    assert b.actions._code_text.value.splitlines()[-1] == f"dumont_nb.move('moto://{filled}/a/one.txt', 'moto://{filled}/a/sub/')"


@pytest.mark.slow
def test_background_copy_cancelled_midway_leaves_no_partial_object(s3_server, s3, bucket, request_log):
    cfg = parse_config({"remotes": {"moto": s3_server.remote_settings(), "other": s3_server.remote_settings()}})
    payload = bytes(range(256)) * (20 * MiB // 256)
    s3.put_object(Bucket=bucket, Key="big.bin", Body=payload)
    s3.put_object(Bucket=bucket, Key="small.txt", Body=b"s")
    b = browse(f"moto://{bucket}/", config=cfg)
    b.listing.selected = [f"moto://{bucket}/big.bin"]
    fractions = []

    def cancel_late(change):  # Cancel once 3/4 went through: past the 8 MiB single-PUT limit
        fractions.append(change["new"])
        if change["new"] >= 0.75:
            b.buttons["delete"].click()  # a second job while one runs: refused, inline
            assert "busy with copy" in b.message
            b.actions._job_cancel.click()

    b.actions._job_progress.observe(cancel_late, "value")
    request_log.clear()
    run(b, "copy", f"other://{bucket}/copy/")  # between remotes: streamed through the kernel
    assert 0.75 <= max(fractions) < 1.0
    assert "cancelled" in b.message and b.job.cancelled
    assert request_log.count("UploadPart", bucket) >= 1  # a multipart upload was under way
    assert keys(s3, bucket) == ["big.bin", "small.txt"]  # no copy/big.bin, not even a partial one
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert request_log.count("PutObject", bucket) == 0 and request_log.count("CompleteMultipartUpload", bucket) == 0
    assert b.actions._job_bar.layout.display == "none"
    # the widget stays usable: the same copy, not cancelled, completes
    b.actions._job_progress.unobserve(cancel_late, "value")
    run(b, "copy", f"other://{bucket}/copy/")
    assert body(s3, bucket, "copy/big.bin") == payload


def test_a_failed_background_job_reports_one_line(config, s3, filled):
    b = browse(f"moto://{filled}/", config=config)
    b.listing.selected = [f"moto://{filled}/top.txt"]
    run(b, "copy", "moto://no-such-bucket-xyz/")
    assert "no-such-bucket-xyz" in b.message and "\n" not in b.message and "Traceback" not in b.message
    assert "⚠" in b._status.value
    run(b, "copy", f"moto://{filled}/")
    assert "same object" in b.message
    b.listing.selected = [f"moto://{filled}/top.txt"]
    run(b, "copy", f"moto://{filled}/again/")
    assert body(s3, filled, "again/top.txt") == b"top"


def test_capability_disabled_actions_say_why(config, emulate_config, s3, filled):
    b = browse(f"moto://{filled}/a/", config=config)
    b.listing.selected = [f"moto://{filled}/a/one.txt"]
    append = b.buttons["append"]
    assert append.disabled and CAPABILITY_WHY["append"] in append.tooltip and "not available" in append.tooltip
    assert "atomic" in b.buttons["rename"].tooltip and CAPABILITY_WHY["atomic_rename"] in b.buttons["rename"].tooltip
    assert CAPABILITY_WHY["directories"] in b.buttons["mkdir"].tooltip
    assert b.listing.unsortable == []  # S3 has mtime
    b._caps.click()  # the capability table, with the why of each row
    table = b._preview.children[0].value
    assert "atomic_rename" in table and CAPABILITY_WHY["atomic_rename"] in table and "<b>no</b>" in table
    e = browse(f"moto://{filled}/a/", config=emulate_config)
    e.listing.selected = [f"moto://{filled}/a/one.txt"]
    assert not e.buttons["append"].disabled and e.buttons["append"].tooltip == "Append…"
    e.buttons["append"].click()
    e.actions._form_text.value = "more"
    e.actions._form_ok.click()
    assert body(s3, filled, "a/one.txt") == b"onemore\n", e.message


def test_copy_as_code(config, filled):
    b = browse(f"moto://{filled}/a/", config=config)
    b.buttons["code"].click()
    code = b.actions._code_text.value
    assert code.startswith("import dumont_nb\n") and "dumont_nb.load_config()" in code
    assert code.endswith(f"df = dumont_nb.listing('moto://{filled}/a/')")
    assert b.listing.clipboard == b.actions._code_text.value and b.listing.clipboard_serial == 1
    b.listing.selected = [f"moto://{filled}/a/one.txt"]
    b.actions._code_style.value = "magic"
    assert b.actions._code_text.value == f"%dumont cat moto://{filled}/a/one.txt" and b.listing.clipboard_serial == 2
    b.actions._code_style.value = "python"
    assert f"with dumont_nb.open('moto://{filled}/a/one.txt', 'rb') as f:" in b.actions._code_text.value
    compile(b.actions._code_text.value, "<snippet>", "exec")
    b.listing.selected = [f"moto://{filled}/a/one.csv"]
    b.actions._code_engine.value = "polars"  # the engine chooser redraws the code
    assert "dumont_nb.storage_options('moto', engine='polars')" in b.actions._code_text.value


def test_singular_counts_and_quiet_disabled_buttons(config, s3, filled):
    b = browse(f"moto://{filled}/a/sub/", config=config)
    assert "1 entry" in b.message and "entries" not in b.message  # one row: "1 entry", not "1 entries"
    assert b.buttons["delete"].disabled and b.buttons["delete"].button_style == ""  # not red while it cannot act
    assert b.actions._upload.tooltip == f"Upload files into moto://{filled}/a/sub/"
    b.listing.selected = [f"moto://{filled}/a/sub/two.txt"]
    assert not b.buttons["delete"].disabled and b.buttons["delete"].button_style == "danger"
    top = browse("moto://", config=config)
    assert top.actions._upload.disabled and top.actions._upload.tooltip == "Upload: open a bucket first"
