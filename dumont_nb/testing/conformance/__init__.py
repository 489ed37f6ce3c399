"""dumont's file-system contract as a reusable test suite (like ``fsspec/tests/abstract``).

A backend joins by subclassing the mixins in a test module and providing fixtures::

    class TestMyStore(ReadContract, WriteContract, DirectoryContract, RenameContract,
                      UnsupportedContract, EmulateContract):
        pass

Fixtures the mixins use:

- ``fs``: the :class:`~dumont_nb.vfs.base.FileSystem` under test;
- ``root``: a fresh ``bucket/prefix`` (or ``bucket``) path with nothing under it;
- ``oracle``: an independent raw view of the store (:class:`Oracle`; :class:`Boto3Oracle` for S3);
- ``request_log``: the server's request log (``clear()``, ``requests(op)`` of objects with
  ``op``, ``key``, ``headers``, ``body_length``, ``status``), or ``None`` if the store has none;
- ``deviations``: a set of names from :data:`DEVIATIONS` the store is known to have. A deviation
  changes a test's *expectation* (which is then asserted), never skips it silently.

The emulate tests run against whatever ``fs`` is given: they assert NotSupportedError when
``fs.capabilities.append`` is false and the read-modify-write contract when it is true.
"""

from .files import EmulateContract, ReadContract, UnsupportedContract, WriteContract
from .support import DEVIATIONS, MIB, Boto3Oracle, MemoryOracle, Oracle
from .tree import DirectoryContract, RenameContract

__all__ = [
    "Oracle", "Boto3Oracle", "MemoryOracle", "DEVIATIONS", "ReadContract", "WriteContract", "DirectoryContract",
    "RenameContract", "UnsupportedContract", "EmulateContract", "MIB",
]
