"""Score one extractor on the corpus: field accuracy, failures, tokens and cost.

    python bench/bench_llm.py --provider openai:gpt-5-mini [--corpus ../shared/corpus]

Uses the PDF text layer (pdfplumber) or the .txt file; labelled fields only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

import pdfplumber

from extraction.base import ExtractionError
from extraction.runner import ExtractionRequest, run_extraction
from settings import load_settings

FIELDS = (
    "supplier_name",
    "invoice_number",
    "issue_date",
    "due_date",
    "currency",
    "subtotal_minor",
    "tax_total_minor",
    "total_minor",
)


def _text(path: Path) -> str:
    if path.suffix == ".txt":
        return path.read_text(encoding="utf-8")
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--provider", default="rules")
    parser.add_argument("--corpus", default=str(Path(__file__).parents[2] / "shared" / "corpus"))
    args = parser.parse_args()
    corpus = Path(args.corpus)
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    settings = load_settings()
    right = total = failed = cost = tokens = 0
    started = time.monotonic()
    for doc in manifest["documents"]:
        path = corpus / doc["file"]
        request = ExtractionRequest(text=_text(path), filename=path.name, provider=args.provider)
        try:
            result = await run_extraction(request, settings)
        except ExtractionError as exc:
            print(f"{doc['id']}: error ({'retryable' if exc.retryable else 'final'}): {exc}")
            failed += 1
            continue
        failed += result.failed_closed
        cost += result.usage.cost_micro_usd
        tokens += result.usage.input_tokens + result.usage.output_tokens
        got = result.invoice.ground_truth_view()
        for field in FIELDS:
            if field in doc.get("labeled_fields", []):
                total += 1
                right += got.get(field) == doc["ground_truth"].get(field)
    print(f"provider={args.provider} docs={len(manifest['documents'])} failed={failed}")
    print(f"field accuracy {right}/{total} = {right / max(total, 1):.1%}")
    print(f"tokens={tokens} cost={cost} micro-USD time={time.monotonic() - started:.1f}s")


if __name__ == "__main__":
    asyncio.run(main())
