"""The error tree of dumont_nb.

Every error dumont_nb raises on purpose is a ``DumontError``; where Python has a builtin that
means the same thing, the error *is* that builtin too, so ``except FileNotFoundError`` works::

    DumontError
    ├── ConfigError(ValueError)             malformed config: names the file, remote and field
    ├── CredentialError                     a credential reference cannot be resolved (never a value)
    ├── InvalidURLError(ValueError)         a malformed ``<remote>://<bucket>/<key>`` URL
    ├── UnknownRemoteError(KeyError)        a remote name that the config does not define
    ├── NotSupportedError(io.UnsupportedOperation)  errno ENOTSUP; the store cannot do this
    ├── ConflictError                       a conditional write lost against a concurrent writer
    ├── BinaryObjectError(ValueError)       ``cat``/``head`` of an object that is not UTF-8 text
    ├── NotConfirmedError(PermissionError)  a recursive delete that was not confirmed
    ├── StoreError(OSError)                 any other store failure, one line naming the URL
    ├── NotFoundError(FileNotFoundError)
    ├── ExistsError(FileExistsError)
    ├── IsADirError(IsADirectoryError)
    ├── NotADirError(NotADirectoryError)
    └── AccessDeniedError(PermissionError)

Messages are single lines that say what was wrong and how to fix it. They never carry a secret.
"""

from __future__ import annotations

import errno
import io

__all__ = [
    "DumontError",
    "ConfigError",
    "CredentialError",
    "InvalidURLError",
    "UnknownRemoteError",
    "NotSupportedError",
    "ConflictError",
    "BinaryObjectError",
    "NotConfirmedError",
    "StoreError",
    "NotFoundError",
    "ExistsError",
    "IsADirError",
    "NotADirError",
    "AccessDeniedError",
]


class DumontError(Exception):
    """Base of every error dumont_nb raises on purpose. Every one pickles round-trip (same type,
    message, ``errno`` and ``filename``), so an error raised on a Dask worker comes back whole."""

    def __str__(self) -> str:  # OSError subclasses format "[Errno n] msg"; keep our one line
        if isinstance(self, OSError) and self.strerror is not None:
            return self.strerror
        return super().__str__()

    def __reduce__(self):
        if isinstance(self, OSError) and self.errno is not None:
            # OSError pickles as cls(errno, strerror, filename), which our __init__s do not take
            return _rebuild_oserror, (type(self), self.errno, self.strerror, self.filename), self.__dict__ or None
        return super().__reduce__()


def _rebuild_oserror(cls: type, code: int, message: str, filename):
    err = cls.__new__(cls)
    OSError.__init__(err, code, message)
    err.strerror = message
    err.filename = filename
    return err


class ConfigError(DumontError, ValueError):
    """The config file is malformed: the message names file, remote and field."""


class CredentialError(DumontError):
    """A credential reference (``env:NAME``, ``keychain:service/account``) cannot be resolved."""


class InvalidURLError(DumontError, ValueError):
    """A URL is not of the form ``<remote>://<bucket>/<key>``."""


class UnknownRemoteError(DumontError, KeyError):
    """A URL or call names a remote the config does not define."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


def _oserror(cls_name: str, base: type, code: int, doc: str) -> type:
    def __init__(self, message: str, path: str | None = None):
        OSError.__init__(self, code, message)
        self.filename = path
        self.strerror = message

    return type(cls_name, (DumontError, base), {"__init__": __init__, "__doc__": doc})


class NotSupportedError(DumontError, io.UnsupportedOperation):
    """The operation is not supported by the store (errno ENOTSUP); see ``capabilities``."""

    def __init__(self, message: str, path: str | None = None):
        io.UnsupportedOperation.__init__(self, errno.ENOTSUP, message)
        self.filename = path
        self.strerror = message


class ConflictError(DumontError):
    """A conditional write failed: someone else changed the object since it was read."""


class BinaryObjectError(DumontError, ValueError):
    """``cat``/``head`` of an object that is not UTF-8 text."""


class NotConfirmedError(DumontError, PermissionError):
    """A recursive delete was not confirmed (pass ``yes=True`` or a ``confirm`` callable); errno EPERM."""

    def __init__(self, message: str, path: str | None = None):
        PermissionError.__init__(self, errno.EPERM, message)
        self.filename = path
        self.strerror = message


class StoreError(DumontError, OSError):
    """Any other failure reported by the store; the message names the URL."""

    def __init__(self, message: str, path: str | None = None, code: int = errno.EIO):
        OSError.__init__(self, code, message)
        self.filename = path
        self.strerror = message


NotFoundError = _oserror("NotFoundError", FileNotFoundError, errno.ENOENT, "No such object, prefix or bucket.")
ExistsError = _oserror("ExistsError", FileExistsError, errno.EEXIST, "The object or directory exists.")
IsADirError = _oserror("IsADirError", IsADirectoryError, errno.EISDIR, "A directory where an object was expected.")
NotADirError = _oserror("NotADirError", NotADirectoryError, errno.ENOTDIR, "An object where a directory was expected.")
AccessDeniedError = _oserror("AccessDeniedError", PermissionError, errno.EACCES, "The store refused access.")
