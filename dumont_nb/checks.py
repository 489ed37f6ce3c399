"""``dumont-nb config check``: validate the config, resolve credentials, try one request per remote.

For each remote: every credential reference is resolved (its value is never shown), then one
request is sent with a plain botocore client built from the remote's settings: ``HeadBucket`` of
the first configured ``buckets`` entry, else ``ListBuckets``. The answer is turned into findings
that say what is wrong and how to fix it: unreachable endpoint, TLS, addressing style, region,
rejected or missing credentials, permission, clock skew. Retries are off so a broken remote
answers fast.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from .config import Config, Remote
from .errors import CredentialError
from .formatting import scrub

__all__ = ["Finding", "RemoteReport", "check_config", "check_remote", "format_reports", "SKEW_WARN", "SKEW_FAIL"]

SKEW_WARN = 60  # seconds of clock difference worth a warning
SKEW_FAIL = 900  # S3 rejects requests signed more than 15 minutes off
_now = time.time  # the local clock compared with the store's Date header


@dataclass(frozen=True)
class Finding:
    """One line of a report: ``level`` is ``ok``, ``warn`` or ``fail``; ``fix`` says what to do."""

    level: str
    message: str
    fix: str | None = None


@dataclass
class RemoteReport:
    """The findings for one remote; ``ok`` unless a finding failed."""

    name: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.level != "fail" for f in self.findings)

    def add(self, level: str, message: str, fix: str | None = None) -> None:
        self.findings.append(Finding(level, message, fix))


def check_config(config: Config, *, probe_writes: bool = False) -> list[RemoteReport]:
    """Check every remote of ``config``, in name order. Never raises for a broken remote."""
    return [check_remote(config.remotes[name], probe_writes=probe_writes) for name in sorted(config.remotes)]


def check_remote(remote: Remote, *, probe_writes: bool = False) -> RemoteReport:
    """Resolve the remote's credentials and try one request. Never raises; see the findings.

    With ``probe_writes``, a reachable ``emulate: true`` remote also gets the vfs layer's
    conditional-write probe on its first configured bucket (a few PutObjects of a temporary
    ``.dumont-probe/`` key, deleted again), which tells whether emulate's commits are safe.
    """
    report = RemoteReport(remote.name)
    where = remote.endpoint or "AWS"
    style = "path-style" if remote.path_style else "virtual-hosted"
    report.add("ok", f"{where}, region {remote.region or '(AWS default)'}, {style} addressing")
    creds, secrets = _credentials(remote, report)
    if creds is False:
        report.add("fail", "no request sent: a credential reference could not be resolved")
    else:
        try:
            _probe(remote, creds, report)
            if probe_writes and remote.emulate and report.ok:
                _probe_conditional_writes(remote, report)
        except Exception as exc:  # anything unexpected is still one line, never a traceback
            report.add("fail", f"unexpected error: {type(exc).__name__}: {_first_line(exc)}")
    report.findings = [Finding(f.level, scrub(f.message, secrets), scrub(f.fix, secrets) if f.fix else None)
                       for f in report.findings]
    return report


def _credentials(remote: Remote, report: RemoteReport):
    """``(creds dict | None | False, secret values)``: None = AWS chain/anonymous, False = failed."""
    if remote.anonymous:
        report.add("ok", "credentials: none (anonymous, unsigned requests)")
        return None, []
    if remote.credentials is None:
        how = f"profile {remote.profile!r}" if remote.profile else "the standard AWS credential chain"
        report.add("ok", f"credentials: from {how}")
        return None, []
    resolved, failed = {}, False
    for fld, ref in vars(remote.credentials).items():
        if ref is None:
            continue
        try:
            resolved[fld] = ref.resolve().reveal()
        except CredentialError as exc:
            failed = True
            report.add("fail", f"credentials.{fld}: {exc}")
    secrets = [v for k, v in resolved.items() if k != "access_key_id"]  # key ids are not secret
    if failed:
        return False, secrets
    refs = ", ".join(f"{k}={v}" for k, v in remote.credentials.refs().items())
    report.add("ok", f"credentials resolved ({refs}); values not shown")
    return resolved, secrets


def _client(remote: Remote, creds: dict | None, *, path_style: bool | None = None):
    import botocore.session
    from botocore import UNSIGNED
    from botocore.config import Config as BotoConfig

    path_style = remote.path_style if path_style is None else path_style
    session = botocore.session.Session(profile=remote.profile) if remote.profile and creds is None else botocore.session.Session()
    config = BotoConfig(
        connect_timeout=min(remote.connect_timeout, 5.0),
        read_timeout=min(remote.read_timeout, 20.0),
        retries={"max_attempts": 1, "mode": "standard"},
        s3={"addressing_style": "path" if path_style else "virtual" if remote.endpoint else "auto"},
        request_checksum_calculation=remote.checksum_mode,
        response_checksum_validation=remote.checksum_mode,
        signature_version=UNSIGNED if remote.anonymous else None,
    )
    kwargs: dict = {"endpoint_url": remote.endpoint, "region_name": remote.region, "verify": remote.verify_ssl, "config": config}
    if creds:
        kwargs.update(
            aws_access_key_id=creds["access_key_id"],
            aws_secret_access_key=creds["secret_access_key"],
            aws_session_token=creds.get("session_token"),
        )
    return session.create_client("s3", **kwargs)


def _request(client, bucket: str | None) -> dict:
    return client.head_bucket(Bucket=bucket) if bucket else client.list_buckets()


def _probe(remote: Remote, creds: dict | None, report: RemoteReport) -> None:
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        ProfileNotFound,
        SSLError,
    )
    from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

    bucket = remote.buckets[0] if remote.buckets else None
    op = f"HeadBucket {bucket}" if bucket else "ListBuckets"
    endpoint = remote.endpoint or "the AWS endpoint"
    try:
        client = _client(remote, creds)
        sent = _now()
        answer = _request(client, bucket)
    except ProfileNotFound:
        report.add("fail", f"AWS profile {remote.profile!r} not found", "add it to ~/.aws/config or fix `profile`")
        return
    except NoCredentialsError:
        report.add("fail", "no credentials found in the AWS credential chain",
                   "add a `credentials` block (env:NAME or keychain:service/account), set `profile`, or `anonymous: true`")
        return
    except SSLError as exc:
        report.add("fail", f"TLS error talking to {endpoint}: {_first_line(exc)}",
                   "fix the certificate, point AWS_CA_BUNDLE at your CA bundle, or (test setups only) `verify_ssl: false`")
        return
    except (EndpointConnectionError, ConnectTimeoutError) as exc:
        if bucket and remote.endpoint and not remote.path_style and _path_style_works(remote, creds, bucket):
            report.add("fail", f"virtual-hosted addressing ({bucket}.<endpoint host>) cannot connect, path-style works",
                       "add `path_style: true` to the remote (most non-AWS stores need it)")
            return
        report.add("fail", f"cannot connect to {endpoint}: {_reason(exc)}",
                   "check `endpoint` (scheme, host and port) and that the store is running and reachable")
        return
    except ReadTimeoutError:
        report.add("fail", f"{endpoint} accepted the connection but did not answer in time",
                   "check the endpoint and the network; raise `read_timeout` for slow stores")
        return
    except ClientError as exc:
        _client_error(remote, exc, op, bucket, report)
        return
    region = _header(answer, "x-amz-bucket-region")
    if bucket:
        report.add("ok", f"{op}: bucket reachable")
    else:
        report.add("ok", f"{op}: {len(answer.get('Buckets', []))} bucket(s) visible")
    _clock(answer, sent, report)
    if region and remote.region and remote.region not in ("auto", region):
        report.add("warn", f"bucket {bucket} is in region {region}, the remote says {remote.region}",
                   f"set `region: {region}`")


def _probe_conditional_writes(remote: Remote, report: RemoteReport) -> None:
    from .errors import DumontError
    from .vfs.registry import filesystem

    if not remote.buckets:
        report.add("warn", "conditional writes not probed: no bucket to probe",
                   "list a bucket the key may write to in `buckets: [...]`")
        return
    bucket = remote.buckets[0]
    try:
        caps = filesystem(remote.name, config=Config(remotes={remote.name: remote})).bucket_capabilities(bucket)
    except (DumontError, OSError) as exc:
        report.add("fail", f"conditional-write probe on {bucket} failed: {_first_line(exc)}")
        return
    said = caps.why["conditional_writes"].split(f" on {bucket};")[0]  # what the store does with the headers
    if caps.conditional_writes:
        report.add("ok", f"conditional writes on {bucket}: {said}; emulate commits are safe")
    elif remote.conditional_writes == "require":
        report.add("warn", f"conditional writes on {bucket}: {said}; emulate will refuse to commit",
                   "set `conditional_writes: fallback` to accept a weaker ETag re-check before each commit")
    else:
        report.add("warn", f"conditional writes on {bucket}: {said}; emulate uses the weaker "
                   "ETag re-check (conditional_writes: fallback)")


def _client_error(remote: Remote, exc, op: str, bucket: str | None, report: RemoteReport) -> None:
    err = exc.response.get("Error", {})
    code = str(err.get("Code", ""))
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    message = err.get("Message") or ""
    region = _header(exc.response, "x-amz-bucket-region") or err.get("Region")
    fatal_skew = _clock(exc.response, _now(), report, only_fail=True)
    if code == "RequestTimeTooSkewed" or fatal_skew:
        if not fatal_skew:
            report.add("fail", f"{op}: the store rejected the request time (RequestTimeTooSkewed): the local clock is wrong",
                       "synchronize this machine's clock (NTP, e.g. `timedatectl set-ntp true`)")
        return
    if code in ("PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException") or (
        status in (301, 307) and region
    ):
        where = f"bucket {bucket} is in region {region}" if region else "the store expects another region"
        fix = f"set `region: {region}`" if region else "set `region` to the bucket's region"
        report.add("fail", f"{op}: wrong region ({remote.region or 'none set'}): {where}", fix)
        return
    if code == "InvalidAccessKeyId":
        report.add("fail", f"{op}: the store does not know this access key id (InvalidAccessKeyId)",
                   "check what `credentials.access_key_id` points at")
        return
    if code == "SignatureDoesNotMatch":
        report.add("fail", f"{op}: signature rejected (SignatureDoesNotMatch): wrong secret key, or wrong region",
                   "check `credentials.secret_access_key` and `region`")
        return
    if code in ("NoSuchBucket", "404") or status == 404:
        report.add("fail", f"{op}: bucket {bucket} does not exist", "fix the name in `buckets` or create the bucket")
        return
    if code in ("AccessDenied", "403", "AllAccessDisabled") or status == 403:
        if bucket:
            report.add("fail", f"{op}: access denied (403): the credentials are invalid or may not access {bucket}",
                       "check the credentials and the key's bucket policy")
        else:
            report.add("fail", "ListBuckets: access denied (403): the credentials are invalid or may not list buckets",
                       "check the credentials; if the key is scoped to some buckets, list them in `buckets: [...]`")
        return
    detail = f"{code}: {message}" if message else code or f"HTTP {status}"
    report.add("fail", f"{op} failed: {detail}", "check the endpoint, region and credentials of this remote")


def _path_style_works(remote: Remote, creds: dict | None, bucket: str) -> bool:
    try:
        _request(_client(remote, creds, path_style=True), bucket)
        return True
    except Exception:
        return False


def _header(response: dict, name: str) -> str | None:
    return (response.get("ResponseMetadata", {}).get("HTTPHeaders") or {}).get(name)


def _clock(response: dict, sent: float, report: RemoteReport, *, only_fail: bool = False) -> bool:
    """Compare the store's ``Date`` header with the local clock; True if the skew is fatal."""
    date = _header(response, "date")
    if not date:
        return False
    try:
        server = parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return False
    if server.tzinfo is None:
        server = server.replace(tzinfo=timezone.utc)
    local = datetime.fromtimestamp((sent + _now()) / 2, timezone.utc)
    skew = (server - local).total_seconds()
    ahead = "ahead of" if skew < 0 else "behind"
    text = f"local clock is {abs(skew):.0f} s {ahead} the store's"
    fix = "synchronize this machine's clock (NTP, e.g. `timedatectl set-ntp true`)"
    if abs(skew) >= SKEW_FAIL:
        report.add("fail", f"clock skew: {text}; S3 rejects requests more than 15 minutes off", fix)
        return True
    if not only_fail:
        if abs(skew) > SKEW_WARN:
            report.add("warn", f"clock skew: {text}", fix)
        else:
            report.add("ok", f"clock skew {abs(skew):.0f} s")
    return False


def _reason(exc: Exception) -> str:
    text = str(exc)
    for needle, reason in (("refused", "connection refused"), ("Name or service not known", "host name not found"),
                           ("nodename nor servname", "host name not found"), ("timed out", "connection timed out")):
        if needle in text or needle in repr(getattr(exc, "kwargs", "")):
            return reason
    return _first_line(exc)


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def format_reports(reports: list[RemoteReport], source: str) -> str:
    """The text ``dumont-nb config check`` prints."""
    lines = [f"config: {source} ({len(reports)} remote{'s' if len(reports) != 1 else ''})"]
    for rep in reports:
        lines.append(f"{'ok  ' if rep.ok else 'FAIL'} {rep.name}")
        for f in rep.findings:
            mark = {"ok": "  ", "warn": "! ", "fail": "x "}[f.level]
            lines.append(f"     {mark}{f.message}")
            if f.fix:
                lines.append(f"       fix: {f.fix}")
    bad = [r.name for r in reports if not r.ok]
    lines.append(f"{len(reports) - len(bad)} of {len(reports)} remotes OK" + (f"; failing: {', '.join(bad)}" if bad else ""))
    return "\n".join(lines)
