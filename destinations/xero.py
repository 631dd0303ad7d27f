"""Xero as the destination: draft bills (ACCPAY, Status DRAFT) through the
Accounting API, over a thin async httpx client.

Idempotent twice over: every write carries an `Idempotency-Key` derived from the
request's key (Xero replays within a few minutes), and before creating we search
for a bill with the same supplier contact and number (which survives any window).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from destinations.base import DestinationError
from destinations.xero_config import XeroCredentials, XeroSettings
from destinations.xero_http import XeroHttp, validation_messages
from destinations.xero_payload import bill_payload, dumps_exact
from schemas.effects import (
    DraftBill,
    DraftBillRequest,
    DuplicateMatch,
    DuplicateQuery,
    RevertOutcome,
    RevertRequest,
)

OPEN_STATUSES = "DRAFT,SUBMITTED,AUTHORISED"
_DELETABLE = {"DRAFT", "SUBMITTED"}
_WEB_URL = "https://go.xero.com/AccountsPayable/View.aspx?InvoiceID={id}"


def xero_idempotency_key(purpose: str, key: str) -> str:
    """Stable, ≤128 characters, and distinct per kind of write made for one request."""
    return "vf-" + hashlib.sha256(f"{purpose}:{key}".encode()).hexdigest()


def _where_name(name: str) -> str:
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'Name=="{escaped}"'


class XeroDestination:
    name = "xero"

    def __init__(
        self,
        settings: XeroSettings,
        credentials: XeroCredentials,
        *,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.settings = settings
        self._http = http or httpx.AsyncClient(timeout=settings.timeout.total_seconds())
        self._api = XeroHttp(
            credentials, self._http, max_concurrent_calls=settings.max_concurrent_calls
        )

    @classmethod
    def from_env(cls, settings: XeroSettings, env: Mapping[str, str]) -> XeroDestination:
        return cls(settings, XeroCredentials.from_env(env))

    @property
    def api(self) -> XeroHttp:
        return self._api

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- Destination -----------------------------------------------------------------------

    async def find_duplicates(self, query: DuplicateQuery) -> list[DuplicateMatch]:
        if not query.supplier_name or not query.invoice_number:
            return []
        contact_id = await self._find_contact(query.supplier_name)
        if contact_id is None:
            return []
        own_url = self._source_url(query.workflow_id)
        return [
            DuplicateMatch(
                bill_id=str(bill["InvoiceID"]), workflow_id=None, reason="same_supplier_and_number"
            )
            for bill in await self._search(contact_id, query.invoice_number)
            if own_url is None or bill.get("Url") != own_url
        ]

    async def create_draft_bill(self, request: DraftBillRequest, document: bytes) -> DraftBill:
        invoice = request.invoice
        if not invoice.supplier_name or not invoice.invoice_number:
            raise DestinationError(
                "supplier name and invoice number are required for a Xero bill; review",
                retryable=False,
            )
        contact_id = await self._contact_for(invoice.supplier_name, request.idempotency_key)
        own_url = self._source_url(request.workflow_id)
        payload = bill_payload(invoice, contact_id, self.settings, url=own_url)
        existing = await self._search(contact_id, invoice.invoice_number)
        if existing:
            ours = [b for b in existing if own_url is not None and b.get("Url") == own_url]
            bill = (ours or existing)[0]
            created = False
        else:
            bill = await self._create(payload, request.idempotency_key)
            created = True
        bill_id = str(bill["InvoiceID"])
        attachment_id = await self._attach(
            bill_id,
            request.document_filename,
            document,
            request.document.media_type or "application/pdf",
            request.idempotency_key,
            check_existing=not created,
        )
        return DraftBill(
            destination=self.name,
            bill_id=bill_id,
            status=str(bill.get("Status", "DRAFT")),
            created=created,
            attachment_id=attachment_id,
            url=_WEB_URL.format(id=bill_id),
        )

    async def revert_draft_bill(self, request: RevertRequest) -> RevertOutcome:
        path = f"/Invoices/{quote(request.bill_id, safe='')}"
        found = await self._api.call("GET", path, allow_404=True)
        bills = (found or {}).get("Invoices") or []
        if not bills:
            return RevertOutcome(
                reverted=False, status="MISSING", reason=f"bill {request.bill_id} not in Xero"
            )
        status = str(bills[0].get("Status"))
        if status == "DELETED":
            return RevertOutcome(reverted=True, status=status)
        if status not in _DELETABLE:
            return RevertOutcome(
                reverted=False,
                status=status,
                reason=(
                    f"bill is {status} in Xero; void it there or ask the accounts team "
                    "(only DRAFT and SUBMITTED bills can be deleted)"
                ),
            )
        body = await self._api.call(
            "POST",
            path,
            json_body=dumps_exact({"Status": "DELETED"}),
            idempotency_key=xero_idempotency_key("revert", request.idempotency_key),
        )
        element = ((body or {}).get("Invoices") or [{}])[0]
        errors = validation_messages(element)
        if errors:
            return RevertOutcome(reverted=False, status=status, reason="; ".join(errors))
        return RevertOutcome(reverted=True, status=str(element.get("Status", "DELETED")))

    # -- steps -----------------------------------------------------------------------------

    def _source_url(self, workflow_id: str) -> str | None:
        template = self.settings.source_url_template
        return template.format(workflow_id=quote(workflow_id, safe="")) if template else None

    async def _find_contact(self, name: str) -> str | None:
        body = await self._api.call("GET", "/Contacts", params={"where": _where_name(name)})
        contacts = [c for c in (body or {}).get("Contacts") or [] if c.get("Name") == name]
        active = [c for c in contacts if c.get("ContactStatus", "ACTIVE") == "ACTIVE"]
        chosen = (active or contacts or [None])[0]
        return str(chosen["ContactID"]) if chosen else None

    async def _contact_for(self, name: str, key: str) -> str:
        contact_id = await self._find_contact(name)
        if contact_id is not None:
            return contact_id
        if self.settings.missing_contact == "review":
            raise DestinationError(f"supplier {name!r} not in Xero; review", retryable=False)
        try:
            body = await self._api.call(
                "PUT",
                "/Contacts",
                json_body=dumps_exact({"Contacts": [{"Name": name}]}),
                idempotency_key=xero_idempotency_key("contact", key),
            )
        except DestinationError as exc:
            # Another worker may have created it between our search and our PUT.
            raced = None if exc.retryable else await self._find_contact(name)
            if raced is None:
                raise
            return raced
        element = ((body or {}).get("Contacts") or [{}])[0]
        errors = validation_messages(element)
        if errors or not element.get("ContactID"):
            raise DestinationError(
                f"Xero refused contact {name!r}: {'; '.join(errors)}", retryable=False
            )
        return str(element["ContactID"])

    async def _search(self, contact_id: str, invoice_number: str) -> list[dict[str, Any]]:
        body = await self._api.call(
            "GET",
            "/Invoices",
            params={
                "InvoiceNumbers": invoice_number,
                "ContactIDs": contact_id,
                "Statuses": OPEN_STATUSES,
            },
        )
        return [
            bill
            for bill in (body or {}).get("Invoices") or []
            if bill.get("Type") == "ACCPAY" and bill.get("InvoiceNumber") == invoice_number
        ]

    async def _create(self, payload: dict[str, Any], key: str) -> dict[str, Any]:
        body = await self._api.call(
            "PUT",
            "/Invoices?summarizeErrors=false",
            json_body=dumps_exact({"Invoices": [payload]}),
            idempotency_key=xero_idempotency_key("bill", key),
        )
        elements = (body or {}).get("Invoices") or []
        if not elements:
            raise DestinationError("Xero returned no invoice for the bill", retryable=False)
        element: dict[str, Any] = elements[0]
        if element.get("HasErrors") or element.get("ValidationErrors"):
            messages = "; ".join(validation_messages(element)) or "validation failed"
            raise DestinationError(f"Xero refused the bill: {messages}", retryable=False)
        return element

    async def _attach(
        self,
        bill_id: str,
        filename: str,
        document: bytes,
        media_type: str,
        key: str,
        *,
        check_existing: bool,
    ) -> str | None:
        base = f"/Invoices/{quote(bill_id, safe='')}/Attachments"
        if check_existing:
            listed = await self._api.call("GET", base)
            for attachment in (listed or {}).get("Attachments") or []:
                if attachment.get("FileName") == filename:
                    return str(attachment.get("AttachmentID"))
        body = await self._api.call(
            "PUT",
            f"{base}/{quote(filename, safe='')}",
            content=document,
            content_type=media_type,
            idempotency_key=xero_idempotency_key("attachment", key),
        )
        attachments = (body or {}).get("Attachments") or []
        return str(attachments[0]["AttachmentID"]) if attachments else None
