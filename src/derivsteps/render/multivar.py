"""Gradients, Hessians and evaluations at a point: their layouts (one Document for every format) and their JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from ..calculus.at_point import DataSum, Evaluation
from ..calculus.multivar import Gradient, Hessian
from ..core.derivation import Derivation, Verification, how_all
from ..core.tree import Deriv, Expr, Mul, Neg, Pow, Var, is_number, number, number_value, walk
from ..data.datasets import COUNT, Data
from ..language.mathlatex import to_latex
from ..language.mathtext import to_text
from ._blocks import point_json
from ._labels import label_spans, notes
from .derivation import MAX_LABEL_COLUMN, derivation_layout, derivation_rows, derivation_verdict, line_marks
from .document import (
    APPROX,
    EQUALS,
    STATUS_MARKS,
    Blank,
    Block,
    Comment,
    Display,
    Document,
    Formula,
    Heading,
    Math,
    Matrix,
    Nested,
    Note,
    Paragraph,
    Row,
    Rows,
    Spans,
    Symbol,
    Table,
    Vector,
    Verdict,
    Words,
    only,
)
from .jsondoc import SCHEMA, step_json, valuer
from .layouts import register
from .writers import write

# The name the output gives the expression, so the lines read like the lecture: f(a, b), ∂f/∂a, ∇f, H_f.
FUNCTION = Var("f")
HESSIAN = Var("H", "f")
NABLA = Symbol("∇", "grad ", r"\nabla ")

Result = Gradient | Hessian | Evaluation

# ≈ between an exact value and its decimal on one line (APPROX is the sign column's).
APPROX_BESIDE = Symbol(" ≈ ", " ~ ", r"\approx")

# A JSON document lists the data's values up to this many rows; a larger data set is named, counted and summarised.
JSON_DATA_ROWS = 1_000


# -- public entry points: one per format, each a layout and a writer -------------------------------------------------
def render_text(
    result: Result,
    steps: bool = False,
    detail: str | None = None,
    ascii: bool = False,
    values: Sequence[Evaluation] | None = None,
) -> str:
    """The result as lecture notes in plain text; steps: each partial derivative's derivation (an evaluation always
    shows its steps); values: a gradient's components at a point (evaluation.gradient_at)."""
    return write(layout(result, steps, detail, values), "text", ascii=ascii)


def render_latex(
    result: Result, steps: bool = False, detail: str | None = None, values: Sequence[Evaluation] | None = None
) -> str:
    """The result as one align* environment, matrices as pmatrix."""
    return write(layout(result, steps, detail, values), "latex")


def render_markdown(
    result: Result, steps: bool = False, detail: str | None = None, values: Sequence[Evaluation] | None = None
) -> str:
    """The question in words, the working in $$ (with each derivation in full under steps), the verdict."""
    return write(layout(result, steps, detail, values), "markdown")


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
    """A rich renderable of the result: the text layout with the terminal's styles."""
    return write(layout(result, steps, detail, values), "rich", ascii=ascii)


def print_rich(result: Result, **options) -> None:
    """Print the result to the terminal with rich (imported here: the other formats never load it)."""
    from .writers.terminal import print_document

    ascii = options.pop("ascii", False)
    print_document(layout(result, **options), ascii=ascii)


def layout(
    result: Result, steps: bool = False, detail: str | None = None, values: Sequence[Evaluation] | None = None
) -> Document:
    """The document of a Gradient (with its values at a point), a Hessian or an Evaluation."""
    _check_values(result, values)
    return _LAYOUTS[type(result)](result, steps, detail, values)


def _check_values(result: Result, values) -> None:
    if values is not None and not isinstance(result, Gradient):
        raise TypeError("values are the components of a gradient at a point; they go with a Gradient only")


# -- names in the lecture's notation ----------------------------------------------------------------------------------
def _args(args: Sequence[Expr]) -> tuple:
    """(a, b): the pieces of an argument list."""
    pieces: list = [Words("(")]
    for index, arg in enumerate(args):
        pieces += ([Words(", ")] if index else []) + [Math(arg)]
    return (*pieces, Words(")"))


def _call(name: Expr, args: Sequence[Expr]) -> Formula:
    """f(a, b): a name applied to arguments, as one formula."""
    return Formula((Math(name), *_args(args)))


def _nabla(args: tuple) -> Formula:
    """∇f(a, b) or ∇f(1, 2): args are the pieces of the argument list."""
    return Formula((NABLA, Math(FUNCTION), *args))


def _point_args(vars: Sequence[Var], point: Mapping[Var, Expr]) -> tuple:
    """(1, 2) when the point gives exactly the variables, in their order; else (a = 1, b = 2, c = 0)."""
    if set(point) == set(vars):
        return _args([point[v] for v in vars])
    pieces: list = [Words("(")]
    for index, (var, value) in enumerate(point.items()):
        pieces += ([Words(", ")] if index else []) + [Math(var), Words(" = "), Math(value)]
    return (*pieces, Words(")"))


def _point(point: Mapping[Var, Expr]) -> Formula:
    """a = 1, b = 2"""
    pieces: list = []
    for index, (var, value) in enumerate(point.items()):
        pieces += ([Words(", ")] if index else []) + [Math(var), Words(" = "), Math(value)]
    return Formula(tuple(pieces))


def _second(first: Var, second: Var) -> Symbol:
    """∂²f/∂a² or ∂²f/∂b∂a (by a first, then by b: the notation writes the first variable on the right)."""
    x, y = to_text(first), to_text(second)
    ax, ay = to_text(first, True), to_text(second, True)
    lx, ly = to_latex(first), to_latex(second)
    below = rf"\partial {lx}^{{2}}" if first == second else rf"\partial {ly}\, \partial {lx}"
    if first == second:
        return Symbol(f"∂²f/∂{x}²", f"d^2f/d{ax}^2", rf"\frac{{\partial^{{2}} f}}{{{below}}}")
    return Symbol(f"∂²f/∂{y}∂{x}", f"d^2f/d{ay} d{ax}", rf"\frac{{\partial^{{2}} f}}{{{below}}}")


def _quoted(expr: Expr) -> Symbol:
    """An expression quoted inside a sentence of words, in the text notation in every format (as the verdicts say it)."""
    return Symbol(to_text(expr), to_text(expr, ascii=True))


def _quiet(derivation: Derivation) -> Derivation:
    """The derivation without the parser's warnings: a gradient says them once, above its components."""
    d = derivation
    return Derivation(d.input, d.expr, d.wrt, d.start, d.steps, (), d.detail, d.verification, d.notes)


def _notes(derivations: Sequence[Derivation], show: Callable[[Expr], str] = to_text) -> list[str]:
    return list(dict.fromkeys(note for d in derivations for note in notes(d, show)))


def _note_blocks(derivations: Sequence[Derivation]) -> list[Block]:
    """The rules' caveats, each said once: in text notation, ASCII under --ascii."""
    unicode, ascii = _notes(derivations), _notes(derivations, lambda expr: to_text(expr, True))
    if unicode == ascii:
        return [Note((Words(note),)) for note in unicode]
    return [Note((Symbol(note, plain),)) for note, plain in zip(unicode, ascii)]


def _named_partials(gradient: Gradient) -> list[tuple[Symbol, Derivation]]:
    return [(_quoted(Deriv(FUNCTION, var)), d) for var, d in zip(gradient.vars, gradient.components)]


def _named_seconds(hessian: Hessian) -> list[tuple[Symbol, Derivation]]:
    named = []
    for first, row in zip(hessian.vars, hessian.entries):
        for second, d in zip(hessian.vars, row):
            symbol = _second(first, second)
            named.append((Symbol(symbol.text, symbol.ascii), d))  # in a sentence, as text in every format
    return named


# -- verdicts ---------------------------------------------------------------------------------------------------------
def _checks(named: Sequence[tuple[Symbol, Derivation]], what: str) -> list[Verdict]:
    """The verdict lines: one when all agree with SymPy, else one per derivative; [] unchecked."""
    checks = [(name, d.verification) for name, d in named if d.verification is not None]
    if not checks:
        return []
    if all(check.verified is True for _, check in checks):
        every = "each" if len(checks) > 1 else "the"
        said = f"verified: {every} {what} equals SymPy's ({how_all([c for _, c in checks])})"
        return [_verdict("verified", Words(said))]
    lines = []
    for name, check in checks:
        if check.verified is True:
            lines.append(
                _verdict(
                    "verified", Words("verified "), name, Words(f": equals SymPy's derivative ({how_all([check])})")
                )
            )
        elif check.verified is False:
            expected = (Words(": SymPy gives "), _quoted(check.expected)) if check.expected is not None else ()
            bug = "this is a bug in derivsteps, please report it"
            lines.append(
                _verdict(
                    "disagrees",
                    name,
                    Words(" disagrees with SymPy"),
                    *expected,
                    Words(f" ({check.reason}) - {bug}"),
                )
            )
        else:
            lines.append(_verdict("undecided", Words("could not verify "), name, Words(f" ({check.reason})")))
    return lines


def _verdict(status: str, *said) -> Verdict:
    return Verdict(status, tuple(said), STATUS_MARKS[status])


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


def _statistics(values: Sequence[Evaluation]) -> list[tuple[Expr, Expr, Expr | None]]:
    """(sum, value, its decimal) for every distinct sum the components needed, in order, and n = 3 last when a
    component uses n."""
    found: dict[Expr, tuple[Expr, Expr | None]] = {}
    for evaluation in values:
        for summed in evaluation.sums:
            found.setdefault(summed.sum, (summed.value, summed.decimal))
    data = next((e.data for e in values if e.data is not None), None)
    if (
        data is not None
        and any(node == COUNT for e in values for _, node in walk(e.expr))
        and not any(COUNT in e.point for e in values)
    ):
        found[COUNT] = (number(data.n), None)
    return [(total, value, decimal) for total, (value, decimal) in found.items()]


def _beside(decimal: Expr | None, style: str | None = None) -> list:
    """≈ 183.41 after an exact value that the result gives a short decimal for (a long fraction); else nothing."""
    return [] if decimal is None else [APPROX_BESIDE, Math(decimal, style=style)]


def _has_data(values) -> bool:
    return values is not None and any(e.data is not None for e in values)


def _first_row(summed: DataSum) -> int:
    """The 0-based row a sum's table starts at: its lower bound's, when it has one."""
    lower = summed.sum.lower
    return int(number_value(lower)) - 1 if lower is not None and is_number(lower) else 0


def _check_words(checks: Sequence[Verification | None], data: Data, where: Spans) -> list[Verdict]:
    """The check of values over data against the sums written out term by term; [] unchecked."""
    done = [c for c in checks if c is not None]
    if not done:
        return []
    points = "1 data point" if data.n == 1 else f"{data.n:,} data points"
    ending = "s" if len(done) == 1 else ""
    if all(c.verified is True for c in done):
        said = f" agree{ending} with the sums written out term by term over the {points}"
        return [_verdict("verified", Words("checked: "), *where, Words(said))]
    if any(c.verified is False for c in done):
        reasons = "; ".join(c.reason for c in done if c.verified is False)
        bug = "this is a bug in derivsteps, please report it"
        said = f" disagree{ending} with the sums written out term by term ({reasons}) - {bug}"
        return [_verdict("disagrees", *where, Words(said))]
    return [_verdict("undecided", Words("could not check "), *where, Words(f": {done[0].reason}"))]


def _values_at(gradient: Gradient, values: Sequence[Evaluation]) -> Spans:
    """the values at (1, 2): in the text notation in every format, as the verdicts say it."""
    at = _point_args(gradient.vars, values[0].point)
    unicode = "".join(p.text if isinstance(p, Words) else to_text(p.expr) for p in at)
    ascii = "".join(p.text if isinstance(p, Words) else to_text(p.expr, True) for p in at)
    return (Words("the values at "), Symbol(unicode, ascii))


# -- layouts ----------------------------------------------------------------------------------------------------------
def _heading_rows(result: Gradient | Hessian) -> Row:
    """f(a, b) = 3a^2 + b^2 - ab + a"""
    return Row((Math(result.expr),), EQUALS, (_call(FUNCTION, result.vars),))


def _worked(name: Spans, derivation: Derivation, detail: str | None) -> list[Block]:
    """A component's derivation: in LaTeX its rows under its name (∂f/∂a &= ∂/∂a (...) = ...) and its verdict."""
    rows = derivation_rows(derivation, True, detail)
    first = replace(rows.rows[0], lead=name, sign=EQUALS)
    verdict = derivation_verdict(derivation.verification)
    return [Rows((first, *rows.rows[1:]), rows.column), *([verdict] if verdict else [])]


def _gradient_layout(gradient: Gradient, steps: bool, detail: str | None, values) -> Document:
    named = _named_partials(gradient)
    rows_of_names = Rows(
        tuple(
            Row((Math(d.result, style="result"),), EQUALS, (Math(Deriv(FUNCTION, var)),))
            for var, d in zip(gradient.vars, gradient.components)
        )
    )
    vector_rows = _gradient_vector_rows(gradient, values)
    blocks: list[Block] = [
        Comment((Words("read as: "), Math(gradient.expr))),
        only("markdown", Paragraph(_question("The gradient of ", gradient, "."))),
        only(("text", "latex"), Rows((_heading_rows(gradient),))),
        *(Note((Words(warning),)) for warning in gradient.warnings),
    ]
    if steps:
        for (name, derivation), var in zip(named, gradient.vars):
            blocks.append(
                only(
                    "text",
                    Blank(),
                    Paragraph((name, Words(":"))),
                    Nested(derivation_layout(_quiet(derivation), True, detail)),
                )
            )
            blocks.append(only("latex", *_worked((Math(Deriv(FUNCTION, var)),), derivation, detail)))
            blocks.append(
                only(
                    "markdown",
                    Heading((Words("The partial derivative by "), Math(var))),
                    Nested(derivation_layout(_quiet(derivation), True, detail)),
                )
            )
        blocks.append(only("text", Blank()))
        blocks.append(only("markdown", Display(tuple(vector_rows))))
    else:
        blocks += [only(("text", "latex"), rows_of_names), *_note_blocks(gradient.components)]
        blocks.append(only("markdown", Display((Rows((_heading_rows(gradient),)), rows_of_names, *vector_rows))))
    blocks.append(only(("text", "latex"), *vector_rows))
    blocks += _checks(named, "partial derivative")
    if _has_data(values):
        blocks += _check_words([e.check for e in values], values[0].data, _values_at(gradient, values))
    return Document(tuple(blocks))


def _question(opening: str, result: Gradient | Hessian, closing: str) -> Spans:
    """The gradient of $f$ with respect to $a$, $b$."""
    by: list = []
    for index, var in enumerate(result.vars):
        by += ([Words(", ")] if index else []) + [Math(var)]
    return (Words(opening), Math(result.expr), Words(" with respect to "), *by, Words(closing))


def _gradient_vector_rows(gradient: Gradient, values) -> list[Block]:
    """∇f(a, b) = (...), and with values each component at the point and ∇f there."""
    blocks: list[Block] = [Rows((Row((Vector(gradient.vector, "result"),), EQUALS, (_nabla(_args(gradient.vars)),)),))]
    if values is None:
        return blocks
    point = values[0].point if values else {}
    at = _point_args(gradient.vars, point)
    if _has_data(values):
        blocks.append(Paragraph((Words(data_text(values[0].data)),)))
        blocks.append(only("text", *(Note((Words(warning),)) for warning in values[0].warnings)))
        statistics = [
            Row((Math(value, style="result"), *_beside(decimal)), EQUALS, (Math(summed),))
            for summed, value, decimal in _statistics(values)
        ]
        if statistics:
            blocks.append(Rows(tuple(statistics), indent=2))
    rows = []
    for var, evaluation in zip(gradient.vars, values):
        chain = _chain(evaluation)
        body: list = []
        for index, expr in enumerate(chain):
            last = index == len(chain) - 1
            body += ([Words(" = ")] if index else []) + [Math(expr, style="result" if last else None)]
        if evaluation.approximation is not None:
            body += [APPROX_BESIDE, Math(evaluation.approximation, style="result")]
        body += _beside(evaluation.decimal, "result")
        rows.append(Row(tuple(body), EQUALS, (Formula((Math(Deriv(FUNCTION, var)), *at)),)))
    vector: list = [Vector(tuple(e.value for e in values), "result")]
    if any(e.decimal is not None for e in values):  # ≈ (183.41, 2): each long fraction by its decimal
        vector += [APPROX_BESIDE, Vector(tuple(e.value if e.decimal is None else e.decimal for e in values))]
    rows.append(Row(tuple(vector), EQUALS, (_nabla(at),)))
    blocks.append(Rows(tuple(rows)))
    return blocks


def _chain(evaluation: Evaluation) -> list[Expr]:
    """The expressions of an evaluation in order: after the substitution, after each arithmetic line."""
    return [line.after for line in evaluation.lines()] or [evaluation.expr]


def _hessian_layout(hessian: Hessian, steps: bool, detail: str | None, values) -> Document:
    named = _named_seconds(hessian)
    matrix = Rows((Row((Matrix(hessian.matrix, "result"),), EQUALS, (_call(HESSIAN, hessian.vars),)),))
    closing = ": the matrix of second partial derivatives."
    blocks: list[Block] = [
        Comment((Words("read as: "), Math(hessian.expr))),
        only("markdown", Paragraph(_question("The Hessian of ", hessian, closing))),
        only(("text", "latex"), Rows((_heading_rows(hessian),))),
        *(Note((Words(warning),)) for warning in hessian.warnings),
    ]
    if steps:
        for first, row in zip(hessian.vars, hessian.entries):
            for second, derivation in zip(hessian.vars, row):
                worked = derivation_layout(_quiet(derivation), True, detail)
                symbol = _second(first, second)
                blocks.append(only("text", Blank(), Paragraph((symbol, Words(":"))), Nested(worked)))
                blocks.append(only("latex", *_worked((symbol,), derivation, detail)))
                by = (Words(" twice"),) if first == second else (Words(", then by "), Math(second))
                heading = Heading((Words("The second partial derivative by "), Math(first), *by))
                blocks.append(only("markdown", heading, Nested(worked)))
        blocks.append(only("text", Blank()))
        blocks.append(only("markdown", Display((matrix,))))
    else:
        blocks += _note_blocks([d for row in hessian.entries for d in row])
        blocks.append(only("markdown", Display((Rows((_heading_rows(hessian),)), matrix))))
    blocks.append(only(("text", "latex"), matrix))
    blocks += _checks(named, "second partial derivative")
    return Document(tuple(blocks))


def _evaluation_layout(evaluation: Evaluation, steps: bool, detail: str | None, values) -> Document:
    point = _point(evaluation.point) if evaluation.point else None
    read_as: list = [Words("read as:", "aside"), Words(" "), Math(evaluation.expr)]
    if point is not None:
        read_as += [Words("      (at ", "aside"), replace(point, style="aside"), Words(")", "aside")]
    question: list = [Words("Evaluate "), Math(evaluation.expr)]
    if point is not None:
        question += [Words(" at "), point]
    blocks: list[Block] = [
        only("text", Paragraph(tuple(read_as))),
        Comment((Words("read as: "), Math(evaluation.expr))),
        only("markdown", Paragraph((*question, Words(".")))),
        *(Note((Words(warning),)) for warning in evaluation.warnings),
    ]
    data = evaluation.data
    if data is not None:
        said = data_text(data)
        blocks.append(only("text", Paragraph((Words(said),))))
        blocks.append(only("latex", Note((Words(said),))))
        blocks.append(only("markdown", Paragraph((Words(said[0].upper() + said[1:] + "."),))))
    blocks.append(only("text", _evaluation_rows(evaluation, detail, None)))
    blocks.append(only("latex", _evaluation_rows(evaluation, detail, point)))
    blocks.append(only("markdown", Display((_evaluation_rows(evaluation, detail, None),))))
    for summed in evaluation.sums:
        blocks += _sum_blocks(summed, data)
    if data is not None:
        blocks.append(only(("text", "markdown"), *_check_words([evaluation.check], data, (Words("the value"),))))
    return Document(tuple(blocks))


def _evaluation_rows(evaluation: Evaluation, detail: str | None, at: Formula | None) -> Rows:
    """expr (at the point, in LaTeX), then = one row per line with the substituted values marked, then ≈ the float."""
    rows = [Row((Math(evaluation.expr),), None, (), (Words("at "), at) if at is not None else ())]
    for line in evaluation.lines(detail):
        label = label_spans(line, detail=detail or evaluation.detail)
        rows.append(Row((Math(line.after, line_marks(line)),), EQUALS, (), label))
    if evaluation.decimal is not None:  # beside the exact result, on its line: 5191750800981/28306668800 ≈ 183.41
        rows[-1] = replace(rows[-1], body=(*rows[-1].body, *_beside(evaluation.decimal)))
    if evaluation.approximation is not None:
        rows.append(Row((Math(evaluation.approximation),), APPROX, (), (Words("numeric value"),)))
    return Rows(tuple(rows), MAX_LABEL_COLUMN)


def _sum_blocks(summed: DataSum, data: Data) -> list[Block]:
    """A sum's terms as a table (i, the columns it reads, the term), then the sum written out and its value."""
    index = summed.sum.index
    first = 1 + _first_row(summed)
    header = ((Math(Var(index)),), *((Math(Var(name, index)),) for name in summed.columns), (Math(summed.sum.body),))
    rows = []
    for offset, term in enumerate(summed.terms):
        row = first - 1 + offset
        count = f"{first + offset:,}"
        cells = [(Symbol(count, latex=count.replace(",", "{,}")),)]
        cells += [(Math(data.value(name, row)),) for name in summed.columns]
        rows.append((*cells, (Math(term),)))
    more = summed.rows - len(summed.terms)
    left_out = (Words(f"({more:,} more data point{'s' if more > 1 else ''})"),) if more > 0 else ()
    written: list = []
    if 1 < summed.rows == len(summed.terms):
        for k, term in enumerate(summed.terms):
            written += ([Words(" + ")] if k else []) + [Math(term)]
        written.append(Words(" = "))
    total = Rows(
        (Row((*written, Math(summed.value), *_beside(summed.decimal)), EQUALS, (Math(summed.sum),)),), indent=2
    )
    return [
        only("text", Blank()),
        only(("text", "markdown"), Paragraph((Math(summed.sum), Words(", term by term:")))),
        Table(header, tuple(rows), left_out),
        Display((total,), aligned=False),
    ]


_LAYOUTS = {Gradient: _gradient_layout, Hessian: _hessian_layout, Evaluation: _evaluation_layout}
register(Gradient, Hessian, Evaluation, layout=layout, json=to_json)


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
                **_approx_json(evaluation.decimal),
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
            {"sum": value(summed), "value": value(result), **_approx_json(decimal)}
            for summed, result, decimal in _statistics(values)
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
        **_approx_json(evaluation.decimal),
        "numeric": evaluation.approximation is not None,
        "steps": _evaluation_steps(evaluation, value),
        "warnings": list(evaluation.warnings),
    } | _evaluation_data_json(evaluation, value)


def _evaluation_data_json(evaluation: Evaluation, value: Callable[[Expr], dict]) -> dict:
    """With data: the data, each sum with its value and its first terms (the table), and the independent check."""
    if evaluation.data is None:
        return {}
    sums = [
        {
            "sum": value(s.sum),
            "value": value(s.value),
            **_approx_json(s.decimal),
            "rows": s.rows,
            "terms": [value(term) for term in s.terms],
        }
        for s in evaluation.sums
    ]
    return {"data": data_json(evaluation.data), "sums": sums, "checked": _checked_json([evaluation.check])}


def _approx_json(decimal: Expr | None) -> dict:
    """{"approx": "183.41"} beside an exact value that has a short decimal (an optional key, absent otherwise)."""
    return {} if decimal is None else {"approx": approx_text(decimal)}


def approx_text(decimal: Expr) -> str:
    """A short decimal (at_point.decimal_beside) as the JSON documents write it, in the notation float() reads:
    "183.41", and m · 10^k as "1.4286e29"."""
    sign, magnitude = ("-", decimal.arg) if isinstance(decimal, Neg) else ("", decimal)
    if isinstance(magnitude, Mul) and len(magnitude.factors) == 2 and isinstance(magnitude.factors[1], Pow):
        mantissa, power = magnitude.factors[0], magnitude.factors[1].exp
        return f"{sign}{to_text(mantissa)}e{to_text(power).strip('()')}"
    return to_text(decimal, ascii=True)


_JSON = {Gradient: _gradient_json, Hessian: _hessian_json, Evaluation: _evaluation_json}
