"""deriv hessian: the seed Hessian as a matrix in every format, entries against SymPy, and the command line."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from io import StringIO

import pytest
import sympy
from golden_util import assert_golden, deriv
from helpers import MATH_BLOCK, SEED, katex_failures
from hypothesis import given
from rich.console import Console
from strategies import polynomials

from derivsteps.calculus.multivar import hessian
from derivsteps.cas.bridge import to_sympy
from derivsteps.core.derivation import Verification
from derivsteps.core.tree import Num, variables
from derivsteps.language.mathtext import to_text
from derivsteps.render import multivar as shown

TOP_KEYS = {"schema", "command", "input", "read_as", "vars", "matrix", "entries", "warnings"}
ENTRY_KEYS = {"vars", "result", "steps", "verified", "verified_by"}


# -- the seed example: golden files in every format -------------------------------------------------------------------
@pytest.mark.parametrize(("fmt", "ext"), [("text", "txt"), ("latex", "tex"), ("markdown", "md"), ("json", "json")])
def test_golden_question_1(capsys, pytestconfig, fmt, ext):
    code, out, err = deriv(capsys, "hessian", SEED, "--format", fmt)
    assert code == 0, err
    assert_golden(pytestconfig, f"hessian_question_1.{ext}", out)


@pytest.mark.parametrize(("fmt", "ext"), [("text", "txt"), ("latex", "tex")])
def test_golden_question_1_with_steps(capsys, pytestconfig, fmt, ext):
    code, out, err = deriv(capsys, "hessian", SEED, "--steps", "--format", fmt)
    assert code == 0, err
    assert_golden(pytestconfig, f"hessian_question_1_steps.{ext}", out)


def test_text_matrix_is_bracketed_and_aligned(capsys):
    _, out, _ = deriv(capsys, "hessian", SEED, "--format", "text")
    assert out.splitlines()[2:4] == ["H_f(a, b) = [  6  -1 ]", "            [ -1   2 ]"]


def test_latex_matrix_is_a_pmatrix(capsys):
    _, out, _ = deriv(capsys, "hessian", SEED, "--format", "latex", "--no-verify")
    assert r"H_{f}(a, b) &= \begin{pmatrix} 6 & -1 \\ -1 & 2 \end{pmatrix}" in out


def test_steps_name_every_entry(capsys):
    _, out, _ = deriv(capsys, "hessian", "x^3 y", "--steps", "--no-verify", "--format", "text")
    lines = out.splitlines()
    assert [line for line in lines if line.startswith("∂²f/")] == ["∂²f/∂x²:", "∂²f/∂y∂x:", "∂²f/∂x∂y:", "∂²f/∂y²:"]
    assert "  ∂/∂y (∂/∂x (x^3 y))" in lines  # entry (x, y): by x first, then by y


def test_vars_order_rows_and_columns(capsys):
    _, out, _ = deriv(capsys, "hessian", "x^3 y", "--vars", "y,x", "--format", "json")
    document = json.loads(out)
    assert document["vars"] == ["y", "x"]
    assert [[entry["sympy"] for entry in row] for row in document["matrix"]] == [["0", "3*x**2"], ["3*x**2", "6*x*y"]]
    assert document["entries"][0][1]["vars"] == ["y", "x"]


def test_rich_plain_output_is_the_text_output():
    result = hessian(SEED)
    for options in ({}, {"steps": True}):
        console = Console(file=StringIO(), width=120, color_system=None, legacy_windows=False)
        console.print(shown.view(result, **options))
        plain = "\n".join(line.rstrip() for line in console.file.getvalue().splitlines())
        assert plain == shown.render_text(result, **options).rstrip("\n")


def test_json_document(capsys):
    _, out, _ = deriv(capsys, "hessian", SEED, "--format", "json")
    document = json.loads(out)
    assert set(document) == TOP_KEYS
    assert (document["schema"], document["command"], document["input"], document["vars"]) == (
        1,
        "hessian",
        SEED,
        ["a", "b"],
    )
    assert [[entry["sympy"] for entry in row] for row in document["matrix"]] == [["6", "-1"], ["-1", "2"]]
    for row in document["entries"]:
        for entry in row:
            assert set(entry) == ENTRY_KEYS and entry["verified"] is True and entry["steps"]


def test_latex_renders_in_katex():
    result = hessian("x^3 y + sin(x y) + theta^2 x")
    checked = dataclasses.replace(
        result,
        entries=tuple(
            tuple(d.with_verification(Verification(False, "numeric", "x_1 & y", Num(2))) for d in row)
            for row in result.entries
        ),
    )
    latex = [shown.render_latex(r, steps=steps) for r in (result, checked) for steps in (False, True)]
    latex += [shown.render_latex(hessian(SEED))]
    latex += [
        block for steps in (False, True) for block in MATH_BLOCK.findall(shown.render_markdown(checked, steps=steps))
    ]
    failures = katex_failures(latex)
    assert not failures, "\n".join(f"{f['latex']}\n  {f['error']}" for f in failures[:3])


@given(polynomials().filter(lambda e: len(variables(e)) >= 2))
def test_hessian_equals_sympys_hessian(expr):
    result = hessian(expr)
    expected = sympy.hessian(to_sympy(expr), [to_sympy(var) for var in result.vars])
    for i, row in enumerate(result.matrix):
        for j, entry in enumerate(row):
            assert sympy.expand(to_sympy(entry) - expected[i, j]) == 0, (to_text(expr), i, j)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["x^2", "--vars", "y"], "y does not occur in the expression"),
        (["7"], "the expression has no variables"),
        (["x^2", "--at", "x=1"], "unrecognized arguments: --at"),
    ],
)
def test_errors_exit_2(capsys, argv, message):
    code, out, err = deriv(capsys, "hessian", *argv)
    assert code == 2 and out == ""
    assert message in err


def test_disagreement_with_sympy_exits_1(monkeypatch, capsys):
    import derivsteps.cas.verification

    monkeypatch.setattr(
        derivsteps.cas.verification,
        "verify_all",
        lambda ds: [Verification(False, "numeric", "the values differ")] * len(ds),
    )
    code, out, _ = deriv(capsys, "hessian", "x y", "--format", "text")
    assert code == 1 and "✗ ∂²f/∂x² disagrees with SymPy" in out


def test_no_verify_does_not_import_sympy():
    code = (
        "import sys\n"
        "from derivsteps.cli import main\n"
        f"assert main(['hessian', {SEED!r}, '--steps', '--no-verify', '--format', 'text']) == 0\n"
        f"assert main(['hessian', {SEED!r}, '--no-verify', '--format', 'json']) == 0\n"
        "print('sympy' in sys.modules, 'rich' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "False False"
