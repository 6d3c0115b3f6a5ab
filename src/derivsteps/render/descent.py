"""A gradient descent laid out as a Document (text, LaTeX, Markdown, the terminal), as JSON, and as a plot of f."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from ..calculus.descent import Descent, Iteration
from ..core.derivation import Verification, how_all
from ..core.tree import Expr, Var
from ..language.mathlatex import to_latex
from ..language.mathtext import to_text
from ._blocks import point_json
from .document import (
    CHECK,
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
    Note,
    Paragraph,
    Row,
    Rows,
    Spans,
    Strong,
    Symbol,
    Table,
    Vector,
    Verdict,
    Words,
    only,
)
from .jsondoc import SCHEMA, valuer
from .layouts import register
from .multivar import data_json, data_text
from .writers import write
from .writers.latex import rows_of

# Long runs: the work of every iteration is shown up to SHOW_ALL_WORK iterations, else the first WORK_HEAD and the
# last WORK_TAIL; the table likewise keeps TABLE_HEAD and TABLE_TAIL rows of a longer run. JSON always has them all.
SHOW_ALL_WORK = 10
WORK_HEAD, WORK_TAIL = 3, 1
SHOW_ALL_ROWS = 50
TABLE_HEAD, TABLE_TAIL = 20, 20

_T = TypeVar("_T")

# The notation of the update rule, spelled for text, ASCII and LaTeX.
ARROW = Symbol("←", "<-", r"\leftarrow")
ETA = Symbol("η", "eta", r"\eta")
THETA = Symbol("θ", "theta", r"\theta")
F = Symbol("f", "f", "f")
# η times the gradient: a thin space before f' in LaTeX; brackets that grow with θ; the list separator of LaTeX.
ETA_BY = Symbol("η", "eta * ", r"\eta\, ")
ETA_TIMES = Symbol("η", "eta * ", r"\eta ")
OPEN, CLOSE = Symbol("(", latex=r"\left("), Symbol(")", latex=r"\right)")
LIST = Symbol(", ", latex=r",\ ")
# The sign before one partial derivative's verdict, when they are not all verified.
_MARKS = {
    True: Symbol("✓ ", "OK ", r"\checkmark\ "),
    False: Symbol("✗ ", "WRONG ", r"\times\ "),
}
_STATUS = {True: "verified", False: "disagrees", None: "undecided"}


# -- public entry points: layout, then a writer ------------------------------------------------------------------------
def render_text(descent: Descent, ascii: bool = False) -> str:
    """The descent as plain text: f and its gradient, the work of each iteration, the table, the result, the check."""
    return write(layout(descent), "text", ascii=ascii)


def render_latex(descent: Descent) -> str:
    """The descent as one align* block; how the input was read and the notes are TeX comments inside it."""
    return write(layout(descent), "latex")


def render_markdown(descent: Descent) -> str:
    """The question, the work in $$ (aligned), the table as a Markdown table, the result and the check."""
    return write(layout(descent), "markdown")


def latex_rows(descent: Descent) -> list[str]:
    """The rows of the alignment for f, its gradient, the start and each iteration's work (Markdown's display math)."""
    return list(rows_of(Document((_worked(descent),))))


class DescentView:
    """A rich renderable of a Descent: `Console().print(DescentView(descent))`."""

    def __init__(self, descent: Descent, ascii: bool = False):
        self.descent = descent
        self.ascii = ascii

    def __rich__(self):
        return write(layout(self.descent), "rich", ascii=self.ascii)


def print_rich(descent: Descent, ascii: bool = False) -> None:
    """Print the view to the terminal (the command's rich format), so the command itself never imports rich."""
    from .live import print_view

    print_view(DescentView(descent, ascii=ascii))


# -- the layout -----------------------------------------------------------------------------------------------------------
def layout(descent: Descent) -> Document:
    """The descent as a Document: the question (Markdown), f and its gradient, the start and the update rule, the work
    of each iteration (elided for a long run), why it stopped, the table of points, the result and the check."""
    blocks: list[Block] = [
        Comment((Words("read as: "), Math(descent.expr))),
        only("markdown", Paragraph(_question(descent))),
        only("text", Paragraph((*_f(descent.vars), Words(" = "), Math(descent.expr)), style="heading")),
        *(Note((Words(warning),)) for warning in descent.warnings),
        _worked(descent),
    ]
    if descent.stop is not None:
        said = f"stopped: {descent.stop.message}"
        blocks += [
            only("text", Blank()),
            only(("text", "latex"), Paragraph((Words(said),), style="stopped")),
            only("markdown", Paragraph((Strong("Stopped:"), Words(f" {descent.stop.message}")))),
        ]
    if descent.requested > 1 and descent.iterations:
        blocks += [only("text", Blank()), _table(descent)]
    blocks += [only("text", Blank()), *_result(descent), *_verdicts(descent)]
    return Document(tuple(blocks))


def _f(values: Sequence[Expr], name: Symbol = F) -> Spans:
    """f(a, b): a name and its arguments."""
    return (name, Vector(tuple(values)))


def _grad(descent: Descent) -> Symbol:
    if len(descent.vars) == 1:
        return Symbol("f′", "f'", "f'")
    return Symbol("∇f", "grad f", r"\nabla f")


def _point(point: Mapping[Var, Expr]) -> tuple:
    """a = 1, b = 2 as the pieces of a formula."""
    pieces: list = []
    for var, value in point.items():
        pieces += [Words(", ")] if pieces else []
        pieces += [Math(var), Words(" = "), Math(value)]
    return tuple(pieces)


def _chain(first: Expr | tuple[Expr, ...], second: Expr | tuple[Expr, ...]) -> tuple:
    """first = second, or first alone when the two print alike (a value that was already worked out)."""
    shown = lambda v: tuple(to_text(e) for e in v) if isinstance(v, tuple) else to_text(v)  # noqa: E731
    piece = lambda v: Vector(v) if isinstance(v, tuple) else Math(v)  # noqa: E731
    return (piece(first),) if shown(first) == shown(second) else (piece(first), Words(" = "), piece(second))


def _gradient_value(descent: Descent, values: Sequence[Expr]) -> Vector | Math:
    return Math(values[0]) if len(descent.vars) == 1 else Vector(tuple(values))


def _worked(descent: Descent) -> Display:
    """f and its gradient, the start, the update rule and the work of the iterations: display math in Markdown."""
    grad, args = _grad(descent), Vector(descent.vars)
    lr = (ETA, Words(" = "), Math(descent.lr))
    blocks: list[Block] = [
        only(("latex", "markdown"), Rows((Row((Math(descent.expr),), EQUALS, (Formula(_f(descent.vars)),)),))),
        Rows((Row((_gradient_value(descent, descent.gradient.vector),), EQUALS, (Formula((grad, args)),)),)),
    ]
    if descent.fixed:
        blocks.append(Paragraph((Words("held fixed: "), Formula(_point(descent.fixed)))))
    start_f = (Symbol(", where f = ", latex=r",\ f = "), Math(descent.start_f))
    blocks += [
        only("text", Paragraph((Words("start: "), Formula(_point(descent.start)), *start_f))),
        only(("latex", "markdown"), Paragraph((Words("start: "), Formula((*_point(descent.start), *start_f))))),
    ]
    if len(descent.vars) == 1:
        x = Math(descent.vars[0])
        rule = (x, Words(" "), ARROW, Words(" "), x, Words(" - "), ETA_BY, grad, Vector((descent.vars[0],)))
        blocks += [
            only("text", Paragraph((Words("step: "), *rule, Words(" with learning rate "), *lr))),
            only(("latex", "markdown"), Paragraph((Words("step: "), Formula((*rule, LIST, *lr))))),
        ]
    else:
        theta = (THETA, Words(" "), ARROW, Words(" "), THETA, Words(" - "), ETA_TIMES, grad, OPEN, THETA, CLOSE)
        blocks += [
            only("text", Paragraph((Words("step: "), *theta, Words(" with "), THETA, Words(" = "), args,
                                    Words(" and learning rate "), *lr))),
            only(("latex", "markdown"), Paragraph((Words("step: "), Formula((*theta, LIST, THETA, Words(" = "), args,
                                                                            LIST, *lr))))),
        ]  # fmt: skip
    if descent.data is not None:
        blocks.append(Paragraph((Words(data_text(descent.data)),)))
    if descent.numeric:
        blocks += [
            only("text", Paragraph((Words("arithmetic: floating point (--numeric)"),))),
            only(("latex", "markdown"), Paragraph((Words("arithmetic: floating point"),))),
        ]
    shown = _elide(descent.iterations, SHOW_ALL_WORK, WORK_HEAD, WORK_TAIL)
    for iteration in shown:
        blocks.append(Blank())
        if iteration is None:
            gap = _gap_words(shown)
            blocks += [
                only("text", Paragraph((Words(f"... ({gap})"),), style="aside")),
                only(("latex", "markdown"), Paragraph((Symbol("⋮", "...", r"\vdots\quad"), Words(gap)))),
            ]
            continue
        blocks += [
            only("text", Heading((Words(f"iteration {iteration.index:,}"),))),
            only(("latex", "markdown"), Paragraph((Words(f"iteration {iteration.index:,}"),))),
            _work(descent, iteration, grad),
        ]
    return Display(tuple(blocks))


def _work(descent: Descent, iteration: Iteration, grad: Symbol) -> Rows:
    """One iteration: the gradient at the point, each variable's update, f at the new point."""
    at = Formula((grad, Vector(tuple(iteration.point.values()))))
    if len(descent.vars) == 1:
        gradient = _chain(iteration.gradient_at[0], iteration.gradient[0])
    else:
        gradient = _chain(tuple(iteration.gradient_at), tuple(iteration.gradient))
    rows = [Row(gradient, EQUALS, (at,))]
    for var, update in zip(descent.vars, iteration.updates):
        rows.append(Row((Math(update), Words(" = "), Math(iteration.next[var])), ARROW, (Math(var),)))
    f_at = Formula(_f(tuple(iteration.next.values())))
    rows.append(Row(_chain(iteration.f_at, iteration.f), EQUALS, (f_at,)))
    return Rows(tuple(rows), indent=2)


def _table(descent: Descent) -> Table:
    """(iteration, point, f) from the start (iteration 0) on, elided for a long run."""
    header = ((Words("iteration"),), *((Math(v),) for v in descent.vars), (Math(Var("f")),))
    rows: list[tuple[Spans, ...] | None] = []
    start = [(0, descent.start, descent.start_f)]
    for row in _elide(
        start + [(it.index, it.next, it.f) for it in descent.iterations], SHOW_ALL_ROWS, TABLE_HEAD, TABLE_TAIL
    ):
        if row is None:
            rows.append(None)
            continue
        index, point, f = row
        # {,} keeps LaTeX from spacing the thousands separator of 1,000 as a list comma.
        number = Symbol(f"{index:,}", latex=f"{index:,}".replace(",", "{,}"))
        rows.append(((number,), *((Math(point[v]),) for v in descent.vars), (Math(f),)))
    return Table(header, tuple(rows), align="r" + "l" * (len(header) - 1), indent=0)


def _result(descent: Descent) -> list[Block]:
    """after 3 iterations: a = 0.149, b = 1.155, f = 1.377533"""
    done = _plural(len(descent.iterations), "iteration")
    final = _point(descent.final)
    f = (Words(", f = "), Math(descent.final_f))
    return [
        only("text", Paragraph((Words(f"after {done}: "), *final, *f), style="result")),
        only("latex", Paragraph((Words(f"after {done}: "), Formula((*final, LIST, F, Words(" = "), Math(descent.final_f)))))),
        only("markdown", Paragraph((Words(f"After {done}: "), Formula(final), Words(", "),
                                    Formula((F, Words(" = "), Math(descent.final_f))), Words(".")))),
    ]  # fmt: skip


def _verdicts(descent: Descent) -> list[Block]:
    """One line when every partial derivative is verified; else a line for each one that was checked."""
    checks = descent.verifications
    if checks and all(c is not None and c.verified is True for c in checks):
        what = "the derivative equals SymPy's" if len(checks) == 1 else "every partial derivative equals SymPy's"
        return [Verdict("verified", (Words(f"verified: {what} ({how_all(checks)})"),), CHECK)]
    out: list[Block] = []
    for var, derivation in zip(descent.vars, descent.gradient.components):
        check = derivation.verification
        if check is None:
            continue
        partial = Symbol(
            f"∂f/∂{to_text(var)}", f"df/d{to_text(var, ascii=True)}", rf"\partial f/\partial {to_latex(var)}"
        )
        mark = (_MARKS[check.verified],) if check.verified is not None else ()
        head = Formula((partial, Symbol(": ", latex=r"\colon\ "), *mark))
        out.append(Verdict(_STATUS[check.verified], (head, *_check_words(check))))
    return out


def _check_words(check: Verification) -> Spans:
    """What one partial derivative's check said: verified (how), disagrees (SymPy's answer), could not verify (why)."""
    if check.verified is True:
        if check.method == "evaluator":
            return (Words(f"verified: equals a numerical derivative at random points ({check.reason})"),)
        return (Words(f"verified: equals SymPy's derivative ({check.how})"),)
    if check.verified is False:
        expected = (Words(": SymPy gives "), Math(check.expected)) if check.expected is not None else ()
        return (
            Words("disagrees with SymPy"),
            *expected,
            Words(f" ({check.reason}) - this is a bug in derivsteps, please report it"),
        )
    return (Words(f"? could not verify ({check.reason})"),)


def _question(descent: Descent) -> Spans:
    """Gradient descent on f(a, b) = ... from a = 1, b = 2 with learning rate η = 0.1, 3 iterations."""
    spans: list = [
        Words("Gradient descent on "),
        Formula((*_f(descent.vars), Words(" = "), Math(descent.expr))),
        Words(" from "),
        Formula(_point(descent.start)),
        Words(" with learning rate "),
        Formula((ETA, Words(" = "), Math(descent.lr))),
        Words(f", {_plural(descent.requested, 'iteration')}"),
    ]
    typed = descent.input
    if typed is not None and typed.strip() != to_text(descent.expr):
        spans += [Words(" (typed as "), Code(typed.strip()), Words(")")]
    if descent.numeric:
        spans.append(Words(", in floating point"))
    return (*spans, Words("."))


def _elide(items: Sequence[_T], show_all: int, head: int, tail: int) -> list[_T | None]:
    """items, or the first `head` and last `tail` of them with None where the rest was left out."""
    if len(items) <= show_all:
        return list(items)
    return [*items[:head], None, *items[-tail:]]


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _gap_words(shown: Sequence[Iteration | None]) -> str:
    """'iterations 4 to 9 are in the table', for the None in an elided list of iterations."""
    at = shown.index(None)
    return f"iterations {shown[at - 1].index + 1:,} to {shown[at + 1].index - 1:,} are in the table"


def _verified_json(descent: Descent) -> bool | None:
    checks = descent.verifications
    if any(c is not None and c.verified is False for c in checks):
        return False
    if checks and all(c is not None and c.verified is True for c in checks):
        return True
    return None


# -- JSON ---------------------------------------------------------------------------------------------------------------------
def to_json(descent: Descent, with_sympy: bool = True) -> dict:
    """The descent as the JSON document of schema 1: every value {"text", "latex", "sympy"}, every point by name.

    Each iteration's "f" is the value of f at its "next" point (after the step); "start_f" is f at the start.
    "stopped" is null, or says why the run ended before the iterations asked for (reason, message, iterations done).
    with_sympy=False writes "sympy": null, so nothing imports SymPy (--no-verify).
    """
    value = valuer(with_sympy)
    stop = descent.stop
    return {
        "schema": SCHEMA,
        "command": "descend",
        "input": descent.input,
        "read_as": to_text(descent.expr),
        "vars": [to_text(var, ascii=True) for var in descent.vars],
        "lr": value(descent.lr),
        "numeric": descent.numeric,
        "components": [
            {
                "var": to_text(var, ascii=True),
                "result": value(d.result),
                "verified": None if d.verification is None else d.verification.verified,
            }
            for var, d in zip(descent.vars, descent.gradient.components)
        ],
        "fixed": point_json(descent.fixed, value),
        "start": point_json(descent.start, value),
        "start_f": value(descent.start_f),
        "iterations": [
            {
                "point": point_json(it.point, value),
                "gradient": [value(g) for g in it.gradient],
                "next": point_json(it.next, value),
                "f": value(it.f),
            }
            for it in descent.iterations
        ],
        "final": point_json(descent.final, value),
        "requested": descent.requested,
        "stopped": None if stop is None else {"reason": stop.reason, "message": stop.message, "after": stop.after},
        "verified": _verified_json(descent),
        "warnings": list(descent.warnings),
    } | ({"data": data_json(descent.data)} if descent.data is not None else {})


# -- the plot ---------------------------------------------------------------------------------------------------------------
# Values spread over more than this factor are drawn on a log scale, so the first iterations do not flatten the rest.
LOG_SCALE_SPREAD = 1e3


def write_plot(descent: Descent, path: str) -> None:
    """Draw f along the iterations (0 is the start) into an image file; matplotlib picks the format from the name."""
    # Imported here: matplotlib is an optional extra (derivsteps[plot]); the Figure API needs no GUI backend.
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    values = [descent.start_f_float] + [it.f_float for it in descent.iterations]
    figure = Figure(figsize=(6.4, 4.0), layout="tight")
    axes = figure.add_subplot()
    axes.plot(range(len(values)), values, marker="o" if len(values) <= SHOW_ALL_ROWS else None)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("iteration")
    names = ", ".join(to_text(v) for v in descent.vars)
    axes.set_ylabel(f"f({names})")
    shown = to_text(descent.expr)
    title = shown if len(shown) <= 60 else shown[:57] + "..."
    axes.set_title(f"gradient descent on f = {title},  η = {to_text(descent.lr)}")
    finite = [v for v in values if v == v and abs(v) != float("inf")]
    if finite and min(finite) > 0 and max(finite) / min(finite) > LOG_SCALE_SPREAD:
        axes.set_yscale("log")
    figure.savefig(path)


register(Descent, layout=layout, view=DescentView, json=to_json)
