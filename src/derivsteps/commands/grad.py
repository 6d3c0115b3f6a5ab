"""deriv grad EXPR: the gradient, each partial derivative a derivation of its own, and its value at a point."""

from __future__ import annotations

import argparse

from . import (
    EXIT_DISAGREES,
    Command,
    add_derivation_options,
    add_output_options,
    add_variable_options,
    exit_code,
    names,
    start_verifying,
)
from ._multivar import add_data_option, emit_result, read_data

_GRAD_EPILOG = """\
examples:
  deriv grad "3a^2 + b^2 - ab + a"               ∇f(a, b) = (6a - b + 1, 2b - a)
  deriv grad "3a^2 + b^2 - ab + a" --steps       each partial derivative step by step, each rule named
  deriv grad "3a^2 + b^2 - ab + a" --at a=1,b=2  the gradient at a point: the substitution, then exact arithmetic
  deriv grad "x^2 y + y^3" --vars y,x            the variables, and their order, as you list them
  deriv grad "rate t^2" --vars rate,t            --vars also declares names of several letters
  deriv grad "x^2 + xy" --format latex           LaTeX for a write-up (also: --format markdown, json)
  deriv grad "1/2 sum_i (s a_i + b - h_i)^2" --at s=1,b=0 --data a=0,2,4 --data h=30,40,50
                                                 a loss over data: the statistics (Σ_i a_i^2 = 20, ...), then (-260, -114)

Every partial derivative is checked against SymPy, as `deriv diff` checks one derivative; the
last line says so (--no-verify skips the check, and SymPy is never loaded). With --data, the values
at the point are also checked against the sums written out term by term.
"""


def _grad_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expr", metavar="EXPR", help='the function, e.g. "3a^2 + b^2 - ab + a"; quote it for the shell')
    parser.add_argument(
        "--at",
        metavar="a=1,b=2",
        default=None,
        help="also evaluate the gradient at this point, exactly (1/3 stays 1/3, 0.5 stays 0.5); every variable needs a value",
    )
    parser.add_argument(
        "--numeric", action="store_true", help="with --at: also give each value as a floating-point number"
    )
    add_data_option(parser)
    add_derivation_options(parser)
    add_variable_options(parser)
    add_output_options(parser)


def _run_grad(args: argparse.Namespace) -> int:
    start_verifying(args, renders="multivar")
    import dataclasses

    from ..calculus.multivar import gradient, parse_point
    from ..core.errors import UsageError

    if args.numeric and args.at is None:
        raise UsageError("--numeric gives the values at a point: use it with --at, such as --at a=1,b=2")
    if args.data and args.at is None:
        raise UsageError("--data gives the gradient's value at a point: use it with --at, such as --at s=1,b=0")
    functions = names(args.functions)
    data = read_data(args)
    # A loss over data is differentiated by its parameters only: a_i and h_i are data, not variables.
    result = gradient(args.expr, names(args.vars), detail=args.detail, simplify=args.simplify, functions=functions)
    values = None
    if args.at is not None:  # before verification: a mistyped point should not wait for SymPy
        from ..calculus.at_point import gradient_at

        values = gradient_at(result, parse_point(args.at, functions), numeric=args.numeric, data=data)
    if args.verify:
        from ..cas.verification import verify_all

        checks = verify_all(result.components)
        result = dataclasses.replace(
            result, components=tuple(d.with_verification(c) for d, c in zip(result.components, checks))
        )
        if data is not None:
            from ..calculus.at_point import check_value

            values = [evaluation.with_check(check_value(evaluation)) for evaluation in values]
    emit_result(result, args, steps=args.steps, values=values)
    if values is not None and any(e.check is not None and e.check.verified is False for e in values):
        return EXIT_DISAGREES
    return exit_code(result.components)


COMMAND = Command(
    "the gradient ∇f: every partial derivative, each with its steps (--at: its value at a point)",
    _grad_arguments,
    _run_grad,
    usage="deriv grad EXPR [--vars a,b] [--steps] [--at a=1,b=2 [--data a=0,2,4 ...]] [--format FORMAT] [options]",
    epilog=_GRAD_EPILOG,
)
