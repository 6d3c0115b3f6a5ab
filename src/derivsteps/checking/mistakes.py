"""The catalogue of known slips: each a wrong rule table that replays a student's mistake, and the diagnosis of an answer.

A slip is data, like the cheat sheet: `patch` turns DIFF_RULES into the table a student with that slip would use.
`diagnose` replays the derivation with each wrong table in catalogue order and names the first slip whose result equals
the student's answer, pointing at the step of the correct derivation where the two derivations part.

Order is part of the catalogue, as in rules.py: specific before general. `data_factor_dropped` stands first: in a
Σ-loss the inner derivative of (s a_i - y_i)^2 is a_i itself, so forgetting it is also `chain_inner_forgotten`, and
the data-specific name tells the student more. `ln_without_inner` is
`chain_inner_forgotten` restricted to ln, so it stands before it: for ln(x^2) answered 1/x^2 both reproduce the answer and
the narrower name wins; for ln(x^2) + sin(x^2) answered 1/x^2 + 2x cos(x^2) only the ln slip does. Two slips are
not wrong tables: `wrong_variable` (the right table, another variable) and `integrated_instead` (the answer's own
derivative, by our engine, is the problem: cheaper and exact, where sympy.integrate would be slow and only up to a
constant).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    variables,
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


# fmt: off
MISTAKES: tuple[Mistake, ...] = (
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
    Mistake("integrated_instead", "an antiderivative instead of the derivative", None,
            "At step {step} differentiate {expr}: your answer {answer} is an antiderivative of it (its derivative is "
            "{expr}), not its derivative."),
)
# fmt: on

MISTAKES_BY_ID = {mistake.id: mistake for mistake in MISTAKES}


# -- diagnosis ------------------------------------------------------------------------------------------------------
def diagnose(
    expr: Expr | str,
    wrt: Var | str | Sequence[Var | str],
    answer: Expr | str,
    *,
    variables: Sequence[str] = (),
    functions: Sequence[str] = (),
) -> Diagnosis | None:
    """The first catalogued slip whose replay gives the student's (wrong) answer; None for a right or unexplained one.

    Raises DerivError only for a problem or answer that cannot be read; the checker reads both before it asks.
    """
    if isinstance(answer, str):
        from ..language.parser import parse

        answer = parse(answer, variables=variables, functions=functions).expr
    correct = differentiate(expr, wrt, variables=variables, functions=functions)
    if _agrees(correct.result, answer) is not False:  # right, or undecided: a right answer never gets a mistake
        return None
    for mistake in MISTAKES:
        found = _REPLAYS.get(mistake.id, _replay_table)(mistake, correct, answer, functions)
        if found is not None:
            return found
    return None


def _replay_table(mistake: Mistake, correct: Derivation, answer: Expr, functions: Sequence[str]) -> Diagnosis | None:
    try:
        wrong = differentiate(correct.expr, correct.wrt, functions=functions, rules=mistake.patch(DIFF_RULES))
    except DerivError:
        return None
    index = _parting(correct, wrong)
    if index is None or not _agrees(wrong.result, answer):
        return None
    right_rw = correct.steps[index].rewrites[0]
    node = get_at(correct.steps[index].before, right_rw.path)
    fields = {
        "node": _show(node),
        "right": _worked(node, DIFF_RULES, functions),
        "slip": _worked(node, mistake.patch(DIFF_RULES), functions),
        "inner": _inner(right_rw.bindings, functions),
        "held": ", ".join(to_text(v) for v in _held(node.body) if v != node.var),
    }
    return _diagnosis(mistake, correct, index, answer, right_rw.bindings, fields)


def _replay_wrong_variable(
    mistake: Mistake, correct: Derivation, answer: Expr, functions: Sequence[str]
) -> Diagnosis | None:
    for other in _held(correct.expr):
        if other in correct.wrt:
            continue
        try:
            wrong = differentiate(correct.expr, other, functions=functions)
        except DerivError:
            continue
        if _agrees(wrong.result, answer):
            return _diagnosis(mistake, correct, 0, answer, {}, {"other": to_text(other)})
    return None


def _replay_integrated(
    mistake: Mistake, correct: Derivation, answer: Expr, functions: Sequence[str]
) -> Diagnosis | None:
    if len(correct.wrt) != 1 or free_of(answer, correct.wrt[0]):
        return None
    try:
        derivative = differentiate(answer, correct.wrt, functions=functions)
    except DerivError:
        return None
    if not _agrees(derivative.result, correct.expr):
        return None
    return _diagnosis(mistake, correct, 0, answer, {}, {"expr": to_text(correct.expr)})


_REPLAYS = {"wrong_variable": _replay_wrong_variable, "integrated_instead": _replay_integrated}
_NAMES = {rule.name for rule in DIFF_RULES}


def _diagnosis(mistake: Mistake, correct: Derivation, index: int, answer: Expr, bindings, fields: dict) -> Diagnosis:
    values = {
        "step": _line_number(correct, index),
        "answer": to_text(answer),
        "wrt": ", ".join(to_text(v) for v in correct.wrt),
        **{name: to_text(value) for name, value in bindings.items() if isinstance(value, Expr.__args__)},
        **fields,
    }
    rule = correct.steps[index].rule if correct.steps else None
    return Diagnosis(mistake.id, mistake.description, mistake.feedback.format_map(_Blank(values)), index, rule)


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


# -- equivalence ------------------------------------------------------------------------------------------------------
def _agrees(a: Expr, b: Expr) -> bool | None:
    """Equal as functions, by the equivalence service (its probe rules out most candidates without SymPy); None when
    undecided, so no mistake is named on its strength."""
    return equivalent(a, b).holds
