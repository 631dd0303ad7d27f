"""Encrypt workflow payloads at rest in Temporal (history, signals, queries, results).

Opt-in: set `VOUCHFLOW_PAYLOAD_KEY` (32 bytes, base64; make one with
`python -c "import os,base64;print(base64.b64encode(os.urandom(32)).decode())"`) on the
worker, the CLI and the gateway alike. Payloads are then AES-256-GCM encrypted before
they leave the process; the server, its database and its backups only see ciphertext.

Decoding passes plain payloads through, so a signal typed by hand with
`temporal workflow signal --input '{...}'` still works. The Web UI and the `temporal`
CLI show encrypted payloads as such unless pointed at a codec server (the gateway
serves one at /codec, see gateway/app.py). Search attributes are not encrypted: they
hold only status, supplier, total, currency, confidence, route and prompt version.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import os
from collections.abc import Mapping, Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ENV = "VOUCHFLOW_PAYLOAD_KEY"


class CodecKeyError(ValueError):
    pass


def _key_id(key: bytes) -> str:
    # Identifies the key without revealing it (rotation: decode picks the key by id).
    return hashlib.sha256(b"vouchflow-payload-key:" + key).hexdigest()[:16]


class EncryptionCodec(PayloadCodec):
    def __init__(self, key: bytes, *, old_keys: Sequence[bytes] = ()) -> None:
        if len(key) != 32:
            raise CodecKeyError(f"{KEY_ENV} must be 32 bytes (base64), got {len(key)}")
        self._key_id = _key_id(key)
        self._encrypt = AESGCM(key)
        self._keys = {_key_id(k): AESGCM(k) for k in (key, *old_keys)}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = []
        for payload in payloads:
            nonce = os.urandom(12)
            sealed = self._encrypt.encrypt(nonce, payload.SerializeToString(), None)
            out.append(
                Payload(
                    metadata={"encoding": ENCODING, "encryption-key-id": self._key_id.encode()},
                    data=nonce + sealed,
                )
            )
        return out

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                out.append(payload)  # written without the codec (e.g. a hand-typed signal)
                continue
            key_id = payload.metadata.get("encryption-key-id", b"").decode()
            aead = self._keys.get(key_id)
            if aead is None:
                raise CodecKeyError(f"payload encrypted with unknown key {key_id!r}")
            plain = aead.decrypt(payload.data[:12], payload.data[12:], None)
            decoded = Payload()
            decoded.ParseFromString(plain)
            out.append(decoded)
        return out


def codec_from_env(env: Mapping[str, str] = os.environ) -> EncryptionCodec | None:
    raw = env.get(KEY_ENV, "").strip()
    if not raw:
        return None
    try:
        key = base64.b64decode(raw, validate=True)
        old = [
            base64.b64decode(k, validate=True)
            for k in env.get(KEY_ENV + "_OLD", "").split(",")
            if k.strip()
        ]
    except (binascii.Error, ValueError) as err:
        raise CodecKeyError(f"{KEY_ENV} is not valid base64") from err
    return EncryptionCodec(key, old_keys=old)


def data_converter(env: Mapping[str, str] = os.environ) -> DataConverter:
    """The project's converter: Pydantic JSON, encrypted when a key is configured."""
    codec = codec_from_env(env)
    if codec is None:
        return pydantic_data_converter
    return dataclasses.replace(pydantic_data_converter, payload_codec=codec)
