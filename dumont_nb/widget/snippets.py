"""Copy as code: the Python or ``%dumont`` line that reproduces what the browser shows.

Snippets name URLs only; they never carry credentials (those stay in the config file).
"""

from __future__ import annotations

from pathlib import PurePosixPath

__all__ = ["snippet"]

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
            lines.append(f"%dumont {verb} {url}")
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
