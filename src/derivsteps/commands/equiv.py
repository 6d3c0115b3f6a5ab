"""deriv equiv A B: are two expressions equal as functions (or, with --same-form, written the same way)?"""

from __future__ import annotations

import argparse

from . import Command, add_output_options, add_reading_options, names, start_verifying

_EQUIV_EPILOG = """\
examples:
  deriv equiv "sin(2x)" "2 sin(x) cos(x)"      equal (decided symbolically)
  deriv equiv "a*b + c" "c + b*a" --same-form   equal up to the order of terms and factors
  deriv equiv "(6x+1)(x-1)" "(-6x-1)(1-x)" --same-form --move-signs    the same form up to where the minus signs sit
exit codes: 0 equal, 1 not equal, 3 inconclusive, 2 bad input
"""


def _equiv_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("a", metavar="A", help="the first expression")
    parser.add_argument("b", metavar="B", help="the second expression")
    parser.add_argument(
        "--same-form",
        action="store_true",
        help="equal up to commutativity and associativity of + and · only (nothing computed)",
    )
    parser.add_argument(
        "--move-signs",
        action="store_true",
        help="with --same-form: a minus sign may also come out of a sum, and two cancel (KAS's form rule)",
    )
    add_reading_options(parser)
    add_output_options(parser)


def _run_equiv(args: argparse.Namespace) -> int:
    from ..checking.answers import equivalent_expressions
    from ..core.errors import UsageError
    from .check import EXIT_CODES, report

    start_verifying()
    if args.move_signs and not args.same_form:
        raise UsageError("--move-signs refines --same-form: give both")
    same_form = ("signs" if args.move_signs else "order") if args.same_form else False
    verdict = equivalent_expressions(
        args.a,
        args.b,
        same_form=same_form,
        variables=names(args.vars),
        functions=names(args.functions),
        names=("the first expression", "the second expression"),  # neither is an answer here: say which is which
    )
    report(verdict, args, "equiv")
    return EXIT_CODES[verdict.verdict]


COMMAND = Command(
    "are A and B equal as functions (--same-form: written the same way)?",
    _equiv_arguments,
    _run_equiv,
    epilog=_EQUIV_EPILOG,
)
