"""Copy as code: the Python or ``%dumont`` line that reproduces what the browser shows.

Snippets name URLs only; they never carry credentials (those stay in the config file).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from ..formatting import magic_word

__all__ = ["snippet", "action_code", "ENGINES"]

#: "Copy as code" engines, in the order the browser offers them
ENGINES = ("pandas", "polars", "duckdb", "pyarrow", "dask")
_KINDS = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet", ".json": "json", ".jsonl": "jsonl",
          ".ndjson": "jsonl"}
_PANDAS = {"csv": "pd.read_csv({u})", "tsv": "pd.read_csv({u}, sep='\\t')", "parquet": "pd.read_parquet({u})",
           "json": "pd.read_json({u})", "jsonl": "pd.read_json({u}, lines=True)"}
_DASK = {"csv": "dd.read_csv({u})", "tsv": "dd.read_csv({u}, sep='\\t')", "parquet": "dd.read_parquet({u})",
         "json": "dd.read_json({u}, lines=False)", "jsonl": "dd.read_json({u}, lines=True)"}
_POLARS = {"csv": "pl.read_csv({s}, storage_options=opts)", "tsv": "pl.read_csv({s}, separator='\\t', storage_options=opts)",
           "parquet": "pl.read_parquet({s}, storage_options=opts)", "jsonl": "pl.read_ndjson({s}, storage_options=opts)"}
_DUCKDB = {"csv": "read_csv", "tsv": "read_csv", "parquet": "read_parquet", "json": "read_json", "jsonl": "read_json"}
_PYARROW = {"csv": ("import pyarrow.csv as pa_csv", "pa_csv.read_csv(fs.open_input_stream({p}))"),
            "tsv": ("import pyarrow.csv as pa_csv",
                    "pa_csv.read_csv(fs.open_input_stream({p}), parse_options=pa_csv.ParseOptions(delimiter='\\t'))"),
            "parquet": ("import pyarrow.parquet as pq", "pq.read_table({p}, filesystem=fs)"),
            "jsonl": ("import pyarrow.json as pa_json", "pa_json.read_json(fs.open_input_stream({p}))")}
_HEADER = {
    "pandas": ["import pandas as pd"],
    "dask": ["import dask.dataframe as dd"],
    "polars": ["import polars as pl"],
    "duckdb": ["import duckdb"],
    "pyarrow": ["import pyarrow.fs"],
}


def snippet(location_url: str, selected: list[str], *, style: str = "python", engine: str = "pandas") -> str:
    """Code for the selection (or the current location when nothing is selected) that runs in a
    fresh kernel: it loads the config itself, and credentials come from the config at run time
    (``dumont_nb.storage_options``), never from the snippet.

    ``style`` is ``"python"`` or ``"magic"``; ``engine`` (Python only) one of :data:`ENGINES`.
    Folders give ``dumont_nb.listing``; files of a kind the engine cannot read, ``dumont_nb.open``.

    Raises:
        ValueError: unknown style or engine.
    """
    if style not in ("python", "magic"):
        raise ValueError(f"unknown snippet style {style!r}; use 'python' or 'magic'")
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    targets = list(selected) or [location_url]
    lines: list[str] = []
    if style == "magic":
        for url in targets:
            verb = "ls" if url.endswith("/") or url.endswith("://") else "cat"
            lines.append(f"%dumont {verb} {magic_word(url)}")  # escaped: a key's {} and $ stay key bytes
        return "\n".join(lines)
    body: list[str] = []
    headers: list[str] = []
    setup: list[str] = []
    names = _names(targets)
    for url, var in zip(targets, names):
        kind = _KINDS.get(PurePosixPath(url).suffix.lower())
        if url.endswith("/") or url.endswith("://"):
            body.append(f"{var} = dumont_nb.listing({url!r})")
            continue
        remote, path = _remote_path(url)
        code = _engine_line(engine, kind, url, remote, path, setup)
        if code is None:
            body.append(f"with dumont_nb.open({url!r}, 'rb') as f:\n    {var.replace('df', 'data')} = f.read()")
            continue
        headers += [h for h in _HEADER[engine] if h not in headers]
        body.append(f"{var} = {code}")
    imports = [*headers, *sorted({h for h in setup if h.startswith("import ")})]
    prepared = [h for h in setup if not h.startswith("import ")]
    lines = ["import dumont_nb", *imports, "", "dumont_nb.load_config()  # the remotes of your config; no credentials here",
             *prepared, *body]
    return "\n".join(lines)


_MAGIC = re.compile(r"([*?\[])")


def _literal(url: str, expands: str) -> str:
    """``url`` as a glob pattern that matches only itself (each of ``*?[`` as ``[c]``), for a
    reader that expands patterns when the URL holds any of ``expands``; else ``url`` unchanged."""
    return _MAGIC.sub(r"[\1]", url) if any(c in url for c in expands) else url


def _names(targets: list[str]) -> list[str]:
    return ["df" if len(targets) == 1 else f"df{i + 1}" for i in range(len(targets))]


def _engine_line(engine: str, kind: str | None, url: str, remote: str, path: str, setup: list[str]) -> str | None:
    """The expression reading ``url`` with ``engine`` (adding what it needs to ``setup``), or None."""
    if kind is None:
        return None
    if engine == "pandas":
        return _PANDAS[kind].format(u=repr(url))
    if engine == "dask":  # fsspec expands a URL with a "*" (then "?" and "[" are pattern too)
        return _DASK[kind].format(u=repr(_literal(url, "*")))
    if engine == "polars":
        if kind not in _POLARS:
            return None
        _once(setup, f"opts = dumont_nb.storage_options({remote!r}, engine='polars')")
        code = _POLARS[kind].format(s=repr(f"s3://{path}"))  # the key as it is (polars does not decode %XX)
        if any(c in path for c in "*?["):  # polars would expand it as a pattern
            if kind == "jsonl":  # read_ndjson cannot be told not to
                return None
            code = code[:-1] + ", glob=False)"
        return code
    if engine == "duckdb":
        _once(setup, "con = dumont_nb.register_duckdb(duckdb.connect())  # reads moto:// URLs through dumont_nb"
              .replace("moto", remote))
        sql_url = _literal(url, "*?[").replace("'", "''")  # DuckDB expands any of the three
        extra = ", delim='\\t'" if kind == "tsv" else (", format='newline_delimited'" if kind == "jsonl" else "")
        sql = f"SELECT * FROM {_DUCKDB[kind]}('{sql_url}'{extra})"
        return f"con.sql({sql!r}).df()"
    if kind not in _PYARROW:
        return None
    module, read = _PYARROW[kind]
    _once(setup, module)
    _once(setup, f"fs = pyarrow.fs.S3FileSystem(**dumont_nb.storage_options({remote!r}, engine='pyarrow'))")
    return read.format(p=repr(path)) + ".to_pandas()"


def _once(lines: list[str], line: str) -> None:
    if line not in lines:
        lines.append(line)


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
