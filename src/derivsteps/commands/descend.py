"""deriv descend EXPR --from a=1,b=2 --lr 0.1: gradient descent, every iteration worked out with exact numbers."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from ..core import limits
from . import (
    EXIT_DISAGREES,
    EXIT_OK,
    EXIT_USAGE,
    Command,
    add_output_options,
    add_variable_options,
    names,
    output_format,
    print_json,
    start_verifying,
    write,
    write_html,
)
from ._multivar import add_data_option, read_data

# A run of at least this many iterations gets a progress bar (on a terminal only, on stderr).
PROGRESS_FROM = 200

# Image formats --plot writes; matplotlib picks the format from the file name.
PLOT_SUFFIXES = (".png", ".svg", ".pdf")

_EPILOG = f"""\
examples:
  deriv descend "3a^2 + b^2 - ab + a" --from a=1,b=2 --lr 0.1
                                 one step by hand: ∇f(1, 2) = (5, 3), so (a, b) becomes (0.5, 1.7)
  deriv descend "x^2" --from x=1 --lr 0.25 --iters 5
                                 five steps, then a table of (iteration, x, f)
  deriv descend "x^2 + y^2" --from x=1,y=1 --lr 0.1 --iters 200 --numeric --plot descent.png
                                 floating point, and f along the iterations as an image (pip install 'derivsteps[plot]')
  deriv descend "1/2 sum_i (s a_i + b - h_i)^2" --from s=1,b=0 --lr 0.01 --data a=0,2,4 --data h=30,40,50
                                 a loss over data: ∇f(1, 0) = (-260, -114), so (s, b) becomes (3.6, 1.14)

The gradient is worked out once by the rules (and checked against SymPy unless --no-verify); each
iteration then puts the point into it, updates every variable by θ ← θ − η∇f(θ), and works out f at
the new point. Arithmetic is exact: fractions stay fractions, a learning rate or a start typed as a
decimal gives decimals. --iters is at most {limits.MAX_DESCENT_ITERATIONS:,} (limits.MAX_DESCENT_ITERATIONS).

A run stops early, with the iterations so far and the reason, when it diverges (f or the point grows
a trillion-fold: the learning rate is probably too large), when f falls without bound, when a value
is not finite, or when exact numbers grow longer than 100 digits (descent.EXACT_DIGITS) or leave the
rational numbers (use --numeric then). Such a run exits with status {EXIT_USAGE}; in --format json its document says why under "stopped".
"""


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "expr", metavar="EXPR", help='the function f to minimise, e.g. "3a^2 + b^2 - ab + a"; quote it for the shell'
    )
    parser.add_argument(
        "--from",
        dest="start",
        metavar="a=1,b=2",
        required=True,
        help="the starting point: a value for every variable of EXPR",
    )
    parser.add_argument(
        "--lr", metavar="ETA", required=True, help="the learning rate η, a positive number such as 0.1 or 1/10"
    )
    parser.add_argument(
        "--iters",
        metavar="N",
        type=int,
        default=1,
        help=f"the number of iterations (default 1, at most {limits.MAX_DESCENT_ITERATIONS:,})",
    )
    parser.add_argument(
        "--numeric",
        action="store_true",
        help="floating-point arithmetic instead of exact numbers (for long runs, or sin, e^x, ...)",
    )
    parser.add_argument(
        "--plot",
        metavar="FILE.png",
        help="also draw f along the iterations into FILE (.png, .svg or .pdf; needs matplotlib)",
    )
    parser.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        help="do not check the gradient against SymPy (faster start)",
    )
    add_variable_options(
        parser,
        "the variables to descend along, in this order (default: those of --from, in its order); "
        "other variables keep their --from value. Also names to read as one variable, e.g. --vars rate",
    )
    add_data_option(parser)
    add_output_options(parser)


def _run(args: argparse.Namespace) -> int:
    from ..calculus.descent import descend
    from ..core.errors import UsageError

    start_verifying(args, renders="descent")
    if args.plot is not None:
        _check_plot(args.plot)
    with _progress(args) as progress:
        result = descend(
            args.expr,
            args.start,
            args.lr,
            args.iters,
            names(args.vars),
            numeric=args.numeric,
            functions=names(args.functions),
            progress=progress,
            data=read_data(args),
        )
    if args.verify:
        from ..cas.verification import verify_all

        result = result.with_verification(verify_all(result.gradient.components))
    _emit(result, args)
    if args.plot is not None:
        from ..render.descent import write_plot

        try:
            write_plot(result, args.plot)
        except OSError as error:
            raise UsageError(f"cannot write the plot to {args.plot}: {error.strerror or error}") from None
        print(f"plot of f written to {args.plot}", file=sys.stderr)
    if any(check is not None and check.verified is False for check in result.verifications):
        return EXIT_DISAGREES
    return EXIT_USAGE if result.stop is not None else EXIT_OK


def _check_plot(path: str) -> None:
    """Fail before the work, not after: the file type, and matplotlib being there."""
    import importlib.util

    from ..core.errors import UsageError

    if Path(path).suffix.lower() not in PLOT_SUFFIXES:
        raise UsageError(f"--plot writes {', '.join(PLOT_SUFFIXES)} files; {path!r} has none of these endings")
    if importlib.util.find_spec("matplotlib") is None:
        raise UsageError(
            "--plot needs matplotlib, an optional extra: pip install 'derivsteps[plot]' (or pip install matplotlib)"
        )


def _progress(args: argparse.Namespace):
    """The progress callback's context: a bar for a long run with a terminal on stderr, nothing otherwise."""
    if args.iters >= PROGRESS_FROM and sys.stderr.isatty():
        from ..render.live import descent_bar

        return descent_bar(args.iters)
    return contextlib.nullcontext()


def _emit(result, args: argparse.Namespace) -> None:
    fmt = output_format(args)
    if fmt == "json":
        from ..render.descent import to_json

        # Without verification SymPy is never imported, so the JSON then leaves out the sympy strings.
        print_json(to_json(result, with_sympy=args.verify), args)
    elif fmt == "rich":
        from ..render.descent import print_rich

        print_rich(result, ascii=args.ascii)
    else:
        from ..render import descent as render

        if fmt == "html":
            write_html(result)
            return
        chosen = {
            "text": lambda: render.render_text(result, ascii=args.ascii),
            "latex": lambda: render.render_latex(result),
            "markdown": lambda: render.render_markdown(result),
        }
        write(chosen[fmt]())


COMMAND = Command(
    "gradient descent on EXPR from a point, every iteration worked out",
    _arguments,
    _run,
    usage="deriv descend EXPR --from a=1,b=2 --lr ETA [--iters N] [--data a=0,2,4 ...] [--numeric] [--plot FILE.png] [--format FORMAT] [options]",
    epilog=_EPILOG,
)
