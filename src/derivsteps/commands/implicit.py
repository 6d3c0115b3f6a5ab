"""deriv implicit EQUATION: dy/dx from an equation, each side differentiated with y = y(x), then solved for dy/dx."""

from __future__ import annotations

import argparse

from . import (
    Command,
    add_derivation_options,
    add_output_options,
    add_reading_options,
    emit_result,
    names,
    start_verifying,
)

_EPILOG = """\
examples:
  deriv implicit "x^2 + y^2 = 25"                 the circle: dy/dx = -x/y (x and y are found by name)
  deriv implicit "x^3 + y^3 = 6xy" --steps        the folium: each side's derivation, rule by rule, then the solving
  deriv implicit "sin(xy) = x" --wrt x            --wrt names the variable y is a function of
  deriv implicit "t^2 + s^3 = 1" --wrt t          two variables and --wrt: the other one (s) is the dependent variable
  deriv implicit "u^2 + v^2 = r^2" --wrt u --of v
                                                  --of (or --dependent) names the dependent variable; r is held constant
  deriv implicit "e^y = x" --format latex         LaTeX for a write-up (also: --format markdown, json)
  deriv "x^2 + y^2 = 25" --wrt x --implicit       the same from the main command

How it works, as in the lecture: y stands for an unknown function y(x), so each side is differentiated by x
with the chain rule on every y term (y^2 gives 2y · dy/dx). The result is linear in dy/dx: the dy/dx terms
are collected on the left, the rest on the right, dy/dx is factored out, and both sides are divided by its
factor A. The answer holds where A ≠ 0, which a note says (dy/dx is undefined where y = 0 on the circle).
An equation in which dy/dx does not appear once differentiated (x^2 = 4) is refused with exit status 2.
Without --steps the solving is shown line by line; --steps also shows each side's derivation, rule by rule.

The answer is checked against SymPy's -F_x/F_y with F = left side - right side, the formula of the implicit
function theorem; the last line says ✓ verified, ? could not verify, or ✗ disagrees (a bug in derivsteps).
"""


def add_dependent_option(parser: argparse.ArgumentParser) -> None:
    """--dependent (also --of): the variable that is a function of the --wrt variable."""
    parser.add_argument(
        "--dependent",
        "--of",
        dest="dependent",
        metavar="VAR",
        default=None,
        help="the dependent variable, a function of the --wrt variable (default: y; with exactly two variables and "
        "--wrt, the other one)",
    )


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expr", metavar="EQUATION", help='the equation, e.g. "x^2 + y^2 = 25"; quote it for the shell')
    parser.add_argument(
        "--wrt",
        metavar="VAR",
        default=None,
        help="the variable to differentiate by (default: x, or the only variable besides the dependent one)",
    )
    add_dependent_option(parser)
    add_derivation_options(parser)
    add_reading_options(parser)
    add_output_options(parser)


def run(args: argparse.Namespace) -> int:
    """Find dy/dx for the command line's equation and write it; also what `deriv EQUATION --implicit` runs."""
    start_verifying(args, renders="implicit")
    from ..calculus.implicit import implicit_derivative, verify_implicit

    result = implicit_derivative(
        args.expr,
        args.wrt,
        args.dependent,
        detail=args.detail,
        simplify=args.simplify,
        variables=names(args.vars),
        functions=names(args.functions),
    )
    if args.verify:
        result = verify_implicit(result)
    return emit_result("implicit", result, args)


COMMAND = Command(
    "implicit differentiation: dy/dx from an equation such as x^2 + y^2 = 25, step by step",
    _arguments,
    run,
    usage="deriv implicit EQUATION [--wrt VAR] [--dependent VAR] [--steps] [--format FORMAT] [options]",
    epilog=_EPILOG,
)
