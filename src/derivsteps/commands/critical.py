"""deriv critical EXPR: set every partial derivative to zero, solve the system with its steps, classify each point."""

from __future__ import annotations

import argparse

from . import (
    EXIT_DISAGREES,
    Command,
    add_derivation_options,
    add_output_options,
    add_variable_options,
    emit_result,
    names,
    start_verifying,
)
from ._multivar import add_data_option, read_data

_EPILOG = """\
examples:
  deriv critical "3a^2 + b^2 - ab + a"           the lecture's Question 1: a = -2/11, b = -1/11, a minimum
  deriv critical "x^3 - 3x + y^2"                not linear: SymPy solves it; a saddle point and a minimum
  deriv critical "x^2 + k x" --vars x            only x is a variable: k stays a parameter
  deriv critical "3a^2 + b^2 - ab + a" --steps   also every partial derivative, rule by rule
  deriv critical "1/2 sum_i (s a_i + b - h_i)^2"
                      the lecture's Question 7: the closed form b = h̄ - s ā, s = (mean(ah) - ā h̄)/(mean(a^2) - ā^2)
  deriv critical "1/2 sum_i (s a_i + b - h_i)^2" --data a=0,2,4 --data h=30,40,50
                      Question 8: the sums over the data, then s = 5, b = 30, a minimum

A linear system is solved the way a lecture does it (express a variable from one equation, substitute it
into the others, solve, back-substitute), in exact fractions; any other system is solved by SymPy in one
step that says so. Each point is classified by the Hessian's leading principal minors (and, when det H = 0,
by the signs of its eigenvalues): minimum, maximum, saddle point, or inconclusive. No critical point, or
infinitely many, is an answer (exit 0), said in words.

A loss with sums over data is differentiated by its parameters (s, b, in the order they appear; not a_i, not n).
Without --data the sums are the system's coefficients and the answer is a formula in the means, written in bar
notation: ā = (1/n) Σ_i a_i, and mean(ah), mean(a^2) for the mean of a product or a power (\\bar{a},
\\overline{ah} in LaTeX; mean(a) for every mean with --ascii). With --data each sum is worked out from the data
(written term by term for up to 8 rows) and put into the system, which is then solved with numbers.
"""


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expr", metavar="EXPR", help='the function, e.g. "3a^2 + b^2 - ab + a"; quote it for the shell')
    add_derivation_options(parser)
    add_variable_options(parser)
    add_data_option(parser)
    add_output_options(parser)


def _run(args: argparse.Namespace) -> int:
    from ..calculus.critical import critical_points, verify_critical

    start_verifying(args, renders="critical")
    result = critical_points(
        args.expr,
        names(args.vars),
        data=read_data(args),
        detail=args.detail,
        simplify=args.simplify,
        functions=names(args.functions),
    )
    if args.verify:
        result = verify_critical(result)
    code = emit_result("critical", result, args)
    return EXIT_DISAGREES if result.points_check is not None and result.points_check.verified is False else code


COMMAND = Command(
    "critical points of EXPR: set the gradient to zero, solve (with steps), classify by the Hessian",
    _arguments,
    _run,
    usage="deriv critical EXPR [--vars a,b] [--data a=0,2,4 ...] [--steps] [--format FORMAT] [options]",
    epilog=_EPILOG,
)
