"""Builds SymPy objects from expression trees by construction, and reads SymPy's answers back as trees: nothing else touches SymPy."""

from __future__ import annotations

import builtins
import keyword
import math
from fractions import Fraction

import sympy
from sympy.core.function import AppliedUndef
from sympy.printing.str import StrPrinter

from ..core import limits
from ..core.errors import EngineError
from ..core.tree import (
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
    free_of,
    mul,
    number,
    replace_all,
    variables,
    walk,
)

# Our elementary functions as SymPy classes; ln and log are both the natural logarithm (log's base is handled apart).
FUNCTIONS = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "sec": sympy.sec, "csc": sympy.csc, "cot": sympy.cot,
    "asin": sympy.asin, "acos": sympy.acos, "atan": sympy.atan, "asec": sympy.asec, "acsc": sympy.acsc, "acot": sympy.acot,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh, "sech": sympy.sech, "csch": sympy.csch, "coth": sympy.coth,
    "asinh": sympy.asinh, "acosh": sympy.acosh, "atanh": sympy.atanh,
    "exp": sympy.exp, "ln": sympy.log, "log": sympy.log, "abs": sympy.Abs, "sgn": sympy.sign,
}  # fmt: skip

# sqrt is a power, as SymPy writes it itself. cbrt is the real cube root, as the evaluator computes it and a calculus
# course reads cbrt(-8) = -2: sign(u)·|u|^(1/3), built so, since SymPy's u**(1/3) is the complex principal root.
ROOTS = {"sqrt": sympy.S.Half}


def _cbrt(u: sympy.Basic, evaluate: bool) -> sympy.Basic:
    third = sympy.Pow(sympy.Abs(u, evaluate=evaluate), sympy.Rational(1, 3), evaluate=evaluate)
    return sympy.Mul(sympy.sign(u, evaluate=evaluate), third, evaluate=evaluate)


def _sigmoid(u: sympy.Basic, evaluate: bool) -> sympy.Basic:
    """The logistic function 1/(1 + e^(-u))."""
    decay = sympy.exp(sympy.Mul(sympy.S.NegativeOne, u, evaluate=evaluate), evaluate=evaluate)
    return sympy.Pow(sympy.Add(sympy.S.One, decay, evaluate=evaluate), sympy.S.NegativeOne, evaluate=evaluate)


def _softplus(u: sympy.Basic, evaluate: bool) -> sympy.Basic:
    """ln(1 + e^u)."""
    return sympy.log(sympy.Add(sympy.S.One, sympy.exp(u, evaluate=evaluate), evaluate=evaluate), evaluate=evaluate)


# The functions of machine learning, which SymPy has no class for, by their definitions; evaluate=False keeps a power
# too large to compute unevaluated, as everywhere in _build.
DEFINED = {"sigmoid": _sigmoid, "softplus": _softplus, "cbrt": _cbrt}


# The way back: sympy.exp and the roots are powers in SymPy, so they are handled with Pow; sigmoid and softplus come
# back as what they are defined to be.
_CALL_NAMES = {cls: name for name, cls in FUNCTIONS.items() if name not in ("ln", "exp")}

# Bound variables of the Subs we build start with "_", which no name the lexer produces does.
DUMMY = "_u"

# The upper bound SymPy needs for a sum written without bounds (sum_i x_i); the lower one is 1.
DEFAULT_UPPER = sympy.Symbol("n")

# (SymPy object, whether it holds a power of literals too large to evaluate): such a flag makes every ancestor
# unevaluated too, because SymPy's Add, Mul, Pow and functions would otherwise compute the power after all.
_Built = tuple[sympy.Basic, bool]


# -- names ------------------------------------------------------------------------------------------------------------


def symbol_name(var: Var) -> str:
    """The SymPy symbol name of a variable: x, x1, x_1, w_ij, theta (subscripts after one underscore)."""
    return var.name if var.sub is None else f"{var.name}_{var.sub}"


def symbol_var(name: str) -> Var:
    """The variable a SymPy symbol name stands for: the inverse of symbol_name; a bound name (_u, _xi_1) stays whole."""
    if name.startswith("_") or "_" not in name:
        return Var(name)
    base, sub = name.split("_", 1)
    return Var(base, sub)


# -- trees to SymPy ---------------------------------------------------------------------------------------------------


def to_sympy(expr: Expr) -> sympy.Basic:
    """expr as a SymPy object built node by node; pending derivatives stay unevaluated Derivative/Subs objects."""
    return _build(expr, frozenset())[0]


def _product(parts: list[sympy.Basic], huge: bool) -> sympy.Basic:
    """The product; a number times a sum stays 2*(x + y + z), as the lecture writes it (SymPy would distribute it)."""
    if huge:
        return sympy.Mul(*parts, evaluate=False)
    numbers = [p for p in parts if p.is_Number]
    rest = sympy.Mul(*(p for p in parts if not p.is_Number))
    coefficient = sympy.Mul(*numbers)
    if numbers and isinstance(rest, sympy.Add) and coefficient not in (0, 1):
        return sympy.Mul(coefficient, rest, evaluate=False)
    return sympy.Mul(*parts)


def _build(expr: Expr, indices: frozenset[str]) -> _Built:
    """Convert one node; `indices` are the indices of the sums around it, whose subscripted variables become Indexed."""
    match expr:
        case Num(value):
            value = Fraction(value)
            return sympy.Rational(value.numerator, value.denominator), False
        case Const("e"):
            return sympy.E, False
        case Const("pi"):
            return sympy.pi, False
        case Var(name, sub):
            if sub is not None and sub in indices:
                return sympy.Indexed(sympy.IndexedBase(name), sympy.Symbol(sub)), False
            if sub is not None and len(sub) > 1 and sub.isalpha() and set(sub) <= indices:
                # x_{ij} inside sums over i and j: one entry of a table of data
                return sympy.Indexed(sympy.IndexedBase(name), *(sympy.Symbol(letter) for letter in sub)), False
            return sympy.Symbol(symbol_name(expr)), False
        case Add(terms):
            parts, huge = _build_all(terms, indices)
            return sympy.Add(*parts, evaluate=not huge), huge
        case Mul(factors):
            parts, huge = _build_all(factors, indices)
            return _product(parts, huge), huge
        case Neg(arg):
            value, huge = _build(arg, indices)
            return _product([sympy.S.NegativeOne, value], huge), huge
        case Div(num, den):
            (top, bottom), huge = _build_all((num, den), indices)
            inverse, huge = _power(bottom, sympy.S.NegativeOne, huge)
            return sympy.Mul(top, inverse, evaluate=not huge), huge
        case Pow(base, exp):
            (bottom, top), huge = _build_all((base, exp), indices)
            return _power(bottom, top, huge)
        case Call(fn, args):
            return _call(fn, args, indices)
        case Apply(name, args, derivs):
            return _apply(name, args, derivs, indices)
        case Deriv(body, var):
            return _derivative(body, var, indices)
        case Sum(body, index, lower, upper):
            summand, huge = _build(body, indices | {index})
            low, huge_low = _build(lower, indices) if lower is not None else (sympy.S.One, False)
            high, huge_high = _build(upper, indices) if upper is not None else (DEFAULT_UPPER, False)
            return sympy.Sum(summand, (sympy.Symbol(index), low, high)), huge or huge_low or huge_high
    raise EngineError(f"cannot convert {expr!r} for SymPy")


def _build_all(exprs: tuple[Expr, ...], indices: frozenset[str]) -> tuple[list[sympy.Basic], bool]:
    built = [_build(expr, indices) for expr in exprs]
    return [obj for obj, _ in built], any(huge for _, huge in built)


def _power(base: sympy.Basic, exp: sympy.Basic, huge: bool) -> _Built:
    """base**exp, left unevaluated when SymPy would otherwise compute a number too long to hold (9^9^9)."""
    if huge or _too_many_digits(base, exp):
        return sympy.Pow(base, exp, evaluate=False), True
    return sympy.Pow(base, exp), False


def _too_many_digits(base: sympy.Basic, exp: sympy.Basic) -> bool:
    """Whether base**exp may compute an integer longer than limits.MAX_INTEGER_DIGITS, estimated in log space.

    SymPy raises every rational in the base to a rational exponent ((2x)^n is 2^n x^n, sqrt(2)^n is 2^(n/2)),
    so the estimate is |exp| times the digits of the longest rational in the base: an upper bound.
    """
    if not exp.is_Rational or exp == 0:
        return False
    base_digits = max((math.log10(max(abs(r.p), r.q)) for r in base.atoms(sympy.Rational) if r.p != 0), default=0.0)
    if base_digits == 0:
        return False  # 0, 1 and -1 to any power are small, and so is x^n
    log_exp = math.log10(abs(exp.p)) - math.log10(
        exp.q
    )  # math.log10 takes integers of any size; float() would overflow
    return log_exp + math.log10(base_digits) > math.log10(limits.MAX_INTEGER_DIGITS)


def _call(fn: str, args: tuple[Expr, ...], indices: frozenset[str]) -> _Built:
    built, huge = _build_all(args, indices)
    if fn in ROOTS:
        return _power(built[0], ROOTS[fn], huge)
    if fn in DEFINED:
        return DEFINED[fn](built[0], not huge), huge
    if fn == "log" and len(built) == 2:
        value, base = built
        if not huge:
            return sympy.log(value, base), False
        # SymPy's own log(x, b) is log(x)/log(b); an unevaluated two-argument log would mean something else.
        inverse = sympy.Pow(sympy.log(base, evaluate=False), -1, evaluate=False)
        return sympy.Mul(sympy.log(value, evaluate=False), inverse, evaluate=False), True
    if fn not in FUNCTIONS:
        raise EngineError(f"derivsteps has no SymPy function for {fn}")
    return FUNCTIONS[fn](*built, evaluate=not huge), huge


def _apply(name: str, args: tuple[Expr, ...], derivs: tuple[int, ...], indices: frozenset[str]) -> _Built:
    """f(u), or its derivative by argument positions: f'(x) is Derivative(f(x), x), f'(x^2) is a Subs at x^2."""
    built, huge = _build_all(args, indices)
    function = sympy.Function(name)
    if not derivs:
        return function(*built, evaluate=not huge), huge
    replaced = [position for position in sorted(set(derivs)) if _needs_dummy(built, position)]
    dummies = dict(zip(replaced, (sympy.Symbol(name) for name in _fresh_names(len(replaced), args))))
    call_args = [dummies.get(position, arg) for position, arg in enumerate(built)]
    derivative = sympy.Derivative(function(*call_args), *(call_args[position] for position in derivs))
    if not dummies:
        return derivative, huge
    return sympy.Subs(derivative, tuple(dummies.values()), tuple(built[position] for position in dummies)), huge


def _needs_dummy(args: list[sympy.Basic], position: int) -> bool:
    """Whether f can be differentiated by its argument at position only through a bound symbol: g'(x^2), or ∂1 g(x, x)."""
    arg = args[position]
    return not arg.is_Symbol or any(other.has(arg) for k, other in enumerate(args) if k != position)


def _derivative(body: Expr, var: Expr, indices: frozenset[str]) -> _Built:
    """d body/d var, unevaluated; by a compound var g (the chain rule's df/dg), d body[g:=u]/du at u = g."""
    if isinstance(var, Var):
        (value, wrt), huge = _build_all((body, var), indices)
        return sympy.Derivative(value, wrt), huge
    (name,) = _fresh_names(1, (body, var))
    dummy = Var(name)
    (value, point), huge = _build_all((replace_all(body, {var: dummy}), var), indices)
    symbol = sympy.Symbol(name)
    return sympy.Subs(sympy.Derivative(value, symbol), symbol, point), huge


def _fresh_names(count: int, exprs: tuple[Expr, ...]) -> list[str]:
    """count dummy names (_u, _u1, ...) that name no variable in exprs, so nested chain rules never capture each other."""
    taken = {symbol_name(var) for expr in exprs for var in variables(expr)}
    names = (DUMMY if k == 0 else f"{DUMMY}{k}" for k in range(count + len(taken) + 1))
    return [name for name in names if name not in taken][:count]


# -- SymPy to trees ---------------------------------------------------------------------------------------------------


def from_sympy(obj: sympy.Basic) -> Expr:
    """A SymPy result as a lecturer writes it: 2x + 1, a - b, -sin(x), 1/x^2, sqrt(x), f'(x^2).

    Raises EngineError for what no node can show (I, zoo, nan, re, DiracDelta, ...).
    """
    if isinstance(obj, int):
        return number(obj)
    if not isinstance(obj, sympy.Basic):
        raise TypeError(f"from_sympy takes a SymPy object, not {type(obj).__name__}")
    return _tree(obj)


def _tree(obj: sympy.Basic) -> Expr:
    if obj.is_Rational:
        return number(Fraction(int(obj.p), int(obj.q)))
    if obj.is_Float and obj.is_finite:
        return number(Fraction(str(obj)), decimal=True)
    if obj is sympy.E:
        return Const("e")
    if obj is sympy.pi:
        return Const("pi")
    if isinstance(obj, sympy.Dummy):
        # SymPy's bound _xi_1 is named "xi_1", which would read as the user's ξ_1; a leading "_" keeps it apart.
        return Var(f"_{obj.name}_{obj.dummy_index}")
    if obj.is_Symbol:
        return symbol_var(obj.name)
    if isinstance(obj, sympy.Indexed):
        return _indexed_tree(obj)
    if obj.is_Add:
        # Printing order (2x + 1), except that sorting evaluates terms numerically, which sin(9^9^9) never finishes.
        terms = obj.args if _holds_large_power(obj) else obj.as_ordered_terms()
        return Add(tuple(_tree(term) for term in terms))
    if obj.is_Mul or _is_reciprocal(obj):
        return _product_tree(obj)
    if isinstance(obj, sympy.exp):
        return Pow(Const("e"), _tree(obj.args[0]))
    if obj.is_Pow:
        return _power_tree(obj.base, obj.exp)
    if isinstance(obj, AppliedUndef):
        return Apply(obj.func.__name__, tuple(_tree(arg) for arg in obj.args))
    if obj.func in _CALL_NAMES:
        return Call(_CALL_NAMES[obj.func], tuple(_tree(arg) for arg in obj.args))
    if isinstance(obj, sympy.Derivative):
        return _derivative_tree(obj)
    if isinstance(obj, sympy.Subs):
        return _subs_tree(obj)
    if isinstance(obj, sympy.Sum):
        return _sum_tree(obj)
    raise _unsupported(obj)


_STAND_INS: dict[sympy.Basic, sympy.Symbol] = {}


def huge_numbers_as_symbols(obj: sympy.Basic) -> sympy.Basic:
    """obj with each numeric power too long to compute (9^(9^9), left unevaluated by to_sympy) as a positive symbol.

    Any arithmetic on such a power makes SymPy compute it after all (Mul.flatten rebuilds Pow(9, 9^9)), so comparisons
    see a stand-in instead: the same one for the same power in every object (and every call), so an identity that holds
    for every positive value of it holds for its true value too.
    """
    huge = [p for p in obj.atoms(sympy.Pow) if not p.free_symbols and _too_many_digits(p.base, p.exp)]
    if not huge:
        return obj
    for power in huge:
        _STAND_INS.setdefault(power, sympy.Dummy(f"N{len(_STAND_INS)}", positive=True))
    return obj.xreplace({power: _STAND_INS[power] for power in huge})


def _holds_large_power(obj: sympy.Basic) -> bool:
    return any(_too_many_digits(power.base, power.exp) for power in obj.atoms(sympy.Pow))


def _unsupported(obj: sympy.Basic) -> EngineError:
    head = getattr(obj.func, "__name__", type(obj).__name__)
    return EngineError(f"SymPy returned {head}, which derivsteps cannot show")


def _is_reciprocal(obj: sympy.Basic) -> bool:
    """A power with a negative number as exponent: written under a fraction bar (x^-2 is 1/x^2)."""
    return obj.is_Pow and obj.exp.is_Number and obj.exp.is_negative


def _product_tree(obj: sympy.Basic) -> Expr:
    """A product as sign, numerator and denominator: -2x/3 rather than (-2/3)·x, 1/x^2 rather than x^(-2)."""
    negative = False
    numerator: list[Expr] = []
    denominator: list[Expr] = []
    for factor in obj.as_ordered_factors() if obj.is_Mul else (obj,):
        if factor.is_Rational:
            negative ^= bool(factor.is_negative)
            if abs(factor.p) != 1:
                numerator.append(Num(abs(int(factor.p))))
            if factor.q != 1:
                denominator.append(Num(int(factor.q)))
        elif _is_reciprocal(factor):
            denominator.append(_power_tree(factor.base, -factor.exp))
        else:
            numerator.append(_tree(factor))
    top, bottom = mul(*numerator), mul(*denominator)
    for part in (top, bottom):
        negative ^= isinstance(part, Neg)
    top, bottom = _unsigned(top), _unsigned(bottom)
    result = top if not denominator else Div(top, bottom)
    return Neg(result) if negative else result


def _unsigned(expr: Expr) -> Expr:
    return expr.arg if isinstance(expr, Neg) else expr


def _power_tree(base: sympy.Basic, exp: sympy.Basic) -> Expr:
    if exp == 1:
        return _tree(base)
    if exp == sympy.S.Half:
        return Call("sqrt", (_tree(base),))
    return Pow(_tree(base), _tree(exp))


def _indexed_tree(obj: sympy.Indexed) -> Expr:
    """x[i] is the subscripted variable x_i (x[1], from an expanded sum, is x_1)."""
    (index,) = obj.indices if len(obj.indices) == 1 else (None,)
    if index is None or not (index.is_Symbol or (index.is_Integer and index >= 0)):
        raise _unsupported(obj)
    return Var(obj.base.label.name, str(index))


def _derivative_tree(obj: sympy.Derivative) -> Expr:
    """Derivative(f(x), x) is f'(x); any other Derivative is a nest of Deriv nodes, innermost variable first."""
    wrt = []
    for var, count in obj.variable_count:
        if not (count.is_Integer and count > 0 and (var.is_Symbol or isinstance(var, sympy.Indexed))):
            raise _unsupported(obj)
        wrt.extend([var] * int(count))
    body = obj.expr
    if (
        isinstance(body, AppliedUndef)
        and all(arg.is_Symbol for arg in body.args)
        and len(set(body.args)) == len(body.args)
    ):
        if all(var in body.args for var in wrt):
            return Apply(
                body.func.__name__, tuple(_tree(arg) for arg in body.args), tuple(body.args.index(var) for var in wrt)
            )
    result = _tree(body)
    for var in wrt:
        result = Deriv(result, _tree(var))
    return result


def _subs_tree(obj: sympy.Subs) -> Expr:
    """Subs(Derivative(f(u), u), u, g) is f'(g); Subs(Derivative(F, u), u, g) is the chain rule's dF/dg."""
    dummies = [_tree(var) for var in obj.variables]
    points = [_tree(point) for point in obj.point]
    body = _tree(obj.expr)
    mapping = dict(zip(dummies, points))
    if isinstance(body, Apply) and body.derivs:
        return Apply(body.name, tuple(replace_all(arg, mapping) for arg in body.args), body.derivs)
    if isinstance(body, Deriv) and len(dummies) == 1 and body.var == dummies[0] and free_of(body.body, points[0]):
        return Deriv(replace_all(body.body, mapping), points[0])
    if any(isinstance(node, Deriv) and not free_of(node, dummy) for _, node in walk(body) for dummy in dummies):
        raise _unsupported(obj)  # a derivative evaluated at a point: no node says "at"
    return replace_all(body, mapping)


def _sum_tree(obj: sympy.Sum) -> Expr:
    """Sum(x[i], (i, 1, n)) is sum_i x_i: the default bounds to_sympy adds are dropped again."""
    result = _tree(obj.function)
    for index, low, high in obj.limits:
        if not index.is_Symbol:
            raise _unsupported(obj)
        if low == 1 and high == DEFAULT_UPPER:
            result = Sum(result, index.name)
        else:
            result = Sum(result, index.name, _tree(low), _tree(high))
    return result


# -- SymPy text -------------------------------------------------------------------------------------------------------

# Names that sympy.parse_expr reads as something other than a new symbol: SymPy's namespace and Python's builtins.
_PARSER_NAMES = frozenset(sympy.__all__) | frozenset(dir(builtins))


def _reads_as_symbol(name: str) -> bool:
    return name.isascii() and name.isidentifier() and not keyword.iskeyword(name) and name not in _PARSER_NAMES


class _ReadablePrinter(StrPrinter):
    """str() of SymPy objects, except where parse_expr would misread it: gamma, E, lambda, x[i], w_{i,j}."""

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        return expr.name if _reads_as_symbol(expr.name) else f"Symbol({expr.name!r})"

    def _print(self, expr, **kwargs) -> str:
        # Indexed prints itself (its _sympystr wins over any _print_Indexed), as x[i], which parse_expr cannot read.
        if isinstance(expr, sympy.Indexed):
            indices = ", ".join(self._print(index) for index in expr.indices)
            return f"IndexedBase({expr.base.label.name!r})[{indices}]"
        return super()._print(expr, **kwargs)

    def _print_AppliedUndef(self, expr: AppliedUndef) -> str:
        name = expr.func.__name__
        head = name if _reads_as_symbol(name) else f"Function({name!r})"
        return f"{head}({self.stringify(expr.args, ', ')})"


def sympy_text(expr: Expr) -> str:
    """to_sympy(expr) as text that sympy.parse_expr reads back to an equal expression (the "sympy" field of our JSON).

    A power too large to evaluate (9^9^9) reads back quickly only with parse_expr(..., evaluate=False).
    """
    obj, huge = _build(expr, frozenset())
    # Sorting terms the usual way evaluates them numerically, and sin(9^9^9) cannot be: keep the built order then.
    return _ReadablePrinter({"order": "none"} if huge else {}).doprint(obj)
