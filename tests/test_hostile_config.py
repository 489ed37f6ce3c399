"""Hostile and careless configs: a bounded, one-line ``ConfigError``, never a raw exception.

Bug class (reliability review): a 406-byte billion-laughs config took 51 s and 3.3 GiB (the
error message expanded the value with ``!r``); other malformed values raised ``ValueError``,
``RecursionError`` or loaded and failed later; duplicate remotes were silently merged; and
``to_dict`` carried literal credentials. Each case goes through ``read_config`` (the file a
user writes) or ``dumont-nb config check`` (the CLI).
"""

from __future__ import annotations

import subprocess
import sys
import tracemalloc

import pytest

from dumont_nb.config import parse_config, read_config
from dumont_nb.errors import ConfigError


def _laughs(depth: int = 9, where: str = "region") -> str:
    lines = ["a0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, depth + 1)]
    return "\n".join(lines) + f"\nremotes:\n  r2: {{type: s3, {where}: *l{depth}}}\n"


CASES = {
    "billion laughs in a field": (_laughs(), "expands to more than"),
    "laughs as an unknown field's value": (_laughs(where="regon"), "expands to more than"),
    "recursive alias": ("remotes: &a {r2: *a}\n", "recursive alias"),
    "broken IPv6 endpoint": ("remotes:\n  r2: {type: s3, endpoint: 'http://[::1'}\n", "field 'endpoint': not a valid URL"),
    "20,000 nested brackets": ("remotes: " + "[" * 20000 + "\n", "nests too deeply"),
    "5,000-digit max_attempts": ("remotes:\n  r2: {type: s3, max_attempts: " + "9" * 5000 + "}\n", "cannot be read"),
    "newline in endpoint": ('remotes:\n  r2: {type: s3, endpoint: "http://s3.example.com\\n"}\n', "no spaces or control characters"),
    "trailing newline in a name": ('remotes:\n  "r2\\n": {type: s3}\n', "invalid name"),
    "duplicate remote": ("remotes:\n  r2: {type: s3}\n  r2: {type: s3, region: eu}\n", "appears twice"),
    "duplicate field": ("remotes:\n  r2: {type: s3, region: a, region: b}\n", "appears twice"),
    "huge document": ("remotes: {}\n#" + "x" * (2 << 20) + "\n", "a config file is at most"),
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", list(CASES))
def test_hostile_config_file_is_one_bounded_config_error(name, tmp_path):
    text, expected = CASES[name]
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    tracemalloc.start()
    try:
        with pytest.raises(ConfigError) as info:
            read_config(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert expected in message, message
    assert message.startswith(str(path)) and "\n" not in message.strip()
    assert len(message) < 400
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MiB to refuse a {len(text)}-character config"


def test_hostile_value_given_as_a_mapping_is_shown_bounded():
    deep: list = ["lol"] * 9
    for _ in range(9):
        deep = [deep] * 9  # shared, as YAML aliases are: 9**10 leaves
    with pytest.raises(ConfigError) as info:
        parse_config({"remotes": {"r2": {"type": "s3", "region": deep}}})
    assert len(str(info.value)) < 400
    with pytest.raises(ConfigError, match="whole number from 1 to 20, got a number of about"):
        parse_config({"remotes": {"r2": {"type": "s3", "max_attempts": 10**5000}}})


def test_cli_config_check_reports_the_billion_laughs_in_one_line(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(_laughs(), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "dumont_nb.cli", "config", "check", "--config", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "expands to more than" in proc.stderr and "Traceback" not in proc.stderr


def test_to_dict_never_carries_a_literal_credential():
    cfg = parse_config({"remotes": {"r2": {"type": "s3", "credentials": {
        "access_key_id": "AKIALITERAL0001", "secret_access_key": "literal-secret-value-123",
        "session_token": "env:TOKEN_VAR"}}}})
    for shown in (str(cfg.to_dict()), str(cfg.remote("r2").to_dict())):
        assert "literal-secret-value-123" not in shown and "AKIALITERAL0001" not in shown
        assert "env:TOKEN_VAR" in shown  # references travel as they are
    with pytest.raises(ConfigError, match="credentials.access_key_id"):
        parse_config(cfg.to_dict())  # a redacted literal fails loudly, never with other credentials
    kept = cfg.remote("r2").to_dict(literal_secrets=True)  # for pickling to a worker only
    assert kept["credentials"]["secret_access_key"] == "literal-secret-value-123"
