"""A derivation as Markdown for notebooks and homework write-ups: the question, the working in $$, the rules in words."""

from __future__ import annotations

from ..core.derivation import Derivation
from .derivation import derivation_layout
from .writers.markdown import escape_markdown, write_markdown

__all__ = ["escape_markdown", "render_markdown"]


def render_markdown(derivation: Derivation, steps: bool = True, detail: str | None = None) -> str:
    """The question, the derivation as LaTeX inside $$ (steps=False: start = result), the rules used, the verdict."""
    return write_markdown(derivation_layout(derivation, steps, detail))
