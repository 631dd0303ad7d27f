"""One lock for every pdfium call in the process.

pdfium is not thread-safe, not even across different documents, and documents are read
in worker threads (the reading activity runs in a thread; so do page renderings). Code
that calls pypdfium2 holds this lock from opening a document to closing it.
"""

from __future__ import annotations

import threading

PDFIUM_LOCK = threading.RLock()
