"""Fixtures shared by the ``test_magics*.py`` files: a real IPython shell with the extension."""

from __future__ import annotations

import pytest

from dumont_nb.vfs import registry
from dumont_nb import api
from dumont_nb.config import parse_config

CANARY_KEY = "AKIACANARYKEY7731"
CANARY_SECRET = "canary-s3cr3t-Zq8Vn2Lw"


@pytest.fixture(scope="session")
def ipython():
    """The process's InteractiveShell with ``%load_ext dumont_nb`` done once."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.extension_manager.load_extension("dumont_nb")
    return shell


@pytest.fixture
def ip(ipython, config, monkeypatch):
    """The shell, with the test server's ``moto`` remote as the active config."""
    monkeypatch.setattr(registry, "_active", config)
    return ipython


def activate(config_or_mapping):
    """Make a config the active one (restored by the ``ip`` fixture's monkeypatch)."""
    cfg = config_or_mapping if not isinstance(config_or_mapping, dict) else parse_config(config_or_mapping, source="<test>")
    registry._active = cfg
    return cfg


@pytest.fixture
def canary_config(s3_server, monkeypatch):
    """A ``moto`` remote whose credentials come from env vars holding canary values."""
    monkeypatch.setenv("DUMONT_CANARY_KEY", CANARY_KEY)
    monkeypatch.setenv("DUMONT_CANARY_SECRET", CANARY_SECRET)
    settings = s3_server.remote_settings(
        credentials={"access_key_id": "env:DUMONT_CANARY_KEY", "secret_access_key": "env:DUMONT_CANARY_SECRET"}
    )
    return parse_config({"remotes": {"moto": settings}}, source="<canary>")


def line(ip, text: str):
    """``%dumont <text>`` the way a cell runs it (so $var and {expr} are expanded)."""
    return ip.run_line_magic("dumont", text)
