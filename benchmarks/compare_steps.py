"""Check that engine changes keep every derivation identical step for step: rule, paths, bindings, every expression.

    python benchmarks/compare_steps.py save REF.json     # record the current engine's derivations
    python benchmarks/compare_steps.py check REF.json    # compare the current engine with the record

The cases are every line of ../shared/corpora/derivatives.jsonl (parse refusals are recorded as such), the textbook
inputs of run.py, and the scaling series at small n. Expressions are stored as digests of their repr (the whole tree,
exact); the rendered text of the textbook cases is stored whole.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from series import SERIES, X  # noqa: E402

from derivsteps.calculus.derivative import differentiate  # noqa: E402
from derivsteps.core.errors import DerivError  # noqa: E402
from derivsteps.language.parser import parse  # noqa: E402

CORPUS = HERE.parent.parent / "shared" / "corpora" / "derivatives.jsonl"
TEXTBOOK = ["x^2 sin(x)", "(x+y+z)^2", "e^(3x) cos(2x)", "ln(x^2 + 1)/x", "sqrt(1 + x^2)", "(2x + 1)^5 tan(x)"]
SERIES_SIZES = (1, 2, 3, 5, 10, 20, 30)


def digest(value) -> str:
    return hashlib.sha1(repr(value).encode()).hexdigest()[:16]


def record(derivation) -> list:
    steps = []
    for step in derivation.steps:
        rewrites = [
            [r.rule, list(r.path), [list(p) for p in r.new_paths], r.group, r.phase, digest(sorted(r.bindings.items()))]
            for r in step.rewrites
        ]
        steps.append([rewrites, step.phase, step.continues, digest(step.before), digest(step.after)])
    return [digest(derivation.start), steps]


def cases():
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            case = json.loads(line)
            yield case["id"], case["expr"], case["wrt"]
    for text in TEXTBOOK:
        yield f"textbook:{text}", text, "y" if "y" in text else "x"


def run() -> dict:
    from derivsteps.render.text import render_text

    out = {}
    for name, text, wrt in cases():
        try:
            derivation = differentiate(parse(text).expr, wrt)
        except DerivError as error:
            out[name] = ["refused", type(error).__name__, str(error)]
            continue
        out[name] = record(derivation)
        if name.startswith("textbook:"):
            out[name + ":text"] = render_text(derivation)
    sys.setrecursionlimit(20_000)
    for series, build in SERIES.items():
        for n in SERIES_SIZES:
            out[f"series:{series}:{n}"] = record(differentiate(build(n), X))
    return out


def main(argv: list[str]) -> int:
    action, where = argv
    current = run()
    if action == "save":
        Path(where).write_text(json.dumps(current), encoding="utf-8")
        print(f"saved {len(current)} cases to {where}")
        return 0
    reference = json.loads(Path(where).read_text(encoding="utf-8"))
    current = json.loads(json.dumps(current))  # tuples as lists, as in the file
    differ = [name for name in reference if reference[name] != current.get(name)]
    extra = [name for name in current if name not in reference]
    for name in differ[:20]:
        print(f"differs: {name}")
    print(f"{len(reference) - len(differ)} of {len(reference)} cases identical; {len(differ)} differ; {len(extra)} new")
    return 1 if differ or extra else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
