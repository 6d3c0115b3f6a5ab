"""Hypothesis strategies for random expression trees, shared by the property tests."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from derivsteps.core.functions import CATALOGUE
from derivsteps.core.tree import (
    Add,
    Call,
    Const,
    Deriv,
    Div,
    Mul,
    Neg,
    Num,
    Pow,
    Sum,
    Var,
    is_number,
    number_value,
    walk,
)
from derivsteps.core.tree import variables as variables_of

# Every function of the catalogue, those real on part of the line only (asin, acosh, asec, ln, ...) included: the
# value checks skip a point where any line leaves the real domain or sits on a branch cut (stepcheck._on_branch_cut),
# and verification counts such points as no evidence (verification.domain_parts).
FUNCTIONS = [f.name for f in CATALOGUE]

variables = st.sampled_from(
    [Var("x"), Var("y"), Var("z"), Var("a"), Var("b"), Var("t"), Var("x1"), Var("theta"), Var("a", "i"), Var("w", "ij")]
)
integers = st.integers(min_value=0, max_value=12).map(Num)
decimals = st.sampled_from(["0.5", "0.01", "2.5", "1.25"]).map(lambda text: Num(Fraction(text), text))
constants = st.sampled_from([Const("e"), Const("pi")])
leaves = st.one_of(variables, variables, integers, decimals, constants)


def elementary_branches(children, small_vars=variables):
    """Sums, products, quotients, powers and functions of children: every node but pending derivatives and sums."""
    small = st.lists(children, min_size=2, max_size=3).map(tuple)
    return st.one_of(
        small.map(Add),
        small.map(Mul),
        children.map(Neg),
        st.tuples(children, children).map(lambda p: Div(*p)),
        st.tuples(children, st.one_of(integers, small_vars, children)).map(lambda p: Pow(*p)),
        st.tuples(st.sampled_from(FUNCTIONS), children).map(lambda p: Call(p[0], (p[1],))),
        st.tuples(children, st.one_of(integers.filter(lambda n: n.value > 1), small_vars)).map(
            lambda p: Call("log", p)
        ),
    )


def _branches(children):
    return st.one_of(
        elementary_branches(children),
        st.tuples(children, variables).map(lambda p: Deriv(*p)),
        st.tuples(children, children).map(lambda p: Deriv(*p)),
        children.map(lambda body: Sum(body, "i")),
    )


trees = st.recursive(leaves, _branches, max_leaves=12)
plain_trees = st.recursive(leaves, elementary_branches, max_leaves=12)

# For differentiation: mostly the variable x, so rules beyond the constant rule get exercised.
x_leaves = st.one_of(
    st.just(Var("x")),
    st.just(Var("x")),
    st.just(Var("x")),
    st.just(Var("y")),
    integers.filter(lambda n: n.value > 0),
    constants,
)


def differentiable(tree) -> bool:
    """Not a negative number to a variable power, which derivsteps refuses to differentiate (real only at whole exponents)."""
    return not any(
        isinstance(node, Pow) and is_number(node.base) and number_value(node.base) < 0 and variables_of(node.exp)
        for _, node in walk(tree)
    )


diff_trees = st.recursive(
    x_leaves, lambda children: elementary_branches(children, st.just(Var("y"))), max_leaves=14
).filter(differentiable)

# Larger trees for the property tests of tests/test_large_trees.py. st.recursive alone stays small (a median of about 5
# nodes), so several ordinary trees are joined: by sums, products, quotients, powers and functions of functions, which
# nests them deeper and puts many functions and rules into one tree. Keep example counts modest.
_JOINS = ["add", "mul", "div", "pow", "call", "call"]


@st.composite
def _joined(draw, parts, functions=FUNCTIONS):
    pieces = draw(st.lists(parts, min_size=3, max_size=6))
    tree = pieces[0]
    for piece in pieces[1:]:
        join = draw(st.sampled_from(_JOINS))
        if join == "add":
            tree = Add((tree, piece))
        elif join == "mul":
            tree = Mul((piece, tree))
        elif join == "div":
            tree = Div(tree, piece) if draw(st.booleans()) else Div(piece, tree)
        elif join == "pow":
            tree = Pow(tree, draw(st.one_of(integers.filter(lambda n: n.value > 1), st.just(piece))))
        else:
            tree = Mul((piece, Call(draw(st.sampled_from(functions)), (tree,))))
    return tree


large_trees = _joined(trees)
large_diff_trees = _joined(diff_trees).filter(differentiable)


# Polynomials in a few variables, for the several-variable results (gradient, Hessian, evaluation).
VARIABLES = [Var("w"), Var("x"), Var("y"), Var("z")]

coefficients = st.one_of(
    st.integers(1, 9).map(Num),
    st.sampled_from(
        [Div(Num(1), Num(2)), Div(Num(2), Num(3)), Num(Fraction("0.5"), "0.5"), Num(Fraction("2.5"), "2.5")]
    ),
)


@st.composite
def polynomials(draw, max_degree: int = 3):
    """Sums of signed monomials c · x^i · y^j ... in 2 to 4 of w, x, y, z, each of total degree at most max_degree."""
    names = draw(st.lists(st.sampled_from(VARIABLES), min_size=2, max_size=4, unique=True))
    terms = []
    for _ in range(draw(st.integers(2, 6))):
        factors = [draw(coefficients)] if draw(st.booleans()) else []
        degree = 0
        for var in names:
            power = draw(st.integers(0, max(max_degree - degree, 0)))
            degree += power
            if power:
                factors.append(var if power == 1 else Pow(var, Num(power)))
        term = Mul(tuple(factors)) if len(factors) > 1 else factors[0] if factors else draw(coefficients)
        terms.append(Neg(term) if draw(st.booleans()) else term)
    return Add(tuple(terms))
