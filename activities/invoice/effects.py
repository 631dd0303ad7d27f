"""Side effects. Each is idempotent by a key derived from the workflow id, and the
workflow audits its intent before calling and its outcome after."""

from __future__ import annotations

import asyncio

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.common.deps import ActivityDeps
from activities.common.errors import to_application_error
from schemas.invoice.effects import DraftBill, DraftBillRequest, RevertOutcome, RevertRequest
from vouchflow.destinations.base import DestinationError, DuplicateBillError, check_draftable

# The ApplicationError type of a post refused because the bill already exists.
DUPLICATE_BILL = "DuplicateBill"


class EffectActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self._deps = deps

    @activity.defn(name="post_draft_bill")
    async def post_draft_bill(self, request: DraftBillRequest) -> DraftBill:
        """Create the draft bill (or credit note).

        Failures a retry cannot fix are non-retryable. A live bill already holding the
        supplier + number (+ document type) fails with type ``DuplicateBill`` and one
        detail, ``{"bill_id", "workflow_id", "destination"}`` naming that bill.
        """
        try:
            check_draftable(request.invoice)
            document = await asyncio.to_thread(self._deps.blobs.get, request.document.sha256)
            return await self._deps.destination.create_draft_bill(request, document)
        except DuplicateBillError as err:
            raise ApplicationError(
                str(err),
                {
                    "bill_id": err.bill_id,
                    "workflow_id": err.workflow_id,
                    "destination": err.destination,
                },
                type=DUPLICATE_BILL,
                non_retryable=True,
            ) from None
        except DestinationError as err:
            raise to_application_error(err) from err

    @activity.defn(name="revert_draft_bill")
    async def revert_draft_bill(self, request: RevertRequest) -> RevertOutcome:
        try:
            return await self._deps.destination.revert_draft_bill(request)
        except DestinationError as err:
            raise to_application_error(err) from err
