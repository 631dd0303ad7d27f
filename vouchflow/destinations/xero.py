"""Xero as the destination: draft bills (ACCPAY invoices, Status DRAFT) and supplier
credit notes (ACCPAYCREDIT, on the CreditNotes endpoint) through the Accounting API,
over a thin async httpx client.

Idempotent twice over: every write carries an `Idempotency-Key` derived from the
request's key (Xero replays within a few minutes), and before creating we search
for a document of the same type with the same supplier contact and number (which
survives any window).

Numbers and supplier names are compared by `normalise_identifier` (Xero's own filters
match exactly, so the contact's open documents are listed and compared here): a
number typed with a zero-width space or in fullwidth digits still finds the bill.
An invoice and a credit note with the same number are not duplicates of each other.

When the search finds a live bill that is not this workflow's (its `Url` is not
the one `source_url_template` gives this workflow), posting is refused with
`DuplicateBillError`. Without a template, and for credit notes (Xero keeps no
`Url` on them), a found document cannot be told apart from our own earlier attempt
and is reused; the workflow's duplicate check just before posting is what stops a
second workflow in that case.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from schemas.invoice.effects import (
    DraftBill,
    DraftBillRequest,
    DuplicateMatch,
    DuplicateQuery,
    RevertOutcome,
    RevertRequest,
)
from vouchflow.destinations.base import DestinationError, DuplicateBillError, check_draftable
from vouchflow.destinations.xero_config import XeroCredentials, XeroSettings
from vouchflow.destinations.xero_http import XeroHttp, validation_messages
from vouchflow.destinations.xero_payload import bill_payload, dumps_exact
from vouchflow.invoice.rules.identifiers import clean_identifier, normalise_identifier

OPEN_STATUSES = "DRAFT,SUBMITTED,AUTHORISED"
_OPEN = frozenset(OPEN_STATUSES.split(","))
_DELETABLE = {"DRAFT", "SUBMITTED"}
# Xero pages list endpoints at 100 elements; a supplier with more open documents than
# this many pages cannot be checked for duplicates and the post fails closed.
_PAGE_SIZE = 100
_MAX_SEARCH_PAGES = 50


@dataclass(frozen=True)
class _Kind:
    """Where one document type lives in the Accounting API."""

    collection: str
    id_field: str
    number_field: str
    xero_type: str
    web_url: str
    key_purpose: str


_INVOICE = _Kind(
    "Invoices",
    "InvoiceID",
    "InvoiceNumber",
    "ACCPAY",
    "https://go.xero.com/AccountsPayable/View.aspx?InvoiceID={id}",
    "bill",
)
_CREDIT_NOTE = _Kind(
    "CreditNotes",
    "CreditNoteID",
    "CreditNoteNumber",
    "ACCPAYCREDIT",
    "https://go.xero.com/AccountsPayable/ViewCreditNote.aspx?creditNoteID={id}",
    "credit-note",
)
_KINDS = {"invoice": _INVOICE, "credit_note": _CREDIT_NOTE}


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
        if not normalise_identifier(query.supplier_name) or not normalise_identifier(
            query.invoice_number
        ):
            return []
        assert query.supplier_name is not None and query.invoice_number is not None
        contact_id = await self._find_contact(query.supplier_name)
        if contact_id is None:
            return []
        kind = _KINDS[query.document_type]
        own_url = self._source_url(query.workflow_id)
        return [
            DuplicateMatch(
                bill_id=str(bill[kind.id_field]),
                workflow_id=None,
                reason="same_supplier_and_number",
            )
            for bill in await self._search(kind, contact_id, query.invoice_number)
            if own_url is None or bill.get("Url") != own_url
        ]

    async def create_draft_bill(self, request: DraftBillRequest, document: bytes) -> DraftBill:
        invoice = request.invoice
        check_draftable(invoice)
        assert invoice.supplier_name is not None and invoice.invoice_number is not None
        kind = _KINDS[invoice.document_type]
        contact_id = await self._contact_for(invoice.supplier_name, request.idempotency_key)
        own_url = self._source_url(request.workflow_id)
        payload = bill_payload(invoice, contact_id, self.settings, url=own_url)
        existing = await self._search(kind, contact_id, invoice.invoice_number)
        if existing:
            ours = [b for b in existing if own_url is not None and b.get("Url") == own_url]
            if not ours and own_url is not None and kind is _INVOICE:
                other = existing[0]
                raise DuplicateBillError(
                    f"duplicate: Xero bill {other[kind.id_field]} ({other.get('Status')}) already"
                    f" has number {other.get(kind.number_field)!r} for this supplier",
                    destination=self.name,
                    bill_id=str(other[kind.id_field]),
                    workflow_id=None,
                )
            bill = (ours or existing)[0]
            created = False
        else:
            bill = await self._create(kind, payload, request.idempotency_key)
            created = True
        bill_id = str(bill[kind.id_field])
        attachment_id = await self._attach(
            kind,
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
            url=kind.web_url.format(id=bill_id),
        )

    async def revert_draft_bill(self, request: RevertRequest) -> RevertOutcome:
        # The id alone does not say which type was posted: an invoice, else a credit note.
        for kind in (_INVOICE, _CREDIT_NOTE):
            path = f"/{kind.collection}/{quote(request.bill_id, safe='')}"
            found = await self._api.call("GET", path, allow_404=True)
            bills = (found or {}).get(kind.collection) or []
            if bills:
                return await self._delete(kind, path, str(bills[0].get("Status")), request)
        return RevertOutcome(
            reverted=False, status="MISSING", reason=f"bill {request.bill_id} not in Xero"
        )

    async def _delete(
        self, kind: _Kind, path: str, status: str, request: RevertRequest
    ) -> RevertOutcome:
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
        element = ((body or {}).get(kind.collection) or [{}])[0]
        errors = validation_messages(element)
        if errors:
            return RevertOutcome(reverted=False, status=status, reason="; ".join(errors))
        return RevertOutcome(reverted=True, status=str(element.get("Status", "DELETED")))

    # -- steps -----------------------------------------------------------------------------

    def _source_url(self, workflow_id: str) -> str | None:
        template = self.settings.source_url_template
        return template.format(workflow_id=quote(workflow_id, safe="")) if template else None

    async def _find_contact(self, name: str) -> str | None:
        """The contact whose name has the same key as `name`: an exact search first,
        then Xero's text search on the name's longest word (names differing only by
        case, spacing, punctuation or invisible characters)."""
        key = normalise_identifier(name)
        clean = clean_identifier(name) or name
        body = await self._api.call("GET", "/Contacts", params={"where": _where_name(clean)})
        contacts = [
            c
            for c in (body or {}).get("Contacts") or []
            if normalise_identifier(c.get("Name")) == key
        ]
        if not contacts:
            words = sorted(
                (w for w in clean.split() if normalise_identifier(w)), key=len, reverse=True
            )
            if words:
                body = await self._api.call(
                    "GET", "/Contacts", params={"searchTerm": words[0], "summaryOnly": "true"}
                )
                contacts = [
                    c
                    for c in (body or {}).get("Contacts") or []
                    if normalise_identifier(c.get("Name")) == key
                ]
        active = [c for c in contacts if c.get("ContactStatus", "ACTIVE") == "ACTIVE"]
        chosen = (active or contacts or [None])[0]
        return str(chosen["ContactID"]) if chosen else None

    async def _contact_for(self, name: str, key: str) -> str:
        contact_id = await self._find_contact(name)
        if contact_id is not None:
            return contact_id
        clean = clean_identifier(name) or name
        if self.settings.missing_contact == "review":
            raise DestinationError(f"supplier {clean!r} not in Xero; review", retryable=False)
        try:
            body = await self._api.call(
                "PUT",
                "/Contacts",
                json_body=dumps_exact({"Contacts": [{"Name": clean}]}),
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
                f"Xero refused contact {clean!r}: {'; '.join(errors)}", retryable=False
            )
        return str(element["ContactID"])

    async def _search(self, kind: _Kind, contact_id: str, number: str) -> list[dict[str, Any]]:
        """Open documents of `kind` for the contact whose number has the same key."""
        key = normalise_identifier(number)
        found: list[dict[str, Any]] = []
        for page in range(1, _MAX_SEARCH_PAGES + 1):
            params = {"page": str(page)}
            if kind is _INVOICE:
                params |= {"ContactIDs": contact_id, "Statuses": OPEN_STATUSES}
            else:
                params["where"] = f'Contact.ContactID==guid("{contact_id}")'
            body = await self._api.call("GET", f"/{kind.collection}", params=params)
            items: list[dict[str, Any]] = (body or {}).get(kind.collection) or []
            found += [
                item
                for item in items
                if item.get("Type") == kind.xero_type
                and item.get("Status") in _OPEN
                and normalise_identifier(item.get(kind.number_field)) == key
            ]
            if len(items) < _PAGE_SIZE:
                return found
        raise DestinationError(
            f"the supplier has more than {_MAX_SEARCH_PAGES * _PAGE_SIZE} open documents in"
            " Xero, too many to check for a duplicate; review",
            retryable=False,
        )

    async def _create(self, kind: _Kind, payload: dict[str, Any], key: str) -> dict[str, Any]:
        body = await self._api.call(
            "PUT",
            f"/{kind.collection}?summarizeErrors=false",
            json_body=dumps_exact({kind.collection: [payload]}),
            idempotency_key=xero_idempotency_key(kind.key_purpose, key),
        )
        elements = (body or {}).get(kind.collection) or []
        if not elements:
            raise DestinationError("Xero returned no document for the bill", retryable=False)
        element: dict[str, Any] = elements[0]
        if element.get("HasErrors") or element.get("ValidationErrors"):
            messages = "; ".join(validation_messages(element)) or "validation failed"
            raise DestinationError(f"Xero refused the bill: {messages}", retryable=False)
        return element

    async def _attach(
        self,
        kind: _Kind,
        bill_id: str,
        filename: str,
        document: bytes,
        media_type: str,
        key: str,
        *,
        check_existing: bool,
    ) -> str | None:
        base = f"/{kind.collection}/{quote(bill_id, safe='')}/Attachments"
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
