"""Output of the several-variable results (Gradient, Hessian, Evaluation), shared by grad, hessian and eval."""

from __future__ import annotations

import argparse
import sys

from . import output_format, print_json, write


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
