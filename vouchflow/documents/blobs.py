"""Content-addressed blob store: documents and long texts live here, workflows carry refs.

The key is the SHA-256 of the bytes, so storing the same document twice is a no-op and
the hash doubles as the intake idempotency key. Any store that can put/get bytes by key
can implement :class:`BlobStore` — an S3-compatible bucket (keys ``ab/cd/<sha256>``,
``PutObject`` with ``ChecksumSHA256``, ``If-None-Match: *`` for idempotency) fits the same
protocol; :class:`LocalBlobStore` is the embedded default.

Methods are synchronous; activities call them through ``asyncio.to_thread``.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol, runtime_checkable

from schemas.common.documents import BlobRef
from vouchflow.documents.text_safety import safe_text

_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
TEXT_MEDIA_TYPE = "text/plain; charset=utf-8"


class BlobNotFoundError(KeyError):
    """No blob with that hash is stored."""


class BlobCorruptedError(RuntimeError):
    """The stored bytes no longer hash to their key (disk corruption or tampering)."""


@runtime_checkable
class BlobStore(Protocol):
    def put(self, data: bytes, media_type: str | None = None) -> BlobRef: ...

    def get(self, sha256: str) -> bytes: ...

    def exists(self, sha256: str) -> bool: ...

    def put_text(self, text: str) -> BlobRef: ...

    def get_text(self, sha256: str) -> str: ...


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_key(sha256: str) -> str:
    # The key becomes a path: only a well-formed hex digest may reach the filesystem.
    key = sha256.lower()
    if not _SHA256_HEX.match(key):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return key


class LocalBlobStore:
    """Blobs as files under ``root/ab/cd/<sha256>``; writes are atomic (temp file + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        key = _check_key(sha256)
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes, media_type: str | None = None) -> BlobRef:
        digest = sha256_hex(data)
        target = self.path_for(digest)
        ref = BlobRef(sha256=digest, size_bytes=len(data), media_type=media_type)
        if target.exists() and self._intact(target, digest):
            return ref
        target.parent.mkdir(parents=True, exist_ok=True)
        # Temp file in the same directory so the rename is atomic on one filesystem;
        # a crash mid-write leaves only a stray temp file, never a half blob.
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return ref

    def get(self, sha256: str) -> bytes:
        target = self.path_for(sha256)
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            raise BlobNotFoundError(sha256) from None
        actual = sha256_hex(data)
        if actual != target.name:
            raise BlobCorruptedError(
                f"blob {target.name} is corrupted: stored bytes hash to {actual} ({target})"
            )
        return data

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put_text(self, text: str) -> BlobRef:
        # Never "surrogates not allowed": whatever string arrives is stored.
        return self.put(safe_text(text).encode("utf-8"), TEXT_MEDIA_TYPE)

    def get_text(self, sha256: str) -> str:
        return self.get(sha256).decode("utf-8", errors="replace")

    @staticmethod
    def _intact(path: Path, digest: str) -> bool:
        # A corrupted existing copy is rewritten by put() rather than trusted.
        try:
            return sha256_hex(path.read_bytes()) == digest
        except OSError:
            return False
