"""Expressions as plain text in lecture style: 2(x + y + z), 6a - b + 1, x^2 sin(x), ∂/∂y (x + y + z)^2."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from ..core.functions import REFUSED
from ..core.tree import Apply, Call, Const, Deriv, Div, Expr, Num, Path, Pow, Sum, Var
from .lexer import CONSTANTS, ENGLISH, FUNCTIONS, GREEK
from .precedence import ATOM, FACTOR, POWER, PRODUCT, ends_with_sum, is_fraction_form
from .printer import MARK_CLOSE, MARK_OPEN, MathPrinter, letter_run, unit_factor

GREEK_SYMBOLS = dict(zip(GREEK, "αβγδεζηθικλμνξορστυφχψω"))


# Letter runs the lexer would read as one name, or refuse (max): a run of single-letter variables printed tight ("ab")
# must avoid them.
_NAMES = tuple(
    n for n in set(FUNCTIONS) | set(REFUSED) | ENGLISH | set(GREEK) | set(CONSTANTS) | {"sum", "diff"} if len(n) > 1
)


# 2e1 reads as 20 (scientific notation): a number is kept apart from a variable named e1 or E2 (2 e1).
_SCIENTIFIC = re.compile(r"[eE][+-]?[0-9]")


def to_text(expr: Expr, ascii: bool = False) -> str:
    """expr as lecture-style text that parse() reads back to the same tree (ascii: d/dx, *, pi instead of ∂, ·, π)."""
    return _Printer(ascii, ()).show(expr, ())


def to_text_spans(expr: Expr, marks: Collection[Path], ascii: bool = False) -> tuple[str, list[tuple[int, int]]]:
    """expr as text, and the (start, end) character span of each subterm at a path in marks."""
    marked = _Printer(ascii, frozenset(marks)).show(expr, ())
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    opened: list[int] = []
    for char in marked:
        if char == MARK_OPEN:
            opened.append(len(text))
        elif char == MARK_CLOSE:
            spans.append((opened.pop(), len(text)))
        else:
            text.append(char)
    return "".join(text), sorted(spans)


class _Printer(MathPrinter):
    def __init__(self, ascii: bool, marks: Collection[Path]):
        super().__init__(marks)
        self.ascii = ascii
        self.times = " * " if ascii else " · "
        self.partial = "d" if ascii else "∂"
        self.bars = 0  # how many |…| enclose what is being printed

    def paren(self, printed: str) -> str:
        return f"({printed})"

    def form(self, expr: Expr, path: Path) -> str:
        match expr:
            case Num(value, text):
                return text if text is not None else str(value)
            case Const(name):
                return "π" if name == "pi" and not self.ascii else name
            case Var():
                return self.var(expr)
            case Div(num, den):
                # Σ_i x_i/n would read as Σ_i (x_i/n): a numerator that ends with a sum is bracketed.
                return (
                    f"{self.show(num, path + (0,), PRODUCT, ends_with_sum(num))}/{self.show(den, path + (1,), FACTOR)}"
                )
            case Pow(base, exp):
                # ∂x/∂y^2 would read as ∂x/∂(y^2): a derivative as a base is bracketed.
                return (
                    f"{self.show(base, path + (0,), ATOM, isinstance(base, Deriv))}^{self.show(exp, path + (1,), ATOM)}"
                )
            case Call(fn, args):
                return self.call(fn, args, path)
            case Apply(name, args, derivs):
                inner = ", ".join(self.show(a, path + (i,)) for i, a in enumerate(args))
                if derivs and len(args) == 1:
                    return f"{name}{chr(39) * len(derivs)}({inner})"
                marks = "".join(f"{self.partial}{i + 1}" for i in derivs)
                return f"{marks}{name}({inner})"
            case Deriv(body, var):
                nested = isinstance(body, Deriv)  # ∂∂x/∂y/∂z is unreadable: a derivative of a derivative gets brackets
                if is_fraction_form(expr):
                    return f"{self.partial}{self.show(body, path + (0,), POWER, nested)}/{self.partial}{self.show(var, path + (1,), ATOM)}"
                shown = self.operator_body(body, path + (0,), self.show(body, path + (0,), POWER, nested), "(")
                return f"{self.partial}/{self.partial}{self.show(var, path + (1,), ATOM)} {shown}"
            case Sum(body, index, lower, upper):
                head = "sum" if self.ascii else "Σ"
                if lower is None:
                    bounds = f"_{index}"
                else:
                    bounds = f"_{{{index}={self.show(lower, path + (1,))}}}"
                    if upper is not None:
                        bounds += f"^{{{self.show(upper, path + (2,))}}}"
                return f"{head}{bounds} {self.show(body, path + (0,), POWER)}"
        raise TypeError(f"cannot print {expr!r}")

    def var(self, expr: Var) -> str:
        name = expr.name if self.ascii else GREEK_SYMBOLS.get(expr.name, expr.name)
        if expr.sub is None:
            return name
        sub = expr.sub
        return f"{name}_{sub}" if sub.isdigit() or len(sub) == 1 else f"{name}_{{{sub}}}"

    def gap(self, prev: Expr, nxt: Expr, prev_text: str, next_text: str, run: str) -> str:
        """What stands between two factors: nothing (2x, ab, 2(x + 1)), a space (x sin(x)), or a times sign."""
        if isinstance(prev, Deriv) or isinstance(nxt, Deriv):
            return self.times
        if prev_text.endswith(")") and next_text.startswith("("):
            return self.times
        first = next_text[:1]
        if first.isdigit() or first == "." or unit_factor(prev):
            return self.times
        if first == "|" and self.bars:
            return self.times  # inside |…|, "x |x|" would read as "x |" closing the outer bar: x·|x| opens a new one
        if isinstance(prev, Pow):
            return " "
        if first == "(":
            # abc(x + 1) would read as a call of an unknown function abc: a run of letters is kept off a bracket.
            return "" if len(run) < 2 else " "
        if (
            prev_text.endswith(")")
            and not isinstance(prev, (Call, Apply))
            and isinstance(nxt, (Var, Pow))
            and letter_run(nxt)
        ):
            return ""
        if (
            isinstance(prev, Num)
            and prev_text[-1:].isdigit()
            and isinstance(nxt, (Var, Const, Pow))
            and first.isalpha()
            and not _SCIENTIFIC.match(next_text)
        ):
            return ""
        letters = letter_run(nxt)
        if run and letters and not any(name in run + letters for name in _NAMES):
            return ""
        return " "

    def call(self, fn: str, args: Sequence[Expr], path: Path) -> str:
        if fn == "abs":
            self.bars += 1
            try:
                return f"|{self.show(args[0], path + (0,))}|"
            finally:
                self.bars -= 1
        inner = [self.show(a, path + (i,)) for i, a in enumerate(args)]
        if fn == "log" and len(args) == 2:
            base = args[1]
            if (
                isinstance(base, Num)
                and base.text is None
                or isinstance(base, Var)
                and base.sub is None
                and len(base.name) == 1
            ):
                sub = inner[1] if len(inner[1]) == 1 or inner[1].isdigit() else f"{{{inner[1]}}}"
                return f"log_{sub}({inner[0]})"
            return f"log({inner[0]}, {inner[1]})"
        return f"{fn}({', '.join(inner)})"
