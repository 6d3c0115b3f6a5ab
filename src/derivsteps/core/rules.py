"""The cheat sheet: the ordered table of differentiation rules, each a law with its match, rewrite and explanation.

Read DIFF_RULES top to bottom like the lecture handout. The first rule that matches a pending derivative wins, so the
specific rules stand before the general ones (constant before constant factor before product). Simplification has
its own table in simplify_rules.py, run by the same engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from .tree import (
    ONE,
    ZERO,
    Add,
    Apply,
    Call,
    Const,
    Deriv,
    Div,
    Expr,
    Mul,
    Neg,
    Node,
    Num,
    Pow,
    Sum,
    Var,
    add,
    free_of,
    is_number,
    mul,
    number,
    number_value,
    same,
)
from .vocabulary import SimplifyKind

Bindings = dict[str, Expr]
Match = Callable[[Expr], Bindings | None]
Explain = str | Callable[[Bindings], str]
_Node = TypeVar("_Node", bound=Node)


def binding(bindings: Bindings, name: str, kind: type[_Node]) -> _Node:
    """The node bound to name, which the rule's match made a `kind` (say so to the type checker, and check it)."""
    node = bindings[name]
    assert isinstance(node, kind), (name, node)
    return node


@dataclass(frozen=True, slots=True)
class Rule:
    """One law of a cheat sheet: its name, how the rule column says it, the law, match, rewrite and explanation."""

    name: str  # stable id: JSON, golden files and checker feedback use it
    label: str  # what the rule column of a derivation says; a template over the bindings
    law: str  # the law in the notation of the lecture; the README's table is generated from these
    match: Match  # None: the rule does not apply
    rewrite: Callable[[Bindings], Expr]
    explain: Explain  # a template over binding names ({x}, {u}, ...; {u!p} brackets a compound u), or a function of
    # the bindings that picks one
    group: str = ""  # the engine applies rules of one group at several places in one line
    note: str = ""  # a caveat worth telling the reader whenever the rule is used (a template like explain)
    # The only node types (or function names, for a Call) match can accept, none meaning any: the engine tries the
    # rule on those alone (see engine.candidates), which keeps a step from running the whole table.
    kinds: tuple[type | str, ...] = ()
    on_body: bool = False  # kinds name the body of a pending derivative (differentiation), not the node itself
    # Simplification rows: what sort of rewrite this is, the label of a default-detail line of them (see group_lines).
    kind: SimplifyKind | None = None

    def __post_init__(self) -> None:
        if not self.group:
            object.__setattr__(self, "group", self.name)


@dataclass(frozen=True, slots=True)
class StepKind:
    """A step that no table's rule makes (putting values in, summing data, asking SymPy): named, labelled, explained
    like a rule, so renderers read both alike."""

    name: str  # stable id, as Rule.name
    label: str
    law: str
    explain: str  # a template over the step's bindings
    note: str = ""

    @property
    def group(self) -> str:
        """Each step kind is a group of its own, as a rule without one is."""
        return self.name


# -- matching helpers -------------------------------------------------------------------------------------------------
def _pending(expr: Expr) -> tuple[Expr, Expr] | None:
    return (expr.body, expr.var) if isinstance(expr, Deriv) else None


def _d(u: Expr, x: Expr) -> Deriv:
    return Deriv(u, x)


Test = Callable[[Expr, Expr], Bindings | None]


def _when(test: Test) -> Match:
    """Lift a test on (body, variable) to a match on a pending derivative, binding x to the variable."""

    def match(expr: Expr) -> Bindings | None:
        pending = _pending(expr)
        if pending is None:
            return None
        body, x = pending
        found = test(body, x)
        if found is None:
            return None
        return {"x": x, **found}

    return match


def _constant(body: Expr, x: Expr) -> Bindings | None:
    return {"c": body} if free_of(body, x) else None


def _constant_explanation(b: Bindings) -> str:
    # a_i inside a sum over i is a data value: the lecture says so rather than "treat it as a constant".
    if isinstance(b["c"], Var) and b["c"].sub is not None and b["c"].sub.isalpha():
        return "{c} is data, constant with respect to {x}, so its derivative is 0."
    return "{c} does not depend on {x}: treat it as a constant, so its derivative is 0."


def _sum_over_data(body: Expr, x: Expr) -> Bindings | None:
    return {"u": body.body, "sum": body} if isinstance(body, Sum) else None


def _variable(body: Expr, x: Expr) -> Bindings | None:
    return {} if same(body, x) else None


def _sum(body: Expr, x: Expr) -> Bindings | None:
    return {"u": body} if isinstance(body, Add) else None


def _constant_factor(body: Expr, x: Expr) -> Bindings | None:
    match body:
        case Neg(arg):
            return {"c": Neg(ONE), "u": arg}
        case Mul(factors):
            constants = [f for f in factors if free_of(f, x)]
            varying = [f for f in factors if not free_of(f, x)]
            if constants and varying:
                return {"c": mul(*constants), "u": mul(*varying)}
        case Div(num, den) if free_of(den, x):
            return {"c": den, "u": num, "divide": ONE}
    return None


def _exponent(body: Expr, x: Expr) -> Bindings | None:
    match body:
        case Pow(base, n) if same(base, x) and free_of(n, x):
            return {"n": n}
    return None


def _exp(body: Expr, x: Expr) -> Bindings | None:
    match body:
        case Pow(Const("e"), u) if same(u, x):
            return {"u": u}
        case Call("exp", (u,)) if same(u, x):
            return {"u": u, "call": ONE}
    return None


def _exponential(body: Expr, x: Expr) -> Bindings | None:
    match body:
        case Pow(a, u) if same(u, x) and free_of(a, x) and a != Const("e") and not _zero(a):
            return {"a": a}
    return None


def _zero_base(body: Expr, x: Expr) -> Bindings | None:
    match body:
        case Pow(a, u) if same(u, x) and _zero(a):
            return {}
    return None


def _zero(expr: Expr) -> bool:
    return is_number(expr) and number_value(expr) == 0


def _function(name: str) -> Test:
    def test(body: Expr, x: Expr) -> Bindings | None:
        match body:
            case Call(fn, (u,)) if fn == name and same(u, x):
                return {"u": u}
        return None

    return test


def _log_base(body: Expr, x: Expr) -> Bindings | None:
    match body:
        case Call("log", (u, b)) if same(u, x) and free_of(b, x):
            return {"b": b}
    return None


def _change_of_base(body: Expr, x: Expr) -> Bindings | None:
    match body:
        case Call("log", (u, b)) if not free_of(b, x):
            return {"u": u, "b": b}
    return None


def _chain(body: Expr, x: Expr) -> Bindings | None:
    """An outer function applied to an inner expression u that is not the variable itself but depends on it."""
    match body:
        case Call(_, (u, *rest)) if not same(u, x) and not free_of(u, x) and all(free_of(r, x) for r in rest):
            return {"u": u, "f": body}
        case Pow(u, n) if not same(u, x) and not free_of(u, x) and free_of(n, x):
            return {"u": u, "f": body}
        case Pow(a, u) if not same(u, x) and free_of(a, x) and not free_of(u, x):
            return {"u": u, "f": body}
    return None


def _product(body: Expr, x: Expr) -> Bindings | None:
    return {"u": body} if isinstance(body, Mul) else None


def _quotient(body: Expr, x: Expr) -> Bindings | None:
    match body:
        case Div(u, v):
            return {"u": u, "v": v}
    return None


def _general_power(body: Expr, x: Expr) -> Bindings | None:
    match body:
        case Pow(u, v) if not free_of(u, x) and not free_of(v, x):
            return {"u": u, "v": v}
    return None


def _abstract_function(body: Expr, x: Expr) -> Bindings | None:
    match body:
        case Apply(name, args) if any(not free_of(a, x) for a in args):
            return {"f": body, "name": Var(name)}  # the name as a Var only so renderers can show it
    return None


# -- rewrites --------------------------------------------------------------------------------------------------------
def _minus_one(n: Expr) -> Expr:
    """n - 1, worked out when n is a number (the lecture writes 2x, not 2x^(2-1))."""
    if is_number(n):
        return number(number_value(n) - 1, decimal=_is_decimal(n))
    return Add((n, Neg(ONE)))


def _is_decimal(expr: Expr) -> bool:
    return isinstance(expr, Num) and expr.text is not None or isinstance(expr, Neg) and _is_decimal(expr.arg)


def _power_rule(b: Bindings) -> Expr:
    n, x = b["n"], b["x"]
    if is_number(n):
        value = number_value(n)
        if value == 0:
            return ZERO
        exponent = _minus_one(n)
        power = ONE if value == 1 else x if number_value(exponent) == 1 else Pow(x, exponent)
        if power == ONE or value == 1:
            return n if power == ONE else power
        return Neg(power) if value == -1 else mul(n, power)
    return mul(n, Pow(x, _minus_one(n)))


def _sum_rule(b: Bindings) -> Expr:
    x = b["x"]
    return Add(tuple(Neg(_d(t.arg, x)) if isinstance(t, Neg) else _d(t, x) for t in binding(b, "u", Add).terms))


def _sum_over_data_rule(b: Bindings) -> Expr:
    whole = binding(b, "sum", Sum)
    return Sum(_d(b["u"], b["x"]), whole.index, whole.lower, whole.upper)


def _constant_factor_rule(b: Bindings) -> Expr:
    c, u, x = b["c"], b["u"], b["x"]
    if "divide" in b:
        return Div(_d(u, x), c)
    if c == Neg(ONE):
        return Neg(_d(u, x))
    return mul(*(c.factors if isinstance(c, Mul) else (c,)), _d(u, x))


def _product_rule(b: Bindings) -> Expr:
    factors, x = binding(b, "u", Mul).factors, b["x"]
    terms = []
    for i in range(len(factors)):
        terms.append(Mul(tuple(_d(f, x) if j == i else f for j, f in enumerate(factors))))
    return Add(tuple(terms))


def _quotient_rule(b: Bindings) -> Expr:
    u, v, x = b["u"], b["v"], b["x"]
    return Div(Add((Mul((_d(u, x), v)), Neg(Mul((u, _d(v, x)))))), Pow(v, Num(2)))


def _chain_rule(b: Bindings) -> Expr:
    return Mul((_d(b["f"], b["u"]), _d(b["u"], b["x"])))


def _general_power_rule(b: Bindings) -> Expr:
    u, v, x = b["u"], b["v"], b["x"]
    return Mul((Pow(u, v), _d(Mul((v, Call("ln", (u,)))), x)))


def _abstract_rule(b: Bindings) -> Expr:
    f, x = binding(b, "f", Apply), b["x"]
    terms: list[Expr] = []
    for index, arg in enumerate(f.args):
        if free_of(arg, x):
            continue
        derivative = Apply(f.name, f.args, f.derivs + (index,))
        terms.append(derivative if same(arg, x) else Mul((derivative, _d(arg, x))))
    return add(*terms)


# -- elementary derivatives: the table of the handout, for the variable itself (the chain rule does the rest) ----------
def _of(name: str, x: Expr) -> Call:
    return Call(name, (x,))


def _squared(u: Expr) -> Pow:
    return Pow(u, Num(2))


def _abs_times_root(x: Expr) -> Mul:
    """|x| sqrt(x^2 - 1), the denominator of asec and acsc."""
    return Mul((_of("abs", x), _of("sqrt", Add((_squared(x), Neg(ONE))))))


ELEMENTARY: Mapping[str, tuple[str, Callable[[Expr], Expr]]] = {
    "sin": ("∂sin(x)/∂x = cos(x)", lambda x: _of("cos", x)),
    "cos": ("∂cos(x)/∂x = -sin(x)", lambda x: Neg(_of("sin", x))),
    "tan": ("∂tan(x)/∂x = sec(x)^2", lambda x: _squared(_of("sec", x))),
    "sec": ("∂sec(x)/∂x = sec(x) tan(x)", lambda x: Mul((_of("sec", x), _of("tan", x)))),
    "csc": ("∂csc(x)/∂x = -csc(x) cot(x)", lambda x: Neg(Mul((_of("csc", x), _of("cot", x))))),
    "cot": ("∂cot(x)/∂x = -csc(x)^2", lambda x: Neg(_squared(_of("csc", x)))),
    "asin": ("∂asin(x)/∂x = 1/sqrt(1 - x^2)", lambda x: Div(ONE, _of("sqrt", Add((ONE, Neg(_squared(x))))))),
    "acos": ("∂acos(x)/∂x = -1/sqrt(1 - x^2)", lambda x: Neg(Div(ONE, _of("sqrt", Add((ONE, Neg(_squared(x)))))))),
    "atan": ("∂atan(x)/∂x = 1/(1 + x^2)", lambda x: Div(ONE, Add((ONE, _squared(x))))),
    "asec": ("∂asec(x)/∂x = 1/(|x| sqrt(x^2 - 1))", lambda x: Div(ONE, _abs_times_root(x))),
    "acsc": ("∂acsc(x)/∂x = -1/(|x| sqrt(x^2 - 1))", lambda x: Neg(Div(ONE, _abs_times_root(x)))),
    "acot": ("∂acot(x)/∂x = -1/(1 + x^2)", lambda x: Neg(Div(ONE, Add((ONE, _squared(x)))))),
    "sinh": ("∂sinh(x)/∂x = cosh(x)", lambda x: _of("cosh", x)),
    "cosh": ("∂cosh(x)/∂x = sinh(x)", lambda x: _of("sinh", x)),
    "tanh": ("∂tanh(x)/∂x = 1 - tanh(x)^2", lambda x: Add((ONE, Neg(_squared(_of("tanh", x)))))),
    "sech": ("∂sech(x)/∂x = -sech(x) tanh(x)", lambda x: Neg(Mul((_of("sech", x), _of("tanh", x))))),
    "csch": ("∂csch(x)/∂x = -csch(x) coth(x)", lambda x: Neg(Mul((_of("csch", x), _of("coth", x))))),
    "coth": ("∂coth(x)/∂x = -csch(x)^2", lambda x: Neg(_squared(_of("csch", x)))),
    "asinh": ("∂asinh(x)/∂x = 1/sqrt(x^2 + 1)", lambda x: Div(ONE, _of("sqrt", Add((_squared(x), ONE))))),
    "acosh": ("∂acosh(x)/∂x = 1/sqrt(x^2 - 1)", lambda x: Div(ONE, _of("sqrt", Add((_squared(x), Neg(ONE)))))),
    "atanh": ("∂atanh(x)/∂x = 1/(1 - x^2)", lambda x: Div(ONE, Add((ONE, Neg(_squared(x)))))),
    "ln": ("∂ln(x)/∂x = 1/x", lambda x: Div(ONE, x)),
    "sqrt": ("∂sqrt(x)/∂x = 1/(2 sqrt(x))", lambda x: Div(ONE, Mul((Num(2), _of("sqrt", x))))),
    "cbrt": ("∂cbrt(x)/∂x = 1/(3 cbrt(x)^2)", lambda x: Div(ONE, Mul((Num(3), _squared(_of("cbrt", x)))))),
    "abs": ("∂|x|/∂x = x/|x|  (undefined at x = 0)", lambda x: Div(x, _of("abs", x))),
    "sgn": ("∂sgn(x)/∂x = 0  (undefined at x = 0)", lambda x: ZERO),
    "sigmoid": ("∂σ(x)/∂x = σ(x)(1 - σ(x))", lambda x: Mul((_of("sigmoid", x), Add((ONE, Neg(_of("sigmoid", x))))))),
    "softplus": ("∂softplus(x)/∂x = σ(x)", lambda x: _of("sigmoid", x)),
}  # fmt: skip

# Where the sentence "From the table of derivatives: <law>" would not say enough.
_FUNCTION_EXPLAIN = {
    "abs": "The derivative of |{x}| is {x}/|{x}|, the sign of {x}.",
    "ln": "The derivative of ln({x}) is 1/{x!p}.",
    "sgn": "sgn({x}) is -1 where {x} < 0 and 1 where {x} > 0, constant on each side, so its derivative is 0 wherever {x} ≠ 0.",
    "sigmoid": "The sigmoid σ({x}) = 1/(1 + e^(-{x!p})) has the derivative σ({x})(1 - σ({x})).",
    "softplus": "softplus({x}) = ln(1 + e^{x!p}) has the derivative e^{x!p}/(1 + e^{x!p}), which is the sigmoid σ({x}).",
}

# Caveats said whenever the rule is used: the derivative does not exist at a point of the domain.
_FUNCTION_NOTES = {
    "abs": "the derivative of |{x}| does not exist where {x} = 0",
    "sgn": "the derivative of sgn({x}) does not exist where {x} = 0: sgn jumps there from -1 to 1",
}


def _table_sentence(law: str) -> str:
    """The law of the table with the variable as a template field: ∂sin(x)/∂x = cos(x) -> ∂sin({x})/∂{x!p} = cos({x})."""
    filled = (
        law.replace("∂x", "∂\0")
        .replace("(x)", "(\1)")
        .replace("|x|", "|\1|")
        .replace("x", "{x!p}")
        .replace("\0", "{x!p}")
        .replace("\1", "{x}")
    )
    return f"From the table of derivatives: {filled}."


def _of_variable(derivative: Callable[[Expr], Expr]) -> Callable[[Bindings], Expr]:
    """The rewrite of an elementary rule: the table's derivative at the variable."""
    return lambda b: derivative(b["x"])


def _elementary_rules() -> list[Rule]:
    rules = []
    for name, (law, derivative) in ELEMENTARY.items():
        rules.append(
            Rule(
                name,
                f"derivative of {name}",
                law,
                _when(_function(name)),
                _of_variable(derivative),
                _FUNCTION_EXPLAIN.get(name, _table_sentence(law)),
                note=_FUNCTION_NOTES.get(name, ""),
                kinds=(name,),
                on_body=True,
            )
        )
    # log without a base is the natural logarithm, like ln.
    law, derivative = ELEMENTARY["ln"]
    rules.append(
        Rule(
            "ln",
            "derivative of ln",
            law,
            _when(_function("log")),
            lambda b: derivative(b["x"]),
            _FUNCTION_EXPLAIN["ln"],
            kinds=("log",),
            on_body=True,
        )
    )
    return rules


# -- the table ----------------------------------------------------------------------------------------------------------
# fmt: off
DIFF_RULES: tuple[Rule, ...] = (
    Rule("constant", "constant rule", "∂c/∂x = 0",
         _when(_constant), lambda b: ZERO, _constant_explanation,
         group="leaf", on_body=True),
    Rule("variable", "∂{x}/∂{x} = 1", "∂x/∂x = 1",
         _when(_variable), lambda b: ONE,
         "The derivative of {x} with respect to itself is 1.",
         group="leaf", on_body=True),
    Rule("sum", "sum rule", "∂(u + v)/∂x = ∂u/∂x + ∂v/∂x",
         _when(_sum), _sum_rule,
         "The derivative of a sum is the sum of the derivatives of its terms.",
         kinds=(Add,), on_body=True),
    Rule("sum_linearity", "sum rule over the data", "∂(Σ_i u_i)/∂x = Σ_i ∂u_i/∂x",
         _when(_sum_over_data), _sum_over_data_rule,
         "The derivative of a sum over the data is the sum of the derivatives of its terms.",
         kinds=(Sum,), on_body=True),
    Rule("constant_factor", "constant factor rule", "∂(c·u)/∂x = c·∂u/∂x",
         _when(_constant_factor), _constant_factor_rule,
         "{c} does not depend on {x}, so it stays as a factor in front of the derivative.",
         kinds=(Neg, Mul, Div), on_body=True),
    Rule("exponent", "exponent rule", "∂xⁿ/∂x = n·xⁿ⁻¹",
         _when(_exponent), _power_rule,
         "Bring the exponent {n} down as a factor and lower the exponent by one.",
         kinds=(Pow,), on_body=True),
    Rule("exp", "derivative of exp", "∂eˣ/∂x = eˣ",
         _when(_exp), lambda b: Call("exp", (b["x"],)) if "call" in b else Pow(Const("e"), b["x"]),
         "e^{x!p} is its own derivative.",
         kinds=(Pow, "exp"), on_body=True),
    Rule("zero_base", "power of zero", "∂0ˣ/∂x = 0  (0ˣ = 0 for x > 0)",
         _when(_zero_base), lambda b: ZERO,
         "0^{x!p} is 0 wherever it is defined ({x} > 0), so its derivative is 0.",
         kinds=(Pow,), on_body=True),
    Rule("exponential", "exponential rule", "∂aˣ/∂x = aˣ·ln(a)  (a > 0)",
         _when(_exponential), lambda b: Mul((Pow(b["a"], b["x"]), Call("ln", (b["a"],)))),
         "The derivative of {a!p}^{x!p} is {a!p}^{x!p} times ln({a}).",
         kinds=(Pow,), on_body=True),
    *_elementary_rules(),
    Rule("log_base", "logarithm rule", "∂log_b(x)/∂x = 1/(x·ln(b))",
         _when(_log_base), lambda b: Div(ONE, Mul((b["x"], Call("ln", (b["b"],))))),
         "The derivative of the logarithm to base {b} is 1/({x} ln({b})).",
         kinds=("log",), on_body=True),
    Rule("change_of_base", "change of base", "log_b(u) = ln(u)/ln(b)",
         _when(_change_of_base), lambda b: Deriv(Div(Call("ln", (b["u"],)), Call("ln", (b["b"],))), b["x"]),
         "The base {b} depends on {x}: write the logarithm as ln({u})/ln({b}) first.",
         kinds=("log",), on_body=True),
    Rule("abstract_function", "chain rule for {name}", "∂f(u)/∂x = f′(u)·∂u/∂x",
         _when(_abstract_function), _abstract_rule,
         "Differentiate the function {name} and multiply by the derivative of its argument.",
         kinds=(Apply,), on_body=True),
    Rule("chain", "chain rule", "∂f(u)/∂x = ∂f/∂u · ∂u/∂x",
         _when(_chain), _chain_rule,
         "{f} is a function of the inner expression {u}: differentiate the outside with respect to {u}, "
         "then multiply by the derivative of {u}.",
         kinds=(Call, Pow), on_body=True),
    Rule("general_power", "logarithmic differentiation", "∂uᵛ/∂x = uᵛ·∂(v·ln(u))/∂x",
         _when(_general_power), _general_power_rule,
         "Both the base {u} and the exponent {v} depend on {x}: write {u!p}^{v!p} = e^({v!p} ln({u})) and use the chain rule.",
         kinds=(Pow,), on_body=True),
    Rule("product", "product rule", "∂(u·v)/∂x = ∂u/∂x·v + u·∂v/∂x",
         _when(_product), _product_rule,
         "Differentiate one factor at a time, keeping the others, and add the results.",
         kinds=(Mul,), on_body=True),
    Rule("quotient", "quotient rule", "∂(u/v)/∂x = (∂u/∂x·v − u·∂v/∂x)/v²",
         _when(_quotient), _quotient_rule,
         "Derivative of the numerator times the denominator, minus the numerator times the derivative of the "
         "denominator, all over the denominator squared.",
         kinds=(Div,), on_body=True),
)
# fmt: on

RULES_BY_NAME: Mapping[str, Rule] = {rule.name: rule for rule in DIFF_RULES}

# -- step kinds: the steps no table's rule makes, each registered once with its label and explanation -------------
# fmt: off
STEP_KINDS: Mapping[str, StepKind] = {kind.name: kind for kind in (
    # Putting numbers in for variables (deriv eval, gradients at a point): a step of its own, every occurrence at once.
    StepKind("substitute", "substitute", "f(a) = f(x) with x = a", "Put {value} in place of {x}."),
    # Summing over a data set (deriv eval/grad/descend --data): each Σ_i becomes its value, every sum at once.
    StepKind("sum_over_data", "sum over the data", "Σ_i u_i = u_1 + u_2 + … + u_n",
             "Add up {sum} over the {rows} data points: {value}."),
    # SymPy's word where no rule of ours matches; it is counted in the tests and must stay rare.
    StepKind("cas_fallback", "computed by SymPy", "no rule of ours applies",
             "No rule on the cheat sheet matches this derivative, so SymPy computed it."),
    # --simplify full: SymPy's simplification, taken when it is shorter than ours.
    StepKind("cas_simplify", "simplified by SymPy", "sympy.simplify", "SymPy's simplify found a shorter form."),
)}
# fmt: on
SUBSTITUTE = STEP_KINDS["substitute"]
SUM_OVER_DATA = STEP_KINDS["sum_over_data"]
CAS_FALLBACK = STEP_KINDS["cas_fallback"]
CAS_SIMPLIFY = STEP_KINDS["cas_simplify"]


def describe(name: str) -> Rule | StepKind | None:
    """The rule or step kind a step names, with its label, law, explanation and note; None for an unknown name."""
    return _described().get(name)


@cache
def _described() -> Mapping[str, Rule | StepKind]:
    from .simplify_rules import SIMPLIFY_RULES  # that table is built on this module: asked for once, when first needed

    return {**{rule.name: rule for rule in SIMPLIFY_RULES}, **RULES_BY_NAME, **STEP_KINDS}
