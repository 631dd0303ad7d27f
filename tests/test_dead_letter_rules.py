"""The dead letter's plain parts, without Temporal: how a failure is described, what a
parked run needs, how its final reason reads, and the `failed` command's queries."""

from __future__ import annotations

import datetime as dt

import pytest
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, RetryState

from schemas.common.audit import AuditRecord
from schemas.common.dead_letter import token_action
from vouchflow.cli.failed import (
    FailedCommandError,
    ParkedRun,
    last_parked,
    list_query,
    run_lines,
)
from workflows.common.dead_letter import Failure, Outcome, needs_text


def activity_error(state: RetryState, cause: BaseException) -> ActivityError:
    err = ActivityError(
        "activity failed",
        scheduled_event_id=1,
        started_event_id=2,
        identity="w",
        activity_type="post_draft_bill",
        activity_id="1",
        retry_state=state,
    )
    err.__cause__ = cause
    return err


def test_a_spent_retry_budget_records_the_attempts() -> None:
    err = activity_error(
        RetryState.MAXIMUM_ATTEMPTS_REACHED, ApplicationError("429", type="RateLimited")
    )
    failure = Failure.from_error(
        err, step="post_draft_bill", reason="r", retry_policy=RetryPolicy(maximum_attempts=10)
    )
    assert failure.kind == "effect_failed" and failure.resumable
    assert failure.attempts == 10 and failure.retry_budget == 10
    assert failure.retry_state == "MAXIMUM_ATTEMPTS_REACHED"
    assert failure.error_type == "RateLimited"


def test_a_refusal_is_not_counted_as_a_spent_budget() -> None:
    err = activity_error(
        RetryState.NON_RETRYABLE_FAILURE, ApplicationError("401", non_retryable=True)
    )
    failure = Failure.from_error(
        err, step="create_escalation_issue", reason="r", retry_policy=RetryPolicy()
    )
    assert failure.attempts is None and failure.retry_budget is None  # 0 = unlimited
    assert failure.retry_state == "NON_RETRYABLE_FAILURE"


def test_what_a_parked_run_needs_names_the_commands() -> None:
    resumable = Failure(kind="effect_failed", step="post_draft_bill", reason="r", resumable=True)
    text = needs_text(resumable, "invoice-1")
    assert "vouchflow failed rerun invoice-1 --resume" in text and "same idempotency key" in text
    stuck = Failure(kind="needs_attention", step="assessing", reason="r")
    text = needs_text(stuck, "invoice-1")
    assert "--resume" not in text and "--from-start" in text and "failed close" in text


def test_the_final_reason_keeps_the_failure_and_says_who_closed_it() -> None:
    closed = Outcome(action="close", actor="alice", reason="keyed in by hand")
    assert closed.final_reason("the bill failed") == (
        "the bill failed (closed by alice: keyed in by hand)"
    )
    expired = Outcome(action="expired", reason="parked 30 days and nobody resumed it")
    assert expired.final_reason("x") == "x (parked 30 days and nobody resumed it)"


def test_token_actions() -> None:
    assert token_action("resume") == token_action("close") == "operate"
    assert token_action("rerun") == "rerun"


def test_list_queries() -> None:
    assert list_query(None, ended=False) == (
        "(VouchflowDeadLetter IS NOT NULL AND ExecutionStatus = 'Running')"
    )
    query = list_query("invoice", ended=True)
    assert "VouchflowStatus = 'needs_attention'" in query
    assert query.endswith("AND WorkflowType = 'InvoiceWorkflow'")
    assert list_query("TierChangeWorkflow", ended=False).endswith("'TierChangeWorkflow'")
    with pytest.raises(FailedCommandError):
        list_query("x' OR 1=1 --", ended=False)


def test_a_listed_run_reads_as_failure_attempts_and_next_step() -> None:
    record = AuditRecord(
        seq=1,
        workflow_id="invoice-1",
        run_id="r1",
        type="dead_letter.parked",
        payload={
            "kind": "effect_failed",
            "step": "post_draft_bill",
            "reason": "the draft bill could not be created: 429",
            "attempts": 10,
            "retry_budget": 10,
            "needs": "fix it",
            "parked_at": "2026-01-02T03:04:05+00:00",
            "times_parked": 1,
        },
        idempotency_key="k",
        created_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
        prev_hash="0" * 64,
        hash="1" * 64,
    )
    parked = last_parked([record])
    assert parked is not None
    lines = run_lines(
        ParkedRun(
            "invoice-1", "InvoiceWorkflow", "r1", "effect_failed", "needs_attention", True, parked
        )
    )
    assert "step post_draft_bill" in lines[0] and "10/10 attempts" in lines[0]
    assert lines[1] == "  failure: the draft bill could not be created: 429"
    ended = run_lines(
        ParkedRun("invoice-2", "InvoiceWorkflow", "r2", None, "needs_attention", False, None)
    )
    assert ended[1] == "  next: vouchflow failed rerun invoice-2 --from-start"
