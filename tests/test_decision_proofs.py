"""Every decision carries proof of who made it, checked before the workflow acts.

Malformed or unproven decisions are refused and audited (and the sender told, through the
`decide` update); refusals stay cheap, and long waits continue as new before Temporal's
history limits. All on the real time-skipping test server.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from temporalio import activity
from temporalio.testing import WorkflowEnvironment

from schemas.common.decisions import DecisionReply
from schemas.invoice.effects import DuplicateMatch, DuplicateQuery
from tests.conftest import make_settings
from tests.harness import Harness, running_harness
from tests.invoice_texts import Line, TextInvoice
from vouchflow.identity.keys import ensure_person, load_private_key
from vouchflow.identity.tokens import mint_decision_token
from vouchflow.settings import Settings

pytestmark = pytest.mark.asyncio


def review_invoice(number: str) -> TextInvoice:
    # Above the auto-draft limit: waits for a person.
    return TextInvoice(number=number, lines=[Line("Standing desks", 20, 29900)])


def refused(h: Harness, workflow_id: str) -> list[dict[str, Any]]:
    return [r.payload for r in h.deps.audit.trail(workflow_id) if r.type == "decision.refused"]


async def audited_refusals(h: Harness, workflow_id: str, count: int) -> list[dict[str, Any]]:
    """The refusals in the audit log, once `count` are there (appends follow the state)."""
    for _ in range(200):
        found = refused(h, workflow_id)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    return refused(h, workflow_id)


async def test_a_typed_name_without_proof_is_refused_and_audited(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(review_invoice("P-1").bytes())
        await h.wait_status(sub.workflow_id, "awaiting_approval")
        # What `temporal workflow signal --input '{"reviewer": "alice"}'` sends.
        await h.handle(sub.workflow_id).signal("approve", {"reviewer": "alice"})
        state = await h.wait_for(sub.workflow_id, lambda s: len(s.decisions) == 1, what="refusal")
        assert state.status == "awaiting_approval"
        assert not state.decisions[0].accepted
        assert "no proof of identity" in state.decisions[0].reason
        assert (await audited_refusals(h, sub.workflow_id, 1))[0]["proof"] == "unverified"
        # With alice's own token the same decision goes through, and says how it was proven.
        reply = await h.decide(sub.workflow_id, "approve", "alice", comment="checked")
        assert reply.accepted and reply.actor == "alice"
        state = await h.wait_status(sub.workflow_id, "drafted")
        approved = [d for d in state.decisions if d.accepted]
        assert approved[0].actor == "alice" and approved[0].proof.startswith("token:alice/")


async def test_forged_misbound_expired_and_untrusted_tokens_are_refused(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(review_invoice("P-2").bytes())
        other = await h.submit(review_invoice("P-3").bytes())
        await h.wait_status(sub.workflow_id, "awaiting_approval")
        wf = sub.workflow_id
        alice = load_private_key(ensure_person(h.settings.home, "alice"))
        mallory = load_private_key(ensure_person(h.settings.home, "mallory"))
        now = dt.datetime.now(dt.UTC)
        cases = {
            # mallory signs with her own key but claims to be alice
            "cannot sign": mint_decision_token(
                mallory, issuer="mallory", person="alice", workflow_id=wf, action="approve"
            ),
            # alice's token for another invoice
            "another workflow": h.token("alice", other.workflow_id, "approve"),
            # alice's token to reject, used to approve
            "not 'approve'": h.token("alice", wf, "reject"),
            # issued two hours ago, lived ten minutes
            "expired": mint_decision_token(
                alice,
                issuer="alice",
                person="alice",
                workflow_id=wf,
                action="approve",
                now=now - dt.timedelta(hours=2),
            ),
            # a key nobody trusts, with alice's name on it
            "not trusted": mint_decision_token(
                Ed25519PrivateKey.generate(),
                issuer="alice2",
                person="alice2",
                workflow_id=wf,
                action="approve",
            ),
            "well-formed": "not-a-jwt",
        }
        for expected, token in cases.items():
            reply = await _update(h, wf, {"kind": "approve", "token": token})
            assert not reply.accepted, expected
            assert expected in reply.reason, (expected, reply.reason)
        # A typed name that is not the token's person is refused too.
        await h.handle(wf).signal(
            "approve", {"token": h.token("mallory", wf, "approve"), "reviewer": "alice"}
        )
        state = await h.wait_for(
            wf, lambda s: len(s.decisions) == len(cases) + 1, what="all refusals"
        )
        assert "typed name" in state.decisions[-1].reason
        assert state.status == "awaiting_approval"
        assert len(await audited_refusals(h, wf, len(cases) + 1)) == len(cases) + 1
        assert h.deps.audit.verify().ok


async def _update(h: Harness, workflow_id: str, payload: Any) -> DecisionReply:
    return await h.handle(workflow_id).execute_update("decide", payload, result_type=DecisionReply)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"reviewer": "alice", "colour": "red"}, "colour"),  # extra field
        ({"reason": 42}, "reason"),  # wrong type, reject without reason text
        ("approve it", "expected a JSON object"),  # not an object at all
        ({"corrections": "total=1"}, "corrections"),  # wrong type
    ],
)
async def test_malformed_signals_are_refused_and_audited(
    time_skipping_env: WorkflowEnvironment, settings: Settings, payload: Any, expected: str
) -> None:
    kind = "reject" if isinstance(payload, dict) and "reason" in payload else "approve"
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(review_invoice("P-4").bytes())
        await h.wait_status(sub.workflow_id, "awaiting_approval")
        await h.handle(sub.workflow_id).signal(kind, payload)
        state = await h.wait_for(sub.workflow_id, lambda s: len(s.decisions) == 1, what="refusal")
        assert "malformed" in state.decisions[0].reason and expected in state.decisions[0].reason
        assert state.status == "awaiting_approval"
        audited = await audited_refusals(h, sub.workflow_id, 1)
        assert len(audited) == 1 and "malformed" in audited[0]["reason"]
        # The sender of a malformed update is told, in one line, and it is audited too.
        reply = await _update(h, sub.workflow_id, {"kind": "approve", "tokn": "x"})
        assert not reply.accepted and "malformed" in reply.reason and "\n" not in reply.reason
        assert len(await audited_refusals(h, sub.workflow_id, 2)) == 2


async def test_revert_and_cancel_email_need_proof(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(TextInvoice(number="P-5").bytes())
        await h.wait_for(sub.workflow_id, lambda s: s.email_state == "scheduled", what="email")
        # `temporal workflow signal --name revert --input '{}'` must not delete a draft.
        await h.handle(sub.workflow_id).signal("revert", {})
        await h.handle(sub.workflow_id).signal("cancel_email", {"requested_by": "alice"})
        state = await h.wait_for(sub.workflow_id, lambda s: len(s.decisions) == 2, what="refusals")
        assert all(not d.accepted for d in state.decisions)
        assert state.status == "drafted" and state.email_state == "scheduled"
        reply = await h.decide(sub.workflow_id, "cancel_email", "bob", reason="supplier asked")
        assert reply.accepted
        state = await h.wait_for(sub.workflow_id, lambda s: s.email_state == "cancelled")
        reply = await h.decide(sub.workflow_id, "revert", "alice", reason="wrong entity")
        assert reply.accepted and reply.status == "reverted"
        trail = h.deps.audit.trail(sub.workflow_id)
        cancelled = [r.payload for r in trail if r.type == "email.cancelled"]
        assert cancelled[0]["by"] == "bob"
        intents = [r.payload for r in trail if r.type == "effect.intent"]
        assert any(p["effect"] == "revert_draft_bill" and p["by"] == "alice" for p in intents)


async def test_four_eyes_rests_on_the_proven_submitter(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        proven = await h.submit(review_invoice("P-6").bytes(), submitted_by="alice")
        await h.wait_status(proven.workflow_id, "awaiting_approval")
        assert (await h.state(proven.workflow_id)).submitter == "alice"
        reply = await h.decide(proven.workflow_id, "approve", "alice")
        assert not reply.accepted and "submitted" in reply.reason
        reply = await h.decide(proven.workflow_id, "approve", "bob")
        assert reply.accepted
        # A submitter whose token does not verify counts as nobody, and it is audited.
        data = review_invoice("P-7").bytes()
        forged = await h.submit(data, submitted_by="mallory", prove=False)
        await h.wait_status(forged.workflow_id, "awaiting_approval")
        assert (await h.state(forged.workflow_id)).submitter is None


async def test_a_flood_of_refused_decisions_continues_as_new_and_loses_nothing(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    settings = make_settings(
        tmp_path / "home",
        review__continue_as_new_after_events=300,
        review__refusals_audited=5,
    )
    async with running_harness(time_skipping_env, settings) as h:
        sub = await h.submit(review_invoice("P-8").bytes())
        await h.wait_status(sub.workflow_id, "awaiting_approval")
        handle = h.handle(sub.workflow_id)
        for i in range(400):
            await handle.signal("approve", {"reviewer": f"intruder-{i}"})
        state = await h.wait_for(
            sub.workflow_id,
            lambda s: s.refused_decisions == 400 and s.runs >= 2,
            what="every refusal counted, and a new run",
            timeout_s=60,
        )
        assert state.status == "awaiting_approval"
        assert len([d for d in state.decisions if not d.accepted]) == 5
        assert len(await audited_refusals(h, sub.workflow_id, 5)) == 5
        # The reminder timer survives the new runs (it counts from the first run).
        await time_skipping_env.sleep(dt.timedelta(hours=25))
        await h.wait_for(sub.workflow_id, lambda s: s.reminders_sent == 1, what="reminder")
        reply = await h.decide(sub.workflow_id, "approve", "alice")
        assert reply.accepted
        final = await h.result(sub.workflow_id)
        assert final.status in ("drafted", "completed")
        types = [r.type for r in h.deps.audit.trail(sub.workflow_id)]
        assert "workflow.continued" in types and "decision.refusals_suppressed" in types
        assert types.count("review.reminder") == 1
        assert h.deps.audit.verify().ok
        # Every run of the chain stayed well inside the history limit.
        sizes = await run_history_sizes(h, sub.workflow_id)
        assert len(sizes) >= 2 and max(sizes) < 1000, sizes


async def run_history_sizes(h: Harness, workflow_id: str) -> list[int]:
    """History length of each run in a continue-as-new chain, first run first."""
    desc = await h.handle(workflow_id).describe()
    run_id: str | None = desc.raw_description.workflow_execution_info.first_run_id
    sizes: list[int] = []
    while run_id:
        history = await h.client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        sizes.append(len(history.events))
        last = history.events[-1]
        attrs = last.workflow_execution_continued_as_new_event_attributes
        run_id = (
            attrs.new_execution_run_id
            if last.HasField("workflow_execution_continued_as_new_event_attributes")
            else None
        )
    return sizes


async def test_a_duplicate_refused_at_posting_is_flagged(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    """Two copies racing: both pass the duplicate check, the destination refuses the
    second draft. That is a flag with its reason, not a failure needing attention."""
    async with running_harness(time_skipping_env, settings) as h:
        first = await h.submit(TextInvoice(number="P-9").bytes())
        await h.wait_status(first.workflow_id, "drafted")

    @activity.defn(name="find_duplicates")
    async def find_no_duplicates(query: DuplicateQuery) -> list[DuplicateMatch]:
        return []  # the other copy is not visible yet when this one is checked

    async with running_harness(
        time_skipping_env, settings, replace_activities=[find_no_duplicates]
    ) as h:
        copy = TextInvoice(number="P-9", extra_text="copy")
        second = await h.submit(copy.bytes(), filename="copy.txt")
        final = await h.result(second.workflow_id)
        assert final.status == "flagged", final.status_reason
        assert "duplicate" in final.status_reason
        assert final.draft_bill is None


async def test_errors_are_resolved_by_corrections_or_overridden_by_an_allowed_approver(
    time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    async with running_harness(time_skipping_env, settings) as h:
        # Year 0001: an implausible date, an error a reviewer must resolve or knowingly override.
        sub = await h.submit(TextInvoice(number="P-10", issue="01/10/0001").bytes())
        state = await h.wait_status(sub.workflow_id, "awaiting_approval")
        assert state.assessment is not None and state.assessment.errors
        reply = await h.decide(sub.workflow_id, "approve", "bob")
        assert not reply.accepted and "correction" in reply.reason
        reply = await h.decide(sub.workflow_id, "approve", "bob", override_errors=True)
        assert not reply.accepted and "override" in reply.reason
        reply = await h.decide(sub.workflow_id, "approve", "alice", override_errors=True)
        assert reply.accepted, reply.reason
        state = await h.wait_status(sub.workflow_id, "drafted")
        approval = next(d for d in state.decisions if d.accepted)
        assert any(line.startswith("override of validation errors") for line in approval.details)
        audited = [r.payload for r in h.deps.audit.trail(sub.workflow_id)]
        assert any("override of validation errors" in str(p.get("details")) for p in audited)
