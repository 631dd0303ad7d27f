"""Each workflow's rollout stage: a small file in the state directory, so an operator
switches it without a redeploy (as prompt labels move). A workflow reads it once, at
its start (the `resolve_rollout` activity), and keeps that answer for the whole run.

Every change is appended to `stage_history.jsonl` beside it and, by the CLI, to the
audit log with the operator's proof.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

from pydantic import TypeAdapter

from schemas.common.rollout import ROLLOUT_WORKFLOWS, RolloutSetting

_SETTINGS: TypeAdapter[dict[str, RolloutSetting]] = TypeAdapter(dict[str, RolloutSetting])


class RolloutError(ValueError):
    """An unknown workflow or stage, or a stage that cannot be set as asked."""


def stages_path(home: Path) -> Path:
    return Path(home) / "rollout" / "stages.json"


def read_stages(home: Path) -> dict[str, RolloutSetting]:
    """Every rollout workflow's setting; one never set is `full` (today's behaviour)."""
    path = stages_path(home)
    stored: dict[str, RolloutSetting] = {}
    if path.is_file():
        stored = _SETTINGS.validate_json(path.read_bytes())
    return {name: stored.get(name, RolloutSetting()) for name in ROLLOUT_WORKFLOWS}


def read_stage(home: Path, workflow: str) -> RolloutSetting:
    check_workflow(workflow)
    return read_stages(home)[workflow]


def check_workflow(workflow: str) -> None:
    if workflow not in ROLLOUT_WORKFLOWS:
        raise RolloutError(
            f"no rollout for {workflow[:40]!r} (workflows that call a model:"
            f" {', '.join(ROLLOUT_WORKFLOWS)})"
        )


def set_stage(home: Path, workflow: str, setting: RolloutSetting) -> RolloutSetting:
    """Write `workflow`'s setting (write-then-rename) and append it to the history.
    Returns the previous setting."""
    check_workflow(workflow)
    if setting.stage == "shadow" and not setting.candidate_provider:
        raise RolloutError("the shadow stage needs a candidate (--candidate PROVIDER)")
    stages = read_stages(home)
    previous = stages[workflow]
    stages[workflow] = setting
    path = stages_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".stages-", suffix=".json")
    with os.fdopen(fd, "wb") as handle:
        handle.write(_SETTINGS.dump_json(stages, indent=2))
    os.replace(tmp, path)
    entry = {
        "at": (setting.set_at or dt.datetime.now(dt.UTC)).isoformat(),
        "workflow": workflow,
        "from": previous.model_dump(mode="json"),
        "to": setting.model_dump(mode="json"),
    }
    with path.with_name("stage_history.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")
    return previous
