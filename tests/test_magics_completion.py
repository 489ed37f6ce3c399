"""Tab completion of ``%dumont`` lines through the shell's real completer."""

from __future__ import annotations

import threading

import pytest
from IPython.core.completer import provisionalcompleter
from _magics import activate, ip, ipython  # noqa: F401  (fixtures)

from dumont_nb.magics import completion


def _complete(ip, text: str) -> list[str]:
    """What Tab offers at the end of ``text`` (the completions() API of Jupyter and the terminal),
    each as the word it puts in place of the one being typed."""
    with provisionalcompleter():
        found = list(ip.Completer.completions(text, len(text)))
    words = []
    for c in found:
        start = text.rfind(" ", 0, c.start + 1) + 1  # the whole word the completion replaces
        assert c.end == len(text)
        words.append(text[start : c.start] + c.text)
    return words


def _legacy_complete(ip, text: str) -> list[str]:
    """The same through the older complete() API (still used by some front ends)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        return ip.Completer.complete(line_buffer=text, cursor_pos=len(text))[1]


@pytest.fixture(autouse=True)
def _patient(monkeypatch):
    """Results, not speed, are under test here (a loaded CI machine may take seconds to build a
    client); the hang test sets its own short timeout."""
    monkeypatch.setattr(completion, "TIMEOUT", 60.0)


@pytest.fixture
def keys(s3, bucket):
    for key in ("data/2024/a.csv", "data/2025/b.csv", "data/readme.txt", "docs/x.md", "top.txt"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"1")
    return bucket


def test_sub_commands(ip):
    assert _complete(ip, "%dumont c") == ["caps", "cat", "config", "cp"]
    assert "ls" in _complete(ip, "%dumont ")


def test_options_of_a_sub_command(ip):
    assert _complete(ip, "%dumont ls -") == ["--help", "--long", "--recursive", "-h", "-l", "-r"]
    assert _complete(ip, "%dumont rm --y") == ["--yes"]


def test_remote_names_cost_no_request(ip, s3_server, request_log):
    activate({"remotes": {"moto": s3_server.remote_settings(), "mota": s3_server.remote_settings()}})
    assert _complete(ip, "%dumont ls mo") == ["mota://", "moto://"]
    assert _complete(ip, "%dumont caps mot") == ["mota", "moto"]
    assert request_log.count() == 0


def test_buckets(ip, keys, request_log):
    got = _complete(ip, f"%dumont ls moto://{keys[:5]}")
    assert f"moto://{keys}/" in got
    assert request_log.count() == 1 and request_log.count("ListBuckets") == 1


def test_configured_buckets_cost_no_request(ip, s3_server, request_log):
    activate({"remotes": {"moto": s3_server.remote_settings(buckets=["alpha", "beta", "alps"])}})
    assert _complete(ip, "%dumont ls moto://al") == ["moto://alpha/", "moto://alps/"]
    assert request_log.count() == 0


def test_keys_one_bounded_request_per_completion(ip, keys, request_log):
    assert _complete(ip, f"%dumont ls moto://{keys}/d") == [f"moto://{keys}/data/", f"moto://{keys}/docs/"]
    assert _complete(ip, f"%dumont cat moto://{keys}/data/") == [
        f"moto://{keys}/data/2024/", f"moto://{keys}/data/2025/", f"moto://{keys}/data/readme.txt"
    ]
    assert _complete(ip, f"%dumont cat moto://{keys}/data/r") == [f"moto://{keys}/data/readme.txt"]
    lists = request_log.requests("ListObjectsV2")
    assert len(lists) == 3 and request_log.count() == 3
    assert all(r.params.get("max-keys") == [str(completion.MAX_KEYS)] for r in lists)


def test_keys_in_a_big_directory_ask_for_the_typed_prefix(ip, s3, bucket, request_log):
    for i in range(150):
        s3.put_object(Bucket=bucket, Key=f"big/f{i:03d}.txt", Body=b"")
    s3.put_object(Bucket=bucket, Key="big/zeta/", Body=b"")  # a marker: completes as a directory
    request_log.clear()
    assert _complete(ip, f"%dumont cat moto://{bucket}/big/f14") == [
        f"moto://{bucket}/big/f{i}.txt" for i in range(140, 150)
    ]
    assert _complete(ip, f"%dumont ls moto://{bucket}/big/z") == [f"moto://{bucket}/big/zeta/"]
    (first, second) = request_log.requests("ListObjectsV2")
    assert first.params["prefix"] == ["big/f14"] and first.params["max-keys"] == ["100"]
    assert second.params["prefix"] == ["big/z"] and request_log.count() == 2


def test_legacy_complete_api_and_assignment(ip, keys):
    assert _legacy_complete(ip, f"%dumont ls moto://{keys}/da") == [f"moto://{keys}/data/"]
    assert _complete(ip, f"df = %dumont ls moto://{keys}/da") == [f"moto://{keys}/data/"]


def test_second_argument_and_cell_magic(ip, keys):
    assert _complete(ip, f"%dumont cp moto://{keys}/top.txt moto://{keys}/t") == [f"moto://{keys}/top.txt"]
    assert _complete(ip, f"%%dumont put moto://{keys}/to") == [f"moto://{keys}/top.txt"]


def test_other_lines_are_left_alone(ip, request_log):
    assert "dumont_nb" not in " ".join(_complete(ip, "import os; os.pa"))
    assert request_log.count() == 0


def test_nothing_found_leaves_the_url_alone(ip, keys, request_log):
    """No match (unknown remote, missing bucket, no such key): Tab offers only the typed word,
    never Python names glued to a URL."""
    for word in ("nope://b", "moto://no-such-bucket-zz/x", f"moto://{keys}/zzz"):
        assert _complete(ip, f"%dumont ls {word}") == [word]


def test_a_hanging_store_does_not_block_completion(ip, keys, s3_server, monkeypatch):
    assert _complete(ip, f"%dumont ls moto://{keys}/d")  # the client exists: the next request goes out at once
    arrived, release = threading.Event(), threading.Event()
    hung = []

    def hang(req):
        if req.op == "ListObjectsV2":
            hung.append(req)
            arrived.set()
            release.wait(60)
        return None

    monkeypatch.setattr(completion, "TIMEOUT", 0.2)
    s3_server.faults.append(hang)
    try:
        got = _complete(ip, f"%dumont ls moto://{keys}/d")
        assert arrived.wait(60)  # the store really was holding the request
        assert not release.is_set() and got == [f"moto://{keys}/d"]  # completion returned meanwhile
        assert _complete(ip, f"%dumont ls moto://{keys}/da") == [f"moto://{keys}/da"]  # Tab again:
        assert len(hung) == 1  # no second request while the first one waits
    finally:
        release.set()
        s3_server.faults.remove(hang)
        assert completion._IN_FLIGHT.acquire(timeout=60)  # the released request finishes in this test
        completion._IN_FLIGHT.release()


def test_backend_without_an_s3_client_uses_the_first_page(ip, keys, request_log, monkeypatch):
    from dumont_nb.vfs.base import FileSystem
    from dumont_nb.vfs.s3 import S3Backend

    monkeypatch.setattr(S3Backend, "list_prefix", FileSystem.list_prefix)  # the contract's default
    assert _complete(ip, f"%dumont ls moto://{keys}/data/2") == [f"moto://{keys}/data/2024/", f"moto://{keys}/data/2025/"]
    (req,) = request_log.requests("ListObjectsV2")
    assert req.params["prefix"] == ["data/"] and req.params["max-keys"] == ["100"]


def test_keys_with_spaces_are_quoted(ip, s3, bucket):
    s3.put_object(Bucket=bucket, Key="my dir/a b.txt", Body=b"1")
    s3.put_object(Bucket=bucket, Key="my dir/it's.txt", Body=b"1")
    assert _complete(ip, f"%dumont ls moto://{bucket}/my") == [f"'moto://{bucket}/my dir/"]
    assert _complete(ip, f"%dumont cat 'moto://{bucket}/my dir/a") == [f"'moto://{bucket}/my dir/a b.txt'"]
    assert _complete(ip, f"%dumont cat \"moto://{bucket}/my dir/i") == [f"\"moto://{bucket}/my dir/it's.txt\""]
    # what Tab produced is what the magic reads
    ip.run_line_magic("dumont", f"cat 'moto://{bucket}/my dir/a b.txt'")


def test_split_words():
    assert completion.split_words("cat 'moto://b/my d") == (["cat"], "'moto://b/my d", "moto://b/my d", "'")
    assert completion.split_words("cp a 'b c' ") == (["cp", "a", "b c"], "", "", "")
