"""Intake: policy, customer context, classification (provider chain), the route, and
the audit record of that decision before any effect."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from schemas.triage.activities import (
        ClassifyTicketInput,
        LoadContextInput,
        ResolveTriagePromptInput,
        TriagePromptRef,
    )
    from schemas.triage.classification import (
        ClassificationResult,
        ClassifierInfo,
        TicketClassification,
    )
    from schemas.triage.context import CustomerContext
    from schemas.triage.policy import TriagePolicy
    from schemas.triage.shadow import TriageShadowInput
    from schemas.triage.state import RouteDecision, TriageWorkflowInput
    from vouchflow.rollout.risk import ticket_route_for_stage
    from vouchflow.triage.rules import route_ticket
    from workflows.common.failures import failure_message
    from workflows.common.options import QUICK
    from workflows.common.providers import add_usage, asks_a_model, count_usage, provider_chain
    from workflows.common.rollout import pin_rollout, shadow_beside
    from workflows.common.trail import count
    from workflows.triage.options import CLASSIFY
    from workflows.triage.steps import TriageSteps


def _no_classifier(attempts: list[str]) -> ClassificationResult:
    """Every provider failed: fail closed to a person, saying why."""
    why = "; ".join(attempts)[:250] or "no classifier configured"
    return ClassificationResult(
        classification=TicketClassification(
            category="other", urgency="medium", confidence=0.0, reason=f"no classification: {why}"
        ),
        classifier=ClassifierInfo(kind="none", name="none", label="no classifier succeeded"),
        failed_closed=True,
        failure_reason=f"no classifier could classify the ticket: {why}",
    )


class IntakeSteps(TriageSteps):
    async def _intake(self, request: TriageWorkflowInput) -> bool:
        """Classify and route; False when the run ended here (a refused re-run)."""
        self._policy_snapshot = await workflow.execute_activity(
            "load_triage_policy", result_type=TriagePolicy, **QUICK
        )
        self._set_status("received", "loading the customer's context")
        await self._trail.record(
            "workflow.started", {"event": request.event.model_dump(mode="json")}
        )
        if request.rerun is not None and not await self._start_rerun(request.rerun):
            return False
        self._state.rollout = await pin_rollout(
            self._trail, "triage", self._policy.classifier.prompt_name
        )
        self._state.context = await self._load_context(request)
        await self._trail.record("context.loaded", self._state.context.model_dump(mode="json"))
        self._set_status("classifying", "classifying the ticket")
        self._state.classification = await self._classify()
        await self._shadow(self._state.classification)
        route = self._staged(self._route(reviewed=False))
        self._state.first_route = self._state.route = route
        count("vouchflow_tickets_routed", {"route": route.route, "stage": self._stage})
        result = self._state.classification
        # Audit before effect: the decision and why, before anything leaves the system.
        await self._trail.record(
            "decision.routed",
            {
                "step": "initial",
                "route": route.model_dump(mode="json"),
                "classification": result.classification.model_dump(mode="json"),
                "classifier": result.classifier.model_dump(mode="json"),
                "injection_flags": result.injection_flags,
                "failed_closed": result.failed_closed,
                "plan": self._plan,
                "stage": self._stage,
            },
        )
        return True

    @property
    def _stage(self) -> str:
        """The rollout stage as metrics and the audit trail show it."""
        return self._state.rollout.stage if self._state.rollout is not None else "full"

    def _staged(self, route: RouteDecision) -> RouteDecision:
        """The machine's first route at this run's rollout stage (a person's is never)."""
        pin, result = self._state.rollout, self._state.classification
        if pin is None or result is None:
            return route
        return ticket_route_for_stage(
            pin.stage, result, route, pin.low_risk, self._policy.routing.queues.review
        )

    async def _shadow(self, production: ClassificationResult) -> None:
        """The shadow stage: the candidate classifies the same ticket, beside production."""
        context = self._state.context
        if context is None:
            return
        await shadow_beside(
            self._trail,
            self._state,
            "TriageShadowWorkflow",
            lambda pin, candidate: TriageShadowInput(
                parent_workflow_id=self._state.workflow_id,
                ticket=self._state.event.ticket,
                context=context,
                plan=self._plan,
                candidate_provider=candidate,
                prompt_name=pin.candidate_prompt_name,
                prompt_version=pin.candidate_prompt_version,
                classifier=self._policy.classifier,
                routing=self._policy.routing,
                production=production,
            ),
        )

    async def _load_context(self, request: TriageWorkflowInput) -> CustomerContext:
        """The store's context; if the store cannot be read, the event's own values, and
        the ticket goes to a person (its plan and ARR are unchecked)."""
        try:
            return await workflow.execute_activity(
                "load_customer_context",
                LoadContextInput(customer=request.event.customer, settings=self._policy.customers),
                result_type=CustomerContext,
                **QUICK,
            )
        except ActivityError as err:
            problem = failure_message(err)
            self._state.context_problem = problem
            customer = request.event.customer
            return CustomerContext(
                customer_id=customer.id,
                known=False,
                source="event",
                plan=customer.plan,
                arr=customer.arr,
                region=customer.region,
                notes=[f"customer store unavailable: {problem}"[:300]],
            )

    @property
    def _plan(self) -> str:
        context = self._state.context
        return context.plan if context is not None else self._state.event.customer.plan

    def _route(self, *, reviewed: bool) -> RouteDecision:
        result = self._state.classification
        assert result is not None
        final = self._state.final or result.classification
        return route_ticket(
            final,
            plan=self._plan,
            settings=self._policy.routing,
            reviewed=reviewed,
            failed_closed=result.failed_closed,
            injection_flags=result.injection_flags,
            context_problem=self._state.context_problem,
        )

    async def _resolve_prompt(self, chain: list[str]) -> TriagePromptRef | None:
        if not asks_a_model(chain):
            return None
        classifier = self._policy.classifier
        prompt = await workflow.execute_activity(
            "resolve_triage_prompt",
            ResolveTriagePromptInput(
                prompt_name=classifier.prompt_name, prompt_label=classifier.prompt_label
            ),
            result_type=TriagePromptRef,
            **QUICK,
        )
        self._state.prompt_version = f"{prompt.name}@{prompt.version}"
        await self._trail.record("prompt.resolved", prompt.model_dump(mode="json"))
        return prompt

    async def _classify(self) -> ClassificationResult:
        chain = provider_chain(self._policy.classifier.chain)
        prompt = await self._resolve_prompt(chain)
        assert self._state.context is not None
        budget = self._policy.classifier.token_budget_per_workflow
        for provider in chain:
            try:
                result = await workflow.execute_activity(
                    "classify_ticket",
                    ClassifyTicketInput(
                        workflow_id=self._state.workflow_id,
                        ticket=self._state.event.ticket,
                        context=self._state.context,
                        provider=provider,
                        prompt_name=prompt.name if prompt else None,
                        prompt_version=prompt.version if prompt else None,
                        token_budget_remaining=max(budget - self._state.tokens_used, 0),
                        settings=self._policy.classifier,
                    ),
                    result_type=ClassificationResult,
                    **CLASSIFY,
                )
            except ActivityError as err:
                reason = failure_message(err)
                self._state.classifier_attempts.append(f"{provider}: failed ({reason})")
                count("vouchflow_classifier_failures", {"provider": provider})
                await self._trail.record(
                    "classification.provider_failed", {"provider": provider, "reason": reason}
                )
                continue
            add_usage(self._state, result.usage)
            count_usage(provider, result.usage)
            outcome = "failed closed" if result.failed_closed else "ok"
            self._state.classifier_attempts.append(f"{provider}: {outcome}")
            await self._trail.record(
                "classification.completed",
                {
                    "provider": provider,
                    "classifier": result.classifier.model_dump(mode="json"),
                    "classification": result.classification.model_dump(mode="json"),
                    "usage": result.usage.model_dump(mode="json"),
                    "attempts": [a.model_dump(mode="json") for a in result.attempts],
                    "injection_flags": result.injection_flags,
                    "failed_closed": result.failed_closed,
                    "notes": result.notes,
                },
            )
            # A model answer that failed validation is not retried with a weaker classifier:
            # it fails closed, to a person, with the model's own account of why.
            return result
        return _no_classifier(self._state.classifier_attempts)
