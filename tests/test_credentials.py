"""env:/keychain:/literal credential references, resolution errors and redaction."""

from __future__ import annotations

import logging
import pickle

import keyring
import keyring.backends.fail
import pytest

from dumont_nb import CredentialError
from dumont_nb.config import parse_config
from dumont_nb.credentials import CredentialRef, Secret, parse_ref

CANARY = "CANARY-s3cr3t-9f2b7"


def test_parse_ref_kinds():
    assert parse_ref("env:AWS_SECRET") == CredentialRef("env", "AWS_SECRET")
    assert parse_ref("keychain:dumont/aws") == CredentialRef("keychain", "dumont/aws")
    assert parse_ref("plain-value") == CredentialRef("literal", "plain-value")


def test_env_resolves(monkeypatch):
    monkeypatch.setenv("DUMONT_TEST_SECRET", CANARY)
    secret = parse_ref("env:DUMONT_TEST_SECRET").resolve()
    assert secret.reveal() == CANARY


def test_env_missing_names_reference_only(monkeypatch):
    monkeypatch.delenv("DUMONT_MISSING", raising=False)
    with pytest.raises(CredentialError, match=r"credential env:DUMONT_MISSING: environment variable DUMONT_MISSING is not set"):
        parse_ref("env:DUMONT_MISSING").resolve()


def test_env_empty_is_missing(monkeypatch):
    monkeypatch.setenv("DUMONT_EMPTY", "")
    with pytest.raises(CredentialError, match="DUMONT_EMPTY"):
        parse_ref("env:DUMONT_EMPTY").resolve()


def test_keychain_resolves_through_backend(memory_keyring):
    keyring.set_password("dumont", "aws", CANARY)
    assert parse_ref("keychain:dumont/aws").resolve().reveal() == CANARY


def test_keychain_account_with_slash(memory_keyring):
    keyring.set_password("dumont", "team/aws", CANARY)
    assert parse_ref("keychain:dumont/team/aws").resolve().reveal() == CANARY


def test_keychain_missing_entry(memory_keyring):
    with pytest.raises(CredentialError, match=r"keychain:dumont/none: no entry for service 'dumont', account 'none'; add it with `keyring set dumont none`"):
        parse_ref("keychain:dumont/none").resolve()


def test_no_keyring_backend():
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        with pytest.raises(CredentialError, match=r"keychain:dumont/aws: no usable keyring backend"):
            parse_ref("keychain:dumont/aws").resolve()
    finally:
        keyring.set_keyring(previous)


def test_resolution_happens_late(monkeypatch):
    """Loading a config with unset references is fine; resolving is what fails."""
    monkeypatch.delenv("NOT_SET_YET", raising=False)
    cfg = parse_config({"remotes": {"r2": {"type": "s3", "credentials": {"access_key_id": "env:NOT_SET_YET", "secret_access_key": "env:NOT_SET_YET"}}}})
    ref = cfg.remotes["r2"].credentials.secret_access_key
    monkeypatch.setenv("NOT_SET_YET", CANARY)
    assert ref.resolve().reveal() == CANARY


def test_secret_redaction(monkeypatch, memory_keyring, caplog):
    monkeypatch.setenv("DUMONT_TEST_SECRET", CANARY)
    keyring.set_password("dumont", "aws", CANARY)
    for ref in (parse_ref("env:DUMONT_TEST_SECRET"), parse_ref("keychain:dumont/aws"), parse_ref(CANARY)):
        secret = ref.resolve()
        shown = [repr(secret), str(secret), f"{secret}", f"{secret!r}", "%s" % secret, repr(ref), str(ref), repr([ref, secret])]
        assert all(CANARY not in s for s in shown), shown
        with caplog.at_level(logging.DEBUG):
            logging.getLogger("dumont_nb.test").debug("secret is %s and %r", secret, secret)
        assert CANARY not in caplog.text
        with pytest.raises(TypeError):
            pickle.dumps(secret)
    assert str(parse_ref(CANARY)) == "literal"


def test_secret_equality_without_revealing():
    assert Secret("a") == Secret("a") and Secret("a") != Secret("b")
    assert "a" not in repr(Secret("a")).replace("Secret", "")


def test_credential_error_is_not_silently_replaced_by_chain(monkeypatch):
    """A missing reference raises; it never falls back to AWS_* variables."""
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fallback-should-not-be-used")
    monkeypatch.delenv("MY_SECRET", raising=False)
    with pytest.raises(CredentialError):
        parse_ref("env:MY_SECRET").resolve()
