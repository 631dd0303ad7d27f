"""A workflow's own configuration section, read by the activity that fixes it in the
run's history (once per workflow)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import TypeVar

from pydantic import ValidationError
from temporalio.exceptions import ApplicationError

from vouchflow.runtime.errors import user_message

S = TypeVar("S")


async def read_section(load: Callable[..., S], name: str, env: Mapping[str, str]) -> S:
    """`load(env=env)`; a broken `[name]` section fails without retries (a retry reads
    the same file)."""
    try:
        return await asyncio.to_thread(load, env=env)
    except (ValidationError, ValueError, OSError) as err:
        raise ApplicationError(
            f"the [{name}] configuration cannot be read: {user_message(err)}",
            type="ConfigError",
            non_retryable=True,
        ) from None
