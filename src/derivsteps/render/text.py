"""A derivation as plain text: aligned lines, each the whole expression, with the rule in a second column."""

from __future__ import annotations

from ..core.derivation import Derivation
from ..core.domain import Condition
from .derivation import MAX_LABEL_COLUMN, derivation_layout, derivation_verdict
from .document import Document
from .writers.text import TextWriter, write_text

__all__ = ["MAX_LABEL_COLUMN", "condition_text", "render_text", "verdict_text"]


def render_text(derivation: Derivation, steps: bool = True, ascii: bool = False, detail: str | None = None) -> str:
    """The whole derivation as text (steps=False: the read-as line and the result only)."""
    return write_text(derivation_layout(derivation, steps, detail), ascii)


def verdict_text(derivation: Derivation, ascii: bool = False) -> str | None:
    """The last line: ✓ verified, ? could not verify, ✗ disagrees, or None when not checked."""
    verdict = derivation_verdict(derivation.verification)
    return None if verdict is None else TextWriter(Document(()), ascii).block(verdict)[0]


def condition_text(condition: Condition, ascii: bool = False) -> str:
    """One condition as text: x > 0, -1 ≤ x ≤ 1, cos(x) ≠ 0 (x != 0 with ascii)."""
    return condition.text(ascii)
