"""deriv critical EXPR: set every partial derivative to zero, solve the system with its steps, classify each point."""

from __future__ import annotations

import argparse
import sys

from . import (
    EXIT_DISAGREES,
    EXIT_OK,
    Command,
    add_derivation_options,
    add_output_options,
    add_variable_options,
    names,
    output_format,
    print_json,
    write,
)

_EPILOG = """\
examples:
  deriv critical "3a^2 + b^2 - ab + a"           the lecture's Question 1: a = -2/11, b = -1/11, a minimum
  deriv critical "x^3 - 3x + y^2"                not linear: SymPy solves it; a saddle point and a minimum
  deriv critical "x^2 + k x" --vars x            only x is a variable: k stays a parameter
  deriv critical "3a^2 + b^2 - ab + a" --steps   also every partial derivative, rule by rule

A linear system is solved the way a lecture does it (express a variable from one equation, substitute it
into the others, solve, back-substitute), in exact fractions; any other system is solved by SymPy in one
step that says so. Each point is classified by the Hessian's leading principal minors (and, when det H = 0,
by the signs of its eigenvalues): minimum, maximum, saddle point, or inconclusive. No critical point, or
infinitely many, is an answer (exit 0), said in words.
"""


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expr", metavar="EXPR", help='the function, e.g. "3a^2 + b^2 - ab + a"; quote it for the shell')
    add_derivation_options(parser)
    add_variable_options(parser)
    add_output_options(parser)


def _run(args: argparse.Namespace) -> int:
    from ..critical import critical_points, verify_critical

    result = critical_points(args.expr, names(args.vars), detail=args.detail, simplify=args.simplify, functions=names(args.functions))
    if args.verify:
        result = verify_critical(result)
    _emit(result, args)
    check = result.verification
    return EXIT_DISAGREES if check is not None and check.verified is False else EXIT_OK


def _emit(result, args: argparse.Namespace) -> None:
    fmt = output_format(args)
    if fmt == "json":
        from ..render.critical import to_json

        # Without verification the JSON leaves out the sympy strings, unless the solving needed SymPy anyway.
        print_json(to_json(result, with_sympy=args.verify), args)
    elif fmt == "rich":
        from ..render.critical import print_rich

        print_rich(result, steps=args.steps, detail=args.detail, ascii=args.ascii)
    elif fmt == "text":
        from ..render.critical import render_text

        sys.stdout.write(render_text(result, steps=args.steps, ascii=args.ascii, detail=args.detail))
    elif fmt == "latex":
        from ..render.critical import render_latex

        write(render_latex(result, steps=args.steps, detail=args.detail))
    else:
        from ..render.critical import render_markdown

        write(render_markdown(result, steps=args.steps, detail=args.detail))


COMMAND = Command(
    "critical points of EXPR: set the gradient to zero, solve (with steps), classify by the Hessian",
    _arguments,
    _run,
    usage="deriv critical EXPR [--vars a,b] [--steps] [--format FORMAT] [options]",
    epilog=_EPILOG,
)
