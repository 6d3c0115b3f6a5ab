"""deriv check EXPR --wrt VAR --answer ANS: is a student's derivative right? Also --antiderivative-of F, and a whole
written derivation, line by line, with --derivation FILE."""

from __future__ import annotations

import argparse

from . import (
    EXIT_OK,
    EXIT_USAGE,
    Command,
    add_output_options,
    add_reading_options,
    names,
    output_format,
    print_json,
    start_verifying,
    write,
    write_html,
)

EXIT_INCORRECT = 1
EXIT_INCONCLUSIVE = 3
EXIT_CODES = {"correct": EXIT_OK, "incorrect": EXIT_INCORRECT, "inconclusive": EXIT_INCONCLUSIVE, "invalid": EXIT_USAGE}

_CHECK_EPILOG = """\
examples:
  deriv check "1/x" --wrt x --answer "-1/x^2"          correct (a leading minus works as typed)
  deriv check "sin(x^2)" --wrt x --answer "cos(x^2)"   incorrect
  deriv check --antiderivative-of "1/x" --wrt x --answer "ln|x| + C"
  deriv check "x^2" --wrt x --answer "2x" --format json
  deriv check --derivation examples/derivation_q2.txt          a written derivation: every line ✓ or ✗, with its rule
  deriv check --derivation examples/derivation_q2_wrong.txt    the first wrong line, its correct rewrite, the mistake
  printf 'd/dx x^3\\n= 3x^2\\n' | deriv check --derivation -  the work from stdin

Equivalence is decided in layers: structural (identical), symbolic (the difference simplifies to 0), numeric
(random points inside the domain of both: positive values first, then mixed signs). The verdict says which decided.
A derivation file holds one expression per line, each optionally starting with "="; the first line is the problem
with its pending derivative (d/dy (x+y+z)^2). Blank lines and lines starting with # are skipped.
exit codes: 0 correct, 1 incorrect, 3 inconclusive, 2 bad input
  with --derivation: 0 every line right and finished, 1 a wrong line, 2 an unreadable line (none wrong) or a file that
  is not a derivation, 3 a step that could not be decided, or every line right but a pending ∂ left (unfinished)
"""


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "expr", metavar="EXPR", nargs="?", default=None, help="the expression whose derivative was asked for"
    )
    parser.add_argument("--wrt", metavar="VAR", default=None, help="the variable (x,x: the second derivative)")
    parser.add_argument("--answer", metavar="ANS", default=None, help='the answer to check, e.g. "-1/x^2"')
    parser.add_argument(
        "--antiderivative-of", metavar="F", default=None, help="check instead that ANS is an antiderivative of F"
    )
    parser.add_argument(
        "--derivation",
        metavar="FILE",
        default=None,
        help="check a written derivation line by line instead (FILE, or - for stdin)",
    )
    add_reading_options(parser)
    add_output_options(parser)


def _run_check(args: argparse.Namespace) -> int:
    from ..checking.answers import check_answer, check_antiderivative
    from ..core.errors import UsageError

    start_verifying()
    reading = {"variables": names(args.vars), "functions": names(args.functions)}
    if args.derivation is not None:
        return _run_derivation(args, reading)
    if args.answer is None:
        raise UsageError("give the answer to check with --answer ANS (or a written derivation with --derivation FILE)")
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


# A derivation's verdict as an exit code: a wrong line outranks an unreadable one, which outranks an undecided step.
DERIVATION_EXIT_CODES = {"correct": EXIT_OK, "incorrect": EXIT_INCORRECT, "invalid": EXIT_USAGE, "inconclusive": EXIT_INCONCLUSIVE,
                         "unfinished": EXIT_INCONCLUSIVE}  # fmt: skip


def _run_derivation(args: argparse.Namespace, reading: dict) -> int:
    from ..checking.written import check_derivation
    from ..core.errors import UsageError

    mixed = [option for option, value in (("EXPR", args.expr), ("--wrt", args.wrt), ("--answer", args.answer),
                                          ("--antiderivative-of", args.antiderivative_of)) if value is not None]  # fmt: skip
    if mixed:
        raise UsageError(
            f"--derivation checks a whole written derivation, whose first line is the problem: drop {', '.join(mixed)} "
            "(or drop --derivation to check one answer)"
        )
    checked = check_derivation(_read_derivation(args.derivation), **reading)
    shown = output_format(args)
    if shown == "json":
        from ..render.written import to_json

        print_json(to_json(checked, ascii=args.ascii), args)
    elif shown == "rich":
        from ..render.written import print_rich

        print_rich(checked, args.ascii)
    elif shown == "markdown":
        from ..render.written import render_markdown

        write(render_markdown(checked))
    elif shown == "html":
        write_html(checked)
    elif shown == "latex":
        raise UsageError(
            "--derivation writes text, rich, markdown or json; LaTeX is not available for a checked derivation"
        )
    else:
        from ..render.written import render_text

        write(render_text(checked, args.ascii))
    return DERIVATION_EXIT_CODES[checked.verdict]


def _read_derivation(where: str) -> str:
    """The derivation's text from a file, or from stdin for "-"."""
    import sys

    from ..language.textfile import decode, read_text

    if where == "-":
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8")
        return decode(data, name="stdin", content="the derivation")
    give = "a text file with one line of the derivation per line, or - for stdin"
    return read_text(where, label=f"--derivation {where}", give=give, content="the derivation")


def report(verdict, args: argparse.Namespace, command: str) -> None:
    """The verdict as JSON (schema 1) or as text lines; shared with `deriv equiv`."""
    from ..language.mathtext import to_text

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
    if output_format(args) == "html":
        write_html(verdict)
        return
    mark = {"correct": "✓", "incorrect": "✗", "inconclusive": "?", "invalid": "!"}[verdict.verdict]
    if args.ascii:
        mark = {"✓": "ok", "✗": "x"}.get(mark, mark)
    decided = f" (decided: {verdict.decided_by})" if verdict.decided_by else ""
    # A right answer's feedback is the word "correct" itself: said once.
    said = f": {verdict.feedback}" if verdict.feedback and verdict.feedback != verdict.verdict else ""
    lines = [f"{mark} {verdict.verdict}{decided}{said}"]
    # For an antiderivative, `expected` is the derivative of the answer, which the feedback already names.
    if (
        verdict.expected is not None
        and verdict.verdict != "correct"
        and getattr(args, "antiderivative_of", None) is None
    ):
        lines.append(f"expected: {to_text(verdict.expected, args.ascii)}")
    lines += [f"note: {note}" for note in verdict.notes]
    write("\n".join(lines))


COMMAND = Command(
    "check a student's answer: a derivative, an antiderivative (--antiderivative-of), or a written derivation (--derivation)",
    _check_arguments,
    _run_check,
    usage=(
        "deriv check EXPR --wrt VAR --answer ANS | deriv check --antiderivative-of F --wrt VAR --answer G | "
        "deriv check --derivation FILE [--format json]"
    ),
    epilog=_CHECK_EPILOG,
)
