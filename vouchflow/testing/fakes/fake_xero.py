"""A local fake of the Xero identity server and Accounting API (the parts we use).

It enforces what Xero enforces for these calls: client-credentials tokens that
expire, the Xero-Tenant-Id header, per-tenant rate limits (60 calls/minute,
5 concurrent) answered with 429 + Retry-After + X-Rate-Limit-Problem, the
Idempotency-Key replay window (errors replayed too, a reused key with another
request refused), per-element validation errors under summarizeErrors=false, and
the invoice status transitions. Hooks let tests inject 429s and 5xx responses.

Supplier credit notes live on their own endpoint (/CreditNotes, Type ACCPAYCREDIT,
CreditNoteNumber/CreditNoteID) and, as in Xero, the type carries the sign: a document
whose total is negative is refused on either endpoint. List endpoints page at 100
elements when asked for a page; contacts can be searched with searchTerm.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import datetime as dt
import hashlib
import json
import math
import re
import secrets
import time
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from vouchflow.testing.fakes.threaded_asgi import ThreadedServer

API_PREFIX = "/api.xro/2.0"

# status -> statuses an API update may move it to
TRANSITIONS: dict[str, set[str]] = {
    "DRAFT": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "SUBMITTED": {"SUBMITTED", "DRAFT", "AUTHORISED", "DELETED"},
    "AUTHORISED": {"AUTHORISED", "VOIDED"},
    "PAID": set(),
    "VOIDED": set(),
    "DELETED": set(),
}
CREATE_STATUSES = {"DRAFT", "SUBMITTED", "AUTHORISED"}
DEFAULT_TAX_RATES = {
    "INPUT2": Decimal(20),
    "RRINPUT": Decimal(5),
    "ZERORATEDINPUT": Decimal(0),
    "EXEMPTINPUT": Decimal(0),
    "NONE": Decimal(0),
}
_WHERE_NAME = re.compile(r'^\s*Name\s*==\s*"((?:[^"\\]|\\.)*)"\s*$')
_WHERE_CONTACT = re.compile(r'^\s*Contact\.ContactID\s*==\s*guid\("([0-9a-fA-F-]+)"\)\s*$')
PAGE_SIZE = 100


@dataclass(frozen=True)
class _Collection:
    name: str
    id_field: str
    number_field: str
    types: tuple[str, ...]


INVOICES = _Collection("Invoices", "InvoiceID", "InvoiceNumber", ("ACCPAY", "ACCREC"))
CREDIT_NOTES = _Collection(
    "CreditNotes", "CreditNoteID", "CreditNoteNumber", ("ACCPAYCREDIT", "ACCRECCREDIT")
)
COLLECTIONS = {c.name: c for c in (INVOICES, CREDIT_NOTES)}


def _page(items: list[Any], page: str | None) -> list[Any]:
    if not page:
        return items
    number = max(1, int(page))
    return items[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]


_CENT = Decimal("0.01")


def _dumps(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{_dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dumps(v) for v in value) + "]"
    return json.dumps(value)


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(_dumps(body), status, headers=headers, media_type="application/json")


_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def _parse_date(value: Any) -> dt.date:
    """Xero accepts ISO dates and the Microsoft JSON form the SDKs send."""
    match = _MS_DATE.match(str(value))
    if match:
        return dt.datetime.fromtimestamp(int(match.group(1)) / 1000, dt.UTC).date()
    return dt.date.fromisoformat(str(value)[:10])


def _ms_date(day: dt.date) -> str:
    stamp = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()
    return f"/Date({int(stamp * 1000)}+0000)/"


def _validation_400(elements: list[dict[str, Any]]) -> Response:
    return _json(
        {
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": elements,
        },
        400,
    )


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class _Injected:
    status: int
    remaining: int
    retry_after: int = 1
    problem: str = "minute"
    # Only calls with this method / path answer it (None: any).
    method: str | None = None
    path: str | None = None

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path is None or self.path == path
        )


@dataclass
class _Remembered:
    fingerprint: str
    at: float
    status: int = 0
    body: bytes = b""
    done: bool = False


@dataclass
class FakeXero:
    client_id: str = "fake-client-id"
    client_secret: str = "fake-client-secret"
    tenant_id: str = "00000000-0000-4000-8000-000000000001"
    token_lifetime_s: float = 1800.0
    idempotency_window_s: float = 300.0
    calls_per_minute: int = 60
    max_concurrent: int = 5
    latency_s: float = 0.0
    account_codes: set[str] = field(default_factory=lambda: {"300", "400", "429"})
    tax_rates: dict[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_TAX_RATES))
    currencies: set[str] = field(default_factory=lambda: {"GBP", "EUR", "USD", "CHF"})

    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)
    credit_notes: dict[str, dict[str, Any]] = field(default_factory=dict)
    attachments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    attachment_bodies: dict[str, bytes] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    token_requests: int = 0
    max_in_flight_seen: int = 0

    def __post_init__(self) -> None:
        self._tokens: dict[str, float] = {}
        self._in_flight = 0
        self._calls: collections.deque[float] = collections.deque()
        self._injected: list[_Injected] = []
        self._idempotency: dict[str, _Remembered] = {}
        self._server = ThreadedServer(self.app())

    # -- lifecycle and hooks ---------------------------------------------------------------

    def start(self) -> FakeXero:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    @property
    def url(self) -> str:
        return self._server.url

    @property
    def api_url(self) -> str:
        return self.url + API_PREFIX

    def env(self) -> dict[str, str]:
        return {
            "XERO_CLIENT_ID": self.client_id,
            "XERO_CLIENT_SECRET": self.client_secret,
            "XERO_TENANT_ID": self.tenant_id,
            "XERO_IDENTITY_URL": self.url,
            "XERO_API_URL": self.api_url,
        }

    def inject(
        self,
        status: int,
        count: int = 1,
        *,
        retry_after: int = 1,
        problem: str = "minute",
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """The next `count` API calls answer `status` (429 gets Retry-After); with
        `method` / `path` (e.g. "PUT", "/Invoices") only the calls that match."""
        self._injected.append(_Injected(status, count, retry_after, problem, method, path))

    def expire_tokens(self) -> None:
        for token in self._tokens:
            self._tokens[token] = 0.0

    def add_contact(self, name: str, status: str = "ACTIVE") -> str:
        contact_id = str(uuid.uuid4())
        self.contacts[contact_id] = {"ContactID": contact_id, "Name": name, "ContactStatus": status}
        return contact_id

    def set_status(self, invoice_id: str, status: str) -> None:
        """What a person does in the Xero UI (approve, pay): bypasses the API rules."""
        store = self.invoices if invoice_id in self.invoices else self.credit_notes
        store[invoice_id]["Status"] = status

    def _store(self, collection: _Collection) -> dict[str, dict[str, Any]]:
        return self.invoices if collection is INVOICES else self.credit_notes

    def api_requests(
        self, method: str | None = None, path: str | None = None
    ) -> list[RecordedRequest]:
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and (path is None or r.path == path)
        ]

    # -- ASGI ------------------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/connect/token", self._token, methods=["POST"]),
                Route(
                    API_PREFIX + "/{rest:path}",
                    self._api,
                    methods=["GET", "PUT", "POST", "PATCH", "DELETE"],
                ),
            ]
        )

    async def _token(self, request: Request) -> Response:
        self.token_requests += 1
        form = await request.form()
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        auth = request.headers.get("authorization", "")
        if auth.startswith("Basic "):
            decoded = base64.b64decode(auth[6:]).decode()
            client_id, _, client_secret = decoded.partition(":")
        if form.get("grant_type") != "client_credentials":
            return _json({"error": "unsupported_grant_type"}, 400)
        if client_id != self.client_id or client_secret != self.client_secret:
            return _json({"error": "invalid_client"}, 400)
        token = secrets.token_urlsafe(24)
        self._tokens[token] = time.monotonic() + self.token_lifetime_s
        return _json(
            {
                "access_token": token,
                "expires_in": int(self.token_lifetime_s),
                "token_type": "Bearer",
                "scope": "accounting.transactions accounting.contacts accounting.attachments",
            }
        )

    async def _api(self, request: Request) -> Response:
        body = await request.body()
        path = "/" + request.path_params["rest"]
        headers = {k: v for k, v in request.headers.items() if k != "authorization"}
        self.requests.append(
            RecordedRequest(request.method, path, dict(request.query_params), headers, body)
        )
        auth = request.headers.get("authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        if self._tokens.get(token, 0.0) <= time.monotonic():
            detail = "TokenExpired: token expired" if token in self._tokens else "Unauthorized"
            return _json(
                {"Type": None, "Title": "Unauthorized", "Status": 401, "Detail": detail}, 401
            )
        if request.headers.get("xero-tenant-id") != self.tenant_id:
            return _json(
                {
                    "Type": None,
                    "Title": "Forbidden",
                    "Status": 403,
                    "Detail": "AuthorizationUnsuccessful",
                },
                403,
            )
        limited = self._rate_limit()
        if limited is not None:
            return limited
        self._in_flight += 1
        self.max_in_flight_seen = max(self.max_in_flight_seen, self._in_flight)
        try:
            if self._in_flight > self.max_concurrent:
                return self._too_many("concurrent", 1)
            if self.latency_s:
                await asyncio.sleep(self.latency_s)
            injected = self._take_injected(request.method, path)
            if injected is not None:
                return injected
            return await self._idempotent(request, path, body)
        finally:
            self._in_flight -= 1

    # -- limits ----------------------------------------------------------------------------

    def _too_many(self, problem: str, retry_after: int) -> Response:
        return Response(
            "", 429, headers={"Retry-After": str(retry_after), "X-Rate-Limit-Problem": problem}
        )

    def _rate_limit(self) -> Response | None:
        now = time.monotonic()
        while self._calls and self._calls[0] <= now - 60:
            self._calls.popleft()
        if len(self._calls) >= self.calls_per_minute:
            return self._too_many("minute", max(1, math.ceil(self._calls[0] + 60 - now)))
        self._calls.append(now)
        return None

    def _take_injected(self, method: str = "", path: str = "") -> Response | None:
        self._injected = [i for i in self._injected if i.remaining > 0]
        item = next((i for i in self._injected if i.matches(method, path)), None)
        if item is None:
            return None
        item.remaining -= 1
        if item.status == 429:
            return self._too_many(item.problem, item.retry_after)
        return _json({"Title": "Internal Server Error", "Status": item.status}, item.status)

    async def _idempotent(self, request: Request, path: str, body: bytes) -> Response:
        key = request.headers.get("idempotency-key")
        if not key or request.method == "GET":
            return await self._route(request, path, body)
        if len(key) > 128:
            return _validation_400(
                [{"ValidationErrors": [{"Message": "Idempotency-Key too long"}]}]
            )
        fingerprint = hashlib.sha256(
            f"{request.method} {request.url.path}?{request.url.query}".encode() + b"\n" + body
        ).hexdigest()
        now = time.monotonic()
        seen = self._idempotency.get(key)
        if seen is not None and now - seen.at < self.idempotency_window_s:
            if seen.fingerprint != fingerprint:
                return _json(
                    {
                        "Title": "Bad Request",
                        "Status": 400,
                        "Detail": "Idempotency-Key was used with a different request",
                    },
                    400,
                )
            if not seen.done:
                return _json(
                    {
                        "Title": "Conflict",
                        "Status": 409,
                        "Detail": "A request with this Idempotency-Key is in progress",
                    },
                    409,
                )
            return Response(
                seen.body,
                seen.status,
                media_type="application/json",
                headers={"Idempotent-Replayed": "true"},
            )
        remembered = _Remembered(fingerprint, now)
        self._idempotency[key] = remembered
        response = await self._route(request, path, body)
        remembered.status, remembered.body, remembered.done = (
            response.status_code,
            bytes(response.body),
            True,
        )
        return response

    # -- resources -------------------------------------------------------------------------

    async def _route(self, request: Request, path: str, body: bytes) -> Response:
        parts = [unquote(p) for p in path.strip("/").split("/")]
        method = request.method
        query = request.query_params
        summarize = query.get("summarizeErrors", "true").lower() != "false"
        if parts == ["Contacts"]:
            if method == "GET":
                return self._get_contacts(
                    query.get("where"), query.get("searchTerm"), query.get("page")
                )
            if method in ("PUT", "POST"):
                return self._put_contacts(body, summarize)
        collection = COLLECTIONS.get(parts[0])
        if collection is not None:
            if len(parts) == 1:
                if method == "GET":
                    return self._get_invoices(collection, dict(query))
                if method in ("PUT", "POST"):
                    return self._put_invoices(collection, body, summarize)
            invoice = self._store(collection).get(parts[1])
            if invoice is None:
                return Response("The resource you're looking for cannot be found", 404)
            if len(parts) == 2:
                if method == "GET":
                    return _json({collection.name: [invoice]})
                if method == "POST":
                    return self._update_invoice(collection, invoice, body)
            if len(parts) >= 3 and parts[2] == "Attachments":
                if len(parts) == 3 and method == "GET":
                    return _json({"Attachments": self.attachments.get(parts[1], [])})
                if len(parts) == 4 and method in ("PUT", "POST"):
                    return self._put_attachment(invoice, parts[3], request, body)
        return Response("Not found", 404)

    def _get_contacts(self, where: str | None, term: str | None, page: str | None) -> Response:
        contacts = list(self.contacts.values())
        if where:
            match = _WHERE_NAME.match(where)
            if match is None:
                return _validation_400([{"ValidationErrors": [{"Message": "bad where clause"}]}])
            name = re.sub(r"\\(.)", r"\1", match.group(1))
            contacts = [c for c in contacts if c["Name"] == name]
        if term:
            # Xero: case-insensitive text search across the name (and other fields).
            contacts = [c for c in contacts if term.casefold() in c["Name"].casefold()]
        return _json({"Contacts": _page(contacts, page)})

    def _put_contacts(self, body: bytes, summarize: bool) -> Response:
        data = json.loads(body or b"{}")
        items = data.get("Contacts", [data]) if isinstance(data, dict) else data
        out: list[dict[str, Any]] = []
        for item in items:
            name = str(item.get("Name", "")).strip()
            taken = any(
                c["Name"].casefold() == name.casefold() and c["ContactStatus"] == "ACTIVE"
                for c in self.contacts.values()
            )
            if not name or taken:
                message = (
                    "The contact name must be unique across all active contacts."
                    if name
                    else "The contact name is required."
                )
                out.append(
                    {
                        **item,
                        "HasValidationErrors": True,
                        "ValidationErrors": [{"Message": message}],
                    }
                )
                continue
            contact_id = self.add_contact(name)
            out.append(self.contacts[contact_id])
        if summarize and any(c.get("ValidationErrors") for c in out):
            return _validation_400(out)
        return _json({"Contacts": out})

    def _get_invoices(self, collection: _Collection, query: dict[str, str]) -> Response:
        def listed(name: str) -> set[str] | None:
            return set(query[name].split(",")) if query.get(name) else None

        if collection is INVOICES:
            numbers, contacts = listed("InvoiceNumbers"), listed("ContactIDs")
            statuses, ids = listed("Statuses"), listed("IDs")
        else:
            # CreditNotes take no list filters, only a where clause (here: the contact).
            numbers = statuses = ids = None
            contacts = None
            if query.get("where"):
                match = _WHERE_CONTACT.match(query["where"])
                if match is None:
                    return _validation_400(
                        [{"ValidationErrors": [{"Message": "bad where clause"}]}]
                    )
                contacts = {match.group(1)}
        found = [
            inv
            for inv in self._store(collection).values()
            if (numbers is None or inv[collection.number_field] in numbers)
            and (contacts is None or inv["Contact"]["ContactID"] in contacts)
            and (statuses is None or inv["Status"] in statuses)
            and (ids is None or inv[collection.id_field] in ids)
        ]
        return _json({collection.name: _page(found, query.get("page"))})

    def _put_invoices(self, collection: _Collection, body: bytes, summarize: bool) -> Response:
        try:
            data = json.loads(body or b"{}", parse_float=Decimal)
        except json.JSONDecodeError:
            return _validation_400([{"ValidationErrors": [{"Message": "malformed JSON"}]}])
        items = data.get(collection.name, [data]) if isinstance(data, dict) else data
        out: list[dict[str, Any]] = []
        for item in items:
            errors = self._validate_invoice(collection, item)
            if errors:
                out.append(
                    {
                        **item,
                        "HasErrors": True,
                        "ValidationErrors": [{"Message": m} for m in errors],
                    }
                )
            else:
                out.append(self._store_invoice(collection, item))
        if summarize and any(i.get("HasErrors") for i in out):
            return _validation_400(out)
        return _json({collection.name: out})

    def _validate_invoice(self, collection: _Collection, item: dict[str, Any]) -> list[str]:
        errors: list[str] = []
        if item.get("Type") not in collection.types:
            label = "Invoice" if collection is INVOICES else "Credit note"
            errors.append(f"{label} Type must be {' or '.join(collection.types)}")
        contact_id = (item.get("Contact") or {}).get("ContactID")
        if contact_id not in self.contacts:
            errors.append(f"The contact with ID {contact_id} does not exist")
        if item.get("Status", "DRAFT") not in CREATE_STATUSES:
            errors.append(f"Invalid status {item.get('Status')} for a new invoice")
        if item.get("LineAmountTypes", "Exclusive") not in ("Exclusive", "Inclusive", "NoTax"):
            errors.append("LineAmountTypes must be Exclusive, Inclusive or NoTax")
        currency = item.get("CurrencyCode", "GBP")
        if currency not in self.currencies:
            errors.append(f"The currency code {currency} is not subscribed to this organisation")
        for name in ("Date", "DueDate"):
            if name in item:
                try:
                    _parse_date(item[name])
                except ValueError:
                    errors.append(f"{name} is not a valid date")
        lines = item.get("LineItems") or []
        if not lines:
            errors.append("At least one line item is required")
        for line in lines:
            if not str(line.get("Description", "")).strip():
                errors.append("Description cannot be empty")
            if str(line.get("AccountCode")) not in self.account_codes:
                errors.append(
                    f"Account code '{line.get('AccountCode')}' is not a valid code "
                    "for this document."
                )
            if line.get("TaxType") not in self.tax_rates:
                errors.append(
                    f"The TaxType code '{line.get('TaxType')}' does not exist or cannot be used "
                    "for this type of transaction."
                )
            quantity, unit = line.get("Quantity", Decimal(1)), line.get("UnitAmount")
            if not isinstance(quantity, int | Decimal) or not isinstance(unit, int | Decimal):
                errors.append("Quantity and UnitAmount must be numbers")
                continue
            expected = (Decimal(quantity) * Decimal(unit)).quantize(_CENT, ROUND_HALF_UP)
            given = line.get("LineAmount")
            if given is not None and Decimal(given) != expected:
                errors.append(
                    f"The line total {given} does not match the expected line total {expected}"
                )
        if not errors and self._totals(item)[2] < 0:
            # The type carries the sign: money owed to us is a credit note, never a
            # negative invoice, and a credit note's amounts are positive.
            errors.append("The document total cannot be negative")
        return errors

    def _totals(self, item: dict[str, Any]) -> tuple[Decimal, Decimal, Decimal]:
        amount_types = item.get("LineAmountTypes", "Exclusive")
        net, tax = Decimal(0), Decimal(0)
        for line in item.get("LineItems") or []:
            amount = (Decimal(line.get("Quantity", 1)) * Decimal(line["UnitAmount"])).quantize(
                _CENT, ROUND_HALF_UP
            )
            rate = self.tax_rates[line["TaxType"]]
            if amount_types == "Inclusive":
                line_tax = (amount * rate / (100 + rate)).quantize(_CENT, ROUND_HALF_UP)
                net += amount - line_tax
            else:
                line_tax = (amount * rate / 100).quantize(_CENT, ROUND_HALF_UP)
                net += amount
            tax += 0 if amount_types == "NoTax" else line_tax
        return net, tax, net + tax

    def _store_invoice(self, collection: _Collection, item: dict[str, Any]) -> dict[str, Any]:
        invoice_id = str(uuid.uuid4())
        amount_types = item.get("LineAmountTypes", "Exclusive")
        lines, net, tax = [], Decimal(0), Decimal(0)
        for line in item["LineItems"]:
            amount = (Decimal(line.get("Quantity", 1)) * Decimal(line["UnitAmount"])).quantize(
                _CENT, ROUND_HALF_UP
            )
            rate = self.tax_rates[line["TaxType"]]
            if amount_types == "Inclusive":
                line_tax = (amount * rate / (100 + rate)).quantize(_CENT, ROUND_HALF_UP)
                net += amount - line_tax
            else:
                line_tax = (amount * rate / 100).quantize(_CENT, ROUND_HALF_UP)
                net += amount
            tax += 0 if amount_types == "NoTax" else line_tax
            lines.append(
                {
                    **line,
                    "LineItemID": str(uuid.uuid4()),
                    "LineAmount": amount,
                    "TaxAmount": line_tax,
                }
            )
        issue = _parse_date(item["Date"]) if "Date" in item else dt.date.today()
        invoice: dict[str, Any] = {
            "Type": item["Type"],
            collection.id_field: invoice_id,
            collection.number_field: item.get(collection.number_field, ""),
            "Reference": item.get("Reference", ""),
            "Status": item.get("Status", "DRAFT"),
            "Contact": self.contacts[item["Contact"]["ContactID"]],
            "Date": _ms_date(issue),
            "DateString": f"{issue.isoformat()}T00:00:00",
            "LineAmountTypes": amount_types,
            "LineItems": lines,
            "SubTotal": net,
            "TotalTax": tax,
            "Total": net + tax,
            "CurrencyCode": item.get("CurrencyCode", "GBP"),
            "HasAttachments": False,
            "HasErrors": False,
            "StatusAttributeString": "OK",
        }
        if "DueDate" in item:
            due = _parse_date(item["DueDate"])
            invoice["DueDate"] = _ms_date(due)
            invoice["DueDateString"] = f"{due.isoformat()}T00:00:00"
        if "Url" in item and collection is INVOICES:
            invoice["Url"] = item["Url"]
        self._store(collection)[invoice_id] = invoice
        return invoice

    def _update_invoice(
        self, collection: _Collection, invoice: dict[str, Any], body: bytes
    ) -> Response:
        data = json.loads(body or b"{}", parse_float=Decimal)
        if collection.name in data:
            data = data[collection.name][0]
        target = data.get("Status", invoice["Status"])
        if target not in TRANSITIONS.get(invoice["Status"], set()):
            return _validation_400(
                [
                    {
                        **invoice,
                        "ValidationErrors": [
                            {"Message": "Invoice not of valid status for modification"}
                        ],
                    }
                ]
            )
        invoice["Status"] = target
        return _json({collection.name: [invoice]})

    def _put_attachment(
        self, invoice: dict[str, Any], filename: str, request: Request, body: bytes
    ) -> Response:
        collection = INVOICES if "InvoiceID" in invoice else CREDIT_NOTES
        invoice_id = str(invoice[collection.id_field])
        if not body:
            return _validation_400([{"ValidationErrors": [{"Message": "Attachment is empty"}]}])
        if len(body) > 25 * 1024 * 1024:
            return Response("Request Entity Too Large", 413)
        attachment_id = str(uuid.uuid4())
        attachment = {
            "AttachmentID": attachment_id,
            "FileName": filename,
            "Url": f"{self.api_url}/{collection.name}/{invoice_id}/Attachments/{filename}",
            "MimeType": request.headers.get("content-type", "application/octet-stream"),
            "ContentLength": len(body),
        }
        self.attachments.setdefault(invoice_id, []).append(attachment)
        self.attachment_bodies[attachment_id] = body
        invoice["HasAttachments"] = True
        return _json({"Attachments": [attachment]})
