"""The one entry point the extraction activity calls.

`rules` runs the built-in extractor; `openai:MODEL`, `anthropic:MODEL` and
`openai-compatible:MODEL` run a model (see llm/extract.py). A fallback chain is the
caller's loop over `extraction.factory.parse_chain`: this runs exactly one provider.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from schemas.invoice.extraction import ExtractionResult
from vouchflow.documents.layout import Layout
from vouchflow.invoice.extraction.factory import split_provider
from vouchflow.settings import Settings


class ExtractionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    filename: str
    provider: str = "rules"
    prompt_name: str | None = None
    prompt_version: str | None = None
    token_budget_remaining: int | None = None


async def run_extraction(
    request: ExtractionRequest,
    settings: Settings,
    *,
    env: Mapping[str, str] | None = None,
    layout: Layout | None = None,
) -> ExtractionResult:
    """Run one provider. Raises extraction.base.ExtractionError on transport failures
    (with `retryable` and `retry_after_s` set for the activity's retry decision)."""
    kind, _ = split_provider(request.provider)
    if kind == "rules":
        from vouchflow.invoice.extraction.rules import extract_with_rules

        return extract_with_rules(request.text, filename=request.filename, layout=layout)
    from vouchflow.llm.extract import run_llm_extraction

    # The circuit breaker, budget, usage and repair live in the shared model call.
    return await run_llm_extraction(
        text=request.text,
        filename=request.filename,
        provider=request.provider,
        settings=settings,
        env=os.environ if env is None else env,
        prompt_name=request.prompt_name,
        prompt_version=request.prompt_version,
        token_budget_remaining=request.token_budget_remaining,
    )
