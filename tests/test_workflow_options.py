"""Activity options are written once (workflows.common.options): the builder sets what is
given and keeps Temporal's defaults for the rest, and every model call retries alike."""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

from workflows.common.options import MODEL_RETRY, activity_options, model_call
from workflows.invoice.options import EXTRACT, READ
from workflows.proposal.options import BILLING_FINAL, EXECUTE, PARSE
from workflows.triage.options import CLASSIFY


def test_only_what_is_given_changes_temporals_defaults() -> None:
    options = activity_options(timedelta(seconds=30))
    assert options == {
        "start_to_close_timeout": timedelta(seconds=30),
        "retry_policy": RetryPolicy(),
    }
    assert "heartbeat_timeout" not in options


def test_every_part_of_a_retry_policy_can_be_given() -> None:
    options = activity_options(
        timedelta(minutes=1),
        attempts=12,
        first_retry=timedelta(seconds=2),
        longest_retry=timedelta(minutes=5),
        final_errors=("TierChanged",),
        heartbeat=timedelta(seconds=20),
    )
    policy = options["retry_policy"]
    assert (policy.initial_interval, policy.maximum_interval) == (
        timedelta(seconds=2),
        timedelta(minutes=5),
    )
    assert policy.maximum_attempts == 12
    assert policy.backoff_coefficient == 2.0
    assert policy.non_retryable_error_types == ["TierChanged"]
    assert options["heartbeat_timeout"] == timedelta(seconds=20)


def test_the_workflows_options_keep_their_own_numbers() -> None:
    assert READ["heartbeat_timeout"] == timedelta(seconds=30)
    assert READ["retry_policy"].maximum_attempts == 3
    assert EXECUTE["retry_policy"].non_retryable_error_types == BILLING_FINAL
    assert EXECUTE["retry_policy"].maximum_attempts == 12


def test_every_model_call_retries_the_same_way() -> None:
    for options in (EXTRACT, CLASSIFY, PARSE):
        assert options["retry_policy"] is MODEL_RETRY
    assert MODEL_RETRY.non_retryable_error_types == ["ValueError"]
    assert EXTRACT["start_to_close_timeout"] == timedelta(minutes=3)
    assert CLASSIFY["start_to_close_timeout"] == timedelta(minutes=2)
    assert model_call(timedelta(seconds=5))["start_to_close_timeout"] == timedelta(seconds=5)
