"""A table of bad inputs, each with its expected outcome, run through the real command line in ONE child process.

Every case must end with its exit code and message (never a traceback), within TIME_BOUND CPU seconds and MEMORY_BOUND MB
of new peak memory, measured by tests/bad_inputs_runner.py; one child for the whole table keeps this to seconds, where
a process per case would import SymPy a hundred times. Most cases pass --no-verify: what is tested is the reading,
the limits and the arithmetic, and SymPy's own time is bounded by limits.CAS_SECONDS (tests/test_deadline.py).
A few cases run as separate `python -m derivsteps` processes, the real entry point, traceback handling included.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

# The documented bound per case (README, "Limits and safety"): CPU seconds, so that a loaded machine does not flake,
# and a wall-clock bound five times larger that still catches a hang (a process asleep uses no CPU).
TIME_BOUND = 2.0
WALL_BOUND = 10.0
MEMORY_BOUND = 200

NV = "--no-verify"
MEGABYTE = "1" + "+x" * 350_000

# Strings a hostile user might hope we eval: each must be refused as bad input wherever it is accepted.
INJECTIONS = [
    "__import__('os').system('touch PWNED')",
    "lambda: 0",
    "x.__class__",
    'eval("1")',
    'exec(\'open("PWNED", "w")\')',
    "{0.__class__}",
    "%s%n",
    "f'{x}'",
    "x\\y",
    "().__class__.__bases__[0].__subclasses__()",
    "open('PWNED', 'w')",
    "x; import os",
    "sympy.S('x')",
    "${x}",
    "x if x else 0",
]

# Where user text enters each command: {} is replaced by the injection. Option values too (--wrt, --at, --vars).
INJECTION_SITES = {
    "diff": ["{}", NV],
    "diff json": ["{}", NV, "--format", "json"],
    "diff --wrt": ["x^2", "--wrt", "{}", NV],
    "diff --vars": ["x", "--vars", "{}", NV],
    "diff --functions": ["x", "--functions", "{}", NV],
    "grad": ["grad", "{}", NV],
    "grad --at": ["grad", "x^2", "--at", "x={}", NV],
    "hessian": ["hessian", "{}", NV],
    "eval": ["eval", "{}", "--at", "x=1"],
    "eval --at": ["eval", "x", "--at", "x={}"],
    "critical": ["critical", "{}", NV],
    "descend": ["descend", "{}", "--from", "x=1", "--lr", "0.1"],
    "descend --lr": ["descend", "x^2", "--from", "x=1", "--lr", "{}"],
    "check": ["check", "{}", "--wrt", "x", "--answer", "2x"],
    "check --answer": ["check", "x^2", "--wrt", "x", "--answer", "{}"],
    "equiv": ["equiv", "{}", "x"],
    "equiv second": ["equiv", "x", "{}"],
}

# (argv, exit code, a piece of the output). Exit 2 cases must also print "error" (text) or a JSON error.
TABLE = {
    # -- syntax errors ----------------------------------------------------------------------------------------------
    "empty": (["", NV], 2, "the expression is empty"),
    "only spaces": (["   ", NV], 2, "the expression is empty"),
    "lone caret": (["^x"], 2, "at the start (column 1)"),
    "trailing caret": (["x^"], 2, "ends too early"),
    "double plus": (["x++"], 2, "after '+' (column 3)"),
    "unclosed paren": (["(x+1"], 2, "unclosed parenthesis"),
    "unmatched paren": (["x+1)"], 2, "unmatched ')'"),
    "mismatched brackets": (["(x]"], 2, "']' closes the '(' opened at column 1"),
    "empty parens": (["()"], 2, "the parentheses are empty"),
    "sin without argument": (["sin"], 2, "sin needs an argument"),
    "sin()": (["sin()"], 2, "the parentheses are empty"),
    "sin of two": (["sin(x,y)"], 2, "sin takes one argument, not 2"),
    "two decimal points": (["1.2.3"], 2, "column 4"),
    "trailing decimal point": (["5."], 2, "a decimal point needs digits after it"),
    "stray comma": (["x,y"], 2, "a comma only separates the arguments"),
    "unclosed bar": (["|x"], 2, "unclosed absolute value bar"),
    "d/dx alone": (["d/dx"], 2, "after d/dx"),
    "lone partial": (["∂"], 2, "after '∂'"),
    "underscore": (["x_"], 2, "'_' must be followed by a subscript"),
    "unclosed subscript": (["x_{"], 2, "unclosed '{' in a subscript"),
    "sum without index": (["Σ x"], 2, "a sum needs its index"),
    "sum bound unclosed": (["sum_{i=1}^{ x_i"], 2, "unclosed '{' in the upper bound"),
    "equation": (["x^2 + y^2 = 25"], 2, "this is an equation, not an expression"),
    "a definition": (["y = x^2", NV], 0, "read y = x^2 as its right-hand side, x^2"),
    "comparison": (["x < y"], 2, "unexpected character '<'"),
    "factorial": (["x!"], 2, "unexpected character '!'"),
    "at sign": (["x@y"], 2, "unexpected character '@'"),
    "ampersand": (["x&y"], 2, "unexpected character '&'"),
    "tilde": (["~x"], 2, "unexpected character '~'"),
    "a stray dollar": (["x $ y"], 2, "unexpected character '$'"),
    "dollars": (["$x^2$", NV], 0, "= 2x"),
    "latex frac": (["\\frac{1}{x}", NV], 0, "read as: 1/x"),
    "latex sin": (["\\sin x", NV], 0, "= cos(x)"),
    "latex unknown command": (["\\foo x"], 2, "unknown LaTeX command \\foo"),
    "braces": (["{x}"], 2, "unexpected character '{'"),
    "double quotes": (['"x"'], 2, "unexpected character '\"'"),
    "backticks": (["`x`"], 2, "unexpected character '`'"),
    "comment": (["x # y"], 2, "unexpected character '#'"),
    "prime on a variable": (["x'"], 2, "a prime (') marks the derivative of a declared function"),
    # -- names: functions, variables, declarations -------------------------------------------------------------------
    "undeclared f(x) is f·x": (["f(x)", NV], 2, "the expression has 2 variables (f, x)"),
    "declared f": (["f(x)", "--functions", "f", NV], 0, "f'(x)"),
    "declaring sin": (["sin(x)", "--functions", "sin"], 2, "sin is already built in"),
    "variable named sin": (["sin", "--vars", "sin", NV], 0, "= 1"),
    "variable named ln": (["x ln", "--vars", "ln", "--wrt", "x", NV], 0, "= ln"),
    "variable and function": (
        ["f(x)", "--vars", "f", "--functions", "f"],
        2,
        "declared both as a variable and as a function",
    ),
    "declared name with a digit": (["x", "--vars", "x1"], 2, "made of the letters a-z"),
    "declared name with a dash": (["x", "--functions", "f-g"], 2, "not 'f-g'"),
    "--wrt a number": (["x^2", "--wrt", "2", NV], 2, "'2' is not one"),
    "--wrt a function name": (["x^2", "--wrt", "sin", NV], 2, "sin needs an argument"),
    "--wrt absent variable": (["x^2", "--wrt", "y", NV], 0, "= 0"),
    "two variables, no --wrt": (["x y", NV], 2, "use --wrt"),
    # -- ambiguous implicit multiplication: read one way, and said so ---------------------------------------------------
    "sinx": (["sinx", NV], 0, "read sinx as sin(x)"),
    "xsin(x)": (["xsin(x)", NV], 0, "read xsin as x·sin"),
    "a/bc": (["a/bc", "--wrt", "a", NV], 0, "read a/bc as (a/b)·c"),
    "2^3x": (["2^3x", NV], 0, "the exponent is only 3"),
    "sin2x": (["sin2x", NV], 0, "read sin 2x as sin(2x)"),
    "rate": (["rate", "--wrt", "t", NV], 0, "read rate as r·a·t·e"),
    "e^x^2": (["e^x^2", NV], 0, "2x e^(x^2)"),
    "ln x^2": (["ln x^2", NV], 0, "2/x"),
    # -- bombs ----------------------------------------------------------------------------------------------------------
    "2^2^2^2^2^2 by x": (["2^2^2^2^2^2", "--wrt", "x", NV], 0, "= 0"),
    "x times 2^2^2^2^2^2": (["x*2^2^2^2^2^2", NV], 0, "= 2^(2^(2^(2^(2^2))))"),
    "x^9^9^9": (["x^9^9^9", NV], 0, "x^(9^(9^9) - 1) · 9^(9^9)"),
    "x^(10^100)": (["x^(10^100)", NV], 0, "x^(10^100 - 1) · 10^100"),
    "x 10^10^10": (["x*10^10^10", NV], 0, "= 10^(10^10)"),
    "(10^1999)^(10^1999)": (["x*(10^1999)^(10^1999)", NV], 0, "= (10^1999)^(10^1999)"),
    "a 2,001-digit number": (["9" * 2001], 2, "limits.MAX_INTEGER_DIGITS; raise it with --max-digits"),
    "a 2,000-digit number": (["9" * 2000 + "x", NV], 0, "9" * 2000),
    "five 1,999-digit factors": (["*".join(["9" * 1999] * 5) + "x", NV], 0, "9" * 1999 + " · "),
    "exp tower": (["exp(exp(exp(exp(x))))", NV], 0, "exp(exp(exp(x))) exp(exp(x)) exp(x)"),
    "product of 300 sines": (
        ["*".join(f"sin({i}x)" for i in range(1, 301)), NV],
        2,
        "limits.MAX_EXPRESSION_NODES; raise it with --max-nodes",
    ),
    "a sum of 1,000 terms": (["+".join(["x^2"] * 1000), NV], 0, "2000x"),
    "10,001 characters": (["x+" * 5000 + "x"], 2, "the input is 10,001 characters long"),
    "a megabyte": (
        [MEGABYTE],
        2,
        "the input is 700,001 characters long; the limit is 10,000 (limits.MAX_INPUT_LENGTH; raise it with --max-length)",
    ),
    "101 parentheses": (
        ["(" * 101 + "x" + ")" * 101],
        2,
        "parentheses are nested more than 100 deep (limits.MAX_DEPTH; raise it with --max-depth)",
    ),
    "5,000 parentheses": (["(" * 4999 + "x" + ")" * 4999], 2, "parentheses are nested more than 100 deep"),
    "x^x^...^x 150 deep": (["x" + "^x" * 150], 2, "nested more than 100 levels deep"),
    "150 minus signs": (["-" * 150 + "x"], 2, "nested more than 100 levels deep"),
    "sin sin ... x": (["sin " * 150 + "x"], 2, "nested more than 100 levels deep"),
    "150 absolute values": (["|" * 150 + "x" + "|" * 150], 2, "nested more than 100 levels deep"),
    "150 d/dx": (["d/dx " * 150 + "x"], 2, "nested more than 100 levels deep"),
    "--max-depth lowers it": (["(((x)))", "--max-depth", "2"], 2, "nested more than 2 deep"),
    "--max-depth raises it": (["(" * 150 + "x" + ")" * 150, "--max-depth", "160", NV], 0, "= 1"),
    "--max-length": (["x+x+x", "--max-length", "3"], 2, "the limit is 3 (limits.MAX_INPUT_LENGTH"),
    "--max-steps": (
        ["x^2 sin(x)", "--max-steps", "2", NV],
        2,
        "more than 2 steps (limits.MAX_STEPS; raise it with --max-steps)",
    ),
    "--max-nodes": (["x^2 sin(x) cos(x)", "--max-nodes", "10", NV], 2, "more than 10 nodes"),
    "--max-digits": (["x*123456", "--max-digits", "3"], 2, "6 digits is longer than the limit of 3"),
    "--max-digits raises it": (["x*" + "9" * 5000, "--max-digits", "5000", NV], 0, "9" * 5000),
    "--max-depth past its ceiling": (["x", "--max-depth", "100000"], 2, "100,000 is outside 1 to 200"),
    "--max-depth not a number": (["x", "--max-depth", "lots"], 2, "a whole number is needed, not 'lots'"),
    # -- unicode --------------------------------------------------------------------------------------------------------
    "NUL": (["x\x00+1"], 2, "the control character U+0000 is not allowed in an expression (column 2)"),
    "bell": (["x\x07"], 2, "U+0007"),
    "terminal escape": (["x\x1b[31m"], 2, "U+001B"),
    "DEL": (["x\x7f"], 2, "U+007F"),
    "zero-width space": (["x\u200b+1"], 2, "the invisible character U+200B ZERO WIDTH SPACE"),
    "right-to-left override": (["x\u202e+1"], 2, "U+202E RIGHT-TO-LEFT OVERRIDE"),
    "byte-order mark": (["\ufeffx"], 2, "U+FEFF"),
    "a byte that is not UTF-8": (["x\udcff"], 2, "the byte 0xFF is not UTF-8 text (column 2)"),
    "minus sign and ²": (["−x²", NV], 0, "= -2x"),
    "times sign": (["2×x", NV], 0, "= 2"),
    "middle dot": (["x·y", "--wrt", "x", NV], 0, "= y"),
    "dot operator": (["x⋅y", "--wrt", "x", NV], 0, "= y"),
    "³": (["x³", NV], 0, "3x^2"),
    "√": (["√x", NV], 0, "1/(2 sqrt(x))"),
    "π and θ²": (["π θ²", "--wrt", "θ", NV], 0, "2θ π"),
    "full-width digits": (["３ｘ＾２", NV], 0, "= 6x"),
    "non-breaking spaces": (["x\u00a0+\u00a01", NV], 0, "= 1"),
    "superscript n": (["xⁿ", "--wrt", "x", NV], 0, "nx^(n - 1)"),
    "superscript n-1": (["xⁿ⁻¹", "--wrt", "x", NV], 0, "x^(n - 1)"),
    "NFC: e + combining accent": (["e\u0301"], 2, "'é' (U+00E9 LATIN SMALL LETTER E WITH ACUTE)"),
    "Cyrillic х": (["х^2"], 2, "CYRILLIC SMALL LETTER HA"),
    "infinity": (["∞"], 2, "U+221E INFINITY"),
    "emoji": (["x😀"], 2, "U+1F600"),
    "CR LF": (["x\r\n+1", NV], 0, "= 1"),
    "mathematical italic x": (["𝑥^2", NV], 0, "= 2x"),
    # -- undefined input: refused with its column, never "verified" (issue 13) --------------------------------------------
    "undefined 1/0": (["1/0", "--wrt", "x"], 2, "1/0 is undefined: division by zero (column 1)"),
    "undefined 0/0": (["0/0", "--wrt", "x"], 2, "0/0 is undefined: division by zero"),
    "undefined ln(0)": (["ln(0)", "--wrt", "x"], 2, "ln(0) is undefined"),
    "undefined x/0": (["x/0"], 2, "x/0 is undefined: division by zero (column 1)"),
    "undefined (x+1)/(2-2)": (["(x+1)/(2-2)"], 2, "is undefined: division by zero"),
    "undefined 0^(-1)": (["0^(-1) + x"], 2, "is undefined"),
    "undefined 1/(x - x)": (["1/(x - x)"], 2, "since x - x = 0 for every x"),
    "undefined asin(2)": (["asin(2) x"], 2, "asin(2) is undefined"),
    "undefined tan(pi/2)": (["tan(pi/2) x"], 2, "is undefined"),
    "undefined answer": (["check", "x^3", "--wrt", "x", "--answer", "3x^2 + 1/0"], 2, "1/0 is undefined"),
    "undefined as JSON": (["1/0", "--wrt", "x", "--format", "json"], 2, '"kind": "undefined"'),
    "a sum's bound": (["sum_{i=1}^{x} i", "--wrt", "x"], 2, "a bound of the sum over i depends on x"),
    "a negative base": (["(-2)^x"], 2, "a negative number to a power that depends on x"),
    # -- undefined points and values ------------------------------------------------------------------------------------
    "1/0": (["eval", "1/x", "--at", "x=0"], 2, "the expression has no value at x = 0: division by zero"),
    "ln(0)": (["eval", "ln(x)", "--at", "x=0"], 2, "the logarithm of 0"),
    "0^-1": (["eval", "x^(-1)", "--at", "x=0"], 2, "division by zero"),
    "csc(0)": (["eval", "csc(x)", "--at", "x=0"], 2, "division by zero"),
    "log to base 1": (
        ["eval", "log(x, 1)", "--at", "x=2"],
        2,
        "log(x, 1) is undefined: the base of a logarithm must be positive and not 1",
    ),
    "sqrt(-1) as a float": (["eval", "sqrt(x)", "--at", "x=-1", "--numeric"], 2, "is not a real number"),
    "asin(2) as a float": (["eval", "asin(x)", "--at", "x=2", "--numeric"], 2, "is not a real number"),
    "0^0": (["eval", "x^0", "--at", "x=0"], 0, "= 1"),
    "abstract f(1)": (["eval", "f(x)", "--at", "x=1", "--functions", "f"], 0, "= f(1)"),
    "no value for y": (["eval", "x y", "--at", "x=1"], 2, "the point gives no value for y"),
    "a value for no variable": (["eval", "x", "--at", "x=1,y=2"], 2, "y does not occur in the expression"),
    "a word as the value": (["eval", "x", "--at", "x=abc"], 2, "not 'abc'"),
    "1e400 as the value": (["eval", "x", "--at", "x=1e400"], 0, "(at x = 10000000000"),
    "1e3000 as the value": (["eval", "x", "--at", "x=1e3000"], 2, "larger than the limit of 2,000 digits"),
    "no --at": (["eval", "x"], 2, "say where to evaluate with --at"),
    "exp(100000) as a float": (
        ["eval", "exp(x)", "--at", "x=100000", "--numeric"],
        2,
        "too large for a floating-point number",
    ),
    "exp(100) is no pole": (["eval", "exp(100x)", "--at", "x=1", "--numeric"], 0, "2.6881171418161356 · 10^43"),
    "ln of a huge power": (["eval", "x*ln(ln(ln(10^(10^100))))", "--at", "x=1", "--numeric"], 0, "5.4428182439108"),
    "tan(2^(2^100))": (
        ["eval", "x tan(2^(2^100))", "--at", "x=1"],
        2,
        "the argument of tan has more than 2,000 digits",
    ),
    "a tower at 1": (
        ["eval", "(x+1)^(x+1)^(x+1)^(x+1)^(x+1)^(x+1)^2", "--at", "x=1"],
        2,
        "an exponent has more than 2,000 digits",
    ),
    # -- the other commands -----------------------------------------------------------------------------------------------
    "learning rate 0": (["descend", "x^2", "--from", "x=1", "--lr", "0"], 2, "the learning rate must be positive"),
    "20,000 iterations": (
        ["descend", "x^2", "--from", "x=1", "--lr", "0.1", "--iters", "20000"],
        2,
        "raise it with --max-iterations",
    ),
    "a word as learning rate": (["descend", "x^2", "--from", "x=1", "--lr", "fast"], 2, "not 'fast'"),
    "critical points of a constant": (["critical", "5", NV], 2, "the expression is constant"),
    "check an unreadable answer": (["check", "x^2", "--wrt", "x", "--answer", "2x +"], 2, "cannot read the answer"),
    "equiv with an empty side": (["equiv", "x", ""], 2, "the expression is empty"),
    "unknown option": (["x", "--wrong"], 2, "unrecognized arguments: --wrong (did you mean --wrt?)"),
    "unknown format": (["x", "--format", "pdf"], 2, "invalid choice: 'pdf'"),
    "unknown option, json": (["x", "--wrong", "--format", "json"], 2, '"kind": "usage"'),
    "parse error, json": (["x +", "--format", "json"], 2, '"kind": "parse"'),
    "limit error, json": (["(((x)))", "--max-depth", "2", "--format", "json"], 2, '"kind": "limit"'),
    "evaluation error, json": (["eval", "1/x", "--at", "x=0", "--format", "json"], 2, '"kind": "evaluation"'),
}

# Cases run WITH SymPy verification: the result must also verify (one SymPy warm-up is not counted, see below).
VERIFIED = {
    "x^x verified": (["x^x"], 0, "verified"),
    "full-width, verified": (["ｓｉｎ(ｘ)²"], 0, "verified"),
    "superscript, verified": (["xⁿ⁻¹", "--wrt", "x"], 0, "verified"),
}


def _all_cases() -> dict[str, tuple[list[str], int, str]]:
    cases = dict(TABLE)
    for site, template in INJECTION_SITES.items():
        for number, attack in enumerate(INJECTIONS):
            argv = [part.replace("{}", attack) for part in template]
            cases[f"inject {site} #{number}"] = (argv, 2, "")
    return cases


CASES = _all_cases()


def _run_table(cases: dict, cwd: Path) -> dict[str, dict]:
    payload = json.dumps({"cases": [["warm-up", ["x^2"]]] + [[name, argv] for name, (argv, _, _) in cases.items()]})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent / "src"), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, str(HERE / "bad_inputs_runner.py")],
        input=payload, capture_output=True, text=True, timeout=600, cwd=cwd, env=env,
    )  # fmt: skip
    records = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert records and records[-1] == {"done": True}, done.stderr[-3000:]
    return {record["id"]: record for record in records[:-1]}


# A written derivation (deriv check --derivation FILE) with the injection as its problem line or as a step.
DERIVATION_LINES = {"problem": "{}\n= 2x\n", "step": "d/dx x^2\n= {}\n"}


def _derivation_cases(folder: Path) -> dict[str, tuple[list[str], int, str]]:
    cases = {}
    for where, template in DERIVATION_LINES.items():
        for number, attack in enumerate(INJECTIONS):
            path = folder / f"{where}{number}.txt"
            path.write_text(template.replace("{}", attack), encoding="utf-8")
            cases[f"inject check --derivation {where} #{number}"] = (["check", "--derivation", str(path)], 2, "")
    return cases


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("bad-inputs")
    derivations = _derivation_cases(tmp_path_factory.mktemp("derivations"))
    results = _run_table({**CASES, **VERIFIED, **derivations}, cwd)
    results["<files left behind>"] = sorted(path.name for path in cwd.iterdir())
    return results


def test_the_table_is_large_enough():
    assert len(TABLE) >= 100
    assert len(CASES) - len(TABLE) == len(INJECTIONS) * len(INJECTION_SITES)


def _check(record: dict, code: int, expected: str) -> None:
    output = record["stdout"] + record["stderr"]
    assert record["code"] == code, f"exit {record['code']}, expected {code}:\n{output}"
    assert "Traceback" not in output and "internal error" not in output, output
    assert expected in output, f"{expected!r} not in:\n{output}"
    if code == 2:
        if '"error"' in record["stdout"]:
            error = json.loads(record["stdout"])["error"]
            assert set(error) == {"kind", "message", "position"} and error["message"]
        else:
            # check and equiv give their verdict on stdout: "! invalid: cannot read the answer: ...", and a written
            # derivation its lines first, then "! invalid: line 2 cannot be checked ..."
            verdict = record["stdout"].startswith("! invalid: ") or "\n! invalid: " in record["stdout"]
            assert record["stderr"].startswith(("error: ", "usage: ")) or verdict, output
    assert record["cpu_seconds"] < TIME_BOUND, f"{record['cpu_seconds']:.2f} s of CPU"
    assert record["seconds"] < WALL_BOUND, f"{record['seconds']:.2f} s"
    assert record["memory_mb"] < MEMORY_BOUND, f"{record['memory_mb']:.0f} MB"


@pytest.mark.parametrize("name", list(TABLE) + list(VERIFIED))
def test_bad_input(outcomes, name):
    argv, code, expected = {**TABLE, **VERIFIED}[name]
    _check(outcomes[name], code, expected)


@pytest.mark.parametrize("site", list(INJECTION_SITES))
def test_injection_attempts_are_refused_as_input(outcomes, site):
    for number, attack in enumerate(INJECTIONS):
        record = outcomes[f"inject {site} #{number}"]
        _check(record, 2, "")


@pytest.mark.parametrize("where", list(DERIVATION_LINES))
def test_injection_attempts_in_a_written_derivation_are_unreadable_lines(outcomes, where):
    for number in range(len(INJECTIONS)):
        _check(
            outcomes[f"inject check --derivation {where} #{number}"],
            2,
            "cannot be read" if where == "problem" else "cannot read this line",
        )


def test_no_injection_left_a_file_behind(outcomes):
    assert outcomes["<files left behind>"] == []


# The real entry point, in its own process: what a shell user sees, with the traceback guard of cli.main.
REAL = [
    (["__import__('os').system('touch PWNED')"], 2, "unexpected character '_'"),
    (["x\x01"], 2, "U+0001"),
    (["9^9^9^9", "--wrt", "x"], 0, "= 0"),
    (["x", "--wrong", "--format", "json"], 2, '"kind": "usage"'),
    (["eval", "ln(x)", "--at", "x=0", "--format", "json"], 2, '"kind": "evaluation"'),
]


@pytest.mark.parametrize("argv, code, expected", REAL, ids=[repr(argv[0])[:30] for argv, _, _ in REAL])
def test_the_real_command_line(tmp_path, argv, code, expected):
    done = subprocess.run(
        [sys.executable, "-m", "derivsteps", *argv, NV] if argv[0] != "eval" else [sys.executable, "-m", "derivsteps", *argv],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == code, output
    assert expected in output and "Traceback" not in output
    assert list(tmp_path.iterdir()) == []


# Pasted Greek letters from σ on were once read as their neighbours (σ as rho, φ as tau, ω as chi).
GREEK = dict(
    zip(
        "αβγδεζηθικλμνξρστυφχψω",
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi rho sigma tau upsilon phi chi psi omega".split(),
    )
)


@pytest.mark.parametrize("letter, name", GREEK.items())
def test_every_pasted_greek_letter_reads_as_its_own_name(letter, name):
    from derivsteps.core.tree import Var
    from derivsteps.language.mathtext import to_text
    from derivsteps.language.parser import parse

    assert parse(letter).expr == Var(name) == parse(name).expr
    assert parse(to_text(Var(name))).expr == Var(name)
