"""Previews of one object: text head, CSV/Parquet head as a table, JSON, images.

Every preview is size-limited and read with ranged GETs through the vfs file object: a text
preview reads the first :data:`TEXT_BYTES`, Parquet reads the footer and the first row group's
pages (only the schema when that row group is over :data:`PARQUET_BYTES`), an image is
shown only up to :data:`IMAGE_BYTES`. A 5 GB object is never downloaded to
preview it. All store-provided text is HTML-escaped.
"""

from __future__ import annotations

import html
import io
import json
from dataclasses import dataclass
from pathlib import PurePosixPath

import ipywidgets as W

from ..vfs.base import FileInfo, FileSystem
from .model import human_size

__all__ = ["Preview", "make_preview", "render_preview", "TEXT_BYTES", "IMAGE_BYTES", "TABLE_ROWS", "PARQUET_BYTES"]

TEXT_BYTES = 64 * 1024
IMAGE_BYTES = 5 * 1024 * 1024
TABLE_ROWS = 20
#: largest first row group a Parquet preview reads (compressed); above it only the schema shows
PARQUET_BYTES = 16 * 1024 * 1024
IMAGE_TYPES = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".gif": "gif", ".webp": "webp", ".svg": "svg+xml"}
CSV_TYPES = {".csv": ",", ".tsv": "\t"}
PARQUET_TYPES = (".parquet", ".pq")
JSON_TYPES = (".json", ".geojson", ".ipynb")


@dataclass
class Preview:
    """What a preview shows. ``kind`` is text, table, json, image, binary, folder or message."""

    kind: str
    title: str
    text: str = ""
    table: object = None  # a pandas DataFrame for kind == "table"
    image: bytes = b""
    image_format: str = ""
    truncated: bool = False


def _head(fs: FileSystem, path: str, limit: int) -> bytes:
    with fs.open(path, "rb") as f:
        return f.read(limit)


def make_preview(fs: FileSystem, info: FileInfo, *, text_bytes: int = TEXT_BYTES) -> Preview:
    """Build the preview of ``info`` (read at most ``text_bytes`` for text-like objects).

    Raises:
        the vfs read errors (``FileNotFoundError``, ``PermissionError``, ...); a file that cannot
        be parsed as its extension says becomes a ``message`` preview, not an exception.
    """
    url = fs.url(info.path)
    title = f"{url} · {human_size(info.size)}" + (f" · {info.mtime:%Y-%m-%d %H:%M:%S} UTC" if info.mtime else "")
    if info.is_dir:
        return Preview("folder", url, text="folder: double-click (or Enter) to open it")
    suffix = PurePosixPath(info.path).suffix.lower()
    size = int(info.size or 0)
    if suffix in IMAGE_TYPES:
        if size > IMAGE_BYTES:
            return Preview("message", title, text=f"image larger than {human_size(IMAGE_BYTES)}: not previewed")
        return Preview("image", title, image=_head(fs, info.path, size), image_format=IMAGE_TYPES[suffix])
    if suffix in PARQUET_TYPES:
        return _parquet(fs, info, title)
    head = _head(fs, info.path, text_bytes)
    truncated = size > len(head)
    if suffix in CSV_TYPES:
        return _csv(head, truncated, CSV_TYPES[suffix], title)
    if suffix in JSON_TYPES and not truncated:
        try:
            text = json.dumps(json.loads(head.decode("utf-8")), indent=2, ensure_ascii=False)
            return Preview("json", title, text=text[:text_bytes], truncated=len(text) > text_bytes)
        except ValueError:
            pass  # shown as text below
    if b"\x00" in head[:8192]:
        return Preview("binary", title, text=f"binary object, {human_size(size)}: no preview")
    return Preview("text", title, text=head.decode("utf-8", errors="replace"), truncated=truncated)


def _csv(head: bytes, truncated: bool, sep: str, title: str) -> Preview:
    import pandas as pd

    if truncated and b"\n" in head:
        head = head[: head.rfind(b"\n") + 1]  # drop the partial last line
    try:
        df = pd.read_csv(io.BytesIO(head), sep=sep, nrows=TABLE_ROWS)
    except Exception as e:  # a malformed file is a message, not a traceback
        return Preview("message", title, text=f"cannot parse as CSV: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
    return Preview("table", title, table=df, truncated=truncated or len(df) >= TABLE_ROWS)


def _parquet(fs: FileSystem, info: FileInfo, title: str) -> Preview:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        return Preview("message", title, text="Parquet preview needs pyarrow: pip install 'dumont_nb[parquet]'")
    try:
        with fs.open(info.path, "rb") as f:
            pf = pq.ParquetFile(f, pre_buffer=False)  # read the footer, then only what is asked
            rows = pf.metadata.num_rows
            first = pf.metadata.row_group(0) if pf.metadata.num_row_groups else None
            chunk = sum(first.column(i).total_compressed_size for i in range(first.num_columns)) if first else 0
            if chunk > PARQUET_BYTES:  # even the first row group is too big: show the schema
                import pandas as pd

                schema = pf.schema_arrow
                df = pd.DataFrame({"column": schema.names, "type": [str(t) for t in schema.types]})
                return Preview("table", f"{title} · {rows} rows · schema only (first row group {human_size(chunk)})", table=df)
            batch = next(pf.iter_batches(batch_size=TABLE_ROWS, row_groups=[0]), None) if first else None
            df = batch.to_pandas() if batch is not None else pf.schema_arrow.empty_table().to_pandas()
    except Exception as e:  # not Parquet after all
        return Preview("message", title, text=f"cannot read as Parquet: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
    return Preview("table", f"{title} · {rows} rows", table=df, truncated=rows > len(df))


def render_preview(p: Preview) -> W.Widget:
    """The preview as a widget (escaped HTML, a table, or an Image)."""
    head = f"<div class='dumont-preview-title'><b>{html.escape(p.title)}</b></div>"
    more = "<div><i>(preview truncated)</i></div>" if p.truncated else ""
    if p.kind == "image":
        return W.VBox([W.HTML(head), W.Image(value=p.image, format=p.image_format, layout=W.Layout(max_width="100%"))])
    if p.kind == "table":
        table = p.table.to_html(max_rows=TABLE_ROWS, escape=True, border=0, classes="dumont-table")
        return W.HTML(head + f"<div style='overflow:auto;max-height:360px'>{table}</div>" + more)
    if p.kind in ("text", "json"):
        body = f"<pre style='max-height:360px;overflow:auto;white-space:pre-wrap'>{html.escape(p.text)}</pre>"
        return W.HTML(head + body + more)
    return W.HTML(head + f"<div>{html.escape(p.text)}</div>")


def capabilities_html(remote: str, caps) -> "W.HTML":
    """A remote's capability table (value and why), escaped, for the preview pane."""
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{'yes' if value else '<b>no</b>'}</td><td>{html.escape(reason)}</td></tr>"
        for name, value, reason in caps.table()
    )
    return W.HTML(f"<b>{html.escape(remote)}:// capabilities</b>"
                  f"<table class='dumont-table'><tr><th>capability</th><th></th><th>why</th></tr>{rows}</table>")
