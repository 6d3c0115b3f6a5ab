"""The benchmark suite of issue 8: one table, each figure beside its SymPy (or plain Python) baseline from the same run.

    python benchmarks/run.py            # the full suite, a few minutes
    python benchmarks/run.py --quick    # a smoke run of seconds (tiny sizes, few repetitions): CI keeps it from rotting

Every time is the median of several repetitions, and the baselines are measured interleaved with what they are compared
with, so a busy machine slows both: read the ratios, not the absolute times. The scaling series build their trees
directly (benchmarks/series.py), because a chain 1,000 deep is deeper than the parser accepts (limits.MAX_DEPTH); the
recursion limit is raised for them, as the engine itself needs no recursion but SymPy and dataclass equality do.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from json_size import exponents, growth, whole_nodes  # noqa: E402
from json_size import measure as json_measure  # noqa: E402
from series import SERIES, X  # noqa: E402

from derivsteps.calculus.derivative import differentiate  # noqa: E402
from derivsteps.core import tree  # noqa: E402
from derivsteps.core.errors import DerivError  # noqa: E402
from derivsteps.core.tree import size  # noqa: E402

CORPUS = HERE.parent.parent / "shared" / "corpora" / "derivatives.jsonl"
CLI_INPUT = ["(x+y+z)^2", "--wrt", "y", "--steps", "--format", "text"]
SYMPY_ONE_SHOT = "import sympy; x, y, z = sympy.symbols('x y z'); print(sympy.diff(sympy.parse_expr('(x+y+z)**2'), y))"
TEXTBOOK = ["x^2 sin(x)", "(x+y+z)^2", "e^(3x) cos(2x)", "ln(x^2 + 1)/x", "sqrt(1 + x^2)", "(2x + 1)^5 tan(x)"]


class Table:
    """Rows of (section, what, ours, baseline, ratio, target, holds), printed as one Markdown table."""

    def __init__(self):
        self.rows: list[tuple[str, ...]] = []

    def add(self, section, what, ours="", baseline="", ratio="", target="", holds=""):
        self.rows.append((section, what, ours, baseline, ratio, target, holds))
        print(
            f"  [{section}] {what}: {ours} {('vs ' + baseline) if baseline else ''} {ratio}",
            file=sys.stderr,
            flush=True,
        )

    def markdown(self) -> str:
        head = ("section", "measurement", "derivsteps", "baseline", "ratio", "target", "holds")
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in self.rows]
        return "\n".join(lines)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else "yes" if ok else "**no**"


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def medians(repeat: int, works: dict) -> dict[str, float]:
    """Each work run `repeat` times, interleaved (a, b, c, a, b, c, ...) so that noise hits them alike; medians."""
    times: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(repeat):
        for name, work in works.items():
            times[name].append(timed(work))
    return {name: statistics.median(values) for name, values in times.items()}


# 1. Whole process --------------------------------------------------------------------------------------------------


# As a user's install runs: pip byte-compiles what it installs, while PYTHONDONTWRITEBYTECODE (set on some CI and
# sandbox machines) would make every start compile our modules from source again (about 35 ms, measured).
CLI_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def cli_section(table: Table, repeat: int) -> None:
    python = sys.executable
    run = lambda *args: lambda: subprocess.run([python, *args], check=True, stdout=subprocess.DEVNULL, env=CLI_ENV)  # noqa: E731
    deriv = [python, "-m", "derivsteps", *CLI_INPUT]
    for warm in (deriv + ["--no-verify"], deriv):  # the parser cache, and every module's bytecode
        subprocess.run(warm, check=True, stdout=subprocess.DEVNULL, env=CLI_ENV)
    imported = subprocess.run(
        [
            python,
            "-c",
            "import sys, derivsteps.cli as c; c.main(sys.argv[1:]); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sympy', 'rich'}), file=sys.stderr)",
            *CLI_INPUT,
            "--no-verify",
        ],
        check=True,
        capture_output=True,
        text=True,
        env=CLI_ENV,
    ).stderr.strip()
    times = medians(
        repeat,
        {
            "pass": run("-c", "pass"),
            "lark": run("-c", "import lark"),
            "sympy": run("-c", SYMPY_ONE_SHOT),
            "no-verify": run("-m", "derivsteps", *CLI_INPUT, "--no-verify"),
            "verified": run("-m", "derivsteps", *CLI_INPUT),
        },
    )
    table.add("1 CLI", "`python -c pass` (floor)", "", ms(times["pass"]))
    ratio = times["no-verify"] / times["lark"]
    table.add(
        "1 CLI",
        '`deriv "(x+y+z)^2" --wrt y --steps --no-verify --format text` vs `python -c "import lark"`',
        ms(times["no-verify"]),
        ms(times["lark"]),
        f"{ratio:.2f}×",
        "≤ 1.5×",
        verdict(ratio <= 1.5),
    )
    table.add(
        "1 CLI", "same, modules loaded of sympy/rich", imported or "[]", "", "", "neither", verdict(imported == "[]")
    )
    ratio = times["verified"] / times["sympy"]
    table.add(
        "1 CLI",
        'same, verified by SymPy vs one-shot `python -c "import sympy; ...diff...; print"`',
        ms(times["verified"]),
        ms(times["sympy"]),
        f"{ratio:.2f}×",
        "≤ 1.3×",
        verdict(ratio <= 1.3),
    )
    table.add(
        "1 CLI",
        "verified minus --no-verify (import sympy + check)",
        ms(times["verified"] - times["no-verify"]),
        ms(times["sympy"] - times["pass"]),
        "",
        "",
        "",
    )


# The README's lecture walk-through, each command verified (the default), as a student types it.
LOSS = "1/2 sum_i (s a_i + b - h_i)^2"
DATA = ["--data", "a=0,2,4", "--data", "h=30,40,50"]
SEED = "3a^2 + b^2 - ab + a"
LECTURE = [
    ["(x+y+z)^2", "--wrt", "y", "--steps"],
    ["grad", SEED],
    ["hessian", SEED],
    ["eval", SEED, "--at", "a=1,b=2"],
    ["critical", SEED],
    ["descend", SEED, "--from", "a=1,b=2", "--lr", "0.1"],
    ["implicit", "x^2 + y^2 = 25"],
    ["eval", LOSS, "--at", "s=1,b=0", *DATA],
    ["grad", LOSS, "--at", "s=1,b=0", *DATA],
    ["descend", LOSS, "--from", "s=1,b=0", "--lr", "0.01", *DATA],
    ["critical", LOSS, *DATA],
    ["check", "sin(x^2)", "--wrt", "x", "--answer", "cos(x^2)"],
]
# The one-shot SymPy script: import, parse, differentiate, print.
SYMPY_SCRIPT = "import sympy; e=sympy.parse_expr('(x+y+z)**2'); print(sympy.diff(e, sympy.Symbol('y')))"


def lecture_section(table: Table, repeat: int, quick: bool) -> None:
    """Each command of the lecture walk-through, whole process and verified, against the one-shot SymPy script."""
    python = sys.executable

    def run(*args):
        # check=False: `check` exits 1 for an incorrect answer, which is its answer, not a failure.
        return lambda: subprocess.run([python, *args], stdout=subprocess.DEVNULL, env=CLI_ENV)

    commands = LECTURE[:3] if quick else LECTURE
    works = {"sympy": run("-c", SYMPY_SCRIPT)}
    for command in commands:
        works[" ".join(command)] = run("-m", "derivsteps", *command, "--format", "text")
    for work in works.values():  # bytecode and the parser cache
        work()
    times = medians(repeat, works)
    worst = 0.0
    for command in commands:
        shown = " ".join(f'"{part}"' if " " in part or "^" in part else part for part in command)
        ratio = times[" ".join(command)] / times["sympy"]
        worst = max(worst, ratio)
        table.add(
            "1 CLI",
            f"lecture: `deriv {shown}` vs the one-shot SymPy script",
            ms(times[" ".join(command)]),
            ms(times["sympy"]),
            f"{ratio:.2f}×",
            "≤ 1.3×",
            verdict(ratio <= 1.3),
        )
    table.add(
        "1 CLI",
        f"lecture: the slowest of its {len(commands)} commands, verified",
        "",
        "",
        f"{worst:.2f}×",
        "≤ 1.3×",
        verdict(worst <= 1.3),
    )


def verification_section(table: Table, repeat: int) -> None:
    """In process, sympy already imported: what one verification adds (a forked worker, one final comparison)."""
    import sympy  # noqa: F401  (imported before timing: the target is "beyond the import")

    from derivsteps.cas.verification import verify

    derivations = [differentiate(text) if "y" not in text else differentiate(text, "y") for text in TEXTBOOK]
    verify(derivations[0])
    per = medians(repeat, {text: (lambda d=d: verify(d)) for text, d in zip(TEXTBOOK, derivations)})
    worst = max(per.values())
    table.add(
        "1 CLI",
        f"verification beyond the import, textbook inputs (worst of {len(TEXTBOOK)}, in process)",
        ms(worst),
        "",
        "",
        "≤ 50 ms",
        verdict(worst <= 0.050),
    )


# 2. In process over the corpus -------------------------------------------------------------------------------------


def textbook_section(table: Table, repeat: int) -> None:
    import sympy

    from derivsteps.cas.bridge import to_sympy
    from derivsteps.language.parser import parse
    from derivsteps.render.text import render_text

    worst = 0.0
    for text in TEXTBOOK:
        wrt = "y" if "y" in text else "x"
        expr = parse(text).expr
        body, var = to_sympy(expr), sympy.Symbol(wrt)

        def ours():
            tree._FACTS.clear()
            render_text(differentiate(expr, wrt))

        def cold():
            sympy.core.cache.clear_cache()
            sympy.diff(body, var)

        times = medians(repeat, {"ours": ours, "cold": cold})
        worst = max(worst, times["ours"] / times["cold"])
    table.add(
        "2 in process",
        f"textbook derivative, steps recorded + rendered as text vs sympy.diff cold (worst of {len(TEXTBOOK)})",
        "",
        "",
        f"{worst:.3f}×",
        "≤ 0.04× (1/25)",
        verdict(worst <= 1 / 25),
    )


def corpus_section(table: Table, limit: int | None) -> None:
    import sympy

    from derivsteps.cas.bridge import to_sympy
    from derivsteps.language.parser import parse

    if not CORPUS.exists():
        table.add(
            "2 in process",
            f"differentiate() over the derivative corpus: not measured, {CORPUS.name} is not beside the clone",
        )
        return
    lines = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    cases, skipped = [], 0
    for case in lines[:limit]:
        try:
            expr = parse(case["expr"]).expr
            derivation = differentiate(expr, case["wrt"])
        except DerivError:
            skipped += 1
            continue
        if any(step.rule == "cas_fallback" for step in derivation.steps):
            skipped += 1  # SymPy did that part: timing it would time SymPy
            continue
        cases.append((expr, case["wrt"], to_sympy(expr), sympy.Symbol(case["wrt"])))
    ours = cold = warm = 0.0
    for expr, wrt, body, var in cases:  # one case at a time, each against its own baselines
        tree._FACTS.clear()
        ours += timed(lambda: differentiate(expr, wrt))
        sympy.core.cache.clear_cache()
        cold += timed(lambda: sympy.diff(body, var))
        warm += timed(lambda: sympy.diff(body, var))  # the same expression again: the cache is warm now
    what = f"differentiate() with steps over {len(cases)} corpus cases ({skipped} skipped: refused or CAS fallback)"
    table.add(
        "2 in process",
        what + " vs sympy.diff cold",
        ms(ours),
        ms(cold),
        f"{ours / cold:.3f}×",
        "≤ 0.1×",
        verdict(ours <= 0.1 * cold),
    )
    table.add(
        "2 in process", "same vs sympy.diff warm (cache not cleared)", ms(ours), ms(warm), f"{ours / warm:.2f}×", "", ""
    )


# 3 and 4. Scaling and rendering ------------------------------------------------------------------------------------

STEP_TARGETS = {"sum": 0.010, "chain": 0.010, "random": 0.010, "power": 0.050, "product": 0.250}
GROWTH_TARGETS = {"sum": 1.2, "random": 1.2, "chain": 1.7, "power": 1.7, "product": 2.1}
RENDER_GROWTH_TARGETS = {"sum": 1.3, "random": 1.3, "chain": 2.0, "power": 2.0, "product": 2.0}
SYMPY_GIVE_UP = 5.0  # seconds: a larger n is not tried once sympy.diff took this long


def scaling_section(table: Table, sizes: list[int], repeat: int, budget: float = 60.0) -> None:
    import sympy

    from derivsteps.cas.bridge import to_sympy
    from derivsteps.core import limits
    from derivsteps.render.jsondoc import to_json
    from derivsteps.render.latex import render_latex
    from derivsteps.render.text import render_text

    # The series go past the documented limits on purpose (a chain 1,000 deep, a product whose result has millions of
    # nodes): the library's limits are raised for this process, as --max-depth, --max-nodes and --max-steps would.
    limits.MAX_DEPTH = max(limits.MAX_DEPTH, 10 * sizes[-1])
    limits.MAX_STEPS = max(limits.MAX_STEPS, 10**7)
    if hasattr(limits, "MAX_EXPRESSION_NODES"):
        limits.MAX_EXPRESSION_NODES = max(limits.MAX_EXPRESSION_NODES, 10**8)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 50_000))  # SymPy, dataclass equality and the printers recurse
    for name, build in SERIES.items():
        times, rendered, sympy_times = [], [], {}
        largest = None
        sympy_failed = ""
        text_seconds = 0.0
        for n in sizes:
            # differentiating and printing the text once each, both growing about quadratically at worst
            if times and (times[-1][1] + text_seconds) * (n / times[-1][0]) ** 2 > budget:
                table.add(
                    "3 scaling",
                    f"{name}, n = {n}: not run",
                    f"at {times[-1][1] + text_seconds:.1f} s for n = {times[-1][0]} "
                    f"(derivation and text), quadratic growth would pass the suite's budget of {budget:.0f} s per size",
                )
                break
            expr = build(n)

            def ours():
                tree._FACTS.clear()
                return differentiate(expr, X)

            first = time.perf_counter()
            derivation = ours()
            first = time.perf_counter() - first
            spent = statistics.median([first] + [timed(ours) for _ in range(repeat - 1 if first < budget / 10 else 0)])
            times.append((n, spent))
            text_seconds = time.perf_counter()
            text = render_text(derivation)
            text_seconds = time.perf_counter() - text_seconds
            rendered.append((n, len(text)))
            largest = (n, derivation, spent)
            if (
                not sympy_failed
                and sympy_times
                and max(sympy_times.values()) * (n / max(sympy_times)) ** 2 > 4 * SYMPY_GIVE_UP
            ):
                sympy_failed = f"not tried at n = {n}: {ms(max(sympy_times.values()))} at n = {max(sympy_times)}, quadratic growth passes {4 * SYMPY_GIVE_UP:.0f} s"
            if not sympy_failed:
                try:
                    body = to_sympy(expr)
                    sympy.core.cache.clear_cache()
                    sympy_times[n] = timed(lambda: sympy.diff(body, sympy.Symbol("x")))
                    if sympy_times[n] > SYMPY_GIVE_UP:
                        sympy_failed = f"over {SYMPY_GIVE_UP:.0f} s at n = {n}, larger n not tried"
                except RecursionError:
                    sympy_failed = f"RecursionError at n = {n}"
            ratio = f"{spent / sympy_times[n]:.3f}×" if n in sympy_times else "SymPy failed"
            table.add(
                "3 scaling",
                f"{name}, n = {n}: {len(derivation.steps)} steps, result {size(derivation.result):,} nodes, "
                f"text {len(text):,} chars",
                ms(spent),
                ms(sympy_times[n]) if n in sympy_times else "—",
                ratio,
            )
        n, derivation, spent = largest
        target = STEP_TARGETS[name]
        table.add(
            "3 scaling",
            f"{name}: steps recorded at n = {n}",
            ms(spent),
            "",
            "",
            f"≤ {ms(target)} at n = 1000",
            verdict(spent <= target) if n >= 1000 else "n/a (n < 1000)",
        )
        fit = [(k, t) for k, t in times if k >= min(100, sizes[-1])] or times
        exponent = growth(fit)
        table.add(
            "3 scaling",
            f"{name}: growth exponent of time (n ≥ {fit[0][0]})",
            f"{exponent:.2f}" if exponent else "—",
            "",
            "",
            f"≤ {GROWTH_TARGETS[name]}",
            verdict(exponent <= GROWTH_TARGETS[name]) if exponent and len(fit) > 2 else "n/a",
        )
        if sympy_failed:
            table.add("3 scaling", f"{name}: sympy.diff", "", sympy_failed)
        fit = [(k, t) for k, t in rendered if k >= min(100, sizes[-1])] or rendered
        exponent = growth(fit)
        table.add(
            "4 rendering",
            f"{name}: growth exponent of the text's length (n ≥ {fit[0][0]})",
            f"{exponent:.2f}" if exponent else "—",
            "",
            "",
            f"≤ {RENDER_GROWTH_TARGETS[name]}",
            verdict(exponent <= RENDER_GROWTH_TARGETS[name]) if exponent and len(fit) > 2 else "n/a",
        )
        shown = whole_nodes(derivation)
        for fmt, render in (
            ("text", render_text),
            ("LaTeX", render_latex),
            ("JSON", lambda d: json.dumps(to_json(d, with_sympy=False))),
        ):
            if fmt == "LaTeX" and len(text) > TEXT_BUDGET:
                table.add(
                    "4 rendering",
                    f"{name}, n = {n}: LaTeX not rendered: the text is {len(text):,} chars, over the "
                    f"suite's budget of {TEXT_BUDGET:,} (LaTeX is about 2.5 times the text)",
                )
                continue
            if fmt == "JSON" and shown > JSON_NODE_BUDGET:
                table.add(
                    "4 rendering",
                    f"{name}, n = {n}: JSON not rendered: its steps hold {shown:,} nodes in full "
                    f"(JSON keeps every value whole; over the suite's budget of {JSON_NODE_BUDGET:,})",
                )
                continue
            if fmt == "text":  # printed once already, in the series above: the text of the largest size
                table.add("4 rendering", f"{name}, n = {n}: text, {len(text):,} chars", ms(text_seconds))
                continue
            start = time.perf_counter()
            out = render(derivation)
            spent = time.perf_counter() - start
            table.add("4 rendering", f"{name}, n = {n}: {fmt}, {len(out):,} chars", ms(spent))


JSON_NODE_BUDGET = 5_000_000
TEXT_BUDGET = 10_000_000


def json_changes_section(table: Table, sizes: list[int]) -> None:
    """Issue 16, target 4: the derivation document of schema 2 (--json-steps changes) grows with what the steps
    change, not lines × expression size (benchmarks/json_size.py), without the "sympy" strings as above."""
    for name in ("random", "sum"):
        rows = json_measure(name, sizes, whole=False)
        for row in rows:
            table.add(
                "4 rendering",
                f"{name}, n = {row.n}: JSON schema 2, {row.changes_chars:,} chars",
                ms(row.changes_seconds),
            )
        fit = exponents(rows)["changes_chars"]
        table.add(
            "4 rendering",
            f"{name}: growth exponent of JSON schema 2's length (n ≥ {min(100, sizes[-1])})",
            f"{fit:.2f}" if fit else "—",
            "",
            "",
            "≤ 1.3",
            verdict(fit <= 1.3) if fit and len(rows) > 2 else "n/a",
        )
        largest = rows[-1]
        table.add(
            "4 rendering",
            f"{name}: JSON schema 2 at n = {largest.n}, built and written",
            ms(largest.changes_seconds),
            "",
            "",
            "≤ 1 s at n = 1000",
            verdict(largest.changes_seconds <= 1.0) if largest.n >= 1000 else "n/a (n < 1000)",
        )


# 5. Grading ---------------------------------------------------------------------------------------------------------


GRADING_TARGET = 200  # answers/s per core on the answer corpus (issue 16; issue 8's was 50)


def grading_section(table: Table, quick: bool) -> None:
    """benchmarks/grade_bench.py (another helper's: deriv grade on a generated class), its answers/s per mode."""
    bench = HERE / "grade_bench.py"
    if not bench.exists():
        table.add(
            "5 grading",
            "answers/s with --jobs 1 and --jobs 2",
            "not measured: grade not yet available",
            "",
            "",
            "≥ 200/s per core",
        )
        return
    corpus = CORPUS.with_name("answer_checks.jsonl")
    args = [sys.executable, str(bench)] + (
        ["--copies", "1", "--jobs", "1", "--no-in-process"] if quick else ["--no-in-process"]
    )
    if not quick and corpus.exists():
        args.append("--corpus")  # the measure: the answer corpus, --jobs 1 and 2
    done = subprocess.run(args, capture_output=True, text=True, timeout=600)
    lines = done.stdout.splitlines()
    if done.returncode != 0 or not any(line.startswith("mode") for line in lines):
        table.add("5 grading", "grade_bench.py failed", (done.stderr.strip().splitlines() or ["no output"])[-1][:120])
        return
    answers = lines[0].split(" (")[0]
    rates: dict[int, float] = {}
    for line in lines[next(i for i, line in enumerate(lines) if line.startswith("mode")) + 1 :]:
        mode, _, rest = line.partition("  ")
        fields = rest.split()
        if len(fields) < 2:
            continue
        rate = float(fields[1])
        jobs = int(mode.split()[1]) if mode.startswith("--jobs") else 0
        rates[jobs] = rate
        per_core = rate / max(jobs, 1)
        ratio = f"{rate / rates[1]:.2f}× --jobs 1" if jobs > 1 and 1 in rates else ""
        table.add(
            "5 grading",
            f"grade_bench.py, {answers}: {mode.strip()} ({' '.join(fields[2:])})",
            f"{rate:.1f} answers/s",
            "",
            ratio,
            f"≥ {GRADING_TARGET}/s per core" + (", ≈ linear in --jobs" if jobs > 1 else ""),
            verdict(per_core >= GRADING_TARGET) if jobs else "",
        )


# 6. Data ------------------------------------------------------------------------------------------------------------


def data_section(table: Table, rows: list[int], repeat: int) -> None:
    import data_bench

    from derivsteps import gradient

    grad = gradient(data_bench.LOSS, ("s", "b"))
    for count in rows:
        cells = data_bench.measure(count, repeat, grad)
        for what in ("loss", "gradient", "closed form"):
            spent = cells.get(what)
            table.add(
                "6 data",
                f"{what} on {count:,} rows (best of {repeat}, load included)",
                "—" if spent is None else ms(spent),
                "",
                "",
                "≤ 1 s" if count >= 100_000 else "",
                verdict(spent <= 1.0) if count >= 100_000 and spent is not None else "",
            )


# 7. deriv serve under load ------------------------------------------------------------------------------------------


def web_section(table: Table, quick: bool) -> None:
    """benchmarks/load_test.py (loopback, bounded, stops by itself): its checks, each a row of the table."""
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        table.add(
            "7 web", "deriv serve under load: not measured, the web extra is not installed (pip install '.[web]')"
        )
        return
    done = subprocess.run(
        [sys.executable, str(HERE / "load_test.py"), "--json", *(["--quick"] if quick else [])],
        capture_output=True,
        text=True,
        timeout=600,
        env=CLI_ENV,
    )
    if done.returncode != 0:
        table.add("7 web", f"deriv serve under load: load_test.py failed: {done.stderr.strip().splitlines()[-1:]}")
        return
    report = json.loads(done.stdout[done.stdout.index("\n{") :])
    for row in report["rows"]:
        table.add(
            "7 web",
            f"{row['workload']}, {row['clients']} clients: answers/s, p50, p99 ({row['failed']} failed)",
            f"{row['rate']}/s, {row['p50_ms']} ms, {row['p99_ms']} ms",
        )
    for check in report["checks"]:
        table.add("7 web", check["check"], check["measured"], "", "", check["target"], verdict(check["holds"]))


def machine() -> str:
    try:
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
    except OSError:
        cpu = ""
    return f"{platform.python_implementation()} {platform.python_version()}, {platform.system()} {platform.machine()}, {os.cpu_count()} cores {cpu}".strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes and few repetitions: a smoke run of seconds")
    args = parser.parse_args(argv)
    quick = args.quick
    table = Table()
    started = time.perf_counter()
    cli_section(table, 2 if quick else 11)
    lecture_section(table, 1 if quick else 7, quick)
    verification_section(table, 1 if quick else 5)
    textbook_section(table, 3 if quick else 21)
    corpus_section(table, 20 if quick else None)
    scaling_section(table, [10, 30] if quick else [10, 30, 100, 300, 1000], 1 if quick else 3)
    json_changes_section(table, [10, 30] if quick else [100, 300, 1000])
    grading_section(table, quick)
    data_section(table, [1_000] if quick else [1_000, 100_000], 1 if quick else 3)
    web_section(table, quick)
    print(
        f"derivsteps benchmarks{' (--quick)' if quick else ''}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {machine()}"
    )
    print(
        f"(ratios are derivsteps / baseline from the same run; times are medians; suite took {time.perf_counter() - started:.0f} s)\n"
    )
    print(table.markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
