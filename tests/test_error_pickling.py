"""Errors travel: every error the public API raises pickles round-trip (as a Dask worker's error
comes back to the notebook) with the same type, message, ``errno`` and ``filename``.

Before, every OSError-based dumont error failed to unpickle (``TypeError`` in ``__init__``).
"""

from __future__ import annotations

import pickle

import pytest

import dumont_nb
from dumont_nb import errors
from dumont_nb.config import parse_config
from dumont_nb.magics import commands


def _same(exc: BaseException) -> BaseException:
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is type(exc)
    assert str(back) == str(exc)
    for attr in ("errno", "filename", "strerror"):
        assert getattr(back, attr, None) == getattr(exc, attr, None), attr
    return back


def _raised(fn, *args, **kwargs) -> BaseException:
    with pytest.raises(errors.DumontError) as info:
        fn(*args, **kwargs)
    return info.value


@pytest.mark.parametrize("name", errors.__all__)
def test_every_error_class_round_trips(name):
    cls = getattr(errors, name)
    try:
        exc = cls("a one-line message", "r2://b/k")
    except TypeError:
        exc = cls("a one-line message")
    _same(exc)


def test_errors_the_public_api_raises_round_trip(config, s3, s3_server, bucket, monkeypatch):
    s3.put_object(Bucket=bucket, Key="d/f", Body=b"x")
    s3.put_object(Bucket=bucket, Key="bin", Body=b"\xff\xfe\x00")
    fs = dumont_nb.filesystem("moto", config=config)
    dumont_nb.use_config(config)
    raised = [
        _raised(fs.stat, f"{bucket}/missing"),                    # NotFoundError
        _raised(fs.open, f"{bucket}/d", "rb"),                    # IsADirError
        _raised(fs.mkdir, f"{bucket}/d"),                         # ExistsError
        _raised(fs.readdir, f"{bucket}/d/f"),                     # NotADirError
        _raised(fs.open, f"{bucket}/d/f", "ab"),                  # NotSupportedError
        _raised(fs.rmdir, f"{bucket}/d"),                         # StoreError, ENOTEMPTY
        _raised(fs.rename, f"{bucket}/d", f"{bucket}/d/x"),       # StoreError, EINVAL
        _raised(dumont_nb.parse_url, "not a url"),                # InvalidURLError
        _raised(dumont_nb.filesystem, "nope", config=config),     # UnknownRemoteError
        _raised(parse_config, "remotes:\n  r2: {type: s3, regon: x}\n"),  # ConfigError
        _raised(commands.cat, f"moto://{bucket}/bin"),            # BinaryObjectError
        _raised(commands.rm, f"moto://{bucket}/d", recursive=True),  # NotConfirmedError
    ]
    monkeypatch.delenv("DUMONT_NO_SUCH_VAR", raising=False)
    cred = parse_config({"remotes": {"moto": s3_server.remote_settings(
        credentials={"access_key_id": "env:DUMONT_NO_SUCH_VAR", "secret_access_key": "env:DUMONT_NO_SUCH_VAR"})}})
    raised.append(_raised(dumont_nb.filesystem("moto", config=cred).stat, f"{bucket}/d"))  # CredentialError

    def deny(req):
        if req.op == "HeadObject":
            return 403, {}, b""
        return None

    s3_server.faults.append(deny)
    try:
        raised.append(_raised(fs.stat, f"{bucket}/d/f"))  # AccessDeniedError
    finally:
        s3_server.faults.remove(deny)
    kinds = {type(e).__name__ for e in raised}
    assert kinds >= {"NotFoundError", "IsADirError", "ExistsError", "NotADirError", "NotSupportedError",
                     "StoreError", "InvalidURLError", "UnknownRemoteError", "ConfigError", "BinaryObjectError",
                     "NotConfirmedError", "CredentialError", "AccessDeniedError"}, kinds
    for exc in raised:
        back = _same(exc)
        for builtin in (FileNotFoundError, FileExistsError, IsADirectoryError, NotADirectoryError, PermissionError,
                        ValueError, KeyError):
            assert isinstance(back, builtin) == isinstance(exc, builtin)
