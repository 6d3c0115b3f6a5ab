"""Finds the next pending derivative, applies the first rule that matches, records a Step; it knows no calculus itself.

It works on trees: reading text and resolving --wrt happen in calculus.derivative, which also passes in SymPy as the
fallback for what no rule covers (the core imports no computer algebra).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress
from typing import Literal

from . import limits
from .derivation import Derivation, Rewrite, Step
from .errors import EngineError, StepLimitError, UsageError
from .rules import CAS_FALLBACK, CAS_SIMPLIFY, DIFF_RULES, SUBSTITUTE, Bindings, Rule, StepKind
from .simplify_rules import SIMPLIFY_RULES
from .tree import (
    Add,
    Call,
    Deriv,
    Expr,
    Mul,
    Path,
    Var,
    children,
    get_at,
    replace_at,
    shift,
    walk,
    with_children,
)
from .vocabulary import Detail, Phase

Simplify = Literal["none", "light", "full"]
SIMPLIFY_LEVELS: tuple[Simplify, ...] = ("none", "light", "full")


@dataclass(frozen=True, slots=True)
class Fallback:
    """What the engine may ask a computer algebra system, passed in by the caller (calculus.derivative gives SymPy)."""

    derivative: Callable[[Deriv], Expr]  # a pending derivative no rule matches, worked out
    simplify: Callable[[Expr], Expr | None]  # --simplify full: a shorter form of the result, or None


def differentiate(
    expr: Expr,
    wrt: Sequence[Var],
    *,
    detail: Detail | str = Detail.NORMAL,
    simplify: Simplify = "light",
    rules: Sequence[Rule] | None = None,
    fallback: Fallback | None = None,
) -> Derivation:
    """Work out the derivative of the tree expr by the variables wrt in turn (x, x is the second derivative).

    With no variables expr holds its own pending derivatives (d/dx x^2 sin x). rules is the table, DIFF_RULES when None
    (the homework checker replays a slip with a patched one); fallback answers what no rule covers, and without one
    that is an EngineError. The result is a Derivation: every step, named, in order.
    """
    start = expr
    for var in wrt:
        start = Deriv(start, var)
    run = _Run(DIFF_RULES if rules is None else rules, fallback)
    final = run.derive(start, simplify)
    assert final is (run.steps[-1].after if run.steps else start)
    return Derivation(None, expr, tuple(wrt), start, tuple(run.steps), (), Detail(detail))


def simplify(expr: Expr, keep_written: bool = False) -> tuple[Step, ...]:
    """The simplification steps for expr, with the same rules as a derivation's last phase.

    keep_written=False tidies every part (after a substitution, 3 · 2^2 is arithmetic to do); True leaves the
    subtrees of expr as written, as a derivation does with the student's own expression.
    """
    run = _Run()
    if keep_written:
        run.written = {id(node) for _, node in walk(expr) if children(node)}
    run.simplify_scope(expr, ())
    return tuple(run.steps)


def substitute(expr: Expr, point: Mapping[Expr, Expr]) -> Step:
    """One step that puts the point's values in place of its variables (or of other subterms, such as a sum over the
    data), every occurrence at once."""
    after = expr
    found = [(path, node) for path, node in walk(expr) if node in point]
    for path, node in found:  # occurrences never nest, and replacing one leaves the others' paths valid
        after = replace_at(after, path, point[node])
    rewrites = tuple(
        Rewrite(SUBSTITUTE.name, path, {"x": node, "value": point[node]}, (path,), SUBSTITUTE.group, Phase.SUBSTITUTE)
        for path, node in found
    )
    nothing = Rewrite(SUBSTITUTE.name, (), {}, (), SUBSTITUTE.group, Phase.SUBSTITUTE)
    return Step(rewrites or (nothing,), expr, after, Phase.SUBSTITUTE)


def graft(expr: Expr, path: Path, new: Expr) -> tuple[Expr, tuple[Path, ...]]:
    """Replace the subterm at path with new; a product put into a product (a sum into a sum) joins it, as it is written.

    Returns the new expression and the paths of the new parts in it.
    """
    after, new_paths, _ = _graft(_spine(expr, path), path, new)
    return after, new_paths


def _spine(expr: Expr, path: Path) -> list[Expr]:
    """The nodes from the root down to the one at path: spine[i] is at path[:i]. A step reads them once; fetching
    each again from the root made a step under a nested power cost several walks of its depth."""
    spine = [expr]
    for index in path:
        expr = children(expr)[index]
        spine.append(expr)
    return spine


def _splices(spine: list[Expr], path: Path, new: Expr) -> bool:
    """Whether new joins its parent rather than replacing a child of it (a product into a product, a sum into a sum)."""
    return bool(path) and isinstance(new, (Mul, Add)) and type(spine[-2]) is type(new)


def _graft(spine: list[Expr], path: Path, new: Expr) -> tuple[Expr, tuple[Path, ...], list[Expr]]:
    """graft on the spine of path; also the rebuilt ancestors, root first (fresh[i] at path[:i], i < len(path))."""
    new_paths: tuple[Path, ...] = (path,)
    top = len(path)  # the ancestors below top are rebuilt, as replace_at does
    fresh: list[Expr] = [new] * len(path)
    if _splices(spine, path, new):
        index = path[-1]
        kids = children(spine[-2])
        parts = children(new)
        new = type(new)(kids[:index] + parts + kids[index + 1 :])  # type: ignore[call-arg, arg-type]  # Mul or Add
        new_paths = tuple(path[:-1] + (index + k,) for k in range(len(parts)))
        top -= 1
        fresh[top] = new
    for level in range(top - 1, -1, -1):
        node, index = spine[level], path[level]
        kids = children(node)
        new = with_children(node, kids[:index] + (new,) + kids[index + 1 :])
        fresh[level] = new
    return new, new_paths, fresh


def _passes(start: Expr) -> list[Path]:
    """The scopes worked in order: for nested d/dx d/dy u the inner derivative is finished (and tidied) first."""
    scopes: list[Path] = [()]
    node = start
    while isinstance(node, Deriv) and isinstance(node.body, Deriv):
        scopes.append(scopes[-1] + (0,))
        node = node.body
    return scopes[::-1]


def _has_pending(expr: Expr) -> bool:
    return any(isinstance(node, Deriv) for _, node in walk(expr))


def next_pending(expr: Expr, scope: Path = ()) -> Path | None:
    """The leftmost pending derivative (pre-order) whose body holds no pending derivative itself."""
    for path, node in walk(get_at(expr, scope), scope):
        if isinstance(node, Deriv) and not _has_pending(node.body):
            return path
    return None


def first_match(rules: Sequence[Rule], node: Expr) -> tuple[Rule, Bindings] | None:
    """The first rule in table order that matches node, with its bindings."""
    for rule in candidates(rules, node):
        bindings = rule.match(node)
        if bindings is not None:
            return rule, bindings
    return None


_Key = tuple[type, str | None, type, str | None]
# The rules of a table that can match a kind of node, in table order, by table (kept, so its id is never reused).
# A rule names the only node types it accepts (Rule.kinds); the others are skipped unasked, which gives the same
# first match as trying the whole table and saves most of a step's matching.
_CANDIDATES: dict[int, tuple[Sequence[Rule], dict[_Key, tuple[Rule, ...]]]] = {}


def candidates(rules: Sequence[Rule], node: Expr) -> tuple[Rule, ...]:
    """The rules of the table that can match node, in table order."""
    known = _CANDIDATES.get(id(rules))
    if known is None or known[0] is not rules:
        if len(_CANDIDATES) > 64:  # tables made on the fly (a mistake's patched table) come and go
            _CANDIDATES.clear()
        known = _CANDIDATES[id(rules)] = (rules, {})
    body = node.body if type(node) is Deriv else None
    key = (type(node), node.fn if type(node) is Call else None, type(body), body.fn if type(body) is Call else None)
    found = known[1].get(key)
    if found is None:
        found = known[1][key] = tuple(rule for rule in rules if _may_match(rule, node, body))
    return found


def _may_match(rule: Rule, node: Expr, body: Expr | None) -> bool:
    if not rule.kinds:
        return True
    target = body if rule.on_body else node
    if target is None:
        return False
    return type(target) in rule.kinds or type(target) is Call and target.fn in rule.kinds


class _Memo:
    """What a run knows of each node by identity: its size and the pending derivatives in it, the size of each
    simplification step's expression, and the nodes no simplification rule applies to anywhere inside.

    Untouched subtrees are shared between steps, so each is looked at once, not once per step (which made long sums
    quadratic). Every node remembered is kept alive here, so its id is never reused while the run lasts.
    """

    __slots__ = ("sizes", "derivs", "kept", "totals", "clean")

    def __init__(self) -> None:
        self.sizes: dict[int, int] = {}
        self.derivs: dict[int, int] = {}
        self.kept: list[Expr] = []
        self.totals: dict[int, int] = {}  # the steps keep these expressions alive
        self.clean: dict[int, Expr] = {}

    def size(self, node: Expr) -> int:
        """The number of nodes in node."""
        if id(node) not in self.sizes:
            self.measure(node)
        return self.sizes[id(node)]

    def count(self, node: Expr) -> int:
        """How many pending derivatives node holds."""
        if id(node) not in self.derivs:
            self.measure(node)
        return self.derivs[id(node)]

    def measure(self, node: Expr) -> None:
        """Count the nodes and the pending derivatives in node and in every subtree below it: whenever a node is
        measured, so is everything below it."""
        sizes, derivs, kept = self.sizes, self.derivs, self.kept
        stack = [(node, False)]
        while stack:  # post-order without recursion: a chain 1,000 deep is fine
            item, expanded = stack.pop()
            key = id(item)
            if key in sizes:
                continue
            kids = children(item)
            if expanded or not kids:
                ids = list(map(id, kids))
                sizes[key] = 1 + sum(map(sizes.__getitem__, ids))
                derivs[key] = (type(item) is Deriv) + sum(map(derivs.__getitem__, ids))
                kept.append(item)
                continue
            stack.append((item, True))
            stack.extend([(k, False) for k in kids if id(k) not in sizes])

    def grafted(self, spine: list[Expr], fresh: list[Expr], new: Expr, spliced: bool) -> None:
        """Measure the ancestors a step rebuilt from the ones they replace: each holds what its old self held,
        changed by what the rewrite changed (a splice too: the joined parent takes the parts of new, not new itself).
        A step then costs its depth, not a walk of the whole expression or of every sibling on the way down (a sum of
        1,000 terms, a product of 1,000 factors, a chain 1,000 deep)."""
        sizes, derivs = self.sizes, self.derivs
        if id(spine[0]) not in sizes:
            self.measure(spine[0])
        self.measure(new)
        more = sizes[id(new)] - sizes[id(spine[-1])] - spliced
        pending = derivs[id(new)] - derivs[id(spine[-1])]
        if fresh:  # in C, level by level: under a nested power the spine is hundreds of nodes long
            olds, rebuilt = list(map(id, spine[: len(fresh)])), list(map(id, fresh))
            sizes.update(zip(rebuilt, map(more.__add__, map(sizes.__getitem__, olds))))
            derivs.update(zip(rebuilt, map(pending.__add__, map(derivs.__getitem__, olds))))
            self.kept += fresh

    def total(self, before: Expr, after: Expr, spine: list[Expr], new: Expr, spliced: bool) -> int:
        """The size of a simplification step's result, from its expression's: simplification needs no pending counts,
        and under a nested power its spine is hundreds of nodes long, so the rebuilt nodes are measured only if a later
        step asks (each once)."""
        known = self.totals.get(id(before))
        grown = (self.size(before) if known is None else known) - self.size(spine[-1]) + self.size(new) - spliced
        self.totals[id(after)] = grown
        return grown


class _Run:
    def __init__(self, rules: Sequence[Rule] = DIFF_RULES, fallback: Fallback | None = None) -> None:
        self.rules = rules
        self.fallback = fallback
        self.steps: list[Step] = []
        self.written: set[int] = set()  # the input's own compound nodes, by identity (see derive)
        self.memo = _Memo()

    def record(
        self,
        expr: Expr,
        path: Path,
        rule: Rule | StepKind,
        bindings: Bindings,
        new: Expr,
        phase: Phase,
        continues: bool = False,
    ) -> Expr:
        spine = _spine(expr, path)
        after, new_paths, fresh = _graft(spine, path, new)
        rewrite = Rewrite(rule.name, path, bindings, new_paths, rule.group, phase)
        self.steps.append(Step((rewrite,), expr, after, phase, continues))
        if len(self.steps) > limits.MAX_STEPS:
            raise StepLimitError(
                f"the derivation needs more than {limits.MAX_STEPS:,} steps ({limits.named('MAX_STEPS')}); "
                "simplify the input first",
                path,
            )
        spliced = _splices(spine, path, new)
        if phase == Phase.SIMPLIFY:
            self.check_size(self.memo.total(expr, after, spine, new, spliced), path)
        else:
            self.memo.grafted(spine, fresh, new, spliced)
            self.check_size(self.memo.sizes[id(after)], path)
        return after

    def check_size(self, grown: int, path: Path) -> None:
        if grown > limits.MAX_EXPRESSION_NODES:
            raise StepLimitError(
                f"the expression grew to more than {limits.MAX_EXPRESSION_NODES:,} nodes "
                f"({limits.named('MAX_EXPRESSION_NODES')}); differentiate smaller pieces one at a time",
                path,
            )

    def derive(self, start: Expr, simplify: Simplify) -> Expr:
        # What the student wrote stays as written: simplification tidies only what the rules produced. Rules share
        # the input's untouched subtrees, so identity tells them apart (start keeps the ids alive).
        self.written = {id(node) for _, node in walk(start) if children(node)}
        expr = start
        for scope in _passes(start):
            expr = self.differentiate_scope(expr, scope)
            if simplify != "none":
                expr = self.simplify_scope(expr, scope)
        if simplify == "full":
            expr = self.cas_simplify(expr)
        return expr

    def ready(self, expr: Expr, scope: Path) -> Iterator[tuple[Path, Deriv]]:
        """The pending derivatives whose bodies hold none, leftmost first (pre-order), descending only into subtrees
        that hold a derivative."""
        root = get_at(expr, scope)
        if not self.memo.count(root):  # counts every node below, so the loop reads the memo directly
            return
        held = self.memo.derivs.__getitem__
        # The path is kept as one trail of indices, cut back to each node's depth, and made a tuple only for what is
        # yielded: building every node's path tuple cost the square of the depth under a nested power.
        trail: list[int] = []
        stack = [(root, 0, 0)]  # node, depth below scope, index in its parent
        while stack:
            node, level, index = stack.pop()
            if level:
                del trail[level - 1 :]
                trail.append(index)
            if isinstance(node, Deriv) and not held(id(node.body)):
                yield scope + tuple(trail), node
                continue
            kids = children(node)
            # in C: a product may have 1,000 factors
            places = list(compress(range(len(kids)), map(held, map(id, kids))))
            stack.extend([(kids[place], level + 1, place) for place in reversed(places)])

    def differentiate_scope(self, expr: Expr, scope: Path) -> Expr:
        while ready := list(self.ready(expr, scope)):  # one walk for the line's place and the others waiting
            path, node = ready[0]
            found = first_match(self.rules, node)
            if found is None:
                if self.fallback is None:
                    raise EngineError(f"no rule covers {node}, and no fallback was given to work it out", path)
                result = self.fallback.derivative(node)
                expr = self.record(expr, path, CAS_FALLBACK, {"x": node.var, "result": result}, result, Phase.CAS)
                continue
            rule, bindings = found
            expr = self.record(expr, path, rule, bindings, rule.rewrite(bindings), Phase.DIFFERENTIATE)
            expr = self.same_rule_elsewhere(expr, rule.group, ready[1:], self.steps[-1].rewrites[0])
        return expr

    def same_rule_elsewhere(self, expr: Expr, group: str, waiting: list[tuple[Path, Deriv]], first: Rewrite) -> Expr:
        """Apply the line's rule at every other place where it was ready when the line began: (0 + 1 + 0) in one line.

        `waiting` lists the other derivatives ready at the start of the line, leftmost first; each rewrite replaces
        only its own node, so the others stay in place, moved only when a product joins its parent product (a splice).
        Every splice lies before the places still waiting, so a place under a spliced parent moves by what all the
        splices there added; `moves` keeps the first splice's place and that sum per parent, and a place is moved from
        the root down.
        """
        moves: dict[Path, tuple[int, int]] = {}

        def spliced(rewrite: Rewrite) -> None:
            if len(rewrite.new_paths) > 1:
                parent, start = rewrite.new_paths[0][:-1], rewrite.new_paths[0][-1]
                first_start, moved = moves.get(parent, (start, 0))
                moves[parent] = (first_start, moved + len(rewrite.new_paths) - 1)

        spliced(first)
        for path, node in waiting:
            found = first_match(self.rules, node)
            if found is None or found[0].group != group:
                continue
            if moves:
                for depth in range(len(path)):
                    move = moves.get(path[:depth])
                    if move:
                        path = shift(path, path[:depth], *move)
            rule, bindings = found
            new = rule.rewrite(bindings)
            expr = self.record(expr, path, rule, bindings, new, Phase.DIFFERENTIATE, continues=True)
            spliced(self.steps[-1].rewrites[0])
        return expr

    def simplify_scope(self, expr: Expr, scope: Path) -> Expr:
        """Post-order, the first node a rule matches is rewritten, and the walk goes on from the rewritten place.

        That is the same order as starting again from the root each time: everything before the place was walked
        without a match and is unchanged (rules look only inside the node they match), so it is remembered as clean by
        identity and the walk resumes instead. The ancestors still on the stack are fetched again (they were rebuilt),
        and a splice (a product joining its parent product) moves the later siblings' paths.
        """
        clean = self.memo.clean
        version = 0  # rewrites so far: an ancestor pushed before the last one is stale
        stack: list[tuple[Path, Expr, bool, int]] = [(scope, get_at(expr, scope), False, version)]
        while stack:
            path, node, expanded, pushed = stack.pop()
            if not expanded:
                if id(node) in clean:
                    continue
                stack.append((path, node, True, version))
                kids = children(node)
                stack.extend(
                    (path + (i,), kids[i], False, version)
                    for i in range(len(kids) - 1, -1, -1)
                    if id(kids[i]) not in clean
                )
                continue
            if pushed != version:
                node = get_at(expr, path)
            found = None if id(node) in self.written else first_match(SIMPLIFY_RULES, node)
            if found is None:
                clean[id(node)] = node
                continue
            rule, bindings = found
            expr = self.record(expr, path, rule, bindings, rule.rewrite(bindings), Phase.SIMPLIFY)
            version += 1
            new_paths = self.steps[-1].rewrites[0].new_paths
            # A splice: the later siblings move, and the parts are fetched from their parent once.
            if len(new_paths) > 1:
                parent, start, moved = new_paths[0][:-1], new_paths[0][-1], len(new_paths) - 1
                stack = [(shift(p, parent, start, moved), n, e, v) for p, n, e, v in stack]
                kids = children(get_at(expr, parent))
                stack.extend((new_path, kids[new_path[-1]], False, version) for new_path in reversed(new_paths))
            else:
                stack.append((new_paths[0], get_at(expr, new_paths[0]), False, version))
        return expr

    def cas_simplify(self, expr: Expr) -> Expr:
        """--simplify full: one recorded step with the fallback's simplification, when it is shorter than ours."""
        if self.fallback is None:
            raise UsageError("--simplify full asks a computer algebra system, and none was given: use light")
        better = self.fallback.simplify(expr)
        if better is None:
            return expr
        return self.record(expr, (), CAS_SIMPLIFY, {"result": better}, better, Phase.SIMPLIFY)
