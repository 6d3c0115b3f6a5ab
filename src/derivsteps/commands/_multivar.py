"""Output of the several-variable results (Gradient, Hessian, Evaluation) and the --data option, shared by their commands."""

from __future__ import annotations

import argparse
import sys

from . import output_format, print_json, write, write_html


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
    elif fmt == "html":
        write_html(shown.layout(result, steps=steps, detail=detail, values=values))
    else:
        write(shown.render_markdown(result, steps=steps, detail=detail, values=values))


DATA_HELP = (
    "values of the indexed variables of a sum: a=0,2,4 (one option per column) or FILE.csv (its header row names the "
    "columns); repeat for several columns"
)


def add_data_option(parser: argparse.ArgumentParser) -> None:
    """--data, repeatable: the data set the sums over an index run over (Σ_i ... a_i ...)."""
    group = parser.add_argument_group("data for sums over an index")
    group.add_argument("--data", metavar="a=0,2,4 | FILE.csv", action="append", default=None, help=DATA_HELP)


def read_data(args: argparse.Namespace):
    """The Data of the --data options (or the Data the web API read from its request), or None when there are none."""
    if not args.data:
        return None
    from ..data.datasets import to_data

    return to_data(args.data)
