"""The listing's right-click menu, shortcuts and status line, and "Download to this computer"
(chunks sent one at a time through the comm, each after the front end's ack), driven through
the traitlets and messages the front end uses."""

from __future__ import annotations

import os

import pytest

from dumont_nb.widget import browse
from dumont_nb.widget import menu as menu_mod


@pytest.fixture
def filled(s3, bucket):
    s3.put_object(Bucket=bucket, Key="a/one.txt", Body=b"one")
    s3.put_object(Bucket=bucket, Key="a/sub/two.txt", Body=b"two!")
    return bucket


def _command(b, name):
    b.listing.command = name
    b.listing.command_serial += 1


def test_menu_entries_are_disabled_with_the_buttons_reasons(config, filled):
    b = browse(f"moto://{filled}/a/", config=config)
    assert [m[0] for m in b.listing.menu][:3] == ["open", "save", "code"]
    off = b.listing.disabled_actions
    assert off["delete"] == b.buttons["delete"].tooltip and "select" in off["rename"]
    _command(b, "rename")  # F2 with nothing selected: the reason, no form
    assert "select exactly one" in b.message and b.actions._form.layout.display == "none"
    b.listing.selected = [f"moto://{filled}/a/one.txt"]
    assert "rename" not in b.listing.disabled_actions and "save" not in b.listing.disabled_actions
    assert b.listing.selection_note == "1 selected · 3 B"
    _command(b, "rename")  # F2 on a selection opens the rename form, as the button does
    assert b.actions._form.layout.display is None and b.actions._form_text.value == "one.txt"
    b.listing.selected = [f"moto://{filled}/a/sub/"]
    assert "folder" in b.listing.disabled_actions["save"]


def test_select_all_and_delete_shortcut_confirm_first(config, s3, filled):
    b = browse(f"moto://{filled}/a/", config=config)
    _command(b, "select_all")
    assert sorted(b.selected) == [f"moto://{filled}/a/one.txt", f"moto://{filled}/a/sub/"]
    _command(b, "delete")  # the Delete key: the confirmation with exact counts, nothing deleted yet
    assert b.wait(60) and "2 objects" in b.actions._form_prompt.value
    assert len(s3.list_objects_v2(Bucket=filled)["Contents"]) == 2


def test_download_to_this_computer_streams_bounded_chunks_on_ack(config, s3, filled, monkeypatch):
    monkeypatch.setattr(menu_mod, "CHUNK", 1000)
    payload = os.urandom(2500)
    s3.put_object(Bucket=filled, Key="a/blob.bin", Body=payload)
    b = browse(f"moto://{filled}/a/", config=config)
    sent = []
    monkeypatch.setattr(b.listing, "send", lambda content, buffers=None: sent.append((content, buffers)))
    b.listing.selected = [f"moto://{filled}/a/blob.bin"]
    _command(b, "save")
    (start, _), = sent
    assert start == {"type": "save-start", "id": start["id"], "name": "blob.bin", "size": 2500}
    got = b""
    while sent[-1][0]["type"] != "save-end":
        b.listing._handle_custom_msg({"type": "save-ack", "id": start["id"]}, [])
        content, buffers = sent[-1]
        if content["type"] == "save-chunk":
            assert len(buffers) == 1 and len(buffers[0]) <= 1000  # one bounded chunk per ack
            got += bytes(buffers[0])
    assert got == payload and [c["type"] for c, _ in sent].count("save-chunk") == 3
    assert "sent to your browser" in b.message


def test_download_to_this_computer_refuses_what_is_too_big(config, s3, filled, monkeypatch):
    monkeypatch.setattr(menu_mod, "MAX_SAVE", 2)
    b = browse(f"moto://{filled}/a/", config=config)
    b.listing.selected = [f"moto://{filled}/a/one.txt"]
    _command(b, "save")
    assert "Copy link" in b.message and not b._menu.saver.active


def test_the_preview_pane_folds_away_when_it_has_nothing_to_show(config, filled):
    b = browse(f"moto://{filled}/a/", config=config)
    assert b._preview.layout.display == "none"  # nothing selected: the listing has the width
    b.listing.selected = [f"moto://{filled}/a/one.txt"]
    assert b._preview.layout.display is None and b._preview.children
    b.listing.selected = []
    assert b._preview.layout.display == "none"
