"""What comes before the grammar: an equation split at its '=', what its left side names, and whether text is LaTeX.

Homework is typed as equations (f(x) = x^2 sin x, y = x^3, answers as f'(x) = 2x or dy/dx = 2x) and as LaTeX. Both
grammars read one expression; this module decides which grammar reads which part. A side is handed on as the whole
text with everything else blanked out, so every error position is already a position in what the user typed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..core.errors import EquationError
from ..core.functions import SPELLINGS


@dataclass(frozen=True, slots=True)
class Side:
    """One side of an equation: its text, where it stands, and the whole text with all but this side blanked."""

    text: str
    start: int
    end: int
    blanked: str


_OPENERS, _CLOSERS = "([{", ")]}"


def split(text: str) -> tuple[Side, Side] | None:
    """The two sides of an equation, or None when text has no '=' outside brackets (sum_{i=1} is not an equation)."""
    text = unicodedata.normalize("NFC", text)  # the offsets the lexer reports point into this
    depth, found = 0, []
    for offset, char in enumerate(text):
        if char in _OPENERS:
            depth += 1
        elif char in _CLOSERS:
            depth = max(0, depth - 1)
        elif char == "=" and depth == 0:
            found.append(offset)
    if not found:
        return None
    if len(found) > 1:
        shown = "'=='" if found[1] == found[0] + 1 else "more than one '='"
        raise EquationError(
            f"an equation has one '='; this has {shown}", text, found[1], "write one equation, such as y = x^2"
        )
    at = found[0]
    if not text[:at].strip():
        raise EquationError("nothing stands before '='", text, at, "write the left side, such as y = x^2")
    if not text[at + 1 :].strip():
        raise EquationError("nothing stands after '='", text, at, "write the right side, such as y = x^2")
    return _side(text, 0, at), _side(text, at + 1, len(text))


def _side(text: str, start: int, end: int) -> Side:
    blanked = "".join(char if start <= index < end or char == "\n" else " " for index, char in enumerate(text))
    return Side(text[start:end], start, end, blanked)


# What a left side may name: the function or variable the right side defines, or its derivative. Whitespace is removed
# before matching, so "f (x)" and "d y / d x" count too.
_NAME = r"(?:[A-Za-z]+|[α-ω])"
_ARGS = rf"\({_NAME}(?:,{_NAME})*\)"
_DEFINED_NAMES = tuple(
    re.compile(pattern)
    for pattern in (
        rf"{_NAME}(?:{_ARGS})?",  # f(x), y, loss(s,b)
        rf"{_NAME}'+(?:{_ARGS})?",  # f'(x), y''
        rf"{_NAME}_\{{?[A-Za-z]+\}}?(?:{_ARGS})?",  # f_x, f_{xy}: a partial derivative's name
        r"d\^?\d?[A-Za-z]?/d[A-Za-z](?:\^\d)?",  # dy/dx, d^2y/dx^2
        r"∂[A-Za-z]?/∂[A-Za-z]",  # ∂f/∂x
        rf"(?:d/d[A-Za-z]|∂/∂[A-Za-z])(?:\[?{_NAME}(?:{_ARGS})?\]?|\({_NAME}(?:{_ARGS})?\))",  # d/dx f(x), d/dx[y]
        r"\\frac\{(?:\\mathrm\{d\}|d)[A-Za-z]?\}\{(?:\\mathrm\{d\}|d)[A-Za-z]\}(?:[A-Za-z](?:\\left)?\([A-Za-z]\\?(?:right)?\))?",
        r"\\frac\{\\partial[A-Za-z]?\}\{\\partial[A-Za-z]\}(?:[A-Za-z](?:\\left)?\([A-Za-z]\\?(?:right)?\))?",
        rf"{_NAME}(?:\^\{{?\\prime\}}?|')*(?:\\left)?\({_NAME}\\?(?:right)?\)",  # LaTeX f'\left(x\right)
    )
)


def defined_name(lhs: str) -> str | None:
    """The left side if it names what the equation defines (f(x), y, f'(x), dy/dx), else None (x^2 + y^2 = 25)."""
    compact = "".join(lhs.split())
    compact = compact.strip("$")
    if compact.split("(")[0].rstrip("'") in SPELLINGS:
        return None  # sin(x) = … is an equation about sin, not a definition
    for pattern in _DEFINED_NAMES:
        if pattern.fullmatch(compact):
            return compact
    return None


# ^{…} is LaTeX, except the upper bound of our own sum syntax: sum_{i=1}^{n}.
_SUM_BOUNDS = re.compile(r"(?:sum|Σ|∑)_\{[^{}]*\}\^\{")


def looks_like_latex(text: str) -> bool:
    """Whether text is LaTeX: a backslash, math between $ signs, or a brace group after ^ that is not a sum's bound."""
    if "\\" in text or text.strip().startswith("$"):
        return True
    return "^{" in _SUM_BOUNDS.sub("", text)
