"""A Temporal remote codec server, so the Web UI and the `temporal` CLI can show
encrypted payloads.

Served by the gateway only when VOUCHFLOW_PAYLOAD_KEY is set, and only to callers
presenting `Authorization: Bearer <VOUCHFLOW_CODEC_TOKEN>`; without that variable the
endpoints refuse everything (503). Callers:

* the CLI: `temporal workflow show --codec-endpoint http://host:8000/codec
  --codec-auth "Bearer $VOUCHFLOW_CODEC_TOKEN"`;
* the Web UI (Settings -> Codec Server, endpoint `http://host:8000/codec`): the UI
  sends the `Authorization` header when "Pass the user access token" is on (or
  `codec.passAccessToken` in its server config); an SSO deployment puts a proxy that
  swaps the user's token for the codec token in front of this endpoint.

Browsers ask first (CORS preflight, which carries no credentials): only the UI's
origin(s) — `[gateway] codec_cors_origins` or VOUCHFLOW_CODEC_CORS_ORIGIN, comma
separated — are answered, with `Access-Control-Allow-Credentials: true` so the
"Include cross-origin credentials" setting works too. Any other origin gets no CORS
headers, so a page elsewhere cannot read decoded payloads even with a token.
"""

from __future__ import annotations

from collections.abc import Mapping

from google.protobuf import json_format
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from temporalio.api.common.v1 import Payloads

from vouchflow.gateway.auth import check_bearer
from vouchflow.gateway.config import CODEC_ORIGINS_ENV, GatewaySettings
from vouchflow.gateway.request_body import TooLarge, read_capped
from vouchflow.runtime.codec import CodecKeyError, EncryptionCodec

ALLOWED_HEADERS = "Authorization, Content-Type, X-Namespace"
# Payload batches from the UI are small; this bounds what one request can make us do.
MAX_BODY = 4 * 1024 * 1024


def allowed_origins(settings: GatewaySettings, env: Mapping[str, str]) -> frozenset[str]:
    raw = env.get(CODEC_ORIGINS_ENV) or settings.codec_cors_origins
    return frozenset(o.strip().rstrip("/") for o in raw.split(",") if o.strip())


def codec_routes(
    codec: EncryptionCodec, token: str, settings: GatewaySettings, env: Mapping[str, str]
) -> list[Route]:
    origins = allowed_origins(settings, env)

    def cors(request: Request) -> dict[str, str]:
        origin = request.headers.get("origin", "")
        if not origin or origin.rstrip("/") not in origins:
            return {}
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Credentials": "true",
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": "600",
            "Vary": "Origin",
        }

    def refuse(request: Request, status: int, message: str) -> Response:
        headers = cors(request)
        if status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="vouchflow codec"'
        return JSONResponse({"error": message}, status_code=status, headers=headers)

    async def run(request: Request, decode: bool) -> Response:
        if request.method == "OPTIONS":
            headers = cors(request)
            # A preflight from anywhere else is refused outright.
            return Response(status_code=204 if headers else 403, headers=headers)
        if not token:
            return refuse(request, 503, "the codec endpoint needs VOUCHFLOW_CODEC_TOKEN")
        if not check_bearer(token, request.headers.get("authorization")):
            return refuse(request, 401, "unauthorized")
        origin = request.headers.get("origin")
        if origin and not cors(request):
            return refuse(request, 403, "origin not allowed")
        try:
            body = await read_capped(request, MAX_BODY)
        except TooLarge:
            return refuse(request, 413, "request too large")
        try:
            payloads = json_format.Parse(body, Payloads())
        except json_format.ParseError:
            return refuse(request, 400, "not a Payloads JSON body")
        try:
            converted = await (codec.decode if decode else codec.encode)(payloads.payloads)
        except CodecKeyError:
            return refuse(request, 400, "a payload is sealed with a key this gateway lacks")
        except Exception:  # a tampered or truncated ciphertext is the caller's problem
            return refuse(request, 400, "a payload could not be converted")
        body_out = json_format.MessageToJson(Payloads(payloads=converted))
        return Response(body_out, media_type="application/json", headers=cors(request))

    async def decode(request: Request) -> Response:
        return await run(request, decode=True)

    async def encode(request: Request) -> Response:
        return await run(request, decode=False)

    return [
        Route("/codec/decode", decode, methods=["POST", "OPTIONS"]),
        Route("/codec/encode", encode, methods=["POST", "OPTIONS"]),
    ]
