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

__all__ = ["translate", "error_code", "CODES", "TRANSPORT"]

#: store answers: (error codes, HTTP statuses, error class, errno, message template). The first row
#: whose code or status matches wins; templates take ``url``, ``code``, ``op``, ``remote``, ``bucket``.
CODES: list[tuple[frozenset[str], frozenset[int], type, int | None, str]] = [
    (frozenset({"NoSuchBucket"}), frozenset(), NotFoundError, errno.ENOENT,
     "{url}: bucket {bucket!r} does not exist on remote {remote!r}; check the bucket name"),
    (frozenset({"NoSuchKey", "NotFound", "404", "NoSuchUpload", "NoSuchVersion"}), frozenset({404}), NotFoundError,
     errno.ENOENT, "{url}: no such object"),
    (frozenset({"AccessDenied", "403", "Forbidden", "AllAccessDisabled", "InvalidAccessKeyId", "SignatureDoesNotMatch",
                "ExpiredToken", "InvalidToken", "AccountProblem"}), frozenset({403}), AccessDeniedError, errno.EACCES,
     "{url}: access denied by the store ({code}) on {op}; check the credentials and permissions of remote {remote!r}"),
    (frozenset({"PreconditionFailed", "412"}), frozenset({412}), ConflictError, None,
     "{url}: the object was changed by someone else since it was read; nothing was written, re-open it and try again"),
    (frozenset({"ConditionalRequestConflict", "409", "OperationAborted"}), frozenset({409}), ConflictError, None,
     "{url}: a concurrent write to the object conflicted ({code}); try again"),
    (frozenset({"NotImplemented", "501"}), frozenset({501}), NotSupportedError, errno.ENOTSUP,
     "{url}: the store does not implement {op}"),
    (frozenset({"InvalidRange", "416"}), frozenset({416}), StoreError, errno.EINVAL,
     "{url}: the requested range is outside the object"),
    (frozenset({"SlowDown", "503", "ServiceUnavailable", "RequestTimeTooSkewed", "TooManyRequests"}),
     frozenset({500, 502, 503, 504}), StoreError, errno.EBUSY,
     "{url}: the store kept failing ({code}) on {op} after the configured retries (max_attempts); try again later"),
]
#: a 412 on an If-None-Match write (``precondition="exists"``): the object exists
EXISTS = (ExistsError, errno.EEXIST, "{url}: the object exists (the store refused to overwrite it)")

#: transport failures: (botocore exception class names, builtin classes, error class, errno, template),
#: matched with ``isinstance`` on botocore's classes (the first row that matches wins)
TRANSPORT: list[tuple[tuple[str, ...], tuple[type, ...], type, int | None, str]] = [
    (("NoCredentialsError", "PartialCredentialsError", "NoAuthTokenError", "ProfileNotFound"), (), CredentialError, None,
     "{url}: no usable credentials for remote {remote!r} ({name}); set `credentials` or `profile` for it in the "
     "config, or `anonymous: true` for a public bucket"),
    (("ConnectTimeoutError", "ReadTimeoutError"), (TimeoutError,), StoreError, errno.ETIMEDOUT,
     "{url}: the store did not answer in time ({name}) on {op}; check the endpoint or raise connect_timeout/read_timeout"),
    (("EndpointConnectionError", "ConnectionClosedError"), (ConnectionError,), StoreError, errno.ECONNREFUSED,
     "{url}: cannot reach the store of remote {remote!r} ({name}); check `endpoint` and the network"),
    (("ParamValidationError",), (), StoreError, errno.EINVAL, "{url}: invalid request parameters for {op}"),
]


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


def _make(cls: type, code: int | None, message: str, url: str) -> BaseException:
    if issubclass(cls, OSError):
        return cls(message, url) if code is None or cls is not StoreError else cls(message, url, code)
    return cls(message)


def translate(exc: BaseException, url: str, *, op: str = "request", remote: str = "", bucket: str = "",
              precondition: str = "conflict") -> BaseException:
    """The dumont error for ``exc`` raised while doing ``op`` on ``url``, from :data:`CODES`
    (a store's answer) or :data:`TRANSPORT` (no answer).

    ``precondition`` says what a 412 means for this request: ``"exists"`` (an If-None-Match
    write: the object exists) or ``"conflict"`` (an If-Match write or pinned read: someone else
    changed the object). Returns the error (the caller raises it ``from exc``); a
    :class:`DumontError` is returned unchanged.
    """
    if isinstance(exc, DumontError):
        return exc
    code, status = error_code(exc), _status(exc)
    fields = {"url": url, "op": op, "remote": remote, "bucket": bucket, "code": code, "name": type(exc).__name__}
    if code is None:
        return _transport(exc, fields)
    for codes, statuses, cls, err, template in CODES:
        if code in codes or status in statuses:
            if cls is ConflictError and (code in ("PreconditionFailed", "412") or status == 412) and precondition == "exists":
                cls, err, template = EXISTS
            return _make(cls, err, template.format(**fields), url)
    return StoreError(f"{url}: {op} failed: {code}", url)


def _transport(exc: BaseException, fields: dict) -> BaseException:
    import botocore.exceptions as bx

    url = fields["url"]
    for names, builtins, cls, err, template in TRANSPORT:
        kinds = tuple(getattr(bx, n) for n in names if hasattr(bx, n)) + builtins
        if isinstance(exc, kinds):
            return _make(cls, err, template.format(**fields), url)
    if isinstance(exc, OSError):
        return StoreError(f"{url}: {fields['op']} failed: {fields['name']}: {exc.strerror or fields['name']}", url,
                          exc.errno or errno.EIO)
    return StoreError(f"{url}: {fields['op']} failed: {fields['name']}", url)
