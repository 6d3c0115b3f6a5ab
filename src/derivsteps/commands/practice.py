"""deriv practice SET.toml: the questions of a question file asked at the terminal, one after another; each answer
checked as deriv grade --questions checks it (the verdict, the named mistake and its feedback), a hint on request (the
next rule only), a wrong answer tried again, and the score at the end. --random makes fresh questions of a topic."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, replace

from . import EXIT_OK, Command

EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as a shell reports it

# checking.practice.TOPICS, written out so that --help imports no checker (tests/commands/test_practice.py keeps
# the two equal).
TOPICS = ("chain", "product", "quotient", "exponentials", "logs", "trig", "partials", "gradients")

# What the student may type instead of an answer. The one-letter forms give way to a variable of that name.
HINT_WORDS = ("?", "hint")
SKIP_WORDS = ("skip", "s")
QUIT_WORDS = ("quit", "q", "exit")

# The mark before a verdict that is not all the points (render/course.py's marks).
MARKS = {"partial": "~", "incorrect": "✗", "invalid": "!", "inconclusive": "?"}

_PRACTICE_EPILOG = """\
examples:
  deriv practice examples/week2_questions.toml            the lecture's week-2 questions, in the file's order
  deriv practice set.toml --order random --seed 3        the same questions, shuffled (the seed repeats the order)
  deriv practice --random --topic chain --seed 7         5 fresh chain-rule questions; --seed 7 gives the same 5 again
  deriv practice --random --topic trig,logs --count 10   10 questions, the two topics in turn
  printf '2x cos(x^2)\\n' | deriv practice set.toml       answers from a pipe: plain text, for scripts and tests

at each question, type
  an answer     as text (2x cos(x^2)) or LaTeX (\\frac{1}{x}); a gradient as (2xy, x^2), a Hessian as
                [[6, -1], [-1, 2]], critical points as a = 1, b = 2 (several separated by ;, or none)
  ? or hint     the next rule to apply, and where (never the result): as deriv EXPR --hint
  skip or s     show the answer and move on (s is an answer when the question has a variable s)
  quit or q     stop; Ctrl-D (end of input) stops too. The score so far is shown either way.

A wrong answer gets the verdict, the mistake it shows when the catalogue knows it (chain_inner_forgotten,
sign_error, ...) with its feedback, and another try (--tries, 2 by default); an answer that cannot be read shows
where, and is asked again without using a try. The score counts each question's best try (partial credit as the
question file gives it). Random questions are computed by derivsteps and verified against SymPy before they are asked.

topics (--random): chain, product, quotient, exponentials, logs, trig, partials (f(x, y) by one variable),
gradients (the gradient of f(x, y) or f(x, y, z)); several separated by commas; all of them when --topic is left out.

exit codes: 0 the session ran (whatever the score); 2 a question file that cannot be read, or bad usage;
130 interrupted by Ctrl-C (after the score so far)
"""


def _practice_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", metavar="SET.toml", nargs="?", default=None, help="the question file (as deriv grade --questions reads)"
    )
    parser.add_argument(
        "--random", action="store_true", help="make fresh questions from templates instead of reading a file"
    )
    parser.add_argument(
        "--topic",
        metavar="TOPIC",
        default=None,
        help=f"with --random: the topics, comma-separated ({', '.join(TOPICS)}; default: all)",
    )
    parser.add_argument(
        "--seed",
        metavar="N",
        type=int,
        default=None,
        help="the seed of --random and --order random: the same seed, the same questions in the same order "
        "(default: a new one, shown so that it can be repeated)",
    )
    parser.add_argument(
        "--count",
        metavar="N",
        type=int,
        default=None,
        help="how many questions (default: 5 with --random, every question of the file)",
    )
    parser.add_argument(
        "--order", choices=("file", "random"), default="file", help="ask the questions in the file's order or shuffled"
    )
    parser.add_argument(
        "--tries",
        metavar="N",
        type=int,
        default=2,
        help="tries at each question before its answer is shown (default 2)",
    )
    parser.add_argument(
        "--ascii", action="store_true", help="plain ASCII marks and math: d/dx and * instead of ∂ and ·"
    )


# -- one session ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """How one question went: its best score, what the best try was, the tries used, and whether a hint was asked."""

    question: str
    score: float
    max_score: float
    status: str  # correct, partial, incorrect, inconclusive, skipped, unanswered
    mistake: str | None = None
    tries: int = 0
    hints: int = 0


class _Quit(Exception):
    """The student typed quit or the input ended: the session stops, with the score so far."""


class Session:
    """The questions asked in turn on a reader of lines (None: the input ended) and a writer of text."""

    def __init__(
        self, questions, read: Callable[[str], str | None], say: Callable[[str], None], tries: int, ascii: bool
    ):
        self.questions, self.read, self.say, self.tries, self.ascii = questions, read, say, tries, ascii
        self.outcomes: list[Outcome] = []

    def run(self) -> None:
        """Ask every question, until the last one or quit."""
        total = len(self.questions)
        try:
            for number, question in enumerate(self.questions, start=1):
                self.outcomes.append(self.ask(question, number, total))
        except _Quit:
            pass

    def ask(self, question, number: int, total: int) -> Outcome:
        """One question: its prompt, then answers until right, out of tries, skipped or quit."""
        from ..checking.questions import check_question
        from ..core.errors import DerivError

        topic = f" · {question.topic}" if question.topic else ""
        self.say(
            f"\nQuestion {number} of {total} ({question.id}, {_points(question.points)} point{_plural(question.points)}{topic})"
        )
        self.say(question.prompt)
        letters = _letters(question)
        best: Outcome | None = None
        tries = hints = 0

        def finished(status: str) -> Outcome:
            """The best try with every try and hint counted (status: how a question without a try ended)."""
            if best is None:
                return Outcome(question.id, 0.0, question.points, status, tries=tries, hints=hints)
            return replace(best, tries=tries, hints=hints)

        while True:
            line = self.read("answer> ")
            if line is None:
                self.outcomes.append(finished("unanswered"))
                raise _Quit
            text = line.strip()
            word = text.lower()
            if not text:
                self.say("type an answer, ? for a hint, skip to move on, or quit")
                continue
            if word in HINT_WORDS:
                hints += 1
                for hint_line in hint_lines(question, self.ascii):
                    self.say(hint_line)
                continue
            if word in SKIP_WORDS and word not in letters:
                self._show_answer(question)
                return finished("skipped")
            if word in QUIT_WORDS and word not in letters:
                self.outcomes.append(finished("unanswered"))
                raise _Quit
            problem = _unreadable(question, text)
            if problem is not None:
                self.say(f"cannot read that: {problem}")
                self.say("try again (this did not use a try)")
                continue
            try:
                result = check_question(question, text)
            except DerivError as err:  # the engine cannot work the answer out (a limit): said, and asked again
                self.say(f"could not check that: {err.message}")
                continue
            tries += 1
            if best is None or result.score >= best.score:  # the best try counts; of equal ones, the last
                best = Outcome(question.id, result.score, result.max_score, result.outcome, result.mistake)
            self._verdict(result)
            if result.outcome == "correct":
                return finished("correct")
            if tries >= self.tries:
                self._show_answer(question)
                return finished("incorrect")
            left = self.tries - tries
            self.say(f"try again ({left} {'try' if left == 1 else 'tries'} left; ? for a hint, skip to move on)")

    def _verdict(self, result) -> None:
        earned = f"{_points(result.score)}/{_points(result.max_score)}"
        if result.outcome == "correct":
            extra = "" if result.feedback in ("correct", "") else f": {result.feedback}"
            self.say(f"✓ correct ({earned}){extra}")  # --ascii: cli.py writes ✓ as OK and ✗ as WRONG
            return
        mark = MARKS.get(result.outcome, "✗")
        said = {"partial": "partly right", "inconclusive": "could not decide"}.get(result.outcome, result.verdict)
        if result.verdict == "correct":  # the value is right, the form is not
            said = "right value, not in the form asked"
        mistake = f" [{result.mistake}]" if result.mistake else ""
        self.say(f"{mark} {said}{mistake} ({earned})")
        if result.feedback:
            self.say(f"  {result.feedback}")

    def _show_answer(self, question) -> None:
        if question.expected_text is not None:
            self.say(f"the answer: {question.expected_text}")
        else:  # an antiderivative without a given one: any is right
            self.say(f"the answer: any F whose derivative with respect to {', '.join(question.wrt)} is {question.expr}")

    def report(self) -> list[str]:
        """The score: a line per question asked, then the total over every question of the session."""
        lines = ["", "score"]
        width = max((len(q.id) for q in self.questions), default=0)
        asked = {outcome.question: outcome for outcome in self.outcomes}
        for question in self.questions:
            outcome = asked.get(question.id) or Outcome(question.id, 0.0, question.points, "not asked")
            notes = [outcome.status]
            if outcome.mistake and outcome.status != "correct":
                notes.append(outcome.mistake)
            if outcome.tries > 1:
                notes.append(f"{outcome.tries} tries")
            if outcome.hints:
                notes.append(f"{outcome.hints} hint{'s' if outcome.hints > 1 else ''}")
            earned = f"{_points(outcome.score)}/{_points(outcome.max_score)}"
            lines.append(f"  {question.id.ljust(width)}  {earned.rjust(7)}  {', '.join(notes)}")
        score = sum(outcome.score for outcome in self.outcomes)
        total = sum(question.points for question in self.questions)
        percent = f" ({round(100 * score / total)}%)" if total else ""
        lines.append(f"total: {_points(score)}/{_points(total)}{percent}")
        return lines


def _points(value: float) -> str:
    """1.0 as 1, 0.5 as 0.5: points as a teacher writes them."""
    return f"{value:g}"


def _plural(value: float) -> str:
    return "" if value == 1 else "s"


def _letters(question) -> frozenset[str]:
    """The one-letter variables of the question's expression: an answer s is not skip when s is a variable."""
    from ..core.errors import DerivError
    from ..core.tree import variables
    from ..language.parser import parse

    try:
        with _latex(question):
            tree = parse(question.expr, variables=question.declared(), functions=question.functions).expr
    except DerivError:
        return frozenset()
    return frozenset(var.name for var in variables(tree) if var.sub is None and len(var.name) == 1)


def _latex(question):
    """Read as the question file says: LaTeX when latex = true, else told by the text (a backslash or ^{…})."""
    from ..language.parser import reading_latex

    return reading_latex(True) if question.latex else nullcontext()


def _unreadable(question, text: str) -> str | None:
    """Why the answer cannot be read, with the column and a caret under it (None: it can be read)."""
    from ..checking.questions import read_components
    from ..core.errors import DerivError

    try:
        with _latex(question):
            read_components(question, text)
    except DerivError as err:
        return str(err)
    return None


# -- hints ----------------------------------------------------------------------------------------------------------
def hint_lines(question, ascii: bool = False) -> list[str]:
    """The hint for a question, as lines: the next rule of the right derivation and where it applies (as deriv EXPR
    --hint says it), with a word on the task first for the tasks that are more than one derivative; never the result."""
    task, by = question.task, ", ".join(question.vars)
    first = question.vars[0] if question.vars else None
    lead = {
        "grad": f"the gradient lists the partial derivatives by {by}, in that order; start with ∂f/∂{first}",
        "hessian": f"the Hessian holds the second partial derivatives by {by}; start with ∂f/∂{first}, then differentiate it again",
        "critical": f"set every partial derivative (by {by}) to 0 and solve the equations together; start with ∂f/∂{first}",
    }.get(task)
    if task == "diff":
        return _rule_hint(question, question.wrt, ascii)
    if lead is not None and first is not None:
        return [lead, *_rule_hint(question, (first,), ascii)]
    if task == "eval":
        data = " and each column's values into the sums" if question.data else ""
        return [f"substitute {question.at}{data}, then work the number out"]
    if task == "antiderivative":
        return [
            f"find F whose derivative by {', '.join(question.wrt)} is {question.expr}; check it by differentiating F"
        ]
    return [f"any expression equal to {question.expr} in value is right: rewrite it one law at a time"]


def _rule_hint(question, wrt, ascii: bool) -> list[str]:
    """The first rule of the derivative by wrt, in the words of deriv EXPR --hint."""
    from ..calculus.derivative import differentiate
    from ..calculus.multivar import variable_named
    from ..core.errors import DerivError
    from ..language.mathtext import to_text
    from ..render.hint import hint_lines, next_rule

    try:
        with _latex(question):
            derivation = differentiate(
                question.expr,
                tuple(variable_named(name) for name in wrt),
                simplify="none",
                variables=question.declared(),
                functions=question.functions,
            )
            hint = next_rule(derivation, lambda expr: to_text(expr, ascii))
    except DerivError as err:
        return [f"no hint for this one: {err.message}"]
    return hint_lines(derivation, hint, ascii)


# -- the command ------------------------------------------------------------------------------------------------------
def _reader() -> Callable[[str], str | None]:
    """Lines from stdin: at a terminal through input() (line editing), else read and echoed, so that the output of a
    piped session reads as a transcript. None when the input ends."""
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if interactive:
        try:
            import readline  # noqa: F401 - input() then edits lines and keeps a history
        except ImportError:  # Windows has no readline: input() still works
            pass

    def read(prompt: str) -> str | None:
        if interactive:
            try:
                return input(prompt)
            except EOFError:
                print()
                return None
        sys.stdout.write(prompt)
        line = sys.stdin.readline()
        if not line:
            sys.stdout.write("\n")
            return None
        sys.stdout.write(line if line.endswith("\n") else line + "\n")
        return line.rstrip("\n")

    return read


def _questions(args: argparse.Namespace) -> tuple[str, tuple]:
    """The session's title and questions, from the file or the templates, in the order asked."""
    import random

    from ..core.errors import UsageError

    if args.tries < 1:
        raise UsageError("--tries must be at least 1")
    if args.count is not None and args.count < 1:
        raise UsageError("--count must be at least 1")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 10_000)
    if args.random:
        if args.file is not None:
            raise UsageError("give either a question file or --random (fresh questions from templates), not both")
        from ..checking.practice import generate, topic_names

        made = generate(topic_names(args.topic), args.count or 5, seed)
        questions = list(made.questions)
        title = made.title
        if args.seed is None:
            title += f" (--seed {seed} asks these again)"
    else:
        if args.file is None:
            raise UsageError("give a question file (deriv practice set.toml) or --random --topic TOPIC")
        if args.topic is not None:
            raise UsageError("--topic chooses the templates of --random; a question file has its own questions")
        from ..checking.questions import load_questions

        loaded = load_questions(args.file)
        questions, title = list(loaded.questions), loaded.title
        if args.order == "random":
            random.Random(seed).shuffle(questions)
            if args.seed is None:
                title += f" (shuffled: --seed {seed} keeps this order)"
        if args.count is not None:
            questions = questions[: args.count]
    return title, tuple(questions)


def _run_practice(args: argparse.Namespace) -> int:
    from . import start_verifying

    start_verifying()  # answers are compared by the equivalence service, random questions verified: SymPy, forked now
    title, questions = _questions(args)
    say = lambda text: print(text, flush=True)  # noqa: E731 - flushed, so a prompt never waits behind a buffer
    say(title)
    say("type an answer, ? for a hint, skip to move on, quit to stop")
    session = Session(questions, _reader(), say, args.tries, args.ascii)
    code = EXIT_OK
    try:
        session.run()
    except KeyboardInterrupt:
        say("\ninterrupted")
        code = EXIT_INTERRUPTED
    for line in session.report():
        say(line)
    return code


COMMAND = Command(
    "practise at the terminal: the questions of a question file, or fresh ones of a topic, with hints and a score",
    _practice_arguments,
    _run_practice,
    usage="deriv practice SET.toml [--order random] [--tries N]  |  deriv practice --random [--topic TOPIC] [--seed N] [--count N]",
    epilog=_PRACTICE_EPILOG,
)
