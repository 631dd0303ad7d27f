"""Rollout activities: pin a run's stage, compare a shadow candidate with production,
and read what the earlier runs of a re-run workflow left behind. Thin: the rules are in
vouchflow.rollout."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from temporalio import activity

from activities.common.deps import ActivityDeps
from activities.common.prompts import resolve_prompt_label
from schemas.common.rollout import (
    RerunContext,
    RerunContextInput,
    ResolveRolloutInput,
    RolloutPin,
    ShadowComparison,
)
from schemas.invoice.shadow import CompareInvoiceShadowInput
from schemas.triage.shadow import CompareTicketShadowInput
from vouchflow.rollout.agreement import compare_invoices, compare_tickets
from vouchflow.rollout.config import operator_refusal, rollout_config
from vouchflow.rollout.history import rerun_context
from vouchflow.rollout.stages import read_stage


class RolloutActivities:
    def __init__(self, deps: ActivityDeps) -> None:
        self._deps = deps

    def all(self) -> list[Callable[..., Any]]:
        return [
            self.resolve_rollout,
            self.compare_invoice_shadow,
            self.compare_ticket_shadow,
            self.load_rerun_context,
        ]

    @activity.defn(name="resolve_rollout")
    async def resolve_rollout(self, request: ResolveRolloutInput) -> RolloutPin:
        """Stage file -> this run's stage, once; `rollout set` affects new runs only."""
        from vouchflow.invoice.extraction.factory import split_provider

        settings = self._deps.settings
        setting = await asyncio.to_thread(read_stage, settings.home, request.workflow)
        pin = RolloutPin(
            workflow=request.workflow,
            stage=setting.stage,
            set_by=setting.set_by,
            set_at=setting.set_at,
            low_risk=rollout_config(settings).low_risk,
        )
        if setting.stage != "shadow" or not setting.candidate_provider:
            return pin
        version = setting.candidate_prompt_version
        _kind, model = split_provider(setting.candidate_provider)
        if model is not None and request.prompt_name and version is None:
            spec = await asyncio.to_thread(
                resolve_prompt_label,
                request.prompt_name,
                setting.candidate_prompt_label,
                settings.home,
            )
            version = spec.version
        return pin.model_copy(
            update={
                "candidate_provider": setting.candidate_provider,
                "candidate_prompt_name": request.prompt_name if model is not None else None,
                "candidate_prompt_version": version if model is not None else None,
            }
        )

    @activity.defn(name="compare_invoice_shadow")
    def compare_invoice_shadow(self, request: CompareInvoiceShadowInput) -> ShadowComparison:
        return compare_invoices(request.production, request.candidate)

    @activity.defn(name="compare_ticket_shadow")
    def compare_ticket_shadow(self, request: CompareTicketShadowInput) -> ShadowComparison:
        from vouchflow.triage.rules import route_ticket

        def route_of(result: Any) -> str:
            return route_ticket(
                result.classification,
                plan=request.plan,
                settings=request.routing,
                failed_closed=result.failed_closed,
                injection_flags=result.injection_flags,
            ).route

        return compare_tickets(
            request.production.classification,
            request.candidate.classification,
            production_route=route_of(request.production),
            candidate_route=route_of(request.candidate),
        )

    @activity.defn(name="load_rerun_context")
    async def load_rerun_context(self, request: RerunContextInput) -> RerunContext:
        trail = await asyncio.to_thread(self._deps.audit.trail, request.workflow_id)
        context = rerun_context(trail, current_run_id=activity.info().workflow_run_id or "")
        refusal = operator_refusal(self._deps.settings, request.operator)
        return context.model_copy(update={"refusal": refusal})
