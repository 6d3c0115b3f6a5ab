"""Expressions as LaTeX in lecture style: 2\\left(x + y + z\\right), x^{2} \\sin\\left(x\\right), \\frac{\\partial}{\\partial y}\\left(x + y + z\\right)^{2}."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from ..core.functions import BY_NAME
from ..core.tree import Apply, Call, Const, Deriv, Div, Expr, Neg, Num, Path, Pow, Sum, Var
from .lexer import GREEK
from .precedence import ATOM, POWER, is_fraction_form, level
from .printer import MARK_CLOSE, MARK_OPEN, MathPrinter, letter_run, plain, unit_factor

# Standard LaTeX has no \omicron: it is the Latin o.
GREEK_MACROS = {name: "o" if name == "omicron" else "\\" + name for name in GREEK}

TIMES = r" \cdot "


_CONTROL_WORD = re.compile(r"\\([A-Za-z]+)")


def to_latex(expr: Expr, marks: Collection[Path] = (), mark_macro: str = "\\underline") -> str:
    """expr as lecture-style LaTeX math; the subterm at each path in marks is wrapped as mark_macro{...}."""
    marked = _Printer(frozenset(marks)).show(expr, ())
    return marked.replace(MARK_OPEN, mark_macro + "{").replace(MARK_CLOSE, "}")


def _paren(latex: str) -> str:
    return rf"\left({latex}\right)"


class _Printer(MathPrinter):
    def paren(self, printed: str) -> str:
        return _paren(printed)

    def needs_bracket(self, expr: Expr, need: int) -> bool:
        return level(expr) < need or (need >= POWER and _is_fraction_atom(expr))

    def form(self, expr: Expr, path: Path) -> str:
        match expr:
            case Num(value, text):
                if text is not None:
                    return text
                if value.denominator != 1:
                    return rf"\frac{{{value.numerator}}}{{{value.denominator}}}"
                return str(value)
            case Const(name):
                return r"\pi" if name == "pi" else name
            case Var():
                return self.var(expr)
            case Div(num, den):
                # \frac delimits both parts, so neither needs parentheses.
                return rf"\frac{{{self.show(num, path + (0,))}}}{{{self.show(den, path + (1,))}}}"
            case Pow(base, exp):
                return self.pow(base, exp, path)
            case Call(fn, args):
                return self.call(fn, args, path)
            case Apply(name, args, derivs):
                inner = _paren(", ".join(self.show(a, path + (i,)) for i, a in enumerate(args)))
                if derivs and len(args) == 1:
                    return f"{_name(name)}{chr(39) * len(derivs)}{inner}"
                partials = "".join(rf"\partial_{{{i + 1}}}" for i in derivs)
                return f"{partials} {_name(name)}{inner}" if partials else f"{_name(name)}{inner}"
            case Deriv(body, var):
                wrt = self.show(var, path + (1,), ATOM)
                if is_fraction_form(expr):
                    return rf"\frac{{\partial {self.show(body, path + (0,), POWER)}}}{{\partial {wrt}}}"
                shown = self.operator_body(body, path + (0,), self.show(body, path + (0,), POWER), r"\left(")
                # A control sequence already ends the operator; anything else reads better a space apart.
                return rf"\frac{{\partial}}{{\partial {wrt}}}" + ("" if plain(shown).startswith("\\") else " ") + shown
            case Sum(body, index, lower, upper):
                bound_paths = iter((path + (1,), path + (2,)))  # a bound's path counts only the bounds present
                below = _name(index) if lower is None else f"{_name(index)}={self.show(lower, next(bound_paths))}"
                above = "" if upper is None else f"^{{{self.show(upper, next(bound_paths))}}}"
                return rf"\sum_{{{below}}}{above} {self.show(body, path + (0,), POWER)}"
        raise TypeError(f"cannot print {expr!r}")

    def var(self, expr: Var) -> str:
        name = _name(expr.name)
        return name if expr.sub is None else f"{name}_{{{expr.sub}}}"

    def gap(self, prev: Expr, nxt: Expr, prev_latex: str, next_latex: str, run: str) -> str:
        """What stands between two factors, as in the text printer: nothing (2x, ab, 2\\left(x + 1\\right)), a space, or \\cdot."""
        if isinstance(prev, Deriv) or isinstance(nxt, Deriv):
            return TIMES
        # Judged on the printed LaTeX: \sin^{2}\left(x\right) ends in a parenthesis here, although sin(x)^2 does not.
        if prev_latex.endswith(r"\right)") and next_latex.startswith(r"\left("):
            return TIMES
        if next_latex[:1].isdigit() or next_latex[:1] == "." or unit_factor(prev):
            return TIMES
        if isinstance(prev, Pow):
            return " "
        if next_latex.startswith(r"\left("):
            return ""
        if prev_latex.endswith(r"\right)") and isinstance(nxt, (Var, Pow)) and letter_run(nxt):
            return ""
        if (
            isinstance(prev, Num)
            and prev_latex[-1:].isdigit()
            and isinstance(nxt, (Var, Const, Pow))
            and _starts_with_letter(next_latex)
        ):
            return ""
        # Math mode ignores spaces, so unlike the text printer no run of letters has to be broken up (p i vs pi).
        if run and letter_run(nxt):
            return ""
        return " "

    def pow(self, base: Expr, exp: Expr, path: Path) -> str:
        exponent = self.show(exp, path + (1,))
        if (
            isinstance(base, Call)
            and BY_NAME[base.fn].power_on_name  # written as in lectures: \sin^{2}\left(x\right) for sin(x)^2
            and len(base.args) == 1
            and path + (0,) not in self.marks  # a marked call stays whole, so the mark covers it
            and not isinstance(exp, Neg)  # \sin^{-1} would read as arcsin
        ):
            return f"{BY_NAME[base.fn].latex}^{{{exponent}}}{_paren(self.show(base.args[0], path + (0, 0)))}"
        # The exponent sits in braces, so it never needs parentheses.
        return f"{self.show(base, path + (0,), ATOM)}^{{{exponent}}}"

    def call(self, fn: str, args: Sequence[Expr], path: Path) -> str:
        inner = [self.show(a, path + (i,)) for i, a in enumerate(args)]
        if fn in ("sqrt", "cbrt"):
            return rf"{BY_NAME[fn].latex}{{{inner[0]}}}"
        if fn == "abs":
            return rf"\left|{inner[0]}\right|"
        if fn == "log" and len(args) == 2:
            return rf"\log_{{{inner[1]}}}{_paren(inner[0])}"
        return BY_NAME[fn].latex + _paren(", ".join(inner))


def _name(name: str) -> str:
    """A variable or function name: a Greek letter, a letter with digits (x1), or \\mathrm for a declared word."""
    if name in GREEK_MACROS:
        return GREEK_MACROS[name]
    if len(name) > 1 and not name[1:].isdigit():
        return rf"\mathrm{{{name}}}"
    return name


def _is_fraction_atom(expr: Expr) -> bool:
    """∂x/∂y binds as an atom, but typeset as \\frac a power on it, or a ∂ in front of it, reads wrongly without parentheses."""
    return isinstance(expr, Deriv) and is_fraction_form(expr)


def _starts_with_letter(latex: str) -> bool:
    """Whether printed LaTeX starts with a letter-like symbol (x, \\pi, \\sin), as opposed to \\left( or \\frac."""
    word = _CONTROL_WORD.match(latex)
    return latex[:1].isalpha() or (word is not None and word.group(1) not in ("left", "frac", "partial"))
