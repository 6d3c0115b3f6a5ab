"""A derivation as a LaTeX align* block: one line per step, the rewritten subterm underlined, the rule as a \\text{} note."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..core.derivation import Derivation, Step
from ..core.domain import Condition
from ..core.tree import Expr, Path
from ..language.mathlatex import GREEK_MACROS, to_latex
from ..language.mathtext import GREEK_SYMBOLS, to_text
from ._abbrev import Abbreviations, abbreviations
from ._labels import held_constant, line_label, notes

# \underline renders in LaTeX, KaTeX and MathJax alike and stays quiet next to the math; colour would need xcolor.
MARK_MACRO = r"\underline"

# Opens the definitions of the names a long derivation gives its repeated subterms (see _abbrev).
WHERE = r"\text{where }"

# Brackets a filled-in binding inside a label, so the label's own words and its math can be told apart afterwards.
_MATH_OPEN, _MATH_CLOSE = "\x03", "\x04"

# Characters \text{} cannot hold as they are: LaTeX's specials, and <, > and | that OT1 text fonts print as other glyphs.
_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "%": r"\%", "_": r"\_",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}  # fmt: skip
_GREEK_LETTERS = {symbol: GREEK_MACROS[name] for name, symbol in GREEK_SYMBOLS.items()}
# Unicode math that labels and verdict reasons may hold; strict KaTeX and pdflatex reject it inside \text{}.
_MATH_SYMBOLS = {
    "∂": r"\partial", "·": r"\cdot", "×": r"\times", "−": "-", "′": "'", "π": r"\pi", "≠": r"\neq", "≤": r"\leq",
    "≥": r"\geq", "→": r"\to", "√": r"\surd", "<": "<", ">": ">", "|": "|", **_GREEK_LETTERS,
}  # fmt: skip
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹ⁿ⁻ᵐᵛˣ", "0123456789n-mvx"))
# Text with no letters between two pieces of math reads as math: ∂y/∂y = 1, not ∂y "/" ∂y " = 1".
_MATHLIKE = re.compile(r"[\s=+\-/()\[\],.0-9]*")
# A lone letter between math is a variable (|x|), and a power in words (e^x in "derivative of e^x") is math.
_LETTER = re.compile(r"[A-Za-z]")
_POWER_WORD = re.compile(r"(?<![A-Za-z])([A-Za-z]\^[A-Za-z0-9])(?![A-Za-z0-9])")


def render_latex(derivation: Derivation, steps: bool = True, detail: str | None = None) -> str:
    """The whole derivation as an align* environment, ending with the verdict when there is one.

    The input as read and the warnings are TeX comments inside the environment: a notebook shows everything outside
    the environment as raw text, and the Markdown renderer shows them in words.
    """
    rows = latex_rows(derivation, steps, detail, domain=True)
    verdict = verdict_latex(derivation)
    if verdict:
        rows.append(f"& {verdict}")
    comments = [f"% read as: {tex_comment(to_text(derivation.expr))}"]
    comments += [f"% note: {tex_comment(warning)}" for warning in [*derivation.warnings, *notes(derivation, to_text)]]
    return "\\begin{align*}\n" + "".join(c + "\n" for c in comments) + " \\\\\n".join(rows) + "\n\\end{align*}\n"


def latex_rows(
    derivation: Derivation,
    steps: bool = True,
    detail: str | None = None,
    names: Abbreviations | None = None,
    domain: bool = False,
) -> list[str]:
    """The rows of the alignment without the verdict: `& start`, then `&= expr && \\text{rule}` per line.

    steps=False gives the start and the result only. Shared with the Markdown renderer, which wraps them differently
    (and passes its names, so its rule column uses the same letters). A long derivation ends with "where A = …" rows.
    domain=True writes where the result holds after it: `\\quad (x > 0)` (the Markdown renderer says it in a line).
    """
    if names is None:
        names = abbreviations(derivation, steps, detail)
    treat = _treat_as_constants(derivation)
    rows = [f"& {to_latex(names.show(derivation.start))}" + (f" && {treat}" if treat else "")]
    conditions = derivation.domain if domain else ()
    where = rf" \quad ({', '.join(condition_latex(c) for c in conditions)})" if conditions else ""
    if not steps:
        rows.append(f"&= {to_latex(names.show(derivation.result))}{where}")
    else:
        lines = derivation.lines(detail)
        for index, line in enumerate(lines):
            expr = to_latex(
                names.show(line.after), marks=names.marks(line.after, line_marks(line)), mark_macro=MARK_MACRO
            )
            label = label_latex(line, detail or derivation.detail, names.show)
            expr += where if index == len(lines) - 1 else ""
            rows.append(f"&= {expr}" + (f" && {label}" if label else ""))
    for index, (name, value) in enumerate(names.definitions()):
        lead = WHERE if index == 0 else rf"\phantom{{{WHERE}}}"
        rows.append(f"& {lead} {to_latex(name)} = {to_latex(value)}")
    return rows


# The relations of a domain condition in LaTeX.
_LATEX_RELATIONS = {"<": "<", "≤": r"\leq", ">": ">", "≥": r"\geq", "≠": r"\neq", "=": "=", "or": r"\text{ or }"}


def condition_latex(condition: Condition) -> str:
    """One condition as LaTeX math: x > 0, -1 \\leq x \\leq 1, \\cos\\left(x\\right) \\neq 0."""
    return " ".join(_LATEX_RELATIONS[part] if isinstance(part, str) else to_latex(part) for part in condition.relation)


def verdict_latex(derivation: Derivation) -> str | None:
    """The verdict as LaTeX math: \\checkmark verified, ? could not verify, \\times disagrees; None when not checked."""
    check = derivation.verification
    if check is None:
        return None
    if check.verified is True:
        if check.method == "evaluator":
            return r"\checkmark\ " + _join(
                _text_pieces(f"verified: equals a numerical derivative at random points ({check.reason})")
            )
        how = check.how
        return rf"\checkmark\ \text{{verified: equals SymPy's derivative ({how})}}"
    if check.verified is False:
        pieces: list[tuple[str, str]] = [("text", "disagrees with SymPy")]
        if check.expected is not None:
            pieces += [("text", ": SymPy gives "), ("math", to_latex(check.expected))]
        pieces += _text_pieces(f" ({check.reason}) - this is a bug in derivsteps, please report it")
        return r"\times\ " + _join(pieces)
    return _join(_text_pieces(f"? could not verify ({check.reason})"))


def line_marks(line: Step) -> tuple[Path, ...]:
    """Where in line.after the line put something new; a mark on the whole expression is dropped, since
    underlining everything points at nothing."""
    return tuple(path for path in line.new_paths if path)


def label_latex(line: Step, detail: str = "normal", shown: Callable[[Expr], Expr] = lambda expr: expr) -> str:
    """The rule column in LaTeX: \\text{chain rule}, or \\text{constant rule; }\\partial y/\\partial y = 1."""
    show: Callable[[Expr], str] = lambda expr: _MATH_OPEN + to_latex(shown(expr)) + _MATH_CLOSE  # noqa: E731
    label = line_label(line, show, detail)
    pieces: list[tuple[str, str]] = []
    for index, part in enumerate(re.split(f"[{_MATH_OPEN}{_MATH_CLOSE}]", label)):
        # The split alternates: words of the template at even positions, filled-in math at odd ones.
        pieces += [("math", part)] if index % 2 else _text_pieces(part)
    return _join(pieces)


def text_latex(text: str) -> str:
    """Plain words (which may hold Unicode math such as ∂) as LaTeX math: \\text{...} runs and math in between."""
    return _join(_text_pieces(text))


def _text_pieces(text: str) -> list[tuple[str, str]]:
    """Split words into ("text", escaped) and ("math", latex) pieces: Unicode math symbols and e^x become math."""
    pieces: list[tuple[str, str]] = []
    for index, part in enumerate(_POWER_WORD.split(text)):
        # The split alternates: other words at even positions, a power written in words (e^x) at odd ones.
        if index % 2:
            pieces.append(("math", "{}^{{{}}}".format(*part.split("^"))))
        else:
            pieces += _char_pieces(part)
    return pieces


def _char_pieces(text: str) -> list[tuple[str, str]]:
    pieces: list[tuple[str, str]] = []
    for char in text:
        if char in _MATH_SYMBOLS:
            pieces.append(("math", _MATH_SYMBOLS[char]))
        elif char in _SUPERSCRIPTS:
            pieces.append(("math", f"^{{{_SUPERSCRIPTS[char]}}}"))
        elif pieces and pieces[-1][0] == "text":
            pieces[-1] = ("text", pieces[-1][1] + _TEXT_ESCAPES.get(char, char))
        else:
            pieces.append(("text", _TEXT_ESCAPES.get(char, char)))
    return pieces


def _join(pieces: list[tuple[str, str]]) -> str:
    """Pieces as one LaTeX string: text in \\text{}, letterless text next to math folded into the math."""
    kinds = [kind for kind, _ in pieces]
    merged: list[tuple[str, str]] = []
    for index, (kind, value) in enumerate(pieces):
        beside_math = "math" in kinds[max(index - 1, 0) : index] + kinds[index + 1 : index + 2]
        between_math = kinds[index - 1 : index] == kinds[index + 1 : index + 2] == ["math"]
        if kind == "text" and (beside_math and _MATHLIKE.fullmatch(value) or between_math and _LETTER.fullmatch(value)):
            kind, value = "math", value.strip()
        if not value:
            continue
        if merged and merged[-1][0] == kind:
            # A space keeps \partial and y from running together into \partialy; math mode ignores it otherwise.
            value = merged.pop()[1] + (" " if kind == "math" else "") + value
        merged.append((kind, value))
    return "".join(rf"\text{{{value}}}" if kind == "text" else value for kind, value in merged)


def _treat_as_constants(derivation: Derivation) -> str:
    """\\text{treat } x, z \\text{ as constants}, as the read-as line of the text renderer says; "" when none."""
    constants = held_constant(derivation)
    if not constants or not derivation.wrt:
        return ""
    names = ", ".join(to_latex(v) for v in constants)
    plural = "s" if len(constants) > 1 else ""
    return _join([("text", "treat "), ("math", names), ("text", f" as constant{plural}")])


def tex_comment(text: str) -> str:
    # A newline would end the comment and let the rest be read as LaTeX.
    return " ".join(text.split())
