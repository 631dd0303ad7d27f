"""With VOUCHFLOW_PAYLOAD_KEY set, Temporal only ever stores ciphertext."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator

import httpx
import pytest
from google.protobuf import json_format
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from tests.harness import running_harness
from tests.invoice_texts import Line, TextInvoice
from vouchflow.gateway.app import create_app
from vouchflow.runtime.codec import ENCODING, CodecKeyError, codec_from_env, data_converter
from vouchflow.settings import Settings

KEY = base64.b64encode(os.urandom(32)).decode()
SUPPLIER = "Northwind Stationery Ltd"


async def test_history_holds_only_ciphertext_and_plain_signals_still_work(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    target = time_skipping_env.client.service_client.config.target_host
    encrypted = await Client.connect(
        target, data_converter=data_converter({"VOUCHFLOW_PAYLOAD_KEY": KEY})
    )
    invoice = TextInvoice(supplier=SUPPLIER, number="ENC-1", lines=[Line("Desks", 20, 29900)])
    async with running_harness(encrypted, settings) as h:
        sub = await h.submit(invoice.bytes())
        await h.wait_status(sub.workflow_id, "awaiting_approval")
        # A reviewer without the key (e.g. `temporal workflow signal`) sends plain JSON.
        plain = time_skipping_env.client.get_workflow_handle(sub.workflow_id)
        token = h.token("alice", sub.workflow_id, "approve")
        await plain.signal("approve", {"token": token, "comment": "plain"})
        state = await h.wait_status(sub.workflow_id, "drafted")
        assert state.decisions[-1].accepted and state.decisions[-1].comment == "plain"

        history = await plain.fetch_history()
    sealed = 0
    readable: list[bytes] = []
    for event in history.events:
        # Search attributes are indexed for filtering, so they stay readable by design.
        if event.HasField("upsert_workflow_search_attributes_event_attributes"):
            continue
        if event.HasField("workflow_execution_started_event_attributes"):
            event.workflow_execution_started_event_attributes.ClearField("search_attributes")
        assert SUPPLIER.encode() not in event.SerializeToString(), event.event_type
        # Markers carry the SDK's own bookkeeping (patch ids, local-activity ids) in clear;
        # their results are sealed like every other payload.
        is_marker = event.HasField("marker_recorded_event_attributes")
        for payload in _payloads(event):
            if payload.metadata.get("encoding") == ENCODING:
                sealed += 1
            elif not is_marker:
                readable.append(payload.data)
    assert sealed > 20
    # The one readable payload is the signal typed without the key.
    assert len(readable) == 1 and b'"comment":"plain"' in readable[0]


def _payloads(message: Message) -> Iterator[Payload]:
    if isinstance(message, Payload):
        yield message
        return
    for descriptor, value in message.ListFields():
        if descriptor.type != descriptor.TYPE_MESSAGE:
            continue
        if isinstance(value, Message):
            yield from _payloads(value)
            continue
        items = value.values() if hasattr(value, "values") else value  # map or repeated
        for item in items:
            if isinstance(item, Message):
                yield from _payloads(item)


async def test_codec_server_decodes_for_the_web_ui(settings: Settings) -> None:
    codec = codec_from_env({"VOUCHFLOW_PAYLOAD_KEY": KEY})
    assert codec is not None
    (sealed,) = await codec.encode([Payload(metadata={"encoding": b"json/plain"}, data=b'"hi"')])
    token = "codec-token-for-the-web-ui"
    app = create_app(settings, env={"VOUCHFLOW_PAYLOAD_KEY": KEY, "VOUCHFLOW_CODEC_TOKEN": token})
    body = json_format.MessageToJson(Payloads(payloads=[sealed]))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as http:
        response = await http.post(
            "/codec/decode",
            content=body,
            headers={"X-Namespace": "default", "Authorization": f"Bearer {token}"},
        )
        anonymous = await http.post("/codec/decode", content=body)
        preflight = await http.options("/codec/decode", headers={"Origin": "http://localhost:8233"})
    assert response.status_code == 200
    decoded = json_format.Parse(response.text, Payloads()).payloads[0]
    assert decoded.data == b'"hi"' and decoded.metadata["encoding"] == b"json/plain"
    assert anonymous.status_code == 401
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:8233"


async def test_without_a_key_there_is_no_codec_server(settings: Settings) -> None:
    app = create_app(settings, env={})
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as http:
        assert (await http.post("/codec/decode", content="{}")).status_code == 404


async def test_keys_rotate_and_bad_keys_are_refused() -> None:
    old = base64.b64encode(os.urandom(32)).decode()
    old_codec = codec_from_env({"VOUCHFLOW_PAYLOAD_KEY": old})
    new_codec = codec_from_env({"VOUCHFLOW_PAYLOAD_KEY": KEY, "VOUCHFLOW_PAYLOAD_KEY_OLD": old})
    assert old_codec is not None and new_codec is not None
    sealed = await old_codec.encode([Payload(data=b"x")])
    assert (await new_codec.decode(sealed))[0].data == b"x"
    stranger = codec_from_env({"VOUCHFLOW_PAYLOAD_KEY": KEY})
    assert stranger is not None
    with pytest.raises(CodecKeyError):
        await stranger.decode(sealed)
    with pytest.raises(CodecKeyError):
        codec_from_env({"VOUCHFLOW_PAYLOAD_KEY": "not base64!"})
    with pytest.raises(CodecKeyError):
        codec_from_env({"VOUCHFLOW_PAYLOAD_KEY": base64.b64encode(b"short").decode()})
