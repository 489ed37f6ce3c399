"""The record of own mutations: bounded in time and in size, newest record of a key wins."""

from __future__ import annotations

from dumont_nb.vfs import journal
from dumont_nb.vfs.journal import Journal


def test_records_under_a_prefix_newest_wins():
    j = Journal()
    j.record("b/d/x", True)
    j.record_many(["b/d/y", "b/e/z"], True)
    j.record("b/d/x", False)
    assert j.under("b/d/") == {"b/d/x": False, "b/d/y": True}
    assert j.under("c/") == {}


def test_expired_records_are_forgotten():
    j = Journal(ttl=-1.0)  # everything is already older than the TTL
    j.record("b/k", True)
    assert j.under("b/") == {}


def test_size_is_capped_oldest_first(monkeypatch):
    monkeypatch.setattr(journal, "MAX_ENTRIES", 3)
    j = Journal()
    j.record_many([f"b/{i}" for i in range(5)], False)
    assert j.under("b/") == {"b/2": False, "b/3": False, "b/4": False}
