"""Fake Stripe API (v1): the objects a tier change touches, as Stripe answers them.

    with FakeStripe.start() as stripe_fake:
        stripe_fake.add_customer("cus_acme", tier_price="price_standard_monthly", anchor=...)
        stripe_fake.rate_limit(3, retry_after=2)   # the next 3 requests answer 429
        ... StripeClient(stripe_fake.api_key, base_addresses={"api": stripe_fake.base_url}) ...
        stripe_fake.changes       # subscription-item updates actually applied
        stripe_fake.requests      # what the SDK sent (form-decoded)

What it enforces, like Stripe: `Authorization: Bearer <secret key>` (401 otherwise);
form-encoded bodies with Stripe's bracket notation (`subscription_details[items][0][id]`),
JSON error objects `{"error": {"type", "code", "message", "param"}}`; 429 `rate_limit`
with `Retry-After`; `Idempotency-Key` on POST: the first result is kept for 24 hours and
replayed (header `Idempotent-Replayed: true`), the same key with different parameters
(or another endpoint) is refused with 400 `idempotency_error`; requests refused before
they ran (auth, rate limit) are not kept. Objects follow the current API shapes:
subscription items carry `current_period_start/end`, invoice lines carry
`parent.subscription_item_details.proration` and `pricing.price_details.price`.

Billing arithmetic: monthly periods from the subscription's anchor; a price change
inside a period makes two proration lines (unused time on the old price, remaining time
on the new one), each rounded to the minor unit; at a period boundary none.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vouchflow.testing.fakes.fake_openai import RecordedRequest, ThreadedFake

IDEMPOTENCY_WINDOW = dt.timedelta(hours=24)
MAX_KEY_CHARS = 255


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's bracket notation (`a[b][0][c]=v`) to nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        head, _, rest = key.partition("[")
        parts = [head] + ([p.rstrip("]") for p in ("[" + rest).split("[")[1:]] if rest else [])
        node = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _listify(root)


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {k: _listify(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


def _ts(value: dt.datetime) -> int:
    return int(value.timestamp())


def _add_months(value: dt.datetime, months: int) -> dt.datetime:
    index = value.year * 12 + value.month - 1 + months
    return value.replace(year=index // 12, month=index % 12 + 1)


def _share(amount: int, left: int, whole: int) -> int:
    """amount * left / whole, rounded half away from zero, in integers."""
    sign = -1 if amount < 0 else 1
    quotient, remainder = divmod(abs(amount) * left, whole)
    return sign * (quotient + (1 if remainder * 2 >= whole else 0))


@dataclass
class _Kept:
    fingerprint: str
    status: int
    body: Any
    at: dt.datetime


@dataclass
class FakeSubscription:
    id: str
    customer: str
    item_id: str
    price: str
    anchor: dt.datetime
    quantity: int = 1
    item_metadata: dict[str, str] = field(default_factory=dict)


class FakeStripe(ThreadedFake):
    default_api_key = "sk_test_vouchflow_fake"

    def __init__(self, api_key: str | None = None) -> None:
        super().__init__(api_key)
        self.prices: dict[str, dict[str, Any]] = {}
        self.customers: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, FakeSubscription] = {}
        self.open_invoices: dict[str, list[dict[str, Any]]] = {}
        self.invoice_items: list[dict[str, Any]] = []
        # Subscription-item updates that changed something (what "exactly once" counts).
        self.changes: list[dict[str, Any]] = []
        self.idempotency_replays = 0
        self.idempotency_conflicts = 0
        self.rate_limited_answers = 0
        # The fake's clock (tests move it with the workflow's time).
        self.clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
        self._kept: dict[str, _Kept] = {}
        self._rate_limited = 0
        self._retry_after = "1"
        self._rate_limit_only = ""
        self._state = threading.RLock()
        self._ids = 0

    @classmethod
    def start(cls, api_key: str | None = None) -> Self:
        return super().start(api_key)

    # ---- set-up ------------------------------------------------------------------------

    def add_price(self, price_id: str, unit_amount: int, currency: str = "usd") -> None:
        self.prices[price_id] = {
            "id": price_id,
            "object": "price",
            "active": True,
            "currency": currency,
            "unit_amount": unit_amount,
            "recurring": {"interval": "month", "interval_count": 1},
            "type": "recurring",
            "lookup_key": None,
            "product": f"prod_{price_id}",
        }

    def add_customer(
        self,
        customer_id: str,
        *,
        price: str,
        anchor: dt.datetime,
        open_invoices: list[int] | None = None,
        email: str = "billing@example.com",
    ) -> FakeSubscription:
        self.customers[customer_id] = {
            "id": customer_id,
            "object": "customer",
            "email": email,
            "name": customer_id,
            "metadata": {},
        }
        suffix = customer_id.removeprefix("cus_")
        sub = FakeSubscription(
            id=f"sub_{suffix}",
            customer=customer_id,
            item_id=f"si_{suffix}",
            price=price,
            anchor=anchor,
        )
        self.subscriptions[sub.id] = sub
        self.open_invoices[customer_id] = [
            {
                "id": f"in_{suffix}_{i}",
                "object": "invoice",
                "customer": customer_id,
                "status": "open",
                "currency": self.prices[price]["currency"],
                "amount_due": amount,
                "amount_remaining": amount,
            }
            for i, amount in enumerate(open_invoices or [], start=1)
        ]
        return sub

    def rate_limit(self, times: int, *, retry_after: int = 1, only: str = "") -> None:
        """The next `times` requests (those starting with `only`, e.g.
        "POST /v1/subscription_items") answer 429 with Retry-After."""
        with self._state:
            self._rate_limited = times
            self._retry_after = str(retry_after)
            self._rate_limit_only = only

    def subscription_item(self, item_id: str) -> FakeSubscription | None:
        return next((s for s in self.subscriptions.values() if s.item_id == item_id), None)

    # ---- wire format -------------------------------------------------------------------

    def routes(self) -> list[Route]:
        return [
            Route("/v1/customers/{id}", self._customer, methods=["GET"]),
            Route("/v1/subscriptions", self._subscriptions, methods=["GET"]),
            Route("/v1/subscription_items/{id}", self._item_get, methods=["GET"]),
            Route("/v1/subscription_items/{id}", self._item_update, methods=["POST"]),
            Route("/v1/prices/{id}", self._price, methods=["GET"]),
            Route("/v1/invoices", self._invoices, methods=["GET"]),
            Route("/v1/invoices/create_preview", self._preview, methods=["POST"]),
        ]

    def error_response(
        self,
        status: int,
        message: str,
        *,
        error_type: str | None = None,
        headers: dict[str, str] | None = None,
        param: str | None = None,
        code: str | None = None,
    ) -> Response:
        body = {
            "error": {
                "type": error_type or ("api_error" if status >= 500 else "invalid_request_error"),
                "message": message,
                **({"code": code} if code else {}),
                **({"param": param} if param else {}),
            }
        }
        return JSONResponse(
            body, status_code=status, headers={"request-id": self._request_id(), **(headers or {})}
        )

    def _request_id(self) -> str:
        with self._state:
            self._ids += 1
            return f"req_fake{self._ids:06d}"

    def _new_id(self, prefix: str) -> str:
        with self._state:
            self._ids += 1
            return f"{prefix}_fake{self._ids:06d}"

    async def _read(self, request: Request) -> tuple[list[tuple[str, str]], Response | None]:
        raw = (await request.body()).decode("utf-8", errors="replace")
        content_type = request.headers.get("content-type", "")
        if (
            request.method == "POST"
            and raw
            and "application/x-www-form-urlencoded" not in content_type
        ):
            return [], self.error_response(
                400, "Invalid request: Stripe API requests are form-encoded."
            )
        pairs = parse_qsl(
            raw if request.method == "POST" else request.url.query, keep_blank_values=True
        )
        self.requests.append(
            RecordedRequest(
                path=f"{request.method} {request.url.path}",
                headers={k.lower(): v for k, v in request.headers.items()},
                body=decode_form(pairs),
            )
        )
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or key != self.api_key:
            shown = f"{key[:8]}***" if key else "none"
            return pairs, self.error_response(
                401, f"Invalid API Key provided: {shown}", error_type="invalid_request_error"
            )
        with self._state:
            target = f"{request.method} {request.url.path}"
            if self._rate_limited > 0 and target.startswith(self._rate_limit_only):
                self._rate_limited -= 1
                self.rate_limited_answers += 1
                return pairs, self.error_response(
                    429,
                    "Too many requests hit the API too quickly. We recommend an exponential"
                    " backoff of your requests.",
                    code="rate_limit",
                    headers={"Retry-After": self._retry_after, "Stripe-Should-Retry": "true"},
                )
        return pairs, None

    async def _idempotent(
        self, request: Request, run: Callable[[dict[str, Any]], tuple[int, Any]]
    ) -> Response:
        """POST with Stripe's idempotency: keep the first result 24 h, replay it for the same
        request, refuse the key for another one."""
        pairs, problem = await self._read(request)
        if problem is not None:
            return problem
        key = request.headers.get("idempotency-key")
        fingerprint = json.dumps([request.url.path, sorted(pairs)])
        if key is not None and len(key) > MAX_KEY_CHARS:
            return self.error_response(
                400, f"Idempotency keys may be at most {MAX_KEY_CHARS} characters."
            )
        now = self.clock()
        with self._state:
            kept = self._kept.get(key) if key else None
            if kept is not None and now - kept.at > IDEMPOTENCY_WINDOW:
                del self._kept[key]  # type: ignore[arg-type]
                kept = None
            if kept is not None:
                if kept.fingerprint != fingerprint:
                    self.idempotency_conflicts += 1
                    return self.error_response(
                        400,
                        "Keys for idempotent requests can only be used with the same parameters"
                        " they were first used with. Try using a key other than"
                        f" '{key}' if you meant to execute a different request.",
                        error_type="idempotency_error",
                    )
                self.idempotency_replays += 1
                return JSONResponse(
                    kept.body,
                    status_code=kept.status,
                    headers={
                        "Idempotent-Replayed": "true",
                        "Idempotency-Key": key or "",
                        "request-id": self._request_id(),
                    },
                )
            status, body = run(decode_form(pairs))
            if key:
                self._kept[key] = _Kept(fingerprint, status, body, now)
        return JSONResponse(
            body,
            status_code=status,
            headers={"request-id": self._request_id(), **({"Idempotency-Key": key} if key else {})},
        )

    @staticmethod
    def _missing(kind: str, ident: str, param: str = "id") -> tuple[int, Any]:
        return 404, {
            "error": {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "message": f"No such {kind}: '{ident}'",
                "param": param,
            }
        }

    async def _get(
        self, request: Request, answer: Callable[[dict[str, Any]], tuple[int, Any]]
    ) -> Response:
        pairs, problem = await self._read(request)
        if problem is not None:
            return problem
        with self._state:
            status, body = answer(decode_form(pairs))
        return JSONResponse(body, status_code=status, headers={"request-id": self._request_id()})

    # ---- objects -----------------------------------------------------------------------

    def _period(self, sub: FakeSubscription, at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        start = sub.anchor
        while _add_months(start, 1) <= at:
            start = _add_months(start, 1)
        while start > at:
            start = _add_months(start, -1)
        return start, _add_months(start, 1)

    def _item_object(self, sub: FakeSubscription) -> dict[str, Any]:
        start, end = self._period(sub, self.clock())
        return {
            "id": sub.item_id,
            "object": "subscription_item",
            "subscription": sub.id,
            "price": self.prices[sub.price],
            "quantity": sub.quantity,
            "current_period_start": _ts(start),
            "current_period_end": _ts(end),
            "metadata": dict(sub.item_metadata),
            "created": _ts(sub.anchor),
        }

    def _subscription_object(self, sub: FakeSubscription) -> dict[str, Any]:
        return {
            "id": sub.id,
            "object": "subscription",
            "customer": sub.customer,
            "status": "active",
            "billing_cycle_anchor": _ts(sub.anchor),
            "currency": self.prices[sub.price]["currency"],
            "items": {
                "object": "list",
                "data": [self._item_object(sub)],
                "has_more": False,
                "url": f"/v1/subscription_items?subscription={sub.id}",
            },
            "metadata": {},
        }

    async def _customer(self, request: Request) -> Response:
        ident = request.path_params["id"]
        return await self._get(
            request,
            lambda q: (
                (200, self.customers[ident])
                if ident in self.customers
                else self._missing("customer", ident)
            ),
        )

    async def _subscriptions(self, request: Request) -> Response:
        def answer(q: dict[str, Any]) -> tuple[int, Any]:
            found = [
                self._subscription_object(s)
                for s in self.subscriptions.values()
                if s.customer == q.get("customer", s.customer)
            ]
            return 200, {
                "object": "list",
                "data": found,
                "has_more": False,
                "url": "/v1/subscriptions",
            }

        return await self._get(request, answer)

    async def _item_get(self, request: Request) -> Response:
        ident = request.path_params["id"]

        def answer(q: dict[str, Any]) -> tuple[int, Any]:
            sub = self.subscription_item(ident)
            return (
                (200, self._item_object(sub)) if sub else self._missing("subscription_item", ident)
            )

        return await self._get(request, answer)

    async def _price(self, request: Request) -> Response:
        ident = request.path_params["id"]
        return await self._get(
            request,
            lambda q: (
                (200, self.prices[ident]) if ident in self.prices else self._missing("price", ident)
            ),
        )

    async def _invoices(self, request: Request) -> Response:
        def answer(q: dict[str, Any]) -> tuple[int, Any]:
            found = [
                i
                for i in self.open_invoices.get(str(q.get("customer", "")), [])
                if q.get("status", "open") == i["status"]
            ]
            return 200, {"object": "list", "data": found, "has_more": False, "url": "/v1/invoices"}

        return await self._get(request, answer)

    # ---- prorations ---------------------------------------------------------------------

    def _proration_lines(
        self, sub: FakeSubscription, new_price: str, at: dt.datetime, behavior: str
    ) -> list[dict[str, Any]]:
        start, end = self._period(sub, at)
        if behavior == "none" or at == start or new_price == sub.price:
            return []
        left, whole = int((end - at).total_seconds()), int((end - start).total_seconds())
        old, new = self.prices[sub.price], self.prices[new_price]
        return [
            self._line(
                sub,
                old,
                -_share(old["unit_amount"], left, whole),
                at,
                end,
                True,
                f"Unused time on {old['id']} after {at.date()}",
            ),
            self._line(
                sub,
                new,
                _share(new["unit_amount"], left, whole),
                at,
                end,
                True,
                f"Remaining time on {new['id']} after {at.date()}",
            ),
        ]

    def _line(
        self,
        sub: FakeSubscription,
        price: dict[str, Any],
        amount: int,
        start: dt.datetime,
        end: dt.datetime,
        proration: bool,
        description: str,
    ) -> dict[str, Any]:
        return {
            "id": self._new_id("il"),
            "object": "line_item",
            "amount": amount,
            "currency": price["currency"],
            "description": description,
            "period": {"start": _ts(start), "end": _ts(end)},
            "quantity": sub.quantity,
            "parent": {
                "type": "subscription_item_details",
                "subscription_item_details": {
                    "subscription": sub.id,
                    "subscription_item": sub.item_id,
                    "proration": proration,
                    "invoice_item": None,
                },
            },
            "pricing": {
                "type": "price_details",
                "price_details": {"price": price["id"], "product": price["product"]},
                "unit_amount_decimal": str(price["unit_amount"]),
            },
        }

    def _at(self, value: Any) -> dt.datetime:
        return dt.datetime.fromtimestamp(int(value), dt.UTC) if value else self.clock()

    async def _preview(self, request: Request) -> Response:
        def run(form: dict[str, Any]) -> tuple[int, Any]:
            details = form.get("subscription_details") or {}
            sub = self.subscriptions.get(str(form.get("subscription", "")))
            if sub is None or sub.customer != form.get("customer"):
                return self._missing("subscription", str(form.get("subscription")), "subscription")
            items = details.get("items") or []
            new_price = sub.price
            for item in items:
                if item.get("id") != sub.item_id:
                    return self._missing(
                        "subscription_item",
                        str(item.get("id")),
                        "subscription_details[items][0][id]",
                    )
                new_price = str(item.get("price", sub.price))
            if new_price not in self.prices:
                return self._missing("price", new_price, "subscription_details[items][0][price]")
            at = self._at(details.get("proration_date"))
            behavior = str(details.get("proration_behavior", "create_prorations"))
            start, end = self._period(sub, at)
            renewal = start if at == start else end
            pending = [i for i in self.invoice_items if i["customer"] == sub.customer]
            lines = self._proration_lines(sub, new_price, at, behavior)
            price = self.prices[new_price]
            lines.append(
                self._line(
                    sub,
                    price,
                    price["unit_amount"] * sub.quantity,
                    renewal,
                    _add_months(renewal, 1),
                    False,
                    f"1 x {price['id']}",
                )
            )
            total = sum(line["amount"] for line in lines) + sum(i["amount"] for i in pending)
            return 200, {
                "id": f"upcoming_{sub.customer}",
                "object": "invoice",
                "customer": sub.customer,
                "currency": price["currency"],
                "status": "draft",
                "lines": {
                    "object": "list",
                    "data": lines,
                    "has_more": False,
                    "url": "/v1/invoices/upcoming/lines",
                },
                "subtotal": total,
                "total": total,
                "amount_due": max(total, 0),
                "period_start": _ts(start),
                "period_end": _ts(renewal),
                "parent": {
                    "type": "subscription_details",
                    "subscription_details": {"subscription": sub.id, "metadata": {}},
                },
            }

        return await self._idempotent(request, run)

    async def _item_update(self, request: Request) -> Response:
        ident = request.path_params["id"]

        def run(form: dict[str, Any]) -> tuple[int, Any]:
            sub = self.subscription_item(ident)
            if sub is None:
                return self._missing("subscription_item", ident)
            behavior = str(form.get("proration_behavior", "create_prorations"))
            if behavior not in ("create_prorations", "always_invoice", "none"):
                return 400, {
                    "error": {
                        "type": "invalid_request_error",
                        "param": "proration_behavior",
                        "message": f"Invalid proration_behavior: {behavior}",
                    }
                }
            new_price = str(form.get("price", sub.price))
            if new_price not in self.prices:
                return self._missing("price", new_price, "price")
            at = self._at(form.get("proration_date"))
            lines = self._proration_lines(sub, new_price, at, behavior)
            for line in lines:
                self.invoice_items.append(
                    {
                        "id": self._new_id("ii"),
                        "customer": sub.customer,
                        "amount": line["amount"],
                        "description": line["description"],
                    }
                )
            if new_price != sub.price:
                self.changes.append(
                    {
                        "item": sub.item_id,
                        "from": sub.price,
                        "to": new_price,
                        "proration": sum(line["amount"] for line in lines),
                        "idempotency_key": request.headers.get("idempotency-key"),
                    }
                )
            sub.price = new_price
            metadata = form.get("metadata") or {}
            if isinstance(metadata, dict):
                sub.item_metadata.update({str(k): str(v) for k, v in metadata.items()})
            return 200, self._item_object(sub)

        return await self._idempotent(request, run)
