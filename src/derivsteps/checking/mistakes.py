"""The catalogue of known slips: each a wrong rule table that replays a student's mistake, and the diagnosis of an answer.

A slip is data, like the cheat sheet: `patch` turns DIFF_RULES into the table a student with that slip would use.
`diagnose` replays the derivation with each wrong table in catalogue order and names the first slip whose result equals
the student's answer, pointing at the step of the correct derivation where the two derivations part.

Order is part of the catalogue, as in rules.py: specific before general. `data_factor_dropped` stands first: in a
Σ-loss the inner derivative of (s a_i - y_i)^2 is a_i itself, so forgetting it is also `chain_inner_forgotten`, and
the data-specific name tells the student more. `ln_without_inner` is
`chain_inner_forgotten` restricted to ln, so it stands before it: for ln(x^2) answered 1/x^2 both reproduce the answer and
the narrower name wins; for ln(x^2) + sin(x^2) answered 1/x^2 + 2x cos(x^2) only the ln slip does. Some slips are
not one wrong table: `missing_brackets` (the answer's text re-read with brackets around an operand of / or ^: a
right answer typed without them, 2x/x^2+1 for 2x/(x^2+1), stands first, as no slip of the rules explains it better),
`term_sign_flipped` (a wrong table per term of each sum: the sign of that one term's derivative flipped),
`wrong_variable` (the right table, another variable), `variable_misnamed` (the right derivative in a variable the
problem does not have: 2X or 2t for 2x) and `integrated_instead` (the answer's own derivative, by our engine, is the
problem: cheaper and exact, where sympy.integrate would be slow and only up to a constant).

A slip is named only when its replay gives the student's answer and a value other than the right derivative's: a
slip that changes nothing (the sign of a constant term's derivative, 0) never accuses an answer, right or wrong.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from ..calculus.derivative import differentiate
from ..cas.equivalence import equivalent
from ..core.derivation import Derivation
from ..core.errors import DerivError
from ..core.rules import DIFF_RULES, Bindings, Rule
from ..core.tree import (
    ONE,
    Add,
    Call,
    Const,
    Deriv,
    Div,
    Expr,
    Mul,
    Neg,
    Num,
    Pow,
    Var,
    add,
    free_of,
    get_at,
    mul,
    replace_all,
    variables,
    walk,
)
from ..language.mathtext import to_text

Table = tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class Mistake:
    id: str  # stable: JSON, the class report and the checker's Verdict.mistake use it
    description: str  # the slip in the notation of the lecture
    patch: Callable[[Table], Table] | None  # the table the slip amounts to; None: not a wrong rule (see _REPLAYS)
    feedback: str  # a template over the parting step: {step} {node} {right} {slip} {answer} {inner} {wrt} {other}


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """The slip that reproduces a wrong answer, and where the correct derivation goes the other way."""

    mistake: str  # Mistake.id
    description: str
    feedback: str
    step_index: int | None  # index into the correct derivation's steps (one rewrite each) where the paths part
    rule: str | None  # the correct rule at that step


# -- patching the table ---------------------------------------------------------------------------------------------
def _with_rewrite(name: str, rewrite: Callable[[Bindings], Expr], when: Callable[[Bindings], bool] = lambda b: True):
    """A patch that replaces the rewrite of the rule `name` by a wrong one (only where `when` holds)."""

    def patch(table: Table) -> Table:
        return tuple(
            replace(rule, rewrite=lambda b, right=rule.rewrite: rewrite(b) if when(b) else right(b))
            if rule.name == name
            else rule
            for rule in table
        )

    return patch


def _with_match(name: str, match: Callable[[Expr], Bindings | None], rewrite: Callable[[Bindings], Expr] | None = None):
    """A patch that replaces the match (and optionally the rewrite) of the rule `name`."""

    def patch(table: Table) -> Table:
        return tuple(
            replace(rule, match=match, rewrite=rewrite or rule.rewrite) if rule.name == name else rule for rule in table
        )

    return patch


def _both(*patches: Callable[[Table], Table]) -> Callable[[Table], Table]:
    def patch(table: Table) -> Table:
        for one in patches:
            table = one(table)
        return table

    return patch


def _rule(name: str) -> Rule:
    return next(rule for rule in DIFF_RULES if rule.name == name)


def _minus_one(n: Expr) -> Expr:
    return Add((n, Neg(ONE)))


def _is_data(var: Var) -> bool:
    """a_i inside a sum over i: one value per data point, constant for every parameter."""
    return var.sub is not None and var.sub.isalpha()


def _held(expr: Expr) -> list[Var]:
    return [v for v in variables(expr) if not _is_data(v)]


# held_constant_differentiated: a variable other than x is not a constant, and ∂b/∂x = 1 (b moves with x).
def _constant_without_variables(expr: Expr) -> Bindings | None:
    found = _rule("constant").match(expr)
    if found is None:
        return None
    held = [v for v in _held(found["c"]) if v != found["x"]]
    return {**found, "held": tuple(held)} if held else found


def _held_as_variable(b: Bindings) -> Expr:
    if not b.get("held"):
        return Num(0)
    return add(*(Deriv(b["c"], v) for v in b["held"]))


def _factor_without_variables(expr: Expr) -> Bindings | None:
    found = _rule("constant_factor").match(expr)
    return None if found is None or _held(found["c"]) else found


# data_factor_dropped: in ∂(f(s a_i + ...))/∂s the factor a_i goes missing.
def _drop_data(b: Bindings) -> Expr:
    kept = [
        f
        for f in (b["c"].factors if isinstance(b["c"], Mul) else (b["c"],))
        if not (isinstance(f, Var) and _is_data(f))
    ]
    return mul(*kept, Deriv(b["u"], b["x"])) if kept else Deriv(b["u"], b["x"])


def _has_data_factor(b: Bindings) -> bool:
    return "divide" not in b and any(
        isinstance(f, Var) and _is_data(f) for f in (b["c"].factors if isinstance(b["c"], Mul) else (b["c"],))
    )


def _exp_as_power(b: Bindings) -> Expr:
    x = b["x"]
    power = Call("exp", (_minus_one(x),)) if "call" in b else Pow(Const("e"), _minus_one(x))
    return Mul((x, power))


def _is_ln(b: Bindings) -> bool:
    return isinstance(b["f"], Call) and b["f"].fn in ("ln", "log") and len(b["f"].args) == 1


# quotient_sign_plus: (u′·v + u·v′)/v², the product rule's plus in the quotient rule.
def _quotient_plus(b: Bindings) -> Expr:
    u, v, x = b["u"], b["v"], b["x"]
    return Div(Add((Mul((Deriv(u, x), v)), Mul((u, Deriv(v, x))))), Pow(v, Num(2)))


# term_sign_flipped: in one sum, the derivative of one term with the opposite sign (x^2 - 3x answered 2x + 3).
def _sign_flipped(total: Add, index: int) -> Callable[[Table], Table]:
    """The sum rule with the sign of the derivative of term `index` of the sum `total` flipped (there only)."""

    def flipped(b: Bindings) -> Expr:
        terms = list(_rule("sum").rewrite(b).terms)  # type: ignore[attr-defined]  # the sum rule gives a sum
        terms[index] = terms[index].arg if isinstance(terms[index], Neg) else Neg(terms[index])
        return Add(tuple(terms))

    return _with_rewrite("sum", flipped, when=lambda b: b["u"] == total)


def _minus_dropped(negated: Neg) -> Callable[[Table], Table]:
    """∂(-u)/∂x = ∂u/∂x for the one negation `negated` outside a sum (-x^2 answered 2x): its minus sign dropped."""
    return _with_rewrite(
        "constant_factor", lambda b: Deriv(b["u"], b["x"]), when=lambda b: b["c"] == Neg(ONE) and b["u"] == negated.arg
    )


# fmt: off
MISTAKES: tuple[Mistake, ...] = (
    Mistake("missing_brackets", "brackets missing around a numerator, denominator or exponent: 2x/x^2+1 typed for "
            "2x/(x^2+1), e^2x for e^(2x)", None,
            "Your answer {typed} reads as {answer}; with brackets, {bracketed} is right: put brackets around the "
            "{operand}."),
    Mistake("data_factor_dropped", "∂(s·a_i)/∂s = 1: the data factor a_i dropped inside a Σ-loss",
            _with_rewrite("constant_factor", _drop_data, when=_has_data_factor),
            "At step {step} the data value stays as a factor: {node} = {right}, not {slip}; "
            "your answer {answer} has lost it."),
    Mistake("ln_without_inner", "∂ln(u)/∂x = 1/u, without the factor ∂u/∂x",
            _with_rewrite("chain", lambda b: Deriv(b["f"], b["u"]), when=_is_ln),
            "At step {step} the chain rule needs the inner derivative {inner}, so {node} = {right}; "
            "your answer has {answer} without it."),
    Mistake("chain_inner_forgotten", "∂f(u)/∂x = f′(u), without the factor ∂u/∂x",
            _with_rewrite("chain", lambda b: Deriv(b["f"], b["u"])),
            "At step {step} the chain rule needs the inner derivative {inner}; your answer has {answer} without it."),
    Mistake("exponent_not_reduced", "∂xⁿ/∂x = n·xⁿ instead of n·xⁿ⁻¹",
            _with_rewrite("exponent", lambda b: mul(b["n"], Pow(b["x"], b["n"]))),
            "At step {step} the exponent rule lowers the exponent by one: {node} = {right}, not {slip}; "
            "your answer {answer} keeps the exponent."),
    Mistake("product_of_derivatives", "∂(u·v)/∂x = ∂u/∂x·∂v/∂x instead of the product rule",
            _with_rewrite("product", lambda b: Mul(tuple(Deriv(f, b["x"]) for f in b["u"].factors))),
            "At step {step} the product rule gives {node} = {right}: differentiate one factor at a time and add; "
            "your answer {answer} multiplies the derivatives."),
    Mistake("quotient_numerator_reversed", "∂(u/v)/∂x = (u·v′ − u′·v)/v²: the numerator the wrong way round",
            _with_rewrite("quotient", lambda b: Div(Add((Mul((b["u"], Deriv(b["v"], b["x"]))), Neg(Mul((Deriv(b["u"], b["x"]), b["v"]))))),
                                                    Pow(b["v"], Num(2)))),
            "At step {step} the quotient rule gives {node} = {right}: the derivative of the numerator comes first, "
            "not {slip}; your answer {answer} has the opposite sign."),
    Mistake("quotient_sign_plus", "∂(u/v)/∂x = (u′·v + u·v′)/v²: a plus in the numerator, as in the product rule",
            _with_rewrite("quotient", _quotient_plus),
            "At step {step} the quotient rule subtracts: {node} = {right}, not {slip}; your answer {answer} adds "
            "the two products, as the product rule does."),
    Mistake("quotient_denominator_not_squared", "∂(u/v)/∂x = (u′·v − u·v′)/v: the denominator not squared",
            _with_rewrite("quotient", lambda b: Div(Add((Mul((Deriv(b["u"], b["x"]), b["v"])), Neg(Mul((b["u"], Deriv(b["v"], b["x"])))))),
                                                    b["v"])),
            "At step {step} the quotient rule divides by the denominator squared: {node} = {right}, not {slip}; "
            "your answer {answer} divides by {v} only once."),
    Mistake("exp_as_power", "∂eᵘ/∂u = u·eᵘ⁻¹: the exponential treated as a power (and aᵘ likewise)",
            _both(_with_rewrite("exp", _exp_as_power),
                  _with_rewrite("exponential", lambda b: Mul((b["x"], Pow(b["a"], _minus_one(b["x"])))))),
            "At step {step} the exponent is the variable, so the exponent rule does not apply: {node} = {right}, "
            "not {slip}; your answer is {answer}."),
    Mistake("cos_sign", "∂cos(x)/∂x = sin(x): the minus sign lost",
            _with_rewrite("cos", lambda b: Call("sin", (b["x"],))),
            "At step {step} the derivative of cos is minus sin: {node} = {right}, not {slip}; your answer {answer} "
            "has the wrong sign there."),
    Mistake("term_sign_flipped", "∂(u − v)/∂x = ∂u/∂x + ∂v/∂x: the sign of one term's derivative flipped",
            None,
            "At step {step} each term keeps its sign: {node} = {right}, not {slip}; your answer {answer} has the "
            "opposite sign for the derivative of {term}."),
    Mistake("constant_term_kept", "∂c/∂x = c instead of 0: a constant term kept",
            _with_rewrite("constant", lambda b: b["c"]),
            "At step {step}, {c} does not depend on {wrt}, so {node} = 0, not {slip}; your answer {answer} keeps it."),
    Mistake("held_constant_differentiated", "∂b/∂x = 1: a variable held constant differentiated like the variable of differentiation",
            _both(_with_match("constant", _constant_without_variables, _held_as_variable),
                  _with_match("constant_factor", _factor_without_variables)),
            "At step {step}, {held} is held constant when differentiating by {wrt}, so {node} = {right}, not {slip}; "
            "your answer {answer} differentiates {held} as if it were {wrt}."),
    Mistake("wrong_variable", "the derivative taken with respect to another variable of the expression", None,
            "At step {step} the derivative is with respect to {wrt}, holding {other} constant; your answer {answer} "
            "is the derivative with respect to {other}."),
    Mistake("variable_misnamed", "the right derivative written in a variable the problem does not have: 2X or 2t "
            "for 2x", None,
            "Your answer {answer} is written in {other}, but the problem's variable is {name}{case}; with {name} in "
            "place of {other} it is right."),
    Mistake("integrated_instead", "an antiderivative instead of the derivative", None,
            "At step {step} differentiate {expr}: your answer {answer} is an antiderivative of it (its derivative is "
            "{expr}), not its derivative."),
)
# fmt: on

MISTAKES_BY_ID = {mistake.id: mistake for mistake in MISTAKES}


# -- diagnosis ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Asked:
    """What a replay may need besides the derivations: the names declared, and the answer as typed (None: a tree)."""

    functions: Sequence[str]
    variables: Sequence[str]
    text: str | None


def diagnose(
    expr: Expr | str,
    wrt: Var | str | Sequence[Var | str],
    answer: Expr | str,
    *,
    variables: Sequence[str] = (),
    functions: Sequence[str] = (),
    text: str | None = None,
) -> Diagnosis | None:
    """The first catalogued slip whose replay gives the student's (wrong) answer; None for a right or unexplained one.

    text: the answer as the student typed it, when `answer` is its tree (missing_brackets re-reads the text); an
    answer given as text is its own. Raises DerivError only for a problem or answer that cannot be read; the checker
    reads both before it asks.
    """
    if isinstance(answer, str):
        from ..language.parser import parse

        text = answer
        answer = parse(answer, variables=variables, functions=functions).expr
    correct = differentiate(expr, wrt, variables=variables, functions=functions)
    if _agrees(correct.result, answer) is not False:  # right, or undecided: a right answer never gets a mistake
        return None
    asked = _Asked(tuple(functions), tuple(variables), text)
    for mistake in MISTAKES:
        found = _REPLAYS.get(mistake.id, _replay_table)(mistake, correct, answer, asked)
        if found is not None:
            return found
    return None


def _replay_table(mistake: Mistake, correct: Derivation, answer: Expr, asked: _Asked) -> Diagnosis | None:
    assert mistake.patch is not None  # a mistake without a wrong table has its own replay in _REPLAYS
    return _replay_patch(mistake, mistake.patch, correct, answer, asked.functions)


def _replay_patch(
    mistake: Mistake,
    patch: Callable[[Table], Table],
    correct: Derivation,
    answer: Expr,
    functions: Sequence[str],
    extra: dict | None = None,
) -> Diagnosis | None:
    """The mistake, when the derivation with the patched table gives the answer and a value other than the right one."""
    table = patch(DIFF_RULES)
    try:
        wrong = differentiate(correct.expr, correct.wrt, functions=functions, rules=table)
    except DerivError:
        return None
    index = _parting(correct, wrong)
    if index is None or not _agrees(wrong.result, answer) or _agrees(wrong.result, correct.result) is not False:
        return None
    right_rw = correct.steps[index].rewrites[0]
    node = get_at(correct.steps[index].before, right_rw.path)
    fields = {
        "node": _show(node),
        "right": _worked(node, DIFF_RULES, functions),
        "slip": _worked(node, table, functions),
        "inner": _inner(right_rw.bindings, functions),
        "held": ", ".join(to_text(v) for v in _held(node.body) if v != node.var),
        **(extra or {}),
    }
    return _diagnosis(mistake, correct, index, answer, right_rw.bindings, fields)


# At most this many terms of the problem's sums are tried with their sign flipped (one replay each).
MAX_FLIPPED_TERMS = 12


def _replay_term_sign(mistake: Mistake, correct: Derivation, answer: Expr, asked: _Asked) -> Diagnosis | None:
    """The sign of one term's derivative flipped: one replay per term of each sum of the problem that is not constant
    (a constant term's derivative is 0 either way), and per negation outside a sum (the sum rule takes the minus of
    its own terms along)."""
    patches = []
    in_sums = {id(term) for _, node in walk(correct.expr) if isinstance(node, Add) for term in node.terms}
    for _, node in walk(correct.expr):
        if isinstance(node, Add):
            for index, term in enumerate(node.terms):
                if not all(free_of(term, var) for var in correct.wrt):
                    patches.append((_sign_flipped(node, index), term.arg if isinstance(term, Neg) else term))
        elif isinstance(node, Neg) and id(node) not in in_sums and not all(free_of(node, v) for v in correct.wrt):
            patches.append((_minus_dropped(node), node.arg))
    for patch, term in patches[:MAX_FLIPPED_TERMS]:
        found = _replay_patch(mistake, patch, correct, answer, asked.functions, {"term": to_text(term)})
        if found is not None:
            return found
    return None


def _replay_wrong_variable(mistake: Mistake, correct: Derivation, answer: Expr, asked: _Asked) -> Diagnosis | None:
    for other in _held(correct.expr):
        if other in correct.wrt:
            continue
        try:
            wrong = differentiate(correct.expr, other, functions=asked.functions)
        except DerivError:
            continue
        if _agrees(wrong.result, answer) and _agrees(wrong.result, correct.result) is False:  # ∂/∂y ≠ ∂/∂x here
            return _diagnosis(mistake, correct, 0, answer, {}, {"other": to_text(other)})
    return None


# At most this many variables of an answer that the problem does not have are renamed onto the problem's.
MAX_MISNAMED = 3


def _replay_misnamed(mistake: Mistake, correct: Derivation, answer: Expr, asked: _Asked) -> Diagnosis | None:
    """The right derivative with variables the problem does not have (X for x, t for x): renamed one-to-one onto the
    problem's variables that the answer lacks, the answer is right."""
    ours = variables(correct.expr)
    foreign = [v for v in variables(answer) if v not in ours]
    missing = [v for v in ours if v not in variables(answer)]
    if not foreign or len(foreign) > MAX_MISNAMED or len(foreign) > len(missing) or not _wrong(correct, answer):
        return None
    for image in itertools.permutations(missing, len(foreign)):
        renaming = dict(zip(foreign, image))
        if _agrees(correct.result, replace_all(answer, renaming)):
            pairs = list(renaming.items())
            case = [(a, b) for a, b in pairs if to_text(a).lower() == to_text(b).lower()]
            fields = {
                "other": ", ".join(to_text(a) for a, _ in pairs),
                "name": ", ".join(to_text(b) for _, b in pairs),
                "case": "".join(f" (names are case-sensitive: {to_text(a)} is not {to_text(b)})" for a, b in case[:1]),
            }
            return _diagnosis(mistake, correct, 0, answer, {}, fields)
    return None


def _replay_integrated(mistake: Mistake, correct: Derivation, answer: Expr, asked: _Asked) -> Diagnosis | None:
    if len(correct.wrt) != 1 or free_of(answer, correct.wrt[0]):
        return None
    try:
        derivative = differentiate(answer, correct.wrt, functions=asked.functions)
    except DerivError:
        return None
    if not _agrees(derivative.result, correct.expr) or not _wrong(correct, answer):  # e^x is both
        return None
    return _diagnosis(mistake, correct, 0, answer, {}, {"expr": to_text(correct.expr)})


def _replay_brackets(mistake: Mistake, correct: Derivation, answer: Expr, asked: _Asked) -> Diagnosis | None:
    """The answer's text, re-read with brackets around one operand of / or ^ (bracketed_readings), is right."""
    if asked.text is None or not _wrong(correct, answer):
        return None
    from ..language.parser import parse

    for reading, operand in bracketed_readings(asked.text):
        try:
            tree = parse(reading, variables=asked.variables, functions=asked.functions).expr
        except DerivError:
            continue
        if tree != answer and _agrees(correct.result, tree):
            fields = {"typed": asked.text.strip(), "bracketed": reading.strip(), "operand": operand}
            return Diagnosis(mistake.id, mistake.description, _filled(mistake, correct, answer, fields), None, None)
    return None


_REPLAYS = {
    "missing_brackets": _replay_brackets,
    "term_sign_flipped": _replay_term_sign,
    "wrong_variable": _replay_wrong_variable,
    "variable_misnamed": _replay_misnamed,
    "integrated_instead": _replay_integrated,
}
_NAMES = {rule.name for rule in DIFF_RULES}


def _diagnosis(mistake: Mistake, correct: Derivation, index: int, answer: Expr, bindings, fields: dict) -> Diagnosis:
    values = {
        "step": _line_number(correct, index),
        **{name: to_text(value) for name, value in bindings.items() if isinstance(value, Expr.__args__)},
        **fields,
    }
    rule = correct.steps[index].rule if correct.steps else None
    return Diagnosis(mistake.id, mistake.description, _filled(mistake, correct, answer, values), index, rule)


def _filled(mistake: Mistake, correct: Derivation, answer: Expr, fields: dict) -> str:
    """The mistake's feedback template filled in: the answer as read, the variables of differentiation, the fields."""
    values = {"answer": to_text(answer), "wrt": ", ".join(to_text(v) for v in correct.wrt), **fields}
    return mistake.feedback.format_map(_Blank(values))


class _Blank(dict):
    """A field the parting step does not bind prints as "?" rather than failing the whole diagnosis."""

    def __missing__(self, key: str) -> str:
        return "?"


def _parting(correct: Derivation, wrong: Derivation) -> int | None:
    """The first step where the wrong table applied another rule, or the same rule with another outcome."""
    for index, (right, slip) in enumerate(zip(correct.steps, wrong.steps)):
        a, b = right.rewrites[0], slip.rewrites[0]
        if a.rule != b.rule or a.path != b.path or dict(a.bindings) != dict(b.bindings) or right.after != slip.after:
            return index
    return None if len(correct.steps) == len(wrong.steps) else min(len(correct.steps), len(wrong.steps))


def _line_number(derivation: Derivation, index: int) -> int:
    """The 1-based line of the rendered derivation that holds step `index` (lines group steps as the lecture does)."""
    covered = 0
    for number, line in enumerate(derivation.lines(), start=1):
        covered += len(line.rewrites)
        if index < covered:
            return number
    return index + 1


def _worked(node: Deriv, table: Table, functions: Sequence[str]) -> str:
    """The pending derivative at the parting step, worked out to the end with the given table."""
    try:
        return to_text(differentiate(node, None, functions=functions, rules=table).result)  # by a compound u too
    except DerivError:
        return _show(node)


def _inner(bindings, functions: Sequence[str]) -> str:
    """∂u/∂x = u′ for the chain rule's inner expression u, worked out."""
    if "u" not in bindings or "f" not in bindings:
        return ""
    inner = Deriv(bindings["u"], bindings["x"])
    try:
        value = differentiate(inner, None, functions=functions).result
    except DerivError:
        return _show(inner)
    return f"{_show(inner)} = {to_text(value)}"


def _show(expr: Expr) -> str:
    """A pending derivative in fraction form, body and variable bracketed when compound: ∂(x^2)/∂x, ∂cos(2x)/∂(2x)."""
    if isinstance(expr, Deriv):
        return f"∂{_bracketed(expr.body)}/∂{_bracketed(expr.var)}"
    return to_text(expr)


def _bracketed(expr: Expr) -> str:
    text = to_text(expr)
    return text if isinstance(expr, (Var, Num, Const, Call)) else f"({text})"


# -- missing brackets: the answer's text read again -------------------------------------------------------------------
# A student who means 2x/(x^2+1) and types 2x/x^2+1 has the right answer in mind; the parser reads what is typed. The
# readings tried put one pair of brackets around an operand of one / or ^, from the operator to a place where an
# operand may plausibly end (the end of the text or of the enclosing bracket, a + or - at the same depth, a space) or,
# left of a /, from such a place: few readings, each parsed and compared. At most MAX_READINGS of them, and none for
# LaTeX (its braces say where an operand ends).
MAX_READINGS = 24
_TOKEN = re.compile(r"\s+|\d+(?:\.\d*)?|\.\d+|[^\W\d]\w*|.", re.UNICODE)
_OPERAND_NAMES = {"/": ("numerator", "denominator"), "^": ("base", "exponent")}


def bracketed_readings(text: str) -> list[tuple[str, str]]:
    """The answer's text with brackets put around one operand of one / or ^ (both operands of a /), and which
    operand: [("2x/(x^2+1)", "denominator"), …]; the part before an = (f'(x) =) is kept as typed."""
    head, _, body = text.rpartition("=")
    if "\\" in body or "{" in body:
        return []
    tokens = _TOKEN.findall(body)
    depths, depth = [], 0
    for token in tokens:
        depth -= token == ")"
        depths.append(depth)
        depth += token == "("
    readings: list[tuple[str, str]] = []
    for at, token in enumerate(tokens):
        if token not in _OPERAND_NAMES:
            continue
        rights = [end for end in _ends(tokens, depths, at) if _grouping(tokens, depths, at + 1, end)]
        lefts = (
            [start for start in _starts(tokens, depths, at) if _grouping(tokens, depths, start, at)]
            if token == "/"
            else []
        )
        first, second = _OPERAND_NAMES[token]
        spans: list[tuple[int | None, int | None, str]] = [(None, end, second) for end in rights]
        spans += [(start, None, first) for start in lefts]
        spans += [(start, end, f"{first} and {second}") for start in lefts for end in rights]
        for start, end, operand in spans:
            parts = list(tokens)
            if end is not None:  # the right operand first: the left one's positions stay as they are
                parts[at + 1 : end] = ["(", *tokens[at + 1 : end], ")"]
            if start is not None:
                parts[start:at] = ["(", *tokens[start:at], ")"]
            readings.append((head + ("=" if head else "") + "".join(parts), operand))
    return list(dict.fromkeys(readings))[:MAX_READINGS]


def _ends(tokens: list[str], depths: list[int], at: int) -> Iterator[int]:
    """Where the operand right of tokens[at] may end (exclusive): before a + or - or a space at its depth, or at the
    closing bracket around it or the end of the text. (A bracket is at the depth outside it: depths says so.)"""
    depth = depths[at]
    for index in range(at + 2, len(tokens) + 1):
        if index == len(tokens) or depths[index] < depth:
            yield index
            return
        elif depths[index] == depth and (tokens[index] in "+-" or tokens[index].isspace()):
            yield index


def _starts(tokens: list[str], depths: list[int], at: int) -> Iterator[int]:
    """Where the operand left of tokens[at] may start: after a + or - or a space at its depth, or at the opening
    bracket around it or the start of the text."""
    depth = depths[at]
    for index in range(at - 2, -1, -1):
        before = tokens[index - 1] if index else None
        if before is None or depths[index - 1] < depth:
            yield index
            return
        if depths[index - 1] == depth and (before in "+-" or before.isspace()):
            yield index


def _grouping(tokens: list[str], depths: list[int], start: int, end: int) -> bool:
    """Whether brackets around tokens[start:end] can change the reading: it holds more than one operand at its depth
    (2x, x^2+1, not x, (x+1) or sin(x)), and starts and ends with no space."""
    span = tokens[start:end]
    if not span or span[0].isspace() or span[-1].isspace() or span[0] in "*/^·)" or span[-1] in "+-*/^·(":
        return False
    depth = depths[start]
    outer = [t for t, d in zip(span, depths[start:end]) if d == depth and not t.isspace()]
    units = sum(1 for i, t in enumerate(outer) if not (t == "(" and i and outer[i - 1][0].isalpha()) and t != ")")
    return units > 1 and not (outer[0] == "(" and outer[-1] == ")" and len(outer) == 2)


# -- equivalence ------------------------------------------------------------------------------------------------------
def _wrong(correct: Derivation, answer: Expr) -> bool:
    """Whether the answer is surely not the derivative: each replay asks, so that none accuses a right answer even
    when called without diagnose (which asks first)."""
    return _agrees(correct.result, answer) is False


def _agrees(a: Expr, b: Expr) -> bool | None:
    """Equal as functions, by the equivalence service (its probe rules out most candidates without SymPy); None when
    undecided, so no mistake is named on its strength."""
    return equivalent(a, b).holds
