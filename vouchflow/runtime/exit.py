"""Leaving a process that used Temporal's client without a crash at shutdown.

Temporal's Python SDK runs its Rust core (Tokio threads) inside the process and has
no call to stop it. When the interpreter finalises, one of those threads can still
take or release the GIL, and CPython aborts with "Fatal Python error:
PyGILState_Release ... finalizing" (exit 134 or 139) instead of the exit code the
program chose. So the command line, the worker and the service manager end with
:func:`exit_process`: it runs what a normal exit would (atexit handlers, log and
stdio flushes) while the runtime is still fully alive, then leaves with ``os._exit``,
skipping the finalisation the Rust threads race with.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import sys
from typing import NoReturn


def exit_process(code: int | None) -> NoReturn:
    status = code if isinstance(code, int) else 0
    try:
        with contextlib.suppress(Exception):
            atexit._run_exitfuncs()  # e.g. OpenTelemetry flushing its last spans
        with contextlib.suppress(Exception):
            logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
    finally:
        os._exit(status)
