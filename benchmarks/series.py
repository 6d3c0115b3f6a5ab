"""The expressions of the scaling series: built as trees, since their depth passes what the parser accepts (limits.MAX_DEPTH)."""

from __future__ import annotations

import random

from derivsteps.core.tree import Add, Call, Expr, Mul, Num, Pow, Var

X = Var("x")


def sum_of_terms(n: int) -> Expr:
    """c_1 x + c_2 x^2 + sin(3x) + ...: n terms, alternating polynomial and chain-rule terms."""
    terms = []
    for k in range(1, n + 1):
        terms.append(Call("sin", (Mul((Num(k), X)),)) if k % 2 else Mul((Num(k), Pow(X, Num(k)))))
    return Add(tuple(terms))


def product_of_factors(n: int) -> Expr:
    """(x + 1)(x + 2)...(x + n): the product rule's result has n terms of n factors each, Θ(n²)."""
    return Mul(tuple(Add((X, Num(k))) for k in range(1, n + 1)))


def nested_chain(n: int) -> Expr:
    """sin(sin(...sin(x)...)), n deep."""
    expr: Expr = X
    for _ in range(n):
        expr = Call("sin", (expr,))
    return expr


def nested_power(n: int) -> Expr:
    """(1 + (1 + ... (1 + x)^2 ...)^2)^2, n deep."""
    expr: Expr = X
    for _ in range(n):
        expr = Pow(Add((Num(1), expr)), Num(2))
    return expr


def random_tree(n: int, seed: int = 8) -> Expr:
    """A random expression of about n nodes: sums, products, small powers, sin/cos/exp over x and small integers; seeded."""
    generator = random.Random(seed * 1_000_003 + n)

    def build(budget: int) -> Expr:
        if budget <= 1:
            return X if generator.random() < 0.6 else Num(generator.randint(1, 9))
        kind = generator.choice(("add", "add", "mul", "mul", "pow", "call"))
        if kind == "call" or budget == 2:
            return Call(generator.choice(("sin", "cos", "exp")), (build(budget - 1),))
        if kind == "pow":
            return Pow(build(budget - 2), Num(generator.randint(2, 3)))
        left = generator.randint(1, budget - 2)
        parts = (build(left), build(budget - 1 - left))
        return Add(parts) if kind == "add" else Mul(parts)

    return build(n)


SERIES = {
    "sum": sum_of_terms,
    "product": product_of_factors,
    "chain": nested_chain,
    "power": nested_power,
    "random": random_tree,
}
