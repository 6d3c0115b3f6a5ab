"""Expressions as presentation MathML, which browsers typeset natively: the LaTeX printer's conventions, as elements.

`to_mathml(x^2 sin(x))` is ``<math aria-label="x^2 sin(x)"><mrow><msup><mi>x</mi><mn>2</mn></msup>…</mrow></math>``.
Brackets, implicit products and the times sign follow the LaTeX printer (one precedence table, language/precedence.py):
a fraction is an <mfrac> and an exponent an <msup>, so neither needs the brackets text writes. Every piece of text
(a variable's name is user input) is escaped; every expression prints as exactly one element, so it can stand as a
child of <mfrac>, <msup> or <mroot>. A marked subterm is an <mrow class="changed"> the page highlights.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from html import escape

from ..core.domain import Condition
from ..core.functions import BY_NAME
from ..core.tree import Apply, Call, Const, Deriv, Div, Expr, Neg, Num, Path, Pow, Sum, Var
from .mathtext import GREEK_SYMBOLS, to_text
from .precedence import ATOM, POWER, is_fraction_form, level
from .printer import MARK_CLOSE, MARK_OPEN, MathPrinter, letter_run, plain, unit_factor

# The class of a marked subterm (the part a line rewrote), styled by the page.
MARK_CLASS = "changed"

INVISIBLE_TIMES = "<mo>&#x2062;</mo>"
# A product written with a space in text (x^2 sin(x)): LaTeX's operator spacing, which MathML's invisible times lacks.
SPACED_TIMES = '<mo rspace="0.1667em">&#x2062;</mo>'
TIMES = "<mo>&#x00B7;</mo>"
APPLY_FUNCTION = "<mo>&#x2061;</mo>"
MINUS = "<mo>&#x2212;</mo>"
PLUS = "<mo>+</mo>"
PARTIAL = "<mo>&#x2202;</mo>"
OPEN, CLOSE = "<mo>(</mo>", "<mo>)</mo>"

# The relations of a domain condition.
_RELATIONS = {"<": "&lt;", "≤": "&#x2264;", ">": "&gt;", "≥": "&#x2265;", "≠": "&#x2260;", "=": "="}

# The elements a printed expression may open with before its first leaf: its first leaf is what a reader sees first.
_LEAD = re.compile(r"(?:<(?:mrow|msup|msub|msubsup|munder|munderover)(?: [^>]*)?>)*<(\w+)(?: [^>]*)?>([^<]*)")
_FUNCTION_NAME = re.compile(r"\\(?:operatorname\{)?([A-Za-z]+)")


def to_mathml(
    expr: Expr,
    marks: Collection[Path] = (),
    *,
    display: bool = False,
    label: str | None = None,
    mark_class: str = MARK_CLASS,
) -> str:
    """expr as a <math> element named by its text reading (label: another name); the subterms at marks as
    <mrow class="changed">; display=True: a displayed formula (display="block")."""
    return math_element(mathml(expr, marks, mark_class), to_text(expr) if label is None else label, display)


def mathml(expr: Expr, marks: Collection[Path] = (), mark_class: str = MARK_CLASS) -> str:
    """expr as one MathML element, without the <math> around it (to compose formulas of several pieces)."""
    marked = _Printer(frozenset(marks)).show(expr, ())
    return marked.replace(MARK_OPEN, f'<mrow class="{escape(mark_class)}">').replace(MARK_CLOSE, "</mrow>")


def math_element(content: str, label: str, display: bool = False, css_class: str | None = None) -> str:
    """A <math> element around MathML content, with the accessible name label (escaped here) and a class."""
    block = ' display="block"' if display else ""
    named = f' class="{escape(css_class)}"' if css_class else ""
    return f'<math{named}{block} aria-label="{escape(label)}">{content}</math>'


def mrow(*children: str) -> str:
    """Children as one element: an <mrow>, unless there is only one."""
    return children[0] if len(children) == 1 else "<mrow>" + "".join(children) + "</mrow>"


def text(words: str) -> str:
    """Words inside math, escaped: <mtext>."""
    return f"<mtext>{escape(words)}</mtext>"


def operator(sign: str) -> str:
    """A sign or punctuation inside math, escaped: <mo>."""
    return f"<mo>{escape(sign)}</mo>"


def bracketed(content: str, open: str = "(", close: str = ")") -> str:
    """Content in brackets, as one element."""
    return f"<mrow>{operator(open)}{content}{operator(close)}</mrow>"


def condition_mathml(condition: Condition) -> str:
    """One condition as one element: x > 0, -1 ≤ x ≤ 1, cos(x) ≠ 0."""
    parts = []
    for part in condition.relation:
        if isinstance(part, str):
            parts.append(text(" or ") if part == "or" else f"<mo>{_RELATIONS.get(part, escape(part))}</mo>")
        else:
            parts.append(mathml(part))
    return mrow(*parts)


def identifier(name: str) -> str:
    """A variable's name: a Greek letter, a letter with digits (x1: italic x, upright 1), or a word (upright)."""
    if name in GREEK_SYMBOLS:
        return f"<mi>{GREEK_SYMBOLS[name]}</mi>"
    if len(name) > 1 and name[1:].isdigit():
        return f"<mrow><mi>{escape(name[0])}</mi><mn>{name[1:]}</mn></mrow>"
    return f"<mi>{escape(name)}</mi>"


def _subscript(sub: str) -> str:
    """The index of a_i, a_1, w_ij: digits a number, letters each an italic identifier."""
    if sub.isdigit():
        return f"<mn>{sub}</mn>"
    return mrow(*(f"<mn>{c}</mn>" if c.isdigit() else f"<mi>{escape(c)}</mi>" for c in sub)) if sub else "<mrow></mrow>"


def _function_name(fn: str) -> str:
    """The upright name a function is written with: sin, arcsin, arsinh (as its LaTeX macro spells it)."""
    found = _FUNCTION_NAME.match(BY_NAME[fn].latex) if fn in BY_NAME else None
    return f"<mi>{escape(found.group(1) if found else fn)}</mi>"


def _lead(printed: str) -> tuple[str, str]:
    """The first leaf a printed expression shows: (its element, its text), such as ("mo", "(") or ("mn", "2")."""
    found = _LEAD.match(printed)
    return (found.group(1), found.group(2)) if found else ("", "")


def _opens_bracket(printed: str) -> bool:
    """Whether printed math starts with a bracket, as \\left( in LaTeX: (x + 1)(x - 1), (x + 1)^2."""
    return _lead(printed) == ("mo", "(")


def _closes_bracket(printed: str) -> bool:
    """Whether printed math ends with a bracket, as \\right) in LaTeX: sin(x), (x + 1); not x^2 nor (x + 1)^2."""
    while printed.endswith("</mrow>"):
        printed = printed[: -len("</mrow>")]
    return printed.endswith(CLOSE)


def _starts_with_letter(printed: str) -> bool:
    """Whether printed math starts with a letter-like symbol (x, π, sin, √), as opposed to a bracket, ∂ or a fraction."""
    element, _ = _lead(printed)
    return element in ("mi", "msqrt", "mroot")


def _ends_with_digit(expr: Expr) -> bool:
    """Whether a number is written ending in a digit (2, 0.5), not as a fraction."""
    if not isinstance(expr, Num):
        return False
    if expr.text is None:
        return expr.value.denominator == 1
    return expr.text[-1:].isdigit()


class _Printer(MathPrinter):
    def paren(self, printed: str) -> str:
        return f"<mrow>{OPEN}{printed}{CLOSE}</mrow>"

    def needs_bracket(self, expr: Expr, need: int) -> bool:
        # As in LaTeX: a derivative written as a fraction reads wrongly as a base or after a ∂ without brackets.
        return level(expr) < need or (need >= POWER and isinstance(expr, Deriv) and is_fraction_form(expr))

    def node(self, expr: Expr, path: Path) -> str:
        match expr:
            case Neg(arg):
                return f"<mrow>{MINUS}{self.magnitude(arg, path + (0,))}</mrow>"
        return super().node(expr, path)

    def operator_body(self, body: Expr, path: Path, shown: str, opener: str) -> str:
        if self.followed and not _opens_bracket(plain(shown)):
            return self.paren(shown)
        return shown

    PLUS = PLUS
    MINUS = MINUS
    LEADING_MINUS = MINUS
    JUXTAPOSED = INVISIBLE_TIMES

    def group(self, shown: str) -> str:
        return f"<mrow>{shown}</mrow>"

    def gap(self, prev: Expr, nxt: Expr, prev_printed: str, next_printed: str, run: str) -> str:
        """What stands between two factors, as in the LaTeX printer: nothing (2x, ab, 2(x + 1)), a thin space
        (x^2 sin(x)), or a times sign (2 · 3, (x + 1) · (x - 1), 1 · e^x, ∂/∂x u · v)."""
        if isinstance(prev, Deriv) or isinstance(nxt, Deriv):
            return TIMES
        if _closes_bracket(prev_printed) and _opens_bracket(next_printed):
            return TIMES
        element, leaf = _lead(next_printed)
        if element == "mn" and leaf[:1] in "0123456789." or unit_factor(prev):
            return TIMES
        if isinstance(prev, Pow):
            return SPACED_TIMES
        if _opens_bracket(next_printed):
            return INVISIBLE_TIMES
        if _closes_bracket(prev_printed) and isinstance(nxt, (Var, Pow)) and letter_run(nxt):
            return INVISIBLE_TIMES
        if _ends_with_digit(prev) and isinstance(nxt, (Var, Const, Pow)) and _starts_with_letter(next_printed):
            return INVISIBLE_TIMES
        if run and letter_run(nxt):
            return INVISIBLE_TIMES
        return SPACED_TIMES

    def form(self, expr: Expr, path: Path) -> str:
        match expr:
            case Num(value, written):
                if written is not None:
                    return f"<mn>{escape(written)}</mn>"
                if value.denominator != 1:
                    return f"<mfrac><mn>{value.numerator}</mn><mn>{value.denominator}</mn></mfrac>"
                return f"<mn>{value}</mn>"
            case Const(name):
                return "<mi>&#x03C0;</mi>" if name == "pi" else f"<mi>{escape(name)}</mi>"
            case Var(name, sub):
                return identifier(name) if sub is None else f"<msub>{identifier(name)}{_subscript(sub)}</msub>"
            case Div(num, den):
                # <mfrac> sets both parts apart, so neither needs brackets.
                return f"<mfrac>{self.show(num, path + (0,))}{self.show(den, path + (1,))}</mfrac>"
            case Pow(base, exp):
                return self.pow(base, exp, path)
            case Call(fn, args):
                return self.call(fn, args, path)
            case Apply(name, args, derivs):
                inner = self.paren(self.listed(args, path))
                if derivs and len(args) == 1:
                    return f"<mrow><msup>{identifier(name)}<mo>{'&#x2032;' * len(derivs)}</mo></msup>{APPLY_FUNCTION}{inner}</mrow>"
                partials = "".join(f"<msub>{PARTIAL}<mn>{i + 1}</mn></msub>" for i in derivs)
                return f"<mrow>{partials}{identifier(name)}{APPLY_FUNCTION}{inner}</mrow>"
            case Deriv(body, var):
                wrt = self.show(var, path + (1,), ATOM)
                if is_fraction_form(expr):
                    return f"<mfrac><mrow>{PARTIAL}{self.show(body, path + (0,), POWER)}</mrow><mrow>{PARTIAL}{wrt}</mrow></mfrac>"
                shown = self.operator_body(body, path + (0,), self.show(body, path + (0,), POWER), "")
                return f"<mrow><mfrac>{PARTIAL}<mrow>{PARTIAL}{wrt}</mrow></mfrac>{shown}</mrow>"
            case Sum(body, index, lower, upper):
                bound_paths = iter((path + (1,), path + (2,)))  # a bound's path counts only the bounds present
                below = (
                    identifier(index)
                    if lower is None
                    else mrow(identifier(index), "<mo>=</mo>", self.show(lower, next(bound_paths)))
                )
                sign = "<mo>&#x2211;</mo>"
                head = (
                    f"<munder>{sign}{below}</munder>"
                    if upper is None
                    else f"<munderover>{sign}{below}{self.show(upper, next(bound_paths))}</munderover>"
                )
                return f"<mrow>{head}{self.show(body, path + (0,), POWER)}</mrow>"
        raise TypeError(f"cannot print {expr!r}")

    def listed(self, args: Sequence[Expr], path: Path) -> str:
        """Arguments separated by commas, as one element."""
        return mrow(*("<mo>,</mo>" * (i > 0) + self.show(a, path + (i,)) for i, a in enumerate(args)))

    def pow(self, base: Expr, exp: Expr, path: Path) -> str:
        exponent = self.show(exp, path + (1,))
        if (
            isinstance(base, Call)
            and BY_NAME[base.fn].power_on_name  # written as in lectures: sin²(x) for sin(x)^2
            and len(base.args) == 1
            and path + (0,) not in self.marks  # a marked call stays whole, so the mark covers it
            and not isinstance(exp, Neg)  # sin^-1 would read as arcsin
        ):
            arg = self.paren(self.show(base.args[0], path + (0, 0)))
            return f"<mrow><msup>{_function_name(base.fn)}{exponent}</msup>{APPLY_FUNCTION}{arg}</mrow>"
        # The exponent is set apart, so it never needs brackets.
        return f"<msup>{self.show(base, path + (0,), ATOM)}{exponent}</msup>"

    def call(self, fn: str, args: Sequence[Expr], path: Path) -> str:
        inner = [self.show(a, path + (i,)) for i, a in enumerate(args)]
        if fn == "sqrt":
            return f"<msqrt>{inner[0]}</msqrt>"
        if fn == "cbrt":
            return f"<mroot>{inner[0]}<mn>3</mn></mroot>"
        if fn == "abs":
            return f'<mrow><mo fence="true">|</mo>{inner[0]}<mo fence="true">|</mo></mrow>'
        if fn == "log" and len(args) == 2:
            return f"<mrow><msub>{_function_name(fn)}{inner[1]}</msub>{APPLY_FUNCTION}{self.paren(inner[0])}</mrow>"
        listed = mrow(*("<mo>,</mo>" * (i > 0) + shown for i, shown in enumerate(inner)))
        return f"<mrow>{_function_name(fn)}{APPLY_FUNCTION}{self.paren(listed)}</mrow>"
