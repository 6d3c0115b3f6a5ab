"""The `deriv` command: parses the command line, picks a renderer, and turns a DerivError into exit code 2."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from collections.abc import Sequence

from . import __version__
from .commands import CAS_PRELOAD, EXIT_DISAGREES, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, Command, discover, print_json
from .core import limits
from .core.errors import DerivError, LimitError

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


class _ArgumentError(Exception):
    """A usage error argparse found, carried to run(), which reports it as text or, with --format json, as JSON."""

    def __init__(self, parser: argparse.ArgumentParser, message: str):
        super().__init__(message)
        self.parser = parser
        self.message = message


class _Parser(argparse.ArgumentParser):
    """argparse with our error format: 'error: ...', a guess at a mistyped option, a pointer to --help; exit code 2."""

    def error(self, message: str):
        unknown = message.partition("unrecognized arguments: ")[2]
        if unknown:
            tokens = unknown.split()  # also drops the space _protect_values put before -steps
            message = f"unrecognized arguments: {' '.join(tokens)}" + _suggestion(tokens, _option_strings(self))
        raise _ArgumentError(self, message)


def _suggestion(tokens: list[str], options: set[str]) -> str:
    """' (did you mean --steps?)' for a token that looks like a mistyped option; else nothing."""
    import difflib

    for token in tokens:
        if token.startswith("-") and token not in options:
            close = difflib.get_close_matches(token.split("=", 1)[0], sorted(options), n=1, cutoff=0.6)
            if close:
                return f" (did you mean {close[0]}?)"
    return ""


COMMANDS: dict[str, Command] = discover()
DEFAULT_COMMAND = "diff"

# Words a student types for a command; difflib catches the typos (critcal), this the other names for the same thing.
COMMAND_SYNONYMS = {
    "gradient": "grad", "derivative": "diff", "differentiate": "diff", "derive": "diff", "hess": "hessian",
    "evaluate": "eval", "descent": "descend", "equivalent": "equiv", "implicitly": "implicit",
}  # fmt: skip

# A first argument that can be a mistyped command: a word, not an expression (x^2, 2x, "sin x").
_COMMAND_WORD = re.compile(r"[A-Za-z][A-Za-z_-]*")

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
    more = "\n`deriv COMMAND --help` shows a command's options and examples, e.g. deriv grade --help.\n"
    return "commands:\n" + "\n".join(lines) + "\n" + more


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
        _add_limit_options(sub)
    return parser


def _limit_value(name: str):
    """The argparse type of a limit's flag: a whole number from 1 (a positive number for CAS_SECONDS) to its ceiling."""

    whole = isinstance(getattr(limits, name), int)  # CAS_SECONDS takes fractions of a second

    def read(text: str) -> float:
        try:
            value = (int if whole else float)(text.replace("_", "").replace(",", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{'a whole' if whole else 'a'} number is needed, not {text!r}") from None
        if whole and not 1 <= value <= limits.CEILINGS[name]:
            raise argparse.ArgumentTypeError(f"{value:,} is outside 1 to {limits.CEILINGS[name]:,}")
        if not whole and not 0 < value <= limits.CEILINGS[name]:  # also refuses nan
            raise argparse.ArgumentTypeError(f"{text} must be more than 0 and at most {limits.CEILINGS[name]:,}")
        return value

    return read


def _add_limit_options(parser: argparse.ArgumentParser) -> None:
    """--max-length, --max-depth, ...: raise a limit of limits.py for this run (a flag the command has already is kept)."""
    group = parser.add_argument_group('limits (see the README\'s "Limits and safety")')
    for name, flag in limits.FLAGS.items():
        if flag in parser._option_string_actions:  # argparse has no public lookup of an option string
            continue
        dest = "limit_" + name.lower()
        group.add_argument(
            flag, metavar="N", dest=dest, type=_limit_value(name), default=None,
            help=f"limits.{name} for this run (default {getattr(limits, name):,}, at most {limits.CEILINGS[name]:,})",
        )  # fmt: skip


def _limits_asked(args: argparse.Namespace) -> dict[str, int]:
    """The limits the command line raised (or lowered), by name."""
    asked = {}
    for name in limits.FLAGS:
        value = getattr(args, "limit_" + name.lower(), None)
        if value is not None:
            asked[name] = value
    return asked


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


def _mistyped_command(argv: list[str], parser: argparse.ArgumentParser) -> str | None:
    """The command a first word that is none was meant to be (gradient: grad, critcal: critical), or None.

    Only when another value follows it: the default command takes one expression, so `deriv gradient "x^2"` could
    only fail, whereas `deriv grade` is a command and `deriv grads --wrt s` is the expression g·r·a·d·s.
    """
    import difflib

    if not argv or argv[0] in COMMANDS:
        return None
    word = argv[0].lower()
    if not _COMMAND_WORD.fullmatch(word) or not _has_value(argv[1:], parser):
        return None
    if word in COMMAND_SYNONYMS:
        return COMMAND_SYNONYMS[word]
    # 0.75: one letter dropped, doubled or swapped (critcal, hessain, evl); at 0.6 "sin x" read as hessian.
    close = difflib.get_close_matches(word, list(COMMANDS), n=1, cutoff=0.75)
    return close[0] if close else None


def _has_value(tokens: list[str], parser: argparse.ArgumentParser) -> bool:
    """Whether the tokens hold a value that is no option's: what would be a second expression."""
    options = _option_strings(parser)
    takes_value = _value_options(parser)
    skip = False
    for token in tokens:
        if skip:
            skip = False
        elif token == "--":
            return True
        elif token in options or _LONG_OPTION.fullmatch(token):
            skip = token in takes_value
        else:
            return True
    return False


def _value_options(parser: argparse.ArgumentParser) -> set[str]:
    """The option strings, of the parser and its subparsers, that take a value (--wrt x), not flags (--steps)."""
    found = {option for action in parser._actions if action.nargs != 0 for option in action.option_strings}
    for sub in _subparsers(parser).values():
        found |= _value_options(sub)
    return found


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
def _stdout_is_unicode() -> bool:
    try:
        _UNICODE_PROBE.encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _degrade_stdout(ascii_only: bool = False) -> None:
    """Write what stdout cannot encode in ASCII look-alikes (∂ as d), or "?", rather than fail; with ascii_only,
    write every character that way (--ascii), whatever the terminal could show."""
    import codecs

    def fallback(error: UnicodeEncodeError):
        text = error.object[error.start : error.end]
        return "".join(_ASCII_FALLBACK.get(char, "?") for char in text), error.end

    codecs.register_error("derivsteps-ascii", fallback)
    if hasattr(sys.stdout, "reconfigure"):
        try:
            sys.stdout.reconfigure(errors="derivsteps-ascii", **({"encoding": "ascii"} if ascii_only else {}))
        except (ValueError, OSError):  # a stream that has already written, or cannot change: leave it as it is
            pass


def _report(err: DerivError, args: argparse.Namespace) -> int:
    """A DerivError for the user: JSON on stdout in --format json (a program is reading), else one message on stderr."""
    if getattr(args, "format", None) == "json":
        from .render.jsondoc import error_json

        print_json(error_json(err), args)
    else:
        print(f"error: {err}", file=sys.stderr)
    return EXIT_USAGE


def _report_usage(wrong: _ArgumentError, argv: list[str]) -> int:
    """A usage error from argparse: JSON on stdout when the command line asked for --format json, else usage on stderr."""
    if _asks_for_json(argv):
        import json

        document = {"error": {"kind": "usage", "message": wrong.message, "position": None}}
        print(json.dumps(document, ensure_ascii="--ascii" in argv, indent=2))
    else:
        wrong.parser.print_usage(sys.stderr)
        print(f"error: {wrong.message}\n(see `deriv --help` for the options and examples)", file=sys.stderr)
    return EXIT_USAGE


def _asks_for_json(argv: list[str]) -> bool:
    """Whether the command line says --format json (or --format=json), though argparse could not read all of it."""
    return any(
        token == "--format=json" or (token == "--format" and index + 1 < len(argv) and argv[index + 1] == "json")
        for index, token in enumerate(argv)
    )


# -- entry points ---------------------------------------------------------------------------------------------------------
def run(argv: Sequence[str]) -> int:
    """Run one command line and return its exit code; an unexpected exception propagates (it is a bug)."""
    parser = build_parser()
    meant = _mistyped_command(list(argv), parser)
    if meant is not None:
        hint = " (the command can be left out: deriv EXPR differentiates EXPR)" if meant == DEFAULT_COMMAND else ""
        return _report_usage(
            _ArgumentError(parser, f"unknown command {argv[0]!r}: did you mean {meant!r}?{hint}"), list(argv)
        )
    argv = _protect_values(_route(list(argv)), _option_strings(parser))
    try:
        if argv[0] in COMMANDS:  # parsed by the command's own parser, so its errors show its usage
            args = _subparsers(parser)[argv[0]].parse_args(argv[1:], argparse.Namespace(command=argv[0]))
        else:
            args = parser.parse_args(argv)
    except SystemExit as done:  # --help and --version: argparse has printed what it had to say
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    except _ArgumentError as wrong:
        return _report_usage(wrong, argv)
    _unprotect(args)
    if getattr(args, "ascii", False):
        _degrade_stdout(ascii_only=True)  # the parser's notes and rule laws too: a·b becomes a*b
    elif not _stdout_is_unicode():
        args.ascii = True
        _degrade_stdout()
    asked = _limits_asked(args)
    try:
        with limits.override(**asked), _reading(args):
            return COMMANDS[args.command].run(args)
    except DerivError as err:
        return _report(err, args)
    except RecursionError:
        if "MAX_DEPTH" not in asked:
            raise  # at the default depth limit this is a bug
        # Python's stack ran out below limits.CEILINGS["MAX_DEPTH"] (a renderer or SymPy recursing): the user's choice.
        message = f"the expression is too deeply nested for --max-depth {asked['MAX_DEPTH']}; try a smaller value"
        return _report(LimitError(message), args)


def _reading(args: argparse.Namespace):
    """--latex: every expression of the command is read as LaTeX (the parser is imported only when asked)."""
    if not getattr(args, "latex", False):
        return contextlib.nullcontext()
    from .language.parser import reading_latex

    return reading_latex()


# The commands whose results SymPy checks (diff, also by an expression alone): their CAS worker is forked before the
# command modules are imported and the command line is parsed, so that SymPy's import (0.3 s) starts on the other
# core some 60 ms sooner. A wrong guess costs a worker that is killed at exit; --no-verify and --help start none.
_CAS_COMMANDS = frozenset({"diff", "grad", "hessian", "critical", "descend", "implicit", "check", "equiv"})


def _start_cas_early(argv: Sequence[str]) -> None:
    if not argv or argv[0].startswith("-") or any(a in ("-h", "--help", "--no-verify") for a in argv):
        return
    from .commands import ORDER

    if argv[0] in _CAS_COMMANDS or argv[0] not in ORDER:
        from .cas import workers

        workers.start(*CAS_PRELOAD)


def main(argv: Sequence[str] | None = None) -> int:
    """The console script. With argv given (tests), bugs propagate with their traceback; from the shell they are
    reported in two lines, with the traceback only when DERIVSTEPS_DEBUG is set."""
    if argv is not None:
        return run(argv)
    _start_cas_early(sys.argv[1:])
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
