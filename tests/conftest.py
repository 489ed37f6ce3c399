"""Fixtures: one in-process moto S3 server per session, a fresh bucket and config per test."""

from __future__ import annotations

import itertools
import os
import uuid

import keyring
import keyring.backend
import pytest

from dumont_nb.config import parse_config
from dumont_nb.testing.server import MotoS3Server

_counter = itertools.count()


@pytest.fixture(autouse=True)
def _isolated_user_config(tmp_path_factory, monkeypatch):
    """Never read or write the developer's own config or bookmarks."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("DUMONT_CONFIG", str(home / "config.yaml"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    for var in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on 127.0.0.1 at a random port; ``.log`` holds every request."""
    with MotoS3Server() as server:
        yield server


@pytest.fixture
def s3(s3_server):
    """A plain boto3 client: the independent oracle."""
    return s3_server.boto3_client()


@pytest.fixture
def bucket(s3_server, s3):
    """A fresh, empty bucket; the request log is cleared after it is made."""
    name = f"t{next(_counter):04d}-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    s3_server.clear()
    return name


@pytest.fixture
def config(s3_server):
    """A Config with a remote ``moto`` on the test server."""
    return parse_config({"remotes": {"moto": s3_server.remote_settings()}}, source="<test>")


@pytest.fixture
def emulate_config(s3_server):
    """A Config with a remote ``moto`` on the test server and ``emulate: true``."""
    return parse_config({"remotes": {"moto": s3_server.remote_settings(emulate=True)}}, source="<test>")


@pytest.fixture
def fs(config):
    """The vfs FileSystem of the ``moto`` remote."""
    from dumont_nb.api import filesystem

    return filesystem("moto", config=config)


@pytest.fixture
def request_log(s3_server):
    """The server's request log, cleared at the start of the test."""
    s3_server.clear()
    return s3_server


@pytest.fixture(scope="session")
def s3rver_server():
    """s3rver (npm) on 127.0.0.1 at a free port with a temp data dir; installed on first use."""
    from dumont_nb.testing.s3rver import S3rverServer

    with S3rverServer() as server:
        yield server



class MemoryKeyring(keyring.backend.KeyringBackend):
    """A real keyring backend that keeps passwords in a dict."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.store = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    """An in-memory keyring backend, installed with keyring.set_keyring for the test."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
