"""Critical points as text, LaTeX, Markdown, JSON and a rich view: the system, the solving, and the second-derivative test.

JSON (schema 1): {"schema": 1, "command": "critical", "input", "read_as", "vars", "system": [VALUE, ...] (each
partial, meaning VALUE = 0), "method": "linear" | "sympy", "solution_set": "finite" | "none" | "infinite",
"steps": [STEP, ...], "points": [{"values": POINT, "kind", "free": [name, ...], "hessian": [[VALUE, ...], ...],
"minors": [VALUE, ...], "definiteness", "eigenvalue_signs": {"positive", "negative", "zero"} | null,
"condition": text | null (when the kind holds), "argument": text | null (how a symbolic Hessian was decided)}],
"hessian": [[VALUE, ...], ...] (symbolic), "components": [{"var", "result", "steps", "verified", "verified_by"}],
"verified", "verified_by", "warnings", and for sums over data: "data": {"n", "columns"} | null, "statistics":
[{"sum": VALUE, "mean": VALUE, "value": VALUE | null, "terms": VALUE | null}] (the sums in the system; value and
terms with data), "equations": [VALUE, ...] (the system as solved: with data, the sums' values put in),
"closed_form": POINT | null (without data: the solution as formulas in the means), "conditions": [text, ...]
(what the solving assumed, such as "the a_i are not all equal")}. VALUE is {"text", "latex", "sympy"}; POINT maps
each variable name to a VALUE (a free variable to itself). STEP is {"action": one of critical.ACTIONS,
"explanation", "equations": [EQUATION, ...] (forms of one equation, each equivalent to the one before), "points":
[POINT, ...] (the solutions of a sympy_solve step, else [])}; EQUATION is {"text", "latex", "sympy": "Eq(l, r)"
(a chain a = 2b = -2/11 is "And(Eq(...), Eq(...))"), "sides": [VALUE, ...]}.

Means are written in bar notation: ā for (1/n) Σ_i a_i (a combining macron, U+0304, after a one-letter name),
mean(ah) and mean(a^2) for the mean of anything else (and for every mean with --ascii); in LaTeX \\bar{a},
\\overline{ah} and \\overline{a^{2}}. The "sympy" string keeps the sum: Sum(a[i], (i, 1, n))/n.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ..calculus.critical import Critical, CriticalPoint
from ..calculus.definiteness import SecondDerivativeTest
from ..core.derivation import Verification
from ..core.linear import Equation, SolveStep
from ..core.tree import ZERO, Deriv, Div, Expr, Mul, Num, Var, children, number, variables, with_children
from ..data.datasets import COUNT
from ..data.sums import canonical, is_mean
from ..language.mathlatex import to_latex as plain_latex
from ..language.mathtext import GREEK_SYMBOLS
from ..language.mathtext import to_text as plain_text
from ._blocks import point_json
from .derivation import derivation_layout, derivation_rows
from .document import (
    EQUALS,
    QUESTION,
    STATUS_MARKS,
    Blank,
    Block,
    Code,
    Comment,
    Display,
    Document,
    Formula,
    Heading,
    Lines,
    Math,
    Matrix,
    Nested,
    Notation,
    Note,
    Paragraph,
    Row,
    Rows,
    Spans,
    Strong,
    Symbol,
    Verdict,
    Words,
    only,
)
from .document import Phrase as Sentence
from .jsondoc import SCHEMA, valuer
from .jsondoc import to_json as derivation_json
from .layouts import register
from .multivar import approx_text
from .writers import RichView, write
from .writers.text import TextWriter

# The function of several variables is called f in every heading (∂f/∂a), as the lecture does; F when f is a variable.
F, F_ALTERNATIVE = Var("f"), Var("F")

# The explanation column starts after the longest equation line, but never further right than this.
MAX_LABEL_COLUMN = 60

# A step whose forms joined by ⇔ would be longer than this is written one form a line.
MAX_STEP_LINE = 80

KIND_WORDS = {
    "minimum": "a minimum",
    "maximum": "a maximum",
    "saddle": "a saddle point",
    "inconclusive": "inconclusive: the second-derivative test cannot decide",
}

# How a definiteness reads after "H is"; the others read as they are.
_SHAPES = {"zero": "the zero matrix"}

# A sentence with math in it: a template with {name} fields, and the math for each (an expression, a point as a
# mapping, or a tuple of expressions); document.Phrase of it lets each writer fill the math in its notation.
Phrase = tuple[str, Mapping[str, object]]


# -- bar notation: ā for (1/n) Σ_i a_i ---------------------------------------------------------------------------------------

_MACRON = "\u0304"
# Private-use characters never occur in printed math: each stands in for one mean while the plain printers run, so
# spacing and brackets treat a mean as the single symbol it is.
_STAND_IN = 0xE000


def to_text(expr: Expr, ascii: bool = False) -> str:
    """expr as text with each mean (1/n) Σ_i u_i written ū or mean(u) (module docstring)."""
    marked, means = _stand_ins(expr)
    out = plain_text(marked, ascii)
    for char, mean in means.items():
        out = out.replace(char, mean_text(mean, ascii))
    return out


def to_latex(expr: Expr) -> str:
    """expr as LaTeX with each mean written \\bar{u} or \\overline{...}."""
    marked, means = _stand_ins(expr)
    out = plain_latex(marked)
    for char, mean in means.items():
        out = out.replace(char, mean_latex(mean))
    return out


def mean_text(mean: Div, ascii: bool = False) -> str:
    body, index = mean.num.body, mean.num.index
    if (
        not ascii
        and isinstance(body, Var)
        and body.sub == index
        and (len(body.name) == 1 or body.name in GREEK_SYMBOLS)
    ):
        return GREEK_SYMBOLS.get(body.name, body.name) + _MACRON
    return f"mean({plain_text(_without_index(body, index), ascii)})"


def mean_latex(mean: Div) -> str:
    body, index = mean.num.body, mean.num.index
    if isinstance(body, Var) and body.sub == index:
        return rf"\bar{{{plain_latex(Var(body.name))}}}"
    return rf"\overline{{{plain_latex(_without_index(body, index))}}}"


def _without_index(body: Expr, index: str) -> Expr:
    """a_i h_i as ah, the index left off inside a mean; kept where the bare name also occurs (a_i and a)."""
    names = {node.name for node in _nodes(body) if isinstance(node, Var) and node.sub is None}
    if any(isinstance(node, Var) and node.sub == index and node.name in names for node in _nodes(body)):
        return body

    def drop(node: Expr) -> Expr:
        if isinstance(node, Var) and node.sub == index:
            return Var(node.name)
        kids = children(node)
        return with_children(node, tuple(drop(kid) for kid in kids)) if kids else node

    return drop(body)


def _nodes(expr: Expr):
    yield expr
    for kid in children(expr):
        yield from _nodes(kid)


def _stand_ins(expr: Expr) -> tuple[Expr, dict[str, Div]]:
    means: dict[Div, str] = {}

    def swap(node: Expr) -> Expr:
        if is_mean(node):
            return Var(means.setdefault(node, chr(_STAND_IN + len(means))))
        kids = children(node)
        return with_children(node, tuple(swap(kid) for kid in kids)) if kids else node

    marked = swap(expr)
    return marked, {char: mean for mean, char in means.items()}


def mean_definition(mean: Div) -> Expr:
    """(1/n) Σ_i u_i, the definition of a mean, as a tree the bar printers leave alone."""
    return Mul((Div(Num(1), mean.den), mean.num))


# -- what is said, in every format ----------------------------------------------------------------------------------------


def _fixed(point: Mapping[Var, Expr]) -> dict[Var, Expr]:
    """The variables a solution fixes; a free one (mapped to itself) is said in words."""
    return {var: value for var, value in point.items() if value != var}


def _where(solution: Mapping[Var, Expr], decimals: Mapping[Var, Expr] | None = None) -> Phrase:
    """a = -2/11, b = -1/11; a = b, for every value of b; every value of x, y; with the decimals of long fractions,
    s = 353707067/70766672, b = 42471086747/1415333440 (s ≈ 4.9982, b ≈ 30.008)."""
    fixed = _fixed(solution)
    free = tuple(var for var in solution if var not in fixed)
    if not free:
        if decimals:
            about = ", ".join(f"{{var_{k}}} ≈ {{decimal_{k}}}" for k in range(len(decimals)))
            bindings: dict[str, object] = {"point": fixed}
            for k, (var, decimal) in enumerate(decimals.items()):
                bindings |= {f"var_{k}": var, f"decimal_{k}": decimal}
            return "{point} (" + about + ")", bindings
        return "{point}", {"point": fixed}
    if not fixed:
        return "every value of {free}", {"free": free}
    return "{point}, for every value of {free}", {"point": fixed, "free": free}


def _prefixed(words: str, phrase: Phrase) -> Phrase:
    return words + phrase[0], phrase[1]


def outcome(critical: Critical) -> Phrase:
    """The answer in one sentence: the point, how many, none, or infinitely many; and what the solving assumed."""
    points = critical.points
    kind = critical.solved.outcome
    if kind == "none":
        return "no critical point: the system has no solution", {}
    if len(points) == 1:
        said = _prefixed(
            "critical point: " if kind == "finite" else "infinitely many critical points: ",
            _where(points[0].values, points[0].decimals),
        )
    elif kind == "finite":
        said = f"{len(points)} critical points", {}
    else:
        said = f"infinitely many critical points, in {len(points)} families", {}
    return _joined(said, critical.solved.assumptions, " (when ", " and ", ")")


def _joined(first: Phrase, others, opening: str, separator: str, closing: str) -> Phrase:
    """first followed by the other phrases (each template's fields renamed apart), or first alone when none."""
    if not others:
        return first
    template, bindings = first[0], dict(first[1])
    parts = []
    for k, (other, values) in enumerate(others):
        renamed = {name: f"{name}_{k}" for name in values}
        parts.append(other.format_map({name: "{" + new + "}" for name, new in renamed.items()}))
        bindings.update({renamed[name]: value for name, value in values.items()})
    return template + opening + separator.join(parts) + closing, bindings


def kind_phrase(point: CriticalPoint) -> Phrase:
    """a minimum; a minimum, when the a_i are not all equal."""
    return _joined(
        (KIND_WORDS[point.kind], {}), [point.test.condition] if point.test.condition else [], ", when ", "", ""
    )


def argument_phrases(test: SecondDerivativeTest) -> list[Phrase]:
    """The argument that decides a symbolic Hessian, one phrase a line: why it is semidefinite, when it is definite."""
    if test.argument is None:
        return []
    why = _prefixed("", test.argument)
    why = (why[0] + ", so H is positive semidefinite", why[1])
    if test.condition is None:
        return [why]
    return [why, _joined(("it is positive definite (every minor > 0) when ", {}), [test.condition], "", "", "")]


def point_title(critical: Critical, number: int, point: CriticalPoint) -> Phrase | None:
    """The line above a point's test; None for a lone point, which the outcome already names."""
    if len(critical.points) == 1:
        return None
    return _prefixed(f"{'family' if point.free else 'critical point'} {number}: ", _where(point.values, point.decimals))


def definiteness_words(test: SecondDerivativeTest, ascii: bool = False) -> str:
    """Why the Hessian is what it is, said after the minors: "all positive, so H is positive definite"."""
    match test.definiteness:
        case "positive definite":
            return "all positive, so H is positive definite"
        case "negative definite":
            return "signs alternate, starting negative, so H is negative definite"
        case "undetermined":
            return f"{test.reason}, so the test cannot decide"
    if test.eigenvalue_signs is None:
        unequal = "!=" if ascii else "≠"
        return f"det H {unequal} 0, and the signs are neither all positive nor alternating, so H is indefinite"
    counts = zip(test.eigenvalue_signs, ("positive", "negative", "zero"))
    said = ", ".join(f"{count} {what}" for count, what in counts if count)
    return f"det H = 0, so the eigenvalues decide: {said}, so H is {_SHAPES.get(test.definiteness, test.definiteness)}"


def _function_name(critical: Critical) -> Var:
    return F_ALTERNATIVE if F in variables(critical.expr) else F


def _hessian_varies(critical: Critical) -> bool:
    return any(variables(entry) for row in critical.hessian.matrix for entry in row)


def _method_heading(critical: Critical) -> str:
    return "solve the linear system:" if critical.solved.method == "linear" else "solve the system:"


def data_sections(critical: Critical) -> list[tuple[str, list[tuple[int | None, tuple[Expr, ...], str]]]]:
    """For sums over data, what comes between the system and the solving, as (heading, [(equation number or None,
    sides, words)]): with data, each sum's value, then the system with the values put in; without data, what each
    mean in the solving stands for."""
    if critical.data is not None:
        sums: list[tuple[int | None, tuple[Expr, ...], str]] = [
            (None, (COUNT, number(critical.data.n)), "the number of data points")
        ]
        for stat in critical.statistics:
            written = stat.terms is not None and stat.terms != stat.value_tree
            sums.append(
                (None, (stat.total, stat.terms, stat.value_tree) if written else (stat.total, stat.value_tree), "")
            )
        system = [(k, (equation, ZERO), "") for k, equation in enumerate(critical.equations, 1)]
        return [("the sums over the data:", sums), ("put them into the system:", system)]
    if critical.closed_form:
        distinct: dict[Expr, Div] = {}
        for stat in critical.statistics:
            if is_mean(stat.mean):
                distinct.setdefault(canonical(stat.mean), stat.mean)  # Σ_i (c_i a_i) is Σ_i (a_i c_i): one line
        # Single letters first: ā, h̄, then mean(a^2), mean(ah).
        shown = sorted(distinct.values(), key=lambda mean: not isinstance(mean.num.body, Var))
        means = [(None, (mean, mean_definition(mean)), "") for mean in shown]
        return [("the means over the n data points, in bar notation:", means)] if means else []
    return []


# -- the layout -------------------------------------------------------------------------------------------------------------
# Text writes the working as lines with the explanations in a column; LaTeX (and the $$ block of Markdown) as one
# alignment with the equations aligned at = and the explanations and equation numbers in a \text{} column.

# The math of this result: means in bar notation.
BAR_NOTATION = Notation(to_text, to_latex)


def critical_layout(critical: Critical, steps: bool = False, detail: str | None = None) -> Document:
    """The document of a Critical: the system, the solving, each point's second-derivative test, the verdict."""
    blocks: list[Block] = [
        only("text", Paragraph((Words("read as: "), Math(critical.expr)), style="aside")),
        Comment((Words("read as: "), Math(critical.expr))),
        only("markdown", Paragraph(_question(critical))),
        *(Note((Words(warning),)) for warning in critical.warnings),
        only("text", *_text_body(critical, steps, detail, ascii=False), ascii=False),
        only("text", *_text_body(critical, steps, detail, ascii=True), ascii=True),
        only(("latex", "markdown"), Display(tuple(_latex_body(critical, steps, detail)))),
        only("markdown", *_markdown_points(critical)),
    ]
    verdicts = [v for v in (_verdict(critical.verification), _points_verdict(critical.points_check)) if v is not None]
    if verdicts:
        blocks += [only("text", Blank()), *verdicts]
    return Document(tuple(blocks), BAR_NOTATION)


def _said(phrase: Phrase) -> Sentence:
    return Sentence(*phrase)


def _question(critical: Critical) -> Spans:
    """Find the critical points of $f$ (typed as `...`)."""
    line: list = [Words("Find the critical points of "), Math(critical.expr)]
    typed = critical.input
    if typed is not None and typed.strip() != to_text(critical.expr):
        line += [Words(" (typed as "), Code(" ".join(typed.split())), Words(")")]
    return (*line, Words("."))


def _side_spans(sides) -> list:
    out: list = []
    for index, side in enumerate(sides):
        out += ([Words(" = ")] if index else []) + [Math(side)]
    return out


def _minors(test: SecondDerivativeTest) -> list:
    """D1 = 6 > 0, D2 = 11 > 0 as pieces (LaTeX: D_{1}, D_{2} and a thin space after each comma)."""
    relation = {1: " > 0", -1: " < 0"}
    pieces: list = []
    for k, (minor, sign) in enumerate(zip(test.minors, test.minor_signs), 1):
        if k > 1:
            pieces.append(Symbol(", ", latex=r",\ "))
        pieces += [Symbol(f"D{k}", latex=f"D_{{{k}}}"), Words(" = "), Math(minor), Words(relation.get(sign, ""))]
    return pieces


def _definiteness(test: SecondDerivativeTest) -> Symbol:
    return Symbol(definiteness_words(test), definiteness_words(test, ascii=True))


def _text_body(critical: Critical, steps: bool, detail: str | None, ascii: bool) -> list[Block]:
    """The working as lines: headings, the equations with their explanations in a column, each point's test."""
    blocks: list[Block] = []
    if steps:
        blocks += [Blank(), Heading((Words("partial derivatives:"),))]
        blocks += [Nested(derivation_layout(c, True, detail), indent=2) for c in critical.gradient.components]
    blocks += [Blank(), Heading((Words("set every partial derivative to zero:"),))]
    f = _function_name(critical)
    system = [
        Row((Words(f"({k})  "), Math(Deriv(f, var)), Words(" = "), Math(value), Words(" = 0")))
        for k, (var, value) in enumerate(zip(critical.vars, critical.system), 1)
    ]
    blocks.append(_columns(system))
    for heading, lines in data_sections(critical):
        rows = [
            Row(
                (*([Words(f"({k})  ")] if k is not None else []), *_side_spans(sides)),
                label=(Words(words),) if words else (),
            )
            for k, sides, words in lines
        ]
        blocks += [Blank(), Heading((Words(heading),)), _columns(rows)]
    blocks += [Blank(), Heading((Words(_method_heading(critical)),))]
    rows = []
    for step in critical.solved.steps:
        said = (Sentence(step.template, step.bindings),)
        for k, line in enumerate(_step_lines(step, ascii)):
            rows.append(Row(line, label=said if k == 0 else ()))
    blocks.append(_columns(rows))
    blocks += [Blank(), Paragraph((_said(outcome(critical)),), style="result")]
    if critical.points:
        blocks += [Blank(), Heading((Words("second-derivative test:"),))]
        if _hessian_varies(critical):
            blocks.append(_matrix(_hessian_name(critical), critical.hessian.matrix))
        for place, point in enumerate(critical.points, 1):
            title = point_title(critical, place, point)
            if title:
                blocks += [Blank(), Paragraph((_said(title),))]
            if not _hessian_varies(critical) or point.test.hessian != critical.hessian.matrix:
                blocks.append(_matrix(Symbol("H", latex="H"), point.test.hessian))
            minors = _minors(point.test)
            if point.test.argument is not None:
                blocks.append(Paragraph((Words("  "), *minors)))
                blocks += [Paragraph((Words("  "), _said(phrase))) for phrase in argument_phrases(point.test)]
            else:
                said = [Words(": "), _definiteness(point.test)] if minors else [_definiteness(point.test)]
                blocks.append(Paragraph((Words("  "), *minors, *said)))
            arrow = Symbol("→", "->", r"\Rightarrow")
            blocks.append(Paragraph((Words("  "), arrow, Words(" "), _said(kind_phrase(point))), style="kind"))
    return blocks


def _columns(rows: list[Row]) -> Rows:
    """Equations with their explanations in a column, two spaces in."""
    return Rows(tuple(rows), MAX_LABEL_COLUMN, indent=2, signs=False)


def _matrix(name: Symbol, matrix) -> Rows:
    """H = [ 6  -1 ] / [ -1  2 ], two spaces in (H &= pmatrix in LaTeX)."""
    return Rows((Row((Matrix(tuple(tuple(row) for row in matrix)),), EQUALS, (name,)),), indent=2)


def _hessian_name(critical: Critical) -> Symbol:
    """H(a, b), the Hessian as a function of the variables."""
    text = ", ".join(to_text(v) for v in critical.vars)
    ascii = ", ".join(to_text(v, True) for v in critical.vars)
    latex = ", ".join(to_latex(v) for v in critical.vars)
    return Symbol(f"H({text})", f"H({ascii})", rf"H\left({latex}\right)")


def _step_lines(step: SolveStep, ascii: bool) -> list[Spans]:
    """The step's equation forms on one line (6(2b) - b + 1 = 0  ⇔  11b + 1 = 0); SymPy's solutions one a line."""
    if step.action == "sympy_solve":
        found = [_said(_where(p)) for p in step.points]
        return [(found[0],), *((Words("or "), line) for line in found[1:])] if found else [(Words("no solution"),)]
    iff = Symbol("  ⇔  ", "  <=>  ")
    forms = [_side_spans(e.sides) for e in step.equations]
    if len(f"  {'<=>' if ascii else '⇔'}  ".join(equation_text(e, ascii) for e in step.equations)) <= MAX_STEP_LINE:
        line: list = []
        for index, form in enumerate(forms):
            line += ([iff] if index else []) + form
        return [tuple(line)]
    # A long chain (the closed form's substitution) gets one form a line, each after its ⇔.
    return [tuple(forms[0]), *((Symbol("⇔  ", "<=>  "), *form) for form in forms[1:])]


def _latex_body(critical: Critical, steps: bool, detail: str | None) -> list[Block]:
    """The rows of the alignment, without the verdict: headings, the system, the solving, each point's test."""
    blocks: list[Block] = []
    if steps:
        blocks.append(Heading((Words("partial derivatives:"),)))
        blocks += [Nested(Document((derivation_rows(c, True, detail),))) for c in critical.gradient.components]
    blocks.append(Heading((Words("set every partial derivative to zero:"),)))
    f = _function_name(critical)
    system = [
        Row((Math(value), Words(" = 0")), EQUALS, (Math(Deriv(f, var)),), (Words(f"({k})"),))
        for k, (var, value) in enumerate(zip(critical.vars, critical.system), 1)
    ]
    blocks.append(Rows(tuple(system), signs=False))
    for heading, lines in data_sections(critical):
        blocks.append(Heading((Words(heading),)))
        rows = []
        for k, sides, words in lines:
            label = (Words(f"({k})"),) if k is not None else ((Words(words),) if words else ())
            rows.append(Row(tuple(_side_spans(sides[1:])), EQUALS, (Math(sides[0]),), label))
        blocks.append(Rows(tuple(rows), signs=False))
    blocks.append(Heading((Words(_method_heading(critical)),)))
    rows = []
    for step in critical.solved.steps:
        first, *more = _step_rows(step)
        rows += [replace(first, label=(Sentence(step.template, step.bindings),)), *more]
    blocks.append(Rows(tuple(rows), signs=False))
    blocks.append(Heading((_said(outcome(critical)),)))
    if critical.points:
        blocks.append(Heading((Words("second-derivative test:"),)))
        if _hessian_varies(critical):
            blocks.append(_matrix(_hessian_name(critical), critical.hessian.matrix))
        for place, point in enumerate(critical.points, 1):
            title = point_title(critical, place, point)
            if title:
                blocks.append(Heading((_said(title),)))
            if not _hessian_varies(critical) or point.test.hessian != critical.hessian.matrix:
                blocks.append(_matrix(Symbol("H", latex="H"), point.test.hessian))
            minors = _minors(point.test)
            aligned = Row((Formula(tuple(minors[2:])),), EQUALS, (minors[0],)) if minors else Row(())
            if point.test.argument is not None:
                blocks.append(Rows((aligned,), signs=False))
                # Not a sentence start: f is the function's name, and capitalised it would be another.
                blocks += [Paragraph((_said(phrase),)) for phrase in argument_phrases(point.test)]
            else:
                said = (Words(definiteness_words(point.test)),)
                blocks.append(Rows((replace(aligned, label=said),), signs=False))
            blocks.append(Paragraph((Symbol("⇒", latex=r"\Rightarrow"), _said(kind_phrase(point)))))
    return blocks


def _step_rows(step: SolveStep) -> list[Row]:
    """The step's equation forms in one row, aligned at the first =; SymPy's solutions one a row."""
    if step.action == "sympy_solve":
        found = [_said(_where(p)) for p in step.points]
        if not found:
            return [Row((Words("no solution"),))]
        return [Row((found[0],)), *(Row((Words("or "), line)) for line in found[1:])]
    if not step.equations:
        return [Row(())]
    first, *others = step.equations
    lead, rest = (Math(first.sides[0]),), tuple(_side_spans(first.sides[1:]))
    iff = Symbol("⇔", latex=r"\iff")
    if len("  ⇔  ".join(equation_text(e) for e in step.equations)) <= MAX_STEP_LINE:
        body: list = list(rest)
        for equation in others:
            body += [iff, *_side_spans(equation.sides)]
        return [Row(tuple(body), EQUALS, lead)]
    # As in text: a long chain one form a row, each after its \iff.
    return [Row(rest, EQUALS, lead), *(Row((iff, *_side_spans(e.sides))) for e in others)]


def _markdown_points(critical: Critical) -> list[Block]:
    """Each point in words: At $a = 1$: **minimum** (the Hessian is positive definite); or the outcome."""
    lines = []
    for place, point in enumerate(critical.points, 1):
        numbered = f"{place}. " if len(critical.points) > 1 else ""
        test = point.test
        why = (
            test.reason
            if test.definiteness == "undetermined"
            else f"the Hessian is {_SHAPES.get(test.definiteness, test.definiteness)}"
        )
        said = _said(_joined((why + " when ", {}), [test.condition], "", "", "")) if test.condition else Words(why)
        where = _said(_where(point.values, point.decimals))
        lines.append((Words(f"{numbered}At "), where, Words(": "), Strong(point.kind), Words(" ("), said, Words(").")))
    if lines:
        return [Lines(tuple(lines))]
    said = _said(outcome(critical)).filled(to_text)
    return [Paragraph((Words(said[:1].upper() + said[1:] + "."),))]


def _verdict(check: Verification | None) -> Verdict | None:
    """✓ verified, ? could not verify, ✗ disagrees (a bug in derivsteps); None when not checked."""
    if check is None:
        return None
    if check.verified is True:
        said = f"verified: every first and second partial derivative equals SymPy's ({check.how})"
        return Verdict("verified", (Words(said),), STATUS_MARKS["verified"])
    if check.verified is False:
        expected = ()
        if check.expected is not None:
            quoted = Symbol(to_text(check.expected), to_text(check.expected, ascii=True))
            expected = (Words(": SymPy gives "), quoted)
        return Verdict(
            "disagrees",
            (
                Words("a partial derivative disagrees with SymPy"),
                *expected,
                Words(f" ({check.reason}) - this is a bug in derivsteps, please report it"),
            ),
            STATUS_MARKS["disagrees"],
        )
    return Verdict("undecided", (Words(f"could not verify a partial derivative ({check.reason})"),), QUESTION)


def _points_verdict(check: Verification | None) -> Verdict | None:
    """✓ the critical points put back into the system make it 0 (calculus.critical.check_points); None when not checked."""
    if check is None:
        return None
    if check.verified is True:
        said = "checked: each critical point makes every equation of the system 0 (put back in)"
        return Verdict("verified", (Words(said),), STATUS_MARKS["verified"])
    if check.verified is False:
        said = f"a critical point does not solve the system ({check.reason}) - this is a bug in derivsteps, please report it"
        return Verdict("disagrees", (Words(said),), STATUS_MARKS["disagrees"])
    return Verdict("undecided", (Words(f"could not check the critical points ({check.reason})"),), QUESTION)


# -- the entry points: a layout and a writer ----------------------------------------------------------------------------


def render_text(critical: Critical, steps: bool = False, ascii: bool = False, detail: str | None = None) -> str:
    """The whole solution as text; steps=True also shows each partial derivative's derivation."""
    return write(critical_layout(critical, steps, detail), "text", ascii=ascii)


def render_latex(critical: Critical, steps: bool = False, detail: str | None = None) -> str:
    """An align* block; the input as read and the notes are TeX comments inside it, as for a derivation."""
    return write(critical_layout(critical, steps, detail), "latex")


def render_markdown(critical: Critical, steps: bool = False, detail: str | None = None) -> str:
    """The question, the working in $$ (aligned: it works in LaTeX, KaTeX and MathJax alike), each point in words."""
    return write(critical_layout(critical, steps, detail), "markdown")


# -- text helpers (the JSON document writes equations as text) -----------------------------------------------------------


def equation_text(equation: Equation, ascii: bool = False) -> str:
    return " = ".join(to_text(side, ascii) for side in equation.sides)


def step_text(step: SolveStep, ascii: bool = False) -> list[str]:
    """The step's equation forms on one line (6(2b) - b + 1 = 0  ⇔  11b + 1 = 0); SymPy's solutions one a line."""
    writer = TextWriter(Document((), BAR_NOTATION), ascii)
    return [writer.spans(line) for line in _step_lines(step, ascii)]


def equation_latex(equation: Equation, aligned: bool = False) -> str:
    """The sides joined by =; aligned puts the alignment point & before the first =."""
    left, *rest = [to_latex(side) for side in equation.sides]
    return left + (" &= " if aligned else " = ") + " = ".join(rest)


# -- JSON -----------------------------------------------------------------------------------------------------------------------


def to_json(critical: Critical, with_sympy: bool = True) -> dict:
    """The JSON document of the module docstring; with_sympy=False writes "sympy": null and never imports SymPy."""
    value = valuer(with_sympy, to_text, to_latex)  # means in bar notation; the sympy string keeps the sum
    check = critical.verification
    return {
        "schema": SCHEMA,
        "command": "critical",
        "input": critical.input,
        "read_as": to_text(critical.expr),
        "vars": [to_text(var, ascii=True) for var in critical.vars],
        "system": [value(expr) for expr in critical.system],
        "method": critical.solved.method,
        "solution_set": critical.solved.outcome,
        "steps": [_step_json(step, value) for step in critical.solved.steps],
        "points": [_point_json(point, value) for point in critical.points],
        "hessian": [[value(entry) for entry in row] for row in critical.hessian.matrix],
        "components": [
            _component_json(var, d, with_sympy) for var, d in zip(critical.vars, critical.gradient.components)
        ],
        "verified": None if check is None else check.verified,
        "verified_by": None if check is None else check.method,
        "points_verified": None if critical.points_check is None else critical.points_check.verified,
        "warnings": list(critical.warnings),
        "data": None if critical.data is None else {"n": critical.data.n, "columns": list(critical.data.names)},
        "statistics": [_statistic_json(stat, value) for stat in critical.statistics],
        "equations": [value(expr) for expr in critical.solved_system],
        "closed_form": point_json(critical.points[0].values, value)
        if critical.closed_form and len(critical.points) == 1
        else None,
        "conditions": [_said(phrase).filled(to_text) for phrase in critical.solved.assumptions],
    }


def _statistic_json(stat, value) -> dict:
    return {
        "sum": value(stat.total),
        "mean": value(stat.mean),
        "value": None if stat.value is None else value(stat.value_tree),
        "terms": None if stat.terms is None else value(stat.terms),
    }


def _step_json(step: SolveStep, value) -> dict:
    return {
        "action": step.action,
        "explanation": Sentence(step.template, step.bindings).filled(to_text),
        "equations": [_equation_json(e, value) for e in step.equations],
        "points": [point_json(p, value) for p in step.points],
    }


def _equation_json(equation: Equation, value) -> dict:
    sides = [value(side) for side in equation.sides]
    sympy = None
    if all(side["sympy"] is not None for side in sides):
        pairs = [f"Eq({a['sympy']}, {b['sympy']})" for a, b in zip(sides, sides[1:])]
        sympy = pairs[0] if len(pairs) == 1 else f"And({', '.join(pairs)})"
    return {"text": equation_text(equation), "latex": equation_latex(equation), "sympy": sympy, "sides": sides}


def _point_json(point: CriticalPoint, value) -> dict:
    test = point.test
    counts = test.eigenvalue_signs
    return {
        "values": point_json(point.values, value),
        **(
            {"approx": {to_text(var, ascii=True): approx_text(d) for var, d in point.decimals.items()}}
            if point.decimals
            else {}
        ),
        "kind": point.kind,
        "free": [to_text(var, ascii=True) for var in point.free],
        "hessian": [[value(entry) for entry in row] for row in test.hessian],
        "minors": [value(minor) for minor in test.minors],
        "definiteness": test.definiteness,
        "eigenvalue_signs": None if counts is None else dict(zip(("positive", "negative", "zero"), counts)),
        "condition": None if test.condition is None else _said(test.condition).filled(to_text),
        "argument": "; ".join(_said(phrase).filled(to_text) for phrase in argument_phrases(test)) or None,
    }


def _component_json(var: Var, derivation, with_sympy: bool) -> dict:
    document = derivation_json(derivation, with_sympy)
    return {
        "var": to_text(var, ascii=True),
        **{key: document[key] for key in ("result", "steps", "verified", "verified_by")},
    }


# -- rich -----------------------------------------------------------------------------------------------------------------------


class CriticalView(RichView):
    """A rich renderable of a Critical: `Console().print(CriticalView(critical))`, the text layout with styles."""

    def __init__(self, critical: Critical, steps: bool = False, detail: str | None = None, ascii: bool = False):
        super().__init__(critical_layout(critical, steps, detail), ascii)
        self.critical = critical


def print_rich(critical: Critical, steps: bool = False, detail: str | None = None, ascii: bool = False) -> None:
    """Print the view to the terminal (the command's rich format), so the command itself never imports rich."""
    from .writers.terminal import print_document

    print_document(critical_layout(critical, steps, detail), ascii=ascii)


register(Critical, layout=critical_layout, view=CriticalView, json=to_json)
