"""Tab completion for ``%dumont``: sub-commands, options, remotes, buckets and keys.

Registered as an IPython matcher (API v2, ``IPCompleter.custom_matchers``). Completing a key
costs one listing request of at most :data:`MAX_KEYS` entries, run in a helper thread that the
completer waits for at most :data:`TIMEOUT` seconds, so a slow store never hangs the kernel: it
just gives no completions. Remote names and configured ``buckets`` cost no request.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Callable

from IPython.core.completer import CompletionContext, SimpleCompletion, context_matcher

from ..formatting import magic_word, unescape_line
from .parser import CommandParser, subparser
from .table import COMMANDS

__all__ = ["make_matcher", "complete", "register", "unregister", "MAX_KEYS", "TIMEOUT"]

#: entries asked for per completion request (ListObjectsV2 MaxKeys)
MAX_KEYS = 100
#: seconds the completer waits for a listing before giving up
TIMEOUT = 2.0
MATCHER_ID = "dumont_nb.magics.completion"

_LINE = re.compile(r"(?:^|[=;]\s*)%{1,2}dumont\s+(?P<rest>.*)$")


#: held while a listing for completion is in flight: a slow store gets one request, not one per Tab
_IN_FLIGHT = threading.Lock()


def _run_bounded(fn: Callable[[], list], timeout: float) -> list:
    """``fn()`` in a daemon thread; ``[]`` if it fails, takes longer than ``timeout``, or an
    earlier request (abandoned by an earlier Tab) is still waiting for the store."""
    if not _IN_FLIGHT.acquire(blocking=False):
        return []
    box: list[list] = []

    def work() -> None:
        try:
            box.append(fn())
        except Exception:  # a completion never raises: no completions instead
            pass
        finally:
            _IN_FLIGHT.release()

    t = threading.Thread(target=work, name="dumont-complete", daemon=True)
    t.start()
    t.join(timeout)
    return box[0] if box else []


def _remotes(config) -> list[str]:
    return sorted(config.remotes)


def _buckets(remote: str, config) -> list[str]:
    from .. import api

    settings = config.remote(remote)
    if settings.buckets:
        return list(settings.buckets)
    fs = api.filesystem(remote, config=config)
    return _run_bounded(lambda: [i.name for i in fs.readdir("")], TIMEOUT)  # readdir("") lists buckets


def _entries(remote: str, bucket: str, directory: str, partial: str, config) -> list[tuple[str, bool]]:
    """``(name, is_dir)`` under ``bucket/directory`` starting with ``partial``: one request of at
    most :data:`MAX_KEYS` entries (:meth:`FileSystem.list_prefix`; on S3 it asks for the typed
    prefix itself, so a match is found in a directory of any size)."""
    from .. import api

    fs = api.filesystem(remote, config=config)
    base = directory + "/" if directory else ""

    def first_page() -> list[tuple[str, bool]]:
        page = fs.list_prefix(f"{bucket}/{base}{partial}", limit=MAX_KEYS)
        return [(i.name, i.is_dir) for i in page if i.name and i.name.startswith(partial)]

    return _run_bounded(first_page, TIMEOUT)


def split_words(rest: str) -> tuple[list[str], str, str, str]:
    """Shell-like split of the text before the cursor, tolerating an open quote:
    ``(complete words, the current word as typed, its text without quotes, its opening quote)``."""
    words: list[str] = []
    raw = text = quote = opening = ""
    for ch in rest:
        if quote:
            raw += ch
            if ch == quote:
                quote = ""
            else:
                text += ch
        elif ch in "'\"":
            quote = ch
            opening = opening or (ch if not raw else "")
            raw += ch
        elif ch.isspace():
            if raw:
                words.append(text)
            raw = text = opening = ""
        else:
            raw += ch
            text += ch
    return words, raw, text, opening


def _quoted(candidate: str, opening: str) -> str:
    """A completion as it must be typed: quoted when needed (inside the user's quote) and
    escaped for IPython's ``$``/``{}`` expansion, so running the line names exactly the key; a
    directory keeps the quote open so the next Tab goes on."""
    return magic_word(candidate, opening, close=not candidate.endswith("/"))


def complete(rest: str, parser: CommandParser, config) -> list[str]:
    """Completions of the current word of ``rest`` (the ``%dumont`` line after the magic name,
    up to the cursor), sorted and quoted as needed; each replaces the whole word as typed."""
    words, _, text, opening = split_words(rest)
    words, text = [unescape_line(w) for w in words], unescape_line(text)  # what IPython will make of them
    return sorted({_quoted(c, opening) for c in _complete(words, text, parser, config)})


def _complete(words: list[str], word: str, parser: CommandParser, config) -> list[str]:
    if not words:
        return [c for c in COMMANDS if c.startswith(word)]
    command = COMMANDS.get(words[0])
    if command is None:
        return []
    if word.startswith("-"):
        sub = subparser(parser, command.name)
        options = sorted({o for a in sub._actions for o in a.option_strings})
        return [o for o in options if o.startswith(word)]
    if command.completes == "command":
        return [c for c in COMMANDS if c.startswith(word) and c != "help"] if len(words) == 1 else []
    if not command.completes:
        return []
    if "://" not in word:
        suffix = "" if command.completes == "remote" else "://"
        return [r + suffix for r in _remotes(config) if r.startswith(word)]
    if command.completes == "remote":
        return []
    remote, _, path = word.partition("://")
    if remote not in config.remotes:
        return []
    if "/" not in path:
        return [f"{remote}://{b}/" for b in _buckets(remote, config) if b.startswith(path)]
    bucket, _, key = path.partition("/")
    directory, _, partial = key.rpartition("/")
    base = f"{remote}://{bucket}/" + (directory + "/" if directory else "")
    return [base + name + ("/" if is_dir else "") for name, is_dir in _entries(remote, bucket, directory, partial, config)]


def make_matcher(parser: CommandParser) -> Callable[[CompletionContext], dict[str, Any]]:
    """An IPython (API v2) matcher for ``%dumont`` lines."""

    @context_matcher(identifier=MATCHER_ID)
    def dumont_matcher(context: CompletionContext) -> dict[str, Any]:
        m = _LINE.search(context.text_until_cursor)
        if m is None:
            return {"completions": []}
        rest = m.group("rest")
        word = split_words(rest)[1]  # the word as typed, quotes included
        try:
            from .. import api

            config = api.active_config()
            texts = complete(rest, parser, config)
        except Exception:  # no config, unknown remote, ...: nothing to offer, never a traceback
            texts = []
        if not texts and "://" in word:
            # nothing found (or the store was slow): offer the word itself, so Tab changes
            # nothing instead of pasting Python names after a URL
            texts = [word]
        return {
            "completions": [SimpleCompletion(t, type="dumont") for t in texts],
            "matched_fragment": word,
            "suppress": bool(texts),
            "ordered": True,
        }

    return dumont_matcher


def register(shell, parser: CommandParser) -> None:
    """Add the matcher to ``shell.Completer`` (once)."""
    completer = getattr(shell, "Completer", None)
    if completer is None:
        return
    unregister(shell)
    completer.custom_matchers.append(make_matcher(parser))


def unregister(shell) -> None:
    completer = getattr(shell, "Completer", None)
    if completer is None:
        return
    completer.custom_matchers[:] = [
        m for m in completer.custom_matchers if getattr(m, "matcher_identifier", None) != MATCHER_ID
    ]
