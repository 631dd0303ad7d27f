"""Reading a request body within a cap: refused by its declared length before a byte
is read, or as soon as it passes the cap while streaming, so a huge upload is never
buffered whole."""

from __future__ import annotations

from starlette.requests import Request


class TooLarge(Exception):
    """A body over its cap."""


async def read_capped(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)
