"""Headers every gateway response carries.

The review page must never render inside another site's frame (clickjacking), no
response may be sniffed into another type, no URL (workflow ids, notes) leaks through
Referer, and nothing the gateway answers (invoice status, review pages, decoded
payloads) is kept by a browser or proxy cache. No script runs on any page; images
(the review page's document pages) come only from the gateway itself. Applied as
ASGI middleware so routes added later cannot forget them.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
)

HSTS = (b"strict-transport-security", b"max-age=31536000")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        # Over HTTPS (directly or behind a proxy that says so), browsers are also told
        # to never use plain HTTP for this host again.
        extra = [HSTS] if scope.get("scheme") == "https" else []

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in SECURITY_HEADERS}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": [*kept, *SECURITY_HEADERS, *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
