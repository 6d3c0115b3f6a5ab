"""deriv eval EXPR --at a=1,b=2: the value at a point, the substitution as a step and then the exact arithmetic."""

from __future__ import annotations

import argparse

from . import EXIT_OK, Command, add_output_options, add_reading_options, names
from ._multivar import emit_result

_EVAL_EPILOG = """\
examples:
  deriv eval "3a^2 + b^2 - ab + a" --at a=1,b=2  substitute, then the arithmetic: 6
  deriv eval "x/3 + y" --at x=1,y=0.5            exact: 1/3 stays 1/3, 0.5 stays 0.5 (here 5/6)
  deriv eval "sqrt(x)" --at x=2 --numeric        sqrt(2), and the float 1.4142135623730951
  deriv eval "rate t" --at rate=2,t=3            a name of several letters in the point is a variable
  deriv eval "1/2 + 1/3"                         no variables: just the arithmetic

Every variable of EXPR needs a value in --at, and every name in --at must occur in EXPR.
"""


def _eval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expr", metavar="EXPR", help='the expression, e.g. "3a^2 + b^2 - ab + a"; quote it for the shell')
    parser.add_argument("--at", metavar="a=1,b=2", default=None, help="the point: a value for every variable, e.g. a=1,b=-1/2,c=0.25")
    parser.add_argument("--numeric", action="store_true", help="also give the value as a floating-point number (the exact steps stay)")
    group = parser.add_argument_group("the working")
    group.add_argument(
        "--detail",
        choices=("brief", "normal", "full"),
        default="full",
        help="full (one rewrite per line: every piece of arithmetic; the default), normal (the arithmetic in one line), "
        "brief (one line)",
    )
    add_reading_options(parser)
    add_output_options(parser)


def _run_eval(args: argparse.Namespace) -> int:
    from ..evaluation import evaluate_at

    if args.at is None:
        _require_no_variables(args)
    point = args.at if args.at is not None else ""
    result = evaluate_at(args.expr, point, args.numeric, detail=args.detail, variables=names(args.vars), functions=names(args.functions))
    emit_result(result, args)
    return EXIT_OK


def _require_no_variables(args: argparse.Namespace) -> None:
    """Without --at only numbers can be worked out; say how to give the point rather than "no value for x"."""
    from ..errors import UsageError
    from ..multivar import variable_name
    from ..parser import parse
    from ..tree import variables

    found = variables(parse(args.expr, variables=names(args.vars), functions=names(args.functions)).expr)
    if found:
        example = ",".join(f"{variable_name(var)}=1" for var in found)
        raise UsageError(f"say where to evaluate with --at, a value for each variable: such as --at {example}")


COMMAND = Command(
    "the value of EXPR at a point: the substitution, then the arithmetic, exactly",
    _eval_arguments,
    _run_eval,
    usage="deriv eval EXPR --at a=1,b=2 [--numeric] [--format FORMAT] [options]",
    epilog=_EVAL_EPILOG,
)
