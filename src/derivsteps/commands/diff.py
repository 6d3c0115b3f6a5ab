"""deriv diff EXPR: one derivative, step by step (the default command)."""

from __future__ import annotations

import argparse
import sys

from . import (
    EXIT_DISAGREES,
    EXIT_OK,
    Command,
    add_derivation_options,
    add_output_options,
    add_reading_options,
    implicit,
    names,
    output_format,
    print_json,
    start_verifying,
    write,
    write_html,
)
from .implicit import add_dependent_option

# --json-steps: how the JSON document writes each step (render/jsondoc.py's STEP_FORMS, listed here so that --help
# does not import the renderers).
JSON_STEPS = ("whole", "changes")

_DIFF_EPILOG = """\
examples:
  deriv "(x+y+z)^2" --wrt y --steps        every step, each with its rule (x and z are held constant)
  deriv "3a^2 + b^2 - ab + a" --wrt a      a partial derivative: 6a - b + 1
  deriv "x^3 sin(x)" --wrt x,x             second derivative (--wrt x,y: mixed partial, each pass shown)
  deriv "e^(x^2)" --wrt x --steps --format latex
                                           LaTeX for a write-up (also: --format markdown, json)
  deriv "sin(x^2)" --wrt x --hint          only the rule that applies next, so you can try the step yourself
  deriv "d/dx x^2 sin x"                   the expression says what to differentiate by: no --wrt needed
  deriv "-x^2" --wrt x                     a leading minus works as typed
  deriv "\\frac{2x}{x^2+1}"                 LaTeX works too (told by a backslash or ^{...}; --latex insists)
  deriv "f(x) = x^2 sin x"                 an equation that names what it defines: its right-hand side
  deriv "1/(x - 1) + ln(x)"                the domain line says where the result holds: x > 0, x ≠ 1
  deriv "x^2 + y^2 = 25" --wrt x --implicit
                                           dy/dx from an equation, step by step (see deriv implicit --help)

Every result is checked against SymPy: the last line says ✓ verified (and how), ? could not
verify (and why), or ✗ disagrees with SymPy, which is a bug in derivsteps. Where a reading could
be taken two ways, a note: line says which was taken; undefined input (1/0) is refused.
"""


def _diff_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "expr", metavar="EXPR", help='the expression, e.g. "x^2 sin(x)" or "d/dx e^(2x)"; quote it for the shell'
    )
    parser.add_argument(
        "--wrt",
        metavar="VAR",
        default=None,
        help="the variable to differentiate by; x,x for the second derivative, x,y for a mixed partial. "
        "May be left out when EXPR has one variable or its own d/dx",
    )
    parser.add_argument(
        "--hint", action="store_true", help="print only the rule that applies next, and where (not the result)"
    )
    parser.add_argument(
        "--implicit",
        action="store_true",
        help='EXPR is an equation such as "x^2 + y^2 = 25": find dy/dx by implicit differentiation (as deriv implicit)',
    )
    add_dependent_option(parser)
    add_derivation_options(parser)
    add_reading_options(parser)
    add_output_options(parser)
    parser.add_argument(
        "--json-steps",
        choices=JSON_STEPS,
        default="whole",
        help="with --format json: each step's expression whole (schema 1, the default), or only what changed: "
        "a path and the subtree now there (schema 2, much smaller for large derivations)",
    )


def _run_diff(args: argparse.Namespace) -> int:
    if args.implicit or args.dependent is not None:
        return _run_implicit(args)
    if not args.hint:
        start_verifying(args, renders="derivation")
    from ..calculus.derivative import differentiate

    derivation = differentiate(
        args.expr,
        args.wrt,
        detail=args.detail,
        simplify="none" if args.hint else args.simplify,
        variables=names(args.vars),
        functions=names(args.functions),
    )
    if args.hint:
        return _print_hint(derivation, args)
    if args.verify:
        from ..cas.verification import verify

        derivation = derivation.with_verification(verify(derivation))
    emit(derivation, args)
    check = derivation.verification
    return EXIT_DISAGREES if check is not None and check.verified is False else EXIT_OK


def _run_implicit(args: argparse.Namespace) -> int:
    from ..core.errors import UsageError

    if not args.implicit:
        raise UsageError(
            "--dependent names the dependent variable of an equation: use it with --implicit (or deriv implicit)"
        )
    if args.hint:
        raise UsageError("--hint works on an expression; with --implicit, --steps shows every rule")
    return implicit.run(args)


def _print_hint(derivation, args: argparse.Namespace) -> int:
    """Print the rule that applies next and where it applies, in the rule's own words; never the result."""
    from ..language.mathtext import to_text
    from ..render.hint import hint_html, hint_lines, next_rule

    show = lambda expr: to_text(expr, args.ascii)  # noqa: E731
    hint = next_rule(derivation, show)
    if output_format(args) == "json":
        document = {
            "schema": 1,
            "command": "hint",
            "input": derivation.input,
            "wrt": [to_text(v, ascii=True) for v in derivation.wrt],
            **hint,
        }
        print_json(document, args)
        return EXIT_OK
    if output_format(args) == "html":
        write(hint_html(derivation, hint))
        return EXIT_OK
    write("\n".join(hint_lines(derivation, hint, args.ascii)))
    return EXIT_OK


def emit(derivation, args: argparse.Namespace) -> None:
    """Write the derivation to stdout in the chosen format."""
    fmt = output_format(args)
    if fmt == "text":
        from ..render.text import render_text

        sys.stdout.write(render_text(derivation, steps=args.steps, ascii=args.ascii, detail=args.detail))
    elif fmt == "rich":
        from ..render.live import print_view
        from ..render.terminal import DerivationView

        print_view(DerivationView(derivation, steps=args.steps, detail=args.detail, ascii=args.ascii))
    elif fmt == "latex":
        from ..render.latex import render_latex

        write(render_latex(derivation, steps=args.steps, detail=args.detail))
    elif fmt == "markdown":
        from ..render.markdown import render_markdown

        write(render_markdown(derivation, steps=args.steps, detail=args.detail))
    elif fmt == "html":
        write_html(derivation, steps=args.steps, detail=args.detail)
    else:
        from ..render.jsondoc import to_json

        # Without verification SymPy is never imported, so the JSON then leaves out the sympy strings.
        print_json(to_json(derivation, with_sympy=args.verify, steps=args.json_steps), args)


COMMAND = Command(
    "differentiate EXPR, showing the steps (the default: `deriv EXPR` means `deriv diff EXPR`)",
    _diff_arguments,
    _run_diff,
    usage="deriv [diff] EXPR [--wrt VAR] [--steps] [--hint] [--implicit] [--format FORMAT] [options]",
    epilog=_DIFF_EPILOG,
)
