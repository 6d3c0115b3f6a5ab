"""The elementary functions derivsteps knows: one row per function, every spelling a student types, read by every layer.

The lexer reads the spellings, the parser the arity, the LaTeX printer and reader the macro, the rules table the
derivative, the SymPy bridge and the numeric evaluator their own implementations keyed by the same name
(tests/test_functions.py checks that every layer knows every row).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Function:
    """An elementary function: the name the tree stores, how it may be typed, and how it is written in LaTeX."""

    name: str
    spellings: tuple[str, ...]  # every way of typing it, the name included
    latex: str  # \sin, or \operatorname{sech} where LaTeX has no macro
    inverse: str | None = None  # what sin^-1 x means: the inverse function's name
    arity: tuple[int, int] = (1, 1)  # fewest and most arguments
    power_on_name: bool = False  # written sin^2(x) in lectures, for sin(x)^2


def _f(
    name: str,
    *more: str,
    latex: str | None = None,
    inverse: str | None = None,
    power_on_name: bool = False,
    arity: tuple[int, int] = (1, 1),
) -> Function:
    macro = latex if latex is not None else rf"\operatorname{{{name}}}"
    return Function(name, (name, *more), macro, inverse, arity, power_on_name)


# fmt: off
CATALOGUE: tuple[Function, ...] = (
    _f("sin", latex=r"\sin", inverse="asin", power_on_name=True),
    _f("cos", latex=r"\cos", inverse="acos", power_on_name=True),
    _f("tan", latex=r"\tan", inverse="atan", power_on_name=True),
    _f("sec", latex=r"\sec", inverse="asec", power_on_name=True),
    _f("csc", "cosec", latex=r"\csc", inverse="acsc", power_on_name=True),
    _f("cot", latex=r"\cot", inverse="acot", power_on_name=True),
    _f("asin", "arcsin", latex=r"\arcsin", power_on_name=True),
    _f("acos", "arccos", latex=r"\arccos", power_on_name=True),
    _f("atan", "arctan", latex=r"\arctan", power_on_name=True),
    _f("asec", "arcsec", latex=r"\operatorname{arcsec}"),
    _f("acsc", "arccsc", latex=r"\operatorname{arccsc}"),
    _f("acot", "arccot", latex=r"\operatorname{arccot}"),
    _f("sinh", latex=r"\sinh", inverse="asinh", power_on_name=True),
    _f("cosh", latex=r"\cosh", inverse="acosh", power_on_name=True),
    _f("tanh", latex=r"\tanh", inverse="atanh", power_on_name=True),
    _f("sech", latex=r"\operatorname{sech}", power_on_name=True),
    _f("csch", latex=r"\operatorname{csch}", power_on_name=True),
    _f("coth", latex=r"\coth", power_on_name=True),
    _f("asinh", "arsinh", "arcsinh", latex=r"\operatorname{arsinh}"),
    _f("acosh", "arcosh", "arccosh", latex=r"\operatorname{arcosh}"),
    _f("atanh", "artanh", "arctanh", latex=r"\operatorname{artanh}"),
    _f("exp", latex=r"\exp"),
    _f("ln", latex=r"\ln", power_on_name=True),
    _f("log", latex=r"\log", power_on_name=True, arity=(1, 2)),  # natural; a second argument is the base
    _f("sqrt", latex=r"\sqrt"),
    _f("cbrt", latex=r"\sqrt[3]"),
    _f("abs", latex=r"\left|\right|"),
    _f("sgn", "sign", latex=r"\operatorname{sgn}"),
    # The logistic function 1/(1 + e^(-x)) of machine learning. Not \sigma: that is the variable σ,
    # and \sigma\left(x\right) would also read as σ·(x).
    _f("sigmoid", latex=r"\operatorname{sigmoid}"),
    _f("softplus", latex=r"\operatorname{softplus}"),
)
# fmt: on

BY_NAME: dict[str, Function] = {f.name: f for f in CATALOGUE}

# Every spelling to the name the tree stores: arcsin -> asin.
SPELLINGS: dict[str, str] = {spelling: f.name for f in CATALOGUE for spelling in f.spellings}

# Logarithms to a fixed base, typed as one word: log10(x) is log(x, 10). lg is base 10 as ISO 80000-2 writes it.
LOG_SPELLINGS: dict[str, int] = {"log10": 10, "log2": 2, "lg": 10}

# Names people type that derivsteps refuses, with the reason (never split into letters and multiplied).
REFUSED: dict[str, str] = {
    "relu": "relu(x) = max(0, x) is not differentiable at 0; differentiate each piece: x for x > 0, 0 for x < 0",
    "max": "max(…) is not differentiable where its arguments are equal; differentiate each piece separately",
    "min": "min(…) is not differentiable where its arguments are equal; differentiate each piece separately",
}

ARITY: dict[str, tuple[int, int]] = {f.name: f.arity for f in CATALOGUE}
