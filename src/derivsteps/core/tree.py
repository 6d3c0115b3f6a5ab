"""Immutable expression nodes, paths into them, and the small helpers every rule is written against."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from fractions import Fraction
from typing import Any, Union

# Constructors never simplify: Add((x, Num(0))) stays as written, so every change is a visible, named step.


class Node:
    """What every node shares: str() is the math as a student types it (x^2 + 1), repr() a short constructor call
    that builds the node again (Pow(Var('x'), Num(2))): fields by position, defaults left out."""

    __slots__ = ()

    def __repr__(self) -> str:
        values = [getattr(self, f.name) for f in fields(self)]  # type: ignore[arg-type]  # every subclass is a dataclass
        defaults = [f.default for f in fields(self)]  # type: ignore[arg-type]
        while values and values[-1] == defaults[len(values) - 1]:
            values.pop()
        return f"{type(self).__name__}({', '.join(map(repr, values))})"

    def __str__(self) -> str:
        # The printer lives with the grammar it round-trips (language/), above the core: asked for only when printing.
        from ..language.mathtext import to_text

        return to_text(self)  # type: ignore[arg-type]  # every subclass is an Expr


@dataclass(frozen=True, slots=True, repr=False)
class Num(Node):
    """A non-negative exact number; `text` keeps a decimal as typed (0.01), None for integers and fractions."""

    value: int | Fraction
    text: str | None = None


@dataclass(frozen=True, slots=True, repr=False)
class Const(Node):
    """A named mathematical constant: "e" (Euler's number) or "pi"."""

    name: str


@dataclass(frozen=True, slots=True, repr=False)
class Var(Node):
    """A variable: a letter, letter+digits, a Greek name or a declared name, with an optional subscript (a_i, w_{ij})."""

    name: str
    sub: str | None = None


@dataclass(frozen=True, slots=True, repr=False)
class Add(Node):
    """An n-ary sum; subtraction is a Neg term (a - b is Add((a, Neg(b)))), printed as written."""

    terms: tuple[Expr, ...]


@dataclass(frozen=True, slots=True, repr=False)
class Neg(Node):
    """Unary minus."""

    arg: Expr


@dataclass(frozen=True, slots=True, repr=False)
class Mul(Node):
    """An n-ary product, explicit or implicit (2x, x(x+1))."""

    factors: tuple[Expr, ...]


@dataclass(frozen=True, slots=True, repr=False)
class Div(Node):
    """A quotient kept as a quotient, so the quotient rule can be taught."""

    num: Expr
    den: Expr


@dataclass(frozen=True, slots=True, repr=False)
class Pow(Node):
    """A power base^exp."""

    base: Expr
    exp: Expr


@dataclass(frozen=True, slots=True, repr=False)
class Call(Node):
    """An elementary function by name (sin, ln, sqrt, abs, ...); log's optional second argument is its base."""

    fn: str
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True, repr=False)
class Apply(Node):
    """A declared abstract function f(u) or g(u, v); `derivs` lists the argument indices it was differentiated by (f′ is (0,))."""

    name: str
    args: tuple[Expr, ...]
    derivs: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True, repr=False)
class Deriv(Node):
    """A pending derivative ∂body/∂var; var is a Var, or a compound expression in the chain rule's ∂f/∂g."""

    body: Expr
    var: Expr


@dataclass(frozen=True, slots=True, repr=False)
class Sum(Node):
    """Σ over an index (sum_i body), with optional bounds; meaning comes with data (issue 5)."""

    body: Expr
    index: str
    lower: Expr | None = None
    upper: Expr | None = None


Expr = Union[Num, Const, Var, Add, Neg, Mul, Div, Pow, Call, Apply, Deriv, Sum]
NODE_TYPES = (Num, Const, Var, Add, Neg, Mul, Div, Pow, Call, Apply, Deriv, Sum)

# A path is the sequence of child indices from the root (see `children`); () is the root.
Path = tuple[int, ...]

ZERO = Num(0)
ONE = Num(1)


def children(expr: Expr) -> tuple[Expr, ...]:
    """The direct subexpressions of a node, in the order paths index them."""
    try:
        return _CHILDREN[type(expr)](expr)
    except KeyError:  # not a node (a subclass is looked up by its node type): no children, as before
        kind = next((t for t in NODE_TYPES if isinstance(expr, t)), None)
        return _CHILDREN[kind](expr) if kind is not None else ()


def with_children(expr: Expr, kids: tuple[Expr, ...]) -> Expr:
    """A node of the same kind as expr with new children (the inverse of `children`)."""
    try:
        return _WITH_CHILDREN[type(expr)](expr, kids)
    except KeyError:
        kind = next((t for t in NODE_TYPES if isinstance(expr, t)), None)
        return _WITH_CHILDREN[kind](expr, kids) if kind is not None else _leaf_with_children(expr, kids)


def _leaf_with_children(expr: Expr, kids: tuple[Expr, ...]) -> Expr:
    if kids:
        raise ValueError(f"{type(expr).__name__} has no children")
    return expr


def _sum_with_children(expr: Sum, kids: tuple[Expr, ...]) -> Sum:
    it = iter(kids[1:])
    return Sum(
        kids[0], expr.index, next(it) if expr.lower is not None else None, next(it) if expr.upper is not None else None
    )


# By exact type rather than a match statement: every step asks for children along its path, and trying the cases in
# turn cost more than the rest of a small step's bookkeeping.
_CHILDREN: dict[type, Callable[[Any], tuple[Expr, ...]]] = {
    Num: lambda e: (),
    Const: lambda e: (),
    Var: lambda e: (),
    Add: lambda e: e.terms,
    Mul: lambda e: e.factors,
    Neg: lambda e: (e.arg,),
    Div: lambda e: (e.num, e.den),
    Pow: lambda e: (e.base, e.exp),
    Call: lambda e: e.args,
    Apply: lambda e: e.args,
    Deriv: lambda e: (e.body, e.var),
    Sum: lambda e: (e.body,) + tuple(b for b in (e.lower, e.upper) if b is not None),
}
_WITH_CHILDREN: dict[type, Callable[[Any, tuple[Expr, ...]], Expr]] = {
    Num: _leaf_with_children,
    Const: _leaf_with_children,
    Var: _leaf_with_children,
    Add: lambda e, k: Add(k),
    Mul: lambda e, k: Mul(k),
    Neg: lambda e, k: Neg(k[0]),
    Div: lambda e, k: Div(k[0], k[1]),
    Pow: lambda e, k: Pow(k[0], k[1]),
    Call: lambda e, k: Call(e.fn, k),
    Apply: lambda e, k: Apply(e.name, k, e.derivs),
    Deriv: lambda e, k: Deriv(k[0], k[1]),
    Sum: _sum_with_children,
}


def get_at(expr: Expr, path: Path) -> Expr:
    """The subterm of expr at path."""
    for index in path:
        expr = children(expr)[index]
    return expr


def replace_at(expr: Expr, path: Path, new: Expr) -> Expr:
    """Return expr with the subterm at path replaced; nodes off the path are shared, not copied."""
    if not path:
        return new
    kids = children(expr)
    head, rest = path[0], path[1:]
    return with_children(expr, kids[:head] + (replace_at(kids[head], rest, new),) + kids[head + 1 :])


def replace_all(expr: Expr, mapping: Mapping[Expr, Expr]) -> Expr:
    """expr with every occurrence of a key replaced by its value, all at once; the values are not searched again."""
    if expr in mapping:
        return mapping[expr]
    kids = children(expr)
    new = tuple(replace_all(kid, mapping) for kid in kids)
    if all(a is b for a, b in zip(new, kids)):
        return expr  # nothing below was replaced: share the subtree
    return with_children(expr, new)


def shift(path: Path, parent: Path, after: int, by: int) -> Path:
    """Where path stands once `by` children are put into the node at parent after its child `after` (taken out when
    by < 0): a path through a later child moves along, any other stays. A splice (a product joining its parent
    product) is the one rewrite that moves its siblings, and every record of paths across steps goes through here."""
    depth = len(parent)
    if len(path) > depth and path[depth] > after and path[:depth] == parent:
        return path[:depth] + (path[depth] + by,) + path[depth + 1 :]
    return path


def walk(expr: Expr, path: Path = ()) -> Iterator[tuple[Path, Expr]]:
    """Yield (path, node) for every node, pre-order (a node before its children, left to right)."""
    stack: list[tuple[Path, Expr]] = [(path, expr)]
    while stack:
        node_path, node = stack.pop()
        yield node_path, node
        kids = children(node)
        for index in range(len(kids) - 1, -1, -1):
            stack.append((node_path + (index,), kids[index]))


def free_of(expr: Expr, var: Expr) -> bool:
    """True when var (a variable or any subexpression) does not occur in expr."""
    if isinstance(var, Var):
        return var not in _facts(expr)[0]
    if not _facts(var)[0] <= _facts(expr)[0]:
        return True
    # Only a node of var's size can equal it, and only a larger node can hold one: comparing every node structurally
    # recursed as deep as the chain, and walking all of expr at every step of a chain 1,000 deep was quadratic.
    target = _facts(var)[1]
    stack = [expr]
    while stack:
        node = stack.pop()
        count = _facts(node)[1]
        if count == target:
            if node is var or node == var:
                return False
        elif count > target:
            stack.extend(children(node))
    return True


def same(a: Expr, b: Expr) -> bool:
    """a == b, but two compound nodes of different sizes (memoised) are told apart without walking them: a rule
    that compares f(u) with u recursed down the whole chain at every step."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if not children(a):
        return a == b
    return _facts(a)[1] == _facts(b)[1] and a == b


def shared_hash(expr: Expr) -> int:
    """hash(expr), memoised by identity: a factor shared by every term of a product's derivative is hashed once."""
    known = _HASHES.get(id(expr))
    if known is None:
        if len(_HASHES) > _FACTS_LIMIT:
            _HASHES.clear()
        known = _HASHES[id(expr)] = (expr, hash(expr))
    return known[1]


_HASHES: dict[int, tuple[Expr, int]] = {}


def node_count(expr: Expr) -> int:
    """The number of nodes (as size), memoised by identity for the subtrees that steps share."""
    return _facts(expr)[1]


# The variables under each node and its size, by identity. Every rule asks free_of of the same shared subtrees again at
# each step, and a walk each time made a chain 1,000 deep quadratic. The node is kept beside its facts so its id is
# never reused; the memo is simply emptied when it grows past this many nodes.
_FACTS: dict[int, tuple[Expr, frozenset[Var], int]] = {}
_FACTS_LIMIT = 200_000
_NO_VARIABLES: frozenset[Var] = frozenset()


def _facts(expr: Expr) -> tuple[frozenset[Var], int]:
    known = _FACTS.get(id(expr))
    if known is not None:
        return known[1], known[2]
    if len(_FACTS) > _FACTS_LIMIT:
        _FACTS.clear()
    stack = [(expr, False)]
    while stack:  # post-order without recursion
        node, expanded = stack.pop()
        if id(node) in _FACTS:
            continue
        kids = children(node)
        if expanded or not kids:
            facts = [_FACTS[id(k)] for k in kids]
            if isinstance(node, Var):
                found = frozenset((node,))
            else:  # most kids hold the same variables: reuse a set that holds them all rather than build a union
                found = _NO_VARIABLES
                for fact in facts:
                    if not fact[1] <= found:
                        found = fact[1] if not found else found | fact[1]
            _FACTS[id(node)] = (node, found, 1 + sum(f[2] for f in facts))
            continue
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in _FACTS)
    known = _FACTS[id(expr)]
    return known[1], known[2]


def depth(expr: Expr) -> int:
    """The number of nodes on the longest root-to-leaf path."""
    deepest = 0
    stack = [(expr, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((kid, level + 1) for kid in children(node))
    return deepest


def size(expr: Expr) -> int:
    """The number of nodes."""
    return sum(1 for _ in walk(expr))


def variables(expr: Expr) -> list[Var]:
    """The distinct variables in expr, in order of first appearance (the index of a sum is not one of them)."""
    seen: dict[Var, None] = {}
    for _, node in walk(expr):
        if isinstance(node, Var):
            seen.setdefault(node, None)
    return list(seen)


def is_number(expr: Expr) -> bool:
    """A literal number, possibly negated or a quotient of literals (3, -2, 1/2)."""
    kind = type(expr)
    if kind is Num:
        return True
    if kind is not Neg and kind is not Div:  # the common answers first: simplification asks of every factor
        return False
    match expr:
        case Num():
            return True
        case Neg(arg):
            return is_number(arg)
        case Div(num, den):
            return is_number(num) and is_number(den) and number_value(den) != 0
        case _:
            return False


def number_value(expr: Expr) -> Fraction:
    """The exact value of a literal number (see is_number)."""
    match expr:
        case Num(value):
            return Fraction(value)
        case Neg(arg):
            return -number_value(arg)
        case Div(num, den):
            return number_value(num) / number_value(den)
    raise TypeError(f"not a literal number: {expr!r}")


def _decimal_text(value: Fraction) -> str | None:
    """The finite decimal form of value, or None when it has none."""
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return None
    places = max(twos, fives)
    scaled = value.numerator * 10**places // value.denominator
    digits = str(scaled).rjust(places + 1, "0")
    return f"{digits[:-places]}.{digits[-places:]}" if places else digits


def number(value: int | Fraction, decimal: bool = False) -> Expr:
    """The canonical tree for an exact value: Num, Neg(Num) or Div(Num, Num); as a decimal when asked and possible."""
    value = Fraction(value)
    if value < 0:
        return Neg(number(-value, decimal))
    if value.denominator == 1:
        return Num(int(value))
    if decimal and (text := _decimal_text(value)) is not None:
        return Num(value, text)
    return Div(Num(value.numerator), Num(value.denominator))


def decimal_num(text: str) -> Num:
    """A decimal literal as typed ("0.01"), exact."""
    value = Fraction(text)
    if value.denominator == 1 and "." not in text:
        return Num(int(value))
    return Num(value, text)


def negate(expr: Expr) -> Expr:
    """-expr, without a double negation."""
    return expr.arg if isinstance(expr, Neg) else Neg(expr)


def add(*terms: Expr) -> Expr:
    """A sum of the given terms; a single term is itself, none is 0."""
    if not terms:
        return ZERO
    return terms[0] if len(terms) == 1 else Add(tuple(terms))


def mul(*factors: Expr) -> Expr:
    """A product of the given factors, with a minus sign in front rather than on a factor; none is 1."""
    if not factors:
        return ONE
    sign = False
    plain = []
    for factor in factors:
        if isinstance(factor, Neg):
            sign = not sign
            factor = factor.arg
        plain.append(factor)
    product = plain[0] if len(plain) == 1 else Mul(tuple(plain))
    return Neg(product) if sign else product
