"""The walk both expression printers share: marks, brackets by the precedence table, sums, products and negations."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from ..core.tree import Add, Deriv, Expr, Mul, Neg, Num, Path, Pow, Sum, Var
from .precedence import ATOM, FACTOR, TERM, is_operator_form, level

# Bracket a marked subterm while printing, so spacing decisions see the unmarked text; control characters never
# occur in printed math.
MARK_OPEN, MARK_CLOSE = "\x01", "\x02"


def plain(printed: str) -> str:
    """Printed math without the marks."""
    return printed.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")


def letter_run(expr: Expr) -> str:
    """The single ASCII letter a factor starts a tight run with (a, or a in a^2), else ""."""
    if isinstance(expr, Pow):
        expr = expr.base
    if isinstance(expr, Var) and expr.sub is None and len(expr.name) == 1 and expr.name.isascii():
        return expr.name
    return ""


def unit_factor(expr: Expr) -> bool:
    """0 and 1 as a factor are written with a times sign (1 · e^x, 1 \\cdot e^{x}): 1e^x reads as a number."""
    return isinstance(expr, Num) and expr.text is None and expr.value in (0, 1)


class MathPrinter:
    """Prints sums, products and negations, which read alike in text and LaTeX; subclasses say how every other node
    looks (form), what brackets look like (paren) and what stands between factors (gap)."""

    # The signs between the terms of a sum, in the printer's notation.
    PLUS = " + "
    MINUS = " - "
    LEADING_MINUS = "-"
    # The gap between factors written side by side (2x, ab): nothing in text and LaTeX.
    JUXTAPOSED = ""

    def __init__(self, marks: Collection[Path] = ()):
        self.marks = marks
        # Whether more of a sum follows what is being printed: ∂/∂x x^2 + 1 would read as ∂/∂x (x^2 + 1), since an
        # operator covers everything after it; so an operator's body is bracketed there (operator_body).
        self.followed = False

    def node(self, expr: Expr, path: Path) -> str:
        """expr printed without brackets around it."""
        match expr:
            case Add(terms):
                return self.add(terms, path)
            case Neg(arg):
                return "-" + self.magnitude(arg, path + (0,))
            case Mul(factors):
                return self.mul(factors, path)
        return self.form(expr, path)

    def form(self, expr: Expr, path: Path) -> str:
        """Any node but a sum, a product or a negation, in the notation's own form."""
        raise NotImplementedError

    def paren(self, printed: str) -> str:
        raise NotImplementedError

    def gap(self, prev: Expr, nxt: Expr, prev_printed: str, next_printed: str, run: str) -> str:
        raise NotImplementedError

    def needs_bracket(self, expr: Expr, need: int) -> bool:
        return level(expr) < need

    def show(self, expr: Expr, path: Path, need: int = 0, bracket: bool = False) -> str:
        """expr printed at path, bracketed when it binds more loosely than `need` (or when asked), marked if in marks."""
        closed = bracket or self.needs_bracket(expr, need)
        followed = self.followed
        # Only the last factor of a product, or a negation, can carry an operator up to the end of its term.
        self.followed = followed and not closed and isinstance(expr, (Mul, Neg, Deriv))
        try:
            printed = self.node(expr, path)
        finally:
            self.followed = followed
        if closed:
            printed = self.paren(printed)
        if path in self.marks:
            printed = f"{MARK_OPEN}{printed}{MARK_CLOSE}"
        return printed

    def magnitude(self, arg: Expr, path: Path) -> str:
        """What a minus sign stands before: bracketed when a sum or another negation (-(a + b), -(-x))."""
        return self.show(arg, path, ATOM if isinstance(arg, Neg) else TERM)

    def operator_body(self, body: Expr, path: Path, shown: str, opener: str) -> str:
        """The body of ∂/∂x (…) as printed: in brackets where the operator would otherwise reach further than it does."""
        if self.followed and not plain(shown).startswith(opener):
            return self.paren(shown)
        return shown

    def add(self, terms: Sequence[Expr], path: Path) -> str:
        parts = []
        followed = self.followed
        for index, term in enumerate(terms):
            here = path + (index,)
            self.followed = followed or index < len(terms) - 1
            if isinstance(term, Neg):
                # The sign is printed as the operator, so a mark on the term covers its magnitude.
                inner = self.magnitude(term.arg, here + (0,))
                if here in self.marks:
                    inner = f"{MARK_OPEN}{inner}{MARK_CLOSE}"
                parts.append((self.LEADING_MINUS if index == 0 else self.MINUS) + inner)
            else:
                shown = self.show(term, here, TERM)
                parts.append(shown if index == 0 else self.PLUS + shown)
        self.followed = followed
        return self.group("".join(parts))

    def group(self, shown: str) -> str:
        """A sum or product as one piece of the notation: as it is in text and LaTeX, an <mrow> in MathML."""
        return shown

    def mul(self, factors: Sequence[Expr], path: Path) -> str:
        shown = []
        for index, factor in enumerate(factors):
            last = index == len(factors) - 1
            need = TERM if last and is_operator_form(factor) else FACTOR
            # Σ_i x_i y would read as Σ_i (x_i y): a sum that is not the last factor is bracketed.
            shown.append(self.show(factor, path + (index,), need, isinstance(factor, Sum) and not last))
        out = shown[0]
        run = letter_run(factors[0])
        for index in range(1, len(factors)):
            prev, nxt = factors[index - 1], factors[index]
            gap = self.gap(prev, nxt, plain(shown[index - 1]), plain(shown[index]), run)
            run = (run + letter_run(nxt)) if gap == self.JUXTAPOSED and letter_run(nxt) else letter_run(nxt)
            out += gap + shown[index]
        return self.group(out)
