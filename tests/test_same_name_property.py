"""Property: on random trees where objects and folders share names, random deletes and moves
through the vfs, fsspec and the magics lose nothing a model of the store would keep.

Each example builds a tree under its own prefix (objects ``a``, folders ``a/`` with files, empty
sub-folders as markers), then runs operations, each through a surface Hypothesis picks, and
checks the whole prefix with boto3 against the model after every step.
"""

from __future__ import annotations

import itertools

import fsspec
import pytest
from _magics import ip, ipython, line  # noqa: F401  (fixtures)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from IPython.core.error import UsageError

from dumont_nb.vfs import registry
from dumont_nb import api
from dumont_nb.protocols import register_remotes

NAMES = ("a", "b", "c")
SURFACES = ("vfs", "fsspec", "magic")
_prefixes = itertools.count()

trees = st.fixed_dictionaries({
    n: st.fixed_dictionaries({
        "object": st.booleans(),
        "files": st.sets(st.sampled_from(["x", "y/z", "a"]), max_size=2),
        "empty": st.booleans(),
    }) for n in NAMES
})
ops = st.lists(st.tuples(
    st.sampled_from(["rm_folder", "rm_object", "mv_folder", "mv_object"]),
    st.sampled_from(NAMES), st.sampled_from(NAMES), st.sampled_from(SURFACES),
), min_size=1, max_size=5)


def _under(model: dict, name: str) -> list[str]:
    return [k for k in model if k.startswith(name + "/")]


def _expect(model: dict, op: str, src: str, dst: str) -> dict | None:
    """The model after the operation, or None where it must fail and change nothing."""
    new = dict(model)
    if op == "rm_folder":
        if not _under(model, src):
            return None
        for k in _under(model, src):
            del new[k]
    elif op == "rm_object":
        if src not in model:
            return None
        del new[src]
    elif op == "mv_folder":
        if not _under(model, src) or dst in model:  # nothing to move, or a folder onto an object
            return None
        for k in _under(model, src):
            new[dst + k[len(src):]] = new.pop(k)
    elif op == "mv_object":  # written without "/": the object if there is one, else the folder
        if src not in model:
            return _expect(model, "mv_folder", src, dst)
        if _under(model, dst):  # an object onto a folder
            return None
        new[dst] = new.pop(src)
    return new


def _apply(surface: str, op: str, bucket: str, src: str, dst: str, ip) -> None:
    folder = op.endswith("folder")
    s, d = f"{bucket}/{src}" + ("/" if folder else ""), f"{bucket}/{dst}" + ("/" if folder else "")
    if surface == "vfs":
        fs = api.filesystem("moto")
        if op == "rm_folder":
            if fs.remove_all(s) == 0:
                raise FileNotFoundError(s)
        elif op == "rm_object":
            fs.remove(s)
        else:
            fs.rename(s, d)
    elif surface == "fsspec":
        ffs = fsspec.filesystem("moto")
        if op == "rm_folder":
            ffs.rm(f"moto://{s}", recursive=True)
        elif op == "rm_object":
            ffs.rm_file(f"moto://{s}")
        else:
            ffs.mv(f"moto://{s}", f"moto://{d}")
    else:
        if op == "rm_folder":
            line(ip, f"rm -r -y moto://{s}")
        elif op == "rm_object":
            line(ip, f"rm moto://{s}")
        else:
            line(ip, f"mv moto://{s} moto://{d.rstrip('/')}")  # no "/" on dst: the new name, not "into"


def _listing(s3, bucket: str, prefix: str) -> dict:
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", ()):
            out[o["Key"][len(prefix):]] = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
    return out


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=trees, steps=ops)
def test_random_deletes_and_moves_lose_nothing(ip, config, s3, bucket, tree, steps):
    register_remotes(config)
    registry._active = config
    prefix = f"p{next(_prefixes)}/"
    model: dict[str, bytes] = {}
    for name, spec in tree.items():
        if spec["object"]:
            model[name] = f"object {name}".encode()
        for f in spec["files"]:
            model[f"{name}/{f}"] = f"file {name}/{f}".encode()
        if spec["empty"]:
            model[f"{name}/e/"] = b""
    for k, v in model.items():
        s3.put_object(Bucket=bucket, Key=prefix + k, Body=v)
    for op, src, dst, surface in steps:
        if op.startswith("mv") and src == dst:
            continue
        expected = _expect(model, op, src, dst)
        try:
            _apply(surface, op, bucket + "/" + prefix.rstrip("/"), src, dst, ip)
        except (OSError, UsageError) as exc:
            assert expected is None, f"{surface} {op} {src} {dst}: unexpected {type(exc).__name__}: {exc}"
        else:
            assert expected is not None, f"{surface} {op} {src} {dst}: succeeded where the model refuses"
            model = expected
        assert _listing(s3, bucket, prefix) == model, f"after {surface} {op} {src} → {dst}"
