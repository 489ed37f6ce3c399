"""Store errors → dumont errors, in one table.

Every call the S3 backend makes to the store goes through :func:`translate` when it fails, so
every error a user sees is one of :mod:`dumont_nb.errors` (which are also the builtins), with a
one-line message that names the URL (``remote://bucket/key``) and says what to do. The original
botocore/aiohttp exception is kept as ``__cause__``; messages are built from the error code and
the URL only, never from request parameters, so no secret can end up in them.

=============================================  ===========================================
store answer                                   raised
=============================================  ===========================================
NoSuchBucket                                   NotFoundError naming the bucket
NoSuchKey, NotFound, 404                       NotFoundError
AccessDenied, 403, InvalidAccessKeyId, ...     AccessDeniedError (PermissionError)
PreconditionFailed / 412 on If-None-Match      ExistsError (FileExistsError)
PreconditionFailed / 412 on If-Match           ConflictError
ConditionalRequestConflict / 409               ConflictError
NotImplemented / 501                           NotSupportedError
SlowDown, 5xx (after botocore's retries)       StoreError (OSError, EBUSY / EIO)
connection / timeout errors                    StoreError (OSError, ETIMEDOUT / ECONNREFUSED)
no credentials found                           CredentialError
anything else                                  StoreError naming the code
=============================================  ===========================================
"""

from __future__ import annotations

import errno

from ..errors import (
    AccessDeniedError,
    ConflictError,
    CredentialError,
    DumontError,
    ExistsError,
    NotFoundError,
    NotSupportedError,
    StoreError,
)

__all__ = ["translate", "error_code"]

_DENIED = {
    "AccessDenied",
    "403",
    "Forbidden",
    "AllAccessDisabled",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "AccountProblem",
}
_NOT_FOUND = {"NoSuchKey", "NotFound", "404", "NoSuchUpload"}
_PRECONDITION = {"PreconditionFailed", "412"}
_CONFLICT = {"ConditionalRequestConflict", "409", "OperationAborted"}
_BUSY = {"SlowDown", "503", "ServiceUnavailable", "RequestTimeTooSkewed", "TooManyRequests"}


def error_code(exc: BaseException) -> str | None:
    """The S3 error code of a botocore ``ClientError`` (``"NoSuchKey"``, ``"404"``...), else None."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    code = (response.get("Error") or {}).get("Code")
    if code:
        return str(code)
    status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
    return str(status) if status else None


def _status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
    return None


def translate(exc: BaseException, url: str, *, op: str = "request", remote: str = "", bucket: str = "",
              precondition: str = "conflict") -> BaseException:
    """The dumont error for ``exc`` raised while doing ``op`` on ``url``.

    ``precondition`` says what a 412 means for this request: ``"exists"`` (an If-None-Match
    write: the object exists) or ``"conflict"`` (an If-Match write or pinned read: someone else
    changed the object). Returns the error (the caller raises it ``from exc``); a
    :class:`DumontError` is returned unchanged.
    """
    if isinstance(exc, DumontError):
        return exc
    code = error_code(exc)
    status = _status(exc)
    name = type(exc).__name__
    if code is None:
        return _transport(exc, url, op, remote, name)
    if code == "NoSuchBucket":
        return NotFoundError(
            f"{url}: bucket {bucket!r} does not exist on remote {remote!r}; check the bucket name", url
        )
    if code in _NOT_FOUND:
        return NotFoundError(f"{url}: no such object", url)
    if code in _DENIED or status == 403:
        return AccessDeniedError(
            f"{url}: access denied by the store ({code}) on {op}; check the credentials and "
            f"permissions of remote {remote!r}",
            url,
        )
    if code in _PRECONDITION or status == 412:
        if precondition == "exists":
            return ExistsError(f"{url}: the object exists (the store refused to overwrite it)", url)
        return ConflictError(
            f"{url}: the object was changed by someone else since it was read; nothing was "
            "written, re-open it and try again"
        )
    if code in _CONFLICT or status == 409:
        return ConflictError(f"{url}: a concurrent write to the object conflicted ({code}); try again")
    if code in ("NotImplemented", "501") or status == 501:
        return NotSupportedError(f"{url}: the store does not implement {op}", url)
    if code in ("InvalidRange", "416"):
        return StoreError(f"{url}: the requested range is outside the object", url, errno.EINVAL)
    if code in _BUSY or status in (500, 502, 503, 504):
        return StoreError(
            f"{url}: the store kept failing ({code}) on {op} after the configured retries "
            "(max_attempts); try again later",
            url,
            errno.EBUSY,
        )
    return StoreError(f"{url}: {op} failed: {code}", url)


def _transport(exc: BaseException, url: str, op: str, remote: str, name: str) -> BaseException:
    if name in ("NoCredentialsError", "PartialCredentialsError", "NoAuthTokenError", "ProfileNotFound"):
        return CredentialError(
            f"{url}: no usable credentials for remote {remote!r} ({name}); set `credentials` or "
            "`profile` for it in the config, or `anonymous: true` for a public bucket"
        )
    if name in ("ConnectTimeoutError", "ReadTimeoutError") or isinstance(exc, TimeoutError):
        return StoreError(
            f"{url}: the store did not answer in time ({name}) on {op}; check the endpoint or "
            "raise connect_timeout/read_timeout",
            url,
            errno.ETIMEDOUT,
        )
    if name in ("EndpointConnectionError", "ConnectionClosedError") or isinstance(exc, ConnectionError):
        return StoreError(
            f"{url}: cannot reach the store of remote {remote!r} ({name}); check `endpoint` and the network",
            url,
            errno.ECONNREFUSED,
        )
    if name == "ParamValidationError":
        return StoreError(f"{url}: invalid request parameters for {op}", url, errno.EINVAL)
    if isinstance(exc, OSError):
        return StoreError(f"{url}: {op} failed: {name}: {exc.strerror or name}", url, exc.errno or errno.EIO)
    return StoreError(f"{url}: {op} failed: {name}", url)
