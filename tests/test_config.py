"""Config discovery, schema and every validation error with its message."""

from __future__ import annotations

import pytest

from dumont_nb import ConfigError
from dumont_nb.config import FIELDS, Config, parse_config, read_config

GOOD = """
remotes:
  aws:
    type: s3
    region: us-east-1
    credentials:
      access_key_id: env:AWS_ACCESS_KEY_ID
      secret_access_key: keychain:dumont/aws
  r2:
    type: s3
    endpoint: https://acct.r2.cloudflarestorage.com
    region: auto
    path_style: true
    credentials: {access_key_id: env:R2_ACCESS_KEY_ID, secret_access_key: env:R2_SECRET_ACCESS_KEY}
  public:
    type: s3
    anonymous: true
    buckets: [open-data, more-data]
"""


def write(tmp_path, text):
    p = tmp_path / "config.yaml"
    p.write_text(text)
    return p


def test_spec_example_parses(tmp_path):
    cfg = read_config(write(tmp_path, GOOD))
    assert set(cfg.remotes) == {"aws", "r2", "public"}
    r2 = cfg.remotes["r2"]
    assert (r2.endpoint, r2.region, r2.path_style, r2.emulate) == (
        "https://acct.r2.cloudflarestorage.com", "auto", True, False)
    assert r2.credentials.secret_access_key.kind == "env"
    assert r2.credentials.secret_access_key.target == "R2_SECRET_ACCESS_KEY"
    assert cfg.remotes["aws"].credentials.secret_access_key.kind == "keychain"
    assert cfg.remotes["public"].buckets == ("open-data", "more-data")
    assert cfg.remotes["public"].anonymous is True
    assert cfg.path == tmp_path / "config.yaml"


def test_checksum_default_depends_on_endpoint(tmp_path):
    cfg = read_config(write(tmp_path, GOOD))
    assert cfg.remotes["r2"].checksum_mode == "when_required"
    assert cfg.remotes["aws"].checksum_mode == "when_supported"
    cfg = parse_config({"remotes": {"mm": {"type": "s3", "endpoint": "http://x:9000", "checksums": "when_supported"}}})
    assert cfg.remotes["mm"].checksum_mode == "when_supported"


def test_discovery_env_var(tmp_path, monkeypatch):
    p = write(tmp_path, GOOD)
    monkeypatch.setenv("DUMONT_CONFIG", str(p))
    assert set(read_config().remotes) == {"aws", "r2", "public"}


def test_discovery_user_config_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("DUMONT_CONFIG")
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_config_dir", lambda *a, **k: str(tmp_path))
    assert read_config().remotes == {}  # no file: an empty config, not an error
    (tmp_path / "config.yaml").write_text(GOOD)
    assert set(read_config().remotes) == {"aws", "r2", "public"}


def test_explicit_missing_file_is_an_error(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match=r"nope\.yaml: config file not found"):
        read_config(tmp_path / "nope.yaml")
    monkeypatch.setenv("DUMONT_CONFIG", str(tmp_path / "gone.yaml"))
    with pytest.raises(ConfigError, match=r"gone\.yaml: config file not found \(from \$DUMONT_CONFIG\)"):
        read_config()


def test_empty_file_is_empty_config(tmp_path):
    assert read_config(write(tmp_path, "")).remotes == {}


def test_yaml_syntax_error_has_line_number(tmp_path):
    p = write(tmp_path, "remotes:\n  r2:\n    type: s3\n    region: [auto\n")
    with pytest.raises(ConfigError) as e:
        read_config(p)
    msg = str(e.value)
    assert msg.startswith(f"{p}, line ")
    assert "YAML syntax error" in msg and "\n" not in msg


def test_config_error_is_value_error():
    assert issubclass(ConfigError, ValueError)


CASES = [
    # (remote body or document, expected message fragment)
    ([1, 2], "expected a mapping with a `remotes:` key at the top level, got a list"),
    ({"remote": {}}, "unknown top-level key 'remote'; did you mean 'remotes'?"),
    ({"remotes": [1]}, "`remotes` must be a mapping"),
    ({"remotes": {"R2": {"type": "s3"}}}, "remote 'R2': invalid name"),
    ({"remotes": {"r": {"type": "s3"}}}, "remote 'r': invalid name"),
    ({"remotes": {"r2": "s3"}}, "remote 'r2': expected a mapping of settings, got a string"),
    ({"remotes": {"r2": {"region": "auto"}}}, "remote 'r2', field 'type': missing; add `type: s3`"),
    ({"remotes": {"r2": {"type": "gcs"}}}, "remote 'r2', field 'type': expected 's3'"),
    ({"remotes": {"r2": {"type": "s3", "regon": "auto"}}}, "remote 'r2', field 'regon': unknown field; did you mean 'region'?"),
    ({"remotes": {"r2": {"type": "s3", "endpiont": "http://x"}}}, "did you mean 'endpoint'?"),
    ({"remotes": {"r2": {"type": "s3", "path_style": "yes"}}}, "field 'path_style': expected true or false, got 'yes'"),
    ({"remotes": {"r2": {"type": "s3", "emulate": 1}}}, "field 'emulate': expected true or false"),
    ({"remotes": {"r2": {"type": "s3", "anonymous": "no"}}}, "field 'anonymous': expected true or false"),
    ({"remotes": {"r2": {"type": "s3", "region": 5}}}, "field 'region': expected a non-empty string"),
    ({"remotes": {"r2": {"type": "s3", "endpoint": "ftp://x"}}}, "field 'endpoint': expected an http(s) URL"),
    ({"remotes": {"r2": {"type": "s3", "endpoint": "localhost:9000"}}}, "field 'endpoint': expected an http(s) URL"),
    ({"remotes": {"r2": {"type": "s3", "endpoint": "http://h:99999"}}}, "field 'endpoint': invalid port"),
    ({"remotes": {"r2": {"type": "s3", "endpoint": ["http://x"]}}}, "field 'endpoint': expected an http(s) URL"),
    ({"remotes": {"r2": {"type": "s3", "checksums": "always"}}}, "field 'checksums': expected one of when_required, when_supported"),
    ({"remotes": {"r2": {"type": "s3", "conditional_writes": "maybe"}}}, "field 'conditional_writes': expected one of require, fallback"),
    ({"remotes": {"r2": {"type": "s3", "max_attempts": 0}}}, "field 'max_attempts': expected a whole number from 1 to 20"),
    ({"remotes": {"r2": {"type": "s3", "read_timeout": -1}}}, "field 'read_timeout': expected a positive number"),
    ({"remotes": {"r2": {"type": "s3", "buckets": "data"}}}, "field 'buckets': expected a list of bucket names"),
    ({"remotes": {"r2": {"type": "s3", "credentials": "env:X"}}}, "field 'credentials': expected a mapping"),
    ({"remotes": {"r2": {"type": "s3", "credentials": {"access_key_id": "env:A"}}}},
     "field 'credentials.secret_access_key': missing"),
    ({"remotes": {"r2": {"type": "s3", "credentials": {"access_key": "env:A", "secret_access_key": "env:B"}}}},
     "field 'credentials.access_key': unknown field; did you mean 'access_key_id'?"),
    ({"remotes": {"r2": {"type": "s3", "credentials": {"access_key_id": "env:", "secret_access_key": "env:B"}}}},
     "field 'credentials.access_key_id': env: reference needs a variable name"),
    ({"remotes": {"r2": {"type": "s3", "credentials": {"access_key_id": "env:A", "secret_access_key": "keychain:dumont"}}}},
     "field 'credentials.secret_access_key': keychain: reference must be keychain:service/account"),
    ({"remotes": {"r2": {"type": "s3", "credentials": {"access_key_id": "env:A", "secret_access_key": 12}}}},
     "field 'credentials.secret_access_key': expected env:NAME"),
    ({"remotes": {"r2": {"type": "s3", "anonymous": True, "credentials": {"access_key_id": "a", "secret_access_key": "b"}}}},
     "field 'anonymous': cannot be true together with a credentials block"),
]


@pytest.mark.parametrize("doc, fragment", CASES)
def test_validation_errors(tmp_path, doc, fragment):
    import yaml

    p = write(tmp_path, yaml.safe_dump(doc))
    with pytest.raises(ConfigError) as e:
        read_config(p)
    msg = str(e.value)
    assert fragment in msg
    assert msg.startswith(str(p)), "the message names the file"
    assert "\n" not in msg, "one line"


def test_endpoint_with_userinfo_is_refused_without_echoing_the_password():
    with pytest.raises(ConfigError) as e:
        parse_config({"remotes": {"r2": {"type": "s3", "endpoint": "https://AKIA:hunter2secret@s3.example.com"}}})
    assert "hunter2secret" not in str(e.value) and "AKIA" not in str(e.value)
    assert "move them to the credentials block" in str(e.value)


def test_literal_secret_never_in_errors_or_repr():
    doc = {"remotes": {"r2": {"type": "s3", "credentials": {"access_key_id": "AKIAEXAMPLE", "secret_access_key": "s3cr3t-literal"}}}}
    cfg = parse_config(doc)
    assert "s3cr3t-literal" not in repr(cfg) and "s3cr3t-literal" not in str(cfg)
    bad = {"remotes": {"r2": {"type": "s3", "credentials": {"access_key_id": "AKIAEXAMPLE", "secret_access_key": "s3cr3t-literal", "x": 1}}}}
    with pytest.raises(ConfigError) as e:
        parse_config(bad)
    assert "s3cr3t-literal" not in str(e.value)


def test_every_field_is_documented_and_parses():
    doc = {"remotes": {"full": {
        "type": "s3", "endpoint": "https://minio.local:9000/", "region": "eu-west-1", "path_style": True,
        "emulate": True, "credentials": {"access_key_id": "env:A", "secret_access_key": "env:B", "session_token": "env:C"},
        "buckets": ["a-bucket"], "checksums": "when_required", "conditional_writes": "fallback",
        "max_attempts": 3, "connect_timeout": 2, "read_timeout": 5.5, "verify_ssl": False, "override_protocol": True,
    }}}
    r = parse_config(doc).remotes["full"]
    assert r.endpoint == "https://minio.local:9000"
    assert r.credentials.session_token.target == "C"
    assert (r.max_attempts, r.connect_timeout, r.read_timeout, r.verify_ssl) == (3, 2.0, 5.5, False)
    assert set(doc["remotes"]["full"]) <= set(FIELDS)
    assert all(FIELDS[f] for f in FIELDS)


def test_round_trip_to_dict_keeps_references():
    cfg = parse_config(GOOD)
    again = parse_config(cfg.to_dict())
    assert again.remotes == cfg.remotes


def test_unknown_remote_lists_configured_names():
    from dumont_nb import UnknownRemoteError

    cfg = parse_config(GOOD)
    with pytest.raises(UnknownRemoteError, match=r"unknown remote 'r3'; configured remotes: aws, public, r2"):
        cfg.remote("r3")
    assert isinstance(Config(), Config)


def test_readme_documents_every_field():
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for name in FIELDS:
        assert f"| `{name}` |" in readme, name


def test_r2_endpoint_defaults_region_auto():
    r = parse_config({"remotes": {"r2": {"type": "s3", "endpoint": "https://acct.r2.cloudflarestorage.com"}}}).remotes["r2"]
    assert r.region == "auto" and r.checksum_mode == "when_required"
    other = parse_config({"remotes": {"mm": {"type": "s3", "endpoint": "http://localhost:9000"}}}).remotes["mm"]
    assert other.region is None
