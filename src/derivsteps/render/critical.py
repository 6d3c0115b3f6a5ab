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

import string
import unicodedata
from collections.abc import Callable, Iterator, Mapping

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
from ._blocks import matrix_latex, matrix_text, point_json
from .jsondoc import SCHEMA, valuer
from .jsondoc import to_json as derivation_json
from .latex import latex_rows, text_latex
from .markdown import escape_markdown
from .text import render_text as derivation_text

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

# Characters that Markdown (or a notebook's math typesetting, for $) would read as syntax in running text.

# A sentence with math in it: a template with {name} fields, and the math for each (an expression, a point as a
# mapping, or a tuple of expressions). Each format fills the math in its own notation (STYLE.md §6).
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


def fill(
    template: str,
    bindings: Mapping[str, object],
    show: Callable[[Expr], str],
    words: Callable[[str], str] = str,
    math: Callable[[str], str] = str,
) -> str:
    """The template with its math written by show (each field then passed through math: Markdown's $...$) and its
    words passed through words (LaTeX: \\text{})."""
    out = []
    for literal, field, _, _ in string.Formatter().parse(template):
        if literal:
            out.append(words(literal))
        if field is not None:
            out.append(math(_math(bindings[field], show)))
    return "".join(out)


def _math(value, show: Callable[[Expr], str]) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{show(var)} = {show(expr)}" for var, expr in value.items())
    if isinstance(value, tuple):
        return ", ".join(show(item) for item in value)
    return show(value)


def explanation(step: SolveStep, show: Callable[[Expr], str], words: Callable[[str], str] = str) -> str:
    """What a solving step did, in words, with its math filled in."""
    return fill(step.template, step.bindings, show, words)


def _fixed(point: Mapping[Var, Expr]) -> dict[Var, Expr]:
    """The variables a solution fixes; a free one (mapped to itself) is said in words."""
    return {var: value for var, value in point.items() if value != var}


def _where(solution: Mapping[Var, Expr]) -> Phrase:
    """a = -2/11, b = -1/11; a = b, for every value of b; every value of x, y."""
    fixed = _fixed(solution)
    free = tuple(var for var in solution if var not in fixed)
    if not free:
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
            "critical point: " if kind == "finite" else "infinitely many critical points: ", _where(points[0].values)
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


def _ascii_words(text: str, ascii: bool) -> str:
    return text.replace("≠", "!=") if ascii else text


def point_title(critical: Critical, number: int, point: CriticalPoint) -> Phrase | None:
    """The line above a point's test; None for a lone point, which the outcome already names."""
    if len(critical.points) == 1:
        return None
    return _prefixed(f"{'family' if point.free else 'critical point'} {number}: ", _where(point.values))


def minors_text(
    test: SecondDerivativeTest,
    show: Callable[[Expr], str],
    name: Callable[[int], str] = "D{}".format,
    comma: str = ", ",
) -> str:
    """D1 = 6 > 0, D2 = 11 > 0: the leading principal minors with their signs."""
    relation = {1: " > 0", -1: " < 0"}
    pairs = enumerate(zip(test.minors, test.minor_signs), 1)
    return comma.join(f"{name(k)} = {show(minor)}{relation.get(sign, '')}" for k, (minor, sign) in pairs)


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


def verdict_words(check: Verification | None, ascii: bool = False) -> str | None:
    """The last line: ✓ verified, ? could not verify, ✗ disagrees; None when not checked."""
    if check is None:
        return None
    if check.verified is True:
        how = check.how
        return f"{'OK' if ascii else '✓'} verified: every first and second partial derivative equals SymPy's ({how})"
    if check.verified is False:
        expected = f": SymPy gives {to_text(check.expected, ascii)}" if check.expected is not None else ""
        mark = "WRONG" if ascii else "✗"
        said = f"a partial derivative disagrees with SymPy{expected} ({check.reason})"
        return f"{mark} {said} - this is a bug in derivsteps, please report it"
    return f"? could not verify a partial derivative ({check.reason})"


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


# -- the layout, shared by text and the rich view ---------------------------------------------------------------------------


def _sections(critical: Critical, steps: bool, ascii: bool, detail: str | None) -> Iterator[tuple[str, object]]:
    """The output as (kind, content): "aside", "note", "heading", "derivation", "rows" [(equation, explanation)],
    "result", "title", "matrix" (prefix, lines), "line", "kind", "verdict"."""
    show = lambda expr: to_text(expr, ascii)  # noqa: E731
    yield "aside", f"read as: {show(critical.expr)}"
    for warning in critical.warnings:
        yield "note", f"note: {warning}"
    if steps:
        yield "heading", "partial derivatives:"
        for component in critical.gradient.components:
            yield "derivation", derivation_text(component, steps=True, ascii=ascii, detail=detail)
    yield "heading", "set every partial derivative to zero:"
    system = zip(critical.vars, critical.system)
    f = _function_name(critical)
    yield (
        "rows",
        [(f"({k})  {show(Deriv(f, var))} = {show(value)} = 0", "") for k, (var, value) in enumerate(system, 1)],
    )
    for heading, rows in data_sections(critical):
        yield "heading", heading
        yield (
            "rows",
            [
                (("" if k is None else f"({k})  ") + " = ".join(show(side) for side in sides), words)
                for k, sides, words in rows
            ],
        )
    yield "heading", _method_heading(critical)
    rows = []
    for step in critical.solved.steps:
        lines = step_text(step, ascii)
        said = _ascii_words(explanation(step, show), ascii)
        rows += [(line, said if k == 0 else "") for k, line in enumerate(lines)]
    yield "rows", rows
    yield "result", _ascii_words(fill(*outcome(critical), show), ascii)
    if critical.points:
        yield "heading", "second-derivative test:"
        if _hessian_varies(critical):
            yield (
                "matrix",
                (f"H({', '.join(show(v) for v in critical.vars)}) = ", matrix_text(critical.hessian.matrix, ascii)),
            )
        for place, point in enumerate(critical.points, 1):
            title = point_title(critical, place, point)
            if title:
                yield "title", fill(*title, show)
            if not _hessian_varies(critical) or point.test.hessian != critical.hessian.matrix:
                yield "matrix", ("H = ", matrix_text(point.test.hessian, ascii))
            minors = minors_text(point.test, show)
            if point.test.argument is not None:
                yield "line", minors
                for phrase in argument_phrases(point.test):
                    yield "line", fill(*phrase, show)
            else:
                yield (
                    "line",
                    f"{minors}: {definiteness_words(point.test, ascii)}"
                    if minors
                    else definiteness_words(point.test, ascii),
                )
            yield "kind", f"{'->' if ascii else '→'} {fill(*kind_phrase(point), show)}"
    verdict = verdict_words(critical.verification, ascii)
    if verdict:
        yield "verdict", verdict


# -- text -----------------------------------------------------------------------------------------------------------------------


def equation_text(equation: Equation, ascii: bool = False) -> str:
    return " = ".join(to_text(side, ascii) for side in equation.sides)


def step_text(step: SolveStep, ascii: bool = False) -> list[str]:
    """The step's equation forms on one line (6(2b) - b + 1 = 0  ⇔  11b + 1 = 0); SymPy's solutions one a line."""
    if step.action == "sympy_solve":
        found = [fill(*_where(p), lambda e: to_text(e, ascii)) for p in step.points]
        return [found[0], *(f"or {line}" for line in found[1:])] if found else ["no solution"]
    iff = "<=>" if ascii else "⇔"
    forms = [equation_text(e, ascii) for e in step.equations]
    line = f"  {iff}  ".join(forms)
    if len(line) <= MAX_STEP_LINE:
        return [line]
    # A long chain (the closed form's substitution) gets one form a line, each after its ⇔.
    return [forms[0], *(f"{iff}  {form}" for form in forms[1:])]


def _columns(rows: list[tuple[str, str]]) -> list[str]:
    width = min(max((_width(left) for left, _ in rows), default=0), MAX_LABEL_COLUMN)
    return [
        f"  {left}{' ' * (width - _width(left))}    {right}".rstrip() if right else f"  {left}" for left, right in rows
    ]


def _width(text: str) -> int:
    """Columns on screen: a combining macron (ā) takes none."""
    return sum(1 for char in text if not unicodedata.combining(char))


def render_text(critical: Critical, steps: bool = False, ascii: bool = False, detail: str | None = None) -> str:
    """The whole solution as text; steps=True also shows each partial derivative's derivation."""
    out: list[str] = []
    for kind, content in _sections(critical, steps, ascii, detail):
        if kind in ("heading", "result", "verdict", "title"):
            out += ["", content]
        elif kind == "rows":
            out += _columns(content)
        elif kind == "matrix":
            prefix, lines = content
            out += ["  " + (prefix if i == 0 else " " * len(prefix)) + line for i, line in enumerate(lines)]
        elif kind == "derivation":
            out += [f"  {line}".rstrip() for line in content.rstrip("\n").split("\n")]
        elif kind in ("line", "kind"):
            out.append("  " + content)
        else:
            out.append(content)
    return "\n".join(out) + "\n"


# -- LaTeX ----------------------------------------------------------------------------------------------------------------------


def equation_latex(equation: Equation, aligned: bool = False) -> str:
    """The sides joined by =; aligned puts the alignment point & before the first =."""
    left, *rest = [to_latex(side) for side in equation.sides]
    return left + (" &= " if aligned else " = ") + " = ".join(rest)


def step_latex(step: SolveStep) -> list[str]:
    """The step's equation forms in one row, aligned at the first =; SymPy's solutions one a row."""
    if step.action == "sympy_solve":
        found = [fill(*_where(p), to_latex, _words) for p in step.points]
        return [f"&{found[0]}", *(rf"&\text{{or }}{line}" for line in found[1:])] if found else [r"&\text{no solution}"]
    if not step.equations:
        return ["&"]
    first, *others = step.equations
    if len("  ⇔  ".join(equation_text(e) for e in step.equations)) <= MAX_STEP_LINE:
        return [" \\iff ".join([equation_latex(first, aligned=True), *(equation_latex(e) for e in others)])]
    # As in text: a long chain one form a row, each after its \iff.
    return [equation_latex(first, aligned=True), *(f"&\\iff {equation_latex(e)}" for e in others)]


def _words(text: str) -> str:
    return text_latex(text)


def _sentence(phrase: Phrase) -> str:
    template, bindings = phrase
    return fill(template[:1].upper() + template[1:], bindings, to_latex, _words)


def latex_body(critical: Critical, steps: bool = False, detail: str | None = None) -> list[str]:
    """The rows of the alignment, without the verdict: headings, the system, the solving, each point's test."""
    rows = []
    if steps:
        rows.append(r"&\text{Partial derivatives:}")
        for component in critical.gradient.components:
            rows += latex_rows(component, True, detail)
    rows.append(r"&\text{Set every partial derivative to zero:}")
    f = _function_name(critical)
    for k, (var, value) in enumerate(zip(critical.vars, critical.system), 1):
        rows.append(f"{to_latex(Deriv(f, var))} &= {to_latex(value)} = 0 && \\text{{({k})}}")
    for heading, lines in data_sections(critical):
        rows.append(f"&{_sentence((heading, {}))}")
        for k, sides, words in lines:
            left, *rest = [to_latex(side) for side in sides]
            label = f" && \\text{{({k})}}" if k is not None else (f" && {_words(words)}" if words else "")
            rows.append(f"{left} &= {' = '.join(rest)}{label}")
    rows.append(f"&{_sentence((_method_heading(critical), {}))}")
    for step in critical.solved.steps:
        said = explanation(step, to_latex, _words)
        first, *more = step_latex(step)
        rows += [first + (f" && {said}" if said else ""), *more]
    rows.append(f"&{_sentence(outcome(critical))}")
    if critical.points:
        rows.append(r"&\text{Second-derivative test:}")
        if _hessian_varies(critical):
            names = ", ".join(to_latex(v) for v in critical.vars)
            rows.append(f"H\\left({names}\\right) &= {matrix_latex(critical.hessian.matrix)}")
        for place, point in enumerate(critical.points, 1):
            title = point_title(critical, place, point)
            if title:
                rows.append(f"&{_sentence(title)}")
            if not _hessian_varies(critical) or point.test.hessian != critical.hessian.matrix:
                rows.append(f"H &= {matrix_latex(point.test.hessian)}")
            minors = minors_text(point.test, to_latex, "D_{{{}}}".format, r",\ ")
            first, _, rest = minors.partition(" = ")
            aligned = f"{first} &= {rest}" if minors else "&"
            if point.test.argument is not None:
                rows.append(aligned)
                # Not a sentence start: f is the function's name, and capitalised it would be another.
                rows += [f"&{fill(*phrase, to_latex, _words)}" for phrase in argument_phrases(point.test)]
            else:
                rows.append(f"{aligned} && {text_latex(definiteness_words(point.test))}")
            rows.append(r"&\Rightarrow " + fill(*kind_phrase(point), to_latex, _words))
    return rows


def verdict_latex(check: Verification | None) -> str | None:
    words = verdict_words(check, ascii=True)
    if words is None:
        return None
    mark, _, rest = words.partition(" ")
    symbol = {"OK": r"\checkmark\ ", "WRONG": r"\times\ "}.get(mark)
    return symbol + text_latex(rest) if symbol else text_latex(words)


def render_latex(critical: Critical, steps: bool = False, detail: str | None = None) -> str:
    """An align* block; the input as read and the notes are TeX comments inside it, as for a derivation."""
    rows = latex_body(critical, steps, detail)
    verdict = verdict_latex(critical.verification)
    if verdict:
        rows.append(f"& {verdict}")
    comments = [f"% read as: {' '.join(to_text(critical.expr).split())}"]
    comments += [f"% note: {' '.join(warning.split())}" for warning in critical.warnings]
    return "\\begin{align*}\n" + "".join(c + "\n" for c in comments) + " \\\\\n".join(rows) + "\n\\end{align*}\n"


# -- Markdown -------------------------------------------------------------------------------------------------------------------


def render_markdown(critical: Critical, steps: bool = False, detail: str | None = None) -> str:
    """The question, the working in $$ (aligned: it works in LaTeX, KaTeX and MathJax alike), each point in words."""
    question = f"Find the critical points of ${to_latex(critical.expr)}$"
    typed = critical.input
    if typed is not None and typed.strip() != to_text(critical.expr):
        question += f" (typed as `{' '.join(typed.split())}`)"
    out = [question + ".", ""]
    for warning in critical.warnings:
        out += [f"*Note:* {escape_markdown(warning)}", ""]
    out += ["$$", r"\begin{aligned}", " \\\\\n".join(latex_body(critical, steps, detail)), r"\end{aligned}", "$$", ""]
    for place, point in enumerate(critical.points, 1):
        where = fill(*_where(point.values), to_latex, _markdown_words, "${}$".format)
        numbered = f"{place}. " if len(critical.points) > 1 else ""
        test = point.test
        why = (
            test.reason
            if test.definiteness == "undetermined"
            else f"the Hessian is {_SHAPES.get(test.definiteness, test.definiteness)}"
        )
        if test.condition is not None:
            why = fill(
                *_joined((why + " when ", {}), [test.condition], "", "", ""), to_latex, _markdown_words, "${}$".format
            )
        else:
            why = escape_markdown(why)
        out.append(f"{numbered}At {where}: **{point.kind}** ({why}).")
    if critical.points:
        out.append("")
    else:
        said = fill(*outcome(critical), to_text)
        out += [escape_markdown(said[:1].upper() + said[1:]) + ".", ""]
    verdict = verdict_words(critical.verification)
    if verdict:
        out += [escape_markdown(verdict), ""]
    return "\n".join(out)


def _markdown_words(text: str) -> str:
    """Words between math, escaped, keeping the spaces at their edges that separate them from the math."""
    return (" " if text[:1].isspace() else "") + escape_markdown(text) + (" " if text[-1:].isspace() else "")


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
        "warnings": list(critical.warnings),
        "data": None if critical.data is None else {"n": critical.data.n, "columns": list(critical.data.names)},
        "statistics": [_statistic_json(stat, value) for stat in critical.statistics],
        "equations": [value(expr) for expr in critical.solved_system],
        "closed_form": point_json(critical.points[0].values, value)
        if critical.closed_form and len(critical.points) == 1
        else None,
        "conditions": [fill(*phrase, to_text) for phrase in critical.solved.assumptions],
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
        "explanation": explanation(step, to_text),
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
        "kind": point.kind,
        "free": [to_text(var, ascii=True) for var in point.free],
        "hessian": [[value(entry) for entry in row] for row in test.hessian],
        "minors": [value(minor) for minor in test.minors],
        "definiteness": test.definiteness,
        "eigenvalue_signs": None if counts is None else dict(zip(("positive", "negative", "zero"), counts)),
        "condition": None if test.condition is None else fill(*test.condition, to_text),
        "argument": "; ".join(fill(*phrase, to_text) for phrase in argument_phrases(test)) or None,
    }


def _component_json(var: Var, derivation, with_sympy: bool) -> dict:
    document = derivation_json(derivation, with_sympy)
    return {
        "var": to_text(var, ascii=True),
        **{key: document[key] for key in ("result", "steps", "verified", "verified_by")},
    }


# -- rich -----------------------------------------------------------------------------------------------------------------------


class CriticalView:
    """A rich renderable of a Critical: `Console().print(CriticalView(critical))`, the text layout with styles."""

    STYLES = {
        "heading": "bold", "aside": "dim", "note": "italic", "explanation": "dim", "result": "bold", "kind": "bold cyan",
        "verified": "bold green", "disagrees": "bold red", "undecided": "yellow",
    }  # fmt: skip

    def __init__(self, critical: Critical, steps: bool = False, detail: str | None = None, ascii: bool = False):
        self.critical = critical
        self.steps = steps
        self.detail = detail
        self.ascii = ascii

    def __rich_console__(self, console, options):
        # rich is imported here, so this module (and the text, LaTeX and JSON renderers in it) stays free of it.
        from rich.padding import Padding
        from rich.table import Table
        from rich.text import Text

        for kind, content in _sections(self.critical, self.steps, self.ascii, self.detail):
            if kind in ("heading", "result", "verdict", "title"):
                yield Text("")
            if kind == "rows":
                table = Table.grid(padding=(0, 4))
                table.add_column("equation", overflow="fold")
                table.add_column("explanation", style=self.STYLES["explanation"], overflow="fold")
                for left, right in content:
                    table.add_row(Text(left), Text(right))
                yield Padding(table, (0, 0, 0, 2))
            elif kind == "matrix":
                prefix, lines = content
                yield Text(
                    "\n".join("  " + (prefix if i == 0 else " " * len(prefix)) + line for i, line in enumerate(lines))
                )
            elif kind == "derivation":
                yield Padding(Text(content.rstrip("\n")), (0, 0, 0, 2))
            elif kind == "verdict":
                check = self.critical.verification
                yield Text(
                    content,
                    style=self.STYLES[{True: "verified", False: "disagrees", None: "undecided"}[check.verified]],
                )
            else:
                indent = "  " if kind in ("line", "kind") else ""
                yield Text(indent + content, style=self.STYLES.get(kind, ""))


def print_rich(critical: Critical, steps: bool = False, detail: str | None = None, ascii: bool = False) -> None:
    """Print the view to the terminal (the command's rich format), so the command itself never imports rich."""
    from rich.console import Console

    Console().print(CriticalView(critical, steps=steps, detail=detail, ascii=ascii))
