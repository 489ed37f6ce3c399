"""Copy as code: the Python or ``%dumont`` line that reproduces what the browser shows.

Snippets name URLs only; they never carry credentials (those stay in the config file).
"""

from __future__ import annotations

from pathlib import PurePosixPath

from ..formatting import magic_word

__all__ = ["snippet", "action_code"]

_READERS = {
    ".csv": "pd.read_csv",
    ".tsv": "pd.read_csv",
    ".parquet": "pd.read_parquet",
    ".pq": "pd.read_parquet",
    ".json": "pd.read_json",
    ".jsonl": "pd.read_json",
}


def snippet(location_url: str, selected: list[str], *, style: str = "python") -> str:
    """Code for the selection (or the current location when nothing is selected).

    ``style`` is ``"python"`` or ``"magic"``.

    Raises:
        ValueError: unknown style.
    """
    if style not in ("python", "magic"):
        raise ValueError(f"unknown snippet style {style!r}; use 'python' or 'magic'")
    targets = list(selected) or [location_url]
    lines: list[str] = []
    if style == "magic":
        for url in targets:
            verb = "ls" if url.endswith("/") or url.endswith("://") else "cat"
            lines.append(f"%dumont {verb} {magic_word(url)}")  # escaped: a key's {} and $ stay key bytes
        return "\n".join(lines)
    lines.append("import dumont_nb")
    needs_pd = False
    for url in targets:
        suffix = PurePosixPath(url).suffix.lower()
        if url.endswith("/") or url.endswith("://"):
            lines.append(f"dumont_nb.listing({url!r})")
        elif suffix in _READERS:
            needs_pd = True
            extra = ", sep='\\t'" if suffix == ".tsv" else (", lines=True" if suffix == ".jsonl" else "")
            lines.append(f"df = {_READERS[suffix]}({url!r}{extra})")
        else:
            lines.append(f"with dumont_nb.open({url!r}, 'rb') as f:\n    data = f.read()")
    if needs_pd:
        lines.insert(0, "import pandas as pd")
    return "\n".join(lines)


def _remote_path(url: str) -> tuple[str, str]:
    """``("moto", "b/a/")`` for ``moto://b/a/``: a folder keeps its ``/``, so the code never
    touches the object ``a`` beside the folder ``a/``."""
    remote, _, rest = url.partition("://")
    return remote, rest


def _name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def action_code(action: str, sources: list[str], target: str = "", text: str = "") -> str:
    """The Python that does what a browser action did, so it can be re-run in a cell.

    ``sources`` are the selected URLs (folders end with ``/``); ``target`` is the destination
    folder URL (copy, move), local folder (download), new name (rename) or folder URL (mkdir,
    upload, with ``text`` holding the new folder name or the uploaded file names, one a line).

    Raises:
        ValueError: unknown action.
    """
    lines = ["import dumont_nb"]
    fs_of = lambda url: f"dumont_nb.filesystem({_remote_path(url)[0]!r})"  # noqa: E731
    if action in ("copy", "move", "download"):
        dest = target if target.endswith("/") or action == "download" else target + "/"
        for src in sources:
            if action == "download":
                to = f"{dest.rstrip('/')}/{_name(src)}" if src.endswith("/") else dest.rstrip("/") + "/"
            else:
                to = f"{dest}{_name(src)}/" if src.endswith("/") else dest
            recursive = ", recursive=True" if src.endswith("/") else ""
            if action == "move":  # deletes exactly what it copied
                lines.append(f"dumont_nb.move({src!r}, {to!r})")
            else:
                lines.append(f"dumont_nb.copy({src!r}, {to!r}{recursive})")
    elif action == "delete":
        for src in sources:
            verb = "remove_all" if src.endswith("/") else "remove"
            lines.append(f"{fs_of(src)}.{verb}({_remote_path(src)[1]!r})")
    elif action == "rename":
        (src,) = sources
        path = _remote_path(src)[1]
        folder = "/" if path.endswith("/") else ""
        lines.append(f"{fs_of(src)}.rename({path!r}, {path.rstrip('/').rpartition('/')[0] + '/' + target + folder!r})")
    elif action == "mkdir":
        lines.append(f"{fs_of(target)}.mkdir({_remote_path(target)[1].rstrip('/') + '/' + text!r})")
    elif action == "upload":
        for name in text.splitlines():
            lines.append(f"dumont_nb.copy({name!r}, {target!r})  # from a local file")
    elif action == "append":
        (src,) = sources
        lines.append(f"with dumont_nb.open({src!r}, 'ab') as f:\n    f.write({(text + chr(10)).encode()!r})")
    else:
        raise ValueError(f"no code for action {action!r}")
    return "\n".join(lines)
