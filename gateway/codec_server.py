"""A Temporal remote codec server, so the Web UI and the `temporal` CLI can show
encrypted payloads (`temporal workflow show --codec-endpoint http://host:8000/codec`,
or Web UI settings -> Codec Server).

Served by the gateway only when VOUCHFLOW_PAYLOAD_KEY is set. Whoever can reach these
endpoints can decrypt payloads: expose the gateway's /codec only on a trusted network.
"""

from __future__ import annotations

from collections.abc import Mapping

from google.protobuf import json_format
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from temporalio.api.common.v1 import Payloads

from runtime.codec import EncryptionCodec

DEFAULT_UI_ORIGIN = "http://localhost:8233"


def codec_routes(codec: EncryptionCodec, env: Mapping[str, str]) -> list[Route]:
    origin = env.get("VOUCHFLOW_CODEC_CORS_ORIGIN", DEFAULT_UI_ORIGIN)
    cors = {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type, X-Namespace, Authorization",
    }

    async def run(request: Request, decode: bool) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=cors)
        try:
            payloads = json_format.Parse(await request.body(), Payloads())
        except json_format.ParseError as err:
            return Response(f"not a Payloads JSON body: {err}", status_code=400, headers=cors)
        converted = await (codec.decode if decode else codec.encode)(payloads.payloads)
        body = json_format.MessageToJson(Payloads(payloads=converted))
        return Response(body, media_type="application/json", headers=cors)

    async def decode(request: Request) -> Response:
        return await run(request, decode=True)

    async def encode(request: Request) -> Response:
        return await run(request, decode=False)

    return [
        Route("/codec/decode", decode, methods=["POST", "OPTIONS"]),
        Route("/codec/encode", encode, methods=["POST", "OPTIONS"]),
    ]
