"""The `deriv` command: main(argv) with captured output, and a few real subprocesses for start-up and imports."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from golden_util import deriv

from derivsteps import __version__, cli
from derivsteps.core.derivation import Verification

Q2_LINES = [
    "read as: (x + y + z)^2 (treat x, z as constants)",
    "∂/∂y (x + y + z)^2",
    "= ∂(x + y + z)^2/∂(x + y + z) · ∂/∂y (x + y + z) chain rule",
    "= 2(x + y + z) · ∂/∂y (x + y + z) exponent rule",
    "= 2(x + y + z) · (∂x/∂y + ∂y/∂y + ∂z/∂y) sum rule",
    "= 2(x + y + z) · (0 + 1 + 0) constant rule; ∂y/∂y = 1",
    "= 2(x + y + z) arithmetic",
]


def squeezed(text: str) -> list[str]:
    """The output's non-empty lines with runs of spaces made one: the golden tests pin content and order, not spacing."""
    return [re.sub(r" +", " ", line).strip() for line in text.splitlines() if line.strip()]


# -- the seed examples ------------------------------------------------------------------------------------------------
def test_question_2_with_steps(capsys):
    code, out, err = deriv(capsys, "(x+y+z)^2", "--wrt", "y", "--steps", "--format", "text")
    assert code == 0, err
    lines = squeezed(out)
    assert lines[: len(Q2_LINES)] == Q2_LINES
    assert lines[len(Q2_LINES)].startswith("✓ verified: ")
    assert len(lines) == len(Q2_LINES) + 1


def test_question_2_rule_column_is_aligned(capsys):
    _, out, _ = deriv(capsys, "(x+y+z)^2", "--wrt", "y", "--steps", "--format", "text")
    rows = [line for line in out.splitlines() if line.startswith("= ")]
    label_columns = {[m.end() for m in re.finditer(r" {4,}", line)][-1] for line in rows}
    assert len(label_columns) == 1


@pytest.mark.parametrize(("wrt", "expected"), [("a", "6a - b + 1"), ("b", "2b - a")])
def test_question_1_gradient_components(capsys, wrt, expected):
    code, out, _ = deriv(capsys, "3a^2 + b^2 - ab + a", "--wrt", wrt, "--format", "text")
    assert code == 0
    result_line = next(line for line in out.splitlines() if line.startswith("∂/∂"))
    assert result_line.endswith(f"= {expected}")


def test_without_steps_prints_read_as_and_result(capsys):
    _, out, _ = deriv(capsys, "x^2 sin(x)", "--wrt", "x", "--format", "text", "--no-verify")
    assert out.splitlines() == ["read as: x^2 sin(x)", "∂/∂x (x^2 sin(x)) = x^2 cos(x) + 2x sin(x)"]


def test_long_form_diff_is_the_same(capsys):
    _, short, _ = deriv(capsys, "x^3", "--wrt", "x", "--format", "text", "--no-verify")
    _, long, _ = deriv(capsys, "diff", "x^3", "--wrt", "x", "--format", "text", "--no-verify")
    assert short == long and "= 3x^2" in short


# -- leading minus signs ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "argv",
    [
        ["-x^2", "--wrt", "x"],
        ["--wrt", "x", "-x^2"],
        ["--wrt=x", "-x^2"],
        ["diff", "-x^2", "--wrt", "x"],
        ["-x^2"],
    ],
    ids=" ".join,
)
def test_expression_with_leading_minus(capsys, argv):
    code, out, err = deriv(capsys, *argv, "--format", "text", "--no-verify")
    assert code == 0, err
    assert "read as: -x^2" in out
    assert out.splitlines()[-1].endswith("= -2x")


def test_leading_minus_is_not_stored_with_the_protecting_space(capsys):
    _, out, _ = deriv(capsys, "-1/x", "--wrt", "x", "--format", "json", "--no-verify")
    assert json.loads(out)["input"] == "-1/x"


def test_protect_values_leaves_options_alone():
    options = {"--wrt", "--steps", "-h", "--format"}
    argv = ["-x^2", "--wrt", "x", "--steps", "--wrt=y", "-h", "--stpes", "--", "-1/x^2", "-"]
    assert cli._protect_values(argv, options) == [
        " -x^2",
        "--wrt",
        "x",
        "--steps",
        "--wrt=y",
        "-h",
        "--stpes",
        "--",
        " -1/x^2",
        "-",
    ]


# -- second derivatives and mixed partials ----------------------------------------------------------------------------
def test_second_derivative(capsys):
    code, out, _ = deriv(capsys, "x^3", "--wrt", "x,x", "--steps", "--format", "text")
    assert code == 0
    lines = squeezed(out)
    assert lines[1] == "∂/∂x (∂/∂x x^3)"
    assert lines[-2].startswith("= 6x ")
    assert lines[-1].startswith("✓ verified")


def test_mixed_partial(capsys):
    code, out, _ = deriv(capsys, "x^2 y^3", "--wrt", "x,y", "--format", "text")
    assert code == 0
    assert "∂/∂y (∂/∂x (x^2 y^3)) = 6xy^2" in out


def test_wrt_may_be_left_out_for_one_variable_or_its_own_derivative(capsys):
    code, out, _ = deriv(capsys, "d/dx x^2 sin x", "--format", "text", "--no-verify")
    assert code == 0 and out.splitlines()[-1].endswith("= x^2 cos(x) + 2x sin(x)")
    code, out, _ = deriv(capsys, "sin(t)", "--format", "text", "--no-verify")
    assert code == 0 and out.splitlines()[-1] == "∂/∂t sin(t) = cos(t)"


# -- options ----------------------------------------------------------------------------------------------------------
def test_detail_full_shows_more_lines_than_normal(capsys):
    _, normal, _ = deriv(capsys, "(x+y+z)^2", "--wrt", "y", "--steps", "--format", "text", "--no-verify")
    _, full, _ = deriv(
        capsys, "(x+y+z)^2", "--wrt", "y", "--steps", "--format", "text", "--no-verify", "--detail", "full"
    )
    _, brief, _ = deriv(
        capsys, "(x+y+z)^2", "--wrt", "y", "--steps", "--format", "text", "--no-verify", "--detail", "brief"
    )
    assert len(brief.splitlines()) < len(normal.splitlines()) < len(full.splitlines())


def test_simplify_none_keeps_the_raw_result(capsys):
    _, out, _ = deriv(capsys, "(x+1)^2", "--wrt", "x", "--simplify", "none", "--format", "text", "--no-verify")
    assert out.splitlines()[-1] == "∂/∂x (x + 1)^2 = 2(x + 1) · (1 + 0)"


def test_vars_and_functions_are_passed_to_the_parser(capsys):
    _, out, _ = deriv(capsys, "rate t", "--vars", "rate", "--wrt", "t", "--format", "text", "--no-verify")
    assert out.splitlines()[-1] == "∂/∂t (rate t) = rate"
    _, out, _ = deriv(capsys, "f(x^2)", "--functions", "f", "--wrt", "x", "--format", "text", "--no-verify")
    assert out.splitlines()[-1] == "∂/∂x f(x^2) = 2x f'(x^2)"


def test_ascii(capsys):
    _, out, _ = deriv(capsys, "x^2", "--wrt", "x", "--steps", "--ascii", "--format", "text")
    assert out.isascii()
    assert "d/dx x^2" in out and out.splitlines()[-1].startswith("OK verified")


def test_output_falls_back_to_ascii_when_stdout_cannot_encode_unicode(monkeypatch, capsys):
    monkeypatch.setattr(cli, "_stdout_is_unicode", lambda: False)
    _, out, _ = deriv(capsys, "x^2", "--wrt", "x", "--steps", "--format", "text", "--no-verify")
    assert out.isascii() and "d/dx x^2" in out


def test_no_verify_prints_no_verdict(capsys):
    _, out, _ = deriv(capsys, "x^2", "--wrt", "x", "--format", "text", "--no-verify")
    assert "verified" not in out and "?" not in out


def test_default_format_is_text_when_not_a_terminal(capsys):
    _, default, _ = deriv(capsys, "x^2", "--wrt", "x", "--no-verify")
    _, text, _ = deriv(capsys, "x^2", "--wrt", "x", "--no-verify", "--format", "text")
    assert default == text


def test_default_format_is_rich_on_a_terminal(monkeypatch, capsys):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, _ = deriv(capsys, "(x+y+z)^2", "--wrt", "y", "--steps", "--no-verify")
    assert code == 0
    assert "\x1b[" in out  # styled by rich
    assert "chain rule" in out


def test_rich_format_without_a_terminal_is_plain(capsys):
    _, out, _ = deriv(capsys, "(x+y+z)^2", "--wrt", "y", "--steps", "--format", "rich", "--no-verify")
    assert "\x1b[" not in out
    assert squeezed(out) == Q2_LINES


@pytest.mark.parametrize(("fmt", "marker"), [("latex", r"\begin{align*}"), ("markdown", "$$")])
def test_latex_and_markdown(capsys, fmt, marker):
    code, out, _ = deriv(capsys, "(x+y+z)^2", "--wrt", "y", "--steps", "--format", fmt)
    assert code == 0
    assert marker in out and r"\text{chain rule}" in out


# -- JSON ---------------------------------------------------------------------------------------------------------------
def test_json_output(capsys):
    code, out, _ = deriv(capsys, "(x+y+z)^2", "--wrt", "y", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["schema"] == 1 and document["command"] == "diff"
    assert document["input"] == "(x+y+z)^2" and document["wrt"] == ["y"]
    assert document["result"]["text"] == "2(x + y + z)"
    assert [step["rule"] for step in document["steps"]][:3] == ["chain", "exponent", "sum"]
    assert document["verified"] is True and document["verified_by"] == "symbolic"


def test_json_without_verification_has_no_sympy_strings(capsys):
    _, out, _ = deriv(capsys, "x^2", "--wrt", "x", "--format", "json", "--no-verify")
    document = json.loads(out)
    assert document["verified"] is None and document["result"]["sympy"] is None


@pytest.mark.parametrize(("argv", "kind"), [(["x^2 +", "--wrt", "x"], "parse"), (["x y"], "usage")])
def test_errors_are_json_in_json_mode(capsys, argv, kind):
    code, out, err = deriv(capsys, *argv, "--format", "json")
    assert code == 2
    assert json.loads(out)["error"]["kind"] == kind
    assert "Traceback" not in err


# -- hints --------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expr", "rule", "at"),
    [
        ("sin(x^2)", "chain rule", "sin(x^2)"),
        ("x^2 sin(x)", "product rule", "x^2 sin(x)"),
        ("x^5", "exponent rule", "x^5"),
        ("3x + 1", "sum rule", "3x + 1"),
    ],
)
def test_hint_names_the_next_rule_and_where(capsys, expr, rule, at):
    code, out, _ = deriv(capsys, expr, "--wrt", "x", "--hint", "--format", "text")
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith(f"next: {rule} at {at}  —  ")


def test_hint_shows_the_law_but_not_the_result(capsys):
    _, out, _ = deriv(capsys, "sin(x^2)", "--wrt", "x", "--hint", "--format", "text")
    assert "∂f(u)/∂x = ∂f/∂u · ∂u/∂x" in out
    assert "cos" not in out and "verified" not in out


def test_hint_as_json(capsys):
    _, out, _ = deriv(capsys, "sin(x^2)", "--wrt", "x", "--hint", "--format", "json")
    document = json.loads(out)
    assert (document["command"], document["rule"], document["at"], document["path"]) == (
        "hint",
        "chain",
        "sin(x^2)",
        [],
    )


def test_hint_when_no_rule_applies(monkeypatch, capsys):
    import derivsteps.core.rules

    monkeypatch.setattr(derivsteps.core.rules, "DIFF_RULES", ())
    code, out, _ = deriv(capsys, "sin(x)", "--wrt", "x", "--hint", "--format", "text")
    assert code == 0
    assert out == "next: sin(x): no rule on the cheat sheet applies here; SymPy would compute this derivative\n"


def test_hint_says_which_variable_when_others_are_held_constant(capsys):
    _, out, _ = deriv(capsys, "(x+y+z)^2", "--wrt", "y", "--hint", "--format", "text")
    assert out.startswith("next: chain rule at (x + y + z)^2 (by y)  —  ")


# -- errors and exit codes ----------------------------------------------------------------------------------------------
def test_missing_wrt_with_two_variables(capsys):
    code, out, err = deriv(capsys, "x*y", "--format", "text")
    assert code == 2 and out == ""
    assert err.startswith("error: ") and "--wrt" in err and "(x, y)" in err
    assert "Traceback" not in err


def test_parse_error_shows_a_caret(capsys):
    code, out, err = deriv(capsys, "x^2 +", "--wrt", "x", "--format", "text")
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith("error: ") and "column 6" in lines[0]
    assert lines[1:3] == ["  x^2 +", "       ^"]
    assert "Traceback" not in err


def test_bad_wrt_is_a_usage_error(capsys):
    code, _, err = deriv(capsys, "x^2", "--wrt", "2x")
    assert code == 2 and "--wrt" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: EXPR"),
        (["x^2", "--format", "jsn"], "argument --format: invalid choice: 'jsn'"),
        (["x^2", "--step"], "unrecognized arguments: --step (did you mean --steps?)"),
        (["x^2", "-steps"], "unrecognized arguments: -steps (did you mean --steps?)"),
    ],
)
def test_usage_errors_exit_2(capsys, argv, message):
    code, out, err = deriv(capsys, *argv)
    assert code == 2 and out == ""
    assert f"error: {message}" in err
    assert "deriv --help" in err


def test_disagreement_with_sympy_exits_1(monkeypatch, capsys):
    import derivsteps.cas.verification

    monkeypatch.setattr(
        derivsteps.cas.verification,
        "verify_all",
        lambda ds: [Verification(False, "numeric", "the values differ at x=1")] * len(ds),
    )
    code, out, _ = deriv(capsys, "x^2", "--wrt", "x", "--format", "text")
    assert code == 1
    assert out.splitlines()[-1].startswith("✗ disagrees with SymPy")


def test_undecided_verification_still_exits_0(monkeypatch, capsys):
    import derivsteps.cas.verification

    monkeypatch.setattr(derivsteps.cas.verification, "verify", lambda d: Verification(None, None, "SymPy timed out"))
    code, out, _ = deriv(capsys, "x^2", "--wrt", "x", "--format", "text")
    assert code == 0
    assert out.splitlines()[-1] == "? could not verify (SymPy timed out)"


def _boom(*args, **kwargs):
    raise RuntimeError("boom")


def test_a_bug_propagates_when_main_is_called_with_argv(monkeypatch):
    import derivsteps.core.engine

    monkeypatch.setattr(derivsteps.core.engine, "differentiate", _boom)
    with pytest.raises(RuntimeError, match="boom"):
        cli.main(["x^2", "--wrt", "x"])


@pytest.mark.parametrize("debug", [False, True])
def test_a_bug_from_the_shell_is_reported_in_short(monkeypatch, capsys, debug):
    import derivsteps.core.engine

    monkeypatch.setattr(derivsteps.core.engine, "differentiate", _boom)
    monkeypatch.setattr(sys, "argv", ["deriv", "x^2", "--wrt", "x"])
    if debug:
        monkeypatch.setenv("DERIVSTEPS_DEBUG", "1")
    else:
        monkeypatch.delenv("DERIVSTEPS_DEBUG", raising=False)
    code = cli.main()
    _, err = capsys.readouterr()
    assert code == cli.EXIT_INTERNAL
    assert "internal error: RuntimeError: boom" in err and "please report" in err
    assert ("Traceback" in err) is debug


# -- help and version ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_teaches_with_examples(capsys, flag):
    code, out, _ = deriv(capsys, flag)
    assert code == 0
    for text in (
        'deriv "(x+y+z)^2" --wrt y --steps',
        'deriv "3a^2 + b^2 - ab + a" --wrt a',
        "--wrt x,x",
        "--format latex",
        "--hint",
        'deriv "d/dx x^2 sin x"',
        "--wrt VAR",
        "--no-verify",
        "exit status:",
        "disagrees with SymPy",
        "commands:",
        "DERIVSTEPS_DEBUG",
    ):
        assert text in out, text


def test_diff_help_is_the_same_help(capsys):
    _, top, _ = deriv(capsys, "--help")
    _, sub, _ = deriv(capsys, "diff", "--help")
    assert top == sub


def test_version(capsys):
    code, out, _ = deriv(capsys, "--version")
    assert code == 0
    assert out == f"deriv (derivsteps) {__version__}\n"


def test_every_command_has_a_parser():
    parser = cli.build_parser()
    assert set(cli._subparsers(parser)) == set(cli.COMMANDS)
    assert cli.DEFAULT_COMMAND in cli.COMMANDS


# -- real processes -----------------------------------------------------------------------------------------------------
def _python(code: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)


def test_no_verify_text_imports_neither_sympy_nor_rich():
    code = (
        "import sys\n"
        "from derivsteps.cli import main\n"
        "assert main(['(x+y+z)^2', '--wrt', 'y', '--steps', '--no-verify', '--format', 'text']) == 0\n"
        "assert main(['x^2', '--wrt', 'x', '--no-verify', '--format', 'json']) == 0\n"
        "assert main(['x^2', '--wrt', 'x', '--hint', '--format', 'text']) == 0\n"
        "assert main(['x^2 +', '--wrt', 'x', '--no-verify']) == 2\n"
        "print('sympy' in sys.modules, 'rich' in sys.modules, file=sys.stderr)\n"
    )
    done = _python(code)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "False False"


def test_verification_imports_sympy_in_the_worker_only():
    # deadline.start forks the CAS worker first, which imports SymPy on the other core while we differentiate
    done = _python(
        "import sys\nfrom derivsteps.cli import main\nmain(['x^2', '--wrt', 'x', '--format', 'text'])\nprint('sympy' in sys.modules)"
    )
    assert done.stdout.splitlines()[-2:] == ["✓ verified: equals SymPy's derivative (symbolic)", "False"]


def test_python_dash_m():
    done = subprocess.run(
        [sys.executable, "-m", "derivsteps", "-x^2", "--wrt", "x", "--no-verify"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "∂/∂x (-x^2) = -2x"


def test_python_dash_m_exit_code_on_bad_input():
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-m", "derivsteps", "x^2 +", "--wrt", "x"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "extra", [["--hint"], ["--steps"], ["--steps", "--format", "latex"], ["--format", "json"]], ids=" ".join
)
def test_a_terminal_that_cannot_show_unicode_gets_ascii(extra):
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    done = subprocess.run(
        [sys.executable, "-m", "derivsteps", "3ab", "--wrt", "a", "--no-verify", *extra],
        capture_output=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr.decode("ascii", "replace")
    assert done.stdout.isascii() and b"?" not in done.stdout.replace(b"? could not", b"")


@pytest.mark.parametrize(
    "argv, forks",
    [
        (["x^2 sin x"], True),  # an expression alone: deriv differentiates and verifies
        (["grad", "x y"], True),
        (["check", "x^2", "--wrt", "x", "--answer", "2x"], True),
        (["x^2", "--no-verify"], False),  # promises not to load SymPy
        (["eval", "x^2", "--at", "x=1"], False),  # exact arithmetic: no SymPy
        (["grade", "answers.csv"], False),  # grading forks its own pool
        (["--help"], False),
        (["x^2", "-h"], False),
        ([], False),
    ],
)
def test_the_cas_worker_is_forked_first_only_for_a_command_that_verifies(monkeypatch, argv, forks):
    import derivsteps.cas.workers as workers
    from derivsteps import cli

    started = []
    monkeypatch.setattr(workers, "start", lambda *preload: started.append(preload))
    cli._start_cas_early(argv)
    assert bool(started) == forks
