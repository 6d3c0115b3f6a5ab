"""Step and Derivation: the record of a worked derivative, pure data and its invariants."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .tree import Expr, Path, Var


@dataclass(frozen=True, slots=True, eq=False)
class Rewrite:
    """One rule applied at one place: `path` points into the step's `before`, `new_paths` at the result in `after`."""

    rule: str
    path: Path
    bindings: Mapping[str, Expr]
    new_paths: tuple[Path, ...]
    group: str = ""  # rewrites with the same group at sibling places share a line (constant and variable: "leaf")


@dataclass(frozen=True, slots=True, eq=False)
class Step:
    """One line of a derivation: one or more rewrites (siblings under the same rule) from `before` to `after`."""

    rewrites: tuple[Rewrite, ...]
    before: Expr
    after: Expr
    phase: str  # "diff", "simplify" or "cas"

    @property
    def rule(self) -> str:
        """The rule of the first rewrite; a line that groups several rules names them all in `rules`."""
        return self.rewrites[0].rule

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.rule for r in self.rewrites))

    @property
    def paths(self) -> tuple[Path, ...]:
        return tuple(r.path for r in self.rewrites)

    @property
    def new_paths(self) -> tuple[Path, ...]:
        return tuple(p for r in self.rewrites for p in r.new_paths)


@dataclass(frozen=True, slots=True)
class Verification:
    """What SymPy said about the result: verified True/False/None (could not decide), and which method decided."""

    verified: bool | None
    method: str | None  # "symbolic", "numeric" or None
    reason: str = ""
    expected: Expr | None = None


DETAILS = ("brief", "normal", "full")


@dataclass(frozen=True, slots=True, eq=False)
class Derivation:
    """A worked derivative: what was typed, how it was read, the variables, every step, and the verdict of the check."""

    input: str | None
    expr: Expr  # the expression as read (without the pending derivative around it)
    wrt: tuple[Var, ...]
    start: Expr  # the pending derivative the steps start from
    steps: tuple[Step, ...]  # one rewrite per step: the full record
    warnings: tuple[str, ...] = ()
    detail: str = "normal"
    verification: Verification | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def result(self) -> Expr:
        """The last step's expression: computed from the steps, never separately."""
        return self.steps[-1].after if self.steps else self.start

    def lines(self, detail: str | None = None) -> tuple[Step, ...]:
        """The steps grouped the way a lecture writes them (see group_lines)."""
        return group_lines(self.steps, detail or self.detail)

    def with_verification(self, verification: Verification) -> Derivation:
        return Derivation(self.input, self.expr, self.wrt, self.start, self.steps, self.warnings, self.detail, verification, self.notes)

    # Display protocols: a notebook cell or print() shows the derivation.
    def __str__(self) -> str:
        from .render.text import render_text

        return render_text(self)

    def _repr_latex_(self) -> str:
        from .render.latex import render_latex

        return render_latex(self)

    def _repr_markdown_(self) -> str:
        from .render.markdown import render_markdown

        return render_markdown(self)

    def __rich__(self):
        from .render.terminal import DerivationView

        return DerivationView(self)


def group_lines(steps: tuple[Step, ...], detail: str) -> tuple[Step, ...]:
    """Merge one-rewrite steps into the lines of a lecture.

    full: one rewrite per line. normal: sibling rewrites of the same group share a line ((0 + 1 + 0) in one go),
    and a run of simplification steps is one "simplify" line. brief: only the lines where a calculus rule fired,
    each carrying the simplification that followed it.
    """
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {', '.join(DETAILS)}")
    if detail == "full":
        return tuple(steps)
    lines: list[Step] = []
    for step in steps:
        if lines and _joins(lines[-1], step, detail):
            last = lines[-1]
            lines[-1] = Step(last.rewrites + step.rewrites, last.before, step.after, last.phase)
        else:
            lines.append(step)
    return tuple(lines)


def _joins(line: Step, step: Step, detail: str) -> bool:
    if step.phase == "simplify":
        return line.phase == "simplify" or detail == "brief"
    if step.phase != "diff" or line.phase != "diff":
        return False
    first, new = line.rewrites[0], step.rewrites[0]
    siblings = len(first.path) == len(new.path) and first.path[:-1] == new.path[:-1] and new.path[-1] > line.rewrites[-1].path[-1]
    unspliced = all(r.new_paths == (r.path,) for r in line.rewrites + step.rewrites)
    return bool(first.path) and siblings and unspliced and new.group == first.group
