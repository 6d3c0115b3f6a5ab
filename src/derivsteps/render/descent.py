"""A gradient descent in every output format: text, LaTeX, Markdown, JSON, the terminal, and a plot of f."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TypeVar

from ..calculus.descent import Descent, Iteration
from ..core.tree import Expr, Var
from ..language.mathlatex import to_latex
from ..language.mathtext import to_text
from ._blocks import point_json, point_latex, point_text, vector_latex, vector_text
from .jsondoc import SCHEMA, valuer
from .latex import tex_comment, text_latex, verdict_latex
from .markdown import escape_markdown
from .multivar import data_json, data_text
from .text import verdict_text

# Long runs: the work of every iteration is shown up to SHOW_ALL_WORK iterations, else the first WORK_HEAD and the
# last WORK_TAIL; the table likewise keeps TABLE_HEAD and TABLE_TAIL rows of a longer run. JSON always has them all.
SHOW_ALL_WORK = 10
WORK_HEAD, WORK_TAIL = 3, 1
SHOW_ALL_ROWS = 50
TABLE_HEAD, TABLE_TAIL = 20, 20

# Characters that Markdown (or a notebook's math typesetting, for $) would read as syntax in running text.

_T = TypeVar("_T")


# -- what every format says ----------------------------------------------------------------------------------------------
def _elide(items: Sequence[_T], show_all: int, head: int, tail: int) -> list[_T | None]:
    """items, or the first `head` and last `tail` of them with None where the rest was left out."""
    if len(items) <= show_all:
        return list(items)
    return [*items[:head], None, *items[-tail:]]


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _rows(descent: Descent) -> list[tuple[int, Mapping[Var, Expr], Expr] | None]:
    """The table: (iteration, point, f) from the start (iteration 0) on, elided for a long run."""
    rows = [(0, descent.start, descent.start_f)] + [(it.index, it.next, it.f) for it in descent.iterations]
    return _elide(rows, SHOW_ALL_ROWS, TABLE_HEAD, TABLE_TAIL)


def _has_table(descent: Descent) -> bool:
    return descent.requested > 1 and bool(descent.iterations)


def _gap_words(shown: Sequence[Iteration | None]) -> str:
    """'iterations 4 to 9 are in the table', for the None in an elided list of iterations."""
    at = shown.index(None)
    return f"iterations {shown[at - 1].index + 1:,} to {shown[at + 1].index - 1:,} are in the table"


def _all_verified(descent: Descent) -> str | None:
    """'verified: every partial derivative equals SymPy's (symbolic)' when each one is verified; else None."""
    checks = descent.verifications
    if not checks or not all(c is not None and c.verified is True for c in checks):
        return None
    methods = {c.method for c in checks}
    how = (
        "symbolic"
        if methods == {"symbolic"}
        else "numeric, at random points"
        if methods == {"numeric"}
        else "symbolic or at random points"
    )
    what = "the derivative equals SymPy's" if len(checks) == 1 else "every partial derivative equals SymPy's"
    return f"verified: {what} ({how})"


def _unverified(descent: Descent) -> list[tuple[Var, object]]:
    """The components to report one by one when not all are verified: (variable, derivation) for each checked one."""
    return [(var, d) for var, d in zip(descent.vars, descent.gradient.components) if d.verification is not None]


def _verdict_text_lines(descent: Descent, words: _Words) -> list[str]:
    verified = _all_verified(descent)
    if verified is not None:
        return [f"{'OK' if words.ascii else '✓'} {verified}"]
    return [f"{words.partial(var)}: {verdict_text(d, words.ascii)}" for var, d in _unverified(descent)]


def _verdict_latex_rows(descent: Descent) -> list[str]:
    verified = _all_verified(descent)
    if verified is not None:
        return [rf"\checkmark\ \text{{{verified}}}"]
    return [rf"\partial f/\partial {to_latex(var)}\colon\ {verdict_latex(d)}" for var, d in _unverified(descent)]


def _verified_json(descent: Descent) -> bool | None:
    checks = descent.verifications
    if any(c is not None and c.verified is False for c in checks):
        return False
    if checks and all(c is not None and c.verified is True for c in checks):
        return True
    return None


# -- text ------------------------------------------------------------------------------------------------------------------
class _Words:
    """The notation of one format: how to show math, f's arguments, the gradient symbol, arrows and names."""

    def __init__(self, ascii: bool = False):
        self.ascii = ascii

    def math(self, expr: Expr) -> str:
        return to_text(expr, self.ascii)

    def args(self, values: Sequence[Expr]) -> str:
        return "(" + ", ".join(self.math(v) for v in values) + ")"

    def grad(self, descent: Descent) -> str:
        if len(descent.vars) == 1:
            return "f'" if self.ascii else "f′"
        return "grad f" if self.ascii else "∇f"

    def partial(self, var: Var) -> str:
        return f"{'d' if self.ascii else '∂'}f/{'d' if self.ascii else '∂'}{self.math(var)}"

    @property
    def arrow(self) -> str:
        return "<-" if self.ascii else "←"


def render_text(descent: Descent, ascii: bool = False) -> str:
    """The descent as plain text: f and its gradient, the work of each iteration, the table, the result, the check."""
    return "\n".join(_text_lines(descent, _Words(ascii))) + "\n"


def _text_lines(descent: Descent, words: _Words) -> list[str]:
    show = words.math
    out = [f"f{words.args(descent.vars)} = {show(descent.expr)}"]
    out += [f"note: {warning}" for warning in descent.warnings]
    out += _header(descent, words)
    shown = _elide(descent.iterations, SHOW_ALL_WORK, WORK_HEAD, WORK_TAIL)
    for iteration in shown:
        out.append("")
        if iteration is None:
            out.append(f"... ({_gap_words(shown)})")
            continue
        out.append(f"iteration {iteration.index:,}")
        out += ["  " + line for line in _work(descent, iteration, words)]
    if descent.stop is not None:
        out += ["", f"stopped: {descent.stop.message}"]
    if _has_table(descent):
        out += [""] + _table_text(descent, words)
    out += ["", _result(descent, words)]
    out += _verdict_text_lines(descent, words)
    return out


def _header(descent: Descent, words: _Words) -> list[str]:
    show = words.math
    grad = words.grad(descent)
    vector = (
        show(descent.gradient.vector[0])
        if len(descent.vars) == 1
        else vector_text(descent.gradient.vector, words.ascii)
    )
    out = [f"{grad}{words.args(descent.vars)} = {vector}"]
    if descent.fixed:
        out.append(f"held fixed: {point_text(descent.fixed, words.ascii)}")
    out.append(f"start: {point_text(descent.start, words.ascii)}, where f = {show(descent.start_f)}")
    eta = "eta * " if words.ascii else "η"
    if len(descent.vars) == 1:
        x = show(descent.vars[0])
        out.append(
            f"step: {x} {words.arrow} {x} - {eta}{grad}({x}) with learning rate {eta.strip(' *')} = {show(descent.lr)}"
        )
    else:
        theta = "theta" if words.ascii else "θ"
        names = ", ".join(show(v) for v in descent.vars)
        rule = f"{theta} {words.arrow} {theta} - {eta}{grad}({theta})"
        out.append(f"step: {rule} with {theta} = ({names}) and learning rate {eta.strip(' *')} = {show(descent.lr)}")
    if descent.data is not None:
        out.append(data_text(descent.data))
    if descent.numeric:
        out.append("arithmetic: floating point (--numeric)")
    return out


def _work(descent: Descent, iteration: Iteration, words: _Words) -> list[str]:
    show = words.math
    at = words.args(list(iteration.point.values()))
    if len(descent.vars) == 1:
        chain = [show(iteration.gradient_at[0]), show(iteration.gradient[0])]
    else:
        chain = [vector_text(iteration.gradient_at, words.ascii), vector_text(iteration.gradient, words.ascii)]
    lines = [f"{words.grad(descent)}{at} = {' = '.join(dict.fromkeys(chain))}"]
    for var, update in zip(descent.vars, iteration.updates):
        lines.append(f"{show(var)} {words.arrow} {show(update)} = {show(iteration.next[var])}")
    f_chain = dict.fromkeys([show(iteration.f_at), show(iteration.f)])
    lines.append(f"f{words.args(list(iteration.next.values()))} = {' = '.join(f_chain)}")
    return lines


def _table_text(descent: Descent, words: _Words) -> list[str]:
    header = ["iteration", *(words.math(v) for v in descent.vars), "f"]
    body: list[list[str] | None] = []
    for row in _rows(descent):
        if row is None:
            body.append(None)
            continue
        index, point, f = row
        body.append([f"{index:,}", *(words.math(point[v]) for v in descent.vars), words.math(f)])
    cells = [header] + [r for r in body if r is not None]
    widths = [max(len(r[j]) for r in cells) for j in range(len(header))]

    def line(row: list[str]) -> str:
        first = row[0].rjust(widths[0])
        return "  ".join([first] + [cell.ljust(width) for cell, width in zip(row[1:], widths[1:])]).rstrip()

    gap = ("..." if words.ascii else "⋮").rjust(widths[0])
    return [line(header)] + [gap if row is None else line(row) for row in body]


def _result(descent: Descent, words: _Words) -> str:
    done = len(descent.iterations)
    return f"after {_plural(done, 'iteration')}: {point_text(descent.final, words.ascii)}, f = {words.math(descent.final_f)}"


# -- LaTeX and Markdown -------------------------------------------------------------------------------------------------------
def _args_latex(values: Sequence[Expr]) -> str:
    return r"\left(" + ", ".join(to_latex(v) for v in values) + r"\right)"


def _grad_latex(descent: Descent) -> str:
    return "f'" if len(descent.vars) == 1 else r"\nabla f"


def latex_rows(descent: Descent) -> list[str]:
    """The rows of the alignment for f, its gradient, the start and each iteration's work; shared with Markdown."""
    grad = _grad_latex(descent)
    vector = to_latex(descent.gradient.vector[0]) if len(descent.vars) == 1 else vector_latex(descent.gradient.vector)
    rows = [
        f"f{_args_latex(descent.vars)} &= {to_latex(descent.expr)}",
        f"{grad}{_args_latex(descent.vars)} &= {vector}",
    ]
    if descent.fixed:
        rows.append(rf"&\text{{held fixed: }}{point_latex(descent.fixed)}")
    rows.append(rf"&\text{{start: }}{point_latex(descent.start)},\ f = {to_latex(descent.start_f)}")
    if len(descent.vars) == 1:
        x = to_latex(descent.vars[0])
        rule = rf"{x} \leftarrow {x} - \eta\, f'\left({x}\right)"
    else:
        names = ", ".join(to_latex(v) for v in descent.vars)
        rule = rf"\theta \leftarrow \theta - \eta \nabla f\left(\theta\right),\ \theta = \left({names}\right)"
    rows.append(rf"&\text{{step: }}{rule},\ \eta = {to_latex(descent.lr)}")
    if descent.data is not None:
        rows.append("&" + text_latex(data_text(descent.data)))
    if descent.numeric:
        rows.append(r"&\text{arithmetic: floating point}")
    shown = _elide(descent.iterations, SHOW_ALL_WORK, WORK_HEAD, WORK_TAIL)
    for iteration in shown:
        if iteration is None:
            rows.append(rf"&\vdots\quad\text{{{_gap_words(shown)}}}")
            continue
        rows.append(rf"&\text{{iteration {iteration.index:,}}}")
        rows += _work_latex(descent, iteration, grad)
    return rows


def _work_latex(descent: Descent, iteration: Iteration, grad: str) -> list[str]:
    if len(descent.vars) == 1:
        chain = [to_latex(iteration.gradient_at[0]), to_latex(iteration.gradient[0])]
    else:
        chain = [vector_latex(iteration.gradient_at), vector_latex(iteration.gradient)]
    rows = [f"{grad}{_args_latex(list(iteration.point.values()))} &= {' = '.join(dict.fromkeys(chain))}"]
    for var, update in zip(descent.vars, iteration.updates):
        rows.append(rf"{to_latex(var)} &\leftarrow {to_latex(update)} = {to_latex(iteration.next[var])}")
    f_chain = dict.fromkeys([to_latex(iteration.f_at), to_latex(iteration.f)])
    rows.append(f"f{_args_latex(list(iteration.next.values()))} &= {' = '.join(f_chain)}")
    return rows


def _table_latex(descent: Descent) -> str:
    columns = len(descent.vars)
    header = " & ".join([r"\text{iteration}", *(to_latex(v) for v in descent.vars), "f"])
    lines = []
    for row in _rows(descent):
        if row is None:
            lines.append(r"\vdots" + " &" * (columns + 1))
            continue
        index, point, f = row
        # {,} keeps LaTeX from spacing the thousands separator of 1,000 as a list comma.
        lines.append(
            " & ".join([f"{index:,}".replace(",", "{,}"), *(to_latex(point[v]) for v in descent.vars), to_latex(f)])
        )
    spec = "r|" + "l" * columns + "|l"
    return rf"\begin{{array}}{{{spec}}} {header} \\ \hline " + r" \\ ".join(lines) + r" \end{array}"


def _result_latex(descent: Descent) -> str:
    done = _plural(len(descent.iterations), "iteration")
    return rf"\text{{after {done}: }}{point_latex(descent.final)},\ f = {to_latex(descent.final_f)}"


def render_latex(descent: Descent) -> str:
    """The descent as one align* block; how the input was read and the notes are TeX comments inside it."""
    rows = latex_rows(descent)
    if descent.stop is not None:
        rows.append("&" + text_latex(f"stopped: {descent.stop.message}"))
    if _has_table(descent):
        rows.append("&" + _table_latex(descent))
    rows.append("&" + _result_latex(descent))
    rows += ["& " + verdict for verdict in _verdict_latex_rows(descent)]
    comments = [f"% read as: {tex_comment(to_text(descent.expr))}"]
    comments += [f"% note: {tex_comment(warning)}" for warning in descent.warnings]
    return "\\begin{align*}\n" + "".join(c + "\n" for c in comments) + " \\\\\n".join(rows) + "\n\\end{align*}\n"


def render_markdown(descent: Descent) -> str:
    """The question, the work in $$ (aligned), the table as a Markdown table, the result and the check."""
    out = [_question(descent), ""]
    for warning in descent.warnings:
        out += [f"*Note:* {escape_markdown(warning)}", ""]
    # aligned, not align*: it is the form that works inside $$ in LaTeX, KaTeX and MathJax alike.
    out += ["$$", r"\begin{aligned}", " \\\\\n".join(latex_rows(descent)), r"\end{aligned}", "$$", ""]
    if descent.stop is not None:
        out += [f"**Stopped:** {escape_markdown(descent.stop.message)}", ""]
    if _has_table(descent):
        out += _table_markdown(descent) + [""]
    done = _plural(len(descent.iterations), "iteration")
    out += [f"After {done}: ${point_latex(descent.final)}$, $f = {to_latex(descent.final_f)}$.", ""]
    for line in _verdict_text_lines(descent, _Words()):
        out += [escape_markdown(line), ""]
    return "\n".join(out)


def _question(descent: Descent) -> str:
    line = (
        f"Gradient descent on $f{_args_latex(descent.vars)} = {to_latex(descent.expr)}$ from ${point_latex(descent.start)}$ "
        f"with learning rate $\\eta = {to_latex(descent.lr)}$, {_plural(descent.requested, 'iteration')}"
    )
    typed = descent.input
    if typed is not None and typed.strip() != to_text(descent.expr):
        line += f" (typed as {_code(typed.strip())})"
    if descent.numeric:
        line += ", in floating point"
    return line + "."


def _table_markdown(descent: Descent) -> list[str]:
    header = ["iteration", *(f"${to_latex(v)}$" for v in descent.vars), "$f$"]
    out = ["| " + " | ".join(header) + " |", "|" + "---:|" + ":---|" * (len(header) - 1)]
    for row in _rows(descent):
        if row is None:
            out.append("| ⋮ |" + " |" * (len(header) - 1))
            continue
        index, point, f = row
        cells = [f"{index:,}", *(f"${to_latex(point[v])}$" for v in descent.vars), f"${to_latex(f)}$"]
        out.append("| " + " | ".join(cells) + " |")
    return out


def _code(text: str) -> str:
    """text as inline code: the fence is one backtick longer than any run of backticks inside."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{' '.join(text.split())}{pad}{fence}"


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


# -- the terminal -----------------------------------------------------------------------------------------------------------
STYLES = {
    "heading": "bold",
    "result": "bold",
    "aside": "dim",
    "stopped": "bold red",
    "verified": "bold green",
    "disagrees": "bold red",
    "undecided": "yellow",
}


class DescentView:
    """A rich renderable of a Descent: `Console().print(DescentView(descent))`."""

    def __init__(self, descent: Descent, ascii: bool = False):
        self.descent = descent
        self.words = _Words(ascii)

    def __rich_console__(self, console, options):
        # Imported here: the other formats of this module must not load rich.
        from rich.table import Table
        from rich.text import Text

        descent, words = self.descent, self.words
        yield Text(f"f{words.args(descent.vars)} = {words.math(descent.expr)}", style=STYLES["heading"])
        for warning in descent.warnings:
            yield Text(f"note: {warning}", style="italic")
        for line in _header(descent, words):
            yield Text(line)
        shown = _elide(descent.iterations, SHOW_ALL_WORK, WORK_HEAD, WORK_TAIL)
        for iteration in shown:
            yield Text("")
            if iteration is None:
                yield Text(f"... ({_gap_words(shown)})", style=STYLES["aside"])
                continue
            yield Text(f"iteration {iteration.index:,}", style=STYLES["heading"])
            for line in _work(descent, iteration, words):
                yield Text("  " + line)
        if descent.stop is not None:
            yield Text("")
            yield Text(f"stopped: {descent.stop.message}", style=STYLES["stopped"])
        if _has_table(descent):
            table = Table(show_edge=False, box=None, padding=(0, 2, 0, 0))
            table.add_column("iteration", justify="right", style=STYLES["aside"])
            for var in descent.vars:
                table.add_column(Text(words.math(var)))
            table.add_column("f")
            for row in _rows(descent):
                if row is None:
                    table.add_row("⋮", *([""] * (len(descent.vars) + 1)))
                    continue
                index, point, f = row
                table.add_row(f"{index:,}", *(Text(words.math(point[v])) for v in descent.vars), Text(words.math(f)))
            yield Text("")
            yield table
        yield Text("")
        yield Text(_result(descent, words), style=STYLES["result"])
        for line, check in zip(_verdict_text_lines(descent, words), _verdict_styles(descent)):
            yield Text(line, style=STYLES[check])


def _verdict_styles(descent: Descent) -> list[str]:
    checks = [c for c in descent.verifications if c is not None]
    if checks and all(c.verified is True for c in checks) and len(checks) == len(descent.verifications):
        return ["verified"]
    return [{True: "verified", False: "disagrees", None: "undecided"}[c.verified] for c in checks]


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
