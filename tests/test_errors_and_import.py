"""The error tree, and that `import dumont_nb` stays light."""

from __future__ import annotations

import errno
import io
import subprocess
import sys

import dumont_nb
from dumont_nb import errors


def test_hierarchy():
    assert issubclass(errors.ConfigError, (dumont_nb.DumontError, ValueError))
    assert issubclass(errors.InvalidURLError, ValueError)
    assert issubclass(errors.NotSupportedError, io.UnsupportedOperation)
    assert issubclass(errors.NotFoundError, FileNotFoundError)
    assert issubclass(errors.ExistsError, FileExistsError)
    assert issubclass(errors.IsADirError, IsADirectoryError)
    assert issubclass(errors.NotADirError, NotADirectoryError)
    assert issubclass(errors.AccessDeniedError, PermissionError)
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, errors.DumontError), name
        assert cls.__doc__, name
        assert name in dumont_nb.__all__ or name in ("NotFoundError", "ExistsError", "IsADirError", "NotADirError"), name


def test_oserror_subclasses_keep_errno_and_one_line():
    e = errors.NotFoundError("no such object: r2://b/k", "b/k")
    assert e.errno == errno.ENOENT and e.filename == "b/k"
    assert str(e) == "no such object: r2://b/k"
    n = errors.NotSupportedError("append is not supported on r2 (see capabilities)")
    assert n.errno == errno.ENOTSUP and str(n).startswith("append")
    assert str(errors.UnknownRemoteError("unknown remote 'x'")) == "unknown remote 'x'"


def test_import_is_light():
    code = "import sys, dumont_nb; print(sorted(m for m in ('pandas','s3fs','ipywidgets','IPython','botocore','aiobotocore','fsspec') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_importtime_shows_no_heavy_module():
    res = subprocess.run([sys.executable, "-X", "importtime", "-c", "import dumont_nb"], capture_output=True, text=True, check=True)
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in res.stderr.splitlines() if "|" in line}
    assert "dumont_nb" in imported
    assert not imported & {"pandas", "s3fs", "ipywidgets"}


def test_public_face_resolves_lazily():
    assert callable(dumont_nb.load_config) and callable(dumont_nb.filesystem)
    assert dumont_nb.parse_url("r2://bkt/k").key == "k"
