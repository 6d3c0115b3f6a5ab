"""deriv grad EXPR: the gradient, each partial derivative a derivation of its own, and its value at a point."""

from __future__ import annotations

import argparse

from . import (
    Command,
    add_derivation_options,
    add_output_options,
    add_variable_options,
    exit_code,
    names,
)
from ._multivar import emit_result

_GRAD_EPILOG = """\
examples:
  deriv grad "3a^2 + b^2 - ab + a"               ∇f(a, b) = (6a - b + 1, 2b - a)
  deriv grad "3a^2 + b^2 - ab + a" --steps       each partial derivative step by step, each rule named
  deriv grad "3a^2 + b^2 - ab + a" --at a=1,b=2  the gradient at a point: the substitution, then exact arithmetic
  deriv grad "x^2 y + y^3" --vars y,x            the variables, and their order, as you list them
  deriv grad "rate t^2" --vars rate,t            --vars also declares names of several letters
  deriv grad "x^2 + xy" --format latex           LaTeX for a write-up (also: --format markdown, json)

Every partial derivative is checked against SymPy, as `deriv diff` checks one derivative; the
last line says so (--no-verify skips the check, and SymPy is never loaded).
"""


def _grad_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expr", metavar="EXPR", help='the function, e.g. "3a^2 + b^2 - ab + a"; quote it for the shell')
    parser.add_argument(
        "--at",
        metavar="a=1,b=2",
        default=None,
        help="also evaluate the gradient at this point, exactly (1/3 stays 1/3, 0.5 stays 0.5); every variable needs a value",
    )
    parser.add_argument("--numeric", action="store_true", help="with --at: also give each value as a floating-point number")
    add_derivation_options(parser)
    add_variable_options(parser)
    add_output_options(parser)


def _run_grad(args: argparse.Namespace) -> int:
    import dataclasses

    from ..errors import UsageError
    from ..multivar import gradient, parse_point

    if args.numeric and args.at is None:
        raise UsageError("--numeric gives the values at a point: use it with --at, such as --at a=1,b=2")
    functions = names(args.functions)
    result = gradient(args.expr, names(args.vars), detail=args.detail, simplify=args.simplify, functions=functions)
    values = None
    if args.at is not None:  # before verification: a mistyped point should not wait for SymPy
        from ..evaluation import gradient_at

        values = gradient_at(result, parse_point(args.at, functions), numeric=args.numeric)
    if args.verify:
        from ..verification import verify

        result = dataclasses.replace(result, components=tuple(d.with_verification(verify(d)) for d in result.components))
    emit_result(result, args, steps=args.steps, values=values)
    return exit_code(result.components)


COMMAND = Command(
    "the gradient ∇f: every partial derivative, each with its steps (--at: its value at a point)",
    _grad_arguments,
    _run_grad,
    usage="deriv grad EXPR [--vars a,b] [--steps] [--at a=1,b=2] [--format FORMAT] [options]",
    epilog=_GRAD_EPILOG,
)
