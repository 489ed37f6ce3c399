"""The ``dumont-nb`` command: the embedded demo and a few terminal tools.

::

    dumont-nb demo [--no-browser] [--port PORT] [--check] [--s3-port PORT] [--dir DIR] [--server-only]
    dumont-nb ls [-r] [--glob PATTERN] URL
    dumont-nb config check [--config PATH] [--probe-writes]

Exit status: 0 on success, 1 when something failed (a check, a listing, a notebook), 2 for a
usage or config error. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib.util
import signal
import sys
import threading
from typing import Sequence

from .errors import ConfigError, DumontError

__all__ = ["main", "build_parser"]

PROG = "dumont-nb"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``dumont-nb`` (sub-commands ``demo``, ``ls``, ``config check``)."""
    parser = argparse.ArgumentParser(prog=PROG, description="S3-compatible object stores in Jupyter and the terminal.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser(
        "demo",
        help="run a local S3 server with sample data and open JupyterLab on the quickstart notebook",
        description="Start moto's S3 server on 127.0.0.1 in this process, seed a demo bucket, write a demo "
        "config (your own config is untouched) and open JupyterLab on quickstart.ipynb. Ctrl-C stops everything.",
    )
    demo.add_argument("--no-browser", action="store_true", help="start JupyterLab without opening a browser")
    demo.add_argument("--port", type=_port, default=None, help="JupyterLab port (default: 8888 or the next free one)")
    demo.add_argument("--check", action="store_true",
                      help="no JupyterLab: run quickstart.ipynb headless, print the demo bucket, exit 0 if all worked")
    demo.add_argument("--s3-port", type=_port, default=0, help="port of the S3 server (default: a free one)")
    demo.add_argument("--dir", default=None, metavar="DIR",
                      help="working directory for the demo config and notebooks, kept after exit (default: a temp dir)")
    demo.add_argument("--server-only", action="store_true",
                      help="only run the seeded S3 server and write DIR/config.yaml (for Binder); Ctrl-C stops it")
    demo.add_argument("--keys", type=int, default=None, help=argparse.SUPPRESS)  # size of many/ (tests)
    demo.set_defaults(func=_cmd_demo)

    ls = sub.add_parser("ls", help="list a remote URL (remote://bucket/prefix, or remote:// for buckets)")
    ls.add_argument("url", help="e.g. demo://demo-data/csv/")
    ls.add_argument("-r", "--recursive", action="store_true", help="list every key under the prefix")
    ls.add_argument("--glob", default=None, help="only names matching this pattern, e.g. '*.csv'")
    ls.add_argument("--config", default=None, metavar="PATH", help="config file (default: $DUMONT_CONFIG, then the user config)")
    ls.set_defaults(func=_cmd_ls)

    sy = sub.add_parser("sync", help="copy only what is missing or changed between a folder or prefix and another")
    sy.add_argument("src", help="local folder or remote URL")
    sy.add_argument("dst", help="local folder or remote URL")
    sy.add_argument("-n", "--dry-run", action="store_true", help="send no write; print what would happen and its cost")
    sy.add_argument("--delete", action="store_true", help="also delete what is at dst and not at src")
    sy.add_argument("--checksum", action="store_true", help="compare content instead of size and mtime")
    sy.add_argument("--config", default=None, metavar="PATH", help="config file (default: $DUMONT_CONFIG, then the user config)")
    sy.set_defaults(func=_cmd_sync)

    config = sub.add_parser("config", help="config tools")
    csub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = csub.add_parser(
        "check",
        help="validate the config, resolve credentials (never shown) and try one request per remote",
    )
    check.add_argument("--config", default=None, metavar="PATH", help="config file (default: $DUMONT_CONFIG, then the user config)")
    check.add_argument("--probe-writes", action="store_true",
                       help="for emulate remotes, also probe whether the store enforces conditional writes "
                       "(writes and deletes a temporary .dumont-probe/ key in the first configured bucket)")
    check.set_defaults(func=_cmd_config_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dumont-nb`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"{PROG}: config error: {exc}", file=sys.stderr)
        return 2
    except (DumontError, OSError) as exc:
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


def _cmd_sync(args) -> int:
    from .api import load_config
    from .synchronize import sync

    config = load_config(args.config) if args.config else None
    result = sync(args.src, args.dst, delete=args.delete, dry_run=args.dry_run, checksum=args.checksum,
                  config=config, progress=sys.stderr.isatty())
    print(repr(result)[len("SyncResult("):-1])
    if result.estimate:
        print(f"estimate: {result.estimate}")
    for path, why in result.failed.items():
        print(f"failed {path}: {why}", file=sys.stderr)
    return 0 if result.ok else 1


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535, got {value}")
    return value


def _one_line(exc: BaseException) -> str:
    from .formatting import format_error
    from .vfs.registry import active_secrets

    return format_error(exc, secrets=active_secrets())


def _say(msg: str) -> None:
    print(f"[{PROG} demo] {msg}", flush=True)


def _interrupt_on_signals() -> None:
    """Ctrl-C (SIGINT) and `kill` (SIGTERM) both raise KeyboardInterrupt, so both clean up.

    SIGINT is set explicitly because a process started in the background of a non-interactive
    shell inherits SIGINT as ignored, and the demo must still stop on it.
    """
    if threading.current_thread() is threading.main_thread():
        def handler(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, handler)


# -- demo -----------------------------------------------------------------------------------
def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import DEMO_REMOTE, EMULATE_REMOTE, DemoServer, launch_lab, run_check, wait_interruptibly
    from .demo_data import DEMO_BUCKET, MANY_KEYS

    if args.check and args.server_only:
        print(f"{PROG}: error: --check and --server-only exclude each other; pick one", file=sys.stderr)
        return 2
    needed = ["moto", "boto3", "pyarrow"] + (["nbclient"] if args.check else [] if args.server_only else ["jupyterlab"])
    missing = [name for name in needed if importlib.util.find_spec(name) is None]
    if missing:
        print(f"{PROG}: error: the demo needs {', '.join(missing)} (not installed); "
              f"install the demo extra: pip install \"dumont_nb[demo]\" (or \".[demo]\" in the repository)",
              file=sys.stderr)
        return 1
    _interrupt_on_signals()
    demo = DemoServer(args.dir, s3_port=args.s3_port, copy_notebooks=not args.server_only,
                      many=MANY_KEYS if args.keys is None else max(0, args.keys))
    try:
        demo.start(progress=_say)
        _say(f"config {demo.config_path} (remotes {DEMO_REMOTE}, {EMULATE_REMOTE}); your own config is untouched")
        if args.check:
            ok = True
            for result in run_check(demo):
                _say(f"{result.notebook.name}: {result.cells} code cells ran" if result.ok else f"FAILED {result.error}")
                ok = ok and result.ok
            from .config import read_config

            print(f"\n{DEMO_REMOTE}://{DEMO_BUCKET}/")
            listed = _print_listing(f"{DEMO_REMOTE}://{DEMO_BUCKET}/", config=read_config(demo.config_path))
            ok = ok and listed
            _say("check passed" if ok else "check FAILED")
            return 0 if ok else 1
        if args.server_only:
            _say(f"S3 server running; export DUMONT_CONFIG={demo.config_path}; Ctrl-C to stop")
            wait_interruptibly()
            return 0
        _say("starting JupyterLab on quickstart.ipynb; press Ctrl-C here to stop everything")
        status = launch_lab(demo, port=args.port, open_browser=not args.no_browser)
        if status:
            _say(f"JupyterLab exited with status {status}; see its messages above")
        return status
    except KeyboardInterrupt:
        if args.check:
            _say("check interrupted")
            return 130
        return 0
    finally:
        demo.stop()
        if demo.server is None:
            _say("stopped")


# -- ls -------------------------------------------------------------------------------------
def _cmd_ls(args: argparse.Namespace) -> int:
    from .config import read_config

    config = read_config(args.config)
    return 0 if _print_listing(args.url, config=config, recursive=args.recursive, glob=args.glob) else 1


def _print_listing(url: str, *, config, recursive: bool = False, glob: str | None = None) -> bool:
    """Print ``url``'s listing as an ``aws s3 ls``-like text table; False (and a message) on error."""
    from .tables import listing

    try:
        frame = listing(url, recursive=recursive, glob=glob, config=config)
    except (DumontError, OSError, ValueError, KeyError) as exc:
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return False
    print(format_listing(frame, url))
    return True


def format_listing(frame, base_url: str) -> str:
    """Rows as ``mtime  size  name`` (directories as ``DIR``), names relative to ``base_url``."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    lines = []
    total = 0
    for row in frame.itertuples(index=False):
        url = str(getattr(row, "url", ""))
        name = url[len(base):] if url.startswith(base) and len(url) > len(base) else str(row.name)
        is_dir = getattr(row, "type", "file") == "dir"
        if is_dir and not name.endswith("/"):
            name += "/"
        mtime = getattr(row, "mtime", None)
        when = mtime.strftime("%Y-%m-%d %H:%M:%S") if mtime is not None and str(mtime) != "NaT" else ""
        size = getattr(row, "size", 0)
        if is_dir:
            size_text = "DIR"
        else:
            size_text = f"{int(size):,}"
            total += int(size)
        lines.append(f"{when:19}  {size_text:>13}  {name}")
    files = sum(1 for t in frame.get("type", []) if t != "dir")
    lines.append(f"{len(frame)} entries, {files} files, {total:,} bytes")
    return "\n".join(lines)


# -- config check ---------------------------------------------------------------------------
def _cmd_config_check(args: argparse.Namespace) -> int:
    from .checks import check_config, format_reports
    from .config import default_config_path, read_config

    config = read_config(args.config)
    source = str(config.path or args.config or f"{default_config_path()} (not found: no remotes)")
    if not config.remotes:
        print(f"config: {source}: no remotes configured; add one under `remotes:` (see the README)")
        return 1
    reports = check_config(config, probe_writes=args.probe_writes)
    print(format_reports(reports, source))
    return 0 if all(r.ok for r in reports) else 1


if __name__ == "__main__":  # python -m dumont_nb.cli
    sys.exit(main())
