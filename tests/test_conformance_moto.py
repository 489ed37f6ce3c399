"""The conformance suite against moto's S3 server (in-process), without and with ``emulate``."""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("dumont_nb.testing.conformance")

from dumont_nb.testing.conformance import (  # noqa: E402
    Boto3Oracle,
    DirectoryContract,
    EmulateContract,
    ReadContract,
    RenameContract,
    UnsupportedContract,
    WriteContract,
)


@pytest.fixture
def root(bucket):
    return f"{bucket}/conf"


@pytest.fixture
def oracle(s3):
    return Boto3Oracle(s3)


@pytest.fixture
def deviations():
    return frozenset()  # moto enforces If-Match / If-None-Match on PutObject and lists uploads


class TestMoto(ReadContract, WriteContract, DirectoryContract, RenameContract, UnsupportedContract, EmulateContract):
    """Plain S3 semantics: update modes refused."""


class TestMotoEmulate(UnsupportedContract, EmulateContract, WriteContract):
    """``emulate: true``: read-modify-write with a conditional commit."""

    @pytest.fixture
    def fs(self, emulate_config):
        from dumont_nb.api import filesystem

        return filesystem("moto", config=emulate_config)
