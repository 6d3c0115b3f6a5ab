"""deriv hessian EXPR: the matrix of second partial derivatives, each entry a derivation of its own."""

from __future__ import annotations

import argparse

from . import (
    Command,
    add_derivation_options,
    add_output_options,
    add_variable_options,
    exit_code,
    names,
    start_verifying,
)
from ._multivar import emit_result

_HESSIAN_EPILOG = """\
examples:
  deriv hessian "3a^2 + b^2 - ab + a"            the matrix [[6, -1], [-1, 2]]
  deriv hessian "x^3 y + y^2" --steps            every second partial derivative step by step
  deriv hessian "x^2 y + y^3" --vars y,x         the variables, and the order of rows and columns
  deriv hessian "x^2 + xy" --format latex        the matrix as a pmatrix (also: --format markdown, json)

Entry (i, j) is the derivative by the i-th variable, then by the j-th. Every entry is checked
against SymPy; --no-verify skips the check.
"""


def _hessian_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expr", metavar="EXPR", help='the function, e.g. "3a^2 + b^2 - ab + a"; quote it for the shell')
    add_derivation_options(parser)
    add_variable_options(parser)
    add_output_options(parser)


def _run_hessian(args: argparse.Namespace) -> int:
    start_verifying(args, renders="multivar")
    import dataclasses

    from ..calculus.multivar import hessian

    result = hessian(
        args.expr, names(args.vars), detail=args.detail, simplify=args.simplify, functions=names(args.functions)
    )
    if args.verify:
        from ..cas.verification import verify_all

        checks = iter(verify_all([d for row in result.entries for d in row]))
        entries = tuple(tuple(d.with_verification(next(checks)) for d in row) for row in result.entries)
        result = dataclasses.replace(result, entries=entries)
    emit_result(result, args, steps=args.steps)
    return exit_code([d for row in result.entries for d in row])


COMMAND = Command(
    "the Hessian: the matrix of second partial derivatives, each with its steps",
    _hessian_arguments,
    _run_hessian,
    usage="deriv hessian EXPR [--vars a,b] [--steps] [--format FORMAT] [options]",
    epilog=_HESSIAN_EPILOG,
)
