"""Credential references and redacted secrets.

A config value for a credential is one of:

- ``env:NAME``: the environment variable ``NAME``;
- ``keychain:service/account``: ``keyring.get_password(service, account)``;
- anything else: a literal value (as in ``~/.aws/credentials``).

References are parsed when the config is loaded and resolved only when a connection is first
made. A resolved value is a :class:`Secret`, whose ``repr``/``str`` never show it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .errors import CredentialError

__all__ = ["CredentialRef", "Secret", "parse_ref", "REDACTED"]

REDACTED = "***"


class Secret:
    """A resolved secret value. ``repr``/``str``/format show ``***``; ``reveal()`` gives the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({REDACTED})"

    __str__ = __format__ = lambda self, *a: REDACTED  # noqa: E731

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self):  # never pickle a resolved secret
        raise TypeError("a resolved Secret cannot be pickled; pickle the CredentialRef instead")


@dataclass(frozen=True)
class CredentialRef:
    """A reference to a credential: ``kind`` is ``env``, ``keychain`` or ``literal``.

    ``str()`` gives the reference as written for ``env``/``keychain`` and ``***`` for literals,
    so it can be shown to users and saved; ``resolve()`` reads the value.
    """

    kind: str
    target: str  # variable name, "service/account", or the literal value

    def __repr__(self) -> str:
        return f"CredentialRef({self.describe()!r})"

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        """The reference as a user may see it: ``env:NAME``, ``keychain:s/a`` or ``literal``."""
        return "literal" if self.kind == "literal" else f"{self.kind}:{self.target}"

    def resolve(self) -> Secret:
        """Read the value now.

        Raises:
            CredentialError: the variable is unset or empty, the keychain entry is missing,
                or no usable keyring backend is installed. The message names the reference.
        """
        if self.kind == "literal":
            return Secret(self.target)
        if self.kind == "env":
            value = os.environ.get(self.target)
            if not value:
                raise CredentialError(
                    f"credential env:{self.target}: environment variable {self.target} is not set; "
                    f"export it or change the reference in the config"
                )
            return Secret(value)
        service, _, account = self.target.partition("/")
        try:
            import keyring
            import keyring.errors

            value = keyring.get_password(service, account)
        except Exception as exc:  # NoKeyringError, backend failures
            raise CredentialError(
                f"credential keychain:{self.target}: no usable keyring backend "
                f"({type(exc).__name__}); install one (see `keyring --list-backends`) or use env:"
            ) from None
        if value is None:
            raise CredentialError(
                f"credential keychain:{self.target}: no entry for service {service!r}, "
                f"account {account!r}; add it with `keyring set {service} {account}`"
            )
        return Secret(value)


def parse_ref(value: str) -> CredentialRef:
    """Parse a config value into a :class:`CredentialRef`.

    Raises:
        ValueError: an ``env:`` reference with no name, or a ``keychain:`` reference not of the
            form ``service/account`` (the config loader turns it into a ``ConfigError``).
    """
    if value.startswith("env:"):
        name = value[4:]
        if not name or not name.replace("_", "a").isalnum():
            raise ValueError("env: reference needs a variable name, e.g. env:AWS_SECRET_ACCESS_KEY")
        return CredentialRef("env", name)
    if value.startswith("keychain:"):
        target = value[len("keychain:"):]
        service, sep, account = target.partition("/")
        if not sep or not service or not account:
            raise ValueError("keychain: reference must be keychain:service/account, e.g. keychain:dumont/aws")
        return CredentialRef("keychain", target)
    return CredentialRef("literal", value)
