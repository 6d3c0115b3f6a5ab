"""deriv grad EXPR: the gradient, each partial derivative a derivation of its own, and its value at a point."""

from __future__ import annotations

import argparse
import sys

from . import (
    EXIT_DISAGREES,
    EXIT_OK,
    Command,
    add_derivation_options,
    add_output_options,
    names,
    output_format,
    print_json,
    write,
)

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


def add_variable_options(parser: argparse.ArgumentParser) -> None:
    """--vars (which variables, in which order) and --functions: the reading options of grad and hessian."""
    group = parser.add_argument_group("variables and how the expression is read")
    group.add_argument(
        "--vars",
        metavar="a,b",
        default="",
        help="the variables to differentiate by, in this order (default: every variable, alphabetical); "
        "also declares names of several letters, e.g. --vars rate,t",
    )
    group.add_argument("--functions", metavar="f,g", default="", help="names of unknown functions, e.g. --functions f,g (so f(x) is not f·x)")


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


def exit_code(derivations) -> int:
    """1 when any derivation disagrees with SymPy (a bug, said loudly), else 0."""
    disagrees = any(d.verification is not None and d.verification.verified is False for d in derivations)
    return EXIT_DISAGREES if disagrees else EXIT_OK


def emit_result(result, args: argparse.Namespace, *, steps: bool = False, values=None) -> None:
    """Write a Gradient, Hessian or Evaluation to stdout in the chosen format (render/multivar.py)."""
    from ..render import multivar as shown

    fmt = output_format(args)
    detail = getattr(args, "detail", None)
    if fmt == "json":
        # Without verification SymPy is never imported, so the JSON then leaves out the sympy strings.
        print_json(shown.to_json(result, with_sympy=getattr(args, "verify", True), values=values), args)
    elif fmt == "rich":
        shown.print_rich(result, steps=steps, detail=detail, ascii=args.ascii, values=values)
    elif fmt == "text":
        sys.stdout.write(shown.render_text(result, steps=steps, detail=detail, ascii=args.ascii, values=values))
    elif fmt == "latex":
        write(shown.render_latex(result, steps=steps, detail=detail, values=values))
    else:
        write(shown.render_markdown(result, steps=steps, detail=detail, values=values))


COMMAND = Command(
    "the gradient ∇f: every partial derivative, each with its steps (--at: its value at a point)",
    _grad_arguments,
    _run_grad,
    usage="deriv grad EXPR [--vars a,b] [--steps] [--at a=1,b=2] [--format FORMAT] [options]",
    epilog=_GRAD_EPILOG,
)
