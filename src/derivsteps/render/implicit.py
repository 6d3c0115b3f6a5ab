"""Implicit differentiation laid out as a Document (text, LaTeX, Markdown, the terminal) and as JSON: each side's
derivation, then the solving.

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
import string
from collections.abc import Callable, Mapping

from ..calculus.implicit import Implicit, ImplicitStep, undefined_where
from ..core.derivation import Derivation, Step
from ..core.tree import Deriv, Expr, Var, replace_all, variables
from ..language.mathlatex import to_latex as plain_latex
from ..language.mathtext import to_text as plain_text
from ._labels import label_spans, note_spans, notes
from .derivation import derivation_layout, derivation_rows
from .document import (
    CHECK,
    CROSS,
    EQUALS,
    Blank,
    Block,
    Code,
    Comment,
    Display,
    Document,
    Formula,
    Heading,
    Math,
    Nested,
    Note,
    Only,
    Paragraph,
    Row,
    Rows,
    Spans,
    Symbol,
    Verdict,
    Words,
    only,
)
from .document import (
    Notation as DocumentNotation,
)
from .jsondoc import SCHEMA, step_json, valuer
from .layouts import register
from .writers import write

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
        return replace_all(expr, self.mapping)

    def text(self, expr: Expr, ascii: bool = False) -> str:
        return plain_text(self.tree(expr), ascii).replace(plain_text(self.placeholder, ascii), self.dydx_text(ascii))

    def latex(self, expr: Expr) -> str:
        return plain_latex(self.tree(expr)).replace(plain_latex(self.placeholder), self.dydx_latex())

    def dydx_text(self, ascii: bool = False) -> str:
        return f"d{plain_text(self.result.dependent, ascii)}/d{plain_text(self.result.wrt, ascii)}"

    def dydx_latex(self) -> str:
        return rf"\frac{{d{plain_latex(self.result.dependent)}}}{{d{plain_latex(self.result.wrt)}}}"

    def document(self) -> DocumentNotation:
        """This notation for the writers of a Document."""
        return DocumentNotation(self.text, self.latex)


# -- public entry points: layout, then a writer ------------------------------------------------------------------------
def render_text(result: Implicit, steps: bool = False, ascii: bool = False, detail: str | None = None) -> str:
    """The whole working as text; steps=True also shows each side's derivation, rule by rule."""
    return write(layout(result, steps, detail), "text", ascii=ascii)


def render_latex(result: Implicit, steps: bool = False, detail: str | None = None) -> str:
    """An align* block; the equation as read and the notes are TeX comments inside it, as for a derivation."""
    return write(layout(result, steps, detail), "latex")


def render_markdown(result: Implicit, steps: bool = False, detail: str | None = None) -> str:
    """The question, the working in $$ (aligned: it works in LaTeX, KaTeX and MathJax alike), the verdict."""
    return write(layout(result, steps, detail), "markdown")


class ImplicitView:
    """A rich renderable of an Implicit: `Console().print(ImplicitView(result))`."""

    def __init__(self, result: Implicit, steps: bool = False, detail: str | None = None, ascii: bool = False):
        self.result = result
        self.steps = steps
        self.detail = detail
        self.ascii = ascii

    def __rich__(self):
        return write(layout(self.result, self.steps, self.detail), "rich", ascii=self.ascii)


def print_rich(result: Implicit, steps: bool = False, detail: str | None = None, ascii: bool = False) -> None:
    """Print the view to the terminal (the command's rich format), so the command itself never imports rich."""
    from .live import print_view

    print_view(ImplicitView(result, steps=steps, detail=detail, ascii=ascii))


# -- what is said -----------------------------------------------------------------------------------------------------------
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


def template_spans(template: str, bindings: Mapping[str, object]) -> Spans:
    """A template's words and its bindings as math; a run of bindings and literal math between them (" = ", "(")
    is one Formula, so LaTeX writes y = y(x) as math, not math and words."""
    pieces: list = []
    run: list = []

    def flush() -> None:
        if run:
            pieces.append(Formula(tuple(run)) if len(run) > 1 else run[0])
            run.clear()

    for literal, field, _, _ in string.Formatter().parse(template):
        if literal and _MATH_ONLY.fullmatch(literal) and (run or field is not None):
            run.append(Words(literal))
        elif literal:
            flush()
            pieces.append(Words(literal))
        if field is not None:
            run += _binding(bindings[field])
    flush()
    return tuple(pieces)


def _binding(value) -> list:
    """A binding as math: an expression, a tuple (x, z) or a point (a = 1, b = 2)."""
    if isinstance(value, Mapping):
        out: list = []
        for var, expr in value.items():
            out += [*([Words(", ")] if out else []), Math(var), Words(" = "), Math(expr)]
        return out
    if isinstance(value, tuple):
        out = []
        for item in value:
            out += [*([Words(", ")] if out else []), Math(item)]
        return out
    return [Math(value)]


def fill_text(template: str, bindings: Mapping[str, object], show: Callable[[Expr], str]) -> str:
    """A template filled in as plain text (JSON's explanations)."""
    out = []
    for literal, field, _, _ in string.Formatter().parse(template):
        out.append(literal)
        if field is not None:
            value = bindings[field]
            if isinstance(value, Mapping):
                out.append(", ".join(f"{show(var)} = {show(expr)}" for var, expr in value.items()))
            elif isinstance(value, tuple):
                out.append(", ".join(show(item) for item in value))
            else:
                out.append(show(value))
    return "".join(out)


# -- the layout -----------------------------------------------------------------------------------------------------------
def layout(result: Implicit, steps: bool = False, detail: str | None = None) -> Document:
    """The working as a Document: how the equation was read, with steps each side's derivation, the solving line by
    line with what each line did, dy/dx, where it is undefined, and the check against SymPy."""
    notation = Notation(result)
    equation = (Math(result.lhs), Words(" = "), Math(result.rhs))
    blocks: list[Block] = [
        only("text", Paragraph((*equation_words("read as: ", equation), Words("      ("),
                                *template_spans(*aside(result)), Words(")")), style="aside")),
        Comment((Words("read as: "), *equation)),
        only("markdown", Paragraph(_question(result, notation))),
        *(Note((Words(warning),)) for warning in result.warnings),
    ]  # fmt: skip
    solving: list[Block] = []
    if steps:
        with_y = {"x": result.wrt, "y": result.dependent}
        for template, side in (
            ("differentiate the left side by {x}, with {y} = {y}({x}):", result.left),
            ("differentiate the right side by {x}:", result.right),
        ):
            solving += [Blank(), Heading(template_spans(template, with_y)), *_side(side, detail)]
        solving += [Blank(), Heading(template_spans("solve for {d}:", {"d": result.derivative}))]
    lines = [(result.lhs, result.rhs, ())]
    lines += [(step.lhs, step.rhs, _label(step, rewrite)) for step, rewrite in rows(result, detail)]
    # LaTeX aligns the equations at =; the line formats show each as one piece of math (the column counts its indent).
    solving += [
        only(("latex", "markdown"), Rows(tuple(Row((Math(rhs),), EQUALS, (Math(lhs),), said) for lhs, rhs, said in lines))),
        only("text", Rows(tuple(Row((Math(lhs), Words(" = "), Math(rhs)), None, (), said) for lhs, rhs, said in lines),
                          MAX_LABEL_COLUMN + 2)),
    ]  # fmt: skip
    phrase = undefined_phrase(result)
    if phrase is not None:
        solving.append(only(("latex", "markdown"), Paragraph(template_spans(*phrase))))
    blocks.append(Display(tuple(solving)))
    blocks += [
        only("text", Blank(), Paragraph((Math(result.derivative), Words(" = "), Math(result.result)), style="result")),
        only("text", *(Note(note) for note in _notes(result))),
        *_verdicts(result),
    ]
    return Document(tuple(blocks), notation.document())


def equation_words(words: str, equation: Spans) -> Spans:
    return (Words(words), *equation)


def _side(derivation: Derivation, detail: str | None) -> list[Block]:
    """A side's derivation, with y(x) as the chain rule sees it: its lines (no read-as line or notes: the heading says
    what it is) indented in the line formats, its rows in the alignment of LaTeX and Markdown."""
    shown = tuple(_without_read_as(derivation_layout(derivation, True, detail).blocks, "text"))
    return [
        only("text", Nested(Document(shown), indent=2)),
        only(("latex", "markdown"), Nested(Document((derivation_rows(derivation, True, detail),)))),
    ]


def _without_read_as(blocks, format: str):
    """The blocks a format shows, without the read-as line and the notes."""
    for block in blocks:
        if isinstance(block, Only):
            if format in block.formats:
                yield from _without_read_as(block.blocks, format)
        elif isinstance(block, Note | Comment):
            continue
        elif isinstance(block, Paragraph) and block.spans[:1] and getattr(block.spans[0], "text", "") == "read as:":
            continue
        else:
            yield block


def _label(step: ImplicitStep, rewrite: Step | None) -> Spans:
    """What a line did: the step's template filled in, or the rule of one simplification rewrite."""
    if rewrite is not None:
        return label_spans(rewrite, detail="full")
    return template_spans(step.template, step.bindings)


def _notes(result: Implicit) -> list[Spans]:
    """Where dy/dx is undefined, then the caveats of the sides' rules, each once."""
    phrase = undefined_phrase(result)
    found = [template_spans(*phrase)] if phrase is not None else []
    return list(dict.fromkeys(found + note_spans(result.left) + note_spans(result.right)))


def _note_texts(result: Implicit, show: Callable[[Expr], str]) -> list[str]:
    """The notes of _notes as plain text (JSON's warnings)."""
    phrase = undefined_phrase(result)
    found = [fill_text(*phrase, show)] if phrase is not None else []
    return list(dict.fromkeys(found + notes(result.left, show) + notes(result.right, show)))


def _question(result: Implicit, notation: Notation) -> Spans:
    """Find dy/dx from x^2 + y^2 = 25 by implicit differentiation (y is a function of x)."""
    spans: list = [
        Words("Find "),
        Math(result.derivative),
        Words(" from "),
        Formula((Math(result.lhs), Words(" = "), Math(result.rhs))),
        Words(" by implicit differentiation"),
    ]
    typed = result.input
    if typed is not None and " ".join(typed.split()) != equation_text(result.lhs, result.rhs, notation):
        spans += [Words(" (typed as "), Code(" ".join(typed.split())), Words(")")]
    template, bindings = aside(result)
    held = [Words(" ("), *template_spans(template, bindings), Words(").")]
    return (*spans, *held)


def _verdicts(result: Implicit) -> list[Block]:
    """✓ verified against SymPy's -F_x/F_y, ? could not verify, ✗ disagrees; nothing when not checked."""
    check = result.verification
    if check is None:
        return []
    x, y = result.wrt, result.dependent
    formula = (
        Symbol(
            f"-F_{plain_text(x)}/F_{plain_text(y)}",
            f"-F_{plain_text(x, True)}/F_{plain_text(y, True)}",
            rf"-F_{{{plain_latex(x)}}}/F_{{{plain_latex(y)}}}",
        ),
        Words(" for "),
        Formula((Symbol("F", latex="F"), Words(" = "), Math(result.function_of))),
    )
    if check.verified is True:
        latex_how = "symbolic" if check.method == "symbolic" else "numeric, at random points"
        said = (Words("verified: equals SymPy's "), *formula)
        return [
            only(("text", "markdown"), Verdict("verified", (*said, Words(f" ({check.how})")), CHECK)),
            only("latex", Verdict("verified", (*said, Words(f" ({latex_how})")), CHECK)),
        ]
    if check.verified is False:
        expected = (Words(": SymPy gives "), Math(check.expected)) if check.expected is not None else ()
        bug = Words(f" ({check.reason}) - this is a bug in derivsteps, please report it")
        words = f"disagrees with SymPy's -F_{plain_text(x, True)}/F_{plain_text(y, True)} for F = "
        words += plain_text(result.function_of, True)
        words += f": SymPy gives {plain_text(check.expected, True)}" if check.expected is not None else ""
        return [
            only(("text", "markdown"), Verdict("disagrees", (Words("disagrees with SymPy's "), *formula, *expected, bug), CROSS)),
            only("latex", Verdict("disagrees", (Words(words + bug.text),), CROSS)),
        ]  # fmt: skip
    return [Verdict("undecided", (Words(f"? could not verify ({check.reason})"),))]


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
        "warnings": [*result.warnings, *_note_texts(result, lambda expr: notation.text(expr, ascii=True))],
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
        "explanation": fill_text(step.template, step.bindings, lambda expr: notation.text(expr, ascii=True)),
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


register(Implicit, layout=layout, view=ImplicitView, json=to_json)
