"""Gateway hardening: security headers everywhere, loopback by default, and a codec
endpoint only the Web UI's origin and token holders can use."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

import vouchflow.gateway.__main__ as gateway_main
from tests.test_gateway import ENV
from vouchflow.gateway.app import create_app
from vouchflow.gateway.config import GatewaySettings
from vouchflow.runtime.codec import codec_from_env
from vouchflow.settings import Settings

KEY = base64.b64encode(os.urandom(32)).decode()
CODEC_TOKEN = "codec-token-4e8b1f0a9c2d"
UI = "http://localhost:8233"
REVIEW = {"VOUCHFLOW_REVIEW_TOKENS": "alice:alice-review-secret-01"}
EXPECTED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def client(settings: Settings, env: dict[str, str]) -> httpx.AsyncClient:
    app = create_app(settings, env=env)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")


def assert_secure(response: httpx.Response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (response.request.url, name)
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp


async def test_every_response_carries_the_security_headers(settings: Settings) -> None:
    env = ENV | REVIEW | {"VOUCHFLOW_PAYLOAD_KEY": KEY, "VOUCHFLOW_CODEC_TOKEN": CODEC_TOKEN}
    async with client(settings, env) as gw:
        responses = [
            await gw.get("/healthz"),
            await gw.get("/no-such-page"),
            await gw.post("/invoices", content=b"x"),  # 401
            await gw.get("/invoices/invoice-0123456789abcdef"),  # 401
            await gw.post("/slack/interactions", content=b"x"),  # 401
            await gw.get("/review"),  # 401 challenge
            await gw.post("/codec/decode", content=b"{}"),  # 401
            await gw.options("/codec/decode", headers={"Origin": UI}),
        ]
    for response in responses:
        assert_secure(response)
    assert {r.status_code for r in responses} >= {200, 401, 404, 204}


async def test_review_pages_cannot_be_framed_and_are_not_cached(settings: Settings) -> None:
    async with client(settings, ENV | REVIEW) as gw:
        gw.auth = ("alice", "alice-review-secret-01")
        # The detail page of an unknown workflow renders without Temporal.
        page = await gw.get("/review/not-an-invoice")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert_secure(page)


async def test_default_bind_is_loopback_unless_configured(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    assert GatewaySettings().host == "127.0.0.1"
    seen: dict[str, Any] = {}

    def fake_run(app: Any, **kwargs: Any) -> None:
        seen.update(kwargs)

    monkeypatch.setattr(gateway_main.uvicorn, "run", fake_run)
    # The process-wide logging set-up would outlive this test's captured stderr.
    monkeypatch.setattr(gateway_main, "configure_logging", lambda settings: None)
    monkeypatch.setenv("VOUCHFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("VOUCHFLOW_GATEWAY_HOST", raising=False)
    assert gateway_main.main() == 0
    assert seen["host"] == "127.0.0.1"
    monkeypatch.setenv("VOUCHFLOW_GATEWAY_HOST", "0.0.0.0")
    assert gateway_main.main() == 0
    assert seen["host"] == "0.0.0.0"


async def test_weak_client_secret_stops_the_gateway(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(gateway_main.uvicorn, "run", lambda app, **kw: None)
    monkeypatch.setattr(gateway_main, "configure_logging", lambda settings: None)
    monkeypatch.setenv("VOUCHFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("VOUCHFLOW_INTAKE_TOKEN", "short")
    assert gateway_main.main() == 2
    assert "shorter than 16" in capsys.readouterr().err


# ---- codec -----------------------------------------------------------------------------------


async def sealed_body() -> str:
    codec = codec_from_env({"VOUCHFLOW_PAYLOAD_KEY": KEY})
    assert codec is not None
    (sealed,) = await codec.encode([Payload(metadata={"encoding": b"json/plain"}, data=b'"hi"')])
    return json_format.MessageToJson(Payloads(payloads=[sealed]))


async def test_codec_refuses_callers_without_the_token(settings: Settings) -> None:
    body = await sealed_body()
    env = {"VOUCHFLOW_PAYLOAD_KEY": KEY, "VOUCHFLOW_CODEC_TOKEN": CODEC_TOKEN}
    async with client(settings, env) as gw:
        for headers in (
            {},
            {"Authorization": "Bearer wrong-token"},
            {"Authorization": CODEC_TOKEN},
            {"Authorization": f"Basic {CODEC_TOKEN}"},
        ):
            for path in ("/codec/decode", "/codec/encode"):
                refused = await gw.post(path, content=body, headers=headers)
                assert refused.status_code == 401, (path, headers)
                assert "hi" not in refused.text
        ok = await gw.post(
            "/codec/decode", content=body, headers={"Authorization": f"Bearer {CODEC_TOKEN}"}
        )
    assert ok.status_code == 200
    assert json_format.Parse(ok.text, Payloads()).payloads[0].data == b'"hi"'


async def test_codec_without_a_configured_token_refuses_everything(settings: Settings) -> None:
    body = await sealed_body()
    async with client(settings, {"VOUCHFLOW_PAYLOAD_KEY": KEY}) as gw:
        response = await gw.post(
            "/codec/decode", content=body, headers={"Authorization": "Bearer "}
        )
    assert response.status_code == 503


async def test_codec_cors_answers_the_web_ui_origin_only(settings: Settings) -> None:
    body = await sealed_body()
    env = {"VOUCHFLOW_PAYLOAD_KEY": KEY, "VOUCHFLOW_CODEC_TOKEN": CODEC_TOKEN}
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-namespace",
    }
    auth = {"Authorization": f"Bearer {CODEC_TOKEN}", "X-Namespace": "default"}
    async with client(settings, env) as gw:
        ui = await gw.options("/codec/decode", headers=preflight | {"Origin": UI})
        evil = await gw.options(
            "/codec/decode", headers=preflight | {"Origin": "https://evil.example"}
        )
        from_ui = await gw.post("/codec/decode", content=body, headers=auth | {"Origin": UI})
        from_evil = await gw.post(
            "/codec/decode", content=body, headers=auth | {"Origin": "https://evil.example"}
        )
    assert ui.status_code == 204
    assert ui.headers["access-control-allow-origin"] == UI
    assert ui.headers["access-control-allow-credentials"] == "true"
    allowed = ui.headers["access-control-allow-headers"].lower()
    assert all(h in allowed for h in ("authorization", "content-type", "x-namespace"))
    assert "POST" in ui.headers["access-control-allow-methods"]
    assert evil.status_code == 403 and "access-control-allow-origin" not in evil.headers
    assert from_ui.status_code == 200 and from_ui.headers["access-control-allow-origin"] == UI
    assert from_evil.status_code == 403 and "hi" not in from_evil.text
    assert "access-control-allow-origin" not in from_evil.headers


async def test_codec_origins_are_configurable(settings: Settings) -> None:
    env = {
        "VOUCHFLOW_PAYLOAD_KEY": KEY,
        "VOUCHFLOW_CODEC_TOKEN": CODEC_TOKEN,
        "VOUCHFLOW_CODEC_CORS_ORIGIN": "https://temporal.example.com, https://ui2.example.com",
    }
    async with client(settings, env) as gw:
        configured = await gw.options(
            "/codec/decode", headers={"Origin": "https://ui2.example.com"}
        )
        default = await gw.options("/codec/decode", headers={"Origin": UI})
    assert configured.headers["access-control-allow-origin"] == "https://ui2.example.com"
    assert default.status_code == 403


async def test_repeated_failed_sign_ins_are_throttled(settings: Settings) -> None:
    async with client(settings, ENV | REVIEW) as gw:
        gw.auth = ("alice", "wrong-guess")
        for _ in range(10):
            assert (await gw.get("/review/not-an-invoice")).status_code == 401
        gw.auth = ("alice", "alice-review-secret-01")
        throttled = await gw.get("/review/not-an-invoice")
    assert throttled.status_code == 429
    assert_secure(throttled)
    # Another gateway process (or after the window) lets the right secret in.
    async with client(settings, ENV | REVIEW) as fresh:
        fresh.auth = ("alice", "alice-review-secret-01")
        assert (await fresh.get("/review/not-an-invoice")).status_code == 200


async def test_https_responses_also_pin_https(settings: Settings) -> None:
    app = create_app(settings, env=ENV)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://gateway"
    ) as tls:
        secure = await tls.get("/healthz")
    async with client(settings, ENV) as plain:
        insecure = await plain.get("/healthz")
    assert secure.headers["strict-transport-security"].startswith("max-age=")
    assert "strict-transport-security" not in insecure.headers


async def test_codec_refuses_oversized_bodies(settings: Settings) -> None:
    env = {"VOUCHFLOW_PAYLOAD_KEY": KEY, "VOUCHFLOW_CODEC_TOKEN": CODEC_TOKEN}
    auth = {"Authorization": f"Bearer {CODEC_TOKEN}"}

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b" " * (1024 * 1024)

    async with client(settings, env) as gw:
        declared = await gw.post("/codec/decode", content=b" " * (5 * 1024 * 1024), headers=auth)
        streamed = await gw.post("/codec/decode", content=chunks(), headers=auth)
    assert declared.status_code == streamed.status_code == 413
