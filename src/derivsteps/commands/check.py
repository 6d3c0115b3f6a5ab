"""deriv check EXPR --wrt VAR --answer ANS: is a student's derivative right? Also --antiderivative-of F."""

from __future__ import annotations

import argparse

from . import EXIT_OK, EXIT_USAGE, Command, add_output_options, add_reading_options, names, output_format, print_json, write

EXIT_INCORRECT = 1
EXIT_INCONCLUSIVE = 3
EXIT_CODES = {"correct": EXIT_OK, "incorrect": EXIT_INCORRECT, "inconclusive": EXIT_INCONCLUSIVE, "invalid": EXIT_USAGE}

_CHECK_EPILOG = """\
examples:
  deriv check "1/x" --wrt x --answer "-1/x^2"          correct (a leading minus works as typed)
  deriv check "sin(x^2)" --wrt x --answer "cos(x^2)"   incorrect
  deriv check --antiderivative-of "1/x" --wrt x --answer "ln|x| + C"
  deriv check "x^2" --wrt x --answer "2x" --format json

Equivalence is decided in layers: structural (identical), symbolic (the difference simplifies to 0), numeric
(random points inside the domain of both: positive values first, then mixed signs). The verdict says which decided.
exit codes: 0 correct, 1 incorrect, 3 inconclusive, 2 bad input
"""


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expr", metavar="EXPR", nargs="?", default=None, help="the expression whose derivative was asked for")
    parser.add_argument("--wrt", metavar="VAR", default=None, help="the variable (x,x: the second derivative)")
    parser.add_argument("--answer", metavar="ANS", required=True, help='the answer to check, e.g. "-1/x^2"')
    parser.add_argument("--antiderivative-of", metavar="F", default=None, help="check instead that ANS is an antiderivative of F")
    add_reading_options(parser)
    add_output_options(parser)


def _run_check(args: argparse.Namespace) -> int:
    from ..checker import check_answer, check_antiderivative
    from ..errors import UsageError

    reading = {"variables": names(args.vars), "functions": names(args.functions)}
    if args.antiderivative_of is not None:
        if args.expr is not None:
            raise UsageError("give either EXPR (a derivative to check) or --antiderivative-of F, not both")
        if args.wrt is None:
            raise UsageError("--antiderivative-of needs --wrt VAR")
        verdict = check_antiderivative(args.antiderivative_of, args.wrt, args.answer, **reading)
    else:
        if args.expr is None:
            raise UsageError("give the expression EXPR whose derivative ANS should be (or --antiderivative-of F)")
        verdict = check_answer(args.expr, args.wrt, args.answer, **reading)
    report(verdict, args, "check")
    return EXIT_CODES[verdict.verdict]


def report(verdict, args: argparse.Namespace, command: str) -> None:
    """The verdict as JSON (schema 1) or as text lines; shared with `deriv equiv`."""
    from ..render.mathtext import to_text

    if output_format(args) == "json":
        from ..render.jsondoc import valuer

        document = {
            "schema": 1,
            "command": command,
            "verdict": verdict.verdict,
            "decided_by": verdict.decided_by,
            "mistake": verdict.mistake,
            "feedback": verdict.feedback,
            "expected": valuer()(verdict.expected) if verdict.expected is not None else None,
            "notes": list(verdict.notes),
        }
        print_json(document, args)
        return
    mark = {"correct": "✓", "incorrect": "✗", "inconclusive": "?", "invalid": "!"}[verdict.verdict]
    if args.ascii:
        mark = {"✓": "ok", "✗": "x"}.get(mark, mark)
    decided = f" (decided: {verdict.decided_by})" if verdict.decided_by else ""
    lines = [f"{mark} {verdict.verdict}{decided}: {verdict.feedback}"]
    if verdict.expected is not None and verdict.verdict != "correct":
        lines.append(f"expected: {to_text(verdict.expected, args.ascii)}")
    lines += [f"note: {note}" for note in verdict.notes]
    write("\n".join(lines))


COMMAND = Command(
    "check a student's answer: a derivative, or an antiderivative (--antiderivative-of)",
    _check_arguments,
    _run_check,
    usage='deriv check EXPR --wrt VAR --answer ANS | deriv check --antiderivative-of F --wrt VAR --answer G [--format json]',
    epilog=_CHECK_EPILOG,
)
