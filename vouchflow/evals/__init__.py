"""Eval suites: the gate before a prompt or model change reaches production.

Each prompt spec names its suite (`eval_suite`); a suite is five reviewable YAML datasets
(golden, edge, negative, regression, adversarial) in pydantic-evals' format under
`suites/<spec>/`, plus `suite.toml` with each metric's target. `vouchflow eval run`
scores a spec version against the embedded extractors/classifiers or recorded model
answers (cassettes/), each metric on its own; `vouchflow prompt promote` refuses a
version whose suite misses; `vouchflow eval harvest` turns reviewers' corrections from
the audit log into regression cases.
"""
