"""Gradients, Hessians and evaluations at a point in every format: text, LaTeX, Markdown, JSON and the terminal."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..calculus.at_point import DataSum, Evaluation
from ..calculus.multivar import Gradient, Hessian
from ..core.derivation import Derivation, Verification
from ..core.tree import Deriv, Expr, Path, Var, is_number, number, number_value, walk
from ..data.datasets import COUNT, Data
from ..language.mathlatex import to_latex
from ..language.mathtext import to_text
from ._blocks import matrix_latex, matrix_text, point_json, point_latex, point_text, vector_latex, vector_text
from ._labels import line_label, notes
from .jsondoc import SCHEMA, step_json, valuer
from .latex import MARK_MACRO, label_latex, latex_rows, line_marks, tex_comment, text_latex, verdict_latex
from .markdown import escape_markdown
from .markdown import render_markdown as derivation_markdown
from .text import MAX_LABEL_COLUMN
from .text import render_text as derivation_text

# The name the output gives the expression, so the lines read like the lecture: f(a, b), ∂f/∂a, ∇f, H_f.
FUNCTION = Var("f")
HESSIAN = Var("H", "f")

_SYMBOLS = {
    False: {"verified": "✓ ", "disagrees": "✗ ", "undecided": "? "},
    True: {"verified": "OK ", "disagrees": "WRONG ", "undecided": "? "},
}
_LATEX_SYMBOLS = {"verified": r"\checkmark\ ", "disagrees": r"\times\ ", "undecided": ""}

Result = Gradient | Hessian | Evaluation

# A JSON document lists the data's values up to this many rows; a larger data set is named, counted and summarised.
JSON_DATA_ROWS = 1_000


# -- public entry points: one per format, each a pure function of the result ----------------------------------------------
def render_text(
    result: Result,
    steps: bool = False,
    detail: str | None = None,
    ascii: bool = False,
    values: Sequence[Evaluation] | None = None,
) -> str:
    """The result as lecture notes in plain text; steps: each partial derivative's derivation (an evaluation always
    shows its steps); values: a gradient's components at a point (evaluation.gradient_at)."""
    return _text(_layout(result, steps, detail, ascii, values), detail, ascii)


def render_latex(
    result: Result, steps: bool = False, detail: str | None = None, values: Sequence[Evaluation] | None = None
) -> str:
    """The result as one align* environment, matrices as pmatrix."""
    _check_values(result, values)
    comments, rows = _LATEX[type(result)](result, steps, detail, values)
    return (
        "\\begin{align*}\n"
        + "".join(f"% {tex_comment(c)}\n" for c in comments)
        + " \\\\\n".join(rows)
        + "\n\\end{align*}\n"
    )


def render_markdown(
    result: Result, steps: bool = False, detail: str | None = None, values: Sequence[Evaluation] | None = None
) -> str:
    """The question in words, the working in $$ (with each derivation in full under steps), the verdict."""
    _check_values(result, values)
    return _MARKDOWN[type(result)](result, steps, detail, values)


def to_json(result: Result, with_sympy: bool = True, values: Sequence[Evaluation] | None = None) -> dict:
    """The JSON document of schema 1 for grad, hessian or eval; with_sympy=False writes "sympy": null (no SymPy import)."""
    _check_values(result, values)
    return _JSON[type(result)](result, valuer(with_sympy), values)


def view(
    result: Result,
    steps: bool = False,
    detail: str | None = None,
    ascii: bool = False,
    values: Sequence[Evaluation] | None = None,
):
    """A rich renderable of the result: the text layout with the terminal's styles, derivations as DerivationView."""
    return _View(_layout(result, steps, detail, ascii, values), detail, ascii)


def print_rich(result: Result, **options) -> None:
    """Print the result to the terminal with rich (imported here: the other formats never load it)."""
    from rich.console import Console

    Console().print(view(result, **options))


def _check_values(result: Result, values) -> None:
    if values is not None and not isinstance(result, Gradient):
        raise TypeError("values are the components of a gradient at a point; they go with a Gradient only")


# -- names in the lecture's notation ----------------------------------------------------------------------------------
def _function_text(vars: Sequence[Var], show: Callable[[Expr], str], name: Expr = FUNCTION) -> str:
    return f"{show(name)}{_args_text(vars, show)}"


def _args_text(vars: Sequence[Var], show: Callable[[Expr], str]) -> str:
    return f"({', '.join(show(v) for v in vars)})"


def _function_latex(vars: Sequence[Var], name: Expr = FUNCTION) -> str:
    return f"{to_latex(name)}({', '.join(to_latex(v) for v in vars)})"


def _partial_text(var: Var, show: Callable[[Expr], str]) -> str:
    return show(Deriv(FUNCTION, var))


def _second_text(first: Var, second: Var, ascii: bool) -> str:
    """∂²f/∂a² or ∂²f/∂b∂a (by a first, then by b: the notation writes the first variable on the right)."""
    x, y = to_text(first, ascii), to_text(second, ascii)
    if ascii:
        return f"d^2f/d{x}^2" if first == second else f"d^2f/d{y} d{x}"
    return f"∂²f/∂{x}²" if first == second else f"∂²f/∂{y}∂{x}"


def _second_latex(first: Var, second: Var) -> str:
    x, y = to_latex(first), to_latex(second)
    below = rf"\partial {x}^{{2}}" if first == second else rf"\partial {y}\, \partial {x}"
    return rf"\frac{{\partial^{{2}} f}}{{{below}}}"


def _nabla(ascii: bool) -> str:
    return "grad f" if ascii else "∇f"


def _point_args(
    vars: Sequence[Var],
    point: Mapping[Var, Expr],
    show: Callable[[Expr], str],
    words: Callable[[Mapping[Var, Expr]], str],
) -> str:
    """(1, 2) when the point gives exactly the variables, in their order; else (a = 1, b = 2, c = 0)."""
    if set(point) == set(vars):
        return "(" + ", ".join(show(point[v]) for v in vars) + ")"
    return f"({words(point)})"


def _quiet(derivation: Derivation) -> Derivation:
    """The derivation without the parser's warnings: a gradient says them once, above its components."""
    d = derivation
    return Derivation(d.input, d.expr, d.wrt, d.start, d.steps, (), d.detail, d.verification, d.notes)


def _notes(derivations: Sequence[Derivation], show: Callable[[Expr], str]) -> list[str]:
    return list(dict.fromkeys(note for d in derivations for note in notes(d, show)))


def _named_partials(gradient: Gradient, show: Callable[[Expr], str]) -> list[tuple[str, Derivation]]:
    return [(_partial_text(var, show), d) for var, d in zip(gradient.vars, gradient.components)]


def _named_seconds(hessian: Hessian, ascii: bool) -> list[tuple[str, Derivation]]:
    return [
        (_second_text(first, second, ascii), d)
        for first, row in zip(hessian.vars, hessian.entries)
        for second, d in zip(hessian.vars, row)
    ]


# -- verdicts ---------------------------------------------------------------------------------------------------------
def _checks(named: Sequence[tuple[str, Derivation]], what: str, show: Callable[[Expr], str]) -> list[tuple[str, str]]:
    """(status, words) for the verdict lines: one line when all agree with SymPy, else one per derivative; [] unchecked."""
    checks = [(name, d.verification) for name, d in named if d.verification is not None]
    if not checks:
        return []
    if all(check.verified is True for _, check in checks):
        every = "each" if len(checks) > 1 else "the"
        return [("verified", f"verified: {every} {what} equals SymPy's ({_how([c for _, c in checks])})")]
    lines = []
    for name, check in checks:
        if check.verified is True:
            lines.append(("verified", f"verified {name}: equals SymPy's derivative ({_how([check])})"))
        elif check.verified is False:
            expected = f": SymPy gives {show(check.expected)}" if check.expected is not None else ""
            bug = "this is a bug in derivsteps, please report it"
            lines.append(("disagrees", f"{name} disagrees with SymPy{expected} ({check.reason}) - {bug}"))
        else:
            lines.append(("undecided", f"could not verify {name} ({check.reason})"))
    return lines


def _how(checks: Sequence[Verification]) -> str:
    methods = {"numeric" if check.method == "evaluator" else check.method for check in checks}
    if methods == {"symbolic"}:
        return "symbolic"
    return "numeric, at random points" if methods == {"numeric"} else "symbolic and numeric, at random points"


def _verdict_latex_rows(named: Sequence[tuple[str, Derivation]], what: str) -> list[str]:
    # Only the ✓ and ✗ have LaTeX symbols; the question mark of "could not verify" stays in the words.
    rows = []
    for status, words in _checks(named, what, to_text):
        rows.append(f"& {_LATEX_SYMBOLS[status]}{text_latex(('? ' if status == 'undecided' else '') + words)}")
    return rows


# -- data: what the data set is, its statistics, and each sum's table ----------------------------------------------------
def data_text(data: Data) -> str:
    """data: 3 points, columns a, h"""
    points = "1 point" if data.n == 1 else f"{data.n:,} points"
    return f"data: {points}, column{'s' if len(data.names) > 1 else ''} {', '.join(data.names)}"


def data_json(data: Data) -> dict:
    """The data as JSON: its size, its column names, and its values as text (null beyond JSON_DATA_ROWS rows)."""
    columns = None
    if data.n <= JSON_DATA_ROWS:
        columns = {name: [to_text(data.value(name, row), ascii=True) for row in range(data.n)] for name in data.names}
    return {"n": data.n, "names": list(data.names), "columns": columns}


def _statistics(values: Sequence[Evaluation]) -> list[tuple[Expr, Expr]]:
    """(sum, value) for every distinct sum the components needed, in order, and n = 3 last when a component uses n."""
    found: dict[Expr, Expr] = {}
    for evaluation in values:
        for summed in evaluation.sums:
            found.setdefault(summed.sum, summed.value)
    data = next((e.data for e in values if e.data is not None), None)
    if (
        data is not None
        and any(node == COUNT for e in values for _, node in walk(e.expr))
        and not any(COUNT in e.point for e in values)
    ):
        found[COUNT] = number(data.n)
    return list(found.items())


def _has_data(values) -> bool:
    return values is not None and any(e.data is not None for e in values)


def _table_lines(summed: DataSum, data: Data, ascii: bool) -> list[str]:
    """A sum's terms as a small table (i, the columns it reads, the term), then the sum written out and its value."""
    show = lambda expr: to_text(expr, ascii)  # noqa: E731
    index = summed.sum.index
    first = 1 + _first_row(summed)
    header = [index, *(show(Var(name, index)) for name in summed.columns), show(summed.sum.body)]
    rows = []
    for offset, term in enumerate(summed.terms):
        row = first - 1 + offset
        rows.append([f"{first + offset:,}", *(show(data.value(name, row)) for name in summed.columns), show(term)])
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows)]
    out = [
        "  " + "  ".join(cell.rjust(width) for cell, width in zip(line, widths)).rstrip() for line in [header, *rows]
    ]
    more = summed.rows - len(summed.terms)
    if more > 0:
        out.append(f"  {'...' if ascii else '⋮'}  ({more:,} more data point{'s' if more > 1 else ''})")
    written = " + ".join(show(term) for term in summed.terms) + " = " if 1 < summed.rows == len(summed.terms) else ""
    out.append(f"  {show(summed.sum)} = {written}{show(summed.value)}")
    return out


def _first_row(summed: DataSum) -> int:
    """The 0-based row a sum's table starts at: its lower bound's, when it has one."""
    lower = summed.sum.lower
    return int(number_value(lower)) - 1 if lower is not None and is_number(lower) else 0


def _check_words(checks: Sequence[Verification | None], data: Data, where: str) -> list[tuple[str, str]]:
    """(status, words) for the check of values over data against the sums written out term by term; [] unchecked."""
    done = [c for c in checks if c is not None]
    if not done:
        return []
    points = "1 data point" if data.n == 1 else f"{data.n:,} data points"
    ending = "s" if len(done) == 1 else ""
    if all(c.verified is True for c in done):
        return [
            ("verified", f"checked: {where} agree{ending} with the sums written out term by term over the {points}")
        ]
    if any(c.verified is False for c in done):
        reasons = "; ".join(c.reason for c in done if c.verified is False)
        bug = "this is a bug in derivsteps, please report it"
        return [("disagrees", f"{where} disagree{ending} with the sums written out term by term ({reasons}) - {bug}")]
    return [("undecided", f"could not check {where}: {done[0].reason}")]


# -- the layout shared by text and the terminal -----------------------------------------------------------------------
@dataclass(frozen=True)
class _Line:
    """One line: pieces of text, each with the name of its style in terminal.STYLES (None: plain)."""

    pieces: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class _Worked:
    """A derivation with its steps, as the derivation renderers show it."""

    derivation: Derivation


@dataclass(frozen=True)
class _Rows:
    """Aligned rows of a worked evaluation: (sign, expression, marked paths, rule label)."""

    rows: tuple[tuple[str, Expr, tuple[Path, ...], str], ...]


_BLANK = _Line(())


def _line(*pieces: str | tuple[str, str | None]) -> _Line:
    return _Line(tuple(piece if isinstance(piece, tuple) else (piece, None) for piece in pieces))


def _layout(result: Result, steps: bool, detail: str | None, ascii: bool, values) -> list:
    _check_values(result, values)
    return _LAYOUTS[type(result)](result, steps, detail, ascii, values)


def _gradient_layout(gradient: Gradient, steps: bool, detail: str | None, ascii: bool, values) -> list:
    show = lambda expr: to_text(expr, ascii)  # noqa: E731
    items: list = [_line(f"{_function_text(gradient.vars, show)} = {show(gradient.expr)}")]
    items += [_line((f"note: {warning}", "note")) for warning in gradient.warnings]
    named = _named_partials(gradient, show)
    if steps:
        for name, derivation in named:
            items += [_BLANK, _line(f"{name}:"), _Worked(_quiet(derivation))]
        items.append(_BLANK)
    else:
        items += [_line(f"{name} = ", (show(d.result), "result")) for name, d in named]
        items += [_line((f"note: {note}", "note")) for note in _notes(gradient.components, show)]
    vector = vector_text(gradient.vector, ascii)
    items.append(_line(f"{_nabla(ascii)}{_args_text(gradient.vars, show)} = ", (vector, "result")))
    if values is not None:
        items += _values_layout(gradient, values, ascii)
    items += _verdict_lines(named, "partial derivative", ascii)
    if _has_data(values):
        at = _point_args(gradient.vars, values[0].point, show, lambda p: point_text(p, ascii))
        checks = _check_words([e.check for e in values], values[0].data, f"the values at {at}")
        items += [_line((_SYMBOLS[ascii][status] + words, status)) for status, words in checks]
    return items


def _values_layout(gradient: Gradient, values: Sequence[Evaluation], ascii: bool) -> list:
    """∂f/∂a(1, 2) = 6 · 1 - 2 + 1 = 5 per component (the substitution, then the arithmetic), then ∇f(1, 2)."""
    show = lambda expr: to_text(expr, ascii)  # noqa: E731
    point = values[0].point if values else {}
    at = _point_args(gradient.vars, point, show, lambda p: point_text(p, ascii))
    items = []
    if _has_data(values):
        items.append(_line(data_text(values[0].data)))
        items += [_line((f"note: {warning}", "note")) for warning in values[0].warnings]
        items += [_line(f"  {show(summed)} = ", (show(value), "result")) for summed, value in _statistics(values)]
    for var, evaluation in zip(gradient.vars, values):
        chain = [show(e) for e in _chain(evaluation)]
        pieces = [
            f"{_partial_text(var, show)}{at} = ",
            " = ".join(chain[:-1]) + (" = " if len(chain) > 1 else ""),
            (chain[-1], "result"),
        ]
        if evaluation.approximation is not None:
            pieces += [" ≈ " if not ascii else " ~ ", (show(evaluation.approximation), "result")]
        items.append(_line(*pieces))
    vector = vector_text([evaluation.value for evaluation in values], ascii)
    items.append(_line(f"{_nabla(ascii)}{at} = ", (vector, "result")))
    return items


def _chain(evaluation: Evaluation) -> list[Expr]:
    """The expressions of an evaluation in order: after the substitution, after each arithmetic line."""
    return [line.after for line in evaluation.lines()] or [evaluation.expr]


def _hessian_layout(hessian: Hessian, steps: bool, detail: str | None, ascii: bool, values) -> list:
    show = lambda expr: to_text(expr, ascii)  # noqa: E731
    items: list = [_line(f"{_function_text(hessian.vars, show)} = {show(hessian.expr)}")]
    items += [_line((f"note: {warning}", "note")) for warning in hessian.warnings]
    named = _named_seconds(hessian, ascii)
    if steps:
        for name, derivation in named:
            items += [_BLANK, _line(f"{name}:"), _Worked(_quiet(derivation))]
        items.append(_BLANK)
    else:
        items += [_line((f"note: {note}", "note")) for note in _notes([d for _, d in named], show)]
    prefix = f"{_function_text(hessian.vars, show, HESSIAN)} = "
    rows = matrix_text(hessian.matrix, ascii)
    items += [_line(prefix if index == 0 else " " * len(prefix), (row, "result")) for index, row in enumerate(rows)]
    return items + _verdict_lines(named, "second partial derivative", ascii)


def _evaluation_layout(evaluation: Evaluation, steps: bool, detail: str | None, ascii: bool, values) -> list:
    show = lambda expr: to_text(expr, ascii)  # noqa: E731
    at = f"      (at {point_text(evaluation.point, ascii)})" if evaluation.point else ""
    items: list = [_line(("read as:", "aside"), f" {show(evaluation.expr)}", (at, "aside"))]
    items += [_line((f"note: {warning}", "note")) for warning in evaluation.warnings]
    if evaluation.data is not None:
        items.append(_line(data_text(evaluation.data)))
    items.append(_Rows(_evaluation_rows(evaluation, detail, ascii)))
    for summed in evaluation.sums:
        items += [_BLANK, _line(f"{to_text(summed.sum, ascii)}, term by term:")]
        items += [_line(text) for text in _table_lines(summed, evaluation.data, ascii)]
    if evaluation.data is not None:
        checks = _check_words([evaluation.check], evaluation.data, "the value")
        items += [_line((_SYMBOLS[ascii][status] + words, status)) for status, words in checks]
    return items


def _evaluation_rows(evaluation: Evaluation, detail: str | None, ascii: bool) -> tuple:
    show = lambda expr: to_text(expr, ascii)  # noqa: E731
    rows = [("  ", evaluation.expr, (), "")]
    for line in evaluation.lines(detail):
        rows.append(("= ", line.after, line_marks(line), line_label(line, show, detail or evaluation.detail)))
    if evaluation.approximation is not None:
        rows.append(("~ " if ascii else "≈ ", evaluation.approximation, (), "numeric value"))
    return tuple(rows)


def _verdict_lines(named: Sequence[tuple[str, Derivation]], what: str, ascii: bool) -> list[_Line]:
    show = lambda expr: to_text(expr, ascii)  # noqa: E731
    return [_line((_SYMBOLS[ascii][status] + words, status)) for status, words in _checks(named, what, show)]


_LAYOUTS = {Gradient: _gradient_layout, Hessian: _hessian_layout, Evaluation: _evaluation_layout}


# -- text -------------------------------------------------------------------------------------------------------------
def _text(items: list, detail: str | None, ascii: bool) -> str:
    out: list[str] = []
    for item in items:
        match item:
            case _Line(pieces):
                out.append("".join(text for text, _ in pieces).rstrip())
            case _Worked(derivation):
                out.append(derivation_text(derivation, steps=True, ascii=ascii, detail=detail).rstrip("\n"))
            case _Rows(rows):
                printed = [(sign + to_text(expr, ascii), label) for sign, expr, _, label in rows]
                width = min(max(len(text) for text, _ in printed), MAX_LABEL_COLUMN)
                out += [f"{text.ljust(width)}    {label}".rstrip() if label else text for text, label in printed]
    return "\n".join(out) + "\n"


# -- terminal ---------------------------------------------------------------------------------------------------------
class _View:
    """The layout for rich: lines with the terminal's styles, derivations as DerivationView, rows as its table."""

    def __init__(self, items: list, detail: str | None, ascii: bool):
        self.items = items
        self.detail = detail
        self.ascii = ascii

    def __rich_console__(self, console, options):
        from rich.text import Text

        from .terminal import STYLES, DerivationView

        for item in self.items:
            match item:
                case _Line(pieces):
                    line = Text()
                    for text, style in pieces:
                        line.append(text, style=STYLES[style] if style else "")
                    line.rstrip()
                    yield line
                case _Worked(derivation):
                    yield DerivationView(derivation, steps=True, detail=self.detail, ascii=self.ascii)
                case _Rows(rows):
                    yield self._table(rows, options.max_width)

    def _table(self, rows, width: int):
        from rich.text import Text

        from .terminal import aligned_table, highlighted

        cells = [(Text(sign), highlighted(expr, marks, self.ascii), Text(label)) for sign, expr, marks, label in rows]
        return aligned_table(cells, width)


# -- LaTeX ------------------------------------------------------------------------------------------------------------
def _comments(expr: Expr, warnings: Sequence[str], more: Sequence[str] = ()) -> list[str]:
    return [f"read as: {to_text(expr)}", *(f"note: {text}" for text in [*warnings, *more])]


def _worked_rows(name: str, derivation: Derivation, detail: str | None) -> list[str]:
    """A derivation's rows under its name: ∂f/∂a = ∂/∂a (...) = ... with each rule, then its verdict."""
    rows = latex_rows(derivation, True, detail)
    rows[0] = f"{name} &= {rows[0].removeprefix('& ')}"
    verdict = verdict_latex(derivation)
    return rows + ([f"& {verdict}"] if verdict else [])


def _gradient_latex(gradient: Gradient, steps: bool, detail: str | None, values) -> tuple[list[str], list[str]]:
    rows = [f"{_function_latex(gradient.vars)} &= {to_latex(gradient.expr)}"]
    names = [to_latex(Deriv(FUNCTION, var)) for var in gradient.vars]
    if steps:
        for name, derivation in zip(names, gradient.components):
            rows += _worked_rows(name, derivation, detail)
    else:
        rows += [f"{name} &= {to_latex(d.result)}" for name, d in zip(names, gradient.components)]
    rows += _gradient_vector_rows(gradient, values)
    rows += _verdict_latex_rows(_named_partials(gradient, to_text), "partial derivative")
    if _has_data(values):
        at = _point_args(gradient.vars, values[0].point, to_text, point_text)
        for status, words in _check_words([e.check for e in values], values[0].data, f"the values at {at}"):
            rows.append(f"& {_LATEX_SYMBOLS[status]}{text_latex(('? ' if status == 'undecided' else '') + words)}")
    more = [] if steps else _notes(gradient.components, to_text)
    return _comments(gradient.expr, gradient.warnings, more), rows


def _gradient_vector_rows(gradient: Gradient, values) -> list[str]:
    """∇f(a, b) = (...), and with values each component at the point and ∇f there."""
    rows = [rf"\nabla {_function_latex(gradient.vars)} &= {vector_latex(gradient.vector)}"]
    if values is None:
        return rows
    point = values[0].point if values else {}
    at = _point_args(gradient.vars, point, to_latex, point_latex)
    if _has_data(values):
        rows.append(rf"&{text_latex(data_text(values[0].data))}")
        rows += [f"{to_latex(summed)} &= {to_latex(value)}" for summed, value in _statistics(values)]
    for var, evaluation in zip(gradient.vars, values):
        chain = " = ".join(to_latex(e) for e in _chain(evaluation))
        if evaluation.approximation is not None:
            chain += rf" \approx {to_latex(evaluation.approximation)}"
        rows.append(f"{to_latex(Deriv(FUNCTION, var))}{at} &= {chain}")
    rows.append(rf"\nabla f{at} &= {vector_latex([evaluation.value for evaluation in values])}")
    return rows


def _hessian_latex(hessian: Hessian, steps: bool, detail: str | None, values) -> tuple[list[str], list[str]]:
    rows = [f"{_function_latex(hessian.vars)} &= {to_latex(hessian.expr)}"]
    if steps:
        for first, row in zip(hessian.vars, hessian.entries):
            for second, derivation in zip(hessian.vars, row):
                rows += _worked_rows(_second_latex(first, second), derivation, detail)
    rows.append(f"{_function_latex(hessian.vars, HESSIAN)} &= {matrix_latex(hessian.matrix)}")
    rows += _verdict_latex_rows(_named_seconds(hessian, False), "second partial derivative")
    more = [] if steps else _notes([d for row in hessian.entries for d in row], to_text)
    return _comments(hessian.expr, hessian.warnings, more), rows


def _evaluation_latex(evaluation: Evaluation, steps: bool, detail: str | None, values) -> tuple[list[str], list[str]]:
    more = [data_text(evaluation.data)] if evaluation.data is not None else []
    rows = _evaluation_latex_rows(evaluation, detail, at=True) + _sums_latex_rows(evaluation)
    return _comments(evaluation.expr, evaluation.warnings, more), rows


def _sums_latex_rows(evaluation: Evaluation) -> list[str]:
    """Each sum over the data: its terms as an array (i, the columns, the term), then the sum written out."""
    rows = []
    for summed in evaluation.sums:
        index = summed.sum.index
        first = 1 + _first_row(summed)
        header = [index, *(to_latex(Var(name, index)) for name in summed.columns), to_latex(summed.sum.body)]
        lines = [" & ".join(header)]
        for offset, term in enumerate(summed.terms):
            row = first - 1 + offset
            cells = [
                f"{first + offset:,}".replace(",", "{,}"),
                *(to_latex(evaluation.data.value(name, row)) for name in summed.columns),
                to_latex(term),
            ]
            lines.append(" & ".join(cells))
        if summed.rows > len(summed.terms):
            lines.append(r"\vdots" + " &" * (len(header) - 1))
        spec = "r|" + "r" * len(summed.columns) + "|r"
        rows.append(
            rf"&\begin{{array}}{{{spec}}} " + lines[0] + r" \\ \hline " + r" \\ ".join(lines[1:]) + r" \end{array}"
        )
        written = (
            " + ".join(to_latex(term) for term in summed.terms) + " = " if 1 < summed.rows == len(summed.terms) else ""
        )
        rows.append(f"{to_latex(summed.sum)} &= {written}{to_latex(summed.value)}")
    return rows


def _evaluation_latex_rows(evaluation: Evaluation, detail: str | None, at: bool) -> list[str]:
    """& expr, then &= one row per line with the substituted values underlined, then &≈ the float when asked for."""
    note = rf" && \text{{at }}{point_latex(evaluation.point)}" if at and evaluation.point else ""
    rows = [f"& {to_latex(evaluation.expr)}{note}"]
    for line in evaluation.lines(detail):
        label = label_latex(line, detail or evaluation.detail)
        rows.append(
            f"&= {to_latex(line.after, marks=line_marks(line), mark_macro=MARK_MACRO)}"
            + (f" && {label}" if label else "")
        )
    if evaluation.approximation is not None:
        rows.append(rf"&\approx {to_latex(evaluation.approximation)} && \text{{numeric value}}")
    return rows


_LATEX = {Gradient: _gradient_latex, Hessian: _hessian_latex, Evaluation: _evaluation_latex}


# -- Markdown ---------------------------------------------------------------------------------------------------------
def _math_block(rows: list[str]) -> list[str]:
    # aligned, not align*: the form that works inside $$ in LaTeX, KaTeX and MathJax alike.
    return ["$$", r"\begin{aligned}", " \\\\\n".join(rows), r"\end{aligned}", "$$", ""]


def _note_lines(texts: Sequence[str]) -> list[str]:
    return [line for text in texts for line in (f"*Note:* {escape_markdown(text)}", "")]


def _verdict_markdown(named: Sequence[tuple[str, Derivation]], what: str) -> list[str]:
    return [
        line
        for status, words in _checks(named, what, to_text)
        for line in (escape_markdown(_SYMBOLS[False][status] + words), "")
    ]


def _worked_markdown(derivation: Derivation, detail: str | None) -> str:
    return derivation_markdown(_quiet(derivation), steps=True, detail=detail).rstrip("\n")


def _by(vars: Sequence[Var]) -> str:
    return ", ".join(f"${to_latex(var)}$" for var in vars)


def _gradient_markdown(gradient: Gradient, steps: bool, detail: str | None, values) -> str:
    out = [f"The gradient of ${to_latex(gradient.expr)}$ with respect to {_by(gradient.vars)}.", ""]
    out += _note_lines(gradient.warnings)
    rows = []
    if steps:
        for var, derivation in zip(gradient.vars, gradient.components):
            out += [f"**The partial derivative by ${to_latex(var)}$**", "", _worked_markdown(derivation, detail), ""]
    else:
        out += _note_lines(_notes(gradient.components, to_text))
        rows.append(f"{_function_latex(gradient.vars)} &= {to_latex(gradient.expr)}")
        rows += [
            f"{to_latex(Deriv(FUNCTION, var))} &= {to_latex(d.result)}"
            for var, d in zip(gradient.vars, gradient.components)
        ]
    out += _math_block(rows + _gradient_vector_rows(gradient, values))
    out += _verdict_markdown(_named_partials(gradient, to_text), "partial derivative")
    if _has_data(values):
        at = _point_args(gradient.vars, values[0].point, to_text, point_text)
        checks = _check_words([e.check for e in values], values[0].data, f"the values at {at}")
        out += [line for status, words in checks for line in (escape_markdown(_SYMBOLS[False][status] + words), "")]
    return "\n".join(out)


def _hessian_markdown(hessian: Hessian, steps: bool, detail: str | None, values) -> str:
    out = [
        f"The Hessian of ${to_latex(hessian.expr)}$ with respect to {_by(hessian.vars)}: the matrix of second partial derivatives.",
        "",
    ]
    out += _note_lines(hessian.warnings)
    rows = []
    if steps:
        for first, row in zip(hessian.vars, hessian.entries):
            for second, derivation in zip(hessian.vars, row):
                by = f"${to_latex(first)}$" + (" twice" if first == second else f", then by ${to_latex(second)}$")
                out += [f"**The second partial derivative by {by}**", "", _worked_markdown(derivation, detail), ""]
    else:
        out += _note_lines(_notes([d for row in hessian.entries for d in row], to_text))
        rows.append(f"{_function_latex(hessian.vars)} &= {to_latex(hessian.expr)}")
    rows.append(f"{_function_latex(hessian.vars, HESSIAN)} &= {matrix_latex(hessian.matrix)}")
    out += _math_block(rows)
    out += _verdict_markdown(_named_seconds(hessian, False), "second partial derivative")
    return "\n".join(out)


def _evaluation_markdown(evaluation: Evaluation, steps: bool, detail: str | None, values) -> str:
    at = f" at ${point_latex(evaluation.point)}$" if evaluation.point else ""
    out = [f"Evaluate ${to_latex(evaluation.expr)}${at}.", ""]
    out += _note_lines(evaluation.warnings)
    if evaluation.data is not None:
        out += [escape_markdown(data_text(evaluation.data)[0].upper() + data_text(evaluation.data)[1:]) + ".", ""]
    out += _math_block(_evaluation_latex_rows(evaluation, detail, at=False))
    for summed in evaluation.sums:
        out += _sum_markdown(summed, evaluation.data)
    if evaluation.data is not None:
        out += [
            line
            for status, words in _check_words([evaluation.check], evaluation.data, "the value")
            for line in (escape_markdown(_SYMBOLS[False][status] + words), "")
        ]
    return "\n".join(out)


def _sum_markdown(summed: DataSum, data: Data) -> list[str]:
    """The terms of one sum as a Markdown table, then the sum written out."""
    index = summed.sum.index
    first = 1 + _first_row(summed)
    header = [
        f"${index}$",
        *(f"${to_latex(Var(name, index))}$" for name in summed.columns),
        f"${to_latex(summed.sum.body)}$",
    ]
    out = [
        f"${to_latex(summed.sum)}$, term by term:",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---:|" * len(header),
    ]
    for offset, term in enumerate(summed.terms):
        row = first - 1 + offset
        cells = [
            f"{first + offset:,}",
            *(f"${to_latex(data.value(name, row))}$" for name in summed.columns),
            f"${to_latex(term)}$",
        ]
        out.append("| " + " | ".join(cells) + " |")
    if summed.rows > len(summed.terms):
        out.append("| ⋮ |" + " |" * (len(header) - 1))
    written = (
        " + ".join(to_latex(term) for term in summed.terms) + " = " if 1 < summed.rows == len(summed.terms) else ""
    )
    return out + ["", f"$${to_latex(summed.sum)} = {written}{to_latex(summed.value)}$$", ""]


_MARKDOWN = {Gradient: _gradient_markdown, Hessian: _hessian_markdown, Evaluation: _evaluation_markdown}


# -- JSON -------------------------------------------------------------------------------------------------------------
def _derivation_json(derivation: Derivation, value: Callable[[Expr], dict]) -> dict:
    """A component's result, its steps (the step objects of the diff document) and its verdict."""
    check = derivation.verification
    return {
        "result": value(derivation.result),
        "steps": [step_json(line, derivation.detail, value) for line in derivation.lines()],
        "verified": None if check is None else check.verified,
        "verified_by": None if check is None else check.method,
    }


def _evaluation_steps(evaluation: Evaluation, value: Callable[[Expr], dict]) -> list[dict]:
    return [step_json(line, evaluation.detail, value) for line in evaluation.lines()]


def _name(var: Var) -> str:
    return to_text(var, ascii=True)


def _warnings(warnings: Sequence[str], derivations: Sequence[Derivation]) -> list[str]:
    return [*warnings, *_notes(derivations, lambda expr: to_text(expr, ascii=True))]


def _gradient_json(gradient: Gradient, value: Callable[[Expr], dict], values) -> dict:
    evaluations = list(values) if values is not None else [None] * len(gradient.components)
    components = []
    for var, derivation, evaluation in zip(gradient.vars, gradient.components, evaluations):
        at = None
        if evaluation is not None:
            at = {
                "value": value(evaluation.value),
                "exact": value(evaluation.result),
                "steps": _evaluation_steps(evaluation, value),
            }
        components.append({"var": _name(var), **_derivation_json(derivation, value), "evaluation": at})
    document = {
        "schema": SCHEMA,
        "command": "grad",
        "input": gradient.input,
        "read_as": to_text(gradient.expr),
        "vars": [_name(var) for var in gradient.vars],
        "components": components,
        "at": point_json(values[0].point, value) if values else None,
        "value": [value(evaluation.value) for evaluation in values] if values is not None else None,
        "warnings": _warnings(gradient.warnings, gradient.components),
    }
    if _has_data(values):
        document["warnings"] += [warning for warning in values[0].warnings if warning not in document["warnings"]]
        document["data"] = data_json(values[0].data)
        document["statistics"] = [
            {"sum": value(summed), "value": value(result)} for summed, result in _statistics(values)
        ]
        document["checked"] = _checked_json([e.check for e in values])
    return document


def _checked_json(checks: Sequence[Verification | None]) -> bool | None:
    """True when every value agrees with the sums written out, False when one does not, null when unchecked."""
    if not checks or any(c is None or c.verified is None for c in checks):
        return None if not any(c is not None and c.verified is False for c in checks) else False
    return all(c.verified for c in checks)


def _hessian_json(hessian: Hessian, value: Callable[[Expr], dict], values) -> dict:
    return {
        "schema": SCHEMA,
        "command": "hessian",
        "input": hessian.input,
        "read_as": to_text(hessian.expr),
        "vars": [_name(var) for var in hessian.vars],
        "matrix": [[value(entry) for entry in row] for row in hessian.matrix],
        "entries": [
            [
                {"vars": [_name(first), _name(second)], **_derivation_json(d, value)}
                for second, d in zip(hessian.vars, row)
            ]
            for first, row in zip(hessian.vars, hessian.entries)
        ],
        "warnings": _warnings(hessian.warnings, [d for row in hessian.entries for d in row]),
    }


def _evaluation_json(evaluation: Evaluation, value: Callable[[Expr], dict], values) -> dict:
    return {
        "schema": SCHEMA,
        "command": "eval",
        "input": evaluation.input,
        "read_as": to_text(evaluation.expr),
        "at": point_json(evaluation.point, value),
        "value": value(evaluation.value),
        "exact": value(evaluation.result),
        "numeric": evaluation.approximation is not None,
        "steps": _evaluation_steps(evaluation, value),
        "warnings": list(evaluation.warnings),
    } | _evaluation_data_json(evaluation, value)


def _evaluation_data_json(evaluation: Evaluation, value: Callable[[Expr], dict]) -> dict:
    """With data: the data, each sum with its value and its first terms (the table), and the independent check."""
    if evaluation.data is None:
        return {}
    sums = [
        {"sum": value(s.sum), "value": value(s.value), "rows": s.rows, "terms": [value(term) for term in s.terms]}
        for s in evaluation.sums
    ]
    return {"data": data_json(evaluation.data), "sums": sums, "checked": _checked_json([evaluation.check])}


_JSON = {Gradient: _gradient_json, Hessian: _hessian_json, Evaluation: _evaluation_json}
