"""What a store can do, declared once, with why: :class:`Capabilities` and S3's row of the table."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Mapping

__all__ = ["Capabilities", "S3_CAPABILITIES", "S3_EMULATE_CAPABILITIES", "CAPABILITY_WHY", "EMULATE_WHY"]


@dataclass(frozen=True)
class Capabilities:
    """What a store can do, declared once, with why. UI and tests branch on these (never on
    backend names or config), and show :meth:`table` to explain them.

    ``conditional_writes`` and ``versioning`` are per bucket: ``None`` (not known) on a file
    system's :attr:`FileSystem.capabilities`, probed by :meth:`FileSystem.bucket_capabilities`.
    """

    random_read: bool
    random_write: bool
    append: bool
    truncate: bool
    atomic_rename: bool
    directories: bool
    mtime: bool
    case_sensitive: bool
    server_side_copy: bool = True
    presign: bool = False
    conditional_writes: bool | None = None
    versioning: bool | None = None
    why: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def table(self) -> list[tuple[str, bool | None, str]]:
        """``[(capability, value, why), ...]`` in declaration order; per-bucket capabilities
        appear once known."""
        return [(f.name, getattr(self, f.name), self.why.get(f.name, "")) for f in fields(self)
                if f.name != "why" and not (f.name in _PER_BUCKET and getattr(self, f.name) is None)]


_PER_BUCKET = ("conditional_writes", "versioning")

#: Why each S3 capability has its value (the spec's "Why" column).
CAPABILITY_WHY: dict[str, str] = {
    "random_read": "ranged GetObject (Range header)",
    "random_write": "object stores only replace whole objects; opening for update → NotSupportedError",
    "append": "append mode → NotSupportedError",
    "truncate": "no in-place resize",
    "atomic_rename": "rename = server-side copy + delete (non-atomic window)",
    "directories": "synthesized from key prefixes",
    "mtime": "LastModified (second resolution)",
    "case_sensitive": "object keys are case-sensitive",
    "server_side_copy": "CopyObject (UploadPartCopy above 5 GiB): no bytes through the notebook",
    "presign": "SigV4 query-string signature, valid up to 7 days",
}

#: The "why" under ``emulate: true``, where random write and append become possible.
EMULATE_WHY: dict[str, str] = {
    **CAPABILITY_WHY,
    "random_write": "emulated: read-modify-write of the whole object, committed with If-Match",
    "append": "emulated: read-modify-write of the whole object, committed with If-Match",
    "truncate": "emulated: resize the read copy, committed whole with If-Match",
}

#: The S3 row of dumont's capability table (``../shared/docs/s3-backend.txt``).
S3_CAPABILITIES = Capabilities(
    random_read=True,
    random_write=False,
    append=False,
    truncate=False,
    atomic_rename=False,
    directories=False,
    mtime=True,
    case_sensitive=True,
    server_side_copy=True,
    presign=True,
    why=CAPABILITY_WHY,
)

#: An S3 remote with ``emulate: true``.
S3_EMULATE_CAPABILITIES = replace(S3_CAPABILITIES, random_write=True, append=True, truncate=True, why=EMULATE_WHY)
