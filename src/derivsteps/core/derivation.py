"""Step and Derivation: the record of a worked derivative, pure data and its invariants."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .domain import Condition, conditions
from .rules import Rule, describe
from .tree import Expr, Path, Var, shift
from .vocabulary import Detail, Phase, SimplifyKind


@dataclass(frozen=True, slots=True, eq=False)
class Rewrite:
    """One rule applied at one place: `path` points into the step's `before`, `new_paths` at the result in `after`."""

    rule: str
    path: Path
    bindings: Mapping[str, Expr]
    new_paths: tuple[Path, ...]
    # The engine applies rules of one group at several places in one line (constant and variable: "leaf").
    group: str = ""
    phase: Phase = Phase.DIFFERENTIATE

    @property
    def kind(self) -> SimplifyKind | str:
        """What sort of simplification this is: its rule's kind (multiply out, cancel, ...), or for a rule that names
        none (a step kind, an unknown name) the rule's own name, so it groups only with itself."""
        rule = describe(self.rule)
        return rule.kind if isinstance(rule, Rule) and rule.kind is not None else self.rule


@dataclass(frozen=True, slots=True, eq=False)
class Step:
    """One line of a derivation: one or more rewrites from `before` to `after`.

    The engine records one rewrite per step; `continues` marks a rewrite that applies the same rule at another place
    of the same line, so group_lines can merge it into the line before.
    """

    rewrites: tuple[Rewrite, ...]
    before: Expr
    after: Expr
    phase: Phase
    continues: bool = False

    @property
    def rule(self) -> str:
        """The rule of the first rewrite; a line that groups several rules names them all in `rules`."""
        return self.rewrites[0].rule

    @property
    def rules(self) -> tuple[str, ...]:
        """Every rule the line used, once each, in order."""
        return tuple(dict.fromkeys(r.rule for r in self.rewrites))

    @property
    def paths(self) -> tuple[Path, ...]:
        """Where the rules applied, as paths into `before` (later rewrites mapped back through earlier splices)."""
        if self._merged_simplification():
            return (_common_prefix([r.path for r in self.rewrites]),)
        paths: list[Path] = []
        splices: list[Rewrite] = []  # only a splice moves a later path: a line of 1,000 plain rewrites has none
        for rewrite in self.rewrites:
            path = rewrite.path
            for earlier in reversed(splices):
                path = _shift(path, earlier, -1)
            paths.append(path)
            if len(rewrite.new_paths) > 1:
                splices.append(rewrite)
        return tuple(paths)

    @property
    def new_paths(self) -> tuple[Path, ...]:
        """Where the line put something new in `after`, outermost only: what a renderer highlights.

        Each rewrite's new paths point into its own step's expression; later rewrites of the same line may replace
        them (then their own new paths cover the place) or shift them (a splice), so every mark is carried forward.
        """
        marks: list[Path] = []
        for rewrite in self.rewrites:
            # A rewrite that marks its own place and joins nothing into its parent moves no other mark, and the marks
            # it replaces lie under the one it adds, which the outermost filter below drops: nothing to carry. A line
            # of a thousand such rewrites (the sum rule's terms) would otherwise carry every mark a thousand times.
            if len(rewrite.new_paths) > 1 or rewrite.path not in rewrite.new_paths:
                # Only the marks under the splice's parent (or under the replaced place) can move or go.
                scope = rewrite.new_paths[0][:-1] if len(rewrite.new_paths) > 1 else rewrite.path
                depth = len(scope)
                carried = (_carry(mark, rewrite) if mark[:depth] == scope else mark for mark in marks)
                marks = [mark for mark in carried if mark is not None]
            marks += rewrite.new_paths
        unique = set(marks)
        outermost = (m for m in dict.fromkeys(marks) if not any(m[:k] in unique for k in range(len(m))))
        return tuple(outermost)

    @property
    def kind(self) -> SimplifyKind | str | None:
        """The one kind of a simplification line, what its label says (see group_lines): tidying joins any kind, so a
        line of tidying alone is TIDY; None for a line of no simplification, or of several kinds (--detail brief)."""
        if not any(r.phase == Phase.SIMPLIFY for r in self.rewrites):
            return None
        kinds = {r.kind for r in self.rewrites if r.phase == Phase.SIMPLIFY} - {SimplifyKind.TIDY}
        if self.phase != Phase.SIMPLIFY or len(kinds) > 1:
            return None
        return kinds.pop() if kinds else SimplifyKind.TIDY

    def _merged_simplification(self) -> bool:
        # Simplification rewrites change structure freely, so only the region they share can be pointed at.
        return len(self.rewrites) > 1 and any(r.phase == "simplify" for r in self.rewrites)


def _shift(path: Path, rewrite: Rewrite, direction: int) -> Path:
    """Map a path across a rewrite that joined k parts into its parent (a splice): later siblings move by k - 1."""
    if len(rewrite.new_paths) <= 1:
        return path
    parent, start, count = rewrite.new_paths[0][:-1], rewrite.new_paths[0][-1], len(rewrite.new_paths)
    if direction > 0:
        return shift(path, parent, start, count - 1)
    return shift(path, parent, start + count - 1, 1 - count)  # back: the siblings after the last part


def _carry(mark: Path, rewrite: Rewrite) -> Path | None:
    """Where mark stands after rewrite; None when the rewrite replaced it."""
    if mark[: len(rewrite.path)] == rewrite.path:
        return None
    return _shift(mark, rewrite, +1)


def _common_prefix(paths: list[Path]) -> Path:
    prefix = paths[0]
    for path in paths[1:]:
        length = 0
        while length < min(len(prefix), len(path)) and prefix[length] == path[length]:
            length += 1
        prefix = prefix[:length]
    return prefix


@dataclass(frozen=True, slots=True)
class Verification:
    """What SymPy said about the result: verified True/False/None (could not decide), and which method decided."""

    verified: bool | None
    method: str | None  # "symbolic", "numeric" (SymPy), "evaluator" (our own, where SymPy gave up) or None
    reason: str = ""
    expected: Expr | None = None
    notes: tuple[str, ...] = ()  # what the equivalence service said besides (compared as complex numbers …)

    @property
    def how(self) -> str:
        """How a verified result was checked, as the ✓ line says it: symbolic, or numeric at random points (and how)."""
        return how_all((self,))


def how_all(checks: Sequence[Verification]) -> str:
    """How verified parts were checked, in one phrase with every note once: symbolic, numeric, at random points, or
    symbolic and numeric (SymPy's numeric layer and our own evaluator are both "at random points")."""
    methods = {"numeric" if check.method == "evaluator" else check.method for check in checks}
    if methods == {"symbolic"}:
        base = "symbolic"
    else:
        base = "numeric, at random points" if methods == {"numeric"} else "symbolic and numeric, at random points"
    return "; ".join((base, *dict.fromkeys(note for check in checks for note in check.notes)))


def combined(checks: Sequence[Verification | None]) -> Verification | None:
    """One verdict on a result of several parts (a gradient, a Hessian, a critical-point system): None when a part
    was not checked; else the first part that disagrees, the first undecided one, or verified: symbolic when every
    part was, else numeric with every part's notes."""
    if not checks or any(check is None for check in checks):
        return None
    done = [check for check in checks if check is not None]
    for verdict in (False, None):
        if any(check.verified is verdict for check in done):
            return next(check for check in done if check.verified is verdict)
    if all(check.method == "symbolic" for check in done):
        return Verification(True, "symbolic")
    return Verification(True, "numeric", notes=tuple(dict.fromkeys(note for c in done for note in c.notes)))


DETAILS: tuple[Detail, ...] = tuple(Detail)


class Displayed:
    """print(), a notebook cell and rich show a result through the layout registered for its type (render/layouts.py).

    The layouts sit above the data in the layers, so the registry is imported when a result is first shown, never at
    import time: the one import of render/ that the core makes.
    """

    __slots__ = ()

    def _shown(self, how: str) -> Any:
        from ..render.layouts import display

        return display(self, how)

    def __str__(self) -> str:
        return str(self._shown("text"))

    def __repr__(self) -> str:
        # Short, whatever the size of the result: the steps and trees are one attribute away, the math one print away.
        typed = getattr(self, "input", None)
        return f"<{type(self).__name__} of {typed!r}>" if typed is not None else f"<{type(self).__name__}>"

    def _repr_html_(self) -> str:
        return str(self._shown("html"))

    def _repr_latex_(self) -> str:
        return str(self._shown("latex"))

    def _repr_markdown_(self) -> str:
        return str(self._shown("markdown"))

    def __rich__(self) -> Any:
        """A rich renderable (the rich writer's, or the result's own view)."""
        return self._shown("rich")


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Derivation(Displayed):
    """A worked derivative: what was typed, how it was read, the variables, every step, and the verdict of the check."""

    input: str | None
    expr: Expr  # the expression as read (without the pending derivative around it)
    wrt: tuple[Var, ...]
    start: Expr  # the pending derivative the steps start from
    steps: tuple[Step, ...]  # one rewrite per step: the full record
    warnings: tuple[str, ...] = ()
    detail: Detail = Detail.NORMAL
    verification: Verification | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def result(self) -> Expr:
        """The last step's expression: computed from the steps, never separately."""
        return self.steps[-1].after if self.steps else self.start

    @property
    def domain(self) -> tuple[Condition, ...]:
        """Where the input and its derivative are both defined over the reals, as written inequalities (x > 0, x ≠ 1).

        Read from the pending derivative (the input, and what its derivative needs: d/dx |x| needs x ≠ 0), from each
        derivative as the rules left it before simplification, and from the result: a factor that simplification
        cancels ((x^2 - 1)/(x - 1) to x + 1) keeps its condition. Worked out when asked, since most derivations
        (gradients, Hessians, the checker's replays) are never shown with one.
        """
        unsimplified = [
            step.after
            for index, step in enumerate(self.steps)
            if step.phase != "simplify" and (index + 1 == len(self.steps) or self.steps[index + 1].phase == "simplify")
        ]
        return conditions(self.start, *unsimplified, self.result)

    def lines(self, detail: Detail | str | None = None) -> tuple[Step, ...]:
        """The steps grouped the way a lecture writes them (see group_lines)."""
        return group_lines(self.steps, detail or self.detail)

    def with_verification(self, verification: Verification) -> Derivation:
        """The same derivation with the verdict of its check."""
        return Derivation(
            self.input,
            self.expr,
            self.wrt,
            self.start,
            self.steps,
            self.warnings,
            self.detail,
            verification,
            self.notes,
        )


def group_lines(steps: tuple[Step, ...], detail: Detail | str) -> tuple[Step, ...]:
    """Merge one-rewrite steps into the lines of a lecture.

    full: one rewrite per line. normal: sibling rewrites of the same group share a line ((0 + 1 + 0) in one go),
    and a run of simplification steps of one kind is one line labelled with its kind ("multiply out", "cancel"),
    tidying (order, brackets, the sign to the front) joining the line it stands next to. brief: only the lines where
    a calculus rule fired, each carrying the simplification that followed it.
    """
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {', '.join(DETAILS)}")
    if detail == "full":
        return tuple(steps)
    lines: list[Step] = []
    # The kind of each simplification line so far (TIDY until a rewrite of another kind joins it): kept beside the
    # lines, since working it out again from a line's rewrites at every step made a long run quadratic.
    kinds: list[SimplifyKind | str | None] = []
    for step in steps:
        kind = step.rewrites[0].kind if step.phase == Phase.SIMPLIFY else None
        if lines and _joins(lines[-1], kinds[-1], step, kind, detail):
            last = lines[-1]
            lines[-1] = Step(last.rewrites + step.rewrites, last.before, step.after, last.phase, last.continues)
            if kinds[-1] == SimplifyKind.TIDY:
                kinds[-1] = kind
        else:
            lines.append(step)
            kinds.append(kind)
    return tuple(lines)


def _joins(
    line: Step, line_kind: SimplifyKind | str | None, step: Step, kind: SimplifyKind | str | None, detail: Detail | str
) -> bool:
    if step.phase == Phase.SIMPLIFY:
        if detail == Detail.BRIEF:
            return True
        # One kind of rewrite per line, so a student can follow it; tidying goes with whatever it stands next to.
        return line.phase == Phase.SIMPLIFY and (line_kind == kind or SimplifyKind.TIDY in (line_kind, kind))
    return step.continues and line.phase == step.phase
