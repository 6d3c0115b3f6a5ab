"""A derivation in the terminal with rich: aligned lines, the rewritten subterm highlighted, the rule in a dim column."""

from __future__ import annotations

from ..core.derivation import Derivation
from .derivation import derivation_layout
from .document import STYLES
from .writers.terminal import DocumentView, aligned_table, column_widths, highlighted

__all__ = ["STYLES", "DerivationView", "aligned_table", "column_widths", "highlighted"]


class DerivationView(DocumentView):
    """A rich renderable of a Derivation: `Console().print(DerivationView(d, steps=True))`."""

    def __init__(self, derivation: Derivation, steps: bool = True, detail: str | None = None, ascii: bool = False):
        super().__init__(derivation_layout(derivation, steps, detail), ascii)
        self.derivation = derivation


if __name__ == "__main__":  # python -m derivsteps.render.terminal: a look at the view in this terminal
    from ..calculus.derivative import differentiate
    from .writers.terminal import print_document

    print_document(derivation_layout(differentiate("(x+y+z)^2", "y")))
