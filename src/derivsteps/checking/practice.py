"""Practice questions made fresh from templates: a table of templates per topic (the rules are data, and the table reads
as a cheat sheet of what each topic practises), coefficients drawn from a seeded random.Random, and every question
built like one of a question file (`parse_questions`), its expected answer computed by our engine and then verified
against SymPy; a template whose result is not verified is dropped (`deriv practice --random`).
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Sequence
from dataclasses import dataclass

from ..core.errors import DerivError, UsageError
from .questions import Question, QuestionSet, parse_questions


@dataclass(frozen=True)
class Template:
    """One kind of question: an expression with coefficients {a}, {b}, {c}, {n}, {m} (drawn from COEFFICIENTS), the task,
    and the variables: diff draws its variable from `wrt`; grad gives the components in the order of `vars`."""

    expr: str
    task: str = "diff"  # diff or grad (the tasks of question files)
    wrt: tuple[str, ...] = ("x",)
    vars: tuple[str, ...] = ()


def T(expr: str, wrt: str = "x", grad: str = "") -> Template:  # noqa: N802 - a short name keeps the table one line a row
    """A template row: diff with respect to one of the comma-separated `wrt` (drawn), or grad over `grad`'s variables."""
    if grad:
        return Template(expr, "grad", (), tuple(grad.split(",")))
    return Template(expr, "diff", tuple(wrt.split(",")))


# Where each coefficient is drawn from: a and c never 1 (a factor of 1 hides the rule), exponents from 2.
COEFFICIENTS: dict[str, range] = {"a": range(2, 10), "b": range(1, 10), "c": range(2, 10), "n": range(2, 6), "m": range(2, 5)}  # fmt: skip

# topic -> (what it practises, in words; its templates). Each template practises the rule its topic names.
TOPICS: dict[str, tuple[str, tuple[Template, ...]]] = {
    "chain": ("the chain rule", (
        T("sin({a}x^{n})"),             # outer sin, inner a power:          a·n·x^(n-1) cos(a x^n)
        T("e^({a}x^2 + {b})"),          # outer e^u:                         2a x e^(a x^2 + b)
        T("({a}x + {b})^{n}"),          # outer power, inner linear:         n·a (a x + b)^(n-1)
        T("ln({a}x^2 + {b})"),          # outer ln:                          2a x/(a x^2 + b)
        T("sqrt({a}x^2 + {b})"),        # outer square root:                 a x/sqrt(a x^2 + b)
        T("cos(x^{n} + {c}x)"),         # outer cos, inner a sum:            -(n x^(n-1) + c) sin(x^n + c x)
    )),
    "product": ("the product rule", (
        T("x^{n} sin(x)"),              # (uv)' = u'v + uv'
        T("{a}x^{n} e^x"),
        T("x^{n} ln(x)"),
        T("x^{n} cos({a}x)"),           # with a chain rule inside
        T("(x^2 + {b})(x^3 - {a}x)"),   # two polynomials: multiplying out first is right too
    )),
    "quotient": ("the quotient rule", (
        T("x/(x^2 + {b})"),             # (u/v)' = (u'v - uv')/v^2
        T("({a}x + {b})/(x - {c})"),
        T("sin(x)/x^{n}"),
        T("e^x/(x + {b})"),
        T("(x^2 + {b})/(x^2 - {c})"),
    )),
    "exponentials": ("exponential functions", (
        T("e^({a}x)"),                  # (e^(ax))' = a e^(ax)
        T("{a}^x"),                     # (a^x)' = a^x ln(a): not the power rule
        T("x e^({a}x)"),
        T("e^(x^{n})"),
        T("{a}e^(-{c}x)"),
    )),
    "logs": ("logarithms", (
        T("ln({a}x)"),                  # ln(ax) = ln(a) + ln(x): the derivative is 1/x
        T("ln(x^{n} + {b})"),
        T("x^{n} ln(x)"),
        T("log_{a}(x)"),                # log_a(x) = ln(x)/ln(a)
        T("ln(ln(x))"),
    )),
    "trig": ("trigonometric functions", (
        T("sin({a}x)"),                 # (sin u)' = cos(u) u'
        T("cos(x^{n})"),                # (cos u)' = -sin(u) u': the sign
        T("tan({a}x)"),                 # (tan u)' = sec(u)^2 u'
        T("sin(x) cos(x)"),
        T("sin(x)^{n}"),
    )),
    "partials": ("partial derivatives (the other variable held constant)", (
        T("x^{n} y^{m}", wrt="x,y"),
        T("e^({a}x y)", wrt="x,y"),
        T("sin(x y^2)", wrt="x,y"),
        T("x^2 + {a}x y + y^{n}", wrt="x,y"),
        T("ln(x^2 + y^2)", wrt="x,y"),
        T("(x + y + z)^{n}", wrt="x,y,z"),  # the lecture's question 2
    )),
    "gradients": ("gradients", (
        T("x^2 y + {a}y^{n}", grad="x,y"),
        T("{a}x^2 + y^2 - x y + {c}x", grad="x,y"),  # the lecture's f(a, b), in x and y
        T("e^(x y)", grad="x,y"),
        T("sin(x) cos(y)", grad="x,y"),
        T("x^2 + y^2 + z^2 - {a}x z", grad="x,y,z"),
    )),
}  # fmt: skip

# How a generated question asks, in words ({f}: the expression; {wrt}: the variable; {vars}: f's variables in order;
# {held}: the others).
PROMPTS = {
    "diff": "Differentiate {f} with respect to {wrt}.",
    "partial": "Find ∂f/∂{wrt} for f({vars}) = {f} ({held} held constant).",
    "grad": "Give the gradient ({parts}) of f({vars}) = {f}.",
}

# Draws before giving up on a topic whose templates keep failing verification (each failure drops its template).
_DRAWS_PER_QUESTION = 20


def topic_names(text: str | None) -> tuple[str, ...]:
    """The topics of --topic (comma-separated; none or "all": every topic), checked against TOPICS."""
    if not text or text.strip() == "all":
        return tuple(TOPICS)
    chosen = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    for name in chosen:
        if name not in TOPICS:
            import difflib

            close = difflib.get_close_matches(name, list(TOPICS), n=1)
            near = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(f"unknown topic {name!r}{near}; the topics are {', '.join(TOPICS)}")
    return chosen


def generate(topics: Sequence[str], count: int, seed: int) -> QuestionSet:
    """`count` fresh questions of the topics, in turn, from their templates with coefficients drawn by random.Random(seed):
    the same seed gives the same questions. Each expected answer is computed and verified against SymPy; a template
    whose result is not verified is dropped."""
    if count < 1:
        raise UsageError("--count must be at least 1")
    rng = random.Random(seed)
    pools = {topic: list(TOPICS[topic][1]) for topic in topics}
    decks: dict[str, list[Template]] = {topic: [] for topic in topics}
    made: list[Question] = []
    seen: set[tuple[str, str]] = set()
    for index in range(count):
        topic = topics[index % len(topics)]
        for draw in range(_DRAWS_PER_QUESTION):
            if not pools[topic]:
                raise UsageError(f"no template of the topic {topic!r} gives a verified question")
            if not decks[topic]:  # each template once before any twice: a shuffled deck, dealt again when empty
                decks[topic] = rng.sample(pools[topic], len(pools[topic]))
            template = decks[topic].pop()
            question = _question(template, rng, f"{topic}-{index + 1}", topic)
            key = (question.expr, question.wrt[0] if question.wrt else "")
            if key in seen and draw < _DRAWS_PER_QUESTION // 2:
                continue  # the same question again: draw another (a topic with few templates may repeat one later)
            if not verified(question):
                pools[topic].remove(template)
                decks[topic] = [t for t in decks[topic] if t != template]
                continue
            seen.add(key)
            made.append(question)
            break
        else:
            raise UsageError(f"could not make a verified question of the topic {topic!r}")
    title = f"Practice: {', '.join(TOPICS[topic][0] for topic in topics)} (seed {seed})"
    return QuestionSet(title, tuple(made), "")


def _question(template: Template, rng: random.Random, qid: str, topic: str) -> Question:
    """The template with its coefficients drawn, as a validated question (its expected answer computed)."""
    wanted = sorted({name for _, name, _, _ in string.Formatter().parse(template.expr) if name})
    expr = template.expr.format(**{name: rng.choice(COEFFICIENTS[name]) for name in wanted})
    names = template.vars or _letters(template)
    shown = {"f": expr, "vars": ", ".join(names)}
    lines = [
        "[[question]]",
        f"id = {json.dumps(qid)}",
        f"task = {json.dumps(template.task)}",
        f"expr = {json.dumps(expr)}",
        f"topic = {json.dumps(TOPICS[topic][0])}",
    ]
    if template.task == "grad":
        parts = ", ".join(f"∂f/∂{name}" for name in template.vars)
        prompt = PROMPTS["grad"].format(parts=parts, **shown)
        lines.append(f"vars = {json.dumps(','.join(template.vars))}")
    else:
        wrt = rng.choice(template.wrt)
        held = " and ".join(name for name in names if name != wrt)
        prompt = PROMPTS["partial" if len(names) > 1 else "diff"].format(wrt=wrt, held=held, **shown)
        lines.append(f"wrt = {json.dumps(wrt)}")
    lines.append(f"prompt = {json.dumps(prompt, ensure_ascii=False)}")
    # Built as a question file is read, so a generated question is validated and computed as every other.
    return parse_questions("\n".join(lines) + "\n", f"{qid}.toml").questions[0]


def _letters(template: Template) -> tuple[str, ...]:
    return tuple(dict.fromkeys(template.wrt))


def verified(question: Question) -> bool:
    """Whether the question's expected answer is our engine's derivative and SymPy agrees with every step of it (each
    component of a gradient)."""
    from ..calculus.derivative import differentiate
    from ..calculus.multivar import variable_named
    from ..cas.verification import verify
    from .questions import same_value

    by = question.wrt if question.task == "diff" else question.vars
    if question.task not in ("diff", "grad") or len(question.expected) != 1:
        return False
    try:
        for index, name in enumerate(by if question.task == "grad" else by[:1]):
            derivation = differentiate(question.expr, (variable_named(name),), functions=question.functions)
            if verify(derivation).verified is not True:
                return False
            if same_value(question, derivation.result, question.expected[0][index]) != "correct":
                return False
    except DerivError:
        return False
    return True
