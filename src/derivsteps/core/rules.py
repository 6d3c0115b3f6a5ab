"""The cheat sheet: the ordered table of differentiation rules, each a law with its match, rewrite and explanation.

Read DIFF_RULES top to bottom like the lecture handout. The first rule that matches a pending derivative wins, so the
specific rules stand before the general ones (constant before constant factor before product). Simplification has
its own table in simplify_rules.py, run by the same engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

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

Bindings = dict[str, Expr]


@dataclass(frozen=True, slots=True)
class Rule:
    name: str  # stable id: JSON, golden files and checker feedback use it
    label: str  # what the rule column of a derivation says; a template over the bindings
    law: str  # the law in the notation of the lecture; the README's table is generated from these
    match: Callable[[Expr], Bindings | None]  # None: the rule does not apply
    rewrite: Callable[[Bindings], Expr]
    explain: (
        str | Callable[[Bindings], str]
    )  # a template over binding names ({x}, {u}, ...; {u!p} brackets a compound u),
    # or a function of the bindings that picks one
    group: str = ""  # the engine applies rules of one group at several places in one line
    note: str = ""  # a caveat worth telling the reader whenever the rule is used (a template like explain)

    def __post_init__(self):
        if not self.group:
            object.__setattr__(self, "group", self.name)


# -- matching helpers -------------------------------------------------------------------------------------------------
def _pending(expr: Expr) -> tuple[Expr, Expr] | None:
    return (expr.body, expr.var) if isinstance(expr, Deriv) else None


def _d(u: Expr, x: Expr) -> Deriv:
    return Deriv(u, x)


def _when(test: Callable[[Expr, Expr], Bindings | None], *kinds: type | str) -> Callable[[Expr], Bindings | None]:
    """Lift a test on (body, variable) to a match on a pending derivative, binding x to the variable.

    kinds (node types, or function names for a Call) are the only bodies the test can accept, none meaning any: the
    engine tries a rule only on those (see engine.candidates), which keeps a step from running the whole table.
    """

    def match(expr: Expr) -> Bindings | None:
        pending = _pending(expr)
        if pending is None:
            return None
        body, x = pending
        found = test(body, x)
        if found is None:
            return None
        return {"x": x, **found}

    match.kinds, match.on_body = kinds, True  # type: ignore[attr-defined]
    return match


def _constant(body, x):
    return {"c": body} if free_of(body, x) else None


def _constant_explanation(b: Bindings) -> str:
    # a_i inside a sum over i is a data value: the lecture says so rather than "treat it as a constant".
    if isinstance(b["c"], Var) and b["c"].sub is not None and b["c"].sub.isalpha():
        return "{c} is data, constant with respect to {x}, so its derivative is 0."
    return "{c} does not depend on {x}: treat it as a constant, so its derivative is 0."


def _sum_over_data(body, x):
    return {"u": body.body, "sum": body} if isinstance(body, Sum) else None


def _variable(body, x):
    return {} if same(body, x) else None


def _sum(body, x):
    return {"u": body} if isinstance(body, Add) else None


def _constant_factor(body, x):
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


def _exponent(body, x):
    match body:
        case Pow(base, n) if same(base, x) and free_of(n, x):
            return {"n": n}
    return None


def _exp(body, x):
    match body:
        case Pow(Const("e"), u) if same(u, x):
            return {"u": u}
        case Call("exp", (u,)) if same(u, x):
            return {"u": u, "call": ONE}
    return None


def _exponential(body, x):
    match body:
        case Pow(a, u) if same(u, x) and free_of(a, x) and a != Const("e") and not _zero(a):
            return {"a": a}
    return None


def _zero_base(body, x):
    match body:
        case Pow(a, u) if same(u, x) and _zero(a):
            return {}
    return None


def _zero(expr: Expr) -> bool:
    return is_number(expr) and number_value(expr) == 0


def _function(name: str):
    def test(body, x):
        match body:
            case Call(fn, (u,)) if fn == name and same(u, x):
                return {"u": u}
        return None

    return test


def _log_base(body, x):
    match body:
        case Call("log", (u, b)) if same(u, x) and free_of(b, x):
            return {"b": b}
    return None


def _change_of_base(body, x):
    match body:
        case Call("log", (u, b)) if not free_of(b, x):
            return {"u": u, "b": b}
    return None


def _chain(body, x):
    """An outer function applied to an inner expression u that is not the variable itself but depends on it."""
    match body:
        case Call(_, (u, *rest)) if not same(u, x) and not free_of(u, x) and all(free_of(r, x) for r in rest):
            return {"u": u, "f": body}
        case Pow(u, n) if not same(u, x) and not free_of(u, x) and free_of(n, x):
            return {"u": u, "f": body}
        case Pow(a, u) if not same(u, x) and free_of(a, x) and not free_of(u, x):
            return {"u": u, "f": body}
    return None


def _product(body, x):
    return {"u": body} if isinstance(body, Mul) else None


def _quotient(body, x):
    match body:
        case Div(u, v):
            return {"u": u, "v": v}
    return None


def _general_power(body, x):
    match body:
        case Pow(u, v) if not free_of(u, x) and not free_of(v, x):
            return {"u": u, "v": v}
    return None


def _abstract_function(body, x):
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
    return Add(tuple(Neg(_d(t.arg, x)) if isinstance(t, Neg) else _d(t, x) for t in b["u"].terms))


def _constant_factor_rule(b: Bindings) -> Expr:
    c, u, x = b["c"], b["u"], b["x"]
    if "divide" in b:
        return Div(_d(u, x), c)
    if c == Neg(ONE):
        return Neg(_d(u, x))
    return mul(*(c.factors if isinstance(c, Mul) else (c,)), _d(u, x))


def _product_rule(b: Bindings) -> Expr:
    factors, x = b["u"].factors, b["x"]
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
    f, x = b["f"], b["x"]
    terms = []
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


def _elementary_rules() -> list[Rule]:
    rules = []
    for name, (law, derivative) in ELEMENTARY.items():
        rules.append(
            Rule(
                name,
                f"derivative of {name}",
                law,
                _when(_function(name), name),
                lambda b, derivative=derivative: derivative(b["x"]),
                _FUNCTION_EXPLAIN.get(name, _table_sentence(law)),
                note=_FUNCTION_NOTES.get(name, ""),
            )
        )
    # log without a base is the natural logarithm, like ln.
    law, derivative = ELEMENTARY["ln"]
    rules.append(
        Rule(
            "ln",
            "derivative of ln",
            law,
            _when(_function("log"), "log"),
            lambda b: derivative(b["x"]),
            _FUNCTION_EXPLAIN["ln"],
        )
    )
    return rules


# -- the table ----------------------------------------------------------------------------------------------------------
# fmt: off
DIFF_RULES: tuple[Rule, ...] = (
    Rule("constant", "constant rule", "∂c/∂x = 0",
         _when(_constant), lambda b: ZERO, _constant_explanation, group="leaf"),
    Rule("variable", "∂{x}/∂{x} = 1", "∂x/∂x = 1",
         _when(_variable), lambda b: ONE,
         "The derivative of {x} with respect to itself is 1.", group="leaf"),
    Rule("sum", "sum rule", "∂(u + v)/∂x = ∂u/∂x + ∂v/∂x",
         _when(_sum, Add), _sum_rule,
         "The derivative of a sum is the sum of the derivatives of its terms."),
    Rule("sum_linearity", "sum rule over the data", "∂(Σ_i u_i)/∂x = Σ_i ∂u_i/∂x",
         _when(_sum_over_data, Sum), lambda b: Sum(_d(b["u"], b["x"]), b["sum"].index, b["sum"].lower, b["sum"].upper),
         "The derivative of a sum over the data is the sum of the derivatives of its terms."),
    Rule("constant_factor", "constant factor rule", "∂(c·u)/∂x = c·∂u/∂x",
         _when(_constant_factor, Neg, Mul, Div), _constant_factor_rule,
         "{c} does not depend on {x}, so it stays as a factor in front of the derivative."),
    Rule("exponent", "exponent rule", "∂xⁿ/∂x = n·xⁿ⁻¹",
         _when(_exponent, Pow), _power_rule,
         "Bring the exponent {n} down as a factor and lower the exponent by one."),
    Rule("exp", "derivative of exp", "∂eˣ/∂x = eˣ",
         _when(_exp, Pow, "exp"), lambda b: Call("exp", (b["x"],)) if "call" in b else Pow(Const("e"), b["x"]),
         "e^{x!p} is its own derivative."),
    Rule("zero_base", "power of zero", "∂0ˣ/∂x = 0  (0ˣ = 0 for x > 0)",
         _when(_zero_base, Pow), lambda b: ZERO,
         "0^{x!p} is 0 wherever it is defined ({x} > 0), so its derivative is 0."),
    Rule("exponential", "exponential rule", "∂aˣ/∂x = aˣ·ln(a)  (a > 0)",
         _when(_exponential, Pow), lambda b: Mul((Pow(b["a"], b["x"]), Call("ln", (b["a"],)))),
         "The derivative of {a!p}^{x!p} is {a!p}^{x!p} times ln({a})."),
    *_elementary_rules(),
    Rule("log_base", "logarithm rule", "∂log_b(x)/∂x = 1/(x·ln(b))",
         _when(_log_base, "log"), lambda b: Div(ONE, Mul((b["x"], Call("ln", (b["b"],))))),
         "The derivative of the logarithm to base {b} is 1/({x} ln({b}))."),
    Rule("change_of_base", "change of base", "log_b(u) = ln(u)/ln(b)",
         _when(_change_of_base, "log"), lambda b: Deriv(Div(Call("ln", (b["u"],)), Call("ln", (b["b"],))), b["x"]),
         "The base {b} depends on {x}: write the logarithm as ln({u})/ln({b}) first."),
    Rule("abstract_function", "chain rule for {name}", "∂f(u)/∂x = f′(u)·∂u/∂x",
         _when(_abstract_function, Apply), _abstract_rule,
         "Differentiate the function {name} and multiply by the derivative of its argument."),
    Rule("chain", "chain rule", "∂f(u)/∂x = ∂f/∂u · ∂u/∂x",
         _when(_chain, Call, Pow), _chain_rule,
         "{f} is a function of the inner expression {u}: differentiate the outside with respect to {u}, "
         "then multiply by the derivative of {u}."),
    Rule("general_power", "logarithmic differentiation", "∂uᵛ/∂x = uᵛ·∂(v·ln(u))/∂x",
         _when(_general_power, Pow), _general_power_rule,
         "Both the base {u} and the exponent {v} depend on {x}: write {u!p}^{v!p} = e^({v!p} ln({u})) and use the chain rule."),
    Rule("product", "product rule", "∂(u·v)/∂x = ∂u/∂x·v + u·∂v/∂x",
         _when(_product, Mul), _product_rule,
         "Differentiate one factor at a time, keeping the others, and add the results."),
    Rule("quotient", "quotient rule", "∂(u/v)/∂x = (∂u/∂x·v − u·∂v/∂x)/v²",
         _when(_quotient, Div), _quotient_rule,
         "Derivative of the numerator times the denominator, minus the numerator times the derivative of the "
         "denominator, all over the denominator squared."),
)
# fmt: on

RULES_BY_NAME: Mapping[str, Rule] = {rule.name: rule for rule in DIFF_RULES}

# Putting numbers in for variables (deriv eval, gradients at a point): a step of its own, every occurrence at once.
SUBSTITUTE = Rule(
    "substitute",
    "substitute",
    "f(a) = f(x) with x = a",
    lambda expr: None,
    lambda b: b["value"],
    "Put {value} in place of {x}.",
)

# Summing over a data set (deriv eval/grad/descend --data): each Σ_i becomes its value, every sum at once.
SUM_OVER_DATA = Rule(
    "sum_over_data",
    "sum over the data",
    "Σ_i u_i = u_1 + u_2 + … + u_n",
    lambda expr: None,
    lambda b: b["value"],
    "Add up {sum} over the {rows} data points: {value}.",
)

# The step that takes SymPy's word when no rule of ours matches; it is counted in the tests and must stay rare.
CAS_FALLBACK = Rule(
    "cas_fallback",
    "computed by SymPy",
    "no rule of ours applies",
    lambda expr: None,
    lambda b: b["result"],
    "No rule on the cheat sheet matches this derivative, so SymPy computed it.",
)
