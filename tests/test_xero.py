"""The Xero destination against the local fake, with request and response shapes
checked against the official xero-python SDK models."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from xero_python.accounting import models as xero_models
from xero_python.api_client import ModelFinder
from xero_python.api_client.deserializer import deserialize

from schemas.common.documents import BlobRef
from schemas.invoice.effects import DraftBillRequest, DuplicateQuery, RevertRequest
from schemas.invoice.invoice import Invoice, LineItem
from vouchflow.destinations.base import DestinationError, DuplicateBillError
from vouchflow.destinations.xero import XeroDestination, xero_idempotency_key
from vouchflow.destinations.xero_config import XeroCredentials, XeroSettings
from vouchflow.destinations.xero_payload import dumps_exact
from vouchflow.testing.fakes.fake_xero import FakeXero

SUPPLIER = "Acme Office Supplies Ltd"
PDF = b"%PDF-1.4 fake invoice bytes"
FINDER = ModelFinder(xero_models)


@pytest.fixture
def fake() -> Iterator[FakeXero]:
    server = FakeXero().start()
    yield server
    server.stop()


def settings(**changes: Any) -> XeroSettings:
    base: dict[str, Any] = {
        "tax_types": {"20": "INPUT2", "5": "RRINPUT", "0": "ZERORATEDINPUT"},
        "timeout": "5s",
    }
    return XeroSettings.model_validate(base | changes)


def destination(fake: FakeXero, **changes: Any) -> XeroDestination:
    return XeroDestination(settings(**changes), XeroCredentials.from_env(fake.env()))


def invoice(**changes: Any) -> Invoice:
    data: dict[str, Any] = {
        "supplier_name": SUPPLIER,
        "invoice_number": "INV-1001",
        "issue_date": dt.date(2024, 3, 1),
        "due_date": dt.date(2024, 3, 31),
        "currency": "GBP",
        "subtotal_minor": 5750,
        "tax_total_minor": 1150,
        "total_minor": 6900,
        "line_items": [
            LineItem(
                description="A4 paper",
                quantity=Decimal(10),
                unit_price_minor=450,
                tax_rate=Decimal(20),
                line_total_minor=4500,
            ),
            LineItem(
                description="Delivery",
                quantity=Decimal(1),
                unit_price_minor=1250,
                tax_rate=Decimal(20),
                line_total_minor=1250,
            ),
        ],
    }
    return Invoice.model_validate(data | changes)


def request(workflow_id: str = "invoice-abc", **changes: Any) -> DraftBillRequest:
    return DraftBillRequest(
        workflow_id=workflow_id,
        idempotency_key=f"{workflow_id}:draft-bill",
        invoice=invoice(**changes),
        document=BlobRef(sha256="ab" * 32, size_bytes=len(PDF), media_type="application/pdf"),
        document_filename="INV-1001.pdf",
    )


def assert_known_keys(data: dict[str, Any], model: type) -> None:
    """Every key we send is a field of the SDK model (the SDK itself ignores unknown keys)."""
    known = set(model.attribute_map.values())  # type: ignore[attr-defined]
    assert set(data) <= known, set(data) - known


async def test_creates_draft_bill_in_sdk_shape_with_attachment(fake: FakeXero) -> None:
    fake.add_contact(SUPPLIER)
    dest = destination(fake)
    bill = await dest.create_draft_bill(request(), PDF)

    assert bill.created and bill.status == "DRAFT" and bill.destination == "xero"
    stored = fake.invoices[bill.bill_id]
    assert stored["Total"] == Decimal("69.00") and stored["TotalTax"] == Decimal("11.50")
    assert fake.attachment_bodies[bill.attachment_id or ""] == PDF

    (put,) = fake.api_requests("PUT", "/Invoices")
    assert put.query == {"summarizeErrors": "false"}
    assert put.headers["idempotency-key"] == xero_idempotency_key("bill", "invoice-abc:draft-bill")
    assert len(put.headers["idempotency-key"]) <= 128
    body = json.loads(put.body, parse_float=Decimal)
    sent = body["Invoices"][0]
    assert_known_keys(sent, xero_models.Invoice)
    for line in sent["LineItems"]:
        assert_known_keys(line, xero_models.LineItem)
    # Exact decimals on the wire, derived from minor units.
    assert b'"UnitAmount":4.50' in put.body and b'"LineAmount":45.00' in put.body

    parsed = deserialize("Invoices", body, FINDER).invoices[0]
    assert parsed.type == "ACCPAY" and parsed.status == "DRAFT"
    assert parsed.invoice_number == "INV-1001" and parsed.currency_code.value == "GBP"
    assert parsed.line_amount_types == xero_models.LineAmountTypes.EXCLUSIVE
    assert parsed.date == dt.date(2024, 3, 1) and parsed.due_date == dt.date(2024, 3, 31)
    assert [li.tax_type for li in parsed.line_items] == ["INPUT2", "INPUT2"]
    assert {li.account_code for li in parsed.line_items} == {"429"}

    # The fake answers in a shape the SDK reads, too.
    assert fake.api_requests("GET", f"/Invoices/{bill.bill_id}/Attachments") == []
    answer = await dest.api.call("GET", f"/Invoices/{bill.bill_id}")
    read_back = deserialize("Invoices", answer, FINDER).invoices[0]
    assert str(read_back.invoice_id) == bill.bill_id and read_back.status == "DRAFT"
    assert read_back.total == Decimal("69.00") and read_back.date == dt.date(2024, 3, 1)
    await dest.aclose()


async def test_tax_inclusive_amounts_are_posted_inclusive(fake: FakeXero) -> None:
    fake.add_contact(SUPPLIER)
    dest = destination(fake)
    bill = await dest.create_draft_bill(request(amounts_tax_inclusive=True), PDF)
    assert fake.invoices[bill.bill_id]["LineAmountTypes"] == "Inclusive"
    assert fake.invoices[bill.bill_id]["Total"] == Decimal("57.50")
    await dest.aclose()


async def test_second_create_reuses_the_bill_found_by_search(fake: FakeXero) -> None:
    fake.add_contact(SUPPLIER)
    first = await destination(fake).create_draft_bill(request(), PDF)
    # A different process, hours later: no shared memory, replay window long gone.
    fake.idempotency_window_s = 0
    second = await destination(fake).create_draft_bill(request(), PDF)

    assert second.bill_id == first.bill_id and not second.created
    assert second.attachment_id == first.attachment_id
    assert len(fake.invoices) == 1 and len(fake.attachments[first.bill_id]) == 1
    search = fake.api_requests("GET", "/Invoices")[-1]
    assert search.query["Statuses"] == "DRAFT,SUBMITTED,AUTHORISED"
    # Numbers are compared by their normal form here, so the contact's bills are listed.
    assert search.query["ContactIDs"] == fake.invoices[first.bill_id]["Contact"]["ContactID"]
    assert search.query["page"] == "1"


async def test_idempotency_key_replays_within_window_and_rejects_other_body(
    fake: FakeXero,
) -> None:
    contact_id = fake.add_contact(SUPPLIER)
    dest = destination(fake)
    body = dumps_exact(
        {
            "Invoices": [
                {
                    "Type": "ACCPAY",
                    "Contact": {"ContactID": contact_id},
                    "LineItems": [
                        {
                            "Description": "x",
                            "Quantity": 1,
                            "UnitAmount": Decimal("1.00"),
                            "AccountCode": "429",
                            "TaxType": "INPUT2",
                        }
                    ],
                }
            ]
        }
    )
    first = await dest.api.call("PUT", "/Invoices", json_body=body, idempotency_key="k1")
    again = await dest.api.call("PUT", "/Invoices", json_body=body, idempotency_key="k1")
    assert first == again and len(fake.invoices) == 1

    with pytest.raises(DestinationError) as refused:
        await dest.api.call(
            "PUT", "/Invoices", json_body=body.replace("1.00", "2.00"), idempotency_key="k1"
        )
    assert not refused.value.retryable and "different request" in str(refused.value)

    fake.idempotency_window_s = 0
    await dest.api.call("PUT", "/Invoices", json_body=body, idempotency_key="k1")
    assert len(fake.invoices) == 2
    await dest.aclose()


async def test_replayed_key_also_replays_an_error(fake: FakeXero) -> None:
    dest = destination(fake)
    body = dumps_exact({"Contacts": [{"Name": ""}]})
    for _ in range(2):
        with pytest.raises(DestinationError, match="name is required"):
            await dest.api.call("PUT", "/Contacts", json_body=body, idempotency_key="bad")
    fake.add_contact("")  # would change the answer, but the replay is what comes back
    with pytest.raises(DestinationError, match="name is required"):
        await dest.api.call("PUT", "/Contacts", json_body=body, idempotency_key="bad")
    await dest.aclose()


async def test_missing_contact_goes_to_review_by_default(fake: FakeXero) -> None:
    dest = destination(fake)
    with pytest.raises(DestinationError, match="not in Xero; review") as err:
        await dest.create_draft_bill(request(), PDF)
    assert not err.value.retryable
    assert fake.invoices == {} and fake.contacts == {}
    await dest.aclose()


async def test_missing_contact_is_created_when_configured(fake: FakeXero) -> None:
    dest = destination(fake, missing_contact="create")
    bill = await dest.create_draft_bill(request(), PDF)
    (contact,) = fake.contacts.values()
    assert contact["Name"] == SUPPLIER
    assert fake.invoices[bill.bill_id]["Contact"]["ContactID"] == contact["ContactID"]
    await dest.aclose()


async def test_contact_search_escapes_quotes(fake: FakeXero) -> None:
    name = 'The "Best" Widgets'
    fake.add_contact(name)
    fake.add_contact("The")
    dest = destination(fake)
    bill = await dest.create_draft_bill(request(supplier_name=name), PDF)
    assert fake.invoices[bill.bill_id]["Contact"]["Name"] == name
    await dest.aclose()


async def test_per_element_validation_errors_are_not_retryable(fake: FakeXero) -> None:
    fake.add_contact(SUPPLIER)
    dest = destination(fake, tax_types={"20": "INPUT9"})
    with pytest.raises(DestinationError, match="TaxType code 'INPUT9'") as err:
        await dest.create_draft_bill(request(), PDF)
    assert not err.value.retryable and fake.invoices == {}
    await dest.aclose()


async def test_unmapped_tax_rate_stops_before_any_write(fake: FakeXero) -> None:
    fake.add_contact(SUPPLIER)
    dest = destination(fake, tax_types={"5": "RRINPUT"})
    with pytest.raises(DestinationError, match="tax rate 20") as err:
        await dest.create_draft_bill(request(), PDF)
    assert not err.value.retryable
    assert fake.api_requests("PUT") == []
    await dest.aclose()


async def test_revert_deletes_a_draft_and_is_idempotent(fake: FakeXero) -> None:
    fake.add_contact(SUPPLIER)
    dest = destination(fake)
    bill = await dest.create_draft_bill(request(), PDF)
    revert = RevertRequest(workflow_id="invoice-abc", bill_id=bill.bill_id, idempotency_key="r1")
    assert (await dest.revert_draft_bill(revert)).reverted
    assert fake.invoices[bill.bill_id]["Status"] == "DELETED"
    again = await dest.revert_draft_bill(revert)
    assert again.reverted and again.status == "DELETED"
    (post,) = fake.api_requests("POST", f"/Invoices/{bill.bill_id}")
    assert json.loads(post.body) == {"Status": "DELETED"}
    await dest.aclose()


async def test_revert_of_authorised_bill_explains_instead_of_failing(fake: FakeXero) -> None:
    fake.add_contact(SUPPLIER)
    dest = destination(fake)
    bill = await dest.create_draft_bill(request(), PDF)
    fake.set_status(bill.bill_id, "AUTHORISED")
    outcome = await dest.revert_draft_bill(
        RevertRequest(workflow_id="invoice-abc", bill_id=bill.bill_id, idempotency_key="r1")
    )
    assert not outcome.reverted and outcome.status == "AUTHORISED"
    assert "AUTHORISED in Xero; void it there" in outcome.reason
    assert fake.invoices[bill.bill_id]["Status"] == "AUTHORISED"
    missing = await dest.revert_draft_bill(
        RevertRequest(
            workflow_id="w", bill_id="00000000-0000-0000-0000-000000000000", idempotency_key="r2"
        )
    )
    assert not missing.reverted and "not in Xero" in missing.reason
    await dest.aclose()


async def test_fake_enforces_status_transitions(fake: FakeXero) -> None:
    fake.add_contact(SUPPLIER)
    dest = destination(fake)
    bill = await dest.create_draft_bill(request(), PDF)
    fake.set_status(bill.bill_id, "AUTHORISED")
    with pytest.raises(DestinationError, match="not of valid status"):
        await dest.api.call("POST", f"/Invoices/{bill.bill_id}", json_body='{"Status":"DELETED"}')
    voided = await dest.api.call(
        "POST", f"/Invoices/{bill.bill_id}", json_body='{"Status":"VOIDED"}'
    )
    assert voided is not None and voided["Invoices"][0]["Status"] == "VOIDED"
    await dest.aclose()


async def test_find_duplicates_by_supplier_and_number(fake: FakeXero) -> None:
    fake.add_contact(SUPPLIER)
    template = "http://localhost:8233/namespaces/default/workflows/{workflow_id}"
    dest = destination(fake, source_url_template=template)
    bill = await dest.create_draft_bill(request("invoice-first"), PDF)

    def query(workflow_id: str, supplier: str = SUPPLIER) -> DuplicateQuery:
        return DuplicateQuery(
            workflow_id=workflow_id,
            supplier_name=supplier,
            invoice_number="INV-1001",
            document_sha256="cd" * 32,
        )

    (match,) = await dest.find_duplicates(query("invoice-second"))
    assert match.bill_id == bill.bill_id and match.reason == "same_supplier_and_number"
    assert await dest.find_duplicates(query("invoice-first")) == []  # its own bill
    assert await dest.find_duplicates(query("invoice-second", "Someone Else Ltd")) == []
    fake.set_status(bill.bill_id, "DELETED")
    assert await dest.find_duplicates(query("invoice-second")) == []
    await dest.aclose()


async def test_rate_limit_is_retryable_with_retry_after(fake: FakeXero) -> None:
    fake.add_contact(SUPPLIER)
    fake.inject(429, retry_after=17)
    dest = destination(fake)
    with pytest.raises(DestinationError) as err:
        await dest.create_draft_bill(request(), PDF)
    assert err.value.retryable and err.value.retry_after_s == 17
    assert "minute" in str(err.value)
    bill = await dest.create_draft_bill(request(), PDF)  # the retry Temporal would make
    assert bill.created
    await dest.aclose()


async def test_minute_limit_of_the_fake(fake: FakeXero) -> None:
    fake.calls_per_minute = 2
    fake.add_contact(SUPPLIER)
    dest = destination(fake)
    await dest.api.call("GET", "/Contacts")
    await dest.api.call("GET", "/Contacts")
    with pytest.raises(DestinationError) as err:
        await dest.api.call("GET", "/Contacts")
    assert err.value.retryable and err.value.retry_after_s is not None
    assert 0 < err.value.retry_after_s <= 60
    await dest.aclose()


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_retryable(fake: FakeXero, status: int) -> None:
    fake.inject(status)
    dest = destination(fake)
    with pytest.raises(DestinationError) as err:
        await dest.api.call("GET", "/Contacts")
    assert err.value.retryable and f"HTTP {status}" in str(err.value)
    await dest.aclose()


async def test_timeout_is_retryable(fake: FakeXero) -> None:
    fake.latency_s = 0.5
    dest = destination(fake, timeout="0.1s")
    with pytest.raises(DestinationError, match="timed out") as err:
        await dest.api.call("GET", "/Contacts")
    assert err.value.retryable
    await dest.aclose()


async def test_token_is_cached_across_calls(fake: FakeXero) -> None:
    dest = destination(fake)
    for _ in range(3):
        await dest.api.call("GET", "/Contacts")
    assert fake.token_requests == 1
    await dest.aclose()


async def test_expired_token_refreshed_once_on_401(fake: FakeXero) -> None:
    dest = destination(fake)
    await dest.api.call("GET", "/Contacts")
    fake.expire_tokens()
    await dest.api.call("GET", "/Contacts")
    assert fake.token_requests == 2
    assert len(fake.api_requests("GET", "/Contacts")) == 3  # the 401, then the retry
    await dest.aclose()


async def test_token_refreshed_before_expiry(fake: FakeXero) -> None:
    fake.token_lifetime_s = 0.2
    dest = destination(fake)
    await dest.api.call("GET", "/Contacts")
    await asyncio.sleep(0.3)
    await dest.api.call("GET", "/Contacts")
    assert fake.token_requests == 2
    assert len(fake.api_requests("GET", "/Contacts")) == 2  # no 401 on the way
    await dest.aclose()


async def test_401_after_refresh_is_not_retryable(fake: FakeXero) -> None:
    fake.token_lifetime_s = 0
    dest = destination(fake)
    with pytest.raises(DestinationError, match="HTTP 401") as err:
        await dest.api.call("GET", "/Contacts")
    assert not err.value.retryable and fake.token_requests == 2
    await dest.aclose()


async def test_bad_credentials_fail_without_leaking_the_secret(fake: FakeXero) -> None:
    env = fake.env() | {"XERO_CLIENT_SECRET": "wrong-secret-value"}
    dest = XeroDestination(settings(), XeroCredentials.from_env(env))
    with pytest.raises(DestinationError) as err:
        await dest.api.call("GET", "/Contacts")
    assert not err.value.retryable and "invalid_client" in str(err.value)
    assert "wrong-secret-value" not in str(err.value)
    assert "wrong-secret-value" not in repr(XeroCredentials.from_env(env))
    await dest.aclose()


async def test_wrong_tenant_is_forbidden(fake: FakeXero) -> None:
    env = fake.env() | {"XERO_TENANT_ID": "another-tenant"}
    dest = XeroDestination(settings(), XeroCredentials.from_env(env))
    with pytest.raises(DestinationError, match="HTTP 403") as err:
        await dest.api.call("GET", "/Contacts")
    assert not err.value.retryable
    await dest.aclose()


async def test_at_most_five_concurrent_calls_per_tenant(fake: FakeXero) -> None:
    fake.latency_s = 0.05
    fake.calls_per_minute = 1000
    fake.add_contact(SUPPLIER)
    # Two clients in one process share the tenant's cap.
    first, second = destination(fake), destination(fake)
    calls = [d.api.call("GET", "/Contacts") for d in (first, second) for _ in range(8)]
    results = await asyncio.gather(*calls)
    assert all(r is not None and len(r["Contacts"]) == 1 for r in results)
    assert 1 < fake.max_in_flight_seen <= 5
    await first.aclose()
    await second.aclose()


async def test_fake_rejects_a_sixth_concurrent_call(fake: FakeXero) -> None:
    import httpx

    fake.latency_s = 0.2
    dest = destination(fake)
    token = await dest.api.tokens.token()
    headers = {"Authorization": f"Bearer {token}", "Xero-Tenant-Id": fake.tenant_id}
    async with httpx.AsyncClient() as raw:
        responses = await asyncio.gather(
            *[raw.get(fake.api_url + "/Contacts", headers=headers) for _ in range(8)]
        )
    limited = [r for r in responses if r.status_code == 429]
    assert limited and all(r.headers["X-Rate-Limit-Problem"] == "concurrent" for r in limited)
    assert all("Retry-After" in r.headers for r in limited)
    await dest.aclose()


async def test_another_workflows_bill_with_the_same_number_is_a_duplicate_bill(
    fake: FakeXero,
) -> None:
    fake.add_contact(SUPPLIER)
    template = "http://localhost:8233/namespaces/default/workflows/{workflow_id}"
    dest = destination(fake, source_url_template=template)
    first = await dest.create_draft_bill(request("invoice-first"), PDF)
    # The number as OCR or an attacker writes it: still the same bill.
    twin = request("invoice-second", invoice_number="\uff29NV\u200b 1001")
    with pytest.raises(DuplicateBillError) as refused:
        await dest.create_draft_bill(twin, PDF)
    assert refused.value.bill_id == first.bill_id and not refused.value.retryable
    assert refused.value.destination == "xero"
    assert len(fake.invoices) == 1 and fake.api_requests("PUT", "/Invoices") != []
    # The first workflow retrying finds its own bill again.
    again = await dest.create_draft_bill(request("invoice-first"), PDF)
    assert again.bill_id == first.bill_id and not again.created
    await dest.aclose()


async def test_numbers_and_suppliers_are_sent_and_matched_in_normal_form(fake: FakeXero) -> None:
    contact = fake.add_contact(SUPPLIER)
    dest = destination(fake)
    bill = await dest.create_draft_bill(
        request(supplier_name="ACME Office Supplies Ltd.\u200b", invoice_number="INV\u200b-1001"),
        PDF,
    )
    stored = fake.invoices[bill.bill_id]
    assert stored["InvoiceNumber"] == "INV-1001"  # no invisible character reaches Xero
    assert stored["Contact"]["ContactID"] == contact  # the existing contact, not a new one
    assert len(fake.contacts) == 1
    (match,) = await dest.find_duplicates(
        DuplicateQuery(
            workflow_id="invoice-other",
            supplier_name="acme office supplies ltd",
            invoice_number="inv 1001",
            document_sha256="cd" * 32,
        )
    )
    assert match.bill_id == bill.bill_id
    await dest.aclose()


async def test_duplicate_search_pages_through_a_busy_supplier(fake: FakeXero) -> None:
    contact = fake.add_contact(SUPPLIER)
    dest = destination(fake)
    for n in range(230):  # what people entered in Xero over the years
        bill_id = f"00000000-0000-4000-8000-{n:012d}"
        fake.invoices[bill_id] = {
            "Type": "ACCPAY",
            "InvoiceID": bill_id,
            "InvoiceNumber": f"INV-{n:04d}",
            "Status": "AUTHORISED",
            "Contact": fake.contacts[contact],
        }
    (match,) = await dest.find_duplicates(
        DuplicateQuery(
            workflow_id="wf-x",
            supplier_name=SUPPLIER,
            invoice_number="inv 0229",
            document_sha256="cd" * 32,
        )
    )
    assert fake.invoices[match.bill_id]["InvoiceNumber"] == "INV-0229"
    pages = [r.query.get("page") for r in fake.api_requests("GET", "/Invoices")][-3:]
    assert pages == ["1", "2", "3"]
    await dest.aclose()


async def test_destination_refuses_a_bill_without_its_key_fields(fake: FakeXero) -> None:
    fake.add_contact(SUPPLIER)
    dest = destination(fake)
    for field in ("invoice_number", "total_minor", "currency"):
        with pytest.raises(DestinationError, match="refusing to create a draft") as refused:
            await dest.create_draft_bill(request("invoice-abc", **{field: None}), PDF)
        assert not refused.value.retryable
    assert fake.api_requests("PUT") == []
    await dest.aclose()
