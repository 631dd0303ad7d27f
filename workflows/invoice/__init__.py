"""The invoice workflow: a supplier invoice becomes a DRAFT bill, or a clear reason why not.

workflow.py   the state machine (run) and its own signals (cancel_email, revert)
intake.py     read document -> extract fields -> find duplicates -> assess -> route
review.py     waiting for a person: how a decision applies, reminders, escalation, expiry
effects.py    post the draft bill, email after a cancellable delay, revert window
steps.py      what its steps share beyond workflows.common.steps: settings, what it
              waits for, notice titles, continue-as-new
views.py      how the workflow presents itself (summaries, search attributes, email)
options.py    timeouts and retry policies of its activities, and its patch ids
"""
