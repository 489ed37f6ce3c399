"""Text helpers every surface shares: sizes, one-line errors, and words safe in an IPython line.

Nothing here imports pandas, IPython or the vfs, so any layer may use it.

IPython expands ``$name`` and ``{expr}`` (and ``$$name``, ``{{``, ``}}``) in a magic's line
*before* the magic sees it, quotes or not. A key placed into a ``%dumont`` line (by Tab completion or "Copy
as code") must therefore be escaped for IPython as well as quoted for the shell-like split, or
the key ``{__import__("os").system("…")}.txt`` runs code. :func:`magic_word` does both.
"""

from __future__ import annotations

import re
from typing import Iterable

__all__ = ["human_size", "parse_duration", "one_line", "format_error", "scrub", "magic_word", "unescape_line", "plural"]

_UNITS = ("KiB", "MiB", "GiB", "TiB", "PiB")
#: words that need no quoting in a shell-like split (and hold nothing IPython expands)
_PLAIN = re.compile(r"[\w@%+=:,./~-]*")  # used with fullmatch (a "$" would let a newline through)
#: a ``$`` that IPython expands (``$name``, ``$obj.attr``); any other ``$`` stays as it is
_DOLLAR_NAME = re.compile(r"\$(?=[\w.])")


def human_size(n: int | float | None) -> str:
    """``1536`` → ``"1.5 KiB"``, ``0`` → ``"0 B"``; ``None`` (or NaN/NA) → ``""``."""
    try:
        if n is None or n != n:  # NaN is not equal to itself
            return ""
        n = int(n)
    except (TypeError, ValueError):  # pandas.NA has no truth value
        return ""
    if abs(n) < 1024:
        return f"{n} B"
    value = float(n)
    for unit in _UNITS:
        value /= 1024.0
        if abs(value) < 1024 or unit == _UNITS[-1]:
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> int:
    """``"30m"``, ``"1h"``, ``"7d"``, ``"90s"`` or ``"3600"`` (seconds) → seconds.

    Raises:
        ValueError: anything else (the message shows the accepted forms).
    """
    t = str(text).strip().lower()
    number, unit = (t[:-1], t[-1]) if t and t[-1] in _DURATION_UNITS else (t, "s")
    if not number.isdigit() or len(number) > 9:
        raise ValueError(f"{text!r}: expected a duration like 30m, 1h, 7d or a number of seconds")
    return int(number) * _DURATION_UNITS[unit]


def plural(n: int, noun: str, many: str | None = None) -> str:
    """``plural(1, "object")`` → ``"1 object"``, ``plural(2, "entry", "entries")`` → ``"2 entries"``."""
    return f"{n:,} {noun if n == 1 else (many or noun + 's')}"


def one_line(exc: BaseException) -> str:
    """``"TypeName: first line of the message"`` (or the type name alone)."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with each secret value replaced by ``***`` (exact values only: remote names,
    bucket names and access key ids, which are not secrets, are left alone)."""
    for secret in sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def format_error(exc: BaseException, *, where: str = "", secrets: Iterable[str] = ()) -> str:
    """The one-line form of an error that every surface shows (magics, widget, CLI).

    dumont's own errors already name their URL and say how to fix it: their first line as is.
    A builtin OSError shows ``filename: strerror`` (no ``[Errno n]``); a botocore error that
    escaped translation ``store error (Type): ...``; anything else ``Type: message``, prefixed
    with ``where`` (a URL) when the message does not name it. Secrets are masked (:func:`scrub`).
    """
    from .errors import DumontError

    text = " ".join(str(exc).split()) or type(exc).__name__
    if not isinstance(exc, DumontError):
        if isinstance(exc, OSError) and exc.strerror:
            text = f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
        elif type(exc).__module__.startswith("botocore"):
            text = f"store error ({type(exc).__name__}): {text}"
        elif not isinstance(exc, OSError):
            text = f"{type(exc).__name__}: {text}"
        if where and where not in text:
            text = f"{where}: {text}"
    return scrub(text, secrets)


def unescape_line(text: str) -> str:
    """What IPython's expansion makes of the braces of a word :func:`magic_word` wrote
    (``{{`` → ``{``, ``}}`` → ``}``); its ``$`` breaks are quotes, which the split removes."""
    return text.replace("{{", "{").replace("}}", "}")


def magic_word(text: str, quote: str = "", *, close: bool = True) -> str:
    """``text`` as one word of a ``%dumont`` line: quoted for the shell-like split when needed
    (inside ``quote`` if the user opened one; ``close=False`` leaves it open, so the next Tab
    goes on) and escaped for IPython, so the line names exactly ``text`` and runs nothing:
    braces are doubled, and a ``$`` that IPython would read as ``$name`` is followed by an
    empty quoted string (``$''name``), which the split drops and IPython does not expand."""
    if not quote:
        if _PLAIN.fullmatch(text):
            return text
        quote = "'"
    if quote == "'":
        body = text.replace("'", "'\"'\"'")
    else:
        body = text.replace("\\", "\\\\").replace('"', '\\"')
    body = _DOLLAR_NAME.sub("$" + quote + quote, body)
    return (quote + body + (quote if close else "")).replace("{", "{{").replace("}", "}}")
