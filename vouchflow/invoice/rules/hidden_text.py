"""Text a person cannot see, as a reason to send an invoice to a person.

The document reader finds words in a PDF's text layer that the rendered page does not
show (``documents.hidden_text``), leaves them out of what the extractor reads and
records them on ``DocumentText.hidden_text``. Such a document is never drafted on its
own: whoever made it put something in it for a machine rather than for the reader.
The finding travels as an extraction problem (like cut text) so that it reaches
routing through the extraction result, and a person can still approve the invoice
after looking at the page (a warning, not an error to override).
"""

from __future__ import annotations

from schemas.common.documents import DocumentText
from schemas.invoice.extraction import ExtractionProblem, ExtractionResult
from vouchflow.invoice.extraction.problems import problem

HIDDEN_TEXT_CODE = "document.hidden_text"


def hidden_text_problem(document: DocumentText) -> ExtractionProblem | None:
    """The ``document.hidden_text`` problem for a document whose text layer carries
    words a reader cannot see, or could not all be checked for them."""
    hidden = document.hidden_text
    if hidden is None or (not (hidden.words and hidden.matters) and hidden.unchecked is None):
        return None
    parts = []
    if hidden.words:
        what = f" ({', '.join(hidden.kinds)})" if hidden.kinds else ""
        where = f" on page {_pages(hidden.pages)}" if hidden.pages else ""
        example = f" - e.g. '{hidden.sample}'" if hidden.sample else ""
        parts.append(
            f"the PDF carries {hidden.words:,} word{'s' if hidden.words != 1 else ''} a reader"
            f" cannot see{what}{where}{example}"
        )
    if hidden.unchecked is not None:
        parts.append(
            "the PDF's text could not all be checked for words a reader cannot see"
            f" ({hidden.unchecked})"
        )
    return problem(
        HIDDEN_TEXT_CODE, None, "; ".join(parts), hidden.sample or None, severity="warning"
    )


def with_hidden_text(result: ExtractionResult, document: DocumentText) -> ExtractionResult:
    """``result`` carrying the hidden-text problem of ``document`` (once), whichever
    extractor produced it."""
    found = hidden_text_problem(document)
    if found is None or any(p.code == HIDDEN_TEXT_CODE for p in result.problems):
        return result
    return result.model_copy(update={"problems": [found, *result.problems]})


def _pages(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:5])
    return shown + (" ..." if len(numbers) > 5 else "")
