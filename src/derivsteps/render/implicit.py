"""Implicit differentiation as text, LaTeX, Markdown, JSON and a rich view: each side's derivation, then the solving.

The derivations of the sides write y as y(x) and its derivative y'(x), as the chain rule sees them; the solving and
the answer write y and dy/dx, as the lecture does.

JSON (schema 1): {"schema": 1, "command": "implicit", "input", "read_as", "wrt", "dependent", "equation": EQUATION
(as read), "sides": [SIDE, SIDE] (left, then right), "steps": [STEP, ...], "result": VALUE (dy/dx), "coefficient":
VALUE (A in A·dy/dx = C), "undefined_where": VALUE | null (dy/dx is undefined where this is 0; null when never),
"verified", "verified_by", "warnings"}. SIDE is {"side": "left" | "right", "expr": VALUE (the side with y(x)),
"result": VALUE (its derivative), "steps": [the step objects of the diff document]}. STEP is {"action": one of
implicit.ACTIONS, "explanation", "rules": [the simplification rules a "simplify" line applied, in order],
"equation": EQUATION}. EQUATION is {"text", "latex", "sympy": "Eq(l, r)", "sides": [VALUE, VALUE]}. VALUE is
{"text", "latex", "sympy"}; in the solving, "sympy" keeps the function form: y(x) and Derivative(y(x), x).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ..calculus.implicit import Implicit, ImplicitStep, replace_nodes, undefined_where
from ..core.derivation import Step, Verification
from ..core.tree import Deriv, Expr, Var, variables
from ..language.mathlatex import to_latex as plain_latex
from ..language.mathtext import to_text as plain_text
from ._labels import line_label
from .critical import fill
from .jsondoc import SCHEMA, step_json, valuer
from .latex import latex_rows, text_latex
from .markdown import escape_markdown
from .text import render_text as derivation_text

# The explanation column starts after the longest equation, but never further right than this.
MAX_LABEL_COLUMN = 48

# Literal parts of a template that are math, not words: they join the math around them in LaTeX.
_MATH_ONLY = re.compile(r"[\s=+\-()0-9]*")

# A private-use character never occurs in printed math: it stands in for y while dy/dx is printed as a fraction, so
# spacing and brackets treat dy/dx as the one symbol it is (2y · dy/dx), and is then replaced by the real notation.
_STAND_IN = Var("\ue100")


class Notation:
    """How the solving shows its expressions: y(x) as y, y'(x) as dy/dx."""

    def __init__(self, result: Implicit):
        self.result = result
        self.placeholder = Deriv(_STAND_IN, result.wrt)
        self.mapping = {result.function: result.dependent, result.derivative: self.placeholder}

    def tree(self, expr: Expr) -> Expr:
        return replace_nodes(expr, self.mapping)

    def text(self, expr: Expr, ascii: bool = False) -> str:
        return plain_text(self.tree(expr), ascii).replace(plain_text(self.placeholder, ascii), self.dydx_text(ascii))

    def latex(self, expr: Expr) -> str:
        return plain_latex(self.tree(expr)).replace(plain_latex(self.placeholder), self.dydx_latex())

    def dydx_text(self, ascii: bool = False) -> str:
        return f"d{plain_text(self.result.dependent, ascii)}/d{plain_text(self.result.wrt, ascii)}"

    def dydx_latex(self) -> str:
        return rf"\frac{{d{plain_latex(self.result.dependent)}}}{{d{plain_latex(self.result.wrt)}}}"


# -- what is said, in every format ----------------------------------------------------------------------------------------


def equation_text(lhs: Expr, rhs: Expr, notation: Notation, ascii: bool = False) -> str:
    return f"{notation.text(lhs, ascii)} = {notation.text(rhs, ascii)}"


def rows(result: Implicit, detail: str | None = None) -> list[tuple[ImplicitStep, Step | None]]:
    """The solving's lines at a detail: each step, or with "full" each simplification rewrite as a line of its own
    (the step then stands for the equation after that rewrite, and the rewrite names its rule)."""
    out: list[tuple[ImplicitStep, Step | None]] = []
    for step in result.steps:
        if (detail or result.detail) != "full" or not step.steps:
            out.append((step, None))
            continue
        lhs, rhs = _before(out, result)
        for rewrite, side in zip(step.steps, step.side):
            lhs, rhs = (rewrite.after, rhs) if side == "lhs" else (lhs, rewrite.after)
            out.append((ImplicitStep(step.action, step.template, step.bindings, lhs, rhs), rewrite))
    return out


def _before(lines: list[tuple[ImplicitStep, Step | None]], result: Implicit) -> tuple[Expr, Expr]:
    return (lines[-1][0].lhs, lines[-1][0].rhs) if lines else (result.lhs, result.rhs)


def label(
    step: ImplicitStep, rewrite: Step | None, show: Callable[[Expr], str], words: Callable[[str], str] = str
) -> str:
    """What a line did: the step's template filled in, or the rule of one simplification rewrite."""
    if rewrite is not None:
        return words(line_label(rewrite, show, "full"))
    return fill(step.template, step.bindings, show, words)


def aside(result: Implicit) -> tuple[str, dict]:
    """(y is a function of x; treat r as constant): the read-as line's note, as a template."""
    held = tuple(
        v
        for v in dict.fromkeys([*variables(result.lhs), *variables(result.rhs)])
        if v not in (result.wrt, result.dependent)
    )
    template, bindings = "{y} is a function of {x}", {"y": result.dependent, "x": result.wrt}
    if held:
        template += "; treat {held} as constant" + ("s" if len(held) > 1 else "")
        bindings["held"] = held
    return template, bindings


def undefined_phrase(result: Implicit) -> tuple[str, dict] | None:
    """dy/dx is undefined where y = 0: the note on where the answer holds; None when it always does."""
    where = undefined_where(result)
    if where is None:
        return None
    return "{d} is undefined where {where} = 0", {"d": result.derivative, "where": where}


def verdict_words(check: Verification | None, result: Implicit, ascii: bool = False) -> tuple[str, str] | None:
    """(status, the last line): ✓ verified, ? could not verify, ✗ disagrees; None when not checked."""
    if check is None:
        return None
    shown = lambda expr: plain_text(expr, ascii)  # noqa: E731
    formula = f"-F_{shown(result.wrt)}/F_{shown(result.dependent)} for F = {shown(result.function_of)}"
    if check.verified is True:
        how = check.how
        return "verified", f"{'OK' if ascii else '✓'} verified: equals SymPy's {formula} ({how})"
    if check.verified is False:
        expected = f": SymPy gives {shown(check.expected)}" if check.expected is not None else ""
        mark = "WRONG" if ascii else "✗"
        return (
            "disagrees",
            f"{mark} disagrees with SymPy's {formula}{expected} ({check.reason}) - this is a bug in derivsteps, please report it",
        )
    return "undecided", f"? could not verify ({check.reason})"


# -- the layout, shared by text and the rich view ---------------------------------------------------------------------------


def _sections(result: Implicit, steps: bool, ascii: bool, detail: str | None) -> Iterator[tuple[str, object]]:
    """The output as (kind, content): "aside", "note", "heading", "derivation", "rows" [(equation, explanation)],
    "result", "verdict" (status, words)."""
    notation = Notation(result)
    show = lambda expr: notation.text(expr, ascii)  # noqa: E731
    yield (
        "aside",
        f"read as: {equation_text(result.lhs, result.rhs, notation, ascii)}      ({fill(*aside(result), show)})",
    )
    for warning in result.warnings:
        yield "note", f"note: {warning}"
    if steps:
        with_y = {"x": result.wrt, "y": result.dependent}
        yield "heading", fill("differentiate the left side by {x}, with {y} = {y}({x}):", with_y, show)
        yield "derivation", _derivation_lines(result.left, ascii, detail)
        yield "heading", fill("differentiate the right side by {x}:", with_y, show)
        yield "derivation", _derivation_lines(result.right, ascii, detail)
        yield "heading", fill("solve for {d}:", {"d": result.derivative}, show)
    lines = [(equation_text(result.lhs, result.rhs, notation, ascii), "")]
    lines += [
        (equation_text(step.lhs, step.rhs, notation, ascii), label(step, rewrite, show))
        for step, rewrite in rows(result, detail)
    ]
    yield "rows", lines
    yield "result", equation_text(result.derivative, result.result, notation, ascii)
    for note in _notes(result, show):
        yield "note", f"note: {note}"
    verdict = verdict_words(result.verification, result, ascii)
    if verdict:
        yield "verdict", verdict


def _notes(result: Implicit, show: Callable[[Expr], str]) -> list[str]:
    from ._labels import notes

    found = [fill(*phrase, show) for phrase in [undefined_phrase(result)] if phrase is not None]
    return list(dict.fromkeys(found + notes(result.left, show) + notes(result.right, show)))


def _derivation_lines(derivation, ascii: bool, detail: str | None) -> str:
    """A side's derivation without its read-as line: the heading above it says what it is."""
    shown = derivation_text(derivation, steps=True, ascii=ascii, detail=detail).rstrip("\n").split("\n")
    return "\n".join(line for line in shown[1:] if not line.startswith("note: "))


def render_text(result: Implicit, steps: bool = False, ascii: bool = False, detail: str | None = None) -> str:
    """The whole working as text; steps=True also shows each side's derivation, rule by rule."""
    out: list[str] = []
    for kind, content in _sections(result, steps, ascii, detail):
        if kind in ("heading", "result"):
            out += ["", content]
        elif kind == "rows":
            out += _columns(content)
        elif kind == "derivation":
            out += [f"  {line}".rstrip() for line in content.split("\n")]
        elif kind == "verdict":
            out.append(content[1])
        else:
            out.append(content)
    return "\n".join(out) + "\n"


def _columns(lines: list[tuple[str, str]]) -> list[str]:
    width = min(max(len(left) for left, _ in lines), MAX_LABEL_COLUMN)
    return [f"  {left.ljust(width)}    {right}".rstrip() if right else f"  {left}" for left, right in lines]


# -- LaTeX ----------------------------------------------------------------------------------------------------------------------


def _words(text: str) -> str:
    """Words between math as \\text{}; a piece with no words (" = 0", "(") stays math, which it is part of."""
    return text if _MATH_ONLY.fullmatch(text) else text_latex(text)


def _sentence(template: str, bindings: dict, show: Callable[[Expr], str]) -> str:
    return fill(template[:1].upper() + template[1:], bindings, show, _words)


def latex_body(result: Implicit, steps: bool = False, detail: str | None = None) -> list[str]:
    """The rows of the alignment, without the verdict: the side derivations (with steps), the equations, the note."""
    notation = Notation(result)
    out = []
    if steps:
        with_y = {"x": result.wrt, "y": result.dependent}
        out.append("&" + _sentence("differentiate the left side by {x}, with {y} = {y}({x}):", with_y, plain_latex))
        out += latex_rows(result.left, True, detail)
        out.append("&" + _sentence("differentiate the right side by {x}:", with_y, plain_latex))
        out += latex_rows(result.right, True, detail)
        out.append("&" + _sentence("solve for {d}:", {"d": result.derivative}, notation.latex))
    out.append(f"{notation.latex(result.lhs)} &= {notation.latex(result.rhs)}")
    for step, rewrite in rows(result, detail):
        said = label(step, rewrite, notation.latex, _words)
        out.append(f"{notation.latex(step.lhs)} &= {notation.latex(step.rhs)}" + (f" && {said}" if said else ""))
    phrase = undefined_phrase(result)
    if phrase is not None:
        out.append("&" + _sentence(*phrase, notation.latex))
    return out


def verdict_latex(result: Implicit) -> str | None:
    """The verdict as LaTeX: \\checkmark verified, ? could not verify, \\times disagrees; None when not checked."""
    said = verdict_words(result.verification, result, ascii=True)
    if said is None:
        return None
    status, words = said
    if status == "verified":
        how = "symbolic" if result.verification.method == "symbolic" else "numeric, at random points"
        formula = rf"-F_{{{plain_latex(result.wrt)}}}/F_{{{plain_latex(result.dependent)}}}"
        return rf"\checkmark\ \text{{verified: equals SymPy's }}{formula}\text{{ for }}F = {plain_latex(result.function_of)}\text{{ ({how})}}"
    if status == "disagrees":
        return r"\times\ " + text_latex(words.partition(" ")[2])
    return text_latex(words)


def render_latex(result: Implicit, steps: bool = False, detail: str | None = None) -> str:
    """An align* block; the equation as read and the notes are TeX comments inside it, as for a derivation."""
    rows_ = latex_body(result, steps, detail)
    verdict = verdict_latex(result)
    if verdict:
        rows_.append(f"& {verdict}")
    notation = Notation(result)
    comments = [f"% read as: {' '.join(equation_text(result.lhs, result.rhs, notation).split())}"]
    comments += [f"% note: {' '.join(warning.split())}" for warning in result.warnings]
    return "\\begin{align*}\n" + "".join(c + "\n" for c in comments) + " \\\\\n".join(rows_) + "\n\\end{align*}\n"


# -- Markdown -------------------------------------------------------------------------------------------------------------------


def render_markdown(result: Implicit, steps: bool = False, detail: str | None = None) -> str:
    """The question, the working in $$ (aligned: it works in LaTeX, KaTeX and MathJax alike), the verdict."""
    notation = Notation(result)
    question = f"Find ${notation.dydx_latex()}$ from ${notation.latex(result.lhs)} = {notation.latex(result.rhs)}$ by implicit differentiation"
    typed = result.input
    if typed is not None and " ".join(typed.split()) != equation_text(result.lhs, result.rhs, notation):
        question += f" (typed as `{' '.join(typed.split())}`)"
    out = [f"{question} ({fill(*aside(result), notation.latex, _markdown_words, '${}$'.format)}).", ""]
    for warning in result.warnings:
        out += [f"*Note:* {escape_markdown(warning)}", ""]
    out += ["$$", r"\begin{aligned}", " \\\\\n".join(latex_body(result, steps, detail)), r"\end{aligned}", "$$", ""]
    verdict = verdict_words(result.verification, result)
    if verdict:
        out += [escape_markdown(verdict[1]), ""]
    return "\n".join(out)


def _markdown_words(text: str) -> str:
    """Words between math, escaped, keeping the spaces at their edges that separate them from the math."""
    return (" " if text[:1].isspace() else "") + escape_markdown(text) + (" " if text[-1:].isspace() else "")


# -- JSON -----------------------------------------------------------------------------------------------------------------------


def to_json(result: Implicit, with_sympy: bool = True) -> dict:
    """The JSON document of the module docstring; with_sympy=False writes "sympy": null and never imports SymPy."""
    notation = Notation(result)
    shown = valuer(with_sympy, notation.text, notation.latex)
    value = lambda expr: shown(result.function_form(expr))  # noqa: E731 - "sympy" says y(x), what y stands for
    plain = valuer(with_sympy)
    check = result.verification
    where = undefined_where(result)
    return {
        "schema": SCHEMA,
        "command": "implicit",
        "input": result.input,
        "read_as": equation_text(result.lhs, result.rhs, notation),
        "wrt": plain_text(result.wrt, ascii=True),
        "dependent": plain_text(result.dependent, ascii=True),
        "equation": _equation_json(result.lhs, result.rhs, plain, notation),
        "sides": [_side_json(name, d, plain) for name, d in (("left", result.left), ("right", result.right))],
        "steps": [_step_json(step, value, notation) for step in result.steps],
        "result": plain(result.result),
        "coefficient": plain(result.coefficient),
        "undefined_where": None if where is None else plain(where),
        "verified": None if check is None else check.verified,
        "verified_by": None if check is None else check.method,
        "warnings": [*result.warnings, *_notes(result, lambda expr: notation.text(expr, ascii=True))],
    }


def _side_json(name: str, derivation, value) -> dict:
    return {
        "side": name,
        "expr": value(derivation.expr),
        "result": value(derivation.result),
        "steps": [step_json(line, derivation.detail, value) for line in derivation.lines()],
    }


def _step_json(step: ImplicitStep, value, notation: Notation) -> dict:
    return {
        "action": step.action,
        "explanation": fill(step.template, step.bindings, lambda expr: notation.text(expr, ascii=True)),
        "rules": [rewrite.rule for line in step.steps for rewrite in line.rewrites],
        "equation": _equation_json(step.lhs, step.rhs, value, notation),
    }


def _equation_json(lhs: Expr, rhs: Expr, value, notation: Notation) -> dict:
    sides = [value(lhs), value(rhs)]
    sympy = f"Eq({sides[0]['sympy']}, {sides[1]['sympy']})" if sides[0]["sympy"] is not None else None
    return {
        "text": equation_text(lhs, rhs, notation),
        "latex": f"{notation.latex(lhs)} = {notation.latex(rhs)}",
        "sympy": sympy,
        "sides": sides,
    }


# -- rich -----------------------------------------------------------------------------------------------------------------------


class ImplicitView:
    """A rich renderable of an Implicit: `Console().print(ImplicitView(result))`, the text layout with styles."""

    STYLES = {
        "heading": "bold", "aside": "dim", "note": "italic", "explanation": "dim", "result": "bold",
        "verified": "bold green", "disagrees": "bold red", "undecided": "yellow",
    }  # fmt: skip

    def __init__(self, result: Implicit, steps: bool = False, detail: str | None = None, ascii: bool = False):
        self.result = result
        self.steps = steps
        self.detail = detail
        self.ascii = ascii

    def __rich_console__(self, console, options):
        # rich is imported here, so this module (and the text, LaTeX and JSON renderers in it) stays free of it.
        from rich.padding import Padding
        from rich.table import Table
        from rich.text import Text

        for kind, content in _sections(self.result, self.steps, self.ascii, self.detail):
            if kind in ("heading", "result"):
                yield Text("")
            if kind == "rows":
                table = Table.grid(padding=(0, 4))
                table.add_column("equation", overflow="fold")
                table.add_column("explanation", style=self.STYLES["explanation"], overflow="fold")
                for left, right in content:
                    table.add_row(Text(left), Text(right))
                yield Padding(table, (0, 0, 0, 2))
            elif kind == "derivation":
                yield Padding(Text(content), (0, 0, 0, 2))
            elif kind == "verdict":
                status, words = content
                yield Text(words, style=self.STYLES[status])
            else:
                yield Text(content, style=self.STYLES.get(kind, ""))


def print_rich(result: Implicit, steps: bool = False, detail: str | None = None, ascii: bool = False) -> None:
    """Print the view to the terminal (the command's rich format), so the command itself never imports rich."""
    from rich.console import Console

    Console().print(ImplicitView(result, steps=steps, detail=detail, ascii=ascii))
