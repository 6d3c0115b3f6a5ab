"""Checks homework answers: is a student's derivative, expression or antiderivative right, and which layer decided.

"Equal" is decided by the one equivalence service (equivalence.py: structural, symbolic, numeric layers, one sampling
and tolerance policy); this module reads the answers, asks it, and words the verdict. A verdict is "correct",
"incorrect", "inconclusive" (sampling could not decide, or SymPy ran past limits.CAS_SECONDS or limits.CAS_MEMORY_MB:
never reported as "incorrect") or "invalid" (the answer could not be read, or is undefined). Each check's SymPy work is
one call in the CAS worker (workers.run); a search over renamings, one call per renaming.

A wrong answer is replayed against the mistake catalogue (mistakes.py); the first slip that reproduces it names the mistake.
One that no slip explains is told where it differs, and whose value is whose, at a point a student can check by hand
(equivalence.where_they_differ): "your answer is 5 at x = 2; the derivative is 4". So is a wrong expression ("…; the
expected expression is 4") and a wrong antiderivative ("…: it is 5 at x = 2; the integrand is 4").

A right answer is "not simplified" when our light simplifier (the derivation's last phase, core.engine.simplify)
still changes it by more than the order of its terms and factors; the note names the first such rewrite, its rule
and the subterm before and after: "(x^3)^2 can be written x^6 (power of a power)". An answer in the form our own
derivation ends with is never called unsimplified, however long it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from ..cas import workers
from ..cas.equivalence import (
    Equivalence,
    before_sympy,
    compare_trees,
    constant_factor_between,
    renamings,
    rounding_tolerance,
    where_they_differ,
)
from ..core.derivation import Displayed
from ..core.errors import CasLimitError, DerivError
from ..core.tree import Call, Deriv, Expr, Path, Var, get_at, variables, walk
from ..core.vocabulary import ANSWER_VERDICTS, Layer
from ..core.vocabulary import Verdict as Is  # the vocabulary's Verdict: this module's Verdict is the result
from .sameform import MODES as SAME_FORM_MODES
from .sameform import same_form_of

# The equivalence service's verdicts, and "invalid": the answer could not be read, or is undefined.
VERDICTS = ANSWER_VERDICTS
MAX_RENAMED = 4
# Whose value is whose where a wrong answer and the expected one differ: the expected side first, the student's second.
DERIVATIVE_NAMES = ("the derivative", "your answer")
EXPRESSION_NAMES = ("the expected expression", "your answer")
INTEGRAND_NAMES = ("the integrand", "it")  # "it": the derivative of the answer, named just before


@dataclass(frozen=True)
class Verdict(Displayed):
    """The outcome of one check: the verdict, the layer that decided it, feedback in words, the expected answer."""

    verdict: Is  # one of VERDICTS
    decided_by: Layer | None
    feedback: str = ""
    expected: Expr | None = None
    notes: tuple[str, ...] = field(default=())
    mistake: str | None = None  # the id of the catalogued mistake the answer shows (none catalogued yet)

    @property
    def ok(self) -> bool:
        """Whether the answer is right."""
        return self.verdict == Is.CORRECT


# -- the library ---------------------------------------------------------------------------------------------------------
def check_answer(
    expr: Expr | str,
    wrt: Var | str | Sequence[Var | str] | None,
    answer: Expr | str,
    *,
    variables: Sequence[str] = (),
    functions: Sequence[str] = (),
) -> Verdict:
    """Is `answer` the derivative of `expr` by `wrt`? Raises DerivError only for a bad problem, never for a bad answer."""
    from ..calculus.derivative import differentiate
    from ..language.mathtext import to_text

    derivation = differentiate(expr, wrt, variables=variables, functions=functions)
    expected = derivation.result
    read = _read_answer(answer, variables, functions)
    if isinstance(read, Verdict):
        return Verdict(read.verdict, None, read.feedback, expected)
    student, reading = read
    pending = _pending(student)
    if pending is not None:
        return _noted(
            Verdict(
                Is.INCORRECT,
                Layer.STRUCTURAL,
                f"still contains ∂/∂{to_text(pending.var)}: finish the derivative",
                expected,
            ),
            reading,
        )
    if student == expected:
        return _noted(Verdict(Is.CORRECT, Layer.STRUCTURAL, "correct", expected), reading)
    try:
        typed = answer if isinstance(answer, str) else None  # the mistake catalogue re-reads it (missing brackets)
        judged = (derivation.expr, derivation.wrt, expected, student, tuple(variables), tuple(functions), typed)
        return _noted(workers.run(_judge_answer, *judged, what="answer check"), reading)
    except CasLimitError as error:
        return _noted(Verdict(Is.INCONCLUSIVE, None, f"could not decide: {error.message}", expected), reading)


def _judge_answer(
    expr: Expr,
    wrt: tuple[Var, ...],
    expected: Expr,
    student: Expr,
    variables: Sequence[str],
    functions: Sequence[str],
    typed: str | None = None,
) -> Verdict:
    """check_answer's SymPy part, one call under the CAS deadline: the layers, the mistake catalogue, a constant factor."""
    outcome = compare_trees(expected, student, rounded=(student,), names=DERIVATIVE_NAMES)
    notes = list(outcome.notes)
    if outcome.verdict == Is.CORRECT:
        if not same_form_of(student, expected) and (note := simplification_note(student)) is not None:
            notes.append(note)
        return Verdict(Is.CORRECT, outcome.decided_by, "correct", expected, tuple(notes))
    if outcome.verdict == Is.INCORRECT:
        from .mistakes import diagnose

        found = diagnose(expr, wrt, student, variables=variables, functions=functions, text=typed)
        mistake, feedback = (found.mistake, found.feedback) if found is not None else (None, None)
        factor = constant_factor_between(student, expected)
        if factor is not None:
            notes.append(f"right up to a constant factor: your answer is {factor} times the derivative")
        if feedback is None:  # a point where they differ, and whose value is whose; the layer's reason if none is found
            where = where_they_differ(expected, student, DERIVATIVE_NAMES, tolerance=rounding_tolerance(student))
            feedback = f"incorrect: {where or f'your answer is not the derivative ({outcome.reason})'}"
        return Verdict(Is.INCORRECT, outcome.decided_by, feedback, expected, tuple(notes), mistake)
    return Verdict(Is.INCONCLUSIVE, None, outcome.reason, expected, tuple(notes))


def simplification_note(answer: Expr) -> str | None:
    """The note on a right answer that our light simplifier still changes by more than reordering or regrouping its
    terms and factors: its first such rewrite, with the rule's label ("correct, but not simplified: x^2/x can be
    written x (cancel)"); None when there is none.

    Generic over the rule table: whatever rules simplify_rules.SIMPLIFY_RULES holds, the note names the one that
    applied, from the recorded step (its path in the expression before, its new paths in the expression after).
    """
    from ..core.engine import simplify
    from ..language.labels import fill_template, rule_named
    from ..language.mathtext import to_text

    try:
        steps = simplify(answer)
    except DerivError:  # an answer too large to tidy within the limits is judged, not tidied
        return None
    for step in steps:
        for rewrite in step.rewrites:
            before, after = get_at(step.before, rewrite.path), _rewritten(step.after, rewrite.new_paths)
            if after is None or same_form_of(before, after):  # 2x + x^2 is as simple as x^2 + 2x
                continue
            rule = rule_named(rewrite.rule)
            label = rewrite.rule if rule is None else fill_template(rule.label, rewrite.bindings, to_text)
            return f"correct, but not simplified: {to_text(before)} can be written {to_text(after)} ({label})"
    return None


def _rewritten(after: Expr, new_paths: tuple[Path, ...]) -> Expr | None:
    """What a rewrite put in place: the node at its one new path, or the parts it spliced into the parent sum or
    product (a product joining its parent product), as one node of the parent's kind; None when it put nothing."""
    if not new_paths:
        return None
    if len(new_paths) == 1:
        return get_at(after, new_paths[0])
    parent = get_at(after, new_paths[0][:-1])
    return type(parent)(tuple(get_at(after, path) for path in new_paths))


def equivalent_expressions(
    a: Expr | str,
    b: Expr | str,
    *,
    same_form: bool | str = False,
    rename: bool = False,
    fixed: Iterable[str] = (),
    variables: Sequence[str] = (),
    functions: Sequence[str] = (),
    names: tuple[str, str] = EXPRESSION_NAMES,
) -> Verdict:
    """Are a and b equal as functions (or, with same_form, equal up to commutativity and associativity of + and ·)?

    same_form: True or "order" (STACK's EqualComAss), or "signs" (also where minus signs sit, as KAS's form compare).

    rename: also accept a and b when some one-to-one renaming of a's variables (those not in `fixed`) onto b's makes
    them equal, trying every renaming when there are at most MAX_RENAMED variables.

    names: whose values a difference shows, a's then b's (b is a student's answer to a by default): the feedback on
    values that differ is "your answer is 5 at x = 2; the expected expression is 4".
    """
    sides = (_read_answer(a, variables, functions), _read_answer(b, variables, functions))
    for side in sides:
        if isinstance(side, Verdict):
            return side
    (first, reading_a), (second, reading_b) = sides
    verdict = _equivalent_trees(first, second, same_form, rename, fixed)
    if verdict.verdict == Is.CORRECT and (note := _domains_differ(first, second)) is not None:
        verdict = replace(verdict, notes=(*verdict.notes, note))
    if verdict.verdict == Is.INCORRECT and not same_form and not rename:  # the form and renaming verdicts say why
        where = where_they_differ(first, second, names, tolerance=rounding_tolerance(first, second))
        verdict = replace(verdict, feedback=where or verdict.feedback)
    return _noted(verdict, tuple(dict.fromkeys((*reading_a, *reading_b))))


def _domains_differ(first: Expr, second: Expr) -> str | None:
    """Equal as functions, but not defined on the same numbers (ln|x| and ln(x)): where each is defined, said."""
    from ..core.domain import conditions
    from ..language.mathtext import to_text

    def where(conds) -> str:
        return ", ".join(c.text() for c in conds) or "every real number"

    own_first, own_second = conditions(first), conditions(second)
    if where(own_first) == where(own_second):
        return None
    return (
        f"equal where both are defined: {where(conditions(first, second))}; {to_text(first)} is defined for "
        f"{where(own_first)}, {to_text(second)} for {where(own_second)}"
    )


def _equivalent_trees(first: Expr, second: Expr, same_form, rename, fixed) -> Verdict:
    if first == second:
        return Verdict(Is.CORRECT, Layer.STRUCTURAL, "identical")
    if same_form:
        if same_form not in (True, *SAME_FORM_MODES):
            raise ValueError(f"same_form must be one of {SAME_FORM_MODES}, not {same_form!r}")
        if same_form_of(first, second, signs=same_form == "signs"):
            how = "order of terms and factors" + (" and the minus signs" if same_form == "signs" else "")
            return Verdict(Is.CORRECT, Layer.STRUCTURAL, f"the same up to the {how}")
        return Verdict(Is.INCORRECT, Layer.STRUCTURAL, "not the same form (equal or not, the terms or factors differ)")
    try:
        if rename:
            return _renamed(first, second, tuple(fixed))
        # Exact arithmetic and the probe decide most pairs here, without SymPy and without a call to the CAS worker.
        early = before_sympy(first, second, tolerance=rounding_tolerance(first, second))
        if early is not None:
            return _verdict(early)
        return workers.run(_sympy_equivalence, first, second, None, False, what="equivalence check")
    except CasLimitError as error:
        return Verdict(Is.INCONCLUSIVE, None, f"could not decide: {error.message}")


def _sympy_equivalence(
    first: Expr, second: Expr, renaming: dict[str, str] | None = None, before: bool = True
) -> Verdict:
    """The symbolic and numeric layers on first (its variables renamed by `renaming`) and second: one CAS worker call
    (before: the layers on our trees first, as compare_trees)."""
    return _verdict(compare_trees(first, second, rounded=(first, second), renaming=renaming, before=before))


def _verdict(outcome: Equivalence, expected: Expr | None = None) -> Verdict:
    return Verdict(outcome.verdict, outcome.decided_by, outcome.reason, expected, outcome.notes)


def _renamed(first: Expr, second: Expr, fixed: tuple[str, ...]) -> Verdict:
    """Try every renaming, each its own call in the CAS worker: the search may take up to MAX_RENAMED! calls, and
    each is held to limits.CAS_SECONDS (a search of 24 took 5 s in all, over the limit as one call)."""
    plan = workers.run(_renaming, first, second, fixed, what="equivalence check")
    if isinstance(plan, Verdict):
        return plan
    ours, theirs, candidates = plan
    if not candidates:
        return Verdict(
            Is.INCORRECT,
            Layer.NUMERIC,
            f"not equal under any renaming of {', '.join(map(str, ours))} (values at a random point)",
        )
    undecided = None
    first_no = None
    for image in candidates:
        mapping = dict(zip(ours, image))
        outcome = workers.run(_sympy_equivalence, first, second, mapping, what="equivalence check")
        if outcome.verdict == Is.CORRECT:
            shown = ", ".join(f"{k}→{v}" for k, v in mapping.items() if k != v)
            return Verdict(Is.CORRECT, outcome.decided_by, f"equal after renaming {shown}" if shown else "equal")
        if outcome.verdict == Is.INCONCLUSIVE:
            undecided = undecided or outcome
        first_no = first_no or outcome
    if undecided is not None:
        return undecided
    return Verdict(Is.INCORRECT, first_no.decided_by, f"not equal under any renaming of {', '.join(map(str, ours))}")


def _renaming(
    first: Expr, second: Expr, fixed: tuple[str, ...]
) -> Verdict | tuple[list[str], list[str], list[tuple[str, ...]]]:
    """The variables to rename onto each other (first's, second's) and the renamings worth a full check, or the verdict
    when no renaming is tried. A renaming whose values already differ at one random point is dropped here, cheaply:
    a full check of each of 24 renamings took more than limits.CAS_SECONDS in all (stack-SubstEquiv-020)."""
    ours, theirs, candidates = renamings(first, second, fixed, MAX_RENAMED)
    if candidates is None:
        outcome = _sympy_equivalence(first, second)
        if outcome.verdict == Is.CORRECT or len(ours) == len(theirs):
            return outcome
        return Verdict(
            Is.INCORRECT,
            outcome.decided_by or Layer.STRUCTURAL,
            f"{len(ours)} variables cannot be renamed one-to-one to {len(theirs)}",
        )
    return ours, theirs, candidates


def check_antiderivative(
    f: Expr | str,
    wrt: Var | str,
    g: Expr | str,
    *,
    require_constant: bool = False,
    variables: Sequence[str] = (),
    functions: Sequence[str] = (),
) -> Verdict:
    """Is g an antiderivative of f? We differentiate g with our engine and compare with f on the domain of g.

    A constant of integration is optional (required with require_constant) and may have any name: a variable of g
    that is neither in f nor wrt. log(x) for ∫ 1/x is accepted, on the part of the line where it is defined, with a
    note that log(|x|) covers both signs. `expected` is g′ as our engine writes it.
    """
    integrand = _read(f, variables, functions)
    read = _read_answer(g, variables, functions)
    if isinstance(read, Verdict):
        return read
    student, reading = read
    return _noted(_judge_antiderivative(integrand, wrt, student, require_constant, variables, functions), reading)


def _judge_antiderivative(
    integrand: Expr, wrt, student: Expr, require_constant: bool, variables: Sequence[str], functions: Sequence[str]
) -> Verdict:
    from ..calculus.derivative import differentiate
    from ..language.mathtext import to_text

    pending = _pending(student)
    if pending is not None:
        return Verdict(
            Is.INCORRECT, Layer.STRUCTURAL, f"still contains ∂/∂{to_text(pending.var)}: finish the derivative"
        )
    var = Var(wrt) if isinstance(wrt, str) else wrt
    derivative = differentiate(student, var, variables=variables, functions=functions).result
    shown = to_text(derivative)
    constants = sorted(
        {v for v in _vars(student) if v not in _vars(integrand) and v != var}, key=lambda v: (v.name, v.sub or "")
    )
    notes = []
    if derivative == integrand:
        outcome, differentiated = Verdict(Is.CORRECT, Layer.STRUCTURAL), False
    else:
        try:
            outcome, differentiated = workers.run(
                _antiderivative_outcome, integrand, derivative, student, var, what="answer check"
            )
        except CasLimitError as error:
            return Verdict(Is.INCONCLUSIVE, None, f"could not decide: {error.message}", derivative)
        notes += outcome.notes
    if outcome.verdict == Is.INCORRECT:
        feedback = f"the derivative of your answer is {shown}, not {to_text(integrand)}"
        where = where_they_differ(integrand, derivative, INTEGRAND_NAMES, domain=(student,))
        if where is not None:  # "…: it is 5 at x = 2; the integrand is 4"
            feedback += f": {where}"
        if differentiated:
            feedback += "; you differentiated instead of integrating"
        return Verdict(Is.INCORRECT, outcome.decided_by, feedback, derivative, tuple(notes))
    if outcome.verdict == Is.INCONCLUSIVE:
        return Verdict(Is.INCONCLUSIVE, None, outcome.feedback, derivative, tuple(notes))
    notes += _log_notes(student, to_text)
    if not constants:
        if require_constant:
            return Verdict(
                Is.INCORRECT,
                outcome.decided_by,
                "right up to the constant of integration: add one (+ C)",
                derivative,
                tuple(notes),
            )
        notes.append("tip: add a constant of integration (+ C)")
    elif len(constants) > 1:
        notes.append(f"several constants of integration ({', '.join(map(to_text, constants))}): one is enough")
    return Verdict(
        Is.CORRECT, outcome.decided_by, f"correct: the derivative of your answer is {shown}", derivative, tuple(notes)
    )


def _antiderivative_outcome(integrand: Expr, derivative: Expr, student: Expr, var: Var) -> tuple[Verdict, bool]:
    """check_antiderivative's SymPy part, one call under the CAS deadline: is g′ = f, and if not, is g = f′?"""
    outcome = _verdict(compare_trees(derivative, integrand, domain=(student,), rounded=(student, integrand)))
    return outcome, outcome.verdict == Is.INCORRECT and _differentiated(integrand, var, student)


def _log_notes(answer: Expr, to_text) -> list[str]:
    """log(u) without |u|: an antiderivative only where u > 0 (the derivative of both log(u) and log(|u|) is u′/u)."""
    notes = []
    for _, node in walk(answer):
        if isinstance(node, Call) and node.fn in ("log", "ln") and len(node.args) == 1:
            if not any(isinstance(inner, Call) and inner.fn == "abs" for _, inner in walk(node.args[0])):
                u = to_text(node.args[0])
                notes.append(f"{to_text(node)} is an antiderivative only where {u} > 0; log(|{u}|) also covers {u} < 0")
    return list(dict.fromkeys(notes))


def _differentiated(integrand: Expr, var: Var, student: Expr) -> bool:
    """Whether the student's answer is the derivative of the integrand (differentiated instead of integrated)."""
    from ..calculus.derivative import differentiate

    try:
        twice = differentiate(integrand, var).result
        return compare_trees(twice, student).verdict == Is.CORRECT
    except DerivError:
        return False


# -- reading ---------------------------------------------------------------------------------------------------------------
def _read(text: Expr | str, variables: Sequence[str], functions: Sequence[str]) -> Expr:
    if not isinstance(text, str):
        return text
    from ..language.parser import parse

    return parse(text, variables=variables, functions=functions).expr


def _read_answer(
    text: Expr | str, variables: Sequence[str], functions: Sequence[str]
) -> tuple[Expr, tuple[str, ...]] | Verdict:
    """The answer's tree and the notes on how it was read (f'(x) = 2x as 2x), or an "invalid" verdict saying where it
    could not be read: student text is data."""
    if not isinstance(text, str):
        return text, ()
    from ..language.parser import parse

    try:
        parsed = parse(text, variables=variables, functions=functions)
    except DerivError as error:
        return Verdict(Is.INVALID, None, f"cannot read the answer: {error}")
    return parsed.expr, parsed.warnings


def _noted(verdict: Verdict, reading: tuple[str, ...]) -> Verdict:
    """The verdict with the notes on how the answer was read first: a grade must say which reading it judged."""
    return replace(verdict, notes=(*reading, *verdict.notes)) if reading else verdict


def _pending(expr: Expr) -> Expr | None:
    """The first pending derivative in the answer, or None."""
    for _, node in walk(expr):
        if isinstance(node, Deriv):
            return node
    return None


def _vars(expr: Expr) -> set[Var]:
    return set(variables(expr))
