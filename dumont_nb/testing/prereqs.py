"""Make sure the system tools the test suite drives are present: ``python -m dumont_nb.testing.prereqs``.

The suite drives Debian's ``chromium`` (widget end-to-end test, through Playwright) and ``s3cmd``
(cross-client test). Node.js/npm must be on the machine for the s3rver suite (the fixture installs
the npm package itself). As root with apt-get, missing Debian packages are installed; otherwise the
command to run is printed and the exit status is 1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

PACKAGES = {"chromium": "chromium", "s3cmd": "s3cmd"}  # command -> Debian package
REQUIRED = ("node", "npm")


def missing() -> list[str]:
    return [pkg for cmd, pkg in PACKAGES.items() if shutil.which(cmd) is None]


def main() -> int:
    need = missing()
    if need and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        print(f"installing Debian packages: {' '.join(need)}", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", *need], check=True, env=env, stdout=subprocess.DEVNULL)
        need = missing()
    problems = []
    if need:
        problems.append(f"missing Debian packages {', '.join(need)}: run `sudo apt-get install -y {' '.join(need)}`")
    for cmd in REQUIRED:
        if shutil.which(cmd) is None:
            problems.append(f"missing `{cmd}`: install Node.js and npm (Debian: `sudo apt-get install -y nodejs npm`)")
    for p in problems:
        print(f"prereqs: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
