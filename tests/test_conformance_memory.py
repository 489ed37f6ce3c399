"""The conformance suite against the in-memory reference model, without and with ``emulate``."""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("dumont_nb.testing.conformance")

from dumont_nb.testing import MemoryFileSystem  # noqa: E402
from dumont_nb.testing.conformance import (  # noqa: E402
    DirectoryContract,
    EmulateContract,
    MemoryOracle,
    ReadContract,
    RenameContract,
    UnsupportedContract,
    WriteContract,
)


@pytest.fixture
def fs():
    return MemoryFileSystem(buckets=["conf"])


@pytest.fixture
def root():
    return "conf/root"


@pytest.fixture
def oracle(fs):
    return MemoryOracle(fs)


@pytest.fixture
def request_log():
    return None  # no server: the suite's oracle checks stand in for request counts


@pytest.fixture
def deviations():
    return frozenset({"no-request-log"})


class TestMemory(ReadContract, WriteContract, DirectoryContract, RenameContract, UnsupportedContract, EmulateContract):
    """Plain S3 semantics: update modes refused."""


class TestMemoryEmulate(UnsupportedContract, EmulateContract, WriteContract):
    """``emulate=True``: read-modify-write with a conditional commit."""

    @pytest.fixture
    def fs(self):
        return MemoryFileSystem(buckets=["conf"], emulate=True)
