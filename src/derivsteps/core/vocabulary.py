"""The project's small vocabularies as string enums: verdicts, deciding layers, detail levels, phases, stop reasons.

Each member's value is the string the output has always shown, and a StrEnum is a str: f-strings, comparisons with
plain strings, dict keys and json.dumps see exactly that string, so text and JSON output do not change.
"""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    """An answer's verdict: the equivalence service's three, then the checker's and the grader's own."""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    INCONCLUSIVE = "inconclusive"  # sampling could not decide, or the CAS ran past its limits: never "incorrect"
    INVALID = "invalid"  # the answer could not be read, or is undefined
    LIMIT = "limit"  # grading: the row hit a resource limit; the batch goes on
    ERROR = "error"  # grading: the row met a bug (an unexpected exception); the batch goes on


# Every verdict, in the order a grade summary counts them.
VERDICTS: tuple[Verdict, ...] = tuple(Verdict)
# The equivalence service's verdicts: equal, different, undecided.
EQUIVALENCE_VERDICTS: tuple[Verdict, ...] = (Verdict.CORRECT, Verdict.INCORRECT, Verdict.INCONCLUSIVE)
# The answer checker's: the service's, and "invalid".
ANSWER_VERDICTS: tuple[Verdict, ...] = (*EQUIVALENCE_VERDICTS, Verdict.INVALID)


class Layer(StrEnum):
    """The layer of the equivalence service (or verification) that decided, cheapest first."""

    STRUCTURAL = "structural"  # identical trees
    PROBE = "probe"  # our own evaluator found a difference at one random point
    SYMBOLIC = "symbolic"  # SymPy: the difference is 0, or a nonzero rational function
    NUMERIC = "numeric"  # SymPy's values at random points
    EVALUATOR = "evaluator"  # our own evaluator at random points, where SymPy gave up


class Detail(StrEnum):
    """How much of a derivation is shown."""

    BRIEF = "brief"
    NORMAL = "normal"
    FULL = "full"


class Phase(StrEnum):
    """What a step of a derivation does."""

    DIFFERENTIATE = "diff"
    SIMPLIFY = "simplify"
    CAS = "cas"  # SymPy differentiated what no rule of ours covers
    SUBSTITUTE = "substitute"  # values put in for variables (engine.substitute)
    DATA = "data"  # sums over a data set worked out (calculus.at_point)


class SimplifyKind(StrEnum):
    """What sort of rewrite a simplification rule makes: a lecturer labels a line of them with it ("multiply out").

    At the default detail a simplification line groups consecutive rewrites of one kind (core.derivation.group_lines);
    every row of SIMPLIFY_RULES names its kind.
    """

    ARITHMETIC = "arithmetic"  # the constants: 2·3 = 6, u + 0 = u, 1·u = u, ln(1) = 0, -(-u) = u
    POWERS = "powers"  # u¹ = u, (uᵐ)ⁿ = uᵐⁿ, uᵐ·uⁿ = uᵐ⁺ⁿ, u⁻ⁿ = 1/uⁿ
    MULTIPLY_OUT = "multiply out"  # a(u + v) = au + av
    COLLECT = "collect like terms"  # 2u + 3u = 5u
    CANCEL = "cancel"  # u·v/u = v
    FRACTIONS = "one fraction"  # a·(b/c) = ab/c, (a/b)/c = a/(bc)
    SPLIT_SUM = "split the sum"  # Σ (u + v) = Σ u + Σ v
    OUT_OF_SUM = "take out of the sum"  # Σ c u = c Σ u, Σ c = n c
    IDENTITIES = "identities"  # sin² + cos² = 1
    # Order and brackets: a lecturer does these silently while writing the next line, so a tidy rewrite joins the
    # line of whatever kind it stands next to and is a line of its own only between two phases.
    TIDY = "tidy up"  # u·2 = 2u, a + (b + c) = a + b + c, u·(-v) = -(u·v)


class StopReason(StrEnum):
    """Why a descent ended before the iterations asked for."""

    DIVERGED = "diverged"
    UNBOUNDED = "unbounded"
    NOT_FINITE = "not_finite"
    TOO_LONG = "too_long"
    NOT_RATIONAL = "not_rational"
