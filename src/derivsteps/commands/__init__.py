"""The subcommands of `deriv`: one module each, found by name, sharing the option groups and output helpers here.

A module `commands/NAME.py` defines `COMMAND` (a Command); cli.py builds one subparser per module, in ORDER.
Keep these modules light at import time: the command line is parsed before any work is done, so heavy imports
(SymPy, rich, the engine) belong inside the run function.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable
from dataclasses import dataclass

FORMATS = ("rich", "text", "latex", "markdown", "html", "json")

# Exit codes; cli.py's epilog documents them.
EXIT_OK = 0
EXIT_DISAGREES = 1  # our result disagrees with SymPy: a bug in derivsteps, reported loudly
EXIT_USAGE = 2  # bad input or usage, with a message that says what and where
EXIT_INTERNAL = 70  # an unexpected exception (sysexits EX_SOFTWARE): distinct from every answer-like code

# The order of the commands in --help, the lecture's order; a command not listed comes after these.
ORDER = ("diff", "grad", "hessian", "eval", "critical", "descend", "check", "equiv", "grade", "practice",
         "implicit", "serve")  # fmt: skip


@dataclass(frozen=True)
class Command:
    """One subcommand: its one-line summary, the arguments it takes, and the function that runs it."""

    summary: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    usage: str | None = None  # None: argparse writes it from the arguments
    epilog: str = ""


def discover() -> dict[str, Command]:
    """Every command module of this package, by name, in ORDER."""
    found = {}
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            found[module.name] = importlib.import_module(f"{__name__}.{module.name}").COMMAND
    rank = {name: index for index, name in enumerate(ORDER)}
    return dict(sorted(found.items(), key=lambda item: (rank.get(item[0], len(ORDER)), item[0])))


# -- options shared by the commands (grad, hessian, ... reuse them) --------------------------------------------------------
def add_reading_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("how the expression is read")
    group.add_argument(
        "--vars",
        metavar="a,b",
        default="",
        help="names to read as variables, e.g. --vars rate,t (so `rate` is not r·a·t·e)",
    )
    group.add_argument(
        "--functions",
        metavar="f,g",
        default="",
        help="names of unknown functions, e.g. --functions f,g (so f(x) is not f·x)",
    )
    group.add_argument("--latex", action="store_true", help=_LATEX_HELP)


_LATEX_HELP = "read the input as LaTeX (\\frac{1}{x}); without it, a backslash or ^{…} is enough to tell"


def add_output_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("output")
    group.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="rich (colours; the default on a terminal), text (the default otherwise), latex (an align* block), markdown, "
        "html (a fragment with MathML, for a web page), json",
    )
    group.add_argument("--ascii", action="store_true", help="plain ASCII: d/dx and * instead of ∂/∂x and ·")


def add_derivation_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("the derivation")
    group.add_argument(
        "--steps", action="store_true", help="show every step with the rule it uses (default: the result only)"
    )
    group.add_argument(
        "--detail",
        choices=("brief", "normal", "full"),
        default="normal",
        help=(
            "with --steps: normal (one rule per line; simplification one kind per line, such as arithmetic or"
            " multiply out), full (one rewrite per line), brief (only the calculus rules)"
        ),
    )
    group.add_argument(
        "--simplify",
        choices=("none", "light", "full"),
        default="light",
        help="tidy the result: none, light (as a lecturer writes it; the default), full (also ask SymPy for a shorter form)",
    )
    group.add_argument(
        "--no-verify", dest="verify", action="store_false", help="do not check the result against SymPy (faster start)"
    )


_VARS_HELP = (
    "the variables to differentiate by, in this order (default: every variable, alphabetical; for a loss over data, "
    "its parameters as they appear); also declares names of several letters, e.g. --vars rate,t"
)


def add_variable_options(parser: argparse.ArgumentParser, vars_help: str = _VARS_HELP) -> None:
    """--vars (which variables, in which order) and --functions: the reading options of the several-variable commands."""
    group = parser.add_argument_group("variables and how the expression is read")
    group.add_argument("--vars", metavar="a,b", default="", help=vars_help)
    group.add_argument(
        "--functions",
        metavar="f,g",
        default="",
        help="names of unknown functions, e.g. --functions f,g (so f(x) is not f·x)",
    )
    group.add_argument("--latex", action="store_true", help=_LATEX_HELP)


# What the kept CAS worker imports itself, right after its fork: SymPy (0.3 s, on the other core while this process
# works) and the verification that registers its first-use warm-up.
CAS_PRELOAD = ("sympy", "derivsteps.cas.verification")


def start_verifying(args: argparse.Namespace | None = None, renders: str | None = None) -> None:
    """When the results will be verified (or always, without args: check and equiv always ask SymPy), fork the CAS
    worker now: it imports SymPy on the other core while this process reads and differentiates (workers.start), and
    this process never imports SymPy for a text answer. renders: the module of render/ that will write the output,
    imported while this process waits for the worker's first answer."""
    if args is None or getattr(args, "verify", False):
        from ..cas import workers

        workers.start(*CAS_PRELOAD)
        if renders is not None and args is not None:
            workers.meanwhile(lambda: _import_output(args, renders))


# The writer module of each output format (render/writers/): what a format's output imports besides the layout.
_WRITERS = {"text": "text", "rich": "terminal", "latex": "latex", "markdown": "markdown", "html": "htmldoc"}


def _import_output(args: argparse.Namespace, renders: str) -> None:
    importlib.import_module(f"..render.{renders}", __package__)
    writer = _WRITERS.get(output_format(args))
    if writer is not None:
        importlib.import_module(f"..render.writers.{writer}", __package__)
    else:
        importlib.import_module("..render.jsondoc", __package__)


def emit_result(module: str, result, args: argparse.Namespace) -> int:
    """Write a result in the chosen format with the writers of render/<module>.py, imported only for the format asked,
    and return the exit code (1 when its verification disagrees). Without verification SymPy is never imported, so
    the JSON then leaves out the sympy strings."""
    render = importlib.import_module(f"..render.{module}", __package__)
    fmt = output_format(args)
    if fmt == "json":
        print_json(render.to_json(result, with_sympy=args.verify), args)
    elif fmt == "rich":
        render.print_rich(result, steps=args.steps, detail=args.detail, ascii=args.ascii)
    elif fmt == "text":
        sys.stdout.write(render.render_text(result, steps=args.steps, ascii=args.ascii, detail=args.detail))
    elif fmt == "latex":
        write(render.render_latex(result, steps=args.steps, detail=args.detail))
    elif fmt == "html":
        write_html(result, steps=args.steps, detail=args.detail)
    else:
        write(render.render_markdown(result, steps=args.steps, detail=args.detail))
    check = result.verification
    return EXIT_DISAGREES if check is not None and check.verified is False else EXIT_OK


def exit_code(derivations) -> int:
    """1 when any derivation disagrees with SymPy (a bug, said loudly), else 0."""
    disagrees = any(d.verification is not None and d.verification.verified is False for d in derivations)
    return EXIT_DISAGREES if disagrees else EXIT_OK


# -- reading arguments and writing output ------------------------------------------------------------------------------
def names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def output_format(args: argparse.Namespace) -> str:
    if args.format is not None:
        return args.format
    return "rich" if sys.stdout.isatty() else "text"


def write(text: str) -> None:
    """Text to stdout, ending in exactly one newline."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def write_html(result, **options) -> None:
    """--format html: the result as an HTML fragment, its math in MathML (render.api.to_html); options as to_html's,
    or a Document already laid out."""
    from ..render.document import Document

    if isinstance(result, Document):
        from ..render.writers import write as write_document

        write(write_document(result, "html", math="mathml"))
        return
    from ..render.api import to_html

    write(to_html(result, **{name: value for name, value in options.items() if value is not None}))


def print_json(document: dict, args: argparse.Namespace) -> None:
    import json

    print(json.dumps(document, ensure_ascii=args.ascii, indent=2))
