"""Checks a student's written derivation line by line: is each line equal to the one before, and which rule made it.

The work is one expression per line, each optionally starting with `=`; the first line is the problem with its
pending derivative (`d/dy (x+y+z)^2`). Blank lines and lines starting with `#` are skipped; line numbers are the
file's. Every other line is compared with the last readable line before it:

- its value: pending derivatives are worked out by the engine, and the two values are compared with the checker's
  layered equivalence (structural, symbolic, numeric), so the verdict is "correct", "incorrect" or "inconclusive";
- the rule: the step is replayed from the previous line with our rules, one line of the engine (the rule at every
  place where it was ready, as the engine writes it), the rule at one place, or the simplifier; a replay that gives
  the student's line (the same tree, up to the order of terms and factors) names the rule. More than one line of the
  engine is "several steps at once"; an equal line no replay gives is "equal (several steps at once)".

A wrong line is replayed with each slip of the mistake catalogue (mistakes.py): a slip that gives the line names the
mistake, and the same rule without the slip gives the correct rewrite. Otherwise the correct rewrite is the replay
that touched the same pending derivatives as the student, or else the engine's next line.

A line that cannot be read is "invalid" (the parser's message and column); the lines after it are checked against
the last readable line, so one typo does not hide the rest. The derivation as a whole is "incorrect" (a wrong line),
"invalid" (an unreadable line, none wrong), "inconclusive" (a step could not be decided), "unfinished" (every line
right, but the last still holds a pending ∂) or "correct". Only a problem that cannot be checked at all (no lines,
an unreadable first line, a first line without a pending derivative) raises an InputError.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from ..calculus.derivative import differentiate
from ..cas.equivalence import equivalent
from ..core.derivation import Displayed, Rewrite, Step, group_lines
from ..core.engine import first_match, graft, simplify
from ..core.errors import DerivError, InputError
from ..core.rules import DIFF_RULES, Rule
from ..core.tree import Add, Deriv, Expr, Mul, Path, Sum, Var, get_at, walk
from ..language.labels import explanation, line_label
from ..language.mathtext import to_text
from .answers import simplification_note
from .mistakes import MISTAKES
from .sameform import same_form_of

LINE_VERDICTS = ("problem", "correct", "incorrect", "inconclusive", "invalid")
VERDICTS = ("correct", "incorrect", "invalid", "inconclusive", "unfinished")

SEVERAL = "several steps at once"
# Where an engine line names more rules than this, the label lists the first ones and says how many more.
MAX_LISTED_RULES = 4
# The slips named in a wrong line's feedback: at most this many places.
MAX_SLIPS_SHOWN = 3


@dataclass(frozen=True)
class WrittenLine:
    """One line of the student's work and what we found about it."""

    number: int  # the line number in the file (1-based, blank and comment lines counted)
    text: str  # the line as written, without surrounding spaces
    verdict: str  # one of LINE_VERDICTS
    expr: Expr | None = None  # the line as read (None: invalid)
    value: Expr | None = None  # its value: pending derivatives worked out by the engine
    label: str = ""  # "chain rule", "several steps at once: chain rule, exponent rule", "equal (several steps at once)"
    rules: tuple[str, ...] = ()  # the rule ids of the replay that reproduces the step, in order
    several: bool = False  # the replay took more than one line of the engine
    feedback: str = ""
    decided_by: str | None = None  # the checker's layer: "structural", "symbolic", "numeric"
    compared_with: int | None = None  # the number of the line it was checked against
    expected: Expr | None = None  # for a wrong line: the correct rewrite of the line it was checked against
    expected_label: str = ""  # the rule(s) of that rewrite
    reason: str = ""  # for a wrong line: why ("not equal to line 4 (...)"); `feedback` says it all in one sentence
    slips: tuple[str, ...] = ()  # for a wrong line: "∂x/∂y = 0, not 1" at each place the slip rewrote
    mistake: str | None = None  # the id of the catalogued slip the line shows
    mistake_description: str = ""
    warnings: tuple[str, ...] = ()  # how the parser read an ambiguous line ("read 1/2x as (1/2)·x")
    position: int | None = None  # for an invalid line: the column (1-based, in the file's line) the parser stopped at
    caret: int | None = None  # the same place as an index into `text`

    @property
    def ok(self) -> bool:
        return self.verdict in ("problem", "correct")


@dataclass(frozen=True, eq=False, repr=False)
class WrittenReport(Displayed):
    """The checked derivation: every line's verdict, the verdict of the whole, and the derivative it should reach.

    print(report) shows it as text; a notebook cell as Markdown; rich as its own view.
    """

    lines: tuple[WrittenLine, ...]
    verdict: str  # one of VERDICTS
    feedback: str
    problem: Expr  # the first line as read
    wrt: tuple[Var, ...]  # the variables of its pending derivatives, outermost first
    derivative: Expr  # what our engine gets for the problem
    first_wrong: int | None = None  # the number of the first wrong line
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.verdict == "correct"

    def _repr_latex_(self) -> None:  # a table of lines with feedback has no LaTeX form: the notebook uses Markdown
        return None


# -- the library ------------------------------------------------------------------------------------------------------
def check_derivation(
    lines_or_text: str | Iterable[str], variables: Sequence[str] = (), functions: Sequence[str] = ()
) -> WrittenReport:
    """Check a written derivation, one expression per line (a whole text, or its lines); see the module docstring."""
    raw = (
        lines_or_text.splitlines()
        if isinstance(lines_or_text, str)
        else [str(line).rstrip("\r\n") for line in lines_or_text]
    )
    reading = {"variables": tuple(variables), "functions": tuple(functions)}
    numbered = [
        (number, line) for number, line in enumerate(raw, 1) if line.strip() and not line.strip().startswith("#")
    ]
    if not numbered:
        raise InputError(
            "the derivation is empty: write the problem on the first line, e.g. d/dy (x+y+z)^2, then one step per line"
        )
    first_number, first_text = numbered[0]
    problem, warnings = _read_problem(first_number, first_text, reading)
    derivation = differentiate(problem, (), **reading)
    checked = [WrittenLine(first_number, first_text.strip(), "problem", problem, derivation.result,
                           label="the problem", feedback=f"the problem: {to_text(problem)}", warnings=warnings)]  # fmt: skip
    previous = checked[0]
    for number, text in numbered[1:]:
        line = _check_line(number, text, previous, reading)
        checked.append(line)
        if line.expr is not None and line.value is not None:
            previous = line
    return _summarize(tuple(checked), problem, derivation.result, previous, reading)


# -- reading -------------------------------------------------------------------------------------------------------------
def _source(text: str) -> str:
    """The expression of a line: a leading `=` becomes a space, so the parser's columns are the file's columns."""
    stripped = text.lstrip()
    if stripped.startswith("="):
        indent = len(text) - len(stripped)
        return text[:indent] + " " + stripped[1:]
    return text


def _parse(text: str, reading: dict, reach: str = "rest"):
    from ..language.parser import parse

    return parse(_source(text), **reading, reach=reach)


def _read_problem(number: int, text: str, reading: dict) -> tuple[Expr, tuple[str, ...]]:
    try:
        parsed = _parse(text, reading)
    except InputError as error:
        offset = error.position.offset if error.position is not None else None
        raise InputError(
            f"line {number}, the problem, cannot be read: {error.message}", error.text, offset, error.hint
        ) from None
    if not _has_pending(parsed.expr):
        raise InputError(
            f"line {number} should be the problem with its pending derivative, such as d/dy (x+y+z)^2 or ∂/∂y (x+y+z)^2; "
            f"{text.strip()!r} has none"
        )
    return parsed.expr, tuple(parsed.warnings)


def _has_pending(expr: Expr) -> bool:
    return any(isinstance(node, Deriv) for _, node in walk(expr))


def _value(expr: Expr, reading: dict) -> Expr:
    """The value of a line: its pending derivatives worked out by our engine (a line without any is its own value)."""
    if not _has_pending(expr):
        return expr
    return differentiate(expr, (), **reading).result


# -- one line ---------------------------------------------------------------------------------------------------------
def _check_line(number: int, text: str, previous: WrittenLine, reading: dict) -> WrittenLine:
    written = text.strip()
    try:
        parsed = _parse(text, reading)
    except InputError as error:
        column = error.position.column if error.position is not None else None
        said = (
            f"cannot read this line: {error.message}"
            + (f" (column {column})" if column else "")
            + (f"; {error.hint}" if error.hint else "")
        )
        caret = column - 1 - (len(text) - len(text.lstrip())) if column else None
        return WrittenLine(
            number, written, "invalid", feedback=said, compared_with=previous.number, position=column, caret=caret
        )
    return _check_parsed(number, text, previous, reading, parsed)


def _check_parsed(
    number: int, text: str, previous: WrittenLine, reading: dict, parsed, other_readings: bool = True
) -> WrittenLine:
    written = text.strip()
    expr = parsed.expr
    try:
        value = _value(expr, reading)
    except DerivError as error:
        return WrittenLine(
            number,
            written,
            "invalid",
            expr,
            feedback=f"cannot work out this line's derivative: {error}",
            compared_with=previous.number,
        )
    base = {"expr": expr, "value": value, "compared_with": previous.number, "warnings": tuple(parsed.warnings)}
    try:
        outcome = equivalent(previous.value, value, names=(f"line {previous.number}", "this line"))
    except DerivError as error:  # a form the checker cannot be given: undecided, never "wrong"
        return WrittenLine(
            number,
            written,
            "inconclusive",
            feedback=f"could not compare this line with line {previous.number}: {error}",
            **base,
        )
    if other_readings and outcome.verdict in ("correct", "incorrect") and _has_pending(expr):
        if (other := _term_reading(number, text, previous, reading, expr)) is not None:
            return other
    if outcome.verdict == "correct":
        replay = _reproduce(previous.expr, expr, reading)
        if replay is None:
            label = "unchanged" if same_form_of(previous.expr, expr) else f"equal ({SEVERAL})"
            feedback = (
                f"the same expression as line {previous.number}" if label == "unchanged"
                else f"equal to line {previous.number}, but no single rule of ours gives it: several steps at once, or a rewrite of your own"
            )  # fmt: skip
            return WrittenLine(
                number, written, "correct", label=label, feedback=feedback, decided_by=outcome.decided_by, **base
            )
        return WrittenLine(number, written, "correct", label=replay.label, rules=replay.rules, several=replay.several,
                           feedback=replay.explanation, decided_by=outcome.decided_by, **base)  # fmt: skip
    if outcome.verdict == "inconclusive":
        feedback = f"could not decide whether this equals line {previous.number}: {outcome.reason}"
        return WrittenLine(number, written, "inconclusive", feedback=feedback, **base)
    return _wrong(number, written, previous, expr, value, outcome, base, reading)


def _term_reading(number: int, text: str, previous: WrittenLine, reading: dict, first: Expr) -> WrittenLine | None:
    """The line with each d/dx covering only the product after it, when that reading follows from the line before.

    Typed alone, d/dx x^2 + cos x is the derivative of the whole sum; in the middle of a derivation, after the sum
    rule, the same line means (d/dx x^2) + cos x, the way steps are written. Two readings are reasonable there: the
    line before decides, the step's reading wins where both follow, and the line says which reading it took."""
    try:
        parsed = _parse(text, reading, reach="term")
    except InputError:
        return None
    if parsed.expr == first:  # no operator reaches past a + or -: one reading only
        return None
    line = _check_parsed(number, text, previous, reading, parsed, other_readings=False)
    if line.verdict != "correct":
        return None
    note = f"read this line as {to_text(parsed.expr)}: in a step, each ∂ covers the product after it, which follows from line {previous.number}"
    return replace(line, warnings=(note, *line.warnings))


def _wrong(
    number, written, previous: WrittenLine, expr: Expr, value: Expr, outcome, base: dict, reading: dict
) -> WrittenLine:
    """A line that is not equal to the previous one: the slip that gives it, and what the rewrite should have been."""
    correct = _candidates(previous.expr, DIFF_RULES, reading)
    reason = f"not equal to line {previous.number} ({outcome.reason})"
    slip = _slip(previous.expr, expr, correct, reading) or _slip_in_value(previous.expr, value, reading)
    mistake, right, slips = slip if slip is not None else (None, None, [])
    right = right or _attempted(expr, correct)
    hint = _reach_hint(expr)
    if mistake is None and hint:
        base = {**base, "warnings": (*base["warnings"], hint)}
    if right is None:
        feedback = f"{reason}; line {previous.number} is already as simple as our rules make it"
    else:
        feedback = f"{reason}; the correct step ({right.label}) is {to_text(right.after)}"
    if slips:
        feedback += ": " + "; ".join(slips)
    if mistake is not None:
        feedback += f" (mistake {mistake.id}: {mistake.description})"
    return WrittenLine(number, written, "incorrect", feedback=feedback, decided_by=outcome.decided_by, reason=reason,
                       expected=right.after if right else None, expected_label=right.label if right else "", slips=tuple(slips),
                       mistake=mistake.id if mistake else None, mistake_description=mistake.description if mistake else "", **base)  # fmt: skip


def _reach_hint(expr: Expr) -> str:
    """How far an operator reaches, said on a wrong line where it may be the cause: d/dx takes everything after it up
    to the enclosing bracket (∂/∂x x^2 · sin x is ∂/∂x (x^2 sin x)); Σ_i the product after it, but a bracket ends it
    ((Σ_i u) a_i leaves a_i outside)."""
    outside = _indexed_outside_sums(expr)
    if outside is not None:
        name = to_text(outside)
        return (f"this line reads {to_text(expr)}, with {name} outside the sum Σ_{outside.sub}; write Σ_{outside.sub} u {name} "
                f"(the sum covers the whole product after it) to keep it inside")  # fmt: skip
    for _, node in walk(expr):
        if isinstance(node, Deriv) and isinstance(node.body, (Mul, Add)):
            operator = f"∂/∂{to_text(node.var)}"
            return (f"{operator} applies to everything after it, so this line reads {to_text(expr)}; "
                    f"write ({operator} u) · v to differentiate u alone")  # fmt: skip
    return ""


def _indexed_outside_sums(expr: Expr) -> Var | None:
    """An indexed variable (a_i) not inside a sum over its index, where the line also has such a sum."""
    all_indices = {node.index for _, node in walk(expr) if isinstance(node, Sum)}
    for path, node in walk(expr):
        if isinstance(node, Var) and node.sub in all_indices:
            enclosing = {
                get_at(expr, path[:k]).index for k in range(len(path)) if isinstance(get_at(expr, path[:k]), Sum)
            }
            if node.sub not in enclosing:
                return node
    return None


# -- replaying a step with our rules ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Replay:
    """One way to rewrite the previous line with a rule table; `key` finds the same replay under another table."""

    key: tuple
    after: Expr
    step: Step  # the rewrites of the replay merged into one line (for its label and explanation)
    label: str
    several: bool
    line: int = 0  # for a cut of the engine's run: which of its lines the cut falls in

    @property
    def rules(self) -> tuple[str, ...]:
        return self.step.rules

    @property
    def explanation(self) -> str:
        return explanation(self.step, to_text) if not self.several else f"{self.label}."


def _reproduce(before: Expr, after: Expr, reading: dict) -> _Replay | None:
    """The first replay of our rules from `before` that gives `after` (up to the order of terms and factors)."""
    return next((replay for replay in _candidates(before, DIFF_RULES, reading) if _same(replay.after, after)), None)


def _same(a: Expr, b: Expr) -> bool:
    return a == b or same_form_of(a, b)


def _candidates(before: Expr, table: Sequence[Rule], reading: dict) -> list[_Replay]:
    """The rewrites of `before` we try, in order: the engine's own lines first, then a rule at one place or at all
    places where it is ready, then tidying what the student wrote."""
    replays = _engine_lines(before, table, reading)
    if _has_pending(before):
        replays += _at_places(before, table)
        replays += _tidied(before, ("tidy",))
    return replays


def _engine_lines(before: Expr, table: Sequence[Rule], reading: dict) -> list[_Replay]:
    """The engine's derivation from `before`, cut after each rewrite: a cut inside its first line is that line's rule."""
    if not _has_pending(before):
        return _tidied(before, ("run",))
    try:
        steps = differentiate(before, (), rules=table, **reading).steps
    except DerivError:
        return []
    return _cuts(steps, ("run",))


def _tidied(before: Expr, key: tuple) -> list[_Replay]:
    try:
        steps = simplify(before)
    except DerivError:
        return []
    return _cuts(steps, key)


def _cuts(steps: Sequence[Step], key: tuple) -> list[_Replay]:
    lines = group_lines(tuple(steps), "normal")
    owner = [index for index, line in enumerate(lines) for _ in line.rewrites]
    replays = []
    for cut, step in enumerate(steps):
        line_index = owner[cut]
        done = sum(len(line.rewrites) for line in lines[:line_index])
        partial = Step(
            tuple(r for s in steps[done : cut + 1] for r in s.rewrites),
            lines[line_index].before,
            step.after,
            lines[line_index].phase,
        )
        labels = [line_label(line, to_text) for line in lines[:line_index]] + [line_label(partial, to_text)]
        merged = Step(
            tuple(r for s in steps[: cut + 1] for r in s.rewrites), steps[0].before, step.after, steps[0].phase
        )
        if line_index == 0:
            replays.append(_Replay((*key, cut), step.after, partial, labels[0], False, line_index))
        else:
            replays.append(_Replay((*key, cut), step.after, merged, _several_label(labels), True, line_index))
    return replays


def _several_label(labels: list[str]) -> str:
    distinct = list(dict.fromkeys(labels))
    shown = distinct[:MAX_LISTED_RULES]
    more = len(distinct) - len(shown)
    return f"{SEVERAL}: {', '.join(shown)}" + (f" and {more} more" if more else "")


def _ready(expr: Expr) -> list[tuple[Path, Deriv]]:
    """Pending derivatives whose bodies hold none: where a rule can apply now, leftmost first."""
    return [(path, node) for path, node in walk(expr) if isinstance(node, Deriv) and not _has_pending(node.body)]


def _apply(expr: Expr, path: Path, table: Sequence[Rule]) -> tuple[Expr, Rewrite] | None:
    found = first_match(table, get_at(expr, path))
    if found is None:
        return None
    rule, bindings = found
    after, new_paths = graft(expr, path, rule.rewrite(bindings))
    return after, Rewrite(rule.name, path, bindings, new_paths, rule.group, "diff")


def _at_places(before: Expr, table: Sequence[Rule]) -> list[_Replay]:
    """A rule at one ready place (not the engine's leftmost one, say), and each rule group at every place it is ready."""
    replays = []
    groups: dict[str, None] = {}
    for path, _ in _ready(before):
        applied = _apply(before, path, table)
        if applied is None:
            continue
        after, rewrite = applied
        step = Step((rewrite,), before, after, "diff")
        replays.append(_Replay(("at", path), after, step, line_label(step, to_text), False))
        groups[rewrite.group] = None
    for group in groups:
        after, rewrites = _everywhere(before, group, table)
        if len(rewrites) > 1:
            step = Step(tuple(rewrites), before, after, "diff")
            replays.append(_Replay(("group", group), after, step, line_label(step, to_text), False))
    return replays


def _everywhere(before: Expr, group: str, table: Sequence[Rule]) -> tuple[Expr, list[Rewrite]]:
    """Apply the rules of one group wherever they were ready in `before`, as one line of the engine does."""
    waiting = {id(node) for _, node in _ready(before)}  # `before` keeps these alive; untouched subtrees are shared
    expr, rewrites = before, []
    while True:
        for path, node in _ready(expr):
            found = first_match(table, node) if id(node) in waiting else None
            if found is not None and found[0].group == group:
                expr, rewrite = _apply(expr, path, table)
                rewrites.append(rewrite)
                waiting.discard(id(node))
                break
        else:
            return expr, rewrites


def _attempted(after: Expr, replays: list[_Replay]) -> _Replay | None:
    """The correct replay the student most likely attempted: the first that leaves the same pending derivatives
    (the same places were worked on), else the first that leaves as many, else the engine's next line. A line with
    no ∂ left that only several engine lines reach is shown the engine's finished derivative."""
    if not replays:
        return None
    left = Counter(node for _, node in walk(after) if isinstance(node, Deriv))
    chosen = next((r for r in replays if Counter(n for _, n in walk(r.after) if isinstance(n, Deriv)) == left), None)
    if chosen is None:
        chosen = next(
            (r for r in replays if sum(isinstance(n, Deriv) for _, n in walk(r.after)) == sum(left.values())),
            replays[0],
        )
    if chosen.several and not left:
        return _whole_line(chosen, replays, last=True)
    return _whole_line(chosen, replays)


def _whole_line(replay: _Replay, replays: list[_Replay], last: bool = False) -> _Replay:
    """A cut inside one of the engine's lines stands for the whole line (0 + 1 + 0, not 0 + ∂y/∂y + ∂z/∂y); with
    last, for the end of the run."""
    if replay.key[0] not in ("run", "tidy"):
        return replay
    same = [r for r in replays if r.key[0] == replay.key[0] and (last or r.line == replay.line)]
    return same[-1] if same else replay


# -- naming the slip of a wrong line ------------------------------------------------------------------------------------
def _slip(before: Expr, after: Expr, correct: list[_Replay], reading: dict):
    """The first catalogued slip whose replay gives the student's line exactly: (mistake, the correct replay, details)."""
    by_key = {replay.key: replay for replay in correct}
    for mistake in MISTAKES:
        if mistake.patch is None:
            continue
        table = mistake.patch(DIFF_RULES)
        for replay in _candidates(before, table, reading):
            right = by_key.get(replay.key)
            if not _same(replay.after, after) or (right is not None and _same(right.after, replay.after)):
                continue
            if replay.several or (right is not None and right.several):
                right = (
                    None  # the runs part at the slip, so a later cut of ours is no counterpart: _attempted picks one
                )
            return mistake, right, _slip_details(replay.step, table, reading)
    return None


def _slip_details(step: Step, table: Sequence[Rule], reading: dict) -> list[str]:
    """ "∂x/∂y = 0, not 1" for each place where the slip's rule and ours give different rewrites."""
    details = []
    expr = step.before
    for rewrite in step.rewrites:
        if rewrite.phase != "diff":
            continue
        node = get_at(expr, rewrite.path) if _reaches(expr, rewrite.path) else None
        if isinstance(node, Deriv):
            right, wrong = first_match(DIFF_RULES, node), first_match(table, node)
            if right is not None and wrong is not None and right[0].rewrite(right[1]) != wrong[0].rewrite(wrong[1]):
                good = _worked(right[0].rewrite(right[1]), DIFF_RULES, reading)
                bad = _worked(wrong[0].rewrite(wrong[1]), table, reading)
                if good != bad:
                    details.append(f"{to_text(node)} = {to_text(good)}, not {to_text(bad)}")
        expr = _after_rewrite(expr, rewrite, table)
    return list(dict.fromkeys(details))[:MAX_SLIPS_SHOWN]


def _worked(expr: Expr, table: Sequence[Rule], reading: dict) -> Expr:
    """A rewrite with its own pending derivatives worked out by the same table: ∂x/∂x shows as 1."""
    if not _has_pending(expr):
        return expr
    try:
        return differentiate(expr, (), rules=table, **reading).result
    except DerivError:
        return expr


def _reaches(expr: Expr, path: Path) -> bool:
    try:
        get_at(expr, path)
    except (IndexError, AttributeError, TypeError):
        return False
    return True


def _after_rewrite(expr: Expr, rewrite: Rewrite, table: Sequence[Rule]) -> Expr:
    """The expression after one recorded rewrite of the slip's replay: the next rewrite's path points into it."""
    found = first_match(table, get_at(expr, rewrite.path)) if _reaches(expr, rewrite.path) else None
    if found is None:
        return expr
    return graft(expr, rewrite.path, found[0].rewrite(found[1]))[0]


def _slip_in_value(before: Expr, value: Expr, reading: dict):
    """A slip whose whole derivation from `before` ends at the student's value: named, without a rewrite to show."""
    if not _has_pending(before):
        return None
    for mistake in MISTAKES:
        if mistake.patch is None:
            continue
        try:
            slipped = differentiate(before, (), rules=mistake.patch(DIFF_RULES), **reading).result
        except DerivError:
            continue
        if _has_pending(slipped) or slipped == _value(before, reading):
            continue
        if equivalent(slipped, value).verdict == "correct":
            return mistake, None, []
    return None


# -- the whole derivation -------------------------------------------------------------------------------------------
def _summarize(
    lines: tuple[WrittenLine, ...], problem: Expr, derivative: Expr, last: WrittenLine, reading: dict
) -> WrittenReport:
    wrt = _wrt(problem)
    wrong = [line for line in lines if line.verdict == "incorrect"]
    invalid = [line for line in lines if line.verdict == "invalid"]
    undecided = [line for line in lines if line.verdict == "inconclusive"]
    notes: list[str] = []
    first_wrong = wrong[0].number if wrong else None
    if wrong:
        verdict = "incorrect"
        feedback = f"line {first_wrong} is wrong"
        if wrong[0].mistake:
            feedback += f" ({wrong[0].mistake})"
        if wrong[0].expected is not None:
            feedback += f"; the correct step there is {to_text(wrong[0].expected)}"
        if len(wrong) > 1:
            others = [str(line.number) for line in wrong[1:]]
            feedback += f"; also wrong: line{'s' if len(others) > 1 else ''} {', '.join(others)}"
    elif invalid:
        verdict = "invalid"
        feedback = f"line {invalid[0].number} cannot be checked; the lines after it were checked against the last readable line"
    elif undecided:
        verdict = "inconclusive"
        feedback = f"line {undecided[0].number} could not be decided: {undecided[0].feedback}"
    elif len(lines) == 1:
        verdict = "unfinished"
        feedback = "only the problem is written: work it out one step per line"
    elif _has_pending(last.expr):
        pending = next(node for _, node in walk(last.expr) if isinstance(node, Deriv))
        verdict = "unfinished"
        feedback = (
            f"every line is right, but line {last.number} still contains {to_text(pending)}: finish the derivative"
        )
        nxt = _candidates(last.expr, DIFF_RULES, reading)
        if nxt:
            feedback += f" (next step: {_whole_line(nxt[0], nxt).label})"
    else:
        verdict = "correct"
        feedback = (
            f"every line follows from the one before, and line {last.number} is the derivative: {to_text(last.expr)}"
        )
        if not same_form_of(last.expr, derivative) and (note := simplification_note(last.expr)):
            notes.append(note)  # the answer checker's note: what is left to simplify, named by its rule
    return WrittenReport(lines, verdict, feedback, problem, wrt, derivative, first_wrong, tuple(notes))


def _wrt(problem: Expr) -> tuple[Var, ...]:
    found = []
    for _, node in walk(problem):
        if isinstance(node, Deriv) and isinstance(node.var, Var) and node.var not in found:
            found.append(node.var)
    return tuple(found)
