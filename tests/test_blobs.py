"""The content-addressed blob store: layout, idempotency, integrity."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from vouchflow.documents.blobs import (
    BlobCorruptedError,
    BlobNotFoundError,
    BlobStore,
    LocalBlobStore,
)


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


def test_put_get_roundtrip_and_layout(store: LocalBlobStore) -> None:
    data = b"%PDF-1.7 pretend invoice"
    digest = hashlib.sha256(data).hexdigest()

    ref = store.put(data, "application/pdf")

    assert ref.sha256 == digest
    assert ref.size_bytes == len(data)
    assert ref.media_type == "application/pdf"
    assert store.get(digest) == data
    assert store.exists(digest)
    assert (store.root / digest[:2] / digest[2:4] / digest).read_bytes() == data


def test_put_is_idempotent_and_leaves_no_temp_files(store: LocalBlobStore) -> None:
    first = store.put(b"same bytes")
    second = store.put(b"same bytes")

    assert first == second
    files = [p for p in store.root.rglob("*") if p.is_file()]
    assert [p.name for p in files] == [first.sha256]


def test_text_roundtrip_is_utf8(store: LocalBlobStore) -> None:
    text = "Facture n° 12 — total 54,00 €\n合計 5400円"
    ref = store.put_text(text)

    assert ref.media_type == "text/plain; charset=utf-8"
    assert ref.size_bytes == len(text.encode("utf-8"))
    assert store.get_text(ref.sha256) == text


def test_missing_blob_is_a_clear_error(store: LocalBlobStore) -> None:
    missing = hashlib.sha256(b"never stored").hexdigest()
    assert not store.exists(missing)
    with pytest.raises(BlobNotFoundError):
        store.get(missing)


def test_corruption_is_detected_on_read(store: LocalBlobStore) -> None:
    ref = store.put(b"original invoice bytes")
    store.path_for(ref.sha256).write_bytes(b"tampered invoice bytes")

    with pytest.raises(BlobCorruptedError, match=ref.sha256):
        store.get(ref.sha256)


def test_put_repairs_a_corrupted_copy(store: LocalBlobStore) -> None:
    ref = store.put(b"original invoice bytes")
    store.path_for(ref.sha256).write_bytes(b"garbage")

    store.put(b"original invoice bytes")

    assert store.get(ref.sha256) == b"original invoice bytes"


@pytest.mark.parametrize("key", ["../../etc/passwd", "abc", "G" * 64, ""])
def test_keys_must_be_sha256_hex(store: LocalBlobStore, key: str) -> None:
    with pytest.raises(ValueError, match="sha256"):
        store.get(key)
    with pytest.raises(ValueError, match="sha256"):
        store.exists(key)


def test_uppercase_digest_finds_the_blob(store: LocalBlobStore) -> None:
    ref = store.put(b"abc")
    assert store.get(ref.sha256.upper()) == b"abc"


def test_concurrent_puts_of_the_same_content(store: LocalBlobStore) -> None:
    data = b"x" * 200_000
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            store.put(data)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    digest = hashlib.sha256(data).hexdigest()
    assert store.get(digest) == data
    assert [p.name for p in store.root.rglob("*") if p.is_file()] == [digest]


def test_local_store_satisfies_the_protocol(tmp_path: Path) -> None:
    assert isinstance(LocalBlobStore(tmp_path), BlobStore)
