"""How deriv reads what you type: every convention where two readings are possible, with an example, its reading and
the note it prints, or why it is refused. One table: the README's section is generated from it (python -m
derivsteps.language.conventions), and tests/language/test_conventions.py parses every row and checks the reading and notes exactly.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Convention:
    """One example input: what it is read as (None when refused), the notes printed, or the refusal's message."""

    topic: str
    typed: str
    read_as: str | None
    notes: tuple[str, ...]
    refused: str | None = None
    variables: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()


# Why each convention is what it is, in the order the README lists them.
TOPICS: dict[str, str] = {
    "operators": (
        "`d/dx`, `∂/∂x` and `diff(…, x)` apply to everything after them, up to the end or the enclosing bracket, as "
        "on a calculator and the board; a bracket right after the operator holds its operand, as a function's "
        "brackets do (our own steps print `∂/∂y (x + y + z)^2` and `2(x + y) · ∂/∂y (x + y)` that way), and a note "
        "says so when a sum follows. An expression with its own `d/dx` and `--wrt x` is differentiated once."
    ),
    "sums": (
        "`Σ_i` covers the whole product after it, up to the next `+`/`-` at its level or a closing bracket, as in "
        "standard notation and the lecture's Questions 5-7. `a[i]` is `a_i` inside a sum over i, refused elsewhere."
    ),
    "numbers": (
        "Numbers are exact. Scientific notation is a number, as on every calculator (`1e-3` is exactly 1/1000), with "
        "a note, since `e` could be Euler's number; vulgar fractions are fractions; `3½` is refused (3 + 1/2 or 3·1/2?)."
    ),
    "names": (
        "Every function name in common use (the list is `src/derivsteps/core/functions.py`). `log` is natural, as in "
        "analysis lectures, with a note because calculators read it as base 10; `lg` is base 10 (ISO 80000-2). "
        "`sin^-1 x` is the inverse function, as textbooks and Wolfram|Alpha read it. An unknown name right before "
        "`(`, a function that is not differentiable (`relu`) and English words are refused, never split into letters."
    ),
    "function arguments": (
        "A function without brackets takes the run of factors typed without spaces after it: `sin 2x` is `sin(2x)`, "
        "`ln x^2` is `ln(x^2)`; a space ends it, so `sin x cos x` is `sin(x)·cos(x)`. A note says so."
    ),
    "precedence": (
        "Standard precedence, stated where a person may mean otherwise: an exponent is one number or letter "
        "(`e^-2x` is `e^(-2)·x`, `x^1/2` is `x/2`), `/` takes one factor (`1/2x` is `x/2`), powers group from the right."
    ),
    "letters": (
        "A run of letters that is no known name is a product of one-letter variables, with a note; declare longer "
        "names (`--vars ab`) and functions (`--functions f`)."
    ),
    "equations": (
        "An equation that names what it defines means its right-hand side, with a note; any other equation is "
        "refused at its `=`, with a pointer to `deriv implicit`."
    ),
    "latex": (
        "LaTeX is read by a grammar of its own wherever an expression is read (a backslash, `^{…}` or `$…$` tells; "
        "`--latex` insists), with the same conventions; as in math mode, `xy` is x·y and one character follows `^` "
        "without braces. Integrals and the like are refused in words."
    ),
}

CONVENTIONS: tuple[Convention, ...] = (
    Convention(
        "operators",
        "d/dx 3x^2 + 2x + 1",
        "∂/∂x (3x^2 + 2x + 1)",
        ("read d/dx 3x^2 + 2x + 1 as d/dx (3x^2 + 2x + 1): d/dx applies to everything after it",),
    ),
    Convention(
        "operators",
        "d/dx (x^2) + 1",
        "∂/∂x (x^2) + 1",
        (
            "read d/dx (x^2) + … as (d/dx (x^2)) + …: the brackets right after d/dx hold what it differentiates; write d/dx (… + …) to differentiate the whole sum",
        ),
    ),
    Convention("operators", "∂/∂y (x+y+z)^2", "∂/∂y (x + y + z)^2", ()),
    Convention("operators", "d/dx x^2 sin x", "∂/∂x (x^2 sin(x))", ()),
    Convention("operators", "d(x^2)/dx", "∂/∂x x^2", ("read d(x^2)/dx as d/dx (x^2)",)),
    Convention("operators", "d/dx [x^2]", "∂/∂x x^2", ()),
    Convention("operators", "diff(x^2, x)", "∂/∂x x^2", ()),
    Convention("operators", "dy/dx", None, (), refused="dy/dx names the derivative of y, which is not defined here"),
    Convention(
        "sums",
        "sum_i a_i h_i",
        "Σ_i (a_i h_i)",
        ("read sum_i a_i h_i as sum_i (a_i h_i): the sum covers the whole product after it",),
    ),
    Convention(
        "sums",
        "Σ_i s a_i^2",
        "Σ_i (s a_i^2)",
        ("read Σ_i s a_i^2 as Σ_i (s a_i^2): the sum covers the whole product after it",),
    ),
    Convention(
        "sums",
        "sum_i (a_i s + b - h_i) a_i",
        "Σ_i ((a_i s + b - h_i) a_i)",
        (
            "read sum_i (a_i s + b - h_i) a_i as sum_i ((a_i s + b - h_i) a_i): the sum covers the whole product after it",
        ),
    ),
    Convention("sums", "sum_{i=1}^{n} x_i^2 + 1", "Σ_{i=1}^{n} x_i^2 + 1", ()),
    Convention("sums", "Σᵢ x_i", "Σ_i x_i", ()),
    Convention(
        "sums",
        "sum_i a[i] h[i]",
        "Σ_i (a_i h_i)",
        (
            "read a[i] as a_i",
            "read h[i] as h_i",
            "read sum_i a[i] h[i] as sum_i (a[i] h[i]): the sum covers the whole product after it",
        ),
    ),
    Convention(
        "sums",
        "a[i] x",
        None,
        (),
        refused="a[i] looks like an indexed value, which only means something inside a sum over i",
    ),
    Convention("numbers", "0.01x", "0.01x", ()),
    Convention(
        "numbers",
        "1e-3 x",
        "0.001x",
        ("read 1e-3 as 0.001: scientific notation, 1·10^-3; write 1*e-3 if e was Euler's number",),
    ),
    Convention(
        "numbers",
        "2.5E2",
        "250",
        ("read 2.5E2 as 250: scientific notation, 2.5·10^2; write 2.5*e2 if e was Euler's number",),
    ),
    Convention("numbers", "½ x^2", "(1/2)x^2", ()),
    Convention("numbers", "3½", None, (), refused="3½ could mean a whole number plus 1/2 or a product"),
    Convention("names", "arcsin x", "asin(x)", ()),
    Convention("names", "asinh(x)", "asinh(x)", ()),
    Convention("names", "sech(x)", "sech(x)", ()),
    Convention("names", "sigmoid(x)", "sigmoid(x)", ()),
    Convention("names", "cbrt(x)", "cbrt(x)", ()),
    Convention(
        "names", "log x", "log(x)", ("read log as the natural logarithm ln; write log10(x) or log_10(x) for base 10",)
    ),
    Convention("names", "log10(x)", "log_10(x)", ()),
    Convention(
        "names",
        "lg(x)",
        "log_10(x)",
        ("read lg as the logarithm to base 10, as ISO 80000-2 writes it; write log_2 for base 2",),
    ),
    Convention("names", "log_2 x", "log_2(x)", ()),
    Convention("names", "log(x, 2)", "log_2(x)", ()),
    Convention(
        "names",
        "tan^-1 x",
        "atan(x)",
        ("read tan^-1 as atan, the inverse function of tan; write 1/tan(x) for the reciprocal",),
    ),
    Convention("names", "sin^2 x", "sin(x)^2", ()),
    Convention("names", "arsinh x + artanh x", "asinh(x) + atanh(x)", ()),
    Convention("names", "softplus(x) + sgn(x)", "softplus(x) + sgn(x)", ()),
    Convention("names", "abs(x) + |x|", "|x| + |x|", ()),
    Convention(
        "names",
        "sech^-1 x",
        None,
        (),
        refused="sech^-1 would be the inverse function of sech, which derivsteps does not know",
    ),
    Convention(
        "names", "f^(-1)(x)", None, (), refused="f^(-1), the inverse function of f, is not supported", functions=("f",)
    ),
    Convention(
        "names",
        "relu(x)",
        None,
        (),
        refused="relu is not supported: relu(x) = max(0, x) is not differentiable at 0; differentiate each piece: x for x > 0, 0 for x < 0",
    ),
    Convention("names", "foo(x)", None, (), refused="unknown function foo"),
    Convention("names", "sinn(x)", None, (), refused="unknown function sinn"),
    Convention("names", "x and y", None, (), refused="'and' is an English word, not math"),
    Convention(
        "function arguments",
        "sin 2x",
        "sin(2x)",
        ("read sin 2x as sin(2x): a function's argument without brackets runs to the next space or operator",),
    ),
    Convention(
        "function arguments",
        "sin x cos x",
        "sin(x) cos(x)",
        ("read sin x cos x as sin(x) · cos x; write sin(x cos x) if the argument goes on",),
    ),
    Convention(
        "function arguments", "ln x^2", "ln(x^2)", ("read ln x^2 as ln(x^2); write (ln x)^… for a power of the ln",)
    ),
    Convention("function arguments", "sinx", "sin(x)", ("read sinx as sin(x)",)),
    Convention("function arguments", "xsin(x)", "x sin(x)", ("read xsin as x·sin",)),
    Convention(
        "precedence",
        "x^1/2",
        "x^1/2",
        ("read x^1/2 as (x^1)/2: the exponent is only 1; write x^(1/2) to put the fraction in the exponent",),
    ),
    Convention(
        "precedence",
        "x^-1/2",
        "x^(-1)/2",
        ("read x^-1/2 as (x^-1)/2: the exponent is only -1; write x^(-1/2) to put the fraction in the exponent",),
    ),
    Convention(
        "precedence",
        "e^-2x",
        "e^(-2) x",
        ("read e^-2x as e^-2·x: the exponent is only -2; write e^(-2x) if you meant more",),
    ),
    Convention(
        "precedence", "e^2x", "e^2 x", ("read e^2x as e^2·x: the exponent is only 2; write e^(2x) if you meant more",)
    ),
    Convention("precedence", "1/2x", "(1/2)x", ("read 1/2x as (1/2)·x; write 1/(2x) to divide by 2x",)),
    Convention("precedence", "x/2y", "(x/2)y", ("read x/2y as (x/2)·y; write x/(2y) to divide by 2y",)),
    Convention(
        "precedence", "a/bc", "(a/b)c", ("read bc as b·c", "read a/bc as (a/b)·c; write a/(bc) to divide by bc")
    ),
    Convention("precedence", "2^3^2", "2^(3^2)", ("read 2^3^2 as 2^(3^2): powers group from the right",)),
    Convention("precedence", "-x^2", "-x^2", ()),
    Convention("precedence", "x**2", "x^2", ()),
    Convention("letters", "3a^2 + b^2 - ab + a", "3a^2 + b^2 - ab + a", ("read ab as a·b",)),
    Convention("letters", "ab", "ab", (), variables=("ab",)),
    Convention("letters", "2x", "2x", ()),
    Convention("letters", "x(x+1)", "x(x + 1)", ()),
    Convention("letters", "(x+1)(x-1)", "(x + 1) · (x - 1)", ()),
    Convention(
        "letters", "f(x)", "fx", ("read f(…) as the product f·(…); if f is a function, declare it: --functions f",)
    ),
    Convention("letters", "f(x)", "f(x)", (), functions=("f",)),
    Convention("letters", "w_{ij} θ", "w_{ij} θ", ()),
    Convention("letters", "x² − 2·x", "x^2 - 2x", ()),
    Convention("letters", "√x", "sqrt(x)", ()),
    Convention("letters", "|x - 1|", "|x - 1|", ()),
    Convention(
        "equations", "f(x) = x^2 sin x", "x^2 sin(x)", ("read f(x) = x^2 sin x as its right-hand side, x^2 sin x",)
    ),
    Convention("equations", "y = x^3", "x^3", ("read y = x^3 as its right-hand side, x^3",)),
    Convention("equations", "f'(x) = 2x", "2x", ("read f'(x) = 2x as its right-hand side, 2x",)),
    Convention("equations", "dy/dx = -x/y", "-x/y", ("read dy/dx = -x/y as its right-hand side, -x/y",)),
    Convention("equations", "x^2 + y^2 = 25", None, (), refused="this is an equation, not an expression"),
    Convention("latex", "\\frac{2x}{x^2+1}", "2x/(x^2 + 1)", ()),
    Convention("latex", "3\\cos(3x)", "3 cos(3x)", ()),
    Convention("latex", "e^{2x} + x^{2}", "e^(2x) + x^2", ()),
    Convention("latex", "2 \\cdot x \\times y", "2xy", ()),
    Convention("latex", "\\sqrt{x} + \\sqrt[3]{x}", "sqrt(x) + cbrt(x)", ()),
    Convention("latex", "\\left|x - 1\\right|", "|x - 1|", ()),
    Convention(
        "latex",
        "\\sin^2 x + \\tan^{-1}(x)",
        "sin(x)^2 + atan(x)",
        ("read \\tan^{-1}(x) as arctan(x), the inverse function; write \\left(\\tan x\\right)^{-1} for 1/tan(x)",),
    ),
    Convention("latex", "\\log_{2} x", "log_2(x)", ()),
    Convention("latex", "\\frac{d}{dx} x^2 \\sin x", "∂/∂x (x^2 sin(x))", ()),
    Convention("latex", "\\frac{\\partial}{\\partial y}\\left(x + y\\right)^{2}", "∂/∂y (x + y)^2", ()),
    Convention("latex", "\\sum_{i=1}^{n} a_i h_i", "Σ_{i=1}^{n} (a_i h_i)", ()),
    Convention("latex", "\\theta^2 + \\pi", "θ^2 + π", ()),
    Convention("latex", "$x^2$", "x^2", ()),
    Convention("latex", "\\int x dx", None, (), refused="integrals are not supported; derivsteps differentiates"),
)


def markdown() -> str:
    """The README's table: one row per convention, grouped by topic, with why each topic reads as it does."""
    lines = []
    for topic, why in TOPICS.items():
        lines += [
            f"**{'LaTeX' if topic == 'latex' else topic.capitalize()}.** {why}",
            "",
            "| you type | read as | note |",
            "|---|---|---|",
        ]
        for row in CONVENTIONS:
            if row.topic != topic:
                continue
            typed = _cell(row.typed)
            if row.variables:
                typed += f" with `--vars {','.join(row.variables)}`"
            if row.functions:
                typed += f" with `--functions {','.join(row.functions)}`"
            read = "refused" if row.read_as is None else _cell(row.read_as)
            note = row.refused if row.refused is not None else "; ".join(row.notes)
            lines.append(f"| {typed} | {read} | {note.replace('|', chr(92) + '|')} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _cell(text: str) -> str:
    return "`" + text.replace("|", "\\|") + "`"


if __name__ == "__main__":
    print(markdown(), end="")
