"""A derivation as a LaTeX align* block: one line per step, the rewritten subterm underlined, the rule as a \\text{} note.

The input as read and the warnings are TeX comments inside the environment: a notebook shows everything outside the
environment as raw text, and the Markdown renderer shows them in words.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core.derivation import Derivation, Step
from ..core.tree import Expr
from ._abbrev import Abbreviations
from ._labels import label_spans
from .derivation import derivation_layout, derivation_rows, derivation_verdict, line_marks
from .document import Document
from .writers.latex import MARK_MACRO, LatexWriter, condition_latex, tex_comment, text_latex, write_latex

__all__ = [
    "MARK_MACRO",
    "condition_latex",
    "label_latex",
    "latex_rows",
    "line_marks",
    "render_latex",
    "tex_comment",
    "text_latex",
    "verdict_latex",
]


def render_latex(derivation: Derivation, steps: bool = True, detail: str | None = None) -> str:
    """The whole derivation as an align* environment, ending with the verdict when there is one."""
    return write_latex(derivation_layout(derivation, steps, detail))


def latex_rows(
    derivation: Derivation,
    steps: bool = True,
    detail: str | None = None,
    names: Abbreviations | None = None,
    domain: bool = False,
) -> list[str]:
    """The rows of the alignment without the verdict: `& start`, then `&= expr && \\text{rule}` per line."""
    return LatexWriter(Document(())).block(derivation_rows(derivation, steps, detail, names, domain))


def verdict_latex(derivation: Derivation) -> str | None:
    """The verdict as LaTeX math: \\checkmark verified, ? could not verify, \\times disagrees; None when not checked."""
    verdict = derivation_verdict(derivation.verification)
    return None if verdict is None else LatexWriter(Document(())).block(verdict)[0].removeprefix("& ")


def label_latex(line: Step, detail: str = "normal", shown: Callable[[Expr], Expr] = lambda expr: expr) -> str:
    """The rule column in LaTeX: \\text{chain rule}, or \\text{constant rule; }\\partial y/\\partial y = 1."""
    return LatexWriter(Document(())).spans(label_spans(line, shown, detail))
