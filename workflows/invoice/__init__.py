"""The invoice workflow: a supplier invoice becomes a DRAFT bill, or a clear reason why not.

workflow.py   the state machine (run), its signals, update and query
intake.py     read document -> extract fields -> find duplicates -> assess -> route
review.py     waiting for a person: decisions, reminders, escalation, expiry
effects.py    post the draft bill, email after a cancellable delay, revert window
steps.py      what the steps share: state, settings, trail, status, notifications, endings
views.py      how the workflow presents itself (summaries, search attributes, email)
options.py    timeouts and retry policies of its activities, and its patch ids
"""
