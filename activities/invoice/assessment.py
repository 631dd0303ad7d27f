"""Deterministic checks run as activities so their results are recorded in history:
a later change to the rules never changes what a running workflow already decided."""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.common.deps import ActivityDeps
from activities.common.errors import to_application_error
from schemas.common.rollout import LowRiskLimits
from schemas.invoice.assessment import Assessment
from schemas.invoice.effects import DuplicateMatch, DuplicateQuery
from schemas.invoice.workflow import ApprovalCheckInput, ApprovalCheckResult, AssessInput
from vouchflow.destinations.base import DestinationError
from vouchflow.invoice.rules.approvals import check_approval
from vouchflow.invoice.rules.assess import assess, check_total_sign, corrected_extraction
from vouchflow.invoice.templates.check import apply_template_check
from vouchflow.rollout.risk import invoice_route_for_stage
from vouchflow.settings import Settings


class AssessmentActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self._deps = deps

    @activity.defn(name="load_policy")
    async def load_policy(self) -> Settings:
        """The worker's configuration, snapshotted into history for this workflow."""
        return self._deps.settings

    @activity.defn(name="find_duplicates")
    async def find_duplicates(self, query: DuplicateQuery) -> list[DuplicateMatch]:
        try:
            return await self._deps.destination.find_duplicates(query)
        except DestinationError as err:
            raise to_application_error(err) from err

    @activity.defn(name="assess_invoice")
    async def assess_invoice(self, request: AssessInput) -> Assessment:
        extraction = request.extraction
        cap = request.policy.validation.max_amount_minor
        check = request.template_check
        if check is not None:
            # Before corrections: a reviewer's correction resolves the template's finding
            # on that field, as it does the extractor's problems.
            extraction = apply_template_check(extraction, check)
        try:
            if request.corrections:
                extraction = corrected_extraction(
                    extraction, request.corrections, max_amount_minor=cap
                )
            assessment = assess(
                extraction,
                duplicates=request.duplicates,
                today=request.today,
                settings=request.policy,
                text_method=request.text_method,
                learned_supplier=check.supplier_name if check and check.known_supplier else None,
            )
            if request.corrections:
                # Recomputation from corrected lines must not turn an invoice negative either.
                check_total_sign(assessment.invoice)
            if request.stage is not None:
                limits = request.low_risk or LowRiskLimits()
                decision = invoice_route_for_stage(request.stage, assessment, limits)
                assessment = assessment.model_copy(update={"decision": decision})
        except ValueError as err:
            if not request.corrections:
                raise
            raise ApplicationError(
                f"corrections are not valid: {err}",
                type="InvalidCorrections",
                non_retryable=True,
            ) from None
        return assessment

    @activity.defn(name="check_approval")
    async def check_approval(self, request: ApprovalCheckInput) -> ApprovalCheckResult:
        result = check_approval(
            reviewer=request.reviewer,
            submitted_by=request.submitted_by,
            invoice=request.assessment.invoice,
            settings=request.policy,
            action=request.decision,
            findings=request.assessment.findings,
            override_errors=request.override_errors,
        )
        return ApprovalCheckResult(allowed=result.allowed, reason=result.reason)
