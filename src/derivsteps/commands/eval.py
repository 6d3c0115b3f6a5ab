"""deriv eval EXPR --at a=1,b=2: the value at a point, the substitution as a step and then the exact arithmetic."""

from __future__ import annotations

import argparse

from . import (
    EXIT_DISAGREES,
    EXIT_OK,
    Command,
    add_output_options,
    add_reading_options,
    names,
)
from ._multivar import add_data_option, emit_result, read_data

_EVAL_EPILOG = """\
examples:
  deriv eval "3a^2 + b^2 - ab + a" --at a=1,b=2  substitute, then the arithmetic: 6
  deriv eval "x/3 + y" --at x=1,y=0.5            exact: 1/3 stays 1/3, 0.5 stays 0.5 (here 5/6)
  deriv eval "sqrt(x)" --at x=2 --numeric        sqrt(2), and the float 1.4142135623730951
  deriv eval "rate t" --at rate=2,t=3            a name of several letters in the point is a variable
  deriv eval "1/2 + 1/3"                         no variables: just the arithmetic
  deriv eval "1/2 sum_i (s a_i + b - h_i)^2" --at s=1,b=0 --data a=0,2,4 --data h=30,40,50
                                                 a loss over data: each point's term (900, 1444, 2116), then 2230

Every variable of EXPR needs a value in --at, and every name in --at must occur in EXPR. With --data,
a_i in a sum over i takes column a's values and n is the number of data points; the value is then
checked against the sums written out term by term (--no-verify skips that).
"""


def _eval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "expr", metavar="EXPR", help='the expression, e.g. "3a^2 + b^2 - ab + a"; quote it for the shell'
    )
    parser.add_argument(
        "--at", metavar="a=1,b=2", default=None, help="the point: a value for every variable, e.g. a=1,b=-1/2,c=0.25"
    )
    parser.add_argument(
        "--numeric", action="store_true", help="also give the value as a floating-point number (the exact steps stay)"
    )
    add_data_option(parser)
    group = parser.add_argument_group("the working")
    group.add_argument(
        "--detail",
        choices=("brief", "normal", "full"),
        default="full",
        help="full (one rewrite per line: every piece of arithmetic; the default), normal (the arithmetic in one line), "
        "brief (one line)",
    )
    group.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        help="with --data: do not check the value against the sums written out",
    )
    add_reading_options(parser)
    add_output_options(parser)


def _run_eval(args: argparse.Namespace) -> int:
    from ..calculus.at_point import evaluate_at

    data = read_data(args)
    if args.at is None:
        _require_no_variables(args, data is not None)
    point = args.at if args.at is not None else ""
    result = evaluate_at(
        args.expr,
        point,
        args.numeric,
        detail=args.detail,
        variables=names(args.vars),
        functions=names(args.functions),
        data=data,
    )
    if data is not None and args.verify:
        from ..calculus.at_point import check_value

        result = result.with_check(check_value(result))
    emit_result(result, args)
    return EXIT_DISAGREES if result.check is not None and result.check.verified is False else EXIT_OK


def _require_no_variables(args: argparse.Namespace, with_data: bool) -> None:
    """Without --at only numbers can be worked out; say how to give the point rather than "no value for x"."""
    from ..calculus.multivar import variable_name
    from ..core.errors import UsageError
    from ..core.tree import variables
    from ..data.datasets import COUNT, parameters
    from ..language.parser import parse

    tree = parse(args.expr, variables=names(args.vars), functions=names(args.functions)).expr
    # With data, a_i and n have their values already: only the parameters need a point.
    found = [var for var in parameters(tree) if var != COUNT] if with_data else variables(tree)
    if found:
        example = ",".join(f"{variable_name(var)}=1" for var in found)
        raise UsageError(f"say where to evaluate with --at, a value for each variable: such as --at {example}")


COMMAND = Command(
    "the value of EXPR at a point: the substitution, then the arithmetic, exactly",
    _eval_arguments,
    _run_eval,
    usage="deriv eval EXPR --at a=1,b=2 [--data a=0,2,4 ...] [--numeric] [--format FORMAT] [options]",
    epilog=_EVAL_EPILOG,
)
