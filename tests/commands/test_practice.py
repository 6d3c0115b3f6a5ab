"""deriv practice: a session driven by answers on stdin (verdicts, named mistakes, hints, parse errors, the score), and
the random questions of checking/practice.py (deterministic per seed, every expected answer verified)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
import sympy

from derivsteps import cli
from derivsteps.cas.bridge import symbol_name, to_sympy
from derivsteps.checking import practice
from derivsteps.checking.questions import check_question
from derivsteps.commands import practice as command
from derivsteps.language.parser import parse

ROOT = Path(__file__).resolve().parents[2]
WEEK2 = ROOT / "examples" / "week2_questions.toml"

SET = """\
title = "Three questions"

[[question]]
id = "chain"
task = "diff"
expr = "sin(x^2)"
wrt = "x"

[[question]]
id = "log"
task = "diff"
expr = "ln(x)"
wrt = "x"
points = 2

[[question]]
id = "grad"
task = "grad"
expr = "x^2 y + sin(y)"
vars = "x,y"
"""

RIGHT = ["2x cos(x^2)", "1/x", "(2xy, x^2 + cos(y))"]


@pytest.fixture
def questions(tmp_path) -> str:
    path = tmp_path / "set.toml"
    path.write_text(SET, encoding="utf-8")
    return str(path)


def session(capsys, monkeypatch, answers: list[str], *argv: str) -> tuple[int, str]:
    """Run deriv practice with these lines on stdin: (exit code, stdout)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(line + "\n" for line in answers)))
    code = cli.main(["practice", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out


def total(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith("total: "))


# -- a session --------------------------------------------------------------------------------------------------------------
def test_right_answers_score_full_marks(capsys, monkeypatch, questions):
    code, out = session(capsys, monkeypatch, RIGHT, questions)
    assert code == 0
    assert out.count("✓ correct") == 3
    assert total(out) == "total: 4/4 (100%)"
    assert "Question 2 of 3 (log, 2 points)" in out
    assert "Differentiate sin(x^2) with respect to x." in out  # the default prompt, in words


def test_a_wrong_answer_names_the_mistake_and_its_feedback(capsys, monkeypatch, questions):
    _, out = session(capsys, monkeypatch, ["cos(x^2)", "2x cos(x^2)"], questions)
    lines = out.splitlines()
    verdict = next(index for index, line in enumerate(lines) if line.startswith("✗"))
    assert lines[verdict] == "✗ incorrect [chain_inner_forgotten] (0/1)"
    assert "inner derivative" in lines[verdict + 1]
    assert lines[verdict + 2] == "try again (1 try left; ? for a hint, skip to move on)"
    assert "✓ correct (1/1)" in out  # the second try earns the points
    assert "chain      1/1  correct, 2 tries" in out


def test_partial_credit_and_the_question_feedback(capsys, monkeypatch, tmp_path):
    path = tmp_path / "set.toml"
    path.write_text(
        SET.replace('wrt = "x"\n', 'wrt = "x"\n[question.partial]\nchain_inner_forgotten = 0.5\n'
                    '[question.feedback]\nchain_inner_forgotten = "Multiply by the derivative of x^2."\n', 1),
        encoding="utf-8",
    )  # fmt: skip
    _, out = session(capsys, monkeypatch, ["cos(x^2)", "cos(x^2)"], str(path))
    assert "~ partly right [chain_inner_forgotten] (0.5/1)" in out
    assert "  Multiply by the derivative of x^2." in out
    assert "the answer: 2x cos(x^2)" in out  # out of tries: the answer is shown
    assert "chain    0.5/1  partial, chain_inner_forgotten, 2 tries" in out


def test_a_hint_is_the_next_rule_only(capsys, monkeypatch, questions):
    _, out = session(capsys, monkeypatch, ["?"], questions)
    assert "next: chain rule at sin(x^2)  —  ∂f(u)/∂x = ∂f/∂u · ∂u/∂x" in out
    assert "cos" not in out  # never the result, nor a step towards it
    assert "chain      0/1  unanswered, 1 hint" in out


def test_a_hint_for_a_gradient_starts_with_its_first_partial(capsys, monkeypatch, questions):
    _, out = session(capsys, monkeypatch, [*RIGHT[:2], "hint"], questions)
    assert "start with ∂f/∂x" in out
    assert "next: sum rule at x^2 y + sin(y) (by x)" in out
    assert "2xy" not in out


def test_hint_words_match_deriv_hint(capsys, monkeypatch, questions):
    _, hinted = session(capsys, monkeypatch, ["?"], questions)
    cli.main(["sin(x^2)", "--wrt", "x", "--hint", "--format", "text"])
    alone, _ = capsys.readouterr()
    assert alone.strip() in hinted


def test_the_score_counts_the_best_try_and_every_try_and_hint(capsys, monkeypatch, questions):
    _, out = session(
        capsys, monkeypatch, ["2x cos(x^2)", "?", "x", "?", "1/x", "x^2", "skip"], questions, "--tries", "3"
    )
    assert "chain      1/1  correct" in out
    assert "log        2/2  correct, 2 tries, 2 hints" in out
    assert "grad       0/1  incorrect, 1 try" not in out and "grad       0/1  incorrect" in out
    assert total(out) == "total: 3/4 (75%)"


def test_a_parse_error_names_the_column_and_the_session_goes_on(capsys, monkeypatch, questions):
    _, out = session(capsys, monkeypatch, ["2x cos(x^2", *RIGHT], questions)
    assert "cannot read that: unclosed parenthesis '(' (column 7)" in out
    assert "  2x cos(x^2\n        ^" in out  # the caret under the column
    assert "try again (this did not use a try)" in out
    assert total(out) == "total: 4/4 (100%)"  # no try lost


def test_end_of_input_ends_with_the_score(capsys, monkeypatch, questions):
    code, out = session(capsys, monkeypatch, [], questions)
    assert code == 0
    assert total(out) == "total: 0/4 (0%)"
    assert "chain      0/1  unanswered" in out
    assert "log        0/2  not asked" in out


def test_skip_shows_the_answer_and_quit_stops(capsys, monkeypatch, questions):
    _, out = session(capsys, monkeypatch, ["skip", "quit", "never read"], questions)
    assert "the answer: 2x cos(x^2)" in out
    assert "chain      0/1  skipped" in out
    assert "log        0/2  unanswered" in out
    assert "never read" not in out


def test_s_is_an_answer_when_s_is_a_variable(capsys, monkeypatch, tmp_path):
    path = tmp_path / "set.toml"
    path.write_text('[[question]]\nid = "q"\ntask = "diff"\nexpr = "s^2/2"\nwrt = "s"\n', encoding="utf-8")
    _, out = session(capsys, monkeypatch, ["s"], str(path))
    assert "✓ correct (1/1)" in out


def test_a_latex_answer_is_read(capsys, monkeypatch, questions):
    _, out = session(capsys, monkeypatch, [RIGHT[0], r"\frac{1}{x}", RIGHT[2]], questions)
    assert total(out) == "total: 4/4 (100%)"


def test_tries_then_the_answer(capsys, monkeypatch, questions):
    _, out = session(capsys, monkeypatch, ["2x", "1/x"], questions, "--tries", "1")
    assert "the answer: 2x cos(x^2)" in out
    assert "Question 2 of 3" in out
    assert "try again (" not in out


def test_bad_input_never_tracebacks(capsys, monkeypatch, questions):
    bad = ["", ")))", "x^^2", "1/0", "ln(0)", "\x00", "x" * 5000, "(1, 2, 3)", "sin", "=", "2x cos(x^2) = 3", "f(x)"]
    code, out = session(capsys, monkeypatch, bad, questions, "--tries", "20")
    assert code == 0
    assert "total: " in out


def test_the_week2_set(capsys, monkeypatch):
    answers = ["a = -2/11, b = -1/11", "2(x+y+z)", "(6a - b + 1, 2b - a)", "[[6, -1], [-1, 2]]", "2230"]
    _, out = session(capsys, monkeypatch, answers, str(WEEK2))
    assert out.count("✓ correct") == 5  # the file is the lecture's: its points may change, these answers stay right
    assert "Question 6 of" in out and "(q6, " in out


def test_order_random_is_repeatable(capsys, monkeypatch, questions):
    _, first = session(capsys, monkeypatch, [], questions, "--order", "random", "--seed", "3")
    _, again = session(capsys, monkeypatch, [], questions, "--order", "random", "--seed", "3")
    assert first == again


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "give a question file"),
        (["set.toml", "--random"], "not both"),
        (["--random", "--topic", "chian"], "did you mean 'chain'"),
        (["--random", "--count", "0"], "--count must be at least 1"),
        (["missing.toml"], "missing.toml"),
    ],
)
def test_usage_errors(capsys, monkeypatch, argv, message):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = cli.main(["practice", *argv])
    _, err = capsys.readouterr()
    assert code == 2
    assert message in err


def test_help_teaches(capsys):
    code = cli.main(["practice", "--help"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "examples:" in out and "deriv practice --random --topic chain --seed 7" in out
    assert "? or hint" in out and "\\frac{1}{x}" in out


def test_a_real_process_reads_stdin():
    done = subprocess.run(
        [sys.executable, "-m", "derivsteps", "practice", "--random", "--topic", "trig", "--seed", "7", "--count", "1"],
        input="?\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "next: " in done.stdout and "total: 0/1 (0%)" in done.stdout


# -- random questions -------------------------------------------------------------------------------------------------------
def test_the_command_lists_the_topics_of_the_table():
    assert command.TOPICS == tuple(practice.TOPICS)


def test_a_seed_gives_the_same_questions(capsys, monkeypatch):
    first = practice.generate(["chain"], 5, 7)
    assert practice.generate(["chain"], 5, 7) == first
    assert practice.generate(["chain"], 5, 8) != first
    _, out = session(capsys, monkeypatch, [], "--random", "--topic", "chain", "--seed", "7")
    _, again = session(capsys, monkeypatch, [], "--random", "--topic", "chain", "--seed", "7")
    assert out == again
    assert first.questions[0].prompt in out


def _sympy_agrees(question) -> bool:
    """The expected answer against SymPy's own derivative, independently of derivsteps' verification."""
    tree = to_sympy(parse(question.expr).expr)
    by = question.wrt if question.task == "diff" else question.vars
    for index, name in enumerate(by):
        derivative = sympy.diff(tree, sympy.Symbol(symbol_name(parse(name).expr)))
        if sympy.simplify(derivative - to_sympy(question.expected[0][index])) != 0:
            return False
    return True


@pytest.mark.parametrize("topic", practice.TOPICS)
def test_each_topic_makes_verified_questions(topic):
    made = practice.generate([topic], 6, 7)
    assert len(made.questions) == 6
    assert len({q.expr for q in made.questions}) >= 4  # the deck goes round the templates
    for question in made.questions:
        assert question.id.startswith(f"{topic}-")
        assert question.topic == practice.TOPICS[topic][0]
        assert question.prompt.endswith(".") and question.expr in question.prompt
        assert practice.verified(question)
        assert _sympy_agrees(question), question.expr
        assert check_question(question, question.expected_text).outcome == "correct"


def test_every_template_is_verified_for_several_seeds():
    for seed in range(5):
        made = practice.generate(list(practice.TOPICS), 2 * len(practice.TOPICS), seed)
        assert all(_sympy_agrees(question) for question in made.questions)


def test_the_topics_take_turns():
    made = practice.generate(["trig", "logs"], 4, 1)
    assert [q.id for q in made.questions] == ["trig-1", "logs-2", "trig-3", "logs-4"]


def test_a_template_that_is_not_verified_is_dropped(monkeypatch):
    bad = practice.T("sin({a}x)")
    monkeypatch.setitem(practice.TOPICS, "trig", ("trig", (bad, practice.T("cos({a}x)"))))
    real = practice.verified
    monkeypatch.setattr(practice, "verified", lambda q: "sin" not in q.expr and real(q))
    made = practice.generate(["trig"], 3, 7)
    assert all(q.expr.startswith("cos") for q in made.questions)


def test_partials_say_which_variables_are_held_constant():
    made = practice.generate(["partials"], 6, 7)
    for question in made.questions:
        assert "held constant" in question.prompt
        assert f"∂f/∂{question.wrt[0]}" in question.prompt
