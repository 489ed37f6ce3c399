"""Remotes config: YAML → typed :class:`Config`; discovery; validation.

The file looks like::

    remotes:
      r2:
        type: s3
        endpoint: https://<acct>.r2.cloudflarestorage.com
        region: auto
        path_style: true
        credentials: {access_key_id: env:R2_ACCESS_KEY_ID, secret_access_key: env:R2_SECRET_ACCESS_KEY}

Every field of a remote is listed, with its meaning, in :data:`FIELDS`. Any malformed document
raises :class:`~dumont_nb.errors.ConfigError` with one line naming the file, the remote and the
field. Credential references are parsed here and resolved only when a connection is made.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from ._yaml import show
from .credentials import CredentialRef, parse_ref
from .errors import ConfigError

__all__ = ["Config", "Remote", "Credentials", "FIELDS", "read_config", "default_config_path", "parse_config"]

#: field → (what it means). The order is the order of the reference in the README.
FIELDS: dict[str, str] = {
    "type": "backend type; only `s3` for now (required)",
    "endpoint": "http(s) URL of an S3-compatible endpoint; omit for AWS",
    "region": "signing region (`auto` for R2); omit to use the AWS chain's default",
    "path_style": "address buckets as `endpoint/bucket` rather than `bucket.endpoint` (most non-AWS stores)",
    "emulate": "allow append and random write by read-modify-write with a conditional commit",
    "anonymous": "send unsigned requests (public buckets); no credentials are used",
    "credentials": "`access_key_id`, `secret_access_key`, optional `session_token`: env:NAME, "
    "keychain:service/account or a literal; omit for the standard AWS credential chain",
    "profile": "an AWS shared-config profile to use when `credentials` is omitted",
    "buckets": "buckets to show when the credentials may not call ListBuckets",
    "checksums": "botocore request checksums: `when_required` (default for custom endpoints; "
    "R2, MinIO, Ceph and others reject the alternative) or `when_supported` (default for AWS)",
    "conditional_writes": "what `emulate` does on a store that ignores If-Match: `require` (refuse, default) "
    "or `fallback` (a weaker ETag re-check just before commit)",
    "max_attempts": "total attempts per request, retries included (botocore standard mode; default 5)",
    "connect_timeout": "seconds to wait for a connection (default 10)",
    "read_timeout": "seconds to wait for data on a connection (default 60)",
    "verify_ssl": "verify TLS certificates (default true); set a CA bundle with AWS_CA_BUNDLE",
    "override_protocol": "register this remote's name as an fsspec protocol even if fsspec already "
    "knows one of that name (e.g. a remote called `s3`)",
}
CREDENTIAL_FIELDS = ("access_key_id", "secret_access_key", "session_token")
TOP_LEVEL = ("remotes",)
NAME_RE = re.compile(r"[a-z][a-z0-9-]+")  # used with fullmatch: no trailing newline slips through


@dataclass(frozen=True)
class Credentials:
    """Credential references of a remote. Their ``repr`` never shows a value."""

    access_key_id: CredentialRef
    secret_access_key: CredentialRef
    session_token: CredentialRef | None = None

    def refs(self) -> dict[str, str]:
        """Field → reference as shown to users (``env:NAME``, ``keychain:s/a`` or ``literal``)."""
        out = {"access_key_id": str(self.access_key_id), "secret_access_key": str(self.secret_access_key)}
        if self.session_token is not None:
            out["session_token"] = str(self.session_token)
        return out


@dataclass(frozen=True)
class Remote:
    """One named remote. See :data:`FIELDS` for each field."""

    name: str
    type: str = "s3"
    endpoint: str | None = None
    region: str | None = None
    path_style: bool = False
    emulate: bool = False
    anonymous: bool = False
    credentials: Credentials | None = None
    profile: str | None = None
    buckets: tuple[str, ...] = ()
    checksums: str | None = None
    conditional_writes: str = "require"
    max_attempts: int = 5
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    verify_ssl: bool = True
    override_protocol: bool = False
    source: str = field(default="<dict>", compare=False)

    @property
    def checksum_mode(self) -> str:
        """The effective botocore checksum setting (see ``checksums``)."""
        return self.checksums or ("when_required" if self.endpoint else "when_supported")

    def to_dict(self, *, literal_secrets: bool = False) -> dict[str, Any]:
        """The remote as a config mapping, with credential *references* only (safe to save): a
        literal credential value becomes ``None``, so the mapping parses again only once the
        value is given back (an ``env:``/``keychain:`` reference travels as it is).
        ``literal_secrets=True`` keeps literal values: for pickling to a trusted worker only."""
        out: dict[str, Any] = {"type": self.type}
        for name in FIELDS:
            if name in ("type", "credentials"):
                continue
            value = getattr(self, name)
            if value != getattr(_DEFAULT, name):
                out[name] = list(value) if isinstance(value, tuple) else value
        if self.credentials is not None:
            out["credentials"] = {
                k: str(v) if v.kind != "literal" else (v.target if literal_secrets else None)
                for k, v in vars(self.credentials).items()
                if v is not None
            }
        return out


_DEFAULT = Remote(name="_default")


@dataclass(frozen=True)
class Config:
    """A loaded config: ``remotes`` maps name → :class:`Remote`; ``path`` is the file, if any."""

    remotes: Mapping[str, Remote] = field(default_factory=dict)
    path: Path | None = None

    def remote(self, name: str) -> Remote:
        """The remote called ``name``.

        Raises:
            UnknownRemoteError: no such remote; the message lists the configured names.
        """
        from .errors import UnknownRemoteError

        try:
            return self.remotes[name]
        except KeyError:
            known = ", ".join(sorted(self.remotes)) or "none"
            where = f" in {self.path}" if self.path else ""
            raise UnknownRemoteError(
                f"unknown remote {name!r}{where}; configured remotes: {known}"
            ) from None

    def revealable_secrets(self) -> list[str]:
        """Secret values (secret keys, session tokens) an error could reveal: literals in the
        file and set environment variables. Keychains are never read for this; access key ids
        are not secrets (AWS prints them in every signed request) and are not included."""
        values = []
        for remote in self.remotes.values():
            creds = remote.credentials
            for ref in (creds.secret_access_key, creds.session_token) if creds is not None else ():
                if ref is not None and ref.kind == "literal":
                    values.append(ref.target)
                elif ref is not None and ref.kind == "env" and os.environ.get(ref.target):
                    values.append(os.environ[ref.target])
        return values

    def to_dict(self) -> dict[str, Any]:
        """The config as a mapping that :func:`parse_config` accepts (references, no secrets)."""
        return {"remotes": {n: r.to_dict() for n, r in self.remotes.items()}}


def default_config_path() -> Path:
    """``$DUMONT_CONFIG`` if set, else ``<user config dir>/dumont/config.yaml`` (platformdirs)."""
    env = os.environ.get("DUMONT_CONFIG")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("dumont", appauthor=False)) / "config.yaml"


def read_config(path: str | os.PathLike | None = None) -> Config:
    """Read and validate a config file.

    With ``path=None`` the file is found by :func:`default_config_path`; if that is the user
    config dir and no file is there, the result is an empty config (not an error).

    Raises:
        ConfigError: the file named by ``path`` or ``$DUMONT_CONFIG`` does not exist or cannot
            be read, is not valid YAML (the message has the line number), or does not match
            the schema (the message names the remote and the field).
    """
    explicit = path is not None or bool(os.environ.get("DUMONT_CONFIG"))
    p = Path(path).expanduser() if path is not None else default_config_path()
    if not p.exists():
        if explicit:
            how = "" if path is not None else " (from $DUMONT_CONFIG)"
            raise ConfigError(f"{p}: config file not found{how}; create it or point DUMONT_CONFIG at an existing file")
        return Config(remotes={}, path=None)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read config file: {exc.__class__.__name__}: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_config(text, source=str(p), path=p)


def parse_config(doc: str | Mapping[str, Any] | None, *, source: str = "<string>", path: Path | None = None) -> Config:
    """Validate a config given as YAML text or as an already-parsed mapping.

    Raises:
        ConfigError: see :func:`read_config`.
    """
    if isinstance(doc, str):
        from ._yaml import load_bounded

        data = load_bounded(doc, source)
    else:
        data = doc
    if data is None:
        return Config(remotes={}, path=path)
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: expected a mapping with a `remotes:` key at the top level, got {_kind(data)}")
    for key in data:
        if key not in TOP_LEVEL:
            raise ConfigError(f"{source}: unknown top-level key {show(key)}{_suggest(str(key)[:100], TOP_LEVEL)}")
    remotes_doc = data.get("remotes") or {}
    if not isinstance(remotes_doc, Mapping):
        raise ConfigError(f"{source}: `remotes` must be a mapping of remote name → settings, got {_kind(remotes_doc)}")
    remotes = {}
    for name, body in remotes_doc.items():
        if str(name) in remotes:  # a mapping given as a dict cannot repeat a key; YAML is checked on load
            raise ConfigError(f"{source}: remote {show(name)} is defined twice; keep one of them")
        remotes[str(name)] = _parse_remote(name, body, source)
    return Config(remotes=remotes, path=path)


def _parse_remote(name: Any, body: Any, source: str) -> Remote:
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise ConfigError(
            f"{source}: remote {show(name)}: invalid name; use 2+ lowercase letters, digits or '-', "
            "starting with a letter (it becomes the URL scheme <name>://)"
        )

    def fail(fld: str, msg: str) -> ConfigError:
        return ConfigError(f"{source}: remote {show(name)}, field {show(fld)}: {msg}")

    if not isinstance(body, Mapping):
        raise ConfigError(f"{source}: remote {show(name)}: expected a mapping of settings, got {_kind(body)}")
    for key in body:
        if key not in FIELDS:
            raise fail(str(key)[:100], f"unknown field{_suggest(str(key)[:100], FIELDS)}")
    kw: dict[str, Any] = {"name": name, "source": source}
    if "type" not in body:
        raise fail("type", "missing; add `type: s3`")
    if body["type"] != "s3":
        raise fail("type", f"expected 's3' (the only type so far), got {show(body['type'])}")
    for fld in ("path_style", "emulate", "anonymous", "verify_ssl", "override_protocol"):
        if fld in body:
            if not isinstance(body[fld], bool):
                raise fail(fld, f"expected true or false, got {show(body[fld])}")
            kw[fld] = body[fld]
    for fld in ("region", "profile"):
        if fld in body:
            if not isinstance(body[fld], str) or not body[fld]:
                raise fail(fld, f"expected a non-empty string, got {_kind(body[fld])}")
            kw[fld] = body[fld]
    if "endpoint" in body:
        kw["endpoint"] = _endpoint(body["endpoint"], fail)
        if "region" not in kw and (urlsplit(kw["endpoint"]).hostname or "").endswith(".r2.cloudflarestorage.com"):
            kw["region"] = "auto"  # R2 signs with region "auto"; other values are aliases at best
    for fld, choices in (("checksums", ("when_required", "when_supported")), ("conditional_writes", ("require", "fallback"))):
        if fld in body:
            if body[fld] not in choices:
                raise fail(fld, f"expected one of {', '.join(choices)}, got {show(body[fld])}")
            kw[fld] = body[fld]
    if "max_attempts" in body:
        v = body["max_attempts"]
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 20:
            raise fail("max_attempts", f"expected a whole number from 1 to 20, got {show(v)}")
        kw["max_attempts"] = v
    for fld in ("connect_timeout", "read_timeout"):
        if fld in body:
            v = body[fld]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
                raise fail(fld, f"expected a positive number of seconds, got {show(v)}")
            kw[fld] = float(v)
    if "buckets" in body:
        v = body["buckets"]
        if not isinstance(v, list) or not all(isinstance(b, str) and b for b in v):
            raise fail("buckets", "expected a list of bucket names, e.g. [data, logs]")
        kw["buckets"] = tuple(v)
    if "credentials" in body:
        kw["credentials"] = _credentials(body["credentials"], fail)
    if kw.get("anonymous") and kw.get("credentials"):
        raise fail("anonymous", "cannot be true together with a credentials block; remove one of them")
    return Remote(**kw)


def _endpoint(v: Any, fail) -> str:
    if not isinstance(v, str):
        raise fail("endpoint", f"expected an http(s) URL such as https://s3.example.com, got {_kind(v)}")
    if "@" in v:
        # any "@": a secret with "/" in user:pass@ would otherwise parse as a host and a path
        try:
            host = urlsplit("http://" + v.rsplit("@", 1)[1]).hostname or ""
        except ValueError:
            host = ""
        shown = f"{v.split(':', 1)[0][:10]}://***@{show(host)[1:-1]}"
        raise fail("endpoint", f"credentials in the URL ({shown}) are not allowed; move them to the credentials block")
    if len(v) > 2048 or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in v):
        raise fail("endpoint", f"expected an http(s) URL with no spaces or control characters, got {show(v)}")
    try:
        parts = urlsplit(v)
    except ValueError as exc:
        raise fail("endpoint", f"not a valid URL ({exc}): {show(v)}; expected e.g. https://s3.example.com") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise fail("endpoint", f"expected an http(s) URL such as https://s3.example.com, got {show(v)}")
    try:
        parts.port
    except ValueError:
        raise fail("endpoint", f"invalid port in {show(v)}") from None
    return v.rstrip("/")


def _credentials(v: Any, fail) -> Credentials:
    if not isinstance(v, Mapping):
        raise fail("credentials", "expected a mapping with access_key_id and secret_access_key")
    for key in v:
        if key not in CREDENTIAL_FIELDS:
            raise fail(f"credentials.{str(key)[:100]}", f"unknown field{_suggest(str(key)[:100], CREDENTIAL_FIELDS)}")
    refs = {}
    for key in CREDENTIAL_FIELDS:
        if key not in v:
            if key == "session_token":
                continue
            raise fail(f"credentials.{key}", "missing; give env:NAME, keychain:service/account or a value")
        raw = v[key]
        if not isinstance(raw, str) or not raw:
            raise fail(f"credentials.{key}", "expected env:NAME, keychain:service/account or a non-empty string")
        try:
            refs[key] = parse_ref(raw)
        except ValueError as exc:
            raise fail(f"credentials.{key}", str(exc)) from None
    return Credentials(**refs)


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f"; did you mean {close[0]!r}?" if close else f"; valid: {', '.join(choices)}"


def _kind(v: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", type(None): "nothing"}.get(type(v), type(v).__name__)
