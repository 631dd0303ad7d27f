"""Prompt label -> version, for every activity that pins a prompt at the start of a run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from temporalio.exceptions import ApplicationError

if TYPE_CHECKING:
    from vouchflow.prompts.registry import PromptSpec


def resolve_prompt_label(name: str, label: str, home: Path | None) -> PromptSpec:
    """The spec a label points at. A label that names no usable version fails without
    retries: retrying cannot mend the registry, an operator must."""
    # Imported when used: workflow modules import activity modules, and the registry is
    # not needed to replay them.
    from vouchflow.prompts.registry import PromptError, resolve_label

    try:
        return resolve_label(name, label, home)
    except PromptError as err:
        raise ApplicationError(str(err), type="PromptError", non_retryable=True) from err
