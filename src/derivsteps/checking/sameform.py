"""Same form: are two expressions written the same way, up to the order and grouping of + and ·?

Nothing is computed: 2/4 is not 1/2, 0.75 is not 3/4, x·x is not x^2. Unary minus is a factor that commutes, a/b is
a·(1/b), exp(u) is e^u and ln is log. This is STACK's EqualComAss and KAS's compare(form=true) without its sign rule.

With `signs=True` the sign of a whole sum may also be taken out and minus signs cancel in pairs, as KAS's form
comparison does: (-6x - 1)(1 - x) has the form of (6x + 1)(x - 1). Nothing else about signs changes: the terms of a
sum are still compared one by one, so x - 1 and -1 + x agree but x - 1 and x + (-1)·1 do not.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..core.tree import Add, Apply, Call, Const, Deriv, Div, Expr, Mul, Neg, Num, Pow, Sum, Var

MODES = ("order", "signs")  # the CLI's --same-form[=signs]


def same_form_of(a: Expr, b: Expr, *, signs: bool = False) -> bool:
    """Equal up to commutativity and associativity of + and · (and, with signs, up to where the minus signs sit)."""
    if signs:
        return _signed(a) == _signed(b)
    return _form(a) == _form(b)


# -- order and grouping only ------------------------------------------------------------------------------------------------
def _form(expr: Expr) -> tuple:
    match expr:
        case Add(terms):
            return ("add", _sorted(_flat("add", terms)))
        case Mul(_) | Neg(_) | Div(_, _):
            return ("mul", _sorted(_flat("mul", (expr,))))
    return _leaf(expr, _form)


def _flat(kind: str, items: Iterable[Expr]) -> list[tuple]:
    out = []
    for item in items:
        match item:
            case Add(terms) if kind == "add":
                out += _flat(kind, terms)
            case Mul(factors) if kind == "mul":
                out += _flat(kind, factors)
            case Neg(arg) if kind == "mul":
                out += [("neg",), *_flat(kind, (arg,))]
            case Div(num, den) if kind == "mul":
                out += [*_flat(kind, (num,)), ("recip", _form(den))]
            case _:
                out.append(_form(item))
    return out


# -- with the sign rule: every form is (negative?, form without the sign) -------------------------------------------------------
def _signed(expr: Expr) -> tuple[bool, tuple]:
    match expr:
        case Neg(arg):
            negative, form = _signed(arg)
            return not negative, form
        case Mul(_) | Div(_, _):
            negative, factors = False, []
            for sign, form in _factors(expr):
                negative ^= sign
                if form is not None:
                    factors.append(form)
            return negative, ("mul", _sorted(factors))
        case Add(_):
            terms = [_signed(term) for term in _terms(expr)]
            as_written = _sorted(terms)
            flipped = _sorted([(not sign, form) for sign, form in terms])
            # Either way of writing the sum is one form; the one that sorts first stands for both.
            if repr(flipped) < repr(as_written):
                return True, ("add", flipped)
            return False, ("add", as_written)
    return False, _leaf(expr, _signed)


def _factors(expr: Expr) -> list[tuple[bool, tuple | None]]:
    """The factors of a product with their signs; a unary minus is a bare sign (form None)."""
    match expr:
        case Mul(factors):
            return [signed for factor in factors for signed in _factors(factor)]
        case Div(num, den):
            sign, form = _signed(den)
            return [*_factors(num), (sign, ("recip", form))]
        case Neg(arg):
            return [(True, None), *_factors(arg)]
    return [_signed(expr)]


def _terms(expr: Expr) -> list[Expr]:
    if isinstance(expr, Add):
        return [term for inner in expr.terms for term in _terms(inner)]
    return [expr]


# -- shared: the nodes that are neither sums nor products -------------------------------------------------------------------
def _leaf(expr: Expr, inner) -> tuple:
    """The form of a node that is not a sum or product; `inner` gives the forms of its parts."""
    match expr:
        case Num(value, text):
            return ("num", text or str(value))
        case Const(name):
            return ("const", name)
        case Var(name, sub):
            return ("var", name, sub)
        case Call("exp", (arg,)):
            return ("pow", inner(Const("e")), inner(arg))
        case Call(fn, args):
            return ("call", "log" if fn == "ln" else fn, tuple(map(inner, args)))
        case Pow(base, exp):
            return ("pow", inner(base), inner(exp))
        case Apply(name, args, derivs):
            return ("apply", name, tuple(map(inner, args)), derivs)
        case Deriv(body, var):
            return ("deriv", inner(body), inner(var))
        case Sum(body, index, lower, upper):
            return ("sum", inner(body), index, lower and inner(lower), upper and inner(upper))
    raise TypeError(f"not an expression: {expr!r}")


def _sorted(forms: list) -> tuple:
    return tuple(sorted(forms, key=repr))
