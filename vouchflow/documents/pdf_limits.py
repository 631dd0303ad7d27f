"""Lower pypdf's decoding limits while we read untrusted PDFs.

pypdf (>= 6) keeps its resource limits in a context-local configuration; these
defaults (75 MB per stream) are generous for a server that reads strangers' files.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def pypdf_limits(max_stream_bytes: int) -> Iterator[None]:
    """Cap what any single stream may decode to (and the work spent decoding it)."""
    try:
        from pypdf import apply_configuration
    except ImportError:  # older pypdf: callers' own pre-scans still bound content streams
        yield
        return
    with apply_configuration(
        zlib_maximum_output_length=max_stream_bytes,
        lzw_maximum_output_length=max_stream_bytes,
        run_length_maximum_output_length=max_stream_bytes,
        array_based_stream_maximum_output_length=max_stream_bytes,
        stream_decoding_work_maximum_length=2 * max_stream_bytes,
    ):
        yield
