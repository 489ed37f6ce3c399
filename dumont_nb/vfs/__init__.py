"""The vfs layer: one file-system contract, backends that keep it (S3 over s3fs)."""

from .base import Capabilities, FileInfo, FileSystem

__all__ = ["Capabilities", "FileInfo", "FileSystem"]
