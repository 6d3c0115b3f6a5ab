"""The named resource limits: every limit the README documents is defined here, and nowhere else.

Code reads them as `limits.NAME` when it runs, never as a copied constant, so `override` (and the --max-... flags of
the command line, see FLAGS) can change one for a single run.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

# Counted on the raw input string, before any normalisation.
MAX_INPUT_LENGTH = 10_000

# Nodes on the longest root-to-leaf path. SymPy itself fails to differentiate a construction nested
# about 140 deep, so a deeper input could not be verified; dataclass equality also recurses.
MAX_DEPTH = 100

# Rewrites in one derivation (differentiation and simplification together).
MAX_STEPS = 20_000

# Nodes of the expression a derivation is working on. The product rule on n factors writes n^2 of them (a product of
# 400 sines: 160,000 nodes in about 3 s), and every renderer and SymPy after it pays for each node again.
MAX_EXPRESSION_NODES = 50_000

# Variables in one --wrt list, the order of the derivative (--wrt x,x,x is the third derivative). Each pass
# differentiates the whole previous result, which grows with every pass; a lecture goes to the second or third.
MAX_DERIVATIVE_ORDER = 20

# Constant folding refuses to build an integer with more digits than this (no 2^2^2^2^2^2 bombs).
MAX_INTEGER_DIGITS = 2_000

# Seconds one SymPy call (verification, equivalence, simplification, solving) may take before we say "could not
# verify" / "inconclusive"; the call runs in a worker process and is stopped at the deadline (cas/workers.py).
CAS_SECONDS = 5.0

# Memory one such worker may take beyond what the parent process already uses, in MiB.
CAS_MEMORY_MB = 500

# Iterations of one gradient descent (deriv descend --iters). Each exact iteration is a few engine simplifications
# (0.2 to 2 ms for a small quadratic, measured), so the limit keeps a run to seconds; exact numbers usually outgrow
# descent.EXACT_DIGITS long before it, and a longer run belongs to a numerical library, not a worked example.
MAX_DESCENT_ITERATIONS = 10_000

# Rows of one data set (--data). A sum over 100,000 rows takes about 0.03 s (integer arithmetic, see
# benchmarks/data_bench.py), so a million keeps every command to about a second; a bigger data set belongs to NumPy.
MAX_DATA_ROWS = 1_000_000

# Columns of one data set: each is a variable of the expression, and no lecture's loss has more than a few.
MAX_DATA_COLUMNS = 100

# Characters of one value in a data set, and the largest power of ten it may carry (1e5000 would be a 5,000-digit
# integer before anything is summed).
MAX_DATA_VALUE_LENGTH = 100
MAX_DATA_EXPONENT = 100

# Integer exponent in a body summed over the data: a_i^100000 on 100,000 rows would build enormous integers.
MAX_DATA_POWER = 1_000

# Rows of one class file (deriv grade). A row takes 1 to 300 ms (benchmarks/grade_bench.py), so this is at most a few
# hours of grading; a bigger file is better split, and each id must be kept in memory for --resume anyway.
MAX_GRADE_ROWS = 100_000

# Seconds one row of deriv grade may take in its worker process before the worker is killed and the row gets the
# verdict "limit". Each SymPy call of a row already stops at CAS_SECONDS; this also catches the rest (a diagnosis
# replays up to a dozen derivations), and it is generous because killing the worker also loses its warm caches.
GRADE_ROW_SECONDS = 60.0

# Bytes of one request body to `deriv serve` (its HTTP API): a larger one is refused with 413 before it is read. A
# class file of 10,000 answers is about 250 kB; every expression in a request is still held to MAX_INPUT_LENGTH.
MAX_REQUEST_BYTES = 1_000_000

# Seconds the whole work of one request to `deriv serve` may take in its worker process (the engine, and every SymPy
# call, each of which already stops at CAS_SECONDS) before the worker is killed and replaced and the request answered
# 422. It keeps one request from holding a worker, and so a share of the server, for long.
REQUEST_SECONDS = 30.0

# The command-line flag that raises each limit for one run; cli.py adds them to every command. The others are fixed
# for the command line (raise them from Python by assigning derivsteps.core.limits.NAME, or with override).
FLAGS = {
    "MAX_INPUT_LENGTH": "--max-length",
    "MAX_DEPTH": "--max-depth",
    "MAX_INTEGER_DIGITS": "--max-digits",
    "MAX_STEPS": "--max-steps",
    "MAX_EXPRESSION_NODES": "--max-nodes",
    "MAX_DESCENT_ITERATIONS": "--max-iterations",
    "MAX_DATA_ROWS": "--max-rows",
    "CAS_SECONDS": "--cas-seconds",
    "CAS_MEMORY_MB": "--cas-memory",
}

# The most a flag may ask for. Nesting is bounded by Python's own stack (lark and the renderers recurse), digits by
# the cost of arithmetic on such integers, the rest by memory; past these a run would crash or take hours.
CEILINGS = {
    "MAX_INPUT_LENGTH": 1_000_000,
    "MAX_DEPTH": 200,
    "MAX_INTEGER_DIGITS": 100_000,
    "MAX_STEPS": 10_000_000,
    "MAX_EXPRESSION_NODES": 10_000_000,
    "MAX_DESCENT_ITERATIONS": 10_000_000,
    "MAX_DATA_ROWS": 100_000_000,
    "CAS_SECONDS": 3_600,
    "CAS_MEMORY_MB": 64_000,
}


def named(name: str) -> str:
    """How a LimitError message names a limit and says how to raise it: "limits.MAX_DEPTH; raise it with --max-depth"."""
    return f"limits.{name}; {how_to_raise(name)}"


def how_to_raise(name: str) -> str:
    """ "raise it with --max-depth", or for a limit without a flag, how to raise it from Python."""
    if name in FLAGS:
        return f"raise it with {FLAGS[name]}"
    return f"raise it from Python with derivsteps.core.limits.override({name}=...)"


@contextmanager
def override(**values: float) -> Iterator[None]:
    """Set some limits for the duration of a with block (one command-line run), and put the old values back after."""
    module = globals()
    unknown = sorted(name for name in values if not name.isupper() or name not in module)
    if unknown:
        raise ValueError(f"no such limit: {', '.join(unknown)}")
    saved = {name: module[name] for name in values}
    # Python refuses to print an integer of more than 4,300 digits; a numeral of MAX_INTEGER_DIGITS times a power of
    # one (the exact arithmetic of deriv eval) may reach twice that.
    str_digits = sys.get_int_max_str_digits()
    module.update(values)
    if str_digits and "MAX_INTEGER_DIGITS" in values:
        sys.set_int_max_str_digits(max(str_digits, 2 * int(values["MAX_INTEGER_DIGITS"]) + 100))
    try:
        yield
    finally:
        module.update(saved)
        sys.set_int_max_str_digits(str_digits)
