"""The `deriv` command: parses the command line, picks a renderer, and turns a DerivError into exit code 2."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import __version__
from .errors import DerivError

FORMATS = ("rich", "text", "latex", "markdown", "json")

# Exit codes; the epilog below documents them.
EXIT_OK = 0
EXIT_DISAGREES = 1  # our result disagrees with SymPy: a bug in derivsteps, reported loudly
EXIT_USAGE = 2  # bad input or usage, with a message that says what and where
EXIT_INTERNAL = 70  # an unexpected exception (sysexits EX_SOFTWARE): distinct from every answer-like code

# An option-shaped token we do not know (a typo such as --step) is left to argparse, which names it; every other
# token that starts with "-" is a value: an expression or an answer typed with a leading minus.
_LONG_OPTION = re.compile(r"--[A-Za-z][A-Za-z0-9-]*(=.*)?", re.DOTALL)

# Check-mark and partial-derivative symbols: if stdout cannot encode these, output falls back to ASCII.
_UNICODE_PROBE = "∂·✓✗π"

# What the rest (rule laws, parser notes) becomes on such a terminal, instead of a UnicodeEncodeError.
_ASCII_FALLBACK = {
    "∂": "d", "·": "*", "−": "-", "—": "-", "′": "'", "π": "pi", "✓": "OK", "✗": "WRONG", "…": "...",
    "ⁿ": "^n", "⁻": "^-", "¹": "1", "²": "^2", "ˣ": "^x", "ᵛ": "^v", "∇": "grad ", "θ": "theta", "η": "eta",
}  # fmt: skip


@dataclass(frozen=True)
class Command:
    """One subcommand: its one-line summary, the arguments it takes, and the function that runs it."""

    summary: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    usage: str | None = None  # None: argparse writes it from the arguments
    epilog: str = ""


class _Parser(argparse.ArgumentParser):
    """argparse with our error format: 'error: ...', a guess at a mistyped option, a pointer to --help; exit code 2."""

    def error(self, message: str):
        unknown = message.partition("unrecognized arguments: ")[2]
        if unknown:
            tokens = unknown.split()  # also drops the space _protect_values put before -steps
            message = f"unrecognized arguments: {' '.join(tokens)}" + _suggestion(tokens, _option_strings(self))
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"error: {message}\n(see `deriv --help` for the options and examples)\n")


def _suggestion(tokens: list[str], options: set[str]) -> str:
    """' (did you mean --steps?)' for a token that looks like a mistyped option; else nothing."""
    import difflib

    for token in tokens:
        if token.startswith("-") and token not in options:
            close = difflib.get_close_matches(token.split("=", 1)[0], sorted(options), n=1, cutoff=0.6)
            if close:
                return f" (did you mean {close[0]}?)"
    return ""


# -- options shared by the commands (grad, hessian, ... reuse them) --------------------------------------------------------
def _add_reading_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("how the expression is read")
    group.add_argument("--vars", metavar="a,b", default="", help="names to read as variables, e.g. --vars rate,t (so `rate` is not r·a·t·e)")
    group.add_argument("--functions", metavar="f,g", default="", help="names of unknown functions, e.g. --functions f,g (so f(x) is not f·x)")


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("output")
    group.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="rich (colours; the default on a terminal), text (the default otherwise), latex (an align* block), markdown, json",
    )
    group.add_argument("--ascii", action="store_true", help="plain ASCII: d/dx and * instead of ∂/∂x and ·")


def _add_derivation_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("the derivation")
    group.add_argument("--steps", action="store_true", help="show every step with the rule it uses (default: the result only)")
    group.add_argument(
        "--detail",
        choices=("brief", "normal", "full"),
        default="normal",
        help="with --steps: normal (one rule per line), full (one rewrite per line), brief (only the calculus rules)",
    )
    group.add_argument(
        "--simplify",
        choices=("none", "light", "full"),
        default="light",
        help="tidy the result: none, light (as a lecturer writes it; the default), full (also ask SymPy for a shorter form)",
    )
    group.add_argument("--no-verify", dest="verify", action="store_false", help="do not check the result against SymPy (faster start)")


# -- diff ---------------------------------------------------------------------------------------------------------------
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

Every result is checked against SymPy: the last line says ✓ verified (and how), ? could not
verify (and why), or ✗ disagrees with SymPy, which is a bug in derivsteps.
"""


def _diff_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expr", metavar="EXPR", help='the expression, e.g. "x^2 sin(x)" or "d/dx e^(2x)"; quote it for the shell')
    parser.add_argument(
        "--wrt",
        metavar="VAR",
        default=None,
        help="the variable to differentiate by; x,x for the second derivative, x,y for a mixed partial. "
        "May be left out when EXPR has one variable or its own d/dx",
    )
    parser.add_argument("--hint", action="store_true", help="print only the rule that applies next, and where (not the result)")
    _add_derivation_options(parser)
    _add_reading_options(parser)
    _add_output_options(parser)


def _run_diff(args: argparse.Namespace) -> int:
    from .engine import differentiate

    derivation = differentiate(
        args.expr,
        args.wrt,
        detail=args.detail,
        simplify="none" if args.hint else args.simplify,
        variables=_names(args.vars),
        functions=_names(args.functions),
    )
    if args.hint:
        return _print_hint(derivation, args)
    if args.verify:
        from .verification import verify

        derivation = derivation.with_verification(verify(derivation))
    _emit(derivation, args)
    check = derivation.verification
    return EXIT_DISAGREES if check is not None and check.verified is False else EXIT_OK


def _print_hint(derivation, args: argparse.Namespace) -> int:
    """Print the rule that applies next and where it applies, in the rule's own words; never the result."""
    from .render.mathtext import to_text
    from .tree import variables

    show = lambda expr: to_text(expr, args.ascii)  # noqa: E731
    hint = _hint(derivation, show)
    if _format(args) == "json":
        import json

        document = {"schema": 1, "command": "hint", "input": derivation.input, "wrt": [to_text(v, ascii=True) for v in derivation.wrt], **hint}
        print(json.dumps(document, ensure_ascii=args.ascii, indent=2))
        return EXIT_OK
    where = hint["at"]
    if len(variables(derivation.expr)) > 1:  # with held constants, say which variable this derivative is by
        where += f" (by {hint['by']})"
    if hint["law"] is None:
        print(f"next: {where}: {hint['explanation']}")
        return EXIT_OK
    dash = "-" if args.ascii else "—"
    law = "" if hint["law"] == hint["label"] else f"  {dash}  {hint['law']}"  # ∂x/∂x = 1 is its own law
    print(f"next: {hint['label']} at {where}{law}")
    if hint["law"] not in hint["explanation"]:  # "From the table of derivatives: <law>" would say it twice
        print(f"      {hint['explanation']}")
    return EXIT_OK


def _hint(derivation, show: Callable) -> dict:
    """The first rule the engine applies to the derivation's start: name, label, law, path, and where, as data."""
    from .derivation import Rewrite, Step
    from .engine import first_match, next_pending
    from .render._labels import explanation, line_label
    from .rules import DIFF_RULES
    from .tree import get_at

    start = derivation.start
    path = next_pending(start)  # never None: differentiate() always starts from a pending derivative
    pending = get_at(start, path)
    hint = {"path": list(path), "at": show(pending.body), "by": show(pending.var)}
    found = first_match(DIFF_RULES, pending)
    if found is None:
        return {
            "rule": "cas_fallback",
            "label": None,
            "law": None,
            **hint,
            "explanation": "no rule on the cheat sheet applies here; SymPy would compute this derivative",
        }
    rule, bindings = found
    # A one-rewrite line that goes nowhere: it lets the shared label and explanation templates fill in the math.
    line = Step((Rewrite(rule.name, path, bindings, (), rule.group),), start, start, "diff")
    return {"rule": rule.name, "label": line_label(line, show, "full"), "law": rule.law, **hint, "explanation": explanation(line, show)}


# -- the command table: grad, hessian, eval, critical, descend, check, equiv, grade join here -----------------------------
COMMANDS: dict[str, Command] = {
    "diff": Command(
        "differentiate EXPR, showing the steps (the default: `deriv EXPR` means `deriv diff EXPR`)",
        _diff_arguments,
        _run_diff,
        usage="deriv [diff] EXPR [--wrt VAR] [--steps] [--hint] [--format FORMAT] [options]",
        epilog=_DIFF_EPILOG,
    ),
}
DEFAULT_COMMAND = "diff"

_EXIT_STATUS = f"""\
exit status:
  {EXIT_OK}   done (also when SymPy could not decide: the output then says "? could not verify")
  {EXIT_DISAGREES}   the result disagrees with SymPy (✗): a bug in derivsteps, please report it
  {EXIT_USAGE}   bad input or usage: the message says what is wrong and where
  {EXIT_INTERNAL}  internal error (a bug): set DERIVSTEPS_DEBUG=1 to see the traceback

environment:
  NO_COLOR=1          no colours in the rich format
  DERIVSTEPS_DEBUG=1  show the traceback of an internal error
"""


def _commands_section() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [f"  {name.ljust(width)}  {command.summary}" for name, command in COMMANDS.items()]
    return "commands:\n" + "\n".join(lines) + "\n"


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: top-level --version and one subparser per entry of COMMANDS."""
    parser = _Parser(
        prog="deriv",
        description="Symbolic differentiation that shows its work: every rule named, every step checked against SymPy.",
        epilog=_commands_section() + "\n" + _EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"deriv (derivsteps) {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, command in COMMANDS.items():
        # The default command's help is what `deriv --help` shows, so it carries the list of commands too.
        epilog = command.epilog + ("\n" + _commands_section() if name == DEFAULT_COMMAND else "") + "\n" + _EXIT_STATUS
        sub = subparsers.add_parser(
            name,
            prog=f"deriv {name}",
            usage=command.usage,
            help=command.summary,
            description=parser.description if name == DEFAULT_COMMAND else command.summary,
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False,
        )
        command.arguments(sub)
    return parser


# -- argv preprocessing -------------------------------------------------------------------------------------------------
def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse has no public walk over its actions
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _option_strings(parser: argparse.ArgumentParser) -> set[str]:
    """Every option string of the parser and its subparsers."""
    found: set[str] = set()
    for action in parser._actions:
        found.update(action.option_strings)
    for sub in _subparsers(parser).values():
        found |= _option_strings(sub)
    return found


def _route(argv: list[str]) -> list[str]:
    """Insert the default command when the first argument is neither a command nor a top-level option."""
    if argv and (argv[0] in COMMANDS or argv[0] == "--version"):
        return argv
    # This includes -h: the default command's help lists the options a student needs, and the other commands.
    return [DEFAULT_COMMAND, *argv]


def _protect_values(argv: list[str], options: set[str]) -> list[str]:
    """Let values that start with a minus (-x^2, -1/x^2) through argparse, which would take them for options.

    A leading space does it: argparse treats the token as a value, and the expression parser ignores the space.
    """
    protected = []
    for token in argv:
        if token == "--" or token in options or token.split("=", 1)[0] in options or _LONG_OPTION.fullmatch(token):
            protected.append(token)
        elif token.startswith("-") and len(token) > 1:
            protected.append(" " + token)
        else:
            protected.append(token)
    return protected


def _unprotect(args: argparse.Namespace) -> None:
    """Remove the space _protect_values added, so the input is stored (and shown in JSON) as typed."""
    for name, value in vars(args).items():
        if isinstance(value, str) and value.startswith(" -"):
            setattr(args, name, value[1:])


# -- output ---------------------------------------------------------------------------------------------------------------
def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def _format(args: argparse.Namespace) -> str:
    if args.format is not None:
        return args.format
    return "rich" if sys.stdout.isatty() else "text"


def _stdout_is_unicode() -> bool:
    try:
        _UNICODE_PROBE.encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _degrade_stdout() -> None:
    """Write what stdout cannot encode in ASCII look-alikes (∂ as d), or "?", rather than fail."""
    import codecs

    def fallback(error: UnicodeEncodeError):
        text = error.object[error.start : error.end]
        return "".join(_ASCII_FALLBACK.get(char, "?") for char in text), error.end

    codecs.register_error("derivsteps-ascii", fallback)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="derivsteps-ascii")


def _emit(derivation, args: argparse.Namespace) -> None:
    """Write the derivation to stdout in the chosen format."""
    fmt = _format(args)
    if fmt == "text":
        from .render.text import render_text

        sys.stdout.write(render_text(derivation, steps=args.steps, ascii=args.ascii, detail=args.detail))
    elif fmt == "rich":
        from rich.console import Console

        from .render.terminal import DerivationView

        Console().print(DerivationView(derivation, steps=args.steps, detail=args.detail, ascii=args.ascii))
    elif fmt == "latex":
        from .render.latex import render_latex

        _write(render_latex(derivation, steps=args.steps, detail=args.detail))
    elif fmt == "markdown":
        from .render.markdown import render_markdown

        _write(render_markdown(derivation, steps=args.steps, detail=args.detail))
    else:
        import json

        from .render.jsondoc import to_json

        # Without verification SymPy is never imported, so the JSON then leaves out the sympy strings.
        print(json.dumps(to_json(derivation, with_sympy=args.verify), ensure_ascii=args.ascii, indent=2))


def _write(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _report(err: DerivError, args: argparse.Namespace) -> int:
    """A DerivError for the user: JSON on stdout in --format json (a program is reading), else one message on stderr."""
    if getattr(args, "format", None) == "json":
        import json

        from .render.jsondoc import error_json

        print(json.dumps(error_json(err), ensure_ascii=args.ascii, indent=2))
    else:
        print(f"error: {err}", file=sys.stderr)
    return EXIT_USAGE


# -- entry points ---------------------------------------------------------------------------------------------------------
def run(argv: Sequence[str]) -> int:
    """Run one command line and return its exit code; an unexpected exception propagates (it is a bug)."""
    parser = build_parser()
    argv = _protect_values(_route(list(argv)), _option_strings(parser))
    try:
        if argv[0] in COMMANDS:  # parsed by the command's own parser, so its errors show its usage
            args = _subparsers(parser)[argv[0]].parse_args(argv[1:], argparse.Namespace(command=argv[0]))
        else:
            args = parser.parse_args(argv)
    except SystemExit as done:  # --help, --version and usage errors: argparse has printed what it had to say
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    _unprotect(args)
    if not _stdout_is_unicode():
        args.ascii = True
        _degrade_stdout()
    try:
        return COMMANDS[args.command].run(args)
    except DerivError as err:
        return _report(err, args)


def main(argv: Sequence[str] | None = None) -> int:
    """The console script. With argv given (tests), bugs propagate with their traceback; from the shell they are
    reported in two lines, with the traceback only when DERIVSTEPS_DEBUG is set."""
    if argv is not None:
        return run(argv)
    try:
        return run(sys.argv[1:])
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (deriv ... | head): stop quietly, and keep Python from complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as bug:  # noqa: BLE001 - the last line of defence: anything here is a bug
        if os.environ.get("DERIVSTEPS_DEBUG"):
            import traceback

            traceback.print_exc()
        print(
            f"internal error: {type(bug).__name__}: {bug}\n"
            "This is a bug in derivsteps; please report it with the command you ran"
            + ("." if os.environ.get("DERIVSTEPS_DEBUG") else " (set DERIVSTEPS_DEBUG=1 to see the traceback)."),
            file=sys.stderr,
        )
        return EXIT_INTERNAL
