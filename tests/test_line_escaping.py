"""A key placed into an IPython line names exactly that key and runs nothing.

Bug class (reliability review): IPython expands ``{expr}`` and ``$name`` in a magic's line even
inside quotes, so Tab completion and "Copy as code" (magic style) turned the key
``inj/{__import__("os").system("touch PWNED")}.txt`` into code. Both now escape (``{{``, ``}}``,
and ``$''name`` for ``$name``) on top of quoting; run here through the real shell and its real
completer.
"""

from __future__ import annotations

import shlex

import pytest
from _magics import ip, ipython  # noqa: F401  (fixtures)
from hypothesis import example, given, settings
from hypothesis import strategies as st
from IPython.core.completer import provisionalcompleter

from dumont_nb.formatting import magic_word, unescape_line
from dumont_nb.magics.completion import split_words
from dumont_nb.widget.snippets import snippet

HOSTILE = [
    'inj/{__import__("os").system("touch PWNED")}.txt',
    "inj/$HOME and ${x}.txt",
    "inj/it's {a} \"b\" $$.txt",
    "inj/back\\slash {{x}}.txt",
]


@pytest.fixture
def planted(s3, bucket, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # "touch PWNED" would land here
    for key in HOSTILE:
        s3.put_object(Bucket=bucket, Key=key, Body=f"body of {key}".encode())
    return bucket


def _completions(ip, text):
    with provisionalcompleter():
        found = list(ip.Completer.completions(text, len(text)))
    return [text[: c.start] + c.text for c in found]


def _run(ip, code, capsys):
    result = ip.run_cell(code)
    out = capsys.readouterr().out
    return result, out


def test_completed_lines_name_the_key_and_run_nothing(ip, planted, tmp_path, capsys):
    lines = _completions(ip, f"%dumont cat moto://{planted}/inj/")
    assert len(lines) == len(HOSTILE), lines
    for completed in lines:
        result, out = _run(ip, completed, capsys)
        assert result.success, (completed, result.error_in_exec)
        assert out.strip().startswith("body of inj/"), (completed, out)
    outs = sorted(_run(ip, c, capsys)[1].strip() for c in lines)
    assert outs == sorted(f"body of {k}" for k in HOSTILE)
    assert not (tmp_path / "PWNED").exists()


def test_tab_goes_on_inside_an_escaped_word(ip, planted):
    typed = f"%dumont cat 'moto://{planted}/inj/{{{{__imp"  # what Tab put there, as the user sees it
    lines = _completions(ip, typed)
    assert len(lines) == 1 and lines[0].endswith(".txt'") and "{{" in lines[0]


def test_copy_as_code_in_magic_style_runs_nothing(ip, planted, tmp_path, capsys):
    urls = [f"moto://{planted}/{k}" for k in HOSTILE]
    code = snippet(f"moto://{planted}/inj/", urls, style="magic")
    for one in code.splitlines():
        result, out = _run(ip, one, capsys)
        assert result.success, (one, result.error_in_exec)
        assert out.strip().startswith("body of inj/")
    assert not (tmp_path / "PWNED").exists()


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=40))
@example("\n")  # found by this test: "$" in a regex lets a trailing newline through
def test_magic_word_round_trips_through_ipython_and_the_split(text):
    """What IPython's expansion and the magic's shlex split make of the word is the text."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    for quote in ("", "'", '"'):
        word = magic_word(text, quote)
        expanded = shell.var_expand(word)
        assert shlex.split(expanded) == [text], (quote, word, expanded)
        if quote != '"' and "{{" not in text and "}}" not in text:  # doubled braces read back ambiguously
            # what the completer reads back from a word it wrote, for the next Tab
            assert unescape_line(split_words(word)[2]) == text, (quote, word)
